// The gateway's composed methods (method_table.h: ComposedMethod, Compose)
// and internal methods (MethodRoute::internal), with small compose functions
// written here against a recording fake replica (tests/fixtures/
// fake_replica.h) and a replica that holds every call until its deadline: who
// may call a composed method, how its sub-calls are authorised and routed,
// that an internal method is reachable only through a composed one, that the
// call is answered once and that the gateway waits for a composed call still
// in flight when it shuts down. The case overview itself is tested end to
// end in case_overview_test.cc.

#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "common/status/errors.h"
#include "common/status/grpc_status.h"
#include "common/status/status_matchers.h"
#include "gmock/gmock.h"
#include "grpcpp/ext/health_check_service_server_builder_option.h"
#include "grpcpp/generic/async_generic_service.h"
#include "grpcpp/impl/codegen/proto_utils.h"
#include "grpcpp/security/server_credentials.h"
#include "grpcpp/server.h"
#include "grpcpp/server_builder.h"
#include "gtest/gtest.h"
#include "homeward/internal/v1/indicator_parts.pb.h"
#include "homeward/v1/cases.pb.h"
#include "homeward/v1/overview.pb.h"
#include "services/gateway/api_keys.h"
#include "services/gateway/forwarder.h"
#include "services/gateway/gateway_server.h"
#include "services/gateway/method_table.h"
#include "tests/fixtures/fake_replica.h"
#include "tests/fixtures/gateway_client.h"

