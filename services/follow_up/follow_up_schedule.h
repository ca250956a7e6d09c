// The monitoring schedule of a case as pure rules (no I/O, days passed in):
// which follow-up contacts a programme's cadence gives a case, how a
// schedule is made again (a plan revision, a reopening) without touching
// what was done, and the ids of cadence contacts and of further attempts.
//
// A cadence point is month m of FollowUpCadence.months_after_return: a
// contact due m calendar months after the return date (the same day of the
// month, or the month's last day when it has fewer days: 31 January + 1
// month is 28 or 29 February), with an RSS due when m is in rss_at_months.
// Its contact id is CadenceContactId(m) ("M03"), so that making the
// schedule twice (a redelivered event) creates nothing twice.
//
//   std::vector<FollowUpContact> changed = ScheduleChanges(
//       programme.follow_up(), return_day, approval_day, existing, case_id);
//   for (const FollowUpContact& c : changed) ...  // put each, new or not
#ifndef HOMEWARD_SERVICES_FOLLOW_UP_FOLLOW_UP_SCHEDULE_H_
#define HOMEWARD_SERVICES_FOLLOW_UP_FOLLOW_UP_SCHEDULE_H_

#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "google/protobuf/timestamp.pb.h"
#include "homeward/v1/follow_up.pb.h"
#include "homeward/v1/taxonomy.pb.h"

namespace homeward::follow_up {

// The day (UTC) of `time`: the day an event counts from.
absl::CivilDay UtcDayOf(const google::protobuf::Timestamp& time);

// `day` plus `months` calendar months, clamped to the last day of the month
// reached.
absl::CivilDay AddMonthsClamped(absl::CivilDay day, int months);

// "M01", "M12", "M120": the contact of cadence month `months`.
std::string CadenceContactId(int months_after_return);

// The id of the attempt after `contact_id`: "M03" -> "M03-2",
// "M03-2" -> "M03-3", "X0123" -> "X0123-2".
std::string NextAttemptId(absl::string_view contact_id);

struct CadencePoint {
  int months_after_return = 0;
  absl::CivilDay due;
  bool rss_due = false;
};

// The points of `cadence` for a return on `return_day`, in month order;
// months that are not positive, and repeats, are left out.
std::vector<CadencePoint> CadencePoints(
    const homeward::v1::FollowUpCadence& cadence, absl::CivilDay return_day);

// Why a revision cancels a cadence contact.
inline constexpr char kNotInCadence[] =
    "no longer in the programme's follow-up cadence";

// The contacts of a case whose schedule is made (again) from `from_day`:
// each returned contact is the state a contact must be put in (new ones have
// no record yet: `existing` has no contact of their id). `existing` is every
// contact of the case.
// - A cadence point due on or after `from_day` with no contact becomes a new
//   SCHEDULED contact; one due before `from_day` gets none.
// - A SCHEDULED cadence contact due on or after `from_day` takes its point's
//   due date and RSS flag again; it is CANCELLED when its month is no longer
//   in the cadence or its point now falls before `from_day`.
// - A CANCELLED cadence contact whose point is due on or after `from_day` is
//   SCHEDULED again (a reopened case, a month back in the cadence), and so
//   is a CANCELLED further attempt due on or after `from_day` (it was
//   cancelled with the case; the contact it tries again is still missed).
// - DONE and MISSED contacts, extra contacts and further attempts otherwise
//   never change, and neither do SCHEDULED contacts due before `from_day`.
// A contact that would not change is not returned.
std::vector<homeward::v1::FollowUpContact> ScheduleChanges(
    const homeward::v1::FollowUpCadence& cadence, absl::CivilDay return_day,
    absl::CivilDay from_day,
    const std::vector<homeward::v1::FollowUpContact>& existing,
    absl::string_view case_id);

// The attempt scheduled after `missed` (already MISSED): SCHEDULED, due on
// `due`, id NextAttemptId, the same cadence month and RSS flag.
homeward::v1::FollowUpContact NextAttempt(
    const homeward::v1::FollowUpContact& missed, absl::CivilDay due);

}  // namespace homeward::follow_up

#endif  // HOMEWARD_SERVICES_FOLLOW_UP_FOLLOW_UP_SCHEDULE_H_
