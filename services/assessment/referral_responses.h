// The needs and protection concerns that referrals answer, kept from the
// referral service's feed (ReferralStatusChanged, for referrals linked to a
// need or a concern): while a referral is live (REQUESTED, RECEIVED,
// ACCEPTED, READY, IN_PROGRESS, ON_HOLD) the record it answers lists the
// responder {REFERRAL, "<referral_id>"}, and an OPEN one becomes
// BEING_ADDRESSED; a referral that ends without the service (REJECTED,
// CANCELLED, FAILED, ENTERED_IN_ERROR) withdraws it (the last withdrawal
// makes the record OPEN again); a COMPLETED referral keeps it, so that the
// case manager resolves the need; a DRAFT changes nothing. Each change is
// the NeedStore change with its NeedChanged or ProtectionConcernChanged
// event and audit entry (actor: the event's user, method "feed/referral"),
// returned as a WriteSet that the feed follower commits with its cursor
// (responder_changes.h, shared with the planning feed's consumer). The
// plan activity a referral is linked to is the planning service's concern
// (its referral_progress.h).
//
//   auto* responses = parts.Own(std::make_unique<ReferralResponses>(needs));
//   ASSIGN_OR_RETURN(feeds::FeedFollower * follower,
//                    service::FollowUpstream(parts, "referral", responses));
#ifndef HOMEWARD_SERVICES_ASSESSMENT_REFERRAL_RESPONSES_H_
#define HOMEWARD_SERVICES_ASSESSMENT_REFERRAL_RESPONSES_H_

#include <string>

#include "absl/status/statusor.h"
#include "common/feeds/event_consumer.h"
#include "common/storage/write_set.h"
#include "homeward/v1/events.pb.h"
#include "services/assessment/need_store.h"
#include "services/assessment/responder_changes.h"

namespace homeward::assessment {

class ReferralResponses : public feeds::EventConsumer {
 public:
  static constexpr char kName[] = "assessment_referral_responses";
  // The method audit entries and events of these changes name.
  static constexpr char kMethod[] = "feed/referral";

  // Ids that name no need or concern of the referral's case here, and
  // records left alone because they are no longer open (as PlanResponses).
  using Skipped = SkippedRecords;

  explicit ReferralResponses(const NeedStore* needs) : needs_(needs) {}

  std::string name() const override { return kName; }
  // An empty set for other events, referrals linked to no need or concern,
  // and an event already applied.
  absl::StatusOr<storage::WriteSet> Apply(
      const homeward::v1::Event& event) override;
  // It reads the record it changes, in the event's (the case's) partition.
  bool ReadsOwnProjection() const override { return true; }
  bool ReadsOnlyEventPartition() const override { return true; }
  // ReferralStatusChanged only.
  homeward::v1::EventSelection Selection() const override;

  Skipped skipped() const { return skipped_.Read(); }

 private:
  const NeedStore* needs_;
  SkippedTally skipped_;
};

}  // namespace homeward::assessment

#endif  // HOMEWARD_SERVICES_ASSESSMENT_REFERRAL_RESPONSES_H_
