// Case records over the storage kernel; see case_store.h.
#include "services/assessment/case_store.h"

#include <algorithm>
#include <optional>

#include "common/api/paging.h"
#include "common/auth/crypto.h"
#include "common/cases/case_ids.h"
#include "common/status/errors.h"
#include "common/status/status_macros.h"
#include "common/storage/clock.h"
#include "common/storage/indexed_records.h"
#include "common/storage/keys.h"
#include "google/protobuf/wrappers.pb.h"
#include "services/assessment/case_members.h"
#include "services/assessment/case_stages.h"
#include "services/assessment/case_validation.h"
#include "services/assessment/retention_rules.h"

namespace homeward::assessment {
namespace {

using homeward::v1::Case;
using homeward::v1::Event;
using storage::KeyBuilder;
using storage::WriteSet;

constexpr char kKind[] = "case";
constexpr char kByOffice[] = "case_by_office";
constexpr char kByOfficeManager[] = "case_by_office_manager";
constexpr char kByOfficeStage[] = "case_by_office_stage";
// The highest household member number a case has ever given (a
// google.protobuf.UInt32Value beside the case record), so that a removed
// member's id is never given again. Absent for a case that never had
// members, and for cases stored before member ids: their highest is that
// of the ids they read with.
constexpr char kMemberNumbers[] = "case_member_numbers";

std::string ManagerKey(const std::string& office, const std::string& manager) {
  return KeyBuilder().Str(office).Str(manager).key();
}
std::string StageKey(const std::string& office, homeward::v1::CaseStage stage) {
  return KeyBuilder().Str(office).U32(static_cast<uint32_t>(stage)).key();
}

void PutIndexes(WriteSet& set, uint32_t p, const Case& c) {
  set.PutIndex(p, kByOffice, c.office_id(), c.case_id())
      .PutIndex(p, kByOfficeManager,
                ManagerKey(c.office_id(), c.case_manager_id()), c.case_id())
      .PutIndex(p, kByOfficeStage, StageKey(c.office_id(), c.stage()),
                c.case_id());
}

void DeleteIndexes(WriteSet& set, uint32_t p, const Case& c) {
  set.DeleteIndex(p, kByOffice, c.office_id(), c.case_id())
      .DeleteIndex(p, kByOfficeManager,
                   ManagerKey(c.office_id(), c.case_manager_id()), c.case_id())
      .DeleteIndex(p, kByOfficeStage, StageKey(c.office_id(), c.stage()),
                   c.case_id());
}

// Output-only fields are derived on read, never stored.
Case ForStorage(Case c) {
  c.clear_etag();
  c.clear_partition();
  return c;
}

// A record as this version reads it: one stored before member ids and stage
// history gets the ids of its members' positions and one history entry.
void AsCurrent(Case& c) {
  WithMemberIds(*c.mutable_returnee());
  WithStageHistory(c);
}

// Records `highest` as the case's highest member number, in `set`.
void PutMemberNumbers(WriteSet& set, uint32_t p, const std::string& case_id,
                      uint64_t version, int highest) {
  google::protobuf::UInt32Value value;
  value.set_value(static_cast<uint32_t>(highest));
  set.PutRecord(p, kMemberNumbers, case_id, version, value);
}

}  // namespace

absl::StatusOr<uint32_t> CaseStore::OwnedPartition(
    absl::string_view case_id) const {
  return cases::OwnedCasePartition(owned_, case_id);
}

void CaseStore::Register(const service::Actor& actor,
                         const std::string& request_id, Case c,
                         service::WriteDone<Case> done) {
  std::string case_id = cases::CaseIdForRequest(c.office_id(), request_id);
  absl::StatusOr<uint32_t> partition = OwnedPartition(case_id);
  if (!partition.ok()) return done(partition.status());
  const uint32_t p = *partition;
  c.set_case_id(case_id);
  *c.mutable_create_time() = storage::NowTimestamp();
  *c.mutable_update_time() = c.create_time();
  c.clear_stage_history();
  AppendStage(c,
              NextStage(homeward::v1::CASE_STAGE_UNSPECIFIED, kCaseRegistered)
                  .value_or(homeward::v1::CASE_STAGE_INTAKE),
              c.create_time(), kCaseRegistered, actor.principal.user_id());
  const int highest_member = AssignMemberIds(*c.mutable_returnee(), 0);
  c = ForStorage(std::move(c));

  Event event;
  event.set_partition(p);
  event.set_subject_id(case_id);
  event.set_actor_user_id(actor.principal.user_id());
  event.set_request_id(request_id);
  // Consumers get the case as a read would show it, etag and partition
  // included, so that they can update it without reading it first.
  Case* announced = event.mutable_case_registered()->mutable_case_();
  *announced = c;
  announced->set_etag(api::EtagOf(1));
  announced->set_partition(p);

  WriteSet set;
  // The case id derives from the request id, so an existing case is this
  // request's replay; the case itself stands as the request's claim.
  set.ExpectNewOrReplay(p, kKind, case_id)
      .PutRecord(p, kKind, case_id, 1, c)
      .AppendEvent(std::move(event))
      .Audit(service::AuditEntryFor(actor, case_id));
  PutIndexes(set, p, c);
  if (highest_member > 0) PutMemberNumbers(set, p, case_id, 1, highest_member);
  c.set_etag(api::EtagOf(1));
  c.set_partition(p);
  store_->CommitAsync(std::move(set),
                      [this, c = std::move(c), done = std::move(done)](
                          absl::StatusOr<storage::CommitResult> result) {
                        if (!result.ok()) return done(result.status());
                        if (result->replayed)
                          return done(Get(result->original.subject_id()));
                        done(std::move(c));
                      });
}

absl::StatusOr<Case> CaseStore::Get(absl::string_view case_id) const {
  Case c;
  RETURN_IF_ERROR(Get(case_id, &c));
  return c;
}

absl::Status CaseStore::Get(absl::string_view case_id, Case* out) const {
  ASSIGN_OR_RETURN(uint32_t p, OwnedPartition(case_id));
  uint64_t version = 0;
  ASSIGN_OR_RETURN(bool found,
                   store_->GetRecord(p, kKind, case_id, out, &version));
  if (!found) return errors::NotFound("case", case_id);
  AsCurrent(*out);
  out->set_etag(api::EtagOf(version));
  out->set_partition(p);
  return absl::OkStatus();
}

absl::StatusOr<int> CaseStore::HighestMemberNumber(const Case& current) const {
  ASSIGN_OR_RETURN(uint32_t p, OwnedPartition(current.case_id()));
  google::protobuf::UInt32Value stored;
  ASSIGN_OR_RETURN(bool found,
                   store_->GetRecord(p, kMemberNumbers, current.case_id(),
                                     &stored, nullptr));
  const int given = assessment::HighestMemberNumber(current.returnee());
  return found ? std::max(given, static_cast<int>(stored.value())) : given;
}

absl::StatusOr<WriteSet> CaseStore::StageMove(const service::Actor& actor,
                                              const Case& current,
                                              absl::string_view cause) const {
  WriteSet set;
  if (IsAnonymised(current)) return set;
  std::optional<homeward::v1::CaseStage> next = StageAfter(current, cause);
  if (!next.has_value()) return set;
  ASSIGN_OR_RETURN(uint32_t p, OwnedPartition(current.case_id()));
  ASSIGN_OR_RETURN(uint64_t version,
                   api::ParseEtag(current.etag(), "case.etag"));
  Case after = current;
  *after.mutable_update_time() = storage::NowTimestamp();
  AppendStage(after, *next, after.update_time(), cause,
              actor.principal.user_id());
  after = ForStorage(std::move(after));

  homeward::v1::Event event;
  event.set_partition(p);
  event.set_subject_id(current.case_id());
  event.set_actor_user_id(actor.principal.user_id());
  event.set_request_id(actor.request_id);
  homeward::v1::CaseStageChanged* changed = event.mutable_case_stage_changed();
  changed->set_case_id(current.case_id());
  changed->set_from_stage(current.stage());
  changed->set_to_stage(*next);
  changed->set_cause(std::string(cause));
  *changed->mutable_case_() = after;
  changed->mutable_case_()->set_etag(api::EtagOf(version + 1));
  changed->mutable_case_()->set_partition(p);

  // Expecting the version read keeps a concurrent update from being lost:
  // the write it belongs to fails with ABORTED instead.
  set.ExpectVersion(p, kKind, current.case_id(), version)
      .PutRecord(p, kKind, current.case_id(), version + 1, after)
      .AppendEvent(std::move(event));
  DeleteIndexes(set, p, current);
  PutIndexes(set, p, after);
  return set;
}

absl::StatusOr<storage::Page<Case>> CaseStore::List(
    const CaseQuery& query, int page_size, absl::string_view page_token) const {
  // The most selective index that the filters name; a stage filter combined
  // with a case manager is applied to the page in memory, which can make a
  // page shorter than asked (the next token still continues correctly).
  std::string index = kByOffice;
  std::string value = query.office_id;
  bool filter_stage = false;
  if (!query.case_manager_id.empty()) {
    index = kByOfficeManager;
    value = ManagerKey(query.office_id, query.case_manager_id);
    filter_stage = query.stage != homeward::v1::CASE_STAGE_UNSPECIFIED;
  } else if (query.stage != homeward::v1::CASE_STAGE_UNSPECIFIED) {
    index = kByOfficeStage;
    value = StageKey(query.office_id, query.stage);
  }
  ASSIGN_OR_RETURN(storage::IndexPage ids,
                   store_->ListIndex(owned_.partitions(), index, value,
                                     page_size, page_token));
  // Cases are never deleted, and every index entry is written in the same
  // WriteSet as the record version it describes (a change moves the entries
  // with the record), so an entry without its record is lost data.
  return storage::ReadIndexedRecords<Case>(
      *store_, std::move(ids), kKind, storage::MissingRecord::kCorruption,
      [&](const storage::IndexEntry& entry, uint64_t version, Case& c) {
        if (filter_stage && c.stage() != query.stage) return false;
        AsCurrent(c);
        c.set_etag(api::EtagOf(version));
        c.set_partition(entry.partition);
        return true;
      });
}

absl::Status CaseStore::ForEachCaseOfOffice(
    absl::string_view office_id,
    const std::function<absl::Status(const Case&)>& visit) const {
  CaseQuery query;
  query.office_id = std::string(office_id);
  std::string token;
  do {
    ASSIGN_OR_RETURN(storage::Page<Case> page,
                     List(query, api::kMaxPageSize, token));
    for (const Case& c : page.items) RETURN_IF_ERROR(visit(c));
    token = std::move(page.next_page_token);
  } while (!token.empty());
  return absl::OkStatus();
}

absl::Status CaseStore::ForEachCase(
    const std::function<absl::Status(const Case&)>& visit) const {
  std::string token;
  do {
    ASSIGN_OR_RETURN(storage::IndexPage ids,
                     store_->ListRecordIds(owned_.partitions(), kKind,
                                           api::kMaxPageSize, token));
    ASSIGN_OR_RETURN(
        storage::Page<Case> page,
        storage::ReadIndexedRecords<Case>(
            *store_, std::move(ids), kKind, storage::MissingRecord::kSkip,
            [](const storage::IndexEntry& entry, uint64_t version, Case& c) {
              AsCurrent(c);
              c.set_etag(api::EtagOf(version));
              c.set_partition(entry.partition);
              return true;
            }));
    for (const Case& c : page.items) RETURN_IF_ERROR(visit(c));
    token = std::move(page.next_page_token);
  } while (!token.empty());
  return absl::OkStatus();
}

absl::StatusOr<WriteSet> CaseStore::Anonymise(const service::Actor& actor,
                                              const Case& current,
                                              Case anonymised) const {
  ASSIGN_OR_RETURN(uint32_t p, OwnedPartition(current.case_id()));
  ASSIGN_OR_RETURN(uint64_t version,
                   api::ParseEtag(current.etag(), "case.etag"));
  anonymised.set_case_id(current.case_id());
  *anonymised.mutable_update_time() = anonymised.anonymise_time();
  anonymised = ForStorage(std::move(anonymised));

  Event event;
  event.set_partition(p);
  event.set_subject_id(current.case_id());
  event.set_actor_user_id(actor.principal.user_id());
  event.set_request_id(actor.request_id);
  homeward::v1::CaseAnonymised* announced = event.mutable_case_anonymised();
  announced->set_case_id(current.case_id());
  *announced->mutable_case_() = anonymised;
  announced->mutable_case_()->set_etag(api::EtagOf(version + 1));
  announced->mutable_case_()->set_partition(p);

  WriteSet set;
  set.ExpectVersion(p, kKind, current.case_id(), version)
      .PutRecord(p, kKind, current.case_id(), version + 1, anonymised)
      .AppendEvent(std::move(event))
      .Audit(service::AuditEntryFor(actor, current.case_id()));
  return set;
}

void CaseStore::Replace(const service::Actor& actor, const Case& before,
                        Case after, uint64_t expected_version, Event event,
                        service::WriteDone<Case> done) {
  absl::StatusOr<uint32_t> partition = OwnedPartition(before.case_id());
  if (!partition.ok()) return done(partition.status());
  const uint32_t p = *partition;
  after.set_case_id(before.case_id());
  *after.mutable_create_time() = before.create_time();
  *after.mutable_update_time() = storage::NowTimestamp();
  after = ForStorage(std::move(after));
  event.set_partition(p);
  event.set_subject_id(before.case_id());
  event.set_actor_user_id(actor.principal.user_id());
  event.set_request_id(actor.request_id);
  // Consumers get the case as it is after the change, as for a
  // registration (see Register).
  Case* announced = nullptr;
  if (event.has_case_updated()) {
    announced = event.mutable_case_updated()->mutable_case_();
  } else if (event.has_case_assigned()) {
    announced = event.mutable_case_assigned()->mutable_case_();
  }
  if (announced != nullptr) {
    *announced = after;
    announced->set_etag(api::EtagOf(expected_version + 1));
    announced->set_partition(p);
  }

  WriteSet set;
  set.ExpectVersion(p, kKind, before.case_id(), expected_version)
      .PutRecord(p, kKind, before.case_id(), expected_version + 1, after)
      .AppendEvent(std::move(event))
      .Audit(service::AuditEntryFor(actor, before.case_id()));
  if (before.office_id() != after.office_id() ||
      before.case_manager_id() != after.case_manager_id() ||
      before.stage() != after.stage()) {
    DeleteIndexes(set, p, before);
    PutIndexes(set, p, after);
  }
  // Every member id the case has held counts as given, so that none is
  // given again after its member is removed.
  const int highest_member =
      std::max(assessment::HighestMemberNumber(before.returnee()),
               assessment::HighestMemberNumber(after.returnee()));
  if (highest_member > 0) {
    absl::StatusOr<int> stored = HighestMemberNumber(before);
    if (!stored.ok()) return done(stored.status());
    // Written every time: a case stored before member ids has no record
    // yet, and its position ids count as given too.
    PutMemberNumbers(set, p, before.case_id(), expected_version + 1,
                     std::max(highest_member, *stored));
  }
  after.set_etag(api::EtagOf(expected_version + 1));
  after.set_partition(p);
  store_->CommitAsync(std::move(set),
                      [after = std::move(after), done = std::move(done)](
                          absl::StatusOr<storage::CommitResult> result) {
                        if (!result.ok()) return done(result.status());
                        done(std::move(after));
                      });
}

void CaseStore::AuditRead(const service::Actor& actor,
                          absl::string_view case_id) {
  store_->AuditRead(service::AuditEntryFor(actor, case_id));
}

}  // namespace homeward::assessment