namespace homeward::gateway {
namespace {

using ::homeward::testing::IsOk;
using ::homeward::testing::StatusIs;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::SizeIs;

namespace v1 = ::homeward::v1;
namespace internal_v1 = ::homeward::internal::v1;

constexpr char kSecret[] = "composed-method-test-secret-0123456789abcdef";
constexpr char kManagerKey[] = "hw_composed_case_manager_key";
constexpr char kMonitorKey[] = "hw_composed_monitoring_officer_key";
constexpr char kAgencyKey[] = "hw_composed_partner_agency_key";

constexpr char kGetCase[] = "homeward.v1.CaseService/GetCase";
constexpr char kOverview[] = "homeward.v1.CaseOverviewService/GetCaseOverview";
constexpr char kPart[] =
    "homeward.internal.v1.AssessmentIndicators/GetIndicatorPart";

internal_v1::Principal As(const std::string& user, v1::Role role) {
  internal_v1::Principal p;
  p.set_user_id(user);
  p.set_role(role);
  p.add_office_ids("office-dakar");
  return p;
}

// CaseService (as the public table declares it) and the internal indicator
// part of the assessment backend, and the composed method under test (the
// overview's name and types, with the test's own compose function and
// callers).
std::vector<MethodRoute> TestMethods(Callers composed_callers,
                                     Compose compose) {
  std::vector<MethodRoute> methods;
  for (MethodRoute& method : PublicMethods()) {
    if (method.full_name.rfind("homeward.v1.CaseService/", 0) == 0) {
      methods.push_back(std::move(method));
    }
  }
  MethodRoute part =
      Unary<internal_v1::IndicatorPartRequest, internal_v1::IndicatorPart>(
          kAssessmentService, kPart, Gather("cells"), IndicatorReaders());
  part.internal = true;
  methods.push_back(std::move(part));
  methods.push_back(
      ComposedMethod<v1::GetCaseOverviewRequest, v1::CaseOverview>(
          kOverview, std::move(composed_callers), std::move(compose)));
  return methods;
}

std::unique_ptr<GatewayServer> StartGateway(const std::string& replica,
                                            std::vector<MethodRoute> methods,
                                            uint32_t forward_deadline_ms) {
  GatewayServer::Options options;
  options.config.set_grpc_listen_address("127.0.0.1:0");
  options.config.set_http_listen_address("127.0.0.1:0");
  options.config.set_forward_deadline_ms(forward_deadline_ms);
  auto* route = options.config.add_routes();
  route->set_service(kAssessmentService);
  route->add_replicas()->set_address(replica);
  options.principal_secret = kSecret;
  *options.api_keys.add_keys() =
      MakeApiKey("cm", kManagerKey, As("cm-1", v1::ROLE_CASE_MANAGER));
  *options.api_keys.add_keys() = MakeApiKey(
      "monitor", kMonitorKey, As("mo-1", v1::ROLE_MONITORING_OFFICER));
  internal_v1::Principal agency;
  agency.set_user_id("pa-1");
  agency.set_role(v1::ROLE_PARTNER_AGENCY);
  agency.set_agency_id("agency-health");
  *options.api_keys.add_keys() = MakeApiKey("agency", kAgencyKey, agency);
  options.methods = std::move(methods);
  auto gateway = GatewayServer::Start(std::move(options));
  EXPECT_THAT(gateway, IsOk());
  return gateway.ok() ? *std::move(gateway) : nullptr;
}

// A compose function that reads the case named by the request through
// GetCase and answers with it as the overview's case (or GetCase's refusal).
// Counts its runs.
Compose ReadTheCase(std::shared_ptr<std::atomic<int>> runs) {
  return [runs](Forwarder& forwarder, const CallInfo& call,
                const google::protobuf::Message& request,
                google::protobuf::Message* response,
                std::function<void(absl::Status)> done) {
    ++*runs;
    auto get = std::make_shared<v1::GetCaseRequest>();
    get->set_case_id(
        static_cast<const v1::GetCaseOverviewRequest&>(request).case_id());
    auto* overview = static_cast<v1::CaseOverview*>(response);
    forwarder.Forward(*forwarder.methods().Find(kGetCase), call, *get,
                      overview->mutable_case_(),
                      [get, done = std::move(done)](absl::Status status) {
                        done(std::move(status));
                      });
  };
}

v1::Case ACase() {
  v1::Case c;
  c.set_case_id("C42");
  c.set_office_id("office-dakar");
  return c;
}

// ---------------------------------------------------------------------------
// Declarations

TEST(ComposedMethodTableTest, ComposedMethodsNeedNoBackendRoute) {
  auto table = MethodTable::Create(TestMethods(
      CaseWorkers(), ReadTheCase(std::make_shared<std::atomic<int>>())));
  ASSERT_THAT(table, IsOk());
  EXPECT_EQ(table->backends(), std::vector<std::string>{kAssessmentService});
  const MethodRoute* composed = table->Find(kOverview);
  ASSERT_NE(composed, nullptr);
  EXPECT_EQ(composed->route.kind, Routing::kComposed);
  EXPECT_EQ(composed->backend, kGatewayItself);
  EXPECT_EQ(table->FindPublic(kOverview), composed);
  // The internal method is in the table for composed methods, not for the
  // faces.
  EXPECT_NE(table->Find(kPart), nullptr);
  EXPECT_EQ(table->FindPublic(kPart), nullptr);
  EXPECT_EQ(table->FindPublic("homeward.v1.CaseService/NoSuchMethod"), nullptr);
}

TEST(ComposedMethodTableTest, RefusesInconsistentComposedDeclarations) {
  // Composed without a compose function; a compose function on a forwarded
  // method; a forwarded method naming the gateway as its backend; a composed
  // method of the wrong types.
  MethodRoute no_compose =
      ComposedMethod<v1::GetCaseOverviewRequest, v1::CaseOverview>(
          kOverview, CaseWorkers(), nullptr);
  MethodRoute stray_compose = Unary<v1::GetCaseRequest, v1::Case>(
      kAssessmentService, kGetCase, ByCaseId("case_id"), CaseWorkers());
  stray_compose.compose = ReadTheCase(std::make_shared<std::atomic<int>>());
  MethodRoute gateway_backend =
      Unary<internal_v1::IndicatorPartRequest, internal_v1::IndicatorPart>(
          kGatewayItself, kPart, Gather("cells"), IndicatorReaders());
  auto table = MethodTable::Create(
      {no_compose, stray_compose, gateway_backend,
       ComposedMethod<v1::GetCaseRequest, v1::Case>(
           "homeward.internal.v1.PlanningIndicators/GetIndicatorPart",
           IndicatorReaders(),
           ReadTheCase(std::make_shared<std::atomic<int>>()))});
  ASSERT_THAT(table, StatusIs(absl::StatusCode::kInternal));
  const std::string message(table.status().message());
  EXPECT_THAT(message,
              HasSubstr("GetCaseOverview is composed but has no compose "
                        "function"));
  EXPECT_THAT(message, HasSubstr("GetCase has a compose function but is not "
                                 "composed"));
  EXPECT_THAT(message, HasSubstr("GetIndicatorPart names backend 'gateway', "
                                 "which only composed methods may"));
  EXPECT_THAT(message, HasSubstr("PlanningIndicators/GetIndicatorPart takes "
                                 "homeward.internal.v1.IndicatorPartRequest"));
  // The rest of CaseService is still required.
  EXPECT_THAT(message,
              HasSubstr("homeward.v1.CaseService/ListCases has no route"));
}

TEST(ComposedMethodTableTest, IndicatorReadersAreMonitoringSupervisionAdmin) {
  const Callers readers = IndicatorReaders();
  EXPECT_TRUE(readers.Allows(v1::ROLE_MONITORING_OFFICER));
  EXPECT_TRUE(readers.Allows(v1::ROLE_SUPERVISOR));
  EXPECT_TRUE(readers.Allows(v1::ROLE_ADMINISTRATOR));
  EXPECT_FALSE(readers.Allows(v1::ROLE_CASE_MANAGER));
  EXPECT_FALSE(readers.Allows(v1::ROLE_PARTNER_AGENCY));
  EXPECT_EQ(readers.who, "monitoring officers, supervisors and administrators");
}

// ---------------------------------------------------------------------------
// Calls

TEST(ComposedMethodTest, SubCallsCarryTheCallersPrincipalOnBothFaces) {
  homeward::testing::FakeReplica replica(kSecret);
  replica.Answer(absl::StrCat("/", kGetCase), ACase());
  auto runs = std::make_shared<std::atomic<int>>(0);
  auto gateway = StartGateway(
      replica.address(), TestMethods(CaseWorkers(), ReadTheCase(runs)), 5000);
  ASSERT_NE(gateway, nullptr);
  homeward::testing::GatewayClient client(gateway->grpc_port(),
                                          gateway->http_port());
  v1::GetCaseOverviewRequest request;
  request.set_case_id("C42");
  v1::CaseOverview overview;
  const grpc::Status status =
      client.Call(kOverview, request, &overview, kManagerKey, "composed-req-1");
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(overview.case_().case_id(), "C42");
  auto res = client.Json(kOverview, request, kManagerKey);
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200) << res->body;
  EXPECT_THAT(res->body, HasSubstr("\"caseId\":\"C42\""));
  EXPECT_EQ(*runs, 2);
  const std::vector<homeward::testing::Received> received = replica.received();
  ASSERT_THAT(received, SizeIs(2));
  for (const auto& got : received) {
    EXPECT_EQ(got.method, absl::StrCat("/", kGetCase));
    EXPECT_EQ(got.user_id, "cm-1");
  }
  EXPECT_EQ(received[0].request_id, "composed-req-1");
  v1::GetCaseRequest forwarded;
  ASSERT_TRUE(forwarded.ParseFromString(received[0].bytes));
  EXPECT_EQ(forwarded.case_id(), "C42");
}

TEST(ComposedMethodTest, CallersNotAllowedAreRefusedBeforeComposing) {
  homeward::testing::FakeReplica replica(kSecret);
  auto runs = std::make_shared<std::atomic<int>>(0);
  auto gateway = StartGateway(
      replica.address(), TestMethods(CaseWorkers(), ReadTheCase(runs)), 5000);
  ASSERT_NE(gateway, nullptr);
  homeward::testing::GatewayClient client(gateway->grpc_port(),
                                          gateway->http_port());
  v1::GetCaseOverviewRequest request;
  request.set_case_id("C42");
  v1::CaseOverview overview;
  const grpc::Status status =
      client.Call(kOverview, request, &overview, kAgencyKey);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_THAT(status.error_message(),
              HasSubstr("open to case managers and supervisors only"));
  auto res = client.Json(kOverview, request, kAgencyKey);
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 403) << res->body;
  EXPECT_EQ(*runs, 0);
  EXPECT_THAT(replica.received(), IsEmpty());
}

