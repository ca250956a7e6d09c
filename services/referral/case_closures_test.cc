// The referral service's follow-up-feed consumer, fed hand-made events the
// way the feed follower feeds it (tests/fixtures/consumer_loop.h) on a real
// store: a CaseClosed cancels the case's open referrals (a draft too) with
// reason "case closed" and leaves final ones and other cases' alone;
// redelivery changes nothing; other follow-up events change nothing.
#include "services/referral/case_closures.h"

#include <memory>
#include <string>

#include "common/status/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/referral/referral_test_data.h"
#include "tests/fixtures/consumer_loop.h"
#include "tests/fixtures/temp_dir.h"

namespace homeward::referral {
namespace {

using ::homeward::referral::testing::ActorNamed;
using ::homeward::referral::testing::SentReferral;
using ::homeward::testing::ApplyAndCommit;
using ::homeward::testing::IsOk;
using ::homeward::testing::TempDir;
using v1::Referral;

constexpr uint32_t kPartitions = 8;
const char kCase[] = "C-closures-1";

class ReferralCaseClosuresTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto store = storage::Store::Open(
        {.path = dir_.path() + "/db", .partition_count = kPartitions});
    ASSERT_THAT(store.status(), IsOk());
    store_ = std::move(*store);
    referrals_ = std::make_unique<ReferralStore>(store_.get(), &owned_);
    closures_ = std::make_unique<ReferralCaseClosures>(referrals_.get());
  }

  static uint32_t PartitionOf(const std::string& case_id) {
    return storage::PartitionOf(case_id, kPartitions);
  }

  Referral Create(const std::string& case_id, const std::string& org,
                  v1::ReferralStatus status = v1::REFERRAL_STATUS_REQUESTED) {
    Referral r = SentReferral(case_id, org, "office-dakar");
    r.set_status(status);
    auto created = referrals_->Create(ActorNamed("cm-1", v1::ROLE_CASE_MANAGER),
                                      PartitionOf(case_id), "", r);
    EXPECT_THAT(created.status(), IsOk());
    return created.ok() ? *created : Referral();
  }

  Referral Get(const Referral& r) {
    auto read =
        referrals_->Get(PartitionOf(r.case_id()), r.case_id(), r.referral_id());
    EXPECT_THAT(read.status(), IsOk());
    return read.ok() ? *read : Referral();
  }

  v1::Event Closed(uint64_t sequence) {
    v1::Event e;
    e.set_partition(PartitionOf(kCase));
    e.set_sequence(sequence);
    e.set_subject_id(kCase);
    e.set_actor_user_id("sup-1");
    e.set_request_id("close-1");
    auto* closure = e.mutable_case_closed()->mutable_closure();
    closure->set_closure_id("CL1");
    closure->set_case_id(kCase);
    closure->set_status(v1::CLOSURE_STATUS_CLOSED);
    return e;
  }

  size_t EventCount() {
    auto events = store_->ReadEvents(PartitionOf(kCase), 0, 1000);
    EXPECT_THAT(events.status(), IsOk());
    return events.ok() ? events->size() : 0;
  }

  TempDir dir_;
  storage::PartitionSet owned_ = storage::PartitionSet::All(kPartitions);
  std::unique_ptr<storage::Store> store_;
  std::unique_ptr<ReferralStore> referrals_;
  std::unique_ptr<ReferralCaseClosures> closures_;
};

TEST_F(ReferralCaseClosuresTest, ClosureCancelsOpenReferralsOnce) {
  const Referral open = Create(kCase, "org-a");
  const Referral draft = Create(kCase, "org-b", v1::REFERRAL_STATUS_DRAFT);
  const Referral done = Create(kCase, "org-c", v1::REFERRAL_STATUS_COMPLETED);
  const Referral other = Create("C-closures-2", "org-a");
  const size_t events_before = EventCount();

  ASSERT_THAT(ApplyAndCommit(*closures_, *store_, Closed(10)), IsOk());
  for (const Referral& r : {open, draft}) {
    const Referral read = Get(r);
    EXPECT_EQ(read.status(), v1::REFERRAL_STATUS_CANCELLED) << r.referral_id();
    EXPECT_EQ(read.status_reason(), "case closed");
  }
  EXPECT_EQ(Get(done).status(), v1::REFERRAL_STATUS_COMPLETED);
  EXPECT_EQ(Get(done).etag(), done.etag());
  EXPECT_EQ(Get(other).status(), v1::REFERRAL_STATUS_REQUESTED);
  // One ReferralStatusChanged per cancellation.
  const size_t events_after = EventCount();
  EXPECT_EQ(events_after - events_before, 2u);

  // Redelivered: nothing more.
  const std::string etag = Get(open).etag();
  ASSERT_THAT(ApplyAndCommit(*closures_, *store_, Closed(10)), IsOk());
  EXPECT_EQ(Get(open).etag(), etag);
  EXPECT_EQ(EventCount(), events_after);
}

TEST_F(ReferralCaseClosuresTest, OtherFollowUpEventsChangeNothing) {
  const Referral open = Create(kCase, "org-a");
  v1::Event reopened = Closed(11);
  reopened.clear_case_closed();
  reopened.mutable_case_reopened()->mutable_closure()->set_case_id(kCase);
  ASSERT_THAT(ApplyAndCommit(*closures_, *store_, reopened), IsOk());
  v1::Event recorded = Closed(12);
  recorded.clear_case_closed();
  recorded.mutable_follow_up_recorded()->mutable_contact()->set_case_id(kCase);
  ASSERT_THAT(ApplyAndCommit(*closures_, *store_, recorded), IsOk());
  EXPECT_EQ(Get(open).status(), v1::REFERRAL_STATUS_REQUESTED);
  EXPECT_EQ(Get(open).etag(), open.etag());
  EXPECT_THAT(closures_->Selection().payloads(),
              ::testing::ElementsAre(v1::Event::kCaseClosed));
}

}  // namespace
}  // namespace homeward::referral
