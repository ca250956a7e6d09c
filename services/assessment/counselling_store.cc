// Counselling sessions over the case record log; see counselling_store.h.
#include "services/assessment/counselling_store.h"

#include "common/status/status_macros.h"
#include "common/storage/clock.h"
#include "common/storage/ids.h"
#include "services/assessment/retention_rules.h"

namespace homeward::assessment {

using homeward::v1::CounsellingSession;

absl::StatusOr<CounsellingSession> CounsellingStore::Record(
    const service::Actor& actor, const homeward::v1::Case& c,
    const std::string& request_id, CounsellingSession session) {
  const std::string id = storage::TimeOrderedId("S");
  session.set_session_id(id);
  session.set_case_id(c.case_id());
  session.set_recorded_by(actor.principal.user_id());
  *session.mutable_create_time() = storage::NowTimestamp();
  // Identifiers and the distress flag only: the session's notes stay here.
  homeward::v1::Event event;
  auto* recorded = event.mutable_counselling_session_recorded();
  recorded->set_session_id(id);
  recorded->set_case_id(c.case_id());
  recorded->set_distress_signs_observed(session.distress_signs_observed());
  return log_.Append(actor, c, id, request_id, session, std::move(event));
}

absl::StatusOr<storage::Page<homeward::v1::CounsellingSession>>
CounsellingStore::List(const homeward::v1::Case& c, int page_size,
                       absl::string_view page_token) const {
  return log_.List(c, page_size, page_token);
}

void CounsellingStore::AuditRead(const service::Actor& actor,
                                 absl::string_view case_id) {
  log_.AuditRead(actor, case_id);
}

absl::Status CounsellingStore::RemoveFreeTextOfCase(
    const homeward::v1::Case& c, storage::WriteSet& set) const {
  return log_.RewriteEach(
      c, [](homeward::v1::CounsellingSession& r) { return RemoveFreeText(r); },
      set);
}

}  // namespace homeward::assessment
