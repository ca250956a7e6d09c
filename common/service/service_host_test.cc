// The service host with a trivial service made only of the kit: a real
// server on loopback port 0 and in-process, RocksDB in a temp dir, principals
// signed as the gateway signs them.
#include "common/service/service_host.h"

#include <memory>
#include <string>
#include <vector>

#include "common/service/rpc_method.h"
#include "common/status/status_matchers.h"
#include "gmock/gmock.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "gtest/gtest.h"
#include "homeward/v1/instruments.grpc.pb.h"
#include "tests/fixtures/assessment_server.h"
#include "tests/fixtures/case_fixtures.h"
#include "tests/fixtures/temp_dir.h"

namespace homeward::service {
namespace {

using ::grpc::health::v1::HealthCheckRequest;
using ::grpc::health::v1::HealthCheckResponse;
using ::homeward::internal::v1::ServiceConfig;
using ::homeward::testing::StatusIs;
using ::homeward::testing::TempDir;
using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr RpcMethod kGetInstrument{
    "homeward.v1.InstrumentService/GetInstrument"};

// Answers GetInstrument with the id asked for, titled with the caller's user
// id: enough to see that calls reach the handler with a verified actor.
class EchoInstrumentService final
    : public homeward::v1::InstrumentService::Service {
 public:
  explicit EchoInstrumentService(const auth::PrincipalVerifier* verifier)
      : verifier_(verifier) {}

  grpc::Status GetInstrument(
      grpc::ServerContext* context,
      const homeward::v1::GetInstrumentRequest* request,
      homeward::v1::InstrumentDefinition* response) override {
    absl::StatusOr<Actor> actor = kGetInstrument.ActorOf(*context, *verifier_);
    if (actor.ok()) {
      response->set_instrument_id(request->instrument_id());
      (*response->mutable_title())["en"] = actor->principal.user_id();
    }
    return kGetInstrument.Finish(*context, actor.status());
  }

 private:
  const auth::PrincipalVerifier* verifier_;
};

// Writes its name into a shared log when destroyed, to observe teardown.
class LoggedPart {
 public:
  LoggedPart(std::string name, std::vector<std::string>* log)
      : name_(std::move(name)), log_(log) {}
  ~LoggedPart() { log_->push_back(name_); }

