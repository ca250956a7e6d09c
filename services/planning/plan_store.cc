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
#include "google/protobuf/wrappers.pb.h"

namespace homeward::planning {
namespace {

using homeward::v1::Plan;

constexpr char kVersionKind[] = "plan_version";
constexpr char kHeadKind[] = "plan_head";
constexpr char kVersionIndex[] = "plan_version_by_case";
constexpr char kCreateOperation[] = "CreatePlan";

google::protobuf::Int32Value HeadValue(int32_t latest) {
  google::protobuf::Int32Value value;
  value.set_value(latest);
  return value;
}

}  // namespace

std::string PlanStore::VersionKey(absl::string_view case_id, int32_t version) {
  // Ten digits hold every int32 version, so keys sort in version order.
  return absl::StrFormat("%s/%010d", case_id, version);
}

absl::StatusOr<PlanStore::Head> PlanStore::ReadHead(
    uint32_t partition, absl::string_view case_id) const {
  google::protobuf::Int32Value value;
  Head head;
  ASSIGN_OR_RETURN(bool found, store_->GetRecord(partition, kHeadKind, case_id,
                                                 &value, &head.revision));
  if (!found) return errors::NotFound("plan", case_id);
  head.latest = value.value();
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

absl::StatusOr<Plan> PlanStore::Create(const service::Actor& actor,
                                       uint32_t partition,
                                       const std::string& request_id,
                                       Plan plan) {
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
  set.ExpectVersion(partition, kHeadKind, case_id, 0)
      .ExpectVersion(partition, kVersionKind, key, 0)
      .PutRecord(partition, kHeadKind, case_id, 1, HeadValue(1))
      .PutRecord(partition, kVersionKind, key, 1, plan)
      .PutIndex(partition, kVersionIndex, case_id, key)
      .Audit(service::AuditEntryFor(actor, case_id));
  absl::StatusOr<storage::CommitResult> result = store_->Commit(std::move(set));
  if (!result.ok()) {
    // The head's precondition names the internal record; the caller asked
    // about the case's plan.
    if (absl::IsAlreadyExists(result.status())) {
      return errors::AlreadyExists("plan", case_id);
    }
    return result.status();
  }
  // A replay answers with the plan as it is now: the first create made it.
  if (result->replayed) return Get(partition, case_id, 0);
  plan.set_etag(api::EtagOf(1));
  return plan;
}

absl::StatusOr<Plan> PlanStore::Get(uint32_t partition,
                                    absl::string_view case_id,
                                    int32_t version) const {
  ASSIGN_OR_RETURN(Head head, ReadHead(partition, case_id));
  if (version < 0 || version > head.latest) {
    return errors::NotFound("plan version",
                            absl::StrCat(case_id, "/", version));
  }
  ASSIGN_OR_RETURN(Plan plan,
                   ReadVersion(partition, case_id,
                               version == 0 ? head.latest : version, nullptr));
  plan.set_etag(api::EtagOf(head.revision));
  return plan;
}

absl::StatusOr<storage::Page<Plan>> PlanStore::ListVersions(
    uint32_t partition, absl::string_view case_id, int page_size,
    absl::string_view page_token) const {
  ASSIGN_OR_RETURN(Head head, ReadHead(partition, case_id));
  ASSIGN_OR_RETURN(storage::IndexPage ids,
                   store_->ListIndex({partition}, kVersionIndex, case_id,
                                     page_size, page_token));
  // Versions are never deleted and each is committed with its index entry,
  // so a miss is corruption.
  const std::string etag = api::EtagOf(head.revision);
  return storage::ReadIndexedRecords<Plan>(
      *store_, std::move(ids), kVersionKind,
      storage::MissingRecord::kCorruption,
      [&etag](const storage::IndexEntry&, uint64_t, Plan& plan) {
        plan.set_etag(etag);
        return true;
      });
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

absl::StatusOr<Plan> PlanStore::Apply(const service::Actor& actor,
                                      uint32_t partition,
                                      absl::string_view case_id,
                                      const std::string& etag, Change change) {
  ASSIGN_OR_RETURN(Head head, CheckEtag(partition, case_id, etag));
  ASSIGN_OR_RETURN(Plan first, ReadVersion(partition, case_id, 1, nullptr));
  const auto now = storage::NowTimestamp();
  int32_t latest = head.latest;
  storage::WriteSet set;
  // The head's version moves with every change: it is the plan's etag, and
  // its precondition makes a racing writer fail with ABORTED.
  set.ExpectVersion(partition, kHeadKind, case_id, head.revision);
  Plan result;
  for (Plan& next : change.versions) {
    const int32_t version = next.version();
    const std::string key = VersionKey(case_id, version);
    next.set_case_id(std::string(case_id));
    next.set_plan_id(first.plan_id());
    next.clear_etag();
    *next.mutable_update_time() = now;
    if (version == head.latest + 1 && latest == head.latest) {
      latest = version;
      *next.mutable_create_time() = now;
      set.ExpectVersion(partition, kVersionKind, key, 0)
          .PutRecord(partition, kVersionKind, key, 1, next)
          .PutIndex(partition, kVersionIndex, case_id, key);
    } else if (version >= 1 && version <= head.latest) {
      uint64_t record_version = 0;
      ASSIGN_OR_RETURN(Plan stored, ReadVersion(partition, case_id, version,
                                                &record_version));
      *next.mutable_create_time() = stored.create_time();
      set.ExpectVersion(partition, kVersionKind, key, record_version)
          .PutRecord(partition, kVersionKind, key, record_version + 1, next);
    } else {
      return errors::InvalidField(
          "version", absl::StrCat("plan version ", version,
                                  " cannot be written: the plan has versions "
                                  "1 to ",
                                  head.latest, " and may gain one more"));
    }
    if (version == latest) result = next;
  }
  if (result.version() != latest) {
    ASSIGN_OR_RETURN(result, ReadVersion(partition, case_id, latest, nullptr));
  }
  set.PutRecord(partition, kHeadKind, case_id, head.revision + 1,
                HeadValue(latest));
  AddEvents(actor, partition, case_id, std::move(change.events), set);
  set.Append(std::move(change.also));
  set.Audit(service::AuditEntryFor(actor, case_id));
  RETURN_IF_ERROR(store_->Commit(std::move(set)).status());
  result.set_etag(api::EtagOf(head.revision + 1));
  return result;
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
