// The pieces of plan workflow steps that both the PlanService handlers and
// the planning service's feed consumers build changes from (plan_service.h,
// plan_follow_up.h): a status move recorded in the plan's history, the event
// a version's status announces, and the whole change that ends a plan
// (completed or cancelled), so that a plan ended by a case's closure is
// written exactly as CompletePlan and CancelPlan write it.
//
//   MoveTo(next, PLAN_STATUS_AGREED, actor, comment, now);
//   PlanStore::Change change = EndingChange(
//       partition, context.return_date(), latest, delivered,
//       PLAN_STATUS_CANCELLED, actor, "returnee re-migrated", now);
//   plans->ApplyAsync(actor, partition, case_id, latest.etag(),
//                     std::move(change), done);
#ifndef HOMEWARD_SERVICES_PLANNING_PLAN_CHANGES_H_
#define HOMEWARD_SERVICES_PLANNING_PLAN_CHANGES_H_

#include <optional>
#include <string>

#include "common/service/actor.h"
#include "google/protobuf/timestamp.pb.h"
#include "homeward/v1/common.pb.h"
#include "homeward/v1/events.pb.h"
#include "homeward/v1/planning.pb.h"
#include "services/planning/plan_store.h"

namespace homeward::planning {

// Moves `plan` to `status`, recording who did it, why and when.
void MoveTo(homeward::v1::Plan& plan, homeward::v1::PlanStatus status,
            const service::Actor& actor, const std::string& comment,
            const google::protobuf::Timestamp& now);

// The event `plan`'s status announces: PlanApproved (APPROVED), PlanRevised
// (ACTIVE: a revision took over), PlanCancelled (CANCELLED), PlanCompleted
// (any other, i.e. COMPLETED).
homeward::v1::Event PlanEvent(const homeward::v1::Plan& plan);

// The change that ends the plan whose latest version is `latest` (as read,
// with its etag): the latest moved to `to` (COMPLETED, of an ACTIVE latest,
// or CANCELLED), its event, the delivered version `delivered`
// (PlanStore::ActiveVersion) out of the overdue-activity queue, a revision's
// delivered version cancelled with it, and a version 1 out of the
// awaiting-plan queue under the case's `return_date`. The workflow check
// (which step from which status, by whom) is the caller's.
PlanStore::Change EndingChange(
    uint32_t partition, const homeward::v1::Date& return_date,
    homeward::v1::Plan latest, std::optional<homeward::v1::Plan> delivered,
    homeward::v1::PlanStatus to, const service::Actor& actor,
    const std::string& comment, const google::protobuf::Timestamp& now);

}  // namespace homeward::planning

#endif  // HOMEWARD_SERVICES_PLANNING_PLAN_CHANGES_H_
