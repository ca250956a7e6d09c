// Plan activities answering needs and concerns; see plan_responses.h.
#include "services/assessment/plan_responses.h"

#include <algorithm>
#include <map>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/status/status_macros.h"
#include "services/assessment/case_stages.h"
#include "services/assessment/feed_stage_moves.h"
#include "services/assessment/need_rules.h"

namespace homeward::assessment {
namespace {

using homeward::v1::Event;
using homeward::v1::Plan;
using homeward::v1::PlanActivity;
using homeward::v1::Responder;

using Changes = RecordResponderChanges;
using CaseChanges = ResponderChanges;

constexpr int kCasePage = 200;

std::string ResponderPrefix(absl::string_view plan_id) {
  return absl::StrCat(plan_id, "/");
}

Responder ActivityResponder(absl::string_view plan_id,
                            absl::string_view activity_id) {
  Responder r;
  r.set_kind(homeward::v1::RESPONDER_KIND_PLAN_ACTIVITY);
  r.set_id(absl::StrCat(ResponderPrefix(plan_id), activity_id));
  return r;
}

// Every need and concern the plan's activities answer, with the activity's
// responder. A DROPPED activity (copied into a revision) answers nothing.
CaseChanges Answered(const Plan& plan) {
  CaseChanges changes;
  for (const PlanActivity& a : plan.activities()) {
    if (a.status() == homeward::v1::ACTIVITY_STATUS_DROPPED) continue;
    const Responder r = ActivityResponder(plan.plan_id(), a.activity_id());
    for (const std::string& id : a.need_ids())
      changes.needs[id].add.push_back(r);
    for (const std::string& id : a.concern_ids()) {
      changes.concerns[id].add.push_back(r);
    }
  }
  return changes;
}

// Adds to `changes` the withdrawal of every responder of the plan that an
// open `record` lists and that the plan no longer answers it with.
template <typename Record>
void WithdrawStale(const Record& record, const std::string& id,
                   absl::string_view prefix, Changes& changes) {
  if (!IsOpen(record.status())) return;
  for (const Responder& r : record.addressed_by()) {
    if (r.kind() != homeward::v1::RESPONDER_KIND_PLAN_ACTIVITY ||
        !absl::StartsWith(r.id(), prefix)) {
      continue;
    }
    auto it = changes.find(id);
    const bool kept =
        it != changes.end() &&
        std::any_of(it->second.add.begin(), it->second.add.end(),
                    [&r](const Responder& a) { return a.id() == r.id(); });
    if (!kept) changes[id].withdraw.push_back(r);
  }
}

// The plan's responders on the case's records that `changes` does not keep.
absl::Status AddStale(const NeedStore& needs, uint32_t p, const Plan& plan,
                      CaseChanges& changes) {
  const std::string prefix = ResponderPrefix(plan.plan_id());
  std::string token;
  do {
    ASSIGN_OR_RETURN(
        auto page,
        needs.ListNeeds(p, plan.case_id(), homeward::v1::DIMENSION_UNSPECIFIED,
                        {}, kCasePage, token));
    for (const auto& n : page.items) {
      WithdrawStale(n, n.need_id(), prefix, changes.needs);
    }
    token = std::move(page.next_page_token);
  } while (!token.empty());
  do {
    ASSIGN_OR_RETURN(
        auto page, needs.ListConcerns(p, plan.case_id(), {}, kCasePage, token));
    for (const auto& c : page.items) {
      WithdrawStale(c, c.concern_id(), prefix, changes.concerns);
    }
    token = std::move(page.next_page_token);
  } while (!token.empty());
  return absl::OkStatus();
}

}  // namespace

homeward::v1::EventSelection PlanResponses::Selection() const {
  homeward::v1::EventSelection selection;
  selection.add_payloads(Event::kPlanCreated);
  selection.add_payloads(Event::kPlanApproved);
  selection.add_payloads(Event::kPlanRevised);
  selection.add_payloads(Event::kPlanCompleted);
  selection.add_payloads(Event::kPlanCancelled);
  selection.add_payloads(Event::kActivityStatusChanged);
  selection.add_activity_statuses(homeward::v1::ACTIVITY_STATUS_DROPPED);
  return selection;
}

absl::StatusOr<storage::WriteSet> PlanResponses::Apply(const Event& event) {
  const uint32_t p = event.partition();
  std::string case_id;
  CaseChanges changes;
  // The planning service acting: the user whose step emitted the event.
  storage::WriteSet set;
  switch (event.payload_case()) {
    case Event::kPlanCreated:
      RETURN_IF_ERROR(AddStageMove(*cases_, event,
                                   event.plan_created().case_id(), kPlanCreated,
                                   kMethod, set));
      return set;
    case Event::kPlanCompleted:
      // Its activities' needs stay BEING_ADDRESSED: the case manager
      // resolves them.
      RETURN_IF_ERROR(AddStageMove(*cases_, event,
                                   event.plan_completed().plan().case_id(),
                                   kPlanCompleted, kMethod, set));
      return set;
    case Event::kPlanApproved:
      case_id = event.plan_approved().plan().case_id();
      changes = Answered(event.plan_approved().plan());
      RETURN_IF_ERROR(
          AddStageMove(*cases_, event, case_id, kPlanApproved, kMethod, set));
      break;
    case Event::kPlanRevised: {
      const Plan& plan = event.plan_revised().plan();
      case_id = plan.case_id();
      changes = Answered(plan);
      RETURN_IF_ERROR(AddStale(*needs_, p, plan, changes));
      break;
    }
    case Event::kPlanCancelled: {
      // Nothing kept: every responder of the plan is withdrawn.
      const Plan& plan = event.plan_cancelled().plan();
      case_id = plan.case_id();
      RETURN_IF_ERROR(AddStale(*needs_, p, plan, changes));
      break;
    }
    case Event::kActivityStatusChanged: {
      const auto& changed = event.activity_status_changed();
      // DONE keeps the records BEING_ADDRESSED: the case manager resolves
      // them.
      if (changed.activity().status() !=
          homeward::v1::ACTIVITY_STATUS_DROPPED) {
        return storage::WriteSet();
      }
      case_id = changed.case_id();
      const Responder r = ActivityResponder(changed.plan_id(),
                                            changed.activity().activity_id());
      for (const std::string& id : changed.activity().need_ids()) {
        changes.needs[id].withdraw.push_back(r);
      }
      for (const std::string& id : changed.activity().concern_ids()) {
        changes.concerns[id].withdraw.push_back(r);
      }
      break;
    }
    default:
      return storage::WriteSet();
  }

  RETURN_IF_ERROR(PlanResponderChanges(*needs_, FeedActor(event, kMethod),
                                       event, case_id, changes, kName, skipped_,
                                       set));
  return set;
}

}  // namespace homeward::assessment
