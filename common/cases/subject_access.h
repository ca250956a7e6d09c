// What every service's part of a subject-access export shares
// (homeward/v1/subject_access.proto, docs/SUBJECT_ACCESS.md): who may export
// a case, how the export is recorded in the service's audit trail, and how a
// case's lists are read whole under a cap, so that an export is never cut
// short without saying so.
//
//   ASSIGN_OR_RETURN(CaseScope scope,
//                    AuthorizeSubjectAccess(directory, actor.principal, id));
//   ...then read its records:
//   ASSIGN_OR_RETURN(std::vector<Need> needs,
//                    ReadWholeList<Need>("needs", [&](int size, auto token) {
//                      return store.ListNeeds(p, id, {}, {}, size, token);
//                    }));
//   ASSIGN_OR_RETURN(auto audit, CaseAuditTrail(*store, id));
//   store->AuditRead(SubjectAccessAuditEntry(actor, id));
#ifndef HOMEWARD_COMMON_CASES_SUBJECT_ACCESS_H_
#define HOMEWARD_COMMON_CASES_SUBJECT_ACCESS_H_

#include <algorithm>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "common/cases/case_access.h"
#include "common/cases/case_scope.h"
#include "common/service/actor.h"
#include "common/status/errors.h"
#include "common/storage/page.h"
#include "common/storage/store.h"
#include "homeward/internal/v1/principal.pb.h"
#include "homeward/internal/v1/storage.pb.h"
#include "homeward/v1/audit.pb.h"

namespace homeward::cases {

// The reason an export's audit entries carry (AuditEntry.reason, shown as
// AuditTrailEntry.reason), so that the trail tells an export from a read.
inline constexpr char kSubjectAccessReason[] = "subject-access export";

// The most items one list of one case may hold in an export (assessments,
// needs, contacts, audit entries, ...). A case has far fewer; a list that
// holds more fails the export (FAILED_PRECONDITION naming the list) rather
// than being cut short.
inline constexpr int kMaxExportedListItems = 10000;

// The page size an export reads its lists with.
inline constexpr int kExportPageSize = 500;

// OK for supervisors, who alone may export a case; PERMISSION_DENIED naming
// the role otherwise. Checked first, before the request or the case, so
// that other roles learn nothing about the case.
absl::Status CheckSubjectAccessRole(
    const homeward::internal::v1::Principal& principal);

// CheckSubjectAccessRole, then the read check of `case_id` by the service's
// own directory of cases (any class with CaseDirectory's Authorize): the
// case's scope to read its records in. NOT_FOUND while the service has not
// heard of the case: it then holds nothing of it, and the gateway shows its
// part empty.
template <typename Directory>
absl::StatusOr<CaseScope> AuthorizeSubjectAccess(
    const Directory& directory,
    const homeward::internal::v1::Principal& principal,
    const std::string& case_id) {
  if (absl::Status role = CheckSubjectAccessRole(principal); !role.ok()) {
    return role;
  }
  return directory.Authorize(principal, case_id, "case_id", CaseAction::kRead);
}

// The audit entry of `actor` exporting `case_id`: AuditEntryFor with the
// subject-access reason.
homeward::internal::v1::AuditEntry SubjectAccessAuditEntry(
    const service::Actor& actor, absl::string_view case_id);

// The public face of a stored audit entry: the same identifiers under the
// contract's names (homeward.v1.AuditTrailEntry), and the reason only when
// it is kSubjectAccessReason (other reasons may carry free text).
homeward::v1::AuditTrailEntry AuditTrailEntryOf(
    homeward::internal::v1::AuditEntry stored);

// Every audit entry of `case_id` in `store`'s trail, oldest first, as
// AuditTrailEntryOf gives them; FAILED_PRECONDITION past
// kMaxExportedListItems.
absl::StatusOr<std::vector<homeward::v1::AuditTrailEntry>> CaseAuditTrail(
    const storage::Store& store, absl::string_view case_id,
    int cap = kMaxExportedListItems);

// FAILED_PRECONDITION saying that the case's `list` holds more than `cap`
// items, too many for one export.
absl::Status TooManyToExport(absl::string_view list, int cap);

// Reads a list page after page (kExportPageSize at a time, or fewer as the
// cap nears) through `page_of(page_size, page_token)` until its last page;
// FAILED_PRECONDITION (TooManyToExport) as soon as more than `cap` items
// are read. `list` names the list in that error.
template <typename T>
absl::StatusOr<std::vector<T>> ReadWholeList(
    absl::string_view list,
    const std::function<absl::StatusOr<storage::Page<T>>(
        int page_size, const std::string& page_token)>& page_of,
    int cap = kMaxExportedListItems) {
  std::vector<T> items;
  std::string token;
  while (true) {
    // One more than the cap may be asked for, so that exceeding it shows.
    const int room = cap + 1 - static_cast<int>(items.size());
    absl::StatusOr<storage::Page<T>> page =
        page_of(std::min(kExportPageSize, room), token);
    if (!page.ok()) return page.status();
    for (T& item : page->items) items.push_back(std::move(item));
    if (static_cast<int>(items.size()) > cap) return TooManyToExport(list, cap);
    if (page->next_page_token.empty()) return items;
    token = std::move(page->next_page_token);
  }
}

// The same check for a list read whole by its store: FAILED_PRECONDITION
// when `items` holds more than `cap`.
template <typename T>
absl::StatusOr<std::vector<T>> WithinExportCap(
    absl::string_view list, std::vector<T> items,
    int cap = kMaxExportedListItems) {
  if (static_cast<int>(items.size()) > cap) return TooManyToExport(list, cap);
  return items;
}

}  // namespace homeward::cases

#endif  // HOMEWARD_COMMON_CASES_SUBJECT_ACCESS_H_
