// Shared pieces of plan changes; see plan_changes.h.
#include "services/planning/plan_changes.h"

#include <utility>

#include "services/planning/plan_queue_index.h"

namespace homeward::planning {

using homeward::v1::Plan;

void MoveTo(Plan& plan, homeward::v1::PlanStatus status,
            const service::Actor& actor, const std::string& comment,
            const google::protobuf::Timestamp& now) {
  plan.set_status(status);
  auto* change = plan.add_history();
  change->set_status(status);
  change->set_user_id(actor.principal.user_id());
  change->set_comment(comment);
  *change->mutable_time() = now;
}

homeward::v1::Event PlanEvent(const Plan& plan) {
  homeward::v1::Event event;
  Plan payload = plan;
  payload.clear_etag();
  switch (plan.status()) {
    case homeward::v1::PLAN_STATUS_APPROVED:
      *event.mutable_plan_approved()->mutable_plan() = std::move(payload);
      break;
    case homeward::v1::PLAN_STATUS_ACTIVE:
      event.mutable_plan_revised()->set_revised_version(plan.version() - 1);
      *event.mutable_plan_revised()->mutable_plan() = std::move(payload);
      break;
    case homeward::v1::PLAN_STATUS_CANCELLED:
      *event.mutable_plan_cancelled()->mutable_plan() = std::move(payload);
      break;
    default:
      *event.mutable_plan_completed()->mutable_plan() = std::move(payload);
      break;
  }
  return event;
}

PlanStore::Change EndingChange(uint32_t partition,
                               const homeward::v1::Date& return_date,
                               Plan latest, std::optional<Plan> delivered,
                               homeward::v1::PlanStatus to,
                               const service::Actor& actor,
                               const std::string& comment,
                               const google::protobuf::Timestamp& now) {
  const std::string case_id = latest.case_id();
  PlanStore::Change change;
  Plan next = latest;
  MoveTo(next, to, actor, comment, now);
  if (to == homeward::v1::PLAN_STATUS_COMPLETED) {
    // Only an ACTIVE latest completes: it is the delivered version.
    UpdateActivityQueue(partition, &latest, nullptr, change.also);
  } else {
    if (delivered.has_value()) {
      UpdateActivityQueue(partition, &*delivered, nullptr, change.also);
    }
    // Cancelling during a revision cancels the plan, the delivered version
    // with it.
    if (delivered.has_value() && delivered->version() != latest.version()) {
      MoveTo(*delivered, homeward::v1::PLAN_STATUS_CANCELLED, actor, comment,
             now);
      change.versions.push_back(*std::move(delivered));
    }
    if (next.version() == 1) {
      LeavePlanQueue(partition, return_date, case_id, change.also);
    }
  }
  change.events.push_back(PlanEvent(next));
  change.versions.push_back(std::move(next));
  change.read_latest = std::move(latest);
  return change;
}

}  // namespace homeward::planning
