// Responder changes planned by feed consumers; see responder_changes.h.
#include "services/assessment/responder_changes.h"

#include "absl/strings/str_cat.h"
#include "common/server/log.h"
#include "common/status/status_macros.h"

namespace homeward::assessment {

service::Actor FeedActor(const homeward::v1::Event& event,
                         absl::string_view method) {
  service::Actor actor;
  actor.principal.set_user_id(event.actor_user_id());
  actor.principal.set_role(homeward::v1::ROLE_SERVICE);
  actor.request_id = event.request_id();
  actor.method = std::string(method);
  return actor;
}

absl::Status PlanResponderChanges(const NeedStore& needs,
                                  const service::Actor& actor,
                                  const homeward::v1::Event& event,
                                  absl::string_view case_id,
                                  const ResponderChanges& changes,
                                  absl::string_view consumer,
                                  SkippedTally& tally, storage::WriteSet& set) {
  const uint32_t p = event.partition();
  // One planned change per record (NeedStore::PlanNeedResponders).
  auto apply = [&](const RecordResponderChanges& records,
                   auto plan) -> absl::Status {
    for (const auto& [id, responders] : records) {
      if (id.empty() || case_id.empty()) {
        tally.Unknown();
        continue;
      }
      absl::StatusOr<NeedStore::ResponseOutcome> outcome = plan(id, responders);
      if (absl::IsNotFound(outcome.status())) {
        tally.Unknown();
        // Identifiers only: which event named which id.
        server::Log("warn", "feed event names no such record here",
                    {{"consumer", std::string(consumer)},
                     {"partition", absl::StrCat(p)},
                     {"sequence", absl::StrCat(event.sequence())},
                     {"case_id", std::string(case_id)},
                     {"record_id", id}});
        continue;
      }
      RETURN_IF_ERROR(outcome.status());
      if (*outcome == NeedStore::ResponseOutcome::kNotOpen) tally.NotOpen();
    }
    return absl::OkStatus();
  };
  RETURN_IF_ERROR(
      apply(changes.needs, [&](const std::string& id, const auto& responders) {
        return needs.PlanNeedResponders(actor, p, case_id, id, responders, set);
      }));
  return apply(changes.concerns, [&](const std::string& id,
                                     const auto& responders) {
    return needs.PlanConcernResponders(actor, p, case_id, id, responders, set);
  });
}

}  // namespace homeward::assessment
