// The stage moves other services' events make (case_stages.h), planned by
// the assessment service's feed consumers (plan_responses.h,
// follow_up_outcomes.h) into the WriteSet the feed follower commits with
// its cursor: the case's CaseStore::StageMove (record, stage index entry,
// CaseStageChanged event) and an audit entry, actor the event's user acting
// through the service. A case this store does not hold, and a cause that
// moves nothing from the case's stage, add nothing: redelivering an event
// after its move moves nothing again.
//
//   storage::WriteSet set;
//   RETURN_IF_ERROR(AddStageMove(*cases, event, case_id, kPlanCreated,
//                                "feed/planning", set));
#ifndef HOMEWARD_SERVICES_ASSESSMENT_FEED_STAGE_MOVES_H_
#define HOMEWARD_SERVICES_ASSESSMENT_FEED_STAGE_MOVES_H_

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "common/storage/write_set.h"
#include "homeward/v1/events.pb.h"
#include "services/assessment/case_store.h"

namespace homeward::assessment {

// Adds to `set` the move `cause` makes of case `case_id` (in the event's
// partition), as the header says. The move expects the case's version as
// read, so a handler's write in between fails the commit (ABORTED) and the
// follower applies the event again on the case as it then is.
absl::Status AddStageMove(const CaseStore& cases,
                          const homeward::v1::Event& event,
                          absl::string_view case_id, absl::string_view cause,
                          absl::string_view method, storage::WriteSet& set);

}  // namespace homeward::assessment

#endif  // HOMEWARD_SERVICES_ASSESSMENT_FEED_STAGE_MOVES_H_
