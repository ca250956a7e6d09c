// What the assessment service does with the follow-up service's feed:
// - CaseClosed moves the case to CLOSED (cause "CaseClosed") and
//   CaseReopened back to the stage it had before (cause "CaseReopened"),
//   each with its CaseStageChanged event (feed_stage_moves.h); a CLOSED
//   case then refuses every change here but consent decisions
//   (case_scope.h);
// - FollowUpRecorded merges the contact's new needs into the case's needs
//   and, when distress signs were observed, raises the protection concern
//   PSYCHOSOCIAL_FOLLOW_UP (or adds a source to the open one), each source
//   naming the contact (FindingSource.follow_up_contact_id) and added by the
//   event's user (NeedStore::MergeFollowUp).
// Actor: the event's user acting through the service, method
// "feed/follow_up". Redelivery changes nothing: a case already at the
// stage an event moves it to is not moved, and a contact that a record's
// source already names is not merged again.
//
//   auto* outcomes =
//       parts.Own(std::make_unique<FollowUpOutcomes>(cases, needs));
//   RETURN_IF_ERROR(
//       service::FollowUpstream(parts, "follow_up", outcomes, channels)
//           .status());
#ifndef HOMEWARD_SERVICES_ASSESSMENT_FOLLOW_UP_OUTCOMES_H_
#define HOMEWARD_SERVICES_ASSESSMENT_FOLLOW_UP_OUTCOMES_H_

#include <string>

#include "absl/status/statusor.h"
#include "common/feeds/event_consumer.h"
#include "common/storage/write_set.h"
#include "homeward/v1/events.pb.h"
#include "services/assessment/case_store.h"
#include "services/assessment/need_store.h"

namespace homeward::assessment {

// The concern distress signs at a follow-up contact raise. Its response
// is psychosocial support: the taxonomy's individual counselling component
// (deploy/taxonomy/reintegration.textproto, dimension PSYCHOSOCIAL).
inline constexpr char kDistressConcernCode[] = "PSYCHOSOCIAL_FOLLOW_UP";
inline constexpr char kDistressConcernLabel[] =
    "Distress observed at follow-up";
inline constexpr char kDistressResponseCategory[] = "individual_counselling";

class FollowUpOutcomes : public feeds::EventConsumer {
 public:
  static constexpr char kName[] = "assessment_follow_up_outcomes";
  // The method audit entries and events of these changes name.
  static constexpr char kMethod[] = "feed/follow_up";

  // Neither owned; both must outlive this.
  FollowUpOutcomes(const CaseStore* cases, const NeedStore* needs)
      : cases_(cases), needs_(needs) {}

  std::string name() const override { return kName; }
  // An empty set for other events, cases not held here, and events already
  // applied.
  absl::StatusOr<storage::WriteSet> Apply(
      const homeward::v1::Event& event) override;
  // It reads the case and its needs, in the event's (the case's) partition.
  bool ReadsOwnProjection() const override { return true; }
  bool ReadsOnlyEventPartition() const override { return true; }
  // CaseClosed, CaseReopened and FollowUpRecorded (not FollowUpMissed).
  homeward::v1::EventSelection Selection() const override;

 private:
  const CaseStore* cases_;
  const NeedStore* needs_;
};

}  // namespace homeward::assessment

#endif  // HOMEWARD_SERVICES_ASSESSMENT_FOLLOW_UP_OUTCOMES_H_
