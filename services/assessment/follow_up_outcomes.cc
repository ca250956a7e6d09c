// The follow-up feed's effects on cases and needs; see follow_up_outcomes.h.
#include "services/assessment/follow_up_outcomes.h"

#include <utility>

#include "common/status/status_macros.h"
#include "common/storage/clock.h"
#include "services/assessment/case_stages.h"
#include "services/assessment/feed_stage_moves.h"
#include "services/assessment/responder_changes.h"

namespace homeward::assessment {
namespace {

using homeward::v1::Event;

// The case an event is about: its payload's, else the event's subject.
const std::string& CaseOf(const Event& event, const std::string& payload_id) {
  return payload_id.empty() ? event.subject_id() : payload_id;
}

}  // namespace

homeward::v1::EventSelection FollowUpOutcomes::Selection() const {
  homeward::v1::EventSelection selection;
  selection.add_payloads(Event::kCaseClosed);
  selection.add_payloads(Event::kCaseReopened);
  selection.add_payloads(Event::kFollowUpRecorded);
  return selection;
}

absl::StatusOr<storage::WriteSet> FollowUpOutcomes::Apply(const Event& event) {
  storage::WriteSet set;
  switch (event.payload_case()) {
    case Event::kCaseClosed:
      RETURN_IF_ERROR(
          AddStageMove(*cases_, event,
                       CaseOf(event, event.case_closed().closure().case_id()),
                       kCaseClosed, kMethod, set));
      return set;
    case Event::kCaseReopened:
      RETURN_IF_ERROR(
          AddStageMove(*cases_, event,
                       CaseOf(event, event.case_reopened().closure().case_id()),
                       kCaseReopened, kMethod, set));
      return set;
    case Event::kFollowUpRecorded:
      break;
    default:
      return set;
  }
  const homeward::v1::FollowUpContact& contact =
      event.follow_up_recorded().contact();
  NeedStore::FollowUpFindings findings;
  findings.case_id = CaseOf(event, contact.case_id());
  findings.contact_id = contact.contact_id();
  findings.user_id = event.actor_user_id();
  findings.time = event.has_time() ? event.time() : storage::NowTimestamp();
  findings.needs.assign(contact.new_needs().begin(), contact.new_needs().end());
  if (contact.distress_signs_observed()) {
    homeward::v1::RaisedFlag& distress = findings.concerns.emplace_back();
    distress.set_code(kDistressConcernCode);
    distress.set_label(kDistressConcernLabel);
    distress.set_priority(homeward::v1::NEED_PRIORITY_HIGH);
    distress.set_response_category(kDistressResponseCategory);
  }
  // A case not held here (another replica's partition, or not registered
  // in this store) has no records to merge into.
  absl::Status held = cases_->Get(findings.case_id).status();
  if (absl::IsNotFound(held) || absl::IsFailedPrecondition(held)) return set;
  RETURN_IF_ERROR(held);
  RETURN_IF_ERROR(needs_
                      ->MergeFollowUp(FeedActor(event, kMethod),
                                      event.partition(), findings, set)
                      .status());
  return set;
}

}  // namespace homeward::assessment
