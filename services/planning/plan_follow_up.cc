// The follow-up feed's effects on plans; see plan_follow_up.h.
#include "services/planning/plan_follow_up.h"

#include <algorithm>
#include <optional>
#include <utility>

#include "absl/strings/str_cat.h"
#include "common/service/actor.h"
#include "common/status/status_macros.h"
#include "common/storage/clock.h"
#include "homeward/v1/follow_up.pb.h"
#include "services/planning/plan_changes.h"

namespace homeward::planning {
namespace {

using homeward::v1::Event;
using homeward::v1::Plan;

// The follow-up service acting: the user whose act emitted the event.
service::Actor ActorOf(const Event& event) {
  service::Actor actor;
  actor.principal.set_user_id(event.actor_user_id());
  actor.principal.set_role(homeward::v1::ROLE_SERVICE);
  actor.request_id = event.request_id();
  actor.method = PlanFollowUp::kMethod;
  return actor;
}

bool IsFinal(homeward::v1::PlanStatus status) {
  return status == homeward::v1::PLAN_STATUS_COMPLETED ||
         status == homeward::v1::PLAN_STATUS_CANCELLED ||
         status == homeward::v1::PLAN_STATUS_SUPERSEDED;
}

// Whether delivering `plan` is over: every activity DONE or DROPPED.
bool Delivered(const Plan& plan) {
  return std::all_of(
      plan.activities().begin(), plan.activities().end(),
      [](const homeward::v1::PlanActivity& a) {
        return a.status() == homeward::v1::ACTIVITY_STATUS_DONE ||
               a.status() == homeward::v1::ACTIVITY_STATUS_DROPPED;
      });
}

}  // namespace

homeward::v1::EventSelection PlanFollowUp::Selection() const {
  homeward::v1::EventSelection selection;
  selection.add_payloads(Event::kCaseClosed);
  selection.add_payloads(Event::kFollowUpRecorded);
  return selection;
}

absl::StatusOr<storage::WriteSet> PlanFollowUp::Apply(const Event& event) {
  std::string case_id;
  if (event.has_case_closed()) {
    case_id = event.case_closed().closure().case_id();
  } else if (event.has_follow_up_recorded() &&
             event.follow_up_recorded().contact().plan_revision_needed()) {
    case_id = event.follow_up_recorded().contact().case_id();
  } else {
    return storage::WriteSet();
  }
  if (case_id.empty()) case_id = event.subject_id();
  const uint32_t p = event.partition();
  absl::StatusOr<Plan> read = plans_->Get(p, case_id, 0);
  // No plan (or none in a partition held here): nothing to end or revise.
  if (absl::IsNotFound(read.status())) return storage::WriteSet();
  RETURN_IF_ERROR(read.status());
  Plan latest = *std::move(read);
  if (IsFinal(latest.status())) return storage::WriteSet();
  const service::Actor actor = ActorOf(event);
  const std::string etag = latest.etag();

  if (event.has_case_closed()) {
    ASSIGN_OR_RETURN(std::optional<Plan> delivered,
                     plans_->ActiveVersion(p, latest));
    const homeward::v1::PlanStatus to =
        latest.status() == homeward::v1::PLAN_STATUS_ACTIVE && Delivered(latest)
            ? homeward::v1::PLAN_STATUS_COMPLETED
            : homeward::v1::PLAN_STATUS_CANCELLED;
    // The awaiting-plan queue entry of a version 1 is under the case's
    // return date; a case this projection has not seen has none.
    homeward::v1::Date return_date;
    absl::StatusOr<CaseContext> context =
        cases_->GetScopeAndContext(p, case_id);
    if (context.ok()) {
      return_date = context->context.return_date();
    } else if (!absl::IsNotFound(context.status())) {
      return context.status();
    }
    const std::string comment = absl::StrCat(
        "case closed: ", homeward::v1::ClosureReason_Name(
                             event.case_closed().closure().reason()));
    PlanStore::Change change =
        EndingChange(p, return_date, std::move(latest), std::move(delivered),
                     to, actor, comment, storage::NowTimestamp());
    return plans_->PrepareChange(actor, p, case_id, etag, std::move(change));
  }

  const homeward::v1::FollowUpContact& contact =
      event.follow_up_recorded().contact();
  if (latest.revision_request().contact_id() == contact.contact_id()) {
    return storage::WriteSet();  // already asked by this contact
  }
  homeward::v1::PlanRevisionRequest* request =
      latest.mutable_revision_request();
  request->set_contact_id(contact.contact_id());
  request->set_reason(contact.plan_revision_reason());
  request->set_requested_by(event.actor_user_id());
  *request->mutable_contact_date() = contact.contact_date();
  // The latest version itself is rewritten: the store needs only its version
  // and etag besides (PlanStore::Change::read_latest).
  Plan read_latest;
  read_latest.set_version(latest.version());
  read_latest.set_etag(etag);
  PlanStore::Change change;
  change.versions.push_back(std::move(latest));
  change.read_latest = std::move(read_latest);
  return plans_->PrepareChange(actor, p, case_id, etag, std::move(change));
}

}  // namespace homeward::planning
