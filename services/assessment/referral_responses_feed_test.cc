// The wiring of ReferralResponses in the assessment server: a stand-in
// referral producer (a service host named "referral" with nothing but its
// event feed, on a real RocksDB and a loopback port) and an assessment
// server whose config routes "referral" (and "planning", to a second
// stand-in, so that both followers run side by side) upstream. A
// ReferralStatusChanged appended to the producer's outbox makes the need it
// answers BEING_ADDRESSED, and a rejection makes it OPEN again, read back
// through NeedService.
#include <memory>
#include <string>

#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "common/service/service_host.h"
#include "gtest/gtest.h"
#include "homeward/v1/cases.grpc.pb.h"
#include "homeward/v1/needs.grpc.pb.h"
#include "services/assessment/assessment_server.h"
#include "tests/fixtures/assessment_server.h"
#include "tests/fixtures/case_fixtures.h"
#include "tests/fixtures/temp_dir.h"

namespace homeward::assessment {
namespace {

using ::homeward::testing::kTestSecret;
using ::homeward::testing::SignAs;

// Generous: the machine is small and shared.
constexpr absl::Duration kFollowTimeout = absl::Seconds(60);

const homeward::internal::v1::Principal kManager = testing::MakePrincipal(
    "cm-1", homeward::v1::ROLE_CASE_MANAGER, {"office-dakar"});

// A service host called `name` serving only its event feed; `store` gets
// its store, to append events to.
std::unique_ptr<service::ServiceHost> StandIn(const std::string& name,
                                              const std::string& dir,
                                              storage::Store** store) {
  const service::ServiceDefinition definition{
      .name = name, .build = [store](service::ServiceParts& parts) {
        *store = parts.store();
        return absl::OkStatus();
      }};
  auto host = service::ServiceHost::Start(
      definition, testing::LoopbackServiceConfig(dir), kTestSecret);
  EXPECT_TRUE(host.ok()) << host.status();
  return host.ok() ? std::move(host).value() : nullptr;
}

TEST(ReferralResponsesFeedTest, ReferralEventsOnTheFeedAddressAndReopenANeed) {
  testing::TempDir dir;
  storage::Store* referral_store = nullptr;
  storage::Store* planning_store = nullptr;
  auto referral =
      StandIn("referral", dir.path() + "/referral", &referral_store);
  auto planning =
      StandIn("planning", dir.path() + "/planning", &planning_store);
  ASSERT_NE(referral, nullptr);
  ASSERT_NE(planning, nullptr);

  homeward::internal::v1::ServiceConfig service =
      testing::LoopbackServiceConfig(dir.path() + "/assessment");
  testing::AddShareRoute(service.mutable_upstream(), "planning", 64,
                         {planning->port()});
  testing::AddShareRoute(service.mutable_upstream(), "referral", 64,
                         {referral->port()});
  auto server = AssessmentServer::Start(
      testing::WithShippedProgrammeData(service), kTestSecret);
  ASSERT_TRUE(server.ok()) << server.status();
  auto channel = testing::LoopbackChannel((*server)->port());
  auto cases = homeward::v1::CaseService::NewStub(channel);
  auto needs = homeward::v1::NeedService::NewStub(channel);

  homeward::v1::Case registered;
  {
    grpc::ClientContext ctx;
    SignAs(kManager, &ctx);
    grpc::Status status = cases->RegisterCase(
        &ctx, testing::ValidRegistration("referral-feed-1"), &registered);
    ASSERT_TRUE(status.ok()) << status.error_message();
  }
  homeward::v1::Need need;
  {
    homeward::v1::AddNeedRequest req;
    req.set_request_id("need-1");
    req.set_case_id(registered.case_id());
    req.mutable_need()->set_dimension(homeward::v1::DIMENSION_SOCIAL);
    req.mutable_need()->set_category("housing");
    req.mutable_need()->set_description("Rent support");
    req.mutable_need()->set_priority(homeward::v1::NEED_PRIORITY_HIGH);
    grpc::ClientContext ctx;
    SignAs(kManager, &ctx);
    grpc::Status status = needs->AddNeed(&ctx, req, &need);
    ASSERT_TRUE(status.ok()) << status.error_message();
  }

  auto append = [&](homeward::v1::ReferralStatus status) {
    homeward::v1::Event changed;
    changed.set_partition(registered.partition());
    changed.set_subject_id(registered.case_id());
    changed.set_actor_user_id("cm-1");
    auto* referral =
        changed.mutable_referral_status_changed()->mutable_referral();
    referral->set_referral_id("R1");
    referral->set_case_id(registered.case_id());
    referral->set_need_id(need.need_id());
    referral->set_status(status);
    storage::WriteSet set;
    set.AppendEvent(changed);
    ASSERT_TRUE(referral_store->Commit(std::move(set)).ok());
  };
  // Reads the need until `status` or the timeout.
  auto await = [&](homeward::v1::NeedStatus status) {
    const absl::Time deadline = absl::Now() + kFollowTimeout;
    homeward::v1::Need read;
    do {
      homeward::v1::GetNeedRequest req;
      req.set_case_id(registered.case_id());
      req.set_need_id(need.need_id());
      grpc::ClientContext ctx;
      SignAs(kManager, &ctx);
      grpc::Status got = needs->GetNeed(&ctx, req, &read);
      EXPECT_TRUE(got.ok()) << got.error_message();
      if (read.status() == status) break;
      absl::SleepFor(absl::Milliseconds(50));
    } while (absl::Now() < deadline);
    return read;
  };

  append(homeward::v1::REFERRAL_STATUS_REQUESTED);
  homeward::v1::Need read = await(homeward::v1::NEED_STATUS_BEING_ADDRESSED);
  ASSERT_EQ(read.status(), homeward::v1::NEED_STATUS_BEING_ADDRESSED);
  ASSERT_EQ(read.addressed_by_size(), 1);
  EXPECT_EQ(read.addressed_by(0).kind(), homeward::v1::RESPONDER_KIND_REFERRAL);
  EXPECT_EQ(read.addressed_by(0).id(), "R1");

  append(homeward::v1::REFERRAL_STATUS_REJECTED);
  read = await(homeward::v1::NEED_STATUS_OPEN);
  EXPECT_EQ(read.status(), homeward::v1::NEED_STATUS_OPEN);
  EXPECT_EQ(read.addressed_by_size(), 0);
}

}  // namespace
}  // namespace homeward::assessment
