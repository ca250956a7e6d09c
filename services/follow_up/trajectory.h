// A case's W-model trajectory for display, as a pure function of what the
// service holds: one TrajectoryPoint per DONE contact (its W phase and
// wellbeing, oldest contact date first, then by contact id), one RssPoint
// per RSS survey of the returnee the assessment feed announced (baseline,
// follow-up, closure: oldest first), and the return date the curve counts
// from.
//
//   Trajectory t = BuildTrajectory(case_id, c.record.return_date(),
//                                  contacts, FollowUpCases::RssPoints(c));
#ifndef HOMEWARD_SERVICES_FOLLOW_UP_TRAJECTORY_H_
#define HOMEWARD_SERVICES_FOLLOW_UP_TRAJECTORY_H_

#include <vector>

#include "absl/strings/string_view.h"
#include "homeward/v1/follow_up.pb.h"

namespace homeward::follow_up {

// `return_date` may be unset (the case has none yet).
homeward::v1::Trajectory BuildTrajectory(
    absl::string_view case_id, const homeward::v1::Date& return_date,
    const std::vector<homeward::v1::FollowUpContact>& contacts,
    const std::vector<homeward::v1::RssPoint>& surveys);

}  // namespace homeward::follow_up

#endif  // HOMEWARD_SERVICES_FOLLOW_UP_TRAJECTORY_H_