TEST(ComposedMethodTest, EverySubCallIsAuthorisedAgainstItsOwnCallers) {
  // The composed method is open to any role, GetCase is not: a monitoring
  // officer gets GetCase's refusal, and the replica sees nothing.
  homeward::testing::FakeReplica replica(kSecret);
  auto runs = std::make_shared<std::atomic<int>>(0);
  auto gateway = StartGateway(replica.address(),
                              TestMethods(AnyRole(), ReadTheCase(runs)), 5000);
  ASSERT_NE(gateway, nullptr);
  homeward::testing::GatewayClient client(gateway->grpc_port(),
                                          gateway->http_port());
  v1::GetCaseOverviewRequest request;
  request.set_case_id("C42");
  v1::CaseOverview overview;
  const grpc::Status status =
      client.Call(kOverview, request, &overview, kMonitorKey);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_THAT(status.error_message(),
              HasSubstr("may not call homeward.v1.CaseService/GetCase"));
  EXPECT_EQ(*runs, 1);
  EXPECT_THAT(replica.received(), IsEmpty());
}

TEST(ComposedMethodTest, InternalMethodsAreReachedOnlyThroughComposedOnes) {
  homeward::testing::FakeReplica replica(kSecret);
  internal_v1::IndicatorPart part;
  part.add_cells()->set_table("caseload");
  replica.Answer(absl::StrCat("/", kPart), part);
  // Composed: asks the internal part method and answers with the number of
  // cells it got as the overview's case id.
  Compose read_part = [](Forwarder& forwarder, const CallInfo& call,
                         const google::protobuf::Message&,
                         google::protobuf::Message* response,
                         std::function<void(absl::Status)> done) {
    auto request = std::make_shared<internal_v1::IndicatorPartRequest>();
    request->set_office_id("office-dakar");
    auto got = std::make_shared<internal_v1::IndicatorPart>();
    forwarder.Forward(
        *forwarder.methods().Find(kPart), call, *request, got.get(),
        [request, got, response, done = std::move(done)](absl::Status status) {
          static_cast<v1::CaseOverview*>(response)
              ->mutable_case_()
              ->set_case_id(absl::StrCat("cells:", got->cells_size()));
          done(std::move(status));
        });
  };
  auto gateway = StartGateway(replica.address(),
                              TestMethods(IndicatorReaders(), read_part), 5000);
  ASSERT_NE(gateway, nullptr);
  homeward::testing::GatewayClient client(gateway->grpc_port(),
                                          gateway->http_port());
  internal_v1::IndicatorPartRequest direct;
  direct.set_office_id("office-dakar");
  internal_v1::IndicatorPart answer;
  // Neither face serves it, even to a caller it is open to.
  const grpc::Status status = client.Call(kPart, direct, &answer, kMonitorKey);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNIMPLEMENTED);
  auto res = client.Json(kPart, direct, kMonitorKey);
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 404) << res->body;
  EXPECT_THAT(replica.received(), IsEmpty());
  // Through the composed method it is routed like any other method.
  v1::CaseOverview overview;
  const grpc::Status composed = client.Call(
      kOverview, v1::GetCaseOverviewRequest(), &overview, kMonitorKey);
  ASSERT_TRUE(composed.ok()) << composed.error_message();
  EXPECT_EQ(overview.case_().case_id(), "cells:1");
  ASSERT_THAT(replica.received(), SizeIs(1));
  EXPECT_EQ(replica.received()[0].method, absl::StrCat("/", kPart));
  EXPECT_EQ(replica.received()[0].user_id, "mo-1");
}

