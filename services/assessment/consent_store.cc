// Consent records over the storage kernel; see consent_store.h.
#include "services/assessment/consent_store.h"

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/status/errors.h"
#include "common/status/status_macros.h"
#include "common/storage/ids.h"
#include "google/protobuf/util/time_util.h"
#include "services/assessment/case_validation.h"

namespace homeward::assessment {
namespace {

using homeward::v1::ConsentRecord;

constexpr char kKind[] = "consent";
constexpr char kByCase[] = "consent_by_case";

// A stored record; `what` names the operation for a corruption error.
absl::StatusOr<ConsentRecord> Load(const storage::Store& store, uint32_t p,
                                   absl::string_view consent_id,
                                   absl::string_view what) {
  ConsentRecord r;
  uint64_t version = 0;
  ASSIGN_OR_RETURN(bool found,
                   store.GetRecord(p, kKind, consent_id, &r, &version));
  // Records are never deleted, and every pointer to one (index entry,
  // request claim) is committed with it, so a miss is corruption.
  if (!found) return errors::StorageError(what, "a consent record is missing");
  return r;
}

}  // namespace

absl::StatusOr<ConsentRecord> ConsentStore::Record(
    const Actor& actor, const homeward::v1::Case& c,
    const std::string& request_id, ConsentRecord consent) {
  const uint32_t p = c.partition();
  std::string id = storage::TimeOrderedId("K");
  consent.set_consent_id(id);
  consent.set_case_id(c.case_id());
  consent.set_recorded_by(actor.principal.user_id());
  *consent.mutable_create_time() =
      google::protobuf::util::TimeUtil::NanosecondsToTimestamp(
          absl::ToUnixNanos(absl::Now()));

  homeward::v1::Event event;
  event.set_partition(p);
  event.set_subject_id(id);
  event.set_actor_user_id(actor.principal.user_id());
  event.set_request_id(request_id.empty() ? actor.request_id : request_id);
  *event.mutable_consent_changed()->mutable_consent() = consent;
  // Free-text notes may hold personal detail; consumers of the feed only need
  // the decision.
  event.mutable_consent_changed()->mutable_consent()->clear_notes();

  storage::WriteSet set;
  if (!request_id.empty()) {
    homeward::v1::IdempotencyRecord claim;
    claim.set_subject_id(id);
    claim.set_partition(p);
    // Scoped by case: the same request id for another case is another
    // request, and a replay can never hand back a different case's record.
    set.ClaimRequest(p, absl::StrCat("RecordConsent/", c.case_id()), request_id,
                     claim);
  }
  set.ExpectVersion(p, kKind, id, 0)
      .PutRecord(p, kKind, id, 1, consent)
      .PutIndex(p, kByCase, c.case_id(), id)
      .AppendEvent(std::move(event))
      .Audit(AuditEntryFor(actor, c.case_id()));
  ASSIGN_OR_RETURN(storage::CommitResult result,
                   store_->Commit(std::move(set)));
  if (result.replayed) {
    return Load(*store_, p, result.original.subject_id(),
                "replaying a consent record");
  }
  return consent;
}

absl::StatusOr<ConsentPage> ConsentStore::List(
    const homeward::v1::Case& c, int page_size,
    absl::string_view page_token) const {
  ASSIGN_OR_RETURN(storage::IndexPage ids,
                   store_->ListIndex({c.partition()}, kByCase, c.case_id(),
                                     page_size, page_token));
  ConsentPage page;
  page.next_page_token = std::move(ids.next_page_token);
  for (const auto& entry : ids.entries) {
    ASSIGN_OR_RETURN(ConsentRecord r, Load(*store_, entry.partition, entry.id,
                                           "listing consent records"));
    page.consents.push_back(std::move(r));
  }
  return page;
}

absl::StatusOr<std::vector<ConsentRecord>> ConsentStore::History(
    const homeward::v1::Case& c) const {
  // A case has a handful of consent decisions, so reading them all is cheap
  // and keeps the decision rule a pure function of the history.
  std::vector<ConsentRecord> history;
  std::string token;
  do {
    ASSIGN_OR_RETURN(ConsentPage page, List(c, kMaxPageSize, token));
    for (auto& r : page.consents) history.push_back(std::move(r));
    token = std::move(page.next_page_token);
  } while (!token.empty());
  return history;
}

void ConsentStore::AuditRead(const Actor& actor, absl::string_view case_id) {
  store_->AuditRead(AuditEntryFor(actor, case_id));
}

}  // namespace homeward::assessment
