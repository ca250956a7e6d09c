// The due and overdue contact lists; see contact_lists.h.
#include "services/follow_up/contact_lists.h"

#include <algorithm>
#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/api/field_checks.h"
#include "common/api/paging.h"
#include "common/cases/case_access.h"
#include "common/status/errors.h"
#include "common/status/status_macros.h"

namespace homeward::follow_up {
namespace {

using homeward::v1::FollowUpContact;

// What a list shows of a contact: its schedule, not what was recorded.
FollowUpContact Listed(FollowUpContact c) {
  FollowUpContact out;
  out.set_contact_id(c.contact_id());
  out.set_case_id(c.case_id());
  out.set_status(c.status());
  *out.mutable_due_date() = c.due_date();
  out.set_months_after_return(c.months_after_return());
  out.set_rss_due(c.rss_due());
  out.set_attempt_of_contact_id(c.attempt_of_contact_id());
  out.set_office_id(c.office_id());
  out.set_case_manager_id(c.case_manager_id());
  out.set_etag(c.etag());
  out.set_partition(c.partition());
  return out;
}

}  // namespace

absl::StatusOr<ContactLists::Query> ContactLists::CheckQuery(
    const homeward::internal::v1::Principal& principal,
    absl::string_view office_id, absl::string_view case_manager_id,
    const homeward::v1::Date& as_of, bool has_as_of,
    const homeward::v1::PageRequest& page, absl::CivilDay today,
    absl::CivilDay* as_of_day) const {
  errors::FieldViolations bad;
  Query query;
  *as_of_day = today;
  if (has_as_of && api::IsSet(as_of)) {
    api::CheckDate(bad, "as_of", as_of, true, 0, as_of_day);
  }
  api::CheckIdentifier(bad, "case_manager_id", case_manager_id,
                       /*required=*/false);
  api::CheckPageRequest(bad, page);
  RETURN_IF_ERROR(bad.ToStatus());
  ASSIGN_OR_RETURN(query.office_id, cases::ListOffice(principal, office_id));
  query.case_manager_id = std::string(case_manager_id);
  query.page_size = api::EffectivePageSize(page);
  query.page_token = page.page_token();
  return query;
}

absl::StatusOr<bool> ContactLists::Current(uint32_t partition,
                                           const DueEntry& entry,
                                           const Query& query,
                                           FollowUpContact* out) const {
  cases::CaseScope scope;
  ASSIGN_OR_RETURN(bool known,
                   store_->GetRecord(partition, cases::CaseDirectory::kKind,
                                     entry.case_id, &scope, nullptr));
  if (!known || scope.office_id() != query.office_id) return false;
  if (!query.case_manager_id.empty() &&
      scope.case_manager_id() != query.case_manager_id) {
    return false;
  }
  absl::StatusOr<FollowUpContact> contact =
      contacts_->Get(partition, entry.case_id, entry.contact_id);
  if (absl::IsNotFound(contact.status())) return false;
  RETURN_IF_ERROR(contact.status());
  if (contact->status() != homeward::v1::FOLLOW_UP_CONTACT_STATUS_SCHEDULED ||
      !api::SameDay(contact->due_date(), entry.due)) {
    return false;
  }
  *out = Listed(*std::move(contact));
  // The case's current office and manager, whatever the contact recorded.
  out->set_office_id(scope.office_id());
  out->set_case_manager_id(scope.case_manager_id());
  return true;
}

absl::StatusOr<ContactLists::Cursor> ContactLists::ParseCursor(
    absl::string_view token) const {
  Cursor cursor;
  const std::vector<uint32_t>& partitions = owned_->partitions();
  if (token.empty()) return cursor;
  const size_t slash = token.find('/');
  uint32_t partition = 0;
  if (slash != absl::string_view::npos &&
      absl::SimpleAtoi(token.substr(0, slash), &partition)) {
    auto at = std::find(partitions.begin(), partitions.end(), partition);
    if (at != partitions.end()) {
      cursor.index = static_cast<size_t>(at - partitions.begin());
      cursor.partition_token = std::string(token.substr(slash + 1));
      return cursor;
    }
  }
  return errors::InvalidField("page.page_token",
                              "is not a token returned by this list with the "
                              "same filters; start again with an empty token");
}

absl::Status ContactLists::Scan(
    const Query& query, homeward::v1::ListContactsDueResponse& out) const {
  const std::string list =
      query.case_manager_id.empty()
          ? OfficeDueList(query.office_id)
          : CaseManagerDueList(query.office_id, query.case_manager_id);
  ASSIGN_OR_RETURN(Cursor cursor, ParseCursor(query.page_token));
  const std::vector<uint32_t>& partitions = owned_->partitions();
  int listed = 0;
  int read = 0;
  // Partition by partition, each in due date order: a partition ends at its
  // first entry after the query's last day, so that a list never reads the
  // months ahead. Each round asks the store for no more entries than the
  // page still holds, so that its token continues right after the last
  // entry visited.
  while (cursor.index < partitions.size() && listed < query.page_size &&
         read < kMaxEntriesPerCall) {
    const uint32_t partition = partitions[cursor.index];
    const int want =
        std::min(query.page_size - listed, kMaxEntriesPerCall - read);
    ASSIGN_OR_RETURN(storage::IndexPage page,
                     store_->ListIndex({partition}, kDueIndex, list, want,
                                       cursor.partition_token));
    bool partition_done = page.next_page_token.empty();
    for (const storage::IndexEntry& e : page.entries) {
      ++read;
      DueEntry entry;
      // An id this version cannot read is skipped rather than failing the
      // whole list.
      if (!ParseDueEntryId(e.id, &entry)) continue;
      if (entry.due > query.until) {
        partition_done = true;
        break;
      }
      if (entry.due < query.from) continue;
      FollowUpContact contact;
      ASSIGN_OR_RETURN(bool current,
                       Current(e.partition, entry, query, &contact));
      if (!current) continue;
      *out.add_contacts() = std::move(contact);
      ++listed;
    }
    if (partition_done) {
      ++cursor.index;
      cursor.partition_token.clear();
    } else {
      cursor.partition_token = std::move(page.next_page_token);
    }
  }
  if (cursor.index < partitions.size()) {
    out.set_next_page_token(
        absl::StrCat(partitions[cursor.index], "/", cursor.partition_token));
  }
  return absl::OkStatus();
}

absl::StatusOr<homeward::v1::ListContactsDueResponse> ContactLists::Due(
    const homeward::internal::v1::Principal& principal,
    const homeward::v1::ListDueContactsRequest& request,
    absl::CivilDay today) const {
  if (request.within_days() < 0 || request.within_days() > kMaxWithinDays) {
    return errors::InvalidField("within_days",
                                absl::StrCat("must be 0 (", kDefaultWithinDays,
                                             " days) to ", kMaxWithinDays));
  }
  absl::CivilDay as_of;
  ASSIGN_OR_RETURN(Query query, CheckQuery(principal, request.office_id(),
                                           request.case_manager_id(),
                                           request.as_of(), request.has_as_of(),
                                           request.page(), today, &as_of));
  query.from = as_of;
  query.until = as_of + (request.within_days() == 0 ? kDefaultWithinDays
                                                    : request.within_days());
  homeward::v1::ListContactsDueResponse response;
  RETURN_IF_ERROR(Scan(query, response));
  return response;
}

absl::StatusOr<homeward::v1::ListContactsDueResponse> ContactLists::Overdue(
    const homeward::internal::v1::Principal& principal,
    const homeward::v1::ListOverdueContactsRequest& request,
    absl::CivilDay today) const {
  absl::CivilDay as_of;
  ASSIGN_OR_RETURN(Query query, CheckQuery(principal, request.office_id(),
                                           request.case_manager_id(),
                                           request.as_of(), request.has_as_of(),
                                           request.page(), today, &as_of));
  query.from = absl::CivilDay(1, 1, 1);
  query.until = as_of - 1;
  homeward::v1::ListContactsDueResponse response;
  RETURN_IF_ERROR(Scan(query, response));
  return response;
}

}  // namespace homeward::follow_up
