// The shared pieces of a subject-access export; see subject_access.h.
#include "common/cases/subject_access.h"

#include "homeward/v1/roles.pb.h"

namespace homeward::cases {

absl::Status CheckSubjectAccessRole(
    const homeward::internal::v1::Principal& principal) {
  if (principal.role() == homeward::v1::ROLE_SUPERVISOR) {
    return absl::OkStatus();
  }
  return errors::PermissionDenied(
      absl::StrCat("role ", homeward::v1::Role_Name(principal.role()),
                   " may not export a case's records: only a supervisor of "
                   "the case's office may"));
}

homeward::internal::v1::AuditEntry SubjectAccessAuditEntry(
    const service::Actor& actor, absl::string_view case_id) {
  homeward::internal::v1::AuditEntry entry =
      service::AuditEntryFor(actor, case_id);
  entry.set_reason(kSubjectAccessReason);
  return entry;
}

homeward::v1::AuditTrailEntry AuditTrailEntryOf(
    homeward::internal::v1::AuditEntry stored) {
  homeward::v1::AuditTrailEntry entry;
  entry.set_sequence(stored.sequence());
  *entry.mutable_time() = std::move(*stored.mutable_time());
  entry.set_user_id(std::move(*stored.mutable_user_id()));
  entry.set_role(std::move(*stored.mutable_role()));
  entry.set_method(std::move(*stored.mutable_action()));
  entry.set_case_id(std::move(*stored.mutable_subject_id()));
  entry.set_request_id(std::move(*stored.mutable_request_id()));
  entry.set_previous_hash(std::move(*stored.mutable_prev_hash()));
  entry.set_hash(std::move(*stored.mutable_hash()));
  // Only the export's own reason is shown: other reasons may carry free
  // text (a consent override's), and the trail shows identifiers only.
  if (stored.reason() == kSubjectAccessReason) {
    entry.set_reason(kSubjectAccessReason);
  }
  return entry;
}

absl::StatusOr<std::vector<homeward::v1::AuditTrailEntry>> CaseAuditTrail(
    const storage::Store& store, absl::string_view case_id, int cap) {
  return ReadWholeList<homeward::v1::AuditTrailEntry>(
      "audit_entries",
      [&](int page_size, const std::string& token)
          -> absl::StatusOr<storage::Page<homeward::v1::AuditTrailEntry>> {
        absl::StatusOr<storage::AuditPage> page =
            store.ListAuditOf(case_id, page_size, token);
        if (!page.ok()) return page.status();
        storage::Page<homeward::v1::AuditTrailEntry> out;
        for (auto& entry : page->entries) {
          out.items.push_back(AuditTrailEntryOf(std::move(entry)));
        }
        out.next_page_token = std::move(page->next_page_token);
        return out;
      },
      cap);
}

absl::Status TooManyToExport(absl::string_view list, int cap) {
  return errors::FailedPrecondition(
      "EXPORT_TOO_LARGE", list,
      absl::StrCat("the case's ", list, " hold more than ", cap,
                   " items, more than one export carries; nothing was "
                   "exported rather than part of them"));
}

}  // namespace homeward::cases
