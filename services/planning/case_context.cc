// The planning service's case context; see case_context.h.
#include "services/planning/case_context.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "common/api/etags.h"
#include "common/api/field_checks.h"
#include "common/api/paging.h"
#include "common/cases/case_ids.h"
#include "common/cases/case_record_copies.h"
#include "common/status/errors.h"
#include "common/status/status_macros.h"
#include "services/planning/plan_queue_index.h"

namespace homeward::planning {
namespace {

using homeward::internal::v1::PlanningCaseContext;
using homeward::v1::AssessmentCompleted;
using homeward::v1::Case;
using homeward::v1::Date;
using homeward::v1::Event;
using homeward::v1::Need;
using homeward::v1::ProtectionConcern;

}  // namespace

CaseContextProjection::CaseContextProjection(storage::Store* store,
                                             storage::PartitionSet owned)
    : store_(store),
      owned_(owned),
      plans_(store),
      directory_(store, std::move(owned), kName) {}

homeward::v1::EventSelection CaseContextProjection::Selection() const {
  homeward::v1::EventSelection selection = directory_.Selection();
  for (int payload : {Event::kAssessmentCompleted, Event::kNeedChanged,
                      Event::kProtectionConcernChanged}) {
    selection.add_payloads(payload);
  }
  return selection;
}

absl::StatusOr<storage::WriteSet> CaseContextProjection::Apply(
    const Event& event) {
  ASSIGN_OR_RETURN(storage::WriteSet set, directory_.Apply(event));
  if (!owned_.Contains(event.partition())) return set;
  switch (event.payload_case()) {
    case Event::kCaseRegistered:
    case Event::kCaseUpdated:
    case Event::kCaseAssigned:
    case Event::kCaseStageChanged:
      RETURN_IF_ERROR(ApplyCase(event, set));
      break;
    case Event::kAssessmentCompleted:
      RETURN_IF_ERROR(ApplyAssessment(event, set));
      break;
    case Event::kNeedChanged:
      RETURN_IF_ERROR(ApplyNeed(event, set));
      break;
    case Event::kProtectionConcernChanged:
      RETURN_IF_ERROR(ApplyConcern(event, set));
      break;
    case Event::kCaseAnonymised:
      RETURN_IF_ERROR(ApplyAnonymised(event, set));
      break;
    default:
      break;
  }
  return set;
}

absl::Status CaseContextProjection::ApplyAnonymised(
    const Event& event, storage::WriteSet& set) const {
  const std::string& case_id = event.case_anonymised().case_id();
  if (case_id.empty()) return absl::OkStatus();
  // The retention job's actor, acting through this service.
  service::Actor actor;
  actor.principal.set_user_id(event.actor_user_id());
  actor.principal.set_role(homeward::v1::ROLE_SERVICE);
  actor.request_id = event.request_id();
  actor.method = "CaseAnonymised";
  return plans_.AnonymiseCase(actor, event.partition(), case_id, set);
}

absl::Status CaseContextProjection::ApplyCase(const Event& event,
                                              storage::WriteSet& set) const {
  absl::string_view field;
  const Case* c = cases::CarriedCase(event, &field);
  if (c == nullptr) return absl::OkStatus();
  // The directory has checked the id, the partition and the etag already.
  ASSIGN_OR_RETURN(uint64_t case_version,
                   api::ParseEtag(c->etag(), absl::StrCat(field, ".etag")));
  PlanningCaseContext context;
  uint64_t applied = 0;
  ASSIGN_OR_RETURN(bool found,
                   store_->GetRecord(event.partition(), kContextKind,
                                     c->case_id(), &context, &applied));
  if (found &&
      (applied >= event.sequence() || context.case_version() >= case_version)) {
    return absl::OkStatus();
  }
  const bool had_date = found && context.has_return_date();
  const Date before = context.return_date();
  context.set_case_id(c->case_id());
  context.set_programme_id(c->programme_id());
  if (c->return_info().has_return_date()) {
    *context.mutable_return_date() = c->return_info().return_date();
  } else {
    context.clear_return_date();
  }
  RETURN_IF_ERROR(MovePlanQueueEntry(
      event.partition(), c->case_id(), had_date ? &before : nullptr,
      context.has_return_date() ? &context.return_date() : nullptr, set));
  context.clear_member_ids();
  for (const auto& member : c->returnee().household_members()) {
    if (!member.member_id().empty()) context.add_member_ids(member.member_id());
  }
  context.set_case_version(case_version);
  set.PutRecord(event.partition(), kContextKind, c->case_id(), event.sequence(),
                context);
  return absl::OkStatus();
}

absl::Status CaseContextProjection::ApplyAssessment(
    const Event& event, storage::WriteSet& set) const {
  const AssessmentCompleted& a = event.assessment_completed();
  // Both facts kept here are about the returnee: an assessment about a
  // household member is neither the plan's baseline nor the returnee's
  // vulnerability.
  if (!a.subject_member_id().empty()) return absl::OkStatus();
  const bool baseline =
      a.kind() == homeward::v1::INSTRUMENT_KIND_RSS &&
      a.occasion() == homeward::v1::ASSESSMENT_OCCASION_BASELINE;
  const bool screening = a.has_vulnerability() &&
                         a.vulnerability().level() !=
                             homeward::v1::VULNERABILITY_LEVEL_UNSPECIFIED;
  if (!baseline && !screening) return absl::OkStatus();
  RETURN_IF_ERROR(cases::CheckEventCaseId(
      event, a.case_id(), "assessment_completed.case_id", owned_.count()));
  if (a.assessment_id().empty()) {
    return errors::InvalidField("assessment_completed.assessment_id",
                                "is required in this event");
  }
  PlanningCaseContext context;
  uint64_t applied = 0;
  ASSIGN_OR_RETURN(bool found,
                   store_->GetRecord(event.partition(), kContextKind,
                                     a.case_id(), &context, &applied));
  if (found && applied >= event.sequence()) return absl::OkStatus();
  bool changed = false;
  // The same date or a later one: events come in order, so on a tie this
  // (later) event is the latest.
  if (baseline && (!context.has_baseline() ||
                   !api::DateBefore(a.assessment_date(),
                                    context.baseline().assessment_date()))) {
    homeward::v1::PlanBaseline& b = *context.mutable_baseline();
    b.set_assessment_id(a.assessment_id());
    b.set_instrument_id(a.instrument_id());
    b.set_instrument_version(a.instrument_version());
    *b.mutable_scores() = a.scores();
    *b.mutable_assessment_date() = a.assessment_date();
    changed = true;
  }
  if (screening &&
      (context.vulnerability_assessment_id().empty() ||
       !api::DateBefore(a.assessment_date(), context.vulnerability_date()))) {
    context.set_vulnerability_assessment_id(a.assessment_id());
    *context.mutable_vulnerability_date() = a.assessment_date();
    context.set_highly_vulnerable(a.vulnerability().level() ==
                                  homeward::v1::VULNERABILITY_LEVEL_HIGH);
    changed = true;
  }
  if (!changed) return absl::OkStatus();
  context.set_case_id(a.case_id());
  set.PutRecord(event.partition(), kContextKind, a.case_id(), event.sequence(),
                context);
  return absl::OkStatus();
}

absl::Status CaseContextProjection::ApplyNeed(const Event& event,
                                              storage::WriteSet& set) const {
  const Need& need = event.need_changed().need();
  RETURN_IF_ERROR(cases::CheckEventCaseId(
      event, need.case_id(), "need_changed.need.case_id", owned_.count()));
  if (need.need_id().empty()) {
    return errors::InvalidField("need_changed.need.need_id",
                                "is required in this event");
  }
  return cases::CaseRecordCopies(store_, kNeedKind, kNeedsByCase)
      .PutIfNewer(event, need.case_id(), need.need_id(), need, set);
}

absl::Status CaseContextProjection::ApplyConcern(const Event& event,
                                                 storage::WriteSet& set) const {
  const ProtectionConcern& concern =
      event.protection_concern_changed().concern();
  RETURN_IF_ERROR(cases::CheckEventCaseId(
      event, concern.case_id(), "protection_concern_changed.concern.case_id",
      owned_.count()));
  if (concern.concern_id().empty()) {
    return errors::InvalidField("protection_concern_changed.concern.concern_id",
                                "is required in this event");
  }
  return cases::CaseRecordCopies(store_, kConcernKind, kConcernsByCase)
      .PutIfNewer(event, concern.case_id(), concern.concern_id(), concern, set);
}

absl::Status CaseContextProjection::MovePlanQueueEntry(
    uint32_t partition, absl::string_view case_id, const Date* before,
    const Date* after, storage::WriteSet& set) const {
  if (before != nullptr && after != nullptr &&
      AwaitingPlanEntry(*before, case_id) ==
          AwaitingPlanEntry(*after, case_id)) {
    return absl::OkStatus();
  }
  if (before != nullptr) LeavePlanQueue(partition, *before, case_id, set);
  if (after == nullptr) return absl::OkStatus();
  // A case event after the plan's approval must not put the case back. The
  // plan is read as the handlers last committed it; one approved between
  // this read and this set's commit leaves an entry the queue's reader
  // skips (plan_queues.h).
  absl::StatusOr<homeward::v1::Plan> latest = plans_.Get(partition, case_id, 0);
  if (!latest.ok() && !absl::IsNotFound(latest.status())) {
    return latest.status();
  }
  if (PlanAwaitsApproval(latest.ok() ? &*latest : nullptr)) {
    JoinPlanQueue(partition, *after, case_id, set);
  }
  return absl::OkStatus();
}

absl::StatusOr<CaseContext> CaseContextProjection::GetScopeAndContext(
    uint32_t partition, absl::string_view case_id) const {
  CaseContext out;
  ASSIGN_OR_RETURN(bool found,
                   store_->GetRecord(partition, cases::CaseDirectory::kKind,
                                     case_id, &out.scope, nullptr));
  if (!found) return errors::NotFound("case", case_id);
  ASSIGN_OR_RETURN(found, store_->GetRecord(partition, kContextKind, case_id,
                                            &out.context, nullptr));
  if (!found) out.context.set_case_id(std::string(case_id));
  return out;
}

absl::StatusOr<CaseContext> CaseContextProjection::Get(
    uint32_t partition, absl::string_view case_id) const {
  ASSIGN_OR_RETURN(CaseContext out, GetScopeAndContext(partition, case_id));
  ASSIGN_OR_RETURN(out.needs,
                   cases::CaseRecordCopies(store_, kNeedKind, kNeedsByCase)
                       .Read<Need>(partition, case_id));
  ASSIGN_OR_RETURN(
      out.concerns,
      cases::CaseRecordCopies(store_, kConcernKind, kConcernsByCase)
          .Read<ProtectionConcern>(partition, case_id));
  return out;
}

absl::StatusOr<CaseContext> CaseContextProjection::Get(
    absl::string_view case_id) const {
  ASSIGN_OR_RETURN(uint32_t partition,
                   cases::OwnedCasePartition(owned_, case_id));
  return Get(partition, case_id);
}

absl::Status CaseContextProjection::ForEachCaseOfOffice(
    absl::string_view office_id,
    const std::function<absl::Status(uint32_t, const CaseContext&)>& visit)
    const {
  std::string token;
  do {
    ASSIGN_OR_RETURN(
        storage::IndexPage ids,
        store_->ListRecordIds(owned_.partitions(), cases::CaseDirectory::kKind,
                              api::kMaxPageSize, token));
    for (const storage::IndexEntry& entry : ids.entries) {
      CaseContext c;
      ASSIGN_OR_RETURN(
          bool found,
          store_->GetRecord(entry.partition, cases::CaseDirectory::kKind,
                            entry.id, &c.scope, nullptr));
      // Listed a moment ago; scopes are never deleted.
      if (!found || c.scope.office_id() != office_id) continue;
      ASSIGN_OR_RETURN(found, store_->GetRecord(entry.partition, kContextKind,
                                                entry.id, &c.context, nullptr));
      if (!found) c.context.set_case_id(entry.id);
      RETURN_IF_ERROR(visit(entry.partition, c));
    }
    token = std::move(ids.next_page_token);
  } while (!token.empty());
  return absl::OkStatus();
}

}  // namespace homeward::planning
