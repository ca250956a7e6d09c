// Two assessment replicas, each owning half of the partitions, behind one
// gateway over real loopback sockets: every case lands on the replica that
// owns its partition and only there, and a list through the gateway returns
// every case from both replicas, page by page, with no duplicates or gaps.
#include <set>

#include "absl/strings/str_cat.h"
#include "common/status/status_matchers.h"
#include "common/storage/ids.h"
#include "common/storage/partitions.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "homeward/v1/cases.grpc.pb.h"
#include "services/assessment/assessment_server.h"
#include "services/gateway/api_keys.h"
#include "services/gateway/gateway_server.h"
#include "tests/fixtures/assessment_server.h"
#include "tests/fixtures/case_fixtures.h"
#include "tests/fixtures/temp_dir.h"

namespace homeward {
namespace {

using ::homeward::testing::MakePrincipal;
using ::homeward::testing::SignAs;
using ::homeward::testing::StatusIs;
using ::homeward::testing::TempDir;
using ::homeward::testing::ValidRegistration;
using ::homeward::v1::CaseService;

constexpr uint32_t kPartitions = 64;
const auto kManager =
    MakePrincipal("cm-1", homeward::v1::ROLE_CASE_MANAGER, {"office-dakar"});
const auto kThiesManager =
    MakePrincipal("cm-9", homeward::v1::ROLE_CASE_MANAGER, {"office-thies"});

class TwoReplicaTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (int r = 0; r < 2; ++r) {
      homeward::internal::v1::ServiceConfig config =
          testing::LoopbackServiceConfig(
              absl::StrCat(dir_.path(), "/replica", r));
      config.set_partition_count(kPartitions);
      *config.add_owned_partitions() = testing::ShareOf(r, 2, kPartitions);
      auto server = assessment::AssessmentServer::Start(
          testing::WithShippedProgrammeData(config), testing::kTestSecret);
      ASSERT_TRUE(server.ok()) << server.status();
      replicas_[r] = std::move(server).value();
      direct_[r] =
          CaseService::NewStub(testing::LoopbackChannel(replicas_[r]->port()));
    }
    gateway::GatewayServer::Options options;
    options.config.set_grpc_listen_address("127.0.0.1:0");
    testing::RouteShares(options.config, kPartitions,
                         {replicas_[0]->port(), replicas_[1]->port()});
    options.principal_secret = testing::kTestSecret;
    *options.api_keys.add_keys() = gateway::MakeApiKey("k", kKey, kManager);
    *options.api_keys.add_keys() =
        gateway::MakeApiKey("t", kThiesKey, kThiesManager);
    auto gw = gateway::GatewayServer::Start(std::move(options));
    ASSERT_TRUE(gw.ok()) << gw.status();
    gateway_ = std::move(gw).value();
    stub_ =
        CaseService::NewStub(testing::LoopbackChannel(gateway_->grpc_port()));
  }

  void Authorize(
      grpc::ClientContext* ctx,
      const std::string& key = "hw_test_key_for_two_replicas_0123456789") {
    ctx->AddMetadata("authorization", absl::StrCat("Bearer ", key));
  }

  static int ReplicaOf(const std::string& case_id) {
    return storage::PartitionOf(case_id, kPartitions) < kPartitions / 2 ? 0 : 1;
  }

  const std::string kKey = "hw_test_key_for_two_replicas_0123456789";
  const std::string kThiesKey = "hw_test_key_for_thies_office_0123456789";
  TempDir dir_;
  std::unique_ptr<assessment::AssessmentServer> replicas_[2];
  std::unique_ptr<CaseService::Stub> direct_[2];
  std::unique_ptr<gateway::GatewayServer> gateway_;
  std::unique_ptr<CaseService::Stub> stub_;
};