 private:
  std::string name_;
  std::vector<std::string>* log_;
};

ServiceDefinition EchoDefinition() {
  return {.name = "echo", .build = [](ServiceParts& parts) {
            parts.AddService<homeward::v1::InstrumentService>(
                std::make_unique<EchoInstrumentService>(parts.verifier()));
            return absl::OkStatus();
          }};
}

homeward::v1::InstrumentDefinition GetEcho(
    const std::shared_ptr<grpc::Channel>& channel, grpc::Status* status) {
  auto stub = homeward::v1::InstrumentService::NewStub(channel);
  grpc::ClientContext ctx;
  homeward::testing::SignAs(homeward::testing::MakePrincipal(
                                "cm-1", homeward::v1::ROLE_CASE_MANAGER, {}),
                            &ctx);
  homeward::v1::GetInstrumentRequest request;
  request.set_instrument_id("rss");
  homeward::v1::InstrumentDefinition response;
  *status = stub->GetInstrument(&ctx, request, &response);
  return response;
}

HealthCheckResponse::ServingStatus HealthOf(
    const std::shared_ptr<grpc::Channel>& channel, const std::string& service,
    grpc::StatusCode* code) {
  auto stub = grpc::health::v1::Health::NewStub(channel);
  grpc::ClientContext ctx;
  HealthCheckRequest request;
  request.set_service(service);
  HealthCheckResponse response;
  grpc::Status status = stub->Check(&ctx, request, &response);
  *code = status.error_code();
  return status.ok() ? response.status() : HealthCheckResponse::UNKNOWN;
}

TEST(ServiceHostTest, ServesTheServiceOnALoopbackPortAndInProcess) {
  TempDir dir;
  auto host = ServiceHost::Start(
      EchoDefinition(), homeward::testing::LoopbackServiceConfig(dir.path()),
      homeward::testing::kTestSecret);
  ASSERT_TRUE(host.ok()) << host.status();
  ASSERT_GT((*host)->port(), 0);
  for (const auto& channel :
       {homeward::testing::LoopbackChannel((*host)->port()),
        (*host)->InProcessChannel()}) {
    grpc::Status status;
    homeward::v1::InstrumentDefinition echoed = GetEcho(channel, &status);
    ASSERT_TRUE(status.ok()) << status.error_message();
    EXPECT_EQ(echoed.instrument_id(), "rss");
    EXPECT_EQ(echoed.title().at("en"), "cm-1");
  }
}

TEST(ServiceHostTest, ServesInProcessOnlyWithoutAListenAddress) {
  TempDir dir;
  ServiceConfig config = homeward::testing::LoopbackServiceConfig(dir.path());
  config.clear_listen_address();
  auto host = ServiceHost::Start(EchoDefinition(), config,
                                 homeward::testing::kTestSecret);
  ASSERT_TRUE(host.ok()) << host.status();
  EXPECT_EQ((*host)->port(), 0);
  grpc::Status status;
  GetEcho((*host)->InProcessChannel(), &status);
  EXPECT_TRUE(status.ok()) << status.error_message();
}

TEST(ServiceHostTest, EveryRegisteredServiceIsServingWhileUp) {
  TempDir dir;
  auto host = ServiceHost::Start(
      EchoDefinition(), homeward::testing::LoopbackServiceConfig(dir.path()),
      homeward::testing::kTestSecret);
  ASSERT_TRUE(host.ok()) << host.status();
  auto channel = (*host)->InProcessChannel();
  grpc::StatusCode code;
  for (const std::string service :
       {"", "homeward.v1.InstrumentService", "homeward.v1.EventFeedService"}) {
    EXPECT_EQ(HealthOf(channel, service, &code), HealthCheckResponse::SERVING)
        << "'" << service << "'";
  }
  // A service the host does not serve is unknown to its health service.
  HealthOf(channel, "homeward.v1.CaseService", &code);
  EXPECT_EQ(code, grpc::StatusCode::NOT_FOUND);
}

TEST(ServiceHostTest, ShutdownRunsStopHooksThenDestroysPartsNewestFirst) {
  TempDir dir;
  std::vector<std::string> log;
  ServiceDefinition definition = EchoDefinition();
  auto build = definition.build;
  definition.build = [&](ServiceParts& parts) {
    parts.Own(std::make_unique<LoggedPart>("older part", &log));
    parts.AddStop([&] { log.push_back("first stop"); });
    parts.Own(std::make_unique<LoggedPart>("newer part", &log));
    parts.AddStop([&] { log.push_back("second stop"); });
    return build(parts);
  };
  auto host = ServiceHost::Start(
      definition, homeward::testing::LoopbackServiceConfig(dir.path()),
      homeward::testing::kTestSecret);
  ASSERT_TRUE(host.ok()) << host.status();
  EXPECT_TRUE(log.empty());
  (*host)->Shutdown(absl::Seconds(1));
  EXPECT_THAT(log, ElementsAre("second stop", "first stop", "newer part",
                               "older part"));
  (*host)->Shutdown(absl::Seconds(1));  // idempotent
  EXPECT_EQ(log.size(), 4u);
}

TEST(ServiceHostTest, AFailedBuildStopsTheStartAndTearsDownWhatItBuilt) {
  TempDir dir;
  std::vector<std::string> log;
  ServiceDefinition definition{
      .name = "broken", .build = [&](ServiceParts& parts) {
        parts.Own(std::make_unique<LoggedPart>("part", &log));
        parts.AddStop([&] { log.push_back("stop"); });
        return absl::FailedPreconditionError("instruments_dir: bad file");
      }};
  EXPECT_THAT(
      ServiceHost::Start(definition,
                         homeward::testing::LoopbackServiceConfig(dir.path()),
                         homeward::testing::kTestSecret),
      StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("bad file")));
  EXPECT_THAT(log, ElementsAre("stop", "part"));
  // The store was closed: the data directory opens again.
  auto again = ServiceHost::Start(
      EchoDefinition(), homeward::testing::LoopbackServiceConfig(dir.path()),
      homeward::testing::kTestSecret);
  EXPECT_TRUE(again.ok()) << again.status();
}

TEST(ServiceHostTest, StartRefusesABadConfigNamingEachField) {
  ServiceConfig config;
  auto* range = config.add_owned_partitions();
  range->set_first(10);
  range->set_last(5);
  config.set_record_cache_mb(1 << 20);
  auto* upstream = config.add_upstream();
  upstream->add_replicas()->set_address("127.0.0.1:7101");
  EXPECT_THAT(
      ServiceHost::Start(EchoDefinition(), config, "short"),
      StatusIs(absl::StatusCode::kInvalidArgument,
               AllOf(HasSubstr("data_dir: is required"),
                     HasSubstr("principal_secret_file: must hold a secret of "
                               "at least 32 characters"),
                     HasSubstr("record_cache_mb: must be at most 65536 (MiB)"),
                     HasSubstr("owned_partitions[0]"),
                     HasSubstr("upstream[0].service: is required"))));
}

TEST(ServiceHostTest, StartRefusesAnUpstreamLeavingPartitionsWithoutOwner) {
  TempDir dir;
  ServiceConfig config = homeward::testing::LoopbackServiceConfig(dir.path());
  auto* upstream = config.add_upstream();
  upstream->set_service("assessment");
  auto* replica = upstream->add_replicas();
  replica->set_address("127.0.0.1:7101");
  auto* range = replica->add_partitions();
  range->set_first(0);
  range->set_last(31);
  EXPECT_THAT(
      ServiceHost::Start(EchoDefinition(), config,
                         homeward::testing::kTestSecret),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("upstream")));
  range->set_last(63);
  EXPECT_TRUE(ServiceHost::Start(EchoDefinition(), config,
                                 homeward::testing::kTestSecret)
                  .ok());
}

TEST(ServiceHostTest, RestartWithAnotherPartitionCountIsRefused) {
  TempDir dir;
  ServiceConfig config = homeward::testing::LoopbackServiceConfig(dir.path());
  {
    auto first = ServiceHost::Start(EchoDefinition(), config,
                                    homeward::testing::kTestSecret);
    ASSERT_TRUE(first.ok()) << first.status();
  }
  config.set_partition_count(32);
  EXPECT_THAT(ServiceHost::Start(EchoDefinition(), config,
                                 homeward::testing::kTestSecret),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       AllOf(HasSubstr("partition_count 64"),
                             HasSubstr("configured with partition_count 32"),
                             HasSubstr(dir.path()))));
}

}  // namespace
}  // namespace homeward::service
