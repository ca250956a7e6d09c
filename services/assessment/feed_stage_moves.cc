// Stage moves from other services' feeds; see feed_stage_moves.h.
#include "services/assessment/feed_stage_moves.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "common/service/actor.h"
#include "common/status/status_macros.h"
#include "homeward/v1/cases.pb.h"
#include "services/assessment/responder_changes.h"

namespace homeward::assessment {

absl::Status AddStageMove(const CaseStore& cases,
                          const homeward::v1::Event& event,
                          absl::string_view case_id, absl::string_view cause,
                          absl::string_view method, storage::WriteSet& set) {
  if (case_id.empty()) return absl::OkStatus();
  absl::StatusOr<homeward::v1::Case> current = cases.Get(case_id);
  // Another replica's case, or one this store never registered: nothing to
  // move here, and nothing to hold the feed back for.
  if (absl::IsNotFound(current.status()) ||
      absl::IsFailedPrecondition(current.status())) {
    return absl::OkStatus();
  }
  RETURN_IF_ERROR(current.status());
  const service::Actor actor = FeedActor(event, method);
  ASSIGN_OR_RETURN(storage::WriteSet move,
                   cases.StageMove(actor, *current, cause));
  // A move always announces itself (CaseStageChanged); no event, no move.
  if (!move.AppendsEventsOrAudit()) return absl::OkStatus();
  auto audit = service::AuditEntryFor(actor, case_id);
  audit.set_reason(absl::StrCat("stage moved by ", cause));
  move.Audit(std::move(audit));
  set.Append(std::move(move));
  return absl::OkStatus();
}

}  // namespace homeward::assessment
