// FeasibilityGridService/PublishFeasibilityGrid on a real planning server
// (following a real assessment server, each with its own RocksDB), called
// as the gateway would (principals signed with the test secret): an
// administrator publishes a new grid version; the same content again is
// answered with the stored grid; other content under a published version,
// the shipped one included, is ALREADY_EXISTS; a grid naming an unpublished
// taxonomy version is INVALID_ARGUMENT; every other role is refused and the
// refusal publishes nothing. Through a real gateway in front of two planning
// replicas, one call publishes on both (a broadcast).
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "common/status/errors.h"
#include "common/status/grpc_status.h"
#include "common/status/status_matchers.h"
#include "gmock/gmock.h"
#include "google/protobuf/text_format.h"
#include "grpcpp/client_context.h"
#include "gtest/gtest.h"
#include "homeward/v1/planning.grpc.pb.h"
#include "services/assessment/assessment_server.h"
#include "services/gateway/api_keys.h"
#include "services/gateway/gateway_server.h"
#include "services/planning/planning_server.h"
#include "tests/fixtures/assessment_server.h"
#include "tests/fixtures/case_fixtures.h"
#include "tests/fixtures/gateway_client.h"
#include "tests/fixtures/planning_server.h"
#include "tests/fixtures/temp_dir.h"

namespace homeward {
namespace {

using ::homeward::testing::IsOk;
using ::homeward::testing::MakePrincipal;
using ::homeward::testing::SignAs;
using ::homeward::testing::TempDir;
using ::testing::ElementsAre;

const auto kAdministrator =
    MakePrincipal("admin-1", v1::ROLE_ADMINISTRATOR, {"office-dakar"});

// The grid shipped in deploy/feasibility/ (published at start as version 1).
v1::FeasibilityGrid ShippedGrid() {
  std::ifstream in(std::string(HOMEWARD_SOURCE_DIR) +
                   "/deploy/feasibility/example_grid.textproto");
  std::stringstream text;
  text << in.rdbuf();
  v1::FeasibilityGrid grid;
  EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(text.str(), &grid));
  return grid;
}

std::vector<std::string> FieldsOf(const grpc::Status& status) {
  std::vector<std::string> fields;
  for (const auto& v : errors::FieldViolationsOf(FromGrpcStatus(status))) {
    fields.push_back(v.field);
  }
  return fields;
}

class FeasibilityGridServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto assessment = assessment::AssessmentServer::Start(
        testing::WithShippedProgrammeData(
            testing::LoopbackServiceConfig(dir_.path() + "/assessment")),
        testing::kTestSecret);
    ASSERT_THAT(assessment.status(), IsOk());
    assessment_ = std::move(*assessment);
    ASSERT_NO_FATAL_FAILURE(StartPlanning("planning", &planning_));
    grids_ = v1::FeasibilityGridService::NewStub(
        testing::LoopbackChannel(planning_->port()));
  }

  // A planning replica with its own store under `name`, following the
  // assessment server.
  void StartPlanning(const std::string& name,
                     std::unique_ptr<planning::PlanningServer>* out) {
    internal::v1::ServiceConfig service =
        testing::LoopbackServiceConfig(dir_.path() + "/" + name);
    testing::AddShareRoute(service.mutable_upstream(), "assessment", 64,
                           {assessment_->port()});
    auto planning = planning::PlanningServer::Start(
        testing::WithShippedPlanningData(service), testing::kTestSecret);
    ASSERT_THAT(planning.status(), IsOk());
    *out = std::move(*planning);
  }
  void TearDown() override {
    if (gateway_ != nullptr) gateway_->Shutdown(absl::Seconds(1));
    if (second_ != nullptr) second_->Shutdown(absl::Seconds(5));
    if (planning_ != nullptr) planning_->Shutdown(absl::Seconds(5));
    if (assessment_ != nullptr) assessment_->Shutdown(absl::Seconds(5));
  }

  grpc::Status Publish(const internal::v1::Principal& as,
                       const v1::FeasibilityGrid& grid,
                       v1::FeasibilityGrid* out) {
    grpc::ClientContext ctx;
    SignAs(as, &ctx);
    v1::PublishFeasibilityGridRequest request;
    *request.mutable_grid() = grid;
    return grids_->PublishFeasibilityGrid(&ctx, request, out);
  }

  // The shipped grid as a new version 2 with another title.
  static v1::FeasibilityGrid VersionTwo() {
    v1::FeasibilityGrid grid = ShippedGrid();
    grid.set_version(2);
    (*grid.mutable_title())["en"] = "Example grid, second version";
    return grid;
  }

  TempDir dir_;
  std::unique_ptr<assessment::AssessmentServer> assessment_;
  std::unique_ptr<planning::PlanningServer> planning_;
  std::unique_ptr<v1::FeasibilityGridService::Stub> grids_;
  // The broadcast test's second replica and gateway.
  std::unique_ptr<planning::PlanningServer> second_;
  std::unique_ptr<gateway::GatewayServer> gateway_;
};

