// The follow-up service's view of the planning feed; see plan_view.h.
#include "services/follow_up/plan_view.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "common/api/field_checks.h"
#include "common/cases/case_record_copies.h"
#include "common/status/errors.h"
#include "common/status/status_macros.h"
#include "google/protobuf/timestamp.pb.h"
#include "services/follow_up/follow_up_schedule.h"

namespace homeward::follow_up {
namespace {

using homeward::internal::v1::FollowUpCaseRecord;
using homeward::internal::v1::FollowUpPlanRecord;
using homeward::internal::v1::FollowUpScheduleRecord;
using homeward::v1::Event;
using homeward::v1::Plan;

// The day (UTC) the event happened: the day a schedule counts from.
homeward::v1::Date EventDay(const Event& event) {
  return api::ToDate(UtcDayOf(event.time()));
}

// The case an event of this feed is about, and where its payload names it.
std::string CaseOf(const Event& event, std::string* field) {
  switch (event.payload_case()) {
    case Event::kPlanApproved:
      *field = "plan_approved.plan.case_id";
      return event.plan_approved().plan().case_id();
    case Event::kPlanRevised:
      *field = "plan_revised.plan.case_id";
      return event.plan_revised().plan().case_id();
    case Event::kActivityStatusChanged:
      *field = "activity_status_changed.case_id";
      return event.activity_status_changed().case_id();
    case Event::kPlanCompleted:
      *field = "plan_completed.plan.case_id";
      return event.plan_completed().plan().case_id();
    case Event::kPlanCancelled:
      *field = "plan_cancelled.plan.case_id";
      return event.plan_cancelled().plan().case_id();
    default:
      return "";
  }
}

Plan Delivering(Plan plan) {
  plan.clear_etag();
  return plan;
}

}  // namespace

PlanView::PlanView(storage::Store* store, storage::PartitionSet owned,
                   const FollowUpCases* cases, ContactStore* contacts,
                   const programme::ProgrammeCatalog* programmes)
    : store_(store),
      owned_(std::move(owned)),
      closures_(store),
      cases_(cases),
      contacts_(contacts),
      programmes_(programmes) {}

homeward::v1::EventSelection PlanView::Selection() const {
  homeward::v1::EventSelection selection;
  for (int payload : {Event::kPlanApproved, Event::kPlanRevised,
                      Event::kActivityStatusChanged, Event::kPlanCompleted,
                      Event::kPlanCancelled}) {
    selection.add_payloads(payload);
  }
  return selection;
}

absl::StatusOr<storage::WriteSet> PlanView::Apply(const Event& event) {
  storage::WriteSet set;
  if (!owned_.Contains(event.partition())) return set;
  std::string field;
  const std::string case_id = CaseOf(event, &field);
  if (field.empty()) return set;  // not an event this view keeps
  RETURN_IF_ERROR(
      cases::CheckEventCaseId(event, case_id, field, owned_.count()));
  const uint32_t partition = event.partition();
  FollowUpPlanRecord record;
  uint64_t applied = 0;
  ASSIGN_OR_RETURN(bool found, store_->GetRecord(partition, kKind, case_id,
                                                 &record, &applied));
  if (found && applied >= event.sequence()) return set;
  record.set_case_id(case_id);
  switch (event.payload_case()) {
    case Event::kPlanApproved: {
      const Plan& plan = event.plan_approved().plan();
      record.set_plan_id(plan.plan_id());
      record.set_status(plan.status());
      // Planning announces the first approval only; a later version is
      // delivered once it becomes ACTIVE (PlanRevised).
      if (plan.version() <= 1) {
        *record.mutable_delivered() = Delivering(plan);
        RETURN_IF_ERROR(ApplyApproved(event, set));
      }
      break;
    }
    case Event::kPlanRevised: {
      const Plan& plan = event.plan_revised().plan();
      record.set_plan_id(plan.plan_id());
      record.set_status(plan.status());
      *record.mutable_delivered() = Delivering(plan);
      RETURN_IF_ERROR(Reschedule(event, case_id, set));
      break;
    }
    case Event::kActivityStatusChanged: {
      const homeward::v1::ActivityStatusChanged& changed =
          event.activity_status_changed();
      if (!record.has_delivered() ||
          changed.plan_version() != record.delivered().version()) {
        break;  // a version not (or no longer) delivered
      }
      for (auto& activity : *record.mutable_delivered()->mutable_activities()) {
        if (activity.activity_id() == changed.activity().activity_id()) {
          activity = changed.activity();
        }
      }
      break;
    }
    case Event::kPlanCompleted:
      record.set_status(homeward::v1::PLAN_STATUS_COMPLETED);
      record.clear_delivered();
      break;
    case Event::kPlanCancelled: {
      record.set_status(homeward::v1::PLAN_STATUS_CANCELLED);
      record.clear_delivered();
      ASSIGN_OR_RETURN(bool reopened_since,
                       ReopenedSince(partition, case_id, event.time()));
      if (!reopened_since) {
        RETURN_IF_ERROR(contacts_->CancelScheduled(partition, case_id,
                                                   kPlanCancelled, set));
      }
      break;
    }
    default:
      break;
  }
  set.PutRecord(partition, kKind, case_id, event.sequence(), record);
  return set;
}

absl::Status PlanView::ApplyApproved(const Event& event,
                                     storage::WriteSet& set) const {
  const uint32_t partition = event.partition();
  const std::string& case_id = event.plan_approved().plan().case_id();
  FollowUpScheduleRecord schedule;
  uint64_t schedule_version = 0;
  ASSIGN_OR_RETURN(bool has_schedule,
                   store_->GetRecord(partition, kScheduleKind, case_id,
                                     &schedule, &schedule_version));
  if (has_schedule && (schedule.scheduled() || schedule.has_approved_on())) {
    return absl::OkStatus();
  }
  schedule.set_case_id(case_id);
  *schedule.mutable_approved_on() = EventDay(event);
  // The assessment feed's view may write the case meanwhile: then this
  // commit fails and the event comes again, finding the case.
  FollowUpCaseRecord record;
  uint64_t record_version = 0;
  ASSIGN_OR_RETURN(bool has_record,
                   store_->GetRecord(partition, kFollowUpCaseKind, case_id,
                                     &record, &record_version));
  set.ExpectVersion(partition, kFollowUpCaseKind, case_id, record_version);
  if (has_record && record.has_return_date() &&
      !record.programme_id().empty()) {
    absl::StatusOr<FollowUpCase> c =
        cases_->GetScopeAndRecord(partition, case_id);
    if (c.ok()) {
      RETURN_IF_ERROR(contacts_->ScheduleFrom(*c, schedule.approved_on(), set));
      schedule.set_scheduled(true);
    } else if (!absl::IsNotFound(c.status())) {
      return c.status();
    }
  }
  set.ExpectVersion(partition, kScheduleKind, case_id, schedule_version)
      .PutRecord(partition, kScheduleKind, case_id, schedule_version + 1,
                 schedule);
  return absl::OkStatus();
}

absl::Status PlanView::Reschedule(const Event& event, absl::string_view case_id,
                                  storage::WriteSet& set) const {
  const uint32_t partition = event.partition();
  FollowUpScheduleRecord schedule;
  uint64_t schedule_version = 0;
  ASSIGN_OR_RETURN(bool has_schedule,
                   store_->GetRecord(partition, kScheduleKind, case_id,
                                     &schedule, &schedule_version));
  // Not scheduled yet: the case's arrival schedules from the latest cadence
  // anyway. A closed case's contacts stay cancelled (a reopening schedules
  // them again).
  if (!has_schedule || !schedule.scheduled()) return absl::OkStatus();
  ASSIGN_OR_RETURN(bool closed, closures_.IsClosed(partition, case_id));
  if (closed) return absl::OkStatus();
  absl::StatusOr<FollowUpCase> c =
      cases_->GetScopeAndRecord(partition, case_id);
  if (absl::IsNotFound(c.status())) return absl::OkStatus();
  RETURN_IF_ERROR(c.status());
  set.ExpectVersion(partition, kFollowUpCaseKind, case_id, c->record_version);
  return contacts_->ScheduleFrom(*c, EventDay(event), set);
}

absl::StatusOr<bool> PlanView::ReopenedSince(
    uint32_t partition, absl::string_view case_id,
    const google::protobuf::Timestamp& time) const {
  absl::StatusOr<homeward::v1::Closure> latest =
      closures_.Latest(partition, case_id);
  if (absl::IsNotFound(latest.status())) return false;
  RETURN_IF_ERROR(latest.status());
  if (latest->status() != homeward::v1::CLOSURE_STATUS_REOPENED) return false;
  const google::protobuf::Timestamp& reopened = latest->update_time();
  return std::make_pair(reopened.seconds(), reopened.nanos()) >
         std::make_pair(time.seconds(), time.nanos());
}

absl::StatusOr<std::optional<Plan>> PlanView::Delivered(
    uint32_t partition, absl::string_view case_id) const {
  FollowUpPlanRecord record;
  ASSIGN_OR_RETURN(bool found, store_->GetRecord(partition, kKind, case_id,
                                                 &record, nullptr));
  if (!found || !record.has_delivered()) return std::optional<Plan>();
  return std::optional<Plan>(std::move(*record.mutable_delivered()));
}

}  // namespace homeward::follow_up
