// Where a case is in the case-management process and how it gets there: the
// table of moves (which event moves a case from which stage to which) and
// the history of moves a case record keeps. Pure: the time and the actor are
// passed in, so the rules are testable and the store decides when to write.
//
//   std::optional<CaseStage> next = StageAfter(c, kAssessmentCompleted);
//   if (next) AppendStage(c, *next, now, kAssessmentCompleted, "cm-1");
#ifndef HOMEWARD_SERVICES_ASSESSMENT_CASE_STAGES_H_
#define HOMEWARD_SERVICES_ASSESSMENT_CASE_STAGES_H_

#include <optional>
#include <string>

#include "absl/strings/string_view.h"
#include "google/protobuf/timestamp.pb.h"
#include "homeward/v1/cases.pb.h"

namespace homeward::assessment {

// The causes that move a case: the names of the events that move it. The
// assessment service's own, then the planning service's (its feed,
// plan_responses.h) and the follow-up service's (follow_up_outcomes.h).
inline constexpr char kCaseRegistered[] = "CaseRegistered";
inline constexpr char kAssessmentCompleted[] = "AssessmentCompleted";
inline constexpr char kPlanCreated[] = "PlanCreated";
inline constexpr char kPlanApproved[] = "PlanApproved";
inline constexpr char kPlanCompleted[] = "PlanCompleted";
inline constexpr char kCaseClosed[] = "CaseClosed";
// Not in the table: a reopened case goes back to the stage it had before it
// was closed, which only its history knows (StageAfter).
inline constexpr char kCaseReopened[] = "CaseReopened";
// The cause of the one entry a case registered before stage history existed
// reads with: its stage then, since its registration.
inline constexpr char kBeforeStageHistory[] = "recorded before stage history";

// The stage a case at `current` moves to when `cause` happens; nullopt when
// that cause moves nothing from there (e.g. a second assessment). A case
// not yet registered is at CASE_STAGE_UNSPECIFIED.
std::optional<homeward::v1::CaseStage> NextStage(
    homeward::v1::CaseStage current, absl::string_view cause);

// The stage `c` moves to when `cause` happens: NextStage of its stage, and
// for kCaseReopened of a CLOSED case the stage its history shows before its
// latest closure (MONITORING when the history does not show it: a case
// closed before stage history existed). nullopt when nothing moves (e.g. a
// reopening of a case that is not closed).
std::optional<homeward::v1::CaseStage> StageAfter(const homeward::v1::Case& c,
                                                  absl::string_view cause);

// Sets `c`'s stage to `stage` and appends the move to its history.
void AppendStage(homeward::v1::Case& c, homeward::v1::CaseStage stage,
                 const google::protobuf::Timestamp& time,
                 absl::string_view cause, absl::string_view actor_user_id);

// A case stored before stage history existed reads with one entry: its
// current stage, since its creation, cause kBeforeStageHistory. A case
// with a history is left as it is.
void WithStageHistory(homeward::v1::Case& c);

}  // namespace homeward::assessment

#endif  // HOMEWARD_SERVICES_ASSESSMENT_CASE_STAGES_H_
