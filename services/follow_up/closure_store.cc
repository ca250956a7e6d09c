// Closures in their case's partition; see closure_store.h.
#include "services/follow_up/closure_store.h"

#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/api/etags.h"
#include "common/auth/crypto.h"
#include "common/cases/case_access.h"
#include "common/status/errors.h"
#include "common/status/status_macros.h"
#include "common/storage/ids.h"
#include "google/protobuf/util/message_differencer.h"
#include "services/follow_up/closure_rules.h"

namespace homeward::follow_up {
namespace {

using homeward::internal::v1::ClosureHead;
using homeward::internal::v1::ClosureRecord;
using homeward::v1::Closure;

std::string RecordKey(absl::string_view case_id, absl::string_view closure_id) {
  return absl::StrCat(case_id, "/", closure_id);
}

// The event a write whose closure moved from `previous` to `after`'s status
// appends, if any: CaseClosed on becoming CLOSED, CaseReopened on becoming
// REOPENED.
std::optional<homeward::v1::Event> EventOf(const service::Actor& actor,
                                           uint32_t partition,
                                           homeward::v1::ClosureStatus previous,
                                           const Closure& after) {
  if (after.status() == previous) return std::nullopt;
  homeward::v1::Event event;
  event.set_partition(partition);
  event.set_subject_id(after.case_id());
  event.set_actor_user_id(actor.principal.user_id());
  event.set_request_id(actor.request_id);
  switch (after.status()) {
    case homeward::v1::CLOSURE_STATUS_CLOSED:
      *event.mutable_case_closed()->mutable_closure() = ClosureForEvent(after);
      return event;
    case homeward::v1::CLOSURE_STATUS_REOPENED:
      *event.mutable_case_reopened()->mutable_closure() =
          ClosureForEvent(after);
      return event;
    default:
      return std::nullopt;
  }
}

// The closure's record, its head, its event and the audit entry, into
// `set`; the closure's etag becomes `version`'s.
void Write(const service::Actor& actor, uint32_t partition,
           homeward::v1::ClosureStatus previous, uint64_t version,
           const std::string& reopen_request_id, Closure& closure,
           storage::WriteSet& set, uint64_t head_version) {
  closure.clear_etag();
  ClosureRecord record;
  *record.mutable_closure() = closure;
  record.set_reopen_request_id(reopen_request_id);
  ClosureHead head;
  head.set_closure_id(closure.closure_id());
  head.set_status(closure.status());
  set.ExpectVersion(partition, ClosureStore::kHeadKind, closure.case_id(),
                    head_version)
      .PutRecord(partition, ClosureStore::kKind,
                 RecordKey(closure.case_id(), closure.closure_id()), version,
                 record)
      .PutRecord(partition, ClosureStore::kHeadKind, closure.case_id(),
                 head_version + 1, head);
  std::optional<homeward::v1::Event> event =
      EventOf(actor, partition, previous, closure);
  if (event.has_value()) set.AppendEvent(*std::move(event));
  set.Audit(service::AuditEntryFor(actor, closure.case_id()));
  closure.set_etag(api::EtagOf(version));
}

}  // namespace

std::string ClosureStore::ClosureIdForRequest(absl::string_view case_id,
                                              absl::string_view request_id) {
  // Length-prefixed so that no (case, request) pair hashes another's text.
  return absl::StrCat(
      "CL", crypto::Sha256Hex(absl::StrCat("closure:", case_id.size(), ":",
                                           case_id, ":", request_id))
                .substr(0, 20));
}

absl::StatusOr<ClosureStore::Head> ClosureStore::ReadHead(
    uint32_t partition, absl::string_view case_id) const {
  Head head;
  ASSIGN_OR_RETURN(bool found, store_->GetRecord(partition, kHeadKind, case_id,
                                                 &head.head, &head.version));
  if (!found) head.version = 0;
  return head;
}

absl::StatusOr<std::optional<Closure>> ClosureStore::Read(
    uint32_t partition, absl::string_view case_id, absl::string_view closure_id,
    std::string* reopen_request_id) const {
  ClosureRecord record;
  uint64_t version = 0;
  ASSIGN_OR_RETURN(bool found, store_->GetRecord(partition, kKind,
                                                 RecordKey(case_id, closure_id),
                                                 &record, &version));
  if (!found || record.closure().case_id() != case_id) return std::nullopt;
  if (reopen_request_id != nullptr) {
    *reopen_request_id = record.reopen_request_id();
  }
  Closure closure = std::move(*record.mutable_closure());
  closure.set_etag(api::EtagOf(version));
  return closure;
}

absl::Status ClosureStore::VisitAll(
    const std::vector<uint32_t>& partitions,
    const std::function<void(const Closure&)>& visit) const {
  constexpr int kIdsPerRead = 500;
  ClosureRecord record;
  std::string token;
  do {
    ASSIGN_OR_RETURN(
        storage::IndexPage ids,
        store_->ListRecordIds(partitions, kKind, kIdsPerRead, token));
    for (const storage::IndexEntry& entry : ids.entries) {
      ASSIGN_OR_RETURN(bool found,
                       store_->GetRecord(entry.partition, kKind, entry.id,
                                         &record, nullptr));
      if (found) visit(record.closure());
    }
    token = std::move(ids.next_page_token);
  } while (!token.empty());
  return absl::OkStatus();
}

Closure ClosureStore::AnonymisedClosure(Closure closure) {
  closure.clear_details();
  closure.clear_returnee_reasons_notes();
  closure.clear_no_final_rss_reason();
  if (closure.has_closing_session()) {
    closure.mutable_closing_session()->clear_not_held_reason();
  }
  closure.clear_reopen_reason();
  for (homeward::v1::ClosureStatusChange& change : *closure.mutable_history()) {
    change.clear_reason();
  }
  return closure;
}

absl::Status ClosureStore::AnonymiseCase(const service::Actor& actor,
                                         uint32_t partition,
                                         absl::string_view case_id,
                                         storage::WriteSet& set) const {
  constexpr int kIdsPerRead = 500;
  const std::string prefix = absl::StrCat(case_id, "/");
  bool changed = false;
  std::string token;
  do {
    ASSIGN_OR_RETURN(
        storage::IndexPage ids,
        store_->ListRecordIds({partition}, kKind, kIdsPerRead, token));
    for (const storage::IndexEntry& entry : ids.entries) {
      if (!absl::StartsWith(entry.id, prefix)) continue;
      ClosureRecord record;
      uint64_t version = 0;
      ASSIGN_OR_RETURN(bool found, store_->GetRecord(partition, kKind, entry.id,
                                                     &record, &version));
      if (!found) continue;
      Closure scrubbed = AnonymisedClosure(record.closure());
      if (google::protobuf::util::MessageDifferencer::Equals(
              scrubbed, record.closure())) {
        continue;
      }
      *record.mutable_closure() = std::move(scrubbed);
      set.ExpectVersion(partition, kKind, entry.id, version)
          .PutRecord(partition, kKind, entry.id, version + 1, record);
      changed = true;
    }
    token = std::move(ids.next_page_token);
  } while (!token.empty());
  if (changed) set.Audit(service::AuditEntryFor(actor, case_id));
  return absl::OkStatus();
}

absl::StatusOr<bool> ClosureStore::IsClosed(uint32_t partition,
                                            absl::string_view case_id) const {
  ASSIGN_OR_RETURN(Head head, ReadHead(partition, case_id));
  return head.version > 0 &&
         head.head.status() == homeward::v1::CLOSURE_STATUS_CLOSED;
}

absl::Status ClosureStore::CheckOpen(uint32_t partition,
                                     absl::string_view case_id) const {
  ASSIGN_OR_RETURN(bool closed, IsClosed(partition, case_id));
  if (!closed) return absl::OkStatus();
  // The assessment service's wording, so that a closed case reads the same
  // from every service.
  cases::CaseScope scope;
  scope.set_case_id(std::string(case_id));
  scope.set_closed(true);
  return cases::CheckCaseOpen(scope);
}

absl::StatusOr<Closure> ClosureStore::Latest(uint32_t partition,
                                             absl::string_view case_id) const {
  ASSIGN_OR_RETURN(Head head, ReadHead(partition, case_id));
  if (head.version == 0) {
    return errors::NotFound("closure",
                            absl::StrCat("(none for case ", case_id, ")"));
  }
  return Get(partition, case_id, head.head.closure_id());
}

absl::StatusOr<Closure> ClosureStore::Get(uint32_t partition,
                                          absl::string_view case_id,
                                          absl::string_view closure_id) const {
  ASSIGN_OR_RETURN(std::optional<Closure> closure,
                   Read(partition, case_id, closure_id, nullptr));
  if (!closure.has_value()) return errors::NotFound("closure", closure_id);
  return *std::move(closure);
}

absl::StatusOr<std::optional<Closure>> ClosureStore::ForCloseRequest(
    uint32_t partition, absl::string_view case_id,
    absl::string_view request_id) const {
  if (request_id.empty()) return std::nullopt;
  return Read(partition, case_id, ClosureIdForRequest(case_id, request_id),
              nullptr);
}

absl::StatusOr<std::optional<Closure>> ClosureStore::ForReopenRequest(
    uint32_t partition, absl::string_view case_id, absl::string_view closure_id,
    absl::string_view request_id) const {
  if (request_id.empty() || closure_id.empty()) return std::nullopt;
  std::string reopened_by;
  ASSIGN_OR_RETURN(std::optional<Closure> closure,
                   Read(partition, case_id, closure_id, &reopened_by));
  if (!closure.has_value() || reopened_by != request_id) return std::nullopt;
  return closure;
}

absl::StatusOr<ClosureStore::Prepared> ClosureStore::PrepareCreate(
    const service::Actor& actor, uint32_t partition,
    const std::string& request_id, Closure closure) const {
  ASSIGN_OR_RETURN(Head head, ReadHead(partition, closure.case_id()));
  closure.set_closure_id(
      request_id.empty() ? storage::TimeOrderedId("CL")
                         : ClosureIdForRequest(closure.case_id(), request_id));
  Prepared prepared;
  prepared.partition = partition;
  // First, so that a concurrent retry of the same request that committed
  // first makes this set a replay rather than a stale head.
  prepared.set.ExpectNewOrReplay(
      partition, kKind, RecordKey(closure.case_id(), closure.closure_id()));
  Write(actor, partition, homeward::v1::CLOSURE_STATUS_UNSPECIFIED, 1, "",
        closure, prepared.set, head.version);
  prepared.closure = std::move(closure);
  return prepared;
}

absl::StatusOr<ClosureStore::Prepared> ClosureStore::PrepareStep(
    const service::Actor& actor, uint32_t partition, const Closure& current,
    Closure next, const std::string& etag,
    const std::string& reopen_request_id) const {
  RETURN_IF_ERROR(api::ParseEtag(etag, "etag").status());
  if (etag != current.etag()) {
    return errors::EtagMismatch("closure", current.closure_id(), etag,
                                current.etag());
  }
  ASSIGN_OR_RETURN(uint64_t version, api::ParseEtag(current.etag(), "etag"));
  ASSIGN_OR_RETURN(Head head, ReadHead(partition, current.case_id()));
  if (head.version == 0 || head.head.closure_id() != current.closure_id()) {
    return errors::FailedPrecondition(
        "CLOSURE_NOT_LATEST", current.closure_id(),
        absl::StrCat("closure ", current.closure_id(),
                     " is no longer the case's latest; read the latest "
                     "(GetClosure) and act on it"));
  }
  // Identity and creation stay as stored.
  next.set_closure_id(current.closure_id());
  next.set_case_id(current.case_id());
  *next.mutable_create_time() = current.create_time();
  Prepared prepared;
  prepared.partition = partition;
  prepared.set.ExpectVersion(partition, kKind,
                             RecordKey(current.case_id(), current.closure_id()),
                             version);
  Write(actor, partition, current.status(), version + 1,
        next.status() == homeward::v1::CLOSURE_STATUS_REOPENED
            ? reopen_request_id
            : std::string(),
        next, prepared.set, head.version);
  prepared.closure = std::move(next);
  return prepared;
}

absl::StatusOr<Closure> ClosureStore::Committed(
    uint32_t partition, const Closure& closure,
    absl::StatusOr<storage::CommitResult> result) const {
  if (!result.ok()) {
    // The head moved since it was read (ALREADY_EXISTS: the case had no
    // closure when read and has one now).
    if (absl::IsAborted(result.status()) ||
        absl::IsAlreadyExists(result.status())) {
      return errors::ConcurrentChange(absl::StrCat(
          "the closures of case ", closure.case_id(),
          " changed meanwhile; read the latest (GetClosure) and retry"));
    }
    return result.status();
  }
  // A retry of the same CloseCase that lost the race to the first: the
  // closure that one made, as it is now.
  if (result->replayed) {
    return Get(partition, closure.case_id(), closure.closure_id());
  }
  return closure;
}

void ClosureStore::CommitAsync(Prepared prepared,
                               service::WriteDone<Closure> done) const {
  const uint32_t partition = prepared.partition;
  store_->CommitAsync(
      std::move(prepared.set),
      [this, partition, closure = std::move(prepared.closure),
       done = std::move(done)](
          absl::StatusOr<storage::CommitResult> result) mutable {
        done(Committed(partition, closure, std::move(result)));
      });
}

absl::StatusOr<Closure> ClosureStore::Commit(Prepared prepared) const {
  return Committed(prepared.partition, prepared.closure,
                   store_->Commit(std::move(prepared.set)));
}

void ClosureStore::AuditRead(const service::Actor& actor,
                             absl::string_view case_id) const {
  store_->AuditRead(service::AuditEntryFor(actor, case_id));
}

}  // namespace homeward::follow_up