TEST(ComposedMethodTest, AComposeAnsweringTwiceIsAnsweredOnce) {
  homeward::testing::FakeReplica replica(kSecret);
  Compose twice = [](Forwarder&, const CallInfo&,
                     const google::protobuf::Message&,
                     google::protobuf::Message* response,
                     std::function<void(absl::Status)> done) {
    static_cast<v1::CaseOverview*>(response)->mutable_case_()->set_case_id(
        "first");
    done(absl::OkStatus());
    done(errors::Internal("answered again"));
  };
  auto gateway =
      StartGateway(replica.address(), TestMethods(CaseWorkers(), twice), 5000);
  ASSERT_NE(gateway, nullptr);
  homeward::testing::GatewayClient client(gateway->grpc_port(),
                                          gateway->http_port());
  for (int i = 0; i < 2; ++i) {
    v1::CaseOverview overview;
    const grpc::Status status = client.Call(
        kOverview, v1::GetCaseOverviewRequest(), &overview, kManagerKey);
    ASSERT_TRUE(status.ok()) << status.error_message();
    EXPECT_EQ(overview.case_().case_id(), "first");
    auto res =
        client.Json(kOverview, v1::GetCaseOverviewRequest(), kManagerKey);
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 200) << res->body;
  }
}

TEST(ComposedMethodTest, ForwarderCountsTheDoneOfAComposedCallOnce) {
  // On the Forwarder itself: `done` reaches the caller once, and the
  // in-flight count comes back to zero (else the destructor would hang).
  auto table = MethodTable::Create(TestMethods(
      CaseWorkers(),
      [](Forwarder&, const CallInfo&, const google::protobuf::Message&,
         google::protobuf::Message*, std::function<void(absl::Status)> done) {
        done(absl::OkStatus());
        done(absl::OkStatus());
      }));
  ASSERT_THAT(table, IsOk());
  auto forwarder = std::make_unique<Forwarder>(
      Forwarder::Options{{}, *std::move(table), kSecret, absl::Seconds(5)});
  CallInfo call;
  call.principal = As("cm-1", v1::ROLE_CASE_MANAGER);
  int answers = 0;
  v1::CaseOverview overview;
  forwarder->Forward(*forwarder->methods().Find(kOverview), call,
                     v1::GetCaseOverviewRequest(), &overview,
                     [&answers](absl::Status) { ++answers; });
  EXPECT_EQ(answers, 1);
  forwarder.reset();  // returns: nothing is counted in flight
}

