// The case stage table and history; see case_stages.h.
#include "services/assessment/case_stages.h"

namespace homeward::assessment {
namespace {

using homeward::v1::CaseStage;

struct StageMove {
  CaseStage from;
  const char* cause;
  CaseStage to;
};

constexpr CaseStage kIntake = homeward::v1::CASE_STAGE_INTAKE;
constexpr CaseStage kAssessment = homeward::v1::CASE_STAGE_ASSESSMENT;
constexpr CaseStage kPlanning = homeward::v1::CASE_STAGE_PLANNING;
constexpr CaseStage kDelivery = homeward::v1::CASE_STAGE_DELIVERY;
constexpr CaseStage kMonitoring = homeward::v1::CASE_STAGE_MONITORING;
constexpr CaseStage kClosed = homeward::v1::CASE_STAGE_CLOSED;

// Every move the process makes. A cause absent from a stage's rows leaves
// the case where it is: stages only move forward (reopening aside, see
// StageAfter), so a repeated or late event (a second assessment, a plan
// created for a case already delivered) moves nothing. A stage may be
// skipped: a plan approved before any assessment takes the case straight to
// delivery, since events of different services arrive in any order.
constexpr StageMove kMoves[] = {
    {homeward::v1::CASE_STAGE_UNSPECIFIED, kCaseRegistered, kIntake},
    {kIntake, kAssessmentCompleted, kAssessment},
    {kIntake, kPlanCreated, kPlanning},
    {kAssessment, kPlanCreated, kPlanning},
    {kIntake, kPlanApproved, kDelivery},
    {kAssessment, kPlanApproved, kDelivery},
    {kPlanning, kPlanApproved, kDelivery},
    {kDelivery, kPlanCompleted, kMonitoring},
    {kIntake, kCaseClosed, kClosed},
    {kAssessment, kCaseClosed, kClosed},
    {kPlanning, kCaseClosed, kClosed},
    {kDelivery, kCaseClosed, kClosed},
    {kMonitoring, kCaseClosed, kClosed},
};

// The stage `c` had before its latest move to CLOSED; nullopt when its
// history does not show one.
std::optional<CaseStage> StageBeforeClosure(const homeward::v1::Case& c) {
  for (int i = c.stage_history_size() - 1; i > 0; --i) {
    if (c.stage_history(i).stage() == kClosed &&
        c.stage_history(i - 1).stage() != kClosed) {
      return c.stage_history(i - 1).stage();
    }
  }
  return std::nullopt;
}

}  // namespace

std::optional<CaseStage> NextStage(CaseStage current, absl::string_view cause) {
  for (const StageMove& move : kMoves) {
    if (move.from == current && cause == move.cause) return move.to;
  }
  return std::nullopt;
}

std::optional<CaseStage> StageAfter(const homeward::v1::Case& c,
                                    absl::string_view cause) {
  if (cause != kCaseReopened) return NextStage(c.stage(), cause);
  if (c.stage() != kClosed) return std::nullopt;
  // A case closed before stage history existed has no earlier stage to go
  // back to: it was being followed up, the stage reopening is for.
  return StageBeforeClosure(c).value_or(kMonitoring);
}

void AppendStage(homeward::v1::Case& c, CaseStage stage,
                 const google::protobuf::Timestamp& time,
                 absl::string_view cause, absl::string_view actor_user_id) {
  c.set_stage(stage);
  homeward::v1::StageChange* change = c.add_stage_history();
  change->set_stage(stage);
  *change->mutable_time() = time;
  change->set_cause(std::string(cause));
  change->set_actor_user_id(std::string(actor_user_id));
}

void WithStageHistory(homeward::v1::Case& c) {
  if (c.stage_history_size() > 0) return;
  homeward::v1::StageChange* change = c.add_stage_history();
  change->set_stage(c.stage());
  *change->mutable_time() = c.create_time();
  change->set_cause(kBeforeStageHistory);
}

}  // namespace homeward::assessment
