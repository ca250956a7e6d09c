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

// Every move the process makes. A cause absent from a stage's rows leaves
// the case where it is: stages only move forward, so a repeated event (a
// second assessment) moves nothing.
constexpr StageMove kMoves[] = {
    {homeward::v1::CASE_STAGE_UNSPECIFIED, kCaseRegistered,
     homeward::v1::CASE_STAGE_INTAKE},
    {homeward::v1::CASE_STAGE_INTAKE, kAssessmentCompleted,
     homeward::v1::CASE_STAGE_ASSESSMENT},
};

}  // namespace

std::optional<CaseStage> NextStage(CaseStage current, absl::string_view cause) {
  for (const StageMove& move : kMoves) {
    if (move.from == current && cause == move.cause) return move.to;
  }
  return std::nullopt;
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
