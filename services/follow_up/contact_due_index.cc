// The due-contact index; see contact_due_index.h.
#include "services/follow_up/contact_due_index.h"

#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/api/field_checks.h"

namespace homeward::follow_up {
namespace {

constexpr size_t kDateWidth = 10;  // YYYY-MM-DD

// The index values a contact of the case of `scope` is listed under.
std::vector<std::string> ListsOf(const cases::CaseScope& scope) {
  std::vector<std::string> lists;
  if (scope.office_id().empty()) return lists;
  lists.push_back(OfficeDueList(scope.office_id()));
  if (!scope.case_manager_id().empty()) {
    lists.push_back(
        CaseManagerDueList(scope.office_id(), scope.case_manager_id()));
  }
  return lists;
}

// The entry of `contact`; empty when it has none.
std::string EntryOf(const homeward::v1::FollowUpContact* contact) {
  if (contact == nullptr ||
      contact->status() != homeward::v1::FOLLOW_UP_CONTACT_STATUS_SCHEDULED) {
    return "";
  }
  return DueEntryId(contact->due_date(), contact->case_id(),
                    contact->contact_id());
}

}  // namespace

std::string OfficeDueList(absl::string_view office_id) {
  return absl::StrCat("office/", office_id);
}

std::string CaseManagerDueList(absl::string_view office_id,
                               absl::string_view case_manager_id) {
  // Identifiers hold no '/', so the two parts cannot run into each other.
  return absl::StrCat("manager/", office_id, "/", case_manager_id);
}

std::string DueEntryId(const homeward::v1::Date& due, absl::string_view case_id,
                       absl::string_view contact_id) {
  absl::CivilDay day;
  if (!api::ToCivilDay(due, &day) || day.year() < 1 || day.year() > 9999) {
    return "";
  }
  std::string id =
      absl::StrCat(absl::FormatCivilTime(day), "/", case_id, "/", contact_id);
  if (id.size() < kDueEntryWidth) id.resize(kDueEntryWidth, ' ');
  return id;
}

bool ParseDueEntryId(absl::string_view id, DueEntry* out) {
  id = absl::StripTrailingAsciiWhitespace(id);
  if (id.size() <= kDateWidth + 1 || id[kDateWidth] != '/') return false;
  if (!absl::ParseCivilTime(id.substr(0, kDateWidth), &out->due)) return false;
  std::pair<absl::string_view, absl::string_view> parts =
      absl::StrSplit(id.substr(kDateWidth + 1), absl::MaxSplits('/', 1));
  if (parts.first.empty() || parts.second.empty()) return false;
  out->case_id = std::string(parts.first);
  out->contact_id = std::string(parts.second);
  return true;
}

void UpdateDueEntries(uint32_t partition, const cases::CaseScope& scope,
                      const homeward::v1::FollowUpContact* before,
                      const homeward::v1::FollowUpContact* after,
                      storage::WriteSet& set) {
  const std::string was = EntryOf(before);
  const std::string now = EntryOf(after);
  if (was == now) return;
  for (const std::string& list : ListsOf(scope)) {
    if (!was.empty()) set.DeleteIndex(partition, kDueIndex, list, was);
    if (!now.empty()) set.PutIndex(partition, kDueIndex, list, now);
  }
}

void MoveDueEntries(uint32_t partition, const cases::CaseScope& before,
                    const cases::CaseScope& after,
                    const std::vector<homeward::v1::FollowUpContact>& contacts,
                    storage::WriteSet& set) {
  const std::vector<std::string> was = ListsOf(before);
  const std::vector<std::string> now = ListsOf(after);
  if (was == now) return;
  for (const homeward::v1::FollowUpContact& c : contacts) {
    const std::string entry = EntryOf(&c);
    if (entry.empty()) continue;
    for (const std::string& list : was) {
      set.DeleteIndex(partition, kDueIndex, list, entry);
    }
    for (const std::string& list : now) {
      set.PutIndex(partition, kDueIndex, list, entry);
    }
  }
}

}  // namespace homeward::follow_up
