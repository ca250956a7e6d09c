// Plans as numbered versions under a head record; see plan_store.h.
#include "services/planning/plan_store.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/api/etags.h"
#include "common/status/errors.h"
#include "common/status/status_macros.h"
#include "common/storage/clock.h"
#include "common/storage/ids.h"
#include "common/storage/indexed_records.h"
#include "google/protobuf/util/message_differencer.h"

namespace homeward::planning {
namespace {

using homeward::v1::Plan;

constexpr char kVersionKind[] = "plan_version";
constexpr char kHeadKind[] = "plan_head";
constexpr char kVersionIndex[] = "plan_version_by_case";
constexpr char kCreateOperation[] = "CreatePlan";

}  // namespace

std::string PlanStore::VersionKey(absl::string_view case_id, int32_t version) {
  // Ten digits hold every int32 version, so keys sort in version order.
  return absl::StrFormat("%s/%010d", case_id, version);
}

absl::StatusOr<PlanStore::Head> PlanStore::ReadHead(
    uint32_t partition, absl::string_view case_id) const {
  Head head;
  ASSIGN_OR_RETURN(bool found, store_->GetRecord(partition, kHeadKind, case_id,
                                                 &head.plan, &head.revision));
  if (!found) return errors::NotFound("plan", case_id);
  head.latest = head.plan.version();
  return head;
}

absl::StatusOr<Plan> PlanStore::ReadVersion(uint32_t partition,
                                            absl::string_view case_id,
                                            int32_t version,
                                            uint64_t* record_version) const {
  Plan plan;
  ASSIGN_OR_RETURN(bool found, store_->GetRecord(partition, kVersionKind,
                                                 VersionKey(case_id, version),
                                                 &plan, record_version));
  if (!found) {
    return errors::NotFound("plan version", VersionKey(case_id, version));
  }
  return plan;
}

Plan PlanStore::AnonymisedPlan(Plan plan) {
  plan.clear_returnee_objectives();
  for (auto& summary : *plan.mutable_summaries()) summary.clear_summary();
  for (auto& activity : *plan.mutable_activities()) {
    activity.clear_description();
    activity.clear_responsible_party();
    activity.clear_status_reason();
    activity.clear_feasibility_justification();
  }
  for (auto& purchase : *plan.mutable_purchases()) purchase.clear_description();
  for (auto& referral : *plan.mutable_referrals()) {
    referral.clear_organization();
    referral.clear_purpose();
  }
  for (auto& note : *plan.mutable_coverage_notes()) note.clear_reason();
  plan.clear_revision_reason();
  if (plan.has_revision_request()) {
    plan.mutable_revision_request()->clear_reason();
  }
  for (auto& change : *plan.mutable_history()) change.clear_comment();
  return plan;
}

absl::Status PlanStore::AnonymiseCase(const service::Actor& actor,
                                      uint32_t partition,
                                      absl::string_view case_id,
                                      storage::WriteSet& set) const {
  absl::StatusOr<Head> head = ReadHead(partition, case_id);
  if (absl::IsNotFound(head.status())) return absl::OkStatus();
  RETURN_IF_ERROR(head.status());
  bool changed = false;
  Plan scrubbed = AnonymisedPlan(head->plan);
  if (!google::protobuf::util::MessageDifferencer::Equals(scrubbed,
                                                          head->plan)) {
    set.ExpectVersion(partition, kHeadKind, case_id, head->revision)
        .PutRecord(partition, kHeadKind, case_id, head->revision + 1, scrubbed);
    changed = true;
  }
  // The versions before the latest (the latest lives in the head).
  for (int32_t version = 1; version < head->latest; ++version) {
    uint64_t record_version = 0;
    absl::StatusOr<Plan> earlier =
        ReadVersion(partition, case_id, version, &record_version);
    if (absl::IsNotFound(earlier.status())) continue;
    RETURN_IF_ERROR(earlier.status());
    Plan earlier_scrubbed = AnonymisedPlan(*earlier);
    if (google::protobuf::util::MessageDifferencer::Equals(earlier_scrubbed,
                                                           *earlier)) {
      continue;
    }
    const std::string key = VersionKey(case_id, version);
    set.ExpectVersion(partition, kVersionKind, key, record_version)
        .PutRecord(partition, kVersionKind, key, record_version + 1,
                   earlier_scrubbed);
    changed = true;
  }
  if (changed) set.Audit(service::AuditEntryFor(actor, case_id));
  return absl::OkStatus();
}

storage::WriteSet PlanStore::PrepareCreate(const service::Actor& actor,
                                           uint32_t partition,
                                           const std::string& request_id,
                                           Plan& plan) const {
  const std::string case_id = plan.case_id();
  const auto now = storage::NowTimestamp();
  plan.set_plan_id(storage::TimeOrderedId("PL"));
  plan.set_version(1);
  plan.set_status(homeward::v1::PLAN_STATUS_DRAFT);
  plan.clear_etag();
  for (auto& activity : *plan.mutable_activities()) {
    activity.set_status(homeward::v1::ACTIVITY_STATUS_PLANNED);
  }
  *plan.mutable_create_time() = now;
  *plan.mutable_update_time() = now;
  plan.clear_history();
  auto* change = plan.add_history();
  change->set_status(homeward::v1::PLAN_STATUS_DRAFT);
  change->set_user_id(actor.principal.user_id());
  *change->mutable_time() = now;

  const std::string key = VersionKey(case_id, 1);
  storage::WriteSet set;
  if (!request_id.empty()) {
    homeward::internal::v1::IdempotencyRecord claim;
    claim.set_subject_id(case_id);
    claim.set_partition(partition);
    // Scoped by case, like the case record logs: the same request id for
    // another case is another request.
    set.ClaimRequest(partition, absl::StrCat(kCreateOperation, "/", case_id),
                     request_id, claim);
  }
  // The latest version lives in the head; its version record is written
  // when a later version takes over.
  set.ExpectVersion(partition, kHeadKind, case_id, 0)
      .PutRecord(partition, kHeadKind, case_id, 1, plan)
      .PutIndex(partition, kVersionIndex, case_id, key)
      .Audit(service::AuditEntryFor(actor, case_id));
  // Announced for the case's stage (the assessment service moves it to
  // PLANNING); a replayed request commits nothing, so announces nothing.
  homeward::v1::Event created;
  created.mutable_plan_created()->set_case_id(case_id);
  created.mutable_plan_created()->set_plan_id(plan.plan_id());
  std::vector<homeward::v1::Event> events;
  events.push_back(std::move(created));
  AddEvents(actor, partition, case_id, std::move(events), set);
  plan.set_etag(api::EtagOf(1));
  return set;
}

absl::StatusOr<Plan> PlanStore::Created(
    uint32_t partition, Plan plan,
    absl::StatusOr<storage::CommitResult> result) const {
  if (!result.ok()) {
    // The head's precondition names the internal record; the caller asked
    // about the case's plan.
    if (absl::IsAlreadyExists(result.status())) {
      return errors::AlreadyExists("plan", plan.case_id());
    }
    return result.status();
  }
  // A replay answers with the plan as it is now: the first create made it.
  if (result->replayed) return Get(partition, plan.case_id(), 0);
  return plan;
}

absl::StatusOr<Plan> PlanStore::Create(const service::Actor& actor,
                                       uint32_t partition,
                                       const std::string& request_id,
                                       Plan plan) {
  storage::WriteSet set = PrepareCreate(actor, partition, request_id, plan);
  return Created(partition, std::move(plan), store_->Commit(std::move(set)));
}

void PlanStore::CreateAsync(const service::Actor& actor, uint32_t partition,
                            const std::string& request_id, Plan plan,
                            service::WriteDone<Plan> done) {
  storage::WriteSet set = PrepareCreate(actor, partition, request_id, plan);
  store_->CommitAsync(
      std::move(set),
      [this, partition, plan = std::move(plan), done = std::move(done)](
          absl::StatusOr<storage::CommitResult> result) mutable {
        done(Created(partition, std::move(plan), std::move(result)));
      });
}

absl::StatusOr<Plan> PlanStore::Get(uint32_t partition,
                                    absl::string_view case_id,
                                    int32_t version) const {
  Plan plan;
  RETURN_IF_ERROR(Get(partition, case_id, version, &plan));
  return plan;
}

absl::StatusOr<bool> PlanStore::GetFirstAndLatest(uint32_t partition,
                                                  absl::string_view case_id,
                                                  Plan* first,
                                                  Plan* latest) const {
  absl::Status read = Get(partition, case_id, 0, latest);
  if (absl::IsNotFound(read)) return false;
  RETURN_IF_ERROR(read);
  if (latest->version() <= 1) {
    *first = *latest;
    return true;
  }
  RETURN_IF_ERROR(Get(partition, case_id, 1, first));
  return true;
}

absl::Status PlanStore::Get(uint32_t partition, absl::string_view case_id,
                            int32_t version, Plan* out) const {
  // The head holds the latest version: the usual read is one record.
  uint64_t revision = 0;
  ASSIGN_OR_RETURN(bool found, store_->GetRecord(partition, kHeadKind, case_id,
                                                 out, &revision));
  if (!found) return errors::NotFound("plan", case_id);
  const int32_t latest = out->version();
  if (version < 0 || version > latest) {
    return errors::NotFound("plan version",
                            absl::StrCat(case_id, "/", version));
  }
  if (version != 0 && version != latest) {
    ASSIGN_OR_RETURN(
        found, store_->GetRecord(partition, kVersionKind,
                                 VersionKey(case_id, version), out, nullptr));
    if (!found) {
      return errors::NotFound("plan version", VersionKey(case_id, version));
    }
  }
  out->set_etag(api::EtagOf(revision));
  return absl::OkStatus();
}

absl::StatusOr<std::optional<Plan>> PlanStore::ActiveVersion(
    uint32_t partition, const Plan& latest) const {
  if (latest.status() == homeward::v1::PLAN_STATUS_ACTIVE) return latest;
  // Only an ACTIVE version is revised, and it stays ACTIVE until the
  // revision is activated.
  if (latest.version() <= 1) return std::nullopt;
  ASSIGN_OR_RETURN(Plan revised,
                   Get(partition, latest.case_id(), latest.version() - 1));
  if (revised.status() != homeward::v1::PLAN_STATUS_ACTIVE) {
    return std::nullopt;
  }
  return revised;
}

absl::StatusOr<storage::Page<Plan>> PlanStore::ListVersions(
    uint32_t partition, absl::string_view case_id, int page_size,
    absl::string_view page_token) const {
  ASSIGN_OR_RETURN(Head head, ReadHead(partition, case_id));
  ASSIGN_OR_RETURN(storage::IndexPage ids,
                   store_->ListIndex({partition}, kVersionIndex, case_id,
                                     page_size, page_token));
  const std::string latest_key = VersionKey(case_id, head.latest);
  storage::Page<Plan> page;
  for (const storage::IndexEntry& entry : ids.entries) {
    Plan plan;
    if (entry.id == latest_key) {
      plan = head.plan;
    } else {
      // Versions are never deleted and each earlier one was written when
      // the next took over, so a miss is corruption.
      bool found = false;
      ASSIGN_OR_RETURN(found, store_->GetRecord(partition, kVersionKind,
                                                entry.id, &plan, nullptr));
      if (!found) {
        return errors::Internal(
            absl::StrCat("plan version ", entry.id, " is indexed but missing"));
      }
    }
    plan.set_etag(api::EtagOf(head.revision));
    page.items.push_back(std::move(plan));
  }
  page.next_page_token = std::move(ids.next_page_token);
  return page;
}

absl::StatusOr<PlanStore::Head> PlanStore::CheckEtag(
    uint32_t partition, absl::string_view case_id,
    const std::string& etag) const {
  ASSIGN_OR_RETURN(uint64_t expected, api::ParseEtag(etag, "etag"));
  ASSIGN_OR_RETURN(Head head, ReadHead(partition, case_id));
  if (head.revision != expected) {
    return errors::EtagMismatch("plan", case_id, etag,
                                api::EtagOf(head.revision));
  }
  return head;
}

void PlanStore::AddEvents(const service::Actor& actor, uint32_t partition,
                          absl::string_view case_id,
                          std::vector<homeward::v1::Event> events,
                          storage::WriteSet& set) const {
  for (auto& event : events) {
    event.set_partition(partition);
    event.set_subject_id(std::string(case_id));
    event.set_actor_user_id(actor.principal.user_id());
    event.set_request_id(actor.request_id);
    set.AppendEvent(std::move(event));
  }
}

absl::StatusOr<PlanStore::Prepared> PlanStore::Prepare(
    const service::Actor& actor, uint32_t partition, absl::string_view case_id,
    const std::string& etag, Change change) const {
  Head head;
  if (change.read_latest.has_value()) {
    // The caller read the head: check the etag against what it read (the
    // commit checks the head's version anyway).
    ASSIGN_OR_RETURN(uint64_t expected, api::ParseEtag(etag, "etag"));
    ASSIGN_OR_RETURN(head.revision,
                     api::ParseEtag(change.read_latest->etag(), "etag"));
    if (head.revision != expected) {
      return errors::EtagMismatch("plan", case_id, etag,
                                  change.read_latest->etag());
    }
    head.plan = *std::move(change.read_latest);
    head.plan.clear_etag();
    head.latest = head.plan.version();
  } else {
    ASSIGN_OR_RETURN(head, CheckEtag(partition, case_id, etag));
  }
  const auto now = storage::NowTimestamp();
  // Every write of the plan moves the head, whose version is checked at
  // commit: the versions need no precondition of their own, and their
  // store version is the plan's etag after the write.
  const uint64_t revision = head.revision + 1;
  // The latest version after the change: one more when the change adds one.
  int32_t latest = head.latest;
  for (const Plan& next : change.versions) {
    if (next.version() == head.latest + 1) latest = head.latest + 1;
  }
  Prepared prepared;
  storage::WriteSet& set = prepared.set;
  set.ExpectVersion(partition, kHeadKind, case_id, head.revision);
  bool wrote_previous_latest = false;
  bool has_latest = false;
  for (Plan& next : change.versions) {
    const int32_t version = next.version();
    const std::string key = VersionKey(case_id, version);
    const bool added = version == head.latest + 1;
    if (!added && (version < 1 || version > head.latest)) {
      return errors::InvalidField(
          "version", absl::StrCat("plan version ", version,
                                  " cannot be written: the plan has versions "
                                  "1 to ",
                                  head.latest, " and may gain one more"));
    }
    // The caller passes versions it read; one built from scratch takes the
    // stored identity.
    if (next.plan_id().empty() || (!added && !next.has_create_time())) {
      Plan stored = head.plan;
      if (!added && version != head.latest) {
        ASSIGN_OR_RETURN(stored,
                         ReadVersion(partition, case_id, version, nullptr));
      }
      next.set_plan_id(stored.plan_id());
      if (!added) *next.mutable_create_time() = stored.create_time();
    }
    next.set_case_id(std::string(case_id));
    next.clear_etag();
    *next.mutable_update_time() = now;
    if (added) {
      *next.mutable_create_time() = now;
      set.PutIndex(partition, kVersionIndex, case_id, key);
    }
    if (version == head.latest) wrote_previous_latest = true;
    if (version == latest) {
      // The latest lives in the head record; `next` is not used again.
      prepared.latest = std::move(next);
      has_latest = true;
    } else {
      set.PutRecord(partition, kVersionKind, key, revision, next);
    }
  }
  // A version that stops being the latest gets its own record.
  if (latest != head.latest && !wrote_previous_latest) {
    set.PutRecord(partition, kVersionKind, VersionKey(case_id, head.latest),
                  revision, head.plan);
  }
  if (!has_latest) prepared.latest = std::move(head.plan);
  set.PutRecord(partition, kHeadKind, case_id, revision, prepared.latest);
  prepared.latest.set_etag(api::EtagOf(revision));
  AddEvents(actor, partition, case_id, std::move(change.events), set);
  set.Append(std::move(change.also));
  set.Audit(service::AuditEntryFor(actor, case_id));
  return prepared;
}

absl::StatusOr<storage::WriteSet> PlanStore::PrepareChange(
    const service::Actor& actor, uint32_t partition, absl::string_view case_id,
    const std::string& etag, Change change) const {
  ASSIGN_OR_RETURN(Prepared prepared,
                   Prepare(actor, partition, case_id, etag, std::move(change)));
  return std::move(prepared.set);
}

absl::StatusOr<Plan> PlanStore::Apply(const service::Actor& actor,
                                      uint32_t partition,
                                      absl::string_view case_id,
                                      const std::string& etag, Change change) {
  ASSIGN_OR_RETURN(Prepared prepared,
                   Prepare(actor, partition, case_id, etag, std::move(change)));
  RETURN_IF_ERROR(store_->Commit(std::move(prepared.set)).status());
  return std::move(prepared.latest);
}

absl::Status PlanStore::ApplyAsync(const service::Actor& actor,
                                   uint32_t partition,
                                   absl::string_view case_id,
                                   const std::string& etag, Change change,
                                   service::WriteDone<Plan> done) {
  ASSIGN_OR_RETURN(Prepared prepared,
                   Prepare(actor, partition, case_id, etag, std::move(change)));
  store_->CommitAsync(
      std::move(prepared.set),
      [latest = std::move(prepared.latest), done = std::move(done)](
          absl::StatusOr<storage::CommitResult> result) mutable {
        if (!result.ok()) return done(result.status());
        done(std::move(latest));
      });
  return absl::OkStatus();
}

absl::StatusOr<Plan> PlanStore::Write(const service::Actor& actor,
                                      uint32_t partition, Plan next,
                                      const std::string& etag,
                                      std::vector<homeward::v1::Event> events) {
  const std::string case_id = next.case_id();
  ASSIGN_OR_RETURN(Head head, ReadHead(partition, case_id));
  next.set_version(head.latest);
  Change change;
  change.versions.push_back(std::move(next));
  change.events = std::move(events);
  return Apply(actor, partition, case_id, etag, std::move(change));
}

absl::StatusOr<Plan> PlanStore::AddVersion(
    const service::Actor& actor, uint32_t partition, Plan next,
    const std::string& etag, std::vector<homeward::v1::Event> events) {
  const std::string case_id = next.case_id();
  ASSIGN_OR_RETURN(Head head, ReadHead(partition, case_id));
  next.set_version(head.latest + 1);
  Change change;
  change.versions.push_back(std::move(next));
  change.events = std::move(events);
  return Apply(actor, partition, case_id, etag, std::move(change));
}

void PlanStore::AuditRead(const service::Actor& actor,
                          absl::string_view case_id) {
  store_->AuditRead(service::AuditEntryFor(actor, case_id));
}

}  // namespace homeward::planning