TEST(ComposedMethodTest, ForwarderWaitsForAComposedCallInFlight) {
  // The compose function answers from its own thread a while later (as one
  // waiting for sub-calls would): the Forwarder must not be gone by then.
  std::thread answerer;
  std::atomic<bool> answered{false};
  auto table = MethodTable::Create(TestMethods(
      CaseWorkers(),
      [&answerer](Forwarder&, const CallInfo&, const google::protobuf::Message&,
                  google::protobuf::Message*,
                  std::function<void(absl::Status)> done) {
        answerer = std::thread([done = std::move(done)] {
          absl::SleepFor(absl::Milliseconds(300));
          done(absl::OkStatus());
        });
      }));
  ASSERT_THAT(table, IsOk());
  auto forwarder = std::make_unique<Forwarder>(
      Forwarder::Options{{}, *std::move(table), kSecret, absl::Seconds(5)});
  CallInfo call;
  call.principal = As("cm-1", v1::ROLE_CASE_MANAGER);
  v1::GetCaseOverviewRequest request;
  v1::CaseOverview overview;
  forwarder->Forward(*forwarder->methods().Find(kOverview), call, request,
                     &overview, [&answered](absl::Status) { answered = true; });
  EXPECT_FALSE(answered);
  forwarder.reset();
  EXPECT_TRUE(answered) << "the Forwarder went away before the composed call "
                           "was answered";
  answerer.join();
}

// A replica that holds every call until the caller gives up (deadline or
// cancellation), and says how many it holds.
class HoldingReplica : public grpc::CallbackGenericService {
 public:
  HoldingReplica() {
    grpc::ServerBuilder builder;
    builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(),
                             &port_);
    builder.RegisterCallbackGenericService(this);
    builder.SetOption(
        std::make_unique<grpc::HealthCheckServiceServerBuilderOption>(nullptr));
    server_ = builder.BuildAndStart();
  }
  ~HoldingReplica() override { server_->Shutdown(); }
  std::string address() const { return absl::StrCat("127.0.0.1:", port_); }
  // Waits until `n` calls (not health checks) have arrived.
  bool WaitForCalls(int n, absl::Duration timeout) {
    absl::MutexLock lock(&mu_);
    const auto enough = [this, n]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
      return calls_ >= n;
    };
    return mu_.AwaitWithTimeout(absl::Condition(&enough), timeout);
  }

  grpc::ServerGenericBidiReactor* CreateReactor(
      grpc::GenericCallbackServerContext* context) override {
    return new Call(this, context);
  }

 private:
  class Call final : public grpc::ServerGenericBidiReactor {
   public:
    Call(HoldingReplica* replica, grpc::GenericCallbackServerContext* context)
        : replica_(replica), context_(context) {
      StartRead(&request_);
    }
    void OnReadDone(bool ok) override {
      if (!ok) return Finish(grpc::Status(grpc::StatusCode::INTERNAL, "read"));
      if (context_->method() == "/grpc.health.v1.Health/Check") {
        // UNKNOWN: not serving; readiness does not matter here.
        grpc::Slice empty{std::string()};
        response_ = grpc::ByteBuffer(&empty, 1);
        return StartWriteAndFinish(&response_, grpc::WriteOptions(),
                                   grpc::Status::OK);
      }
      absl::MutexLock lock(&replica_->mu_);
      ++replica_->calls_;
    }
    void OnCancel() override {
      Finish(grpc::Status(grpc::StatusCode::CANCELLED, "given up"));
    }
    void OnDone() override { delete this; }

   private:
    HoldingReplica* replica_;
    grpc::GenericCallbackServerContext* context_;
    grpc::ByteBuffer request_;
    grpc::ByteBuffer response_;
  };

  int port_ = 0;
  std::unique_ptr<grpc::Server> server_;
  absl::Mutex mu_;
  int calls_ ABSL_GUARDED_BY(mu_) = 0;
};

