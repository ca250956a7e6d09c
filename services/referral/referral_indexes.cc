// The referral store's index entries; see referral_indexes.h.
#include "services/referral/referral_indexes.h"

#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/api/field_checks.h"
#include "services/referral/referral_transitions.h"

namespace homeward::referral {
namespace {

using homeward::v1::Referral;

constexpr size_t kDateWidth = 10;  // YYYY-MM-DD

bool AwaitsResponse(homeward::v1::ReferralStatus s) {
  return s == homeward::v1::REFERRAL_STATUS_REQUESTED ||
         s == homeward::v1::REFERRAL_STATUS_RECEIVED;
}

bool AwaitsCompletion(homeward::v1::ReferralStatus s) {
  return s == homeward::v1::REFERRAL_STATUS_ACCEPTED ||
         s == homeward::v1::REFERRAL_STATUS_READY ||
         s == homeward::v1::REFERRAL_STATUS_IN_PROGRESS ||
         s == homeward::v1::REFERRAL_STATUS_ON_HOLD;
}

}  // namespace

std::string OfficeQueue(absl::string_view office_id) {
  return absl::StrCat("office/", office_id);
}

std::string OrganizationQueue(absl::string_view organization_id) {
  return absl::StrCat("org/", organization_id);
}

std::string QueueEntryId(const homeward::v1::Date& due,
                         absl::string_view case_id,
                         absl::string_view referral_id) {
  absl::CivilDay day;
  if (!api::ToCivilDay(due, &day) || day.year() < 1 || day.year() > 9999) {
    return "";
  }
  std::string id =
      absl::StrCat(absl::FormatCivilTime(day), "/", case_id, "/", referral_id);
  if (id.size() < kQueueEntryWidth) id.resize(kQueueEntryWidth, ' ');
  return id;
}

bool ParseQueueEntryId(absl::string_view id, QueueEntry* out) {
  id = absl::StripTrailingAsciiWhitespace(id);
  if (id.size() <= kDateWidth + 1 || id[kDateWidth] != '/') return false;
  if (!absl::ParseCivilTime(id.substr(0, kDateWidth), &out->due)) return false;
  std::vector<std::string> parts =
      absl::StrSplit(id.substr(kDateWidth + 1), absl::MaxSplits('/', 1));
  if (parts.size() != 2 || parts[0].empty() || parts[1].empty()) return false;
  out->case_id = std::move(parts[0]);
  out->referral_id = std::move(parts[1]);
  return true;
}

std::set<IndexEntryKey> ReferralIndexEntries(const Referral& r) {
  std::set<IndexEntryKey> entries;
  const std::string& id = r.referral_id();
  entries.emplace(kByCaseIndex, r.case_id(), id);
  if (r.status() == homeward::v1::REFERRAL_STATUS_DRAFT) return entries;
  entries.emplace(kByOrganizationIndex, r.organization_id(), id);
  if (IsOpenForPerformer(r.status())) {
    entries.emplace(kInboxIndex, r.organization_id(), id);
  }
  const char* queue = nullptr;
  const homeward::v1::Date* due = nullptr;
  if (AwaitsResponse(r.status()) && r.has_expected_response_date()) {
    queue = kAwaitingResponseIndex;
    due = &r.expected_response_date();
  } else if (AwaitsCompletion(r.status()) && r.has_expected_completion_date()) {
    queue = kAwaitingCompletionIndex;
    due = &r.expected_completion_date();
  }
  if (queue != nullptr) {
    const std::string entry = QueueEntryId(*due, r.case_id(), id);
    if (!entry.empty()) {
      if (!r.office_id().empty()) {
        entries.emplace(queue, OfficeQueue(r.office_id()), entry);
      }
      entries.emplace(queue, OrganizationQueue(r.organization_id()), entry);
    }
  }
  return entries;
}

void UpdateReferralIndexes(uint32_t partition, const Referral* before,
                           const Referral* after, storage::WriteSet& set) {
  const std::set<IndexEntryKey> had = before != nullptr
                                          ? ReferralIndexEntries(*before)
                                          : std::set<IndexEntryKey>();
  const std::set<IndexEntryKey> kept = after != nullptr
                                           ? ReferralIndexEntries(*after)
                                           : std::set<IndexEntryKey>();
  for (const auto& [index, value, id] : had) {
    if (kept.count({index, value, id}) == 0) {
      set.DeleteIndex(partition, index, value, id);
    }
  }
  // Only the entries `before` did not have: those it had are stored
  // already (written in the same WriteSet as the record it was read from),
  // and every key written is one more memtable insert for each change (a
  // move within the same queue, RECEIVED or IN_PROGRESS, writes none).
  for (const auto& [index, value, id] : kept) {
    if (had.count({index, value, id}) == 0) {
      set.PutIndex(partition, index, value, id);
    }
  }
}

}  // namespace homeward::referral
