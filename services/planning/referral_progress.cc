// Activities following their referrals; see referral_progress.h.
#include "services/planning/referral_progress.h"

#include <optional>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/server/log.h"
#include "common/service/actor.h"
#include "common/status/status_macros.h"
#include "services/planning/plan_queue_index.h"
#include "services/planning/plan_workflow.h"

namespace homeward::planning {
namespace {

using homeward::v1::ActivityStatus;
using homeward::v1::Event;
using homeward::v1::Plan;
using homeward::v1::PlanActivity;
using homeward::v1::Referral;
using homeward::v1::ReferralStatus;

PlanActivity* FindActivity(Plan& plan, const std::string& activity_id) {
  for (PlanActivity& a : *plan.mutable_activities()) {
    if (a.activity_id() == activity_id) return &a;
  }
  return nullptr;
}

// Where delivery of an activity goes when its referral reaches `status`;
// nullopt: it does not move.
std::optional<ActivityStatus> DeliveryFor(ReferralStatus status) {
  switch (status) {
    case homeward::v1::REFERRAL_STATUS_ACCEPTED:
    case homeward::v1::REFERRAL_STATUS_READY:
    case homeward::v1::REFERRAL_STATUS_IN_PROGRESS:
      return homeward::v1::ACTIVITY_STATUS_IN_PROGRESS;
    case homeward::v1::REFERRAL_STATUS_COMPLETED:
      return homeward::v1::ACTIVITY_STATUS_DONE;
    default:
      return std::nullopt;
  }
}

// Records the referral on `activity`; false when it already showed it or
// shows a later referral.
bool ShowReferral(PlanActivity& activity, const Referral& referral) {
  if (activity.referral_id() > referral.referral_id()) return false;
  if (activity.referral_id() == referral.referral_id() &&
      activity.referral_status() == referral.status()) {
    return false;
  }
  activity.set_referral_id(referral.referral_id());
  activity.set_referral_status(referral.status());
  return true;
}

// The referral service acting: the user whose step emitted the event.
service::Actor FeedActor(const Event& event) {
  service::Actor actor;
  actor.principal.set_user_id(event.actor_user_id());
  actor.principal.set_role(homeward::v1::ROLE_SERVICE);
  actor.request_id = event.request_id();
  actor.method = ReferralProgress::kMethod;
  return actor;
}

}  // namespace

absl::StatusOr<storage::WriteSet> ReferralProgress::Apply(const Event& event) {
  if (!event.has_referral_status_changed()) return storage::WriteSet();
  const Referral& referral = event.referral_status_changed().referral();
  if (!referral.has_activity() || referral.referral_id().empty()) {
    return storage::WriteSet();
  }
  const uint32_t p = event.partition();
  const std::string& case_id = referral.case_id();
  const std::string& plan_id = referral.activity().plan_id();
  const std::string& activity_id = referral.activity().activity_id();
  auto skip = [&](absl::string_view why) {
    unknown_.fetch_add(1, std::memory_order_relaxed);
    // Identifiers only.
    server::Log("warn", why,
                {{"consumer", kName},
                 {"partition", absl::StrCat(p)},
                 {"sequence", absl::StrCat(event.sequence())},
                 {"case_id", case_id},
                 {"plan_id", plan_id},
                 {"activity_id", activity_id}});
    return storage::WriteSet();
  };

  absl::StatusOr<Plan> read = plans_->Get(p, case_id, 0);
  if (absl::IsNotFound(read.status())) {
    return skip("referral names a plan not held here");
  }
  RETURN_IF_ERROR(read.status());
  Plan latest = *std::move(read);
  if (latest.plan_id() != plan_id) {
    return skip("referral names a plan not held here");
  }
  ASSIGN_OR_RETURN(std::optional<Plan> active,
                   plans_->ActiveVersion(p, latest));

  // The versions the change rewrites: the latest that has the activity,
  // and the delivered one.
  std::optional<Plan> shown;
  for (int32_t v = latest.version(); v >= 1 && !shown.has_value(); --v) {
    if (active.has_value() && v == active->version()) break;
    Plan version = v == latest.version() ? latest : Plan();
    if (v != latest.version()) {
      ASSIGN_OR_RETURN(version, plans_->Get(p, case_id, v));
    }
    if (FindActivity(version, activity_id) != nullptr) {
      shown = std::move(version);
    }
  }
  PlanActivity* on_active =
      active.has_value() ? FindActivity(*active, activity_id) : nullptr;
  if (!shown.has_value() && on_active == nullptr) {
    return skip("referral names an activity not in the plan");
  }

  PlanStore::Change change;
  if (shown.has_value() &&
      ShowReferral(*FindActivity(*shown, activity_id), referral)) {
    change.versions.push_back(*std::move(shown));
  }
  if (on_active != nullptr) {
    const Plan before = *active;
    bool changed = ShowReferral(*on_active, referral);
    // Only the latest referral moves delivery.
    const std::optional<ActivityStatus> target =
        on_active->referral_id() == referral.referral_id()
            ? DeliveryFor(referral.status())
            : std::nullopt;
    // PLANNED -> IN_PROGRESS -> DONE, a step at a time, each allowed by the
    // workflow (plan ACTIVE, activity not dropped or done).
    while (target.has_value() && on_active->status() != *target) {
      const ActivityStatus next =
          on_active->status() == homeward::v1::ACTIVITY_STATUS_PLANNED
              ? homeward::v1::ACTIVITY_STATUS_IN_PROGRESS
              : *target;
      if (!CheckActivityStatusChange(active->status(), on_active->status(),
                                     next, "")
               .ok()) {
        break;
      }
      on_active->set_status(next);
      on_active->clear_status_reason();
      Event moved;
      auto* payload = moved.mutable_activity_status_changed();
      payload->set_case_id(case_id);
      payload->set_plan_id(active->plan_id());
      payload->set_plan_version(active->version());
      *payload->mutable_activity() = *on_active;
      change.events.push_back(std::move(moved));
      changed = true;
    }
    if (!change.events.empty()) {
      UpdateActivityQueue(p, &before, &*active, change.also);
    }
    if (changed) change.versions.push_back(*std::move(active));
  }
  if (change.versions.empty()) return storage::WriteSet();
  const std::string etag = latest.etag();
  change.read_latest = std::move(latest);
  return plans_->PrepareChange(FeedActor(event), p, case_id, etag,
                               std::move(change));
}

}  // namespace homeward::planning