TEST(ComposedMethodTest, SubCallsEndBeforeTheClientsDeadline) {
  // The forward deadline (20 s) is longer than the client's (3 s): the
  // sub-call still ends early enough for the composed answer to reach the
  // client in time.
  HoldingReplica replica;
  auto gateway = StartGateway(
      replica.address(),
      TestMethods(CaseWorkers(),
                  [](Forwarder& forwarder, const CallInfo& call,
                     const google::protobuf::Message&,
                     google::protobuf::Message* response,
                     std::function<void(absl::Status)> done) {
                    auto get = std::make_shared<v1::GetCaseRequest>();
                    get->set_case_id("C42");
                    auto* overview = static_cast<v1::CaseOverview*>(response);
                    forwarder.Forward(
                        *forwarder.methods().Find(kGetCase), call, *get,
                        overview->mutable_case_(),
                        [get, overview,
                         done = std::move(done)](absl::Status status) {
                          // Answered anyway, naming what the sub-call got.
                          overview->mutable_case_()->set_case_id(
                              absl::StatusCodeToString(status.code()));
                          done(absl::OkStatus());
                        });
                  }),
      20000);
  ASSERT_NE(gateway, nullptr);
  auto channel = homeward::testing::LoopbackChannel(gateway->grpc_port());
  grpc::TemplatedGenericStub<google::protobuf::Message,
                             google::protobuf::Message>
      stub(channel);
  grpc::ClientContext context;
  context.AddMetadata("authorization", absl::StrCat("Bearer ", kManagerKey));
  context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(3)));
  v1::GetCaseOverviewRequest request;
  v1::CaseOverview overview;
  absl::Notification finished;
  grpc::Status status;
  stub.UnaryCall(&context, absl::StrCat("/", kOverview), grpc::StubOptions(),
                 &request, &overview, [&](grpc::Status s) {
                   status = std::move(s);
                   finished.Notify();
                 });
  ASSERT_TRUE(finished.WaitForNotificationWithTimeout(absl::Seconds(30)));
  ASSERT_TRUE(status.ok()) << status.error_code() << " "
                           << status.error_message();
  EXPECT_EQ(overview.case_().case_id(), "DEADLINE_EXCEEDED");
}

TEST(ComposedMethodTest, ShutdownWaitsForAComposedCallInFlight) {
  HoldingReplica replica;
  auto answered = std::make_shared<std::atomic<bool>>(false);
  auto gateway = StartGateway(
      replica.address(),
      TestMethods(
          CaseWorkers(),
          [answered](Forwarder& forwarder, const CallInfo& call,
                     const google::protobuf::Message&,
                     google::protobuf::Message* response,
                     std::function<void(absl::Status)> done) {
            auto get = std::make_shared<v1::GetCaseRequest>();
            get->set_case_id("C42");
            forwarder.Forward(
                *forwarder.methods().Find(kGetCase), call, *get,
                static_cast<v1::CaseOverview*>(response)->mutable_case_(),
                [get, answered, done = std::move(done)](absl::Status status) {
                  done(std::move(status));
                  *answered = true;
                });
          }),
      2000);
  ASSERT_NE(gateway, nullptr);
  homeward::testing::GatewayClient client(gateway->grpc_port(),
                                          gateway->http_port());
  grpc::Status status;
  std::thread caller([&] {
    v1::CaseOverview overview;
    status = client.Call(kOverview, v1::GetCaseOverviewRequest(), &overview,
                         kManagerKey);
  });
  ASSERT_TRUE(replica.WaitForCalls(1, absl::Seconds(20)));
  // The sub-call is held: shut down and destroy the gateway under it.
  gateway->Shutdown(absl::ZeroDuration());
  gateway.reset();
  EXPECT_TRUE(*answered) << "the gateway went away before the composed call "
                            "was answered";
  caller.join();
  EXPECT_FALSE(status.ok());
}

}  // namespace
}  // namespace homeward::gateway
