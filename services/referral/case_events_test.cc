// The referral service's assessment-feed consumer, fed hand-made events the
// way the feed follower feeds it (tests/fixtures/consumer_loop.h) on a real
// store: case scope, consent withdrawal (by recipient or for any agency),
// a closed case's scope, transfers, redelivery changing nothing, and a
// reopened store keeping it all.
#include "services/referral/case_events.h"

#include <memory>
#include <string>
#include <vector>

#include "common/cases/case_access.h"
#include "common/status/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/referral/referral_indexes.h"
#include "services/referral/referral_test_data.h"
#include "services/referral/shared_view.h"
#include "tests/fixtures/consumer_loop.h"
#include "tests/fixtures/temp_dir.h"

namespace homeward::referral {
namespace {

using ::homeward::referral::testing::ActorNamed;
using ::homeward::referral::testing::CaseAt;
using ::homeward::referral::testing::CaseRegisteredEvent;
using ::homeward::referral::testing::CaseStageChangedEvent;
using ::homeward::referral::testing::ConsentWithdrawnEvent;
using ::homeward::referral::testing::SentReferral;
using ::homeward::testing::ApplyAndCommit;
using ::homeward::testing::IsOk;
using ::homeward::testing::SelectedPayloads;
using ::homeward::testing::StatusIs;
using ::homeward::testing::TempDir;
using v1::Referral;

constexpr uint32_t kPartitions = 8;
const char kCase[] = "C-events-1";

class ReferralCaseEventsTest : public ::testing::Test {
 protected:
  void SetUp() override { Open(); }

  void Open() {
    events_.reset();
    referrals_.reset();
    store_.reset();
    auto store = storage::Store::Open(
        {.path = dir_.path() + "/db", .partition_count = kPartitions});
    ASSERT_THAT(store.status(), IsOk());
    store_ = std::move(*store);
    referrals_ = std::make_unique<ReferralStore>(store_.get(), &owned_);
    events_ = std::make_unique<ReferralCaseEvents>(store_.get(), owned_,
                                                   referrals_.get());
  }

  uint32_t Partition() { return storage::PartitionOf(kCase, kPartitions); }

  void Register() {
    ASSERT_THAT(ApplyAndCommit(*events_, *store_,
                               CaseRegisteredEvent(
                                   CaseAt(kCase, 1, "office-dakar",
                                          v1::CASE_STAGE_INTAKE, kPartitions),
                                   1, kPartitions)),
                IsOk());
  }

  Referral Create(const std::string& org,
                  v1::ReferralStatus status = v1::REFERRAL_STATUS_REQUESTED) {
    Referral r = SentReferral(kCase, org, "office-dakar");
    r.set_status(status);
    auto created = referrals_->Create(ActorNamed("cm-1", v1::ROLE_CASE_MANAGER),
                                      Partition(), "", r);
    EXPECT_THAT(created.status(), IsOk());
    return created.ok() ? *created : Referral();
  }

  Referral Get(const Referral& r) {
    auto read = referrals_->Get(Partition(), kCase, r.referral_id());
    EXPECT_THAT(read.status(), IsOk());
    return read.ok() ? *read : Referral();
  }

  size_t EventCount() {
    auto events = store_->ReadEvents(Partition(), 0, 1000);
    EXPECT_THAT(events.status(), IsOk());
    return events.ok() ? events->size() : 0;
  }

