// Consent records over the case record log; see consent_store.h.
#include "services/assessment/consent_store.h"

#include "common/status/status_macros.h"
#include "common/storage/clock.h"
#include "common/storage/ids.h"
#include "services/assessment/case_validation.h"
#include "services/assessment/retention_rules.h"

namespace homeward::assessment {

using homeward::v1::ConsentRecord;

absl::StatusOr<ConsentRecord> ConsentStore::Record(
    const service::Actor& actor, const homeward::v1::Case& c,
    const std::string& request_id, ConsentRecord consent) {
  const std::string id = storage::TimeOrderedId("K");
  consent.set_consent_id(id);
  consent.set_case_id(c.case_id());
  consent.set_recorded_by(actor.principal.user_id());
  *consent.mutable_create_time() = storage::NowTimestamp();
  homeward::v1::Event event;
  *event.mutable_consent_changed()->mutable_consent() = consent;
  // Free-text notes may hold personal detail; consumers of the feed only need
  // the decision.
  event.mutable_consent_changed()->mutable_consent()->clear_notes();
  return log_.Append(actor, c, id, request_id, consent, std::move(event));
}

absl::StatusOr<storage::Page<homeward::v1::ConsentRecord>> ConsentStore::List(
    const homeward::v1::Case& c, int page_size,
    absl::string_view page_token) const {
  return log_.List(c, page_size, page_token);
}

absl::StatusOr<std::vector<ConsentRecord>> ConsentStore::History(
    const homeward::v1::Case& c) const {
  // A case has a handful of consent decisions, so reading them all is cheap
  // and keeps the decision rule a pure function of the history.
  return log_.All(c, api::kMaxPageSize);
}

void ConsentStore::AuditRead(const service::Actor& actor,
                             absl::string_view case_id) {
  log_.AuditRead(actor, case_id);
}

absl::Status ConsentStore::RemoveFreeTextOfCase(const homeward::v1::Case& c,
                                                storage::WriteSet& set) const {
  return log_.RewriteEach(
      c, [](homeward::v1::ConsentRecord& r) { return RemoveFreeText(r); }, set);
}

}  // namespace homeward::assessment
