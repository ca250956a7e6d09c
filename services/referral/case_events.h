// What the referral service learns from the assessment service's feed:
// - case events keep a composed case directory (cases::CaseDirectory): the
//   scope that answers "may this caller touch this case" and whether it is
//   closed;
// - ConsentChanged with granted=false for purpose REFERRAL withdraws the
//   consent the case's referrals to that recipient (empty: any agency) were
//   shared under: each gets consent_withdrawn=true (the partner's view then
//   holds no summary) and each not final yet becomes CANCELLED with reason
//   "consent withdrawn" (side REQUESTER, user the event's actor), with its
//   ReferralStatusChanged;
// - a case closed (its stage CLOSED) keeps its referrals: the follow-up
//   service's CaseClosed cancels them (case_closures.h); the directory's
//   scope then refuses changes of the case's referrals;
// - a case event that moves the case to another office (a transfer) moves
//   its referrals' office_id, and so their entries in the office queues,
//   unless the event is older than the scope already kept.
// - CaseAnonymised (the retention job, docs/RETENTION.md) removes from each
//   of the case's referrals what may identify or reach the returnee
//   (AnonymisedReferral): the partner's view then shows no summary; coded
//   fields, statuses and times stay, so the referral indicators do not move;
// Referral changes go through ReferralStore::PrepareChange, so they expect
// the version read: a handler's write in between makes the commit fail and
// the follower retry the event. Redelivery changes nothing: a withdrawn or
// final referral is skipped, and a withdrawal never touches a referral
// created after the consent record it carries.
//
//   ReferralCaseEvents cases(store, owned, &referrals);
//   // ...handed to the feed follower of the assessment feed.
//   ASSIGN_OR_RETURN(cases::CaseScope scope,
//                    cases.Authorize(principal, case_id, "case_id",
//                                    cases::CaseAction::kUpdate));
#ifndef HOMEWARD_SERVICES_REFERRAL_CASE_EVENTS_H_
#define HOMEWARD_SERVICES_REFERRAL_CASE_EVENTS_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/cases/case_access.h"
#include "common/cases/case_directory.h"
#include "common/cases/case_scope.h"
#include "common/feeds/event_consumer.h"
#include "common/storage/partitions.h"
#include "common/storage/store.h"
#include "common/storage/write_set.h"
#include "homeward/internal/v1/principal.pb.h"
#include "homeward/v1/events.pb.h"
#include "services/referral/referral_store.h"

namespace homeward::referral {

inline constexpr char kConsentWithdrawnReason[] = "consent withdrawn";

// `referral` without the shared summary and the free text that may name the
// returnee (purpose, outcome, status reasons, a consent override's reason).
homeward::v1::Referral AnonymisedReferral(homeward::v1::Referral referral);

class ReferralCaseEvents : public feeds::EventConsumer {
 public:
  static constexpr char kName[] = "referral_case_events";

  // None owned; `store` and `referrals` must outlive this.
  ReferralCaseEvents(storage::Store* store, storage::PartitionSet owned,
                     ReferralStore* referrals);

  std::string name() const override { return kName; }
  // The directory's change for case events, plus the referral changes of a
  // consent withdrawal or a transfer; an empty set otherwise and for
  // partitions not owned.
  absl::StatusOr<storage::WriteSet> Apply(
      const homeward::v1::Event& event) override;
  // Reads the case's referrals, all in the event's partition.
  bool ReadsOwnProjection() const override { return true; }
  bool ReadsOnlyEventPartition() const override { return true; }
  // The directory's case events and consent changes.
  homeward::v1::EventSelection Selection() const override;

  // The directory's answers (cases::CaseDirectory).
  absl::StatusOr<cases::CaseScope> Get(absl::string_view case_id) const {
    return directory_.Get(case_id);
  }
  absl::StatusOr<cases::CaseScope> Authorize(
      const homeward::internal::v1::Principal& principal,
      absl::string_view case_id, absl::string_view field,
      cases::CaseAction action,
      const cases::PartnerGrant* grant = nullptr) const {
    return directory_.Authorize(principal, case_id, field, action, grant);
  }

 private:
  absl::Status ApplyWithdrawal(const homeward::v1::Event& event,
                               storage::WriteSet& set) const;
  absl::Status ApplyAnonymised(const homeward::v1::Event& event,
                               storage::WriteSet& set) const;
  // The case's office for its referrals' queues.
  absl::Status ApplyCase(const homeward::v1::Event& event,
                         storage::WriteSet& set) const;

  storage::PartitionSet owned_;
  ReferralStore* referrals_;
  cases::CaseDirectory directory_;
};

}  // namespace homeward::referral

#endif  // HOMEWARD_SERVICES_REFERRAL_CASE_EVENTS_H_