TEST_F(FeasibilityGridServiceTest, AdministratorPublishesANewVersion) {
  v1::FeasibilityGrid stored;
  grpc::Status status = Publish(kAdministrator, VersionTwo(), &stored);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(stored.grid_id(), "example_grid");
  EXPECT_EQ(stored.version(), 2);
  EXPECT_EQ(stored.title().at("en"), "Example grid, second version");
  EXPECT_FALSE(stored.content_sha256().empty());
  EXPECT_GT(stored.publish_time().seconds(), 0);
}

TEST_F(FeasibilityGridServiceTest, IdenticalReplayReturnsTheStoredGrid) {
  v1::FeasibilityGrid first;
  ASSERT_TRUE(Publish(kAdministrator, VersionTwo(), &first).ok());
  v1::FeasibilityGrid again;
  grpc::Status status = Publish(kAdministrator, VersionTwo(), &again);
  ASSERT_TRUE(status.ok()) << status.error_message();
  // The stored entry, publish time included: nothing was written again.
  EXPECT_EQ(again.SerializeAsString(), first.SerializeAsString());
  // The shipped file's content is the version published at start.
  v1::FeasibilityGrid shipped;
  status = Publish(kAdministrator, ShippedGrid(), &shipped);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(shipped.version(), 1);
  EXPECT_FALSE(shipped.content_sha256().empty());
}

TEST_F(FeasibilityGridServiceTest,
       ChangedContentUnderAPublishedVersionIsRefused) {
  v1::FeasibilityGrid first;
  ASSERT_TRUE(Publish(kAdministrator, VersionTwo(), &first).ok());
  v1::FeasibilityGrid changed = VersionTwo();
  changed.mutable_rows(0)->mutable_criteria()->RemoveLast();
  v1::FeasibilityGrid out;
  EXPECT_EQ(Publish(kAdministrator, changed, &out).error_code(),
            grpc::StatusCode::ALREADY_EXISTS);
  // The version published at start from deploy/feasibility is just as fixed.
  v1::FeasibilityGrid shipped_changed = ShippedGrid();
  (*shipped_changed.mutable_title())["en"] = "Edited in place";
  EXPECT_EQ(Publish(kAdministrator, shipped_changed, &out).error_code(),
            grpc::StatusCode::ALREADY_EXISTS);
  // The stored version is still the first content.
  v1::FeasibilityGrid again;
  ASSERT_TRUE(Publish(kAdministrator, VersionTwo(), &again).ok());
  EXPECT_EQ(again.SerializeAsString(), first.SerializeAsString());
}

TEST_F(FeasibilityGridServiceTest, GridIsCheckedLikeAFile) {
  v1::FeasibilityGrid grid = VersionTwo();
  grid.set_taxonomy_version(99);  // not published
  v1::FeasibilityGrid out;
  grpc::Status status = Publish(kAdministrator, grid, &out);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(FieldsOf(status), ElementsAre("grid.taxonomy_version"));
  status = Publish(kAdministrator, v1::FeasibilityGrid(), &out);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  v1::PublishFeasibilityGridRequest empty;
  grpc::ClientContext ctx;
  SignAs(kAdministrator, &ctx);
  status = grids_->PublishFeasibilityGrid(&ctx, empty, &out);
  EXPECT_THAT(FieldsOf(status), ElementsAre("grid"));
}