  TempDir dir_;
  storage::PartitionSet owned_ = storage::PartitionSet::All(kPartitions);
  std::unique_ptr<storage::Store> store_;
  std::unique_ptr<ReferralStore> referrals_;
  std::unique_ptr<ReferralCaseEvents> events_;
};

TEST_F(ReferralCaseEventsTest, CaseEventsKeepTheScope) {
  auto manager = homeward::internal::v1::Principal();
  manager.set_user_id("cm-1");
  manager.set_role(v1::ROLE_CASE_MANAGER);
  manager.add_office_ids("office-dakar");
  EXPECT_THAT(
      events_->Authorize(manager, kCase, "case_id", cases::CaseAction::kUpdate)
          .status(),
      StatusIs(absl::StatusCode::kNotFound));
  Register();
  auto scope =
      events_->Authorize(manager, kCase, "case_id", cases::CaseAction::kUpdate);
  ASSERT_THAT(scope.status(), IsOk());
  EXPECT_EQ(scope->office_id(), "office-dakar");
  EXPECT_FALSE(scope->closed());
}

// Needs, concerns, assessments and counselling are not the referral
// service's: the producer sends only the case events and consent changes.
TEST_F(ReferralCaseEventsTest, AsksForCaseAndConsentEventsOnly) {
  EXPECT_THAT(SelectedPayloads(events_->Selection()),
              ::testing::ElementsAre(
                  v1::Event::kCaseRegistered, v1::Event::kCaseUpdated,
                  v1::Event::kCaseAssigned, v1::Event::kConsentChanged,
                  v1::Event::kCaseStageChanged, v1::Event::kCaseAnonymised));
}

TEST_F(ReferralCaseEventsTest, WithdrawalCancelsAndHidesTheSummary) {
  Register();
  const Referral to_a = Create("org-a");
  const Referral to_b = Create("org-b");
  Referral done_a = Create("org-a");
  // A finished referral is withdrawn too, but stays as it ended.
  {
    Referral next = done_a;
    next.set_status(v1::REFERRAL_STATUS_REJECTED);
    auto written = referrals_->Change(ActorNamed("x", v1::ROLE_PARTNER_AGENCY),
                                      done_a, next, done_a.etag());
    ASSERT_THAT(written.status(), IsOk());
    done_a = *written;
  }
  const size_t before = EventCount();
  // Recorded after the three referrals were made.
  const int64_t later = absl::ToUnixSeconds(absl::Now()) + 10;
  const v1::Event withdrawal =
      ConsentWithdrawnEvent(kCase, "org-a", later, 2, kPartitions);
  ASSERT_THAT(ApplyAndCommit(*events_, *store_, withdrawal), IsOk());

  const Referral a = Get(to_a);
  EXPECT_TRUE(a.consent_withdrawn());
  EXPECT_EQ(a.status(), v1::REFERRAL_STATUS_CANCELLED);
  EXPECT_EQ(a.status_reason(), "consent withdrawn");
  EXPECT_EQ(a.history().rbegin()->side(), v1::REFERRAL_SIDE_REQUESTER);
  EXPECT_EQ(a.history().rbegin()->user_id(), "cm-2");
  const v1::SharedReferral shared = SharedViewOf(a);
  EXPECT_TRUE(shared.consent_withdrawn());
  EXPECT_FALSE(shared.has_summary());

  const Referral finished = Get(done_a);
  EXPECT_TRUE(finished.consent_withdrawn());
  EXPECT_EQ(finished.status(), v1::REFERRAL_STATUS_REJECTED);
  // Another recipient's referral is untouched.
  const Referral b = Get(to_b);
  EXPECT_FALSE(b.consent_withdrawn());
  EXPECT_EQ(b.status(), v1::REFERRAL_STATUS_REQUESTED);
  // One ReferralStatusChanged: the cancellation (the rejected one did not
  // change status).
  EXPECT_EQ(EventCount(), before + 1);

  // Redelivered: nothing more.
  ASSERT_THAT(ApplyAndCommit(*events_, *store_, withdrawal), IsOk());
  EXPECT_EQ(Get(to_a).etag(), a.etag());
  EXPECT_EQ(Get(done_a).etag(), finished.etag());
  EXPECT_EQ(EventCount(), before + 1);

  // Survives a restart.
  ASSERT_NO_FATAL_FAILURE(Open());
  EXPECT_TRUE(Get(to_a).consent_withdrawn());
  EXPECT_FALSE(SharedViewOf(Get(to_a)).has_summary());
}

TEST_F(ReferralCaseEventsTest, WithdrawalForAnyAgencySparesLaterReferrals) {
  Register();
  const Referral early = Create("org-a");
  // Recorded before `late` was made (10 s ago).
  const int64_t then = absl::ToUnixSeconds(absl::Now()) - 10;
  const v1::Event withdrawal =
      ConsentWithdrawnEvent(kCase, "", then, 2, kPartitions);
  const Referral late = Create("org-b");
  ASSERT_THAT(ApplyAndCommit(*events_, *store_, withdrawal), IsOk());
  // Both were made after the decision's time: neither is touched.
  EXPECT_FALSE(Get(early).consent_withdrawn());
  EXPECT_FALSE(Get(late).consent_withdrawn());
  // A decision recorded now withdraws both (empty recipient: any agency).
  const v1::Event now = ConsentWithdrawnEvent(
      kCase, "", absl::ToUnixSeconds(absl::Now()) + 10, 3, kPartitions);
  ASSERT_THAT(ApplyAndCommit(*events_, *store_, now), IsOk());
  EXPECT_TRUE(Get(early).consent_withdrawn());
  EXPECT_TRUE(Get(late).consent_withdrawn());
  EXPECT_EQ(Get(late).status(), v1::REFERRAL_STATUS_CANCELLED);
}

TEST_F(ReferralCaseEventsTest, GrantOrOtherPurposeChangesNothing) {
  Register();
  const Referral r = Create("org-a");
  v1::Event grant = ConsentWithdrawnEvent(
      kCase, "org-a", absl::ToUnixSeconds(absl::Now()) + 10, 2, kPartitions);
  grant.mutable_consent_changed()->mutable_consent()->set_granted(true);
  ASSERT_THAT(ApplyAndCommit(*events_, *store_, grant), IsOk());
  v1::Event other = ConsentWithdrawnEvent(
      kCase, "org-a", absl::ToUnixSeconds(absl::Now()) + 10, 3, kPartitions);
  other.mutable_consent_changed()->mutable_consent()->set_purpose(
      v1::CONSENT_PURPOSE_FOLLOW_UP_CONTACT);
  ASSERT_THAT(ApplyAndCommit(*events_, *store_, other), IsOk());
  EXPECT_EQ(Get(r).etag(), "1");
  EXPECT_FALSE(Get(r).consent_withdrawn());
}

// The case's stage CLOSED closes its scope (the handlers then refuse
// changes); its referrals are the follow-up feed's to cancel
// (case_closures_test.cc), not this consumer's.
TEST_F(ReferralCaseEventsTest, StageClosedClosesTheScopeAndLeavesReferrals) {
  Register();
  const Referral open = Create("org-a");
  const v1::Event closed = CaseStageChangedEvent(
      CaseAt(kCase, 2, "office-dakar", v1::CASE_STAGE_CLOSED, kPartitions), 2,
      kPartitions);
  ASSERT_THAT(ApplyAndCommit(*events_, *store_, closed), IsOk());
  EXPECT_EQ(Get(open).status(), v1::REFERRAL_STATUS_REQUESTED);
  EXPECT_EQ(Get(open).etag(), open.etag());
  auto scope = events_->Get(kCase);
  ASSERT_THAT(scope.status(), IsOk());
  EXPECT_TRUE(scope->closed());
  ASSERT_NO_FATAL_FAILURE(Open());
  ASSERT_THAT(events_->Get(kCase).status(), IsOk());
  EXPECT_TRUE(events_->Get(kCase)->closed());
}

TEST_F(ReferralCaseEventsTest, TransferMovesReferralsToTheNewOfficesQueue) {
  Register();
  const Referral r = Create("org-a");
  const absl::CivilDay late(2030, 2, 1);
  auto queue = [&](const std::string& office) {
    auto page = referrals_->ListOverdue(kAwaitingResponseIndex,
                                        OfficeQueue(office), "", late, 10, "");
    EXPECT_THAT(page.status(), IsOk());
    return page.ok() ? page->items.size() : 0u;
  };
  EXPECT_EQ(queue("office-dakar"), 1u);
  v1::Event transfer = CaseRegisteredEvent(
      CaseAt(kCase, 3, "office-thies", v1::CASE_STAGE_INTAKE, kPartitions), 3,
      kPartitions);
  transfer.clear_case_registered();
  *transfer.mutable_case_assigned()->mutable_case_() =
      CaseAt(kCase, 3, "office-thies", v1::CASE_STAGE_INTAKE, kPartitions);
  transfer.mutable_case_assigned()->set_case_id(kCase);
  transfer.mutable_case_assigned()->set_to_office_id("office-thies");
  ASSERT_THAT(ApplyAndCommit(*events_, *store_, transfer), IsOk());
  EXPECT_EQ(Get(r).office_id(), "office-thies");
  EXPECT_EQ(queue("office-dakar"), 0u);
  EXPECT_EQ(queue("office-thies"), 1u);
  // An older event (version 2, in Dakar) redelivered late moves nothing.
  const v1::Event older = CaseStageChangedEvent(
      CaseAt(kCase, 2, "office-dakar", v1::CASE_STAGE_CLOSED, kPartitions), 2,
      kPartitions);
  ASSERT_THAT(ApplyAndCommit(*events_, *store_, older), IsOk());
  EXPECT_EQ(Get(r).office_id(), "office-thies");
  EXPECT_EQ(Get(r).status(), v1::REFERRAL_STATUS_REQUESTED);
}

// The retention job anonymised the case (docs/RETENTION.md): every referral
// of the case loses its summary and free text, keeps its status, codes and
// times (no status event), and a redelivery changes nothing.
TEST_F(ReferralCaseEventsTest, AnonymisedCaseLosesSummariesAndFreeText) {
  Register();
  const Referral open = Create("org-a");
  const Referral done = Create("org-b", v1::REFERRAL_STATUS_COMPLETED);
  const size_t events_before = EventCount();
  v1::Event anonymised = CaseStageChangedEvent(
      CaseAt(kCase, 3, "office-dakar", v1::CASE_STAGE_CLOSED, kPartitions), 3,
      kPartitions);
  anonymised.clear_case_stage_changed();
  anonymised.mutable_case_anonymised()->set_case_id(kCase);
  *anonymised.mutable_case_anonymised()->mutable_case_() =
      CaseAt(kCase, 3, "office-dakar", v1::CASE_STAGE_CLOSED, kPartitions);
  ASSERT_THAT(ApplyAndCommit(*events_, *store_, anonymised), IsOk());
  for (const Referral& before : {open, done}) {
    const Referral after = Get(before);
    EXPECT_FALSE(after.has_summary()) << after.ShortDebugString();
    EXPECT_TRUE(after.purpose().empty());
    EXPECT_EQ(after.status(), before.status());
    EXPECT_EQ(after.organization_id(), before.organization_id());
    EXPECT_EQ(after.service_id(), before.service_id());
    EXPECT_NE(after.etag(), before.etag());
  }
  EXPECT_EQ(EventCount(), events_before);
  // The directory follows the anonymised case's version.
  ASSERT_THAT(events_->Get(kCase).status(), IsOk());
  EXPECT_EQ(events_->Get(kCase)->version(), 3u);
  // Redelivered: nothing left to remove.
  const std::string etag = Get(open).etag();
  anonymised.set_sequence(4);
  ASSERT_THAT(ApplyAndCommit(*events_, *store_, anonymised), IsOk());
  EXPECT_EQ(Get(open).etag(), etag);
}

TEST(AnonymisedReferralTest, KeepsCodesAndRemovesText) {
  Referral r = SentReferral(kCase, "org-a", "office-dakar");
  r.set_outcome("placed at the workshop of Mr X");
  r.set_status_reason("talked to Awa");
  r.mutable_consent()->set_consent_id("K1");
  r.mutable_consent()->set_override_reason("her brother asked");
  r.add_history()->set_reason("called her");
  r.set_decline_reason(v1::REFERRAL_DECLINE_REASON_UNSPECIFIED);
  const Referral after = AnonymisedReferral(r);
  EXPECT_FALSE(after.has_summary());
  EXPECT_TRUE(after.purpose().empty());
  EXPECT_TRUE(after.outcome().empty());
  EXPECT_TRUE(after.status_reason().empty());
  EXPECT_TRUE(after.consent().override_reason().empty());
  EXPECT_EQ(after.consent().consent_id(), "K1");
  EXPECT_TRUE(after.history(0).reason().empty());
  EXPECT_EQ(after.case_id(), r.case_id());
  EXPECT_EQ(after.status(), r.status());
  EXPECT_EQ(after.service_id(), r.service_id());
}

}  // namespace
}  // namespace homeward::referral