TEST_F(TwoReplicaTest,
       CasesLiveOnTheirOwnersAndListsMergeWithoutGapsOrDuplicates) {
  std::set<std::string> registered;
  std::set<std::string> on_replica[2];
  for (int i = 0; i < 60; ++i) {
    grpc::ClientContext ctx;
    Authorize(&ctx);
    homeward::v1::Case c;
    ASSERT_TRUE(
        stub_
            ->RegisterCase(&ctx, ValidRegistration(absl::StrCat("two-", i)), &c)
            .ok());
    registered.insert(c.case_id());
    int owner = storage::PartitionOf(c.case_id(), kPartitions) < kPartitions / 2
                    ? 0
                    : 1;
    on_replica[owner].insert(c.case_id());
  }
  // Both replicas received cases, so the test exercises the routing.
  ASSERT_FALSE(on_replica[0].empty());
  ASSERT_FALSE(on_replica[1].empty());

  // Stored on the owner, and only there: each replica's own list holds
  // exactly its cases, and the other replica refuses the id.
  for (int r = 0; r < 2; ++r) {
    std::set<std::string> stored;
    homeward::v1::ListCasesRequest req;
    req.mutable_page()->set_page_size(500);
    grpc::ClientContext ctx;
    SignAs(kManager, &ctx);
    homeward::v1::ListCasesResponse resp;
    ASSERT_TRUE(direct_[r]->ListCases(&ctx, req, &resp).ok());
    for (const auto& c : resp.cases()) stored.insert(c.case_id());
    EXPECT_EQ(stored, on_replica[r]) << "replica " << r;
    for (const auto& id : on_replica[1 - r]) {
      grpc::ClientContext get_ctx;
      SignAs(kManager, &get_ctx);
      homeward::v1::GetCaseRequest get;
      get.set_case_id(id);
      homeward::v1::Case out;
      EXPECT_THAT(direct_[r]->GetCase(&get_ctx, get, &out),
                  StatusIs(absl::StatusCode::kFailedPrecondition));
    }
  }

  // Through the gateway: every case, page by page, once.
  for (int page_size : {1, 7, 25, 500}) {
    std::multiset<std::string> seen;
    homeward::v1::ListCasesRequest req;
    req.mutable_page()->set_page_size(page_size);
    int pages = 0;
    do {
      grpc::ClientContext ctx;
      Authorize(&ctx);
      homeward::v1::ListCasesResponse resp;
      ASSERT_TRUE(stub_->ListCases(&ctx, req, &resp).ok());
      EXPECT_LE(resp.cases_size(), page_size);
      for (const auto& c : resp.cases()) seen.insert(c.case_id());
      req.mutable_page()->set_page_token(resp.next_page_token());
      ++pages;
    } while (!req.page().page_token().empty() && pages < 1000);
    EXPECT_EQ(seen.size(), registered.size()) << "page size " << page_size;
    EXPECT_EQ(std::set<std::string>(seen.begin(), seen.end()), registered)
        << "page size " << page_size;
  }

  // Gets through the gateway reach whichever replica owns the case.
  for (const auto& id : registered) {
    grpc::ClientContext ctx;
    Authorize(&ctx);
    homeward::v1::GetCaseRequest get;
    get.set_case_id(id);
    homeward::v1::Case out;
    ASSERT_TRUE(stub_->GetCase(&ctx, get, &out).ok()) << id;
    EXPECT_EQ(out.case_id(), id);
  }
}

// Registration request ids are scoped by office, and the gateway derives the
// same case id as the service before the case exists: two offices using one
// simple id get two cases, each on the replica owning its partition.
TEST_F(TwoReplicaTest, ScopedRegistrationsAreRoutedToTheReplicaThatOwnsThem) {
  // An id whose two scoped cases fall on different replicas.
  std::string request_id;
  for (int i = 0; i < 1000 && request_id.empty(); ++i) {
    const std::string id = absl::StrCat("demo-", i);
    if (ReplicaOf(storage::CaseIdForRequest("office-dakar", id)) !=
        ReplicaOf(storage::CaseIdForRequest("office-thies", id))) {
      request_id = id;
    }
  }
  ASSERT_FALSE(request_id.empty())
      << "the office does not change the case id a request id derives";
  struct Office {
    std::string office;
    std::string manager;
    std::string key;
    homeward::internal::v1::Principal principal;
  };
  const Office offices[] = {
      {"office-dakar", "cm-1", kKey, kManager},
      {"office-thies", "cm-9", kThiesKey, kThiesManager},
  };
  std::set<std::string> ids;
  for (const Office& o : offices) {
    const std::string expected =
        storage::CaseIdForRequest(o.office, request_id);
    for (int attempt = 0; attempt < 2; ++attempt) {  // the replay too
      grpc::ClientContext ctx;
      Authorize(&ctx, o.key);
      homeward::v1::Case created;
      grpc::Status status = stub_->RegisterCase(
          &ctx, ValidRegistration(request_id, o.office, o.manager), &created);
      ASSERT_TRUE(status.ok()) << o.office << ": " << status.error_message();
      EXPECT_EQ(created.case_id(), expected) << o.office;
      EXPECT_EQ(created.office_id(), o.office);
      ids.insert(created.case_id());
    }
    // Stored on the owning replica, and only there.
    const int owner = ReplicaOf(expected);
    for (int r = 0; r < 2; ++r) {
      grpc::ClientContext ctx;
      SignAs(o.principal, &ctx);
      homeward::v1::GetCaseRequest get;
      get.set_case_id(expected);
      homeward::v1::Case out;
      grpc::Status status = direct_[r]->GetCase(&ctx, get, &out);
      if (r == owner) {
        EXPECT_TRUE(status.ok()) << status.error_message();
      } else {
        EXPECT_THAT(status, StatusIs(absl::StatusCode::kFailedPrecondition));
      }
    }
  }
  EXPECT_EQ(ids.size(), 2u);
}

}  // namespace
}  // namespace homeward