TEST_F(FeasibilityGridServiceTest, OnlyAdministratorsPublish) {
  for (v1::Role role :
       {v1::ROLE_CASE_MANAGER, v1::ROLE_SUPERVISOR, v1::ROLE_MONITORING_OFFICER,
        v1::ROLE_PARTNER_AGENCY, v1::ROLE_SERVICE}) {
    v1::FeasibilityGrid out;
    grpc::Status status = Publish(
        MakePrincipal("someone", role, {"office-dakar"}), VersionTwo(), &out);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED)
        << v1::Role_Name(role);
  }
  // No refused call published anything: version 2 is still free for other
  // content.
  v1::FeasibilityGrid other = VersionTwo();
  (*other.mutable_title())["en"] = "What the administrator meant";
  v1::FeasibilityGrid stored;
  grpc::Status status = Publish(kAdministrator, other, &stored);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(stored.title().at("en"), "What the administrator meant");
  // Unsigned calls are not let in either.
  grpc::ClientContext ctx;
  v1::PublishFeasibilityGridRequest request;
  *request.mutable_grid() = VersionTwo();
  EXPECT_EQ(grids_->PublishFeasibilityGrid(&ctx, request, &stored).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
}

TEST_F(FeasibilityGridServiceTest, GatewayPublishesOnEveryPlanningReplica) {
  ASSERT_NO_FATAL_FAILURE(StartPlanning("planning-2", &second_));
  constexpr char kAdminKey[] = "feasibility-admin-key-0123456789";
  constexpr char kManagerKey[] = "feasibility-manager-key-01234567";
  gateway::GatewayServer::Options options;
  options.config.set_grpc_listen_address("127.0.0.1:0");
  options.config.set_http_listen_address("127.0.0.1:0");
  options.config.set_partition_count(64);
  options.config.set_forward_deadline_ms(5000);
  testing::AddShareRoute(options.config.mutable_routes(), "assessment", 64,
                         {assessment_->port()});
  testing::AddShareRoute(options.config.mutable_routes(), "planning", 64,
                         {planning_->port(), second_->port()});
  options.principal_secret = testing::kTestSecret;
  *options.api_keys.add_keys() =
      gateway::MakeApiKey("admin", kAdminKey, kAdministrator);
  *options.api_keys.add_keys() = gateway::MakeApiKey(
      "cm", kManagerKey,
      MakePrincipal("cm-1", v1::ROLE_CASE_MANAGER, {"office-dakar"}));
  auto started = gateway::GatewayServer::Start(std::move(options));
  ASSERT_THAT(started.status(), IsOk());
  gateway_ = std::move(*started);
  testing::GatewayClient client(gateway_->grpc_port(), gateway_->http_port());
  constexpr char kMethod[] =
      "homeward.v1.FeasibilityGridService/PublishFeasibilityGrid";
  v1::PublishFeasibilityGridRequest request;
  *request.mutable_grid() = VersionTwo();

  // The gateway refuses a case manager before any replica sees the call.
  v1::FeasibilityGrid out;
  EXPECT_EQ(client.Call(kMethod, request, &out, kManagerKey).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);

  grpc::Status status = client.Call(kMethod, request, &out, kAdminKey);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(out.version(), 2);
  // Each replica now holds version 2: other content is refused on both, the
  // same content answered on both.
  v1::FeasibilityGrid changed = VersionTwo();
  (*changed.mutable_title())["en"] = "Changed after the broadcast";
  auto second = v1::FeasibilityGridService::NewStub(
      testing::LoopbackChannel(second_->port()));
  for (auto* stub : {grids_.get(), second.get()}) {
    grpc::ClientContext ctx;
    SignAs(kAdministrator, &ctx);
    v1::PublishFeasibilityGridRequest other;
    *other.mutable_grid() = changed;
    EXPECT_EQ(stub->PublishFeasibilityGrid(&ctx, other, &out).error_code(),
              grpc::StatusCode::ALREADY_EXISTS);
  }
  // A replay through the gateway is answered like the first call.
  status = client.Call(kMethod, request, &out, kAdminKey);
  EXPECT_TRUE(status.ok()) << status.error_message();
}

}  // namespace
}  // namespace homeward
