// The referral service's assessment-feed consumer (services/referral/
// case_events.h) fed by the real assessment service: a server on a loopback
// port, a case registered and a consent refusal recorded through its RPCs,
// and a FeedFollower with the consumer in a store of its own catching up.
// The referral made before the refusal is then withdrawn and cancelled, and
// after the store is reopened and a new follower catches up again, the
// projection holds and nothing is applied twice. Lives in tests/ because it
// starts the assessment service in-process (services/referral may not
// include services/assessment).
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "common/api/field_checks.h"
#include "common/feeds/feed_follower.h"
#include "common/routing/route_table.h"
#include "common/status/status_matchers.h"
#include "common/storage/partitions.h"
#include "common/storage/store.h"
#include "gmock/gmock.h"
#include "grpcpp/client_context.h"
#include "gtest/gtest.h"
#include "homeward/v1/cases.grpc.pb.h"
#include "homeward/v1/consent.grpc.pb.h"
#include "services/assessment/assessment_server.h"
#include "services/referral/case_events.h"
#include "services/referral/referral_store.h"
#include "services/referral/shared_view.h"
#include "tests/fixtures/assessment_server.h"
#include "tests/fixtures/case_fixtures.h"
#include "tests/fixtures/event_replay.h"
#include "tests/fixtures/temp_dir.h"

namespace homeward {
namespace {

using ::homeward::testing::IsOk;
using ::homeward::testing::MakePrincipal;
using ::homeward::testing::SignAs;
using ::homeward::testing::TempDir;

constexpr uint32_t kPartitions = 64;  // LoopbackServiceConfig's
// Generous: the machine is small and shared.
constexpr absl::Duration kCatchUpTimeout = absl::Seconds(60);

const auto kManager =
    MakePrincipal("cm-1", v1::ROLE_CASE_MANAGER, {"office-dakar"});

class ReferralCaseFeedTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto server = assessment::AssessmentServer::Start(
        testing::WithShippedProgrammeData(
            testing::LoopbackServiceConfig(assessment_dir_.path())),
        testing::kTestSecret);
    ASSERT_THAT(server.status(), IsOk());
    server_ = std::move(*server);
    channel_ = testing::LoopbackChannel(server_->port());
    ASSERT_NO_FATAL_FAILURE(OpenStore());
  }

  void TearDown() override {
    CloseStore();
    channel_.reset();
    if (server_ != nullptr) server_->Shutdown(absl::Seconds(5));
  }

  void OpenStore() {
    auto store = storage::Store::Open(
        {.path = referral_dir_.path(), .partition_count = kPartitions});
    ASSERT_THAT(store.status(), IsOk());
    store_ = std::move(*store);
    referrals_ =
        std::make_unique<referral::ReferralStore>(store_.get(), &owned_);
    consumer_ = std::make_unique<referral::ReferralCaseEvents>(
        store_.get(), owned_, referrals_.get());
  }
  void CloseStore() {
    if (follower_ != nullptr) follower_->Stop();
    follower_.reset();
    consumer_.reset();
    referrals_.reset();
    store_.reset();
  }

  void StartFollower() {
    google::protobuf::RepeatedPtrField<internal::v1::ServiceRoute> routes;
    auto* route = routes.Add();
    route->set_service("assessment");
    auto* replica = route->add_replicas();
    replica->set_address(absl::StrCat("127.0.0.1:", server_->port()));
    auto* range = replica->add_partitions();
    range->set_first(0);
    range->set_last(kPartitions - 1);
    auto table = routing::RouteTable::Create(routes, kPartitions, "assessment");
    ASSERT_THAT(table.status(), IsOk());
    feeds::FeedFollower::Options options;
    options.producer = *table;
    options.partitions = owned_;
    options.store = store_.get();
    options.consumer = consumer_.get();
    options.principal_secret = testing::kTestSecret;
    options.backoff = {absl::Milliseconds(20), absl::Milliseconds(200)};
    auto follower = feeds::FeedFollower::Start(std::move(options));
    ASSERT_THAT(follower.status(), IsOk());
    follower_ = std::move(*follower);
  }

  // Waits until the follower has applied every event of `partition` the
  // assessment service has committed so far.
  void CatchUp(uint32_t partition) {
    std::vector<v1::Event> events =
        testing::ReplayEvents(channel_, {partition});
    ASSERT_FALSE(events.empty());
    ASSERT_THAT(follower_->WaitUntilApplied(
                    {{partition, events.back().sequence()}}, kCatchUpTimeout),
                IsOk());
  }

