// The retention rules (domain brief section 7, docs/RETENTION.md): when a
// closed case has passed its programme's retention period, and what an
// anonymised case keeps. Pure: today and the time are passed in, so the
// retention job decides when to read the clock.
//
//   std::optional<absl::CivilDay> closed = ClosureDay(c);
//   if (closed && IsPastRetention(*closed, RetentionYearsOf(programme),
//                                 today)) {
//     Case after = Anonymised(c, now);  // then written by the CaseStore
//   }
#ifndef HOMEWARD_SERVICES_ASSESSMENT_RETENTION_RULES_H_
#define HOMEWARD_SERVICES_ASSESSMENT_RETENTION_RULES_H_

#include <optional>

#include "absl/time/civil_time.h"
#include "google/protobuf/timestamp.pb.h"
#include "homeward/v1/cases.pb.h"
#include "homeward/v1/consent.pb.h"
#include "homeward/v1/counselling.pb.h"
#include "homeward/v1/events.pb.h"
#include "homeward/v1/needs.pb.h"
#include "homeward/v1/taxonomy.pb.h"

namespace homeward::assessment {

// The retention period of a programme that names none (Programme
// retention_years unset, as in every version published before the field
// existed).
inline constexpr int kDefaultRetentionYears = 10;

// The programme's retention_years, or kDefaultRetentionYears when unset.
int RetentionYearsOf(const homeward::v1::Programme& programme);

// The day (UTC) `c` closed: the time of the latest move into CLOSED in its
// stage history (its update time if that move has no time). nullopt when the
// case is not closed now: a reopened case is not counted from its old
// closure.
std::optional<absl::CivilDay> ClosureDay(const homeward::v1::Case& c);

// Whether a case closed on `closure_day` has passed a retention of
// `retention_years` whole years on `today`: true from the anniversary of
// the closure `retention_years` years later (a closure on 29 February
// counts to 1 March in a year without one), so a retention of 0 years has
// passed on the day of closure already.
bool IsPastRetention(absl::CivilDay closure_day, int retention_years,
                     absl::CivilDay today);

// Whether the retention job has anonymised `c`.
inline bool IsAnonymised(const homeward::v1::Case& c) {
  return c.has_anonymise_time();
}

// `c` without what identifies or reaches the returnee and their household
// (as Anonymised removes it), its anonymise_time untouched: for the copies
// of the case that past events carry.
homeward::v1::Case WithoutIdentity(homeward::v1::Case c);

// `c` without what identifies or reaches the returnee and their household:
// the names, the contacts, the locality of return and the month and day of
// every date of birth (the year stays, for age bands). Everything else
// stays: office, case manager, programme, stage and its history, dates,
// sex, nationality, languages, country, region, host country, return type,
// the household members' ids, relationships and sexes. `now` becomes its
// anonymise_time. Idempotent on the fields: anonymising again removes
// nothing more.
homeward::v1::Case Anonymised(homeward::v1::Case c,
                              const google::protobuf::Timestamp& now);

// The free text an anonymised case's other records lose: what staff wrote
// in their own words, where a name or a story may be. Codes, categories,
// priorities, statuses and their times, sources, responders and dates stay,
// so the indicators are unchanged. Each returns whether it removed
// anything (false: nothing to rewrite).
//
// A need: its description, status reason and history reasons.
bool RemoveFreeText(homeward::v1::Need& need);
// A protection concern: its label (a hand-entered concern's is free text;
// its code stays), status reason and history reasons.
bool RemoveFreeText(homeward::v1::ProtectionConcern& concern);
// A consent decision: its notes.
bool RemoveFreeText(homeward::v1::ConsentRecord& consent);
// A counselling session: its observations, distress notes and agreed next
// steps (participants and topics stay).
bool RemoveFreeText(homeward::v1::CounsellingSession& session);

// A past event of an anonymised case, rewritten in place: the copy of the
// case it carries without identity (WithoutIdentity), the need or concern it
// carries without free text. Whether it changed.
bool ScrubPastEvent(homeward::v1::Event& event);

}  // namespace homeward::assessment

#endif  // HOMEWARD_SERVICES_ASSESSMENT_RETENTION_RULES_H_
