// The follow-up service's view of the assessment feed; see
// follow_up_cases.h.
#include "services/follow_up/follow_up_cases.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "common/api/etags.h"
#include "common/api/field_checks.h"
#include "common/cases/case_ids.h"
#include "common/cases/case_record_copies.h"
#include "common/status/errors.h"
#include "common/status/status_macros.h"
#include "services/follow_up/follow_up_schedule.h"

namespace homeward::follow_up {
namespace {

using homeward::internal::v1::FollowUpCaseRecord;
using homeward::internal::v1::FollowUpScheduleRecord;
using homeward::v1::Case;
using homeward::v1::Event;
using homeward::v1::ProtectionConcern;

}  // namespace

FollowUpCases::FollowUpCases(storage::Store* store, storage::PartitionSet owned,
                             ContactStore* contacts)
    : store_(store),
      owned_(owned),
      contacts_(contacts),
      closures_(store),
      directory_(store, std::move(owned), kName) {}

homeward::v1::EventSelection FollowUpCases::Selection() const {
  homeward::v1::EventSelection selection = directory_.Selection();
  selection.add_payloads(Event::kAssessmentCompleted);
  selection.add_payloads(Event::kProtectionConcernChanged);
  return selection;
}

absl::StatusOr<storage::WriteSet> FollowUpCases::Apply(const Event& event) {
  // The scope before the directory's change: a new office or case manager
  // moves the case's due-list entries.
  cases::CaseScope before;
  bool had_scope = false;
  const bool owned = owned_.Contains(event.partition());
  absl::string_view field;
  const Case* carried = owned ? cases::CarriedCase(event, &field) : nullptr;
  if (carried != nullptr && !carried->case_id().empty()) {
    ASSIGN_OR_RETURN(
        had_scope,
        store_->GetRecord(event.partition(), cases::CaseDirectory::kKind,
                          carried->case_id(), &before, nullptr));
  }
  ASSIGN_OR_RETURN(storage::WriteSet set, directory_.Apply(event));
  if (!owned) return set;
  switch (event.payload_case()) {
    case Event::kCaseRegistered:
    case Event::kCaseUpdated:
    case Event::kCaseAssigned:
    case Event::kCaseStageChanged:
      RETURN_IF_ERROR(ApplyCase(event, had_scope ? &before : nullptr, set));
      break;
    case Event::kAssessmentCompleted:
      RETURN_IF_ERROR(ApplyAssessment(event, set));
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

absl::Status FollowUpCases::ApplyAnonymised(const Event& event,
                                            storage::WriteSet& set) const {
  const std::string& case_id = event.case_anonymised().case_id();
  if (case_id.empty()) return absl::OkStatus();
  // The retention job's actor, acting through this service.
  service::Actor actor;
  actor.principal.set_user_id(event.actor_user_id());
  actor.principal.set_role(homeward::v1::ROLE_SERVICE);
  actor.request_id = event.request_id();
  actor.method = "CaseAnonymised";
  RETURN_IF_ERROR(
      contacts_->AnonymiseCase(actor, event.partition(), case_id, set));
  RETURN_IF_ERROR(
      closures_.AnonymiseCase(actor, event.partition(), case_id, set));
  // Marked, so that the case is never reopened here (the assessment service
  // refuses to move an anonymised case out of CLOSED). A new record version:
  // a reopening read before it fails its expectation and is asked again.
  FollowUpCaseRecord record;
  ASSIGN_OR_RETURN(bool found,
                   store_->GetRecord(event.partition(), kFollowUpCaseKind,
                                     case_id, &record, nullptr));
  if (!found || record.anonymised()) return absl::OkStatus();
  record.set_anonymised(true);
  set.PutRecord(event.partition(), kFollowUpCaseKind, case_id, event.sequence(),
                record);
  return absl::OkStatus();
}

absl::Status CheckNotAnonymised(const FollowUpCase& c) {
  if (!c.record.anonymised()) return absl::OkStatus();
  return cases::CaseAnonymisedError(c.record.case_id());
}

absl::Status FollowUpCases::ApplyCase(const Event& event,
                                      const cases::CaseScope* scope_before,
                                      storage::WriteSet& set) const {
  absl::string_view field;
  const Case* c = cases::CarriedCase(event, &field);
  if (c == nullptr) return absl::OkStatus();
  // The directory has checked the id, the partition and the etag already.
  ASSIGN_OR_RETURN(uint64_t case_version,
                   api::ParseEtag(c->etag(), absl::StrCat(field, ".etag")));
  const uint32_t partition = event.partition();
  FollowUpCaseRecord record;
  uint64_t applied = 0;
  ASSIGN_OR_RETURN(bool found,
                   store_->GetRecord(partition, kFollowUpCaseKind, c->case_id(),
                                     &record, &applied));
  if (found &&
      (applied >= event.sequence() || record.case_version() >= case_version)) {
    return absl::OkStatus();
  }
  // A schedule made from another return date moves with it (below).
  const bool return_date_moved =
      found && record.has_return_date() &&
      (!c->return_info().has_return_date() ||
       api::DateBefore(record.return_date(), c->return_info().return_date()) ||
       api::DateBefore(c->return_info().return_date(), record.return_date()));
  record.set_case_id(c->case_id());
  record.set_programme_id(c->programme_id());
  if (c->return_info().has_return_date()) {
    *record.mutable_return_date() = c->return_info().return_date();
  } else {
    record.clear_return_date();
  }
  record.clear_member_ids();
  for (const auto& member : c->returnee().household_members()) {
    if (!member.member_id().empty()) record.add_member_ids(member.member_id());
  }
  record.set_case_version(case_version);
  set.PutRecord(partition, kFollowUpCaseKind, c->case_id(), event.sequence(),
                record);

  FollowUpCase now;
  now.scope = cases::ScopeOf(*c);
  now.scope.set_partition(partition);
  now.record = record;
  now.record_version = event.sequence();
  if (scope_before != nullptr) {
    RETURN_IF_ERROR(contacts_->MoveDueEntries(partition, c->case_id(),
                                              *scope_before, now.scope, set));
  }

  // The schedule, when the plan's first approval came before the case.
  FollowUpScheduleRecord schedule;
  uint64_t schedule_version = 0;
  ASSIGN_OR_RETURN(bool has_schedule,
                   store_->GetRecord(partition, kScheduleKind, c->case_id(),
                                     &schedule, &schedule_version));
  if (has_schedule && schedule.scheduled()) {
    // A corrected return date moves the contacts still ahead, from the
    // event's day, as a revision would.
    if (!return_date_moved) return absl::OkStatus();
    // Not for a closed case, nor one whose plan was cancelled: their
    // contacts stay cancelled.
    ASSIGN_OR_RETURN(bool closed, closures_.IsClosed(partition, c->case_id()));
    homeward::internal::v1::FollowUpPlanRecord plan;
    ASSIGN_OR_RETURN(bool has_plan,
                     store_->GetRecord(partition, kFollowUpPlanKind,
                                       c->case_id(), &plan, nullptr));
    if (closed ||
        (has_plan && plan.status() == homeward::v1::PLAN_STATUS_CANCELLED)) {
      return absl::OkStatus();
    }
    return contacts_->ScheduleFrom(now, api::ToDate(UtcDayOf(event.time())),
                                   set);
  }
  // The planning feed's view may write it meanwhile: then this commit fails
  // and the event comes again.
  set.ExpectVersion(partition, kScheduleKind, c->case_id(), schedule_version);
  if (!schedule.has_approved_on() || !record.has_return_date() ||
      record.programme_id().empty()) {
    return absl::OkStatus();
  }
  RETURN_IF_ERROR(contacts_->ScheduleFrom(now, schedule.approved_on(), set));
  schedule.set_case_id(c->case_id());
  schedule.set_scheduled(true);
  set.PutRecord(partition, kScheduleKind, c->case_id(), schedule_version + 1,
                schedule);
  return absl::OkStatus();
}

absl::Status FollowUpCases::ApplyAssessment(const Event& event,
                                            storage::WriteSet& set) const {
  const homeward::v1::AssessmentCompleted& a = event.assessment_completed();
  // The trajectory shows the returnee's surveys; a household member's RSS is
  // not theirs.
  if (a.kind() != homeward::v1::INSTRUMENT_KIND_RSS ||
      !a.subject_member_id().empty()) {
    return absl::OkStatus();
  }
  RETURN_IF_ERROR(cases::CheckEventCaseId(
      event, a.case_id(), "assessment_completed.case_id", owned_.count()));
  if (a.assessment_id().empty()) {
    return errors::InvalidField("assessment_completed.assessment_id",
                                "is required in this event");
  }
  FollowUpCaseRecord record;
  uint64_t applied = 0;
  ASSIGN_OR_RETURN(bool found,
                   store_->GetRecord(event.partition(), kFollowUpCaseKind,
                                     a.case_id(), &record, &applied));
  if (found && applied >= event.sequence()) return absl::OkStatus();
  record.set_case_id(a.case_id());
  std::vector<homeward::v1::RssPoint> points(record.rss_points().begin(),
                                             record.rss_points().end());
  points.erase(std::remove_if(points.begin(), points.end(),
                              [&](const homeward::v1::RssPoint& p) {
                                return p.assessment_id() == a.assessment_id();
                              }),
               points.end());
  homeward::v1::RssPoint point;
  point.set_assessment_id(a.assessment_id());
  *point.mutable_assessment_date() = a.assessment_date();
  point.set_occasion(a.occasion());
  *point.mutable_scores() = a.scores();
  points.push_back(std::move(point));
  std::stable_sort(
      points.begin(), points.end(),
      [](const homeward::v1::RssPoint& x, const homeward::v1::RssPoint& y) {
        return api::DateBefore(x.assessment_date(), y.assessment_date());
      });
  record.clear_rss_points();
  for (auto& p : points) *record.add_rss_points() = std::move(p);
  set.PutRecord(event.partition(), kFollowUpCaseKind, a.case_id(),
                event.sequence(), record);
  return absl::OkStatus();
}

absl::Status FollowUpCases::ApplyConcern(const Event& event,
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

absl::StatusOr<FollowUpCase> FollowUpCases::GetScopeAndRecord(
    uint32_t partition, absl::string_view case_id) const {
  FollowUpCase out;
  ASSIGN_OR_RETURN(bool found,
                   store_->GetRecord(partition, cases::CaseDirectory::kKind,
                                     case_id, &out.scope, nullptr));
  if (!found) return errors::NotFound("case", case_id);
  ASSIGN_OR_RETURN(found,
                   store_->GetRecord(partition, kFollowUpCaseKind, case_id,
                                     &out.record, &out.record_version));
  if (!found) {
    out.record.set_case_id(std::string(case_id));
    out.record_version = 0;
  }
  return out;
}

absl::StatusOr<FollowUpCase> FollowUpCases::Get(
    uint32_t partition, absl::string_view case_id) const {
  ASSIGN_OR_RETURN(FollowUpCase out, GetScopeAndRecord(partition, case_id));
  ASSIGN_OR_RETURN(
      out.concerns,
      cases::CaseRecordCopies(store_, kConcernKind, kConcernsByCase)
          .Read<ProtectionConcern>(partition, case_id));
  return out;
}

}  // namespace homeward::follow_up