  v1::Referral MakeReferral(const std::string& case_id, uint32_t partition,
                            const std::string& organization_id) {
    v1::Referral r;
    r.set_case_id(case_id);
    r.set_service_id("svc-1");
    r.set_organization_id(organization_id);
    r.set_office_id("office-dakar");
    r.set_purpose("training");
    r.set_urgency(v1::REFERRAL_URGENCY_ROUTINE);
    r.set_status(v1::REFERRAL_STATUS_REQUESTED);
    r.mutable_summary()->set_returnee_name("Test Returnee");
    service::Actor actor;
    actor.principal = kManager;
    actor.method = "test";
    auto created = referrals_->Create(actor, partition, "", r);
    EXPECT_THAT(created.status(), IsOk());
    return created.ok() ? *created : v1::Referral();
  }

  TempDir assessment_dir_;
  TempDir referral_dir_;
  storage::PartitionSet owned_ = storage::PartitionSet::All(kPartitions);
  std::unique_ptr<assessment::AssessmentServer> server_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<storage::Store> store_;
  std::unique_ptr<referral::ReferralStore> referrals_;
  std::unique_ptr<referral::ReferralCaseEvents> consumer_;
  std::unique_ptr<feeds::FeedFollower> follower_;
};

TEST_F(ReferralCaseFeedTest, RealWithdrawalCancelsAndSurvivesARestart) {
  v1::Case registered;
  {
    grpc::ClientContext ctx;
    SignAs(kManager, &ctx);
    grpc::Status s = v1::CaseService::NewStub(channel_)->RegisterCase(
        &ctx, testing::ValidRegistration("ref-feed-case"), &registered);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }
  const std::string case_id = registered.case_id();
  const uint32_t partition = storage::PartitionOf(case_id, kPartitions);
  ASSERT_NO_FATAL_FAILURE(StartFollower());
  ASSERT_NO_FATAL_FAILURE(CatchUp(partition));
  auto scope = consumer_->Get(case_id);
  ASSERT_THAT(scope.status(), IsOk());
  EXPECT_EQ(scope->office_id(), "office-dakar");

  const v1::Referral to_a = MakeReferral(case_id, partition, "org-a");
  const v1::Referral to_b = MakeReferral(case_id, partition, "org-b");
  // The returnee withdraws consent to share with org-a.
  {
    grpc::ClientContext ctx;
    SignAs(kManager, &ctx);
    v1::RecordConsentRequest req;
    req.set_request_id("withdraw-a");
    auto* c = req.mutable_consent();
    c->set_case_id(case_id);
    c->set_purpose(v1::CONSENT_PURPOSE_REFERRAL);
    c->set_recipient_agency_id("org-a");
    c->set_granted(false);
    *c->mutable_decision_date() = api::ToDate(api::TodayUtc());
    c->set_method(v1::CONSENT_METHOD_VERBAL);
    v1::ConsentRecord out;
    grpc::Status s =
        v1::ConsentService::NewStub(channel_)->RecordConsent(&ctx, req, &out);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }
  ASSERT_NO_FATAL_FAILURE(CatchUp(partition));
  auto a = referrals_->Get(partition, case_id, to_a.referral_id());
  ASSERT_THAT(a.status(), IsOk());
  EXPECT_TRUE(a->consent_withdrawn());
  EXPECT_EQ(a->status(), v1::REFERRAL_STATUS_CANCELLED);
  EXPECT_EQ(a->status_reason(), "consent withdrawn");
  EXPECT_EQ(a->history().rbegin()->user_id(), "cm-1");
  EXPECT_FALSE(referral::SharedViewOf(*a).has_summary());
  auto b = referrals_->Get(partition, case_id, to_b.referral_id());
  ASSERT_THAT(b.status(), IsOk());
  EXPECT_FALSE(b->consent_withdrawn());
  EXPECT_EQ(b->status(), v1::REFERRAL_STATUS_REQUESTED);

  // Reopened, and followed again from the stored cursor: the same state,
  // nothing applied twice.
  CloseStore();
  ASSERT_NO_FATAL_FAILURE(OpenStore());
  ASSERT_THAT(consumer_->Get(case_id).status(), IsOk());
  ASSERT_NO_FATAL_FAILURE(StartFollower());
  ASSERT_NO_FATAL_FAILURE(CatchUp(partition));
  auto again = referrals_->Get(partition, case_id, to_a.referral_id());
  ASSERT_THAT(again.status(), IsOk());
  EXPECT_EQ(again->etag(), a->etag());
  EXPECT_TRUE(again->consent_withdrawn());
}

}  // namespace
}  // namespace homeward
