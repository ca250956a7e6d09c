// End-to-end tests of the gateway: a real AssessmentServer (RocksDB in a temp
// dir) behind a real GatewayServer, both on 127.0.0.1 with ports picked by the
// kernel, called over real sockets through the public gRPC and JSON faces.
// Also unit tests of the gateway's routing table, page tokens, API-key
// parsing and Connect error mapping, which need no servers.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <future>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "common/auth/principal_token.h"
#include "common/routing/route_table.h"
#include "common/status/errors.h"
#include "common/status/grpc_status.h"
#include "common/status/status_matchers.h"
#include "common/storage/ids.h"
#include "common/storage/partitions.h"
#include "gmock/gmock.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "grpcpp/client_context.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/generic/generic_stub.h"
#include "grpcpp/impl/codegen/proto_utils.h"
#include "grpcpp/security/credentials.h"
#include "gtest/gtest.h"
#include "homeward/internal/v1/config.pb.h"
#include "homeward/v1/cases.grpc.pb.h"
#include "httplib.h"
#include "services/assessment/assessment_server.h"
#include "services/gateway/api_keys.h"
#include "services/gateway/gateway_server.h"
#include "services/gateway/json_http.h"
#include "services/gateway/page_token.h"
#include "testing/reflection_wire.pb.h"
#include "tests/fixtures/assessment_server.h"
#include "tests/fixtures/closed_port.h"
#include "tests/fixtures/reflection_client.h"
#include "tests/fixtures/temp_dir.h"

namespace homeward::gateway {
namespace {

using ::homeward::testing::ClosedPort;

using ::homeward::testing::IsOk;
using ::homeward::testing::StatusIs;
using ::homeward::testing::TempDir;
using ::homeward::v1::Case;
using ::homeward::v1::CaseService;
using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::Eq;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using ::testing::Property;
using ::testing::SizeIs;
using ::testing::UnorderedElementsAreArray;

constexpr char kSecret[] = "gateway-test-principal-secret-0123456789abcdef";
constexpr char kApiKey[] = "hw_test_case_manager_key_0123456789";
constexpr char kJsonType[] = "application/json";

homeward::internal::v1::Principal CaseManager() {
  homeward::internal::v1::Principal p;
  p.set_user_id("cm-1");
  p.set_role(homeward::v1::ROLE_CASE_MANAGER);
  p.add_office_ids("office-dakar");
  return p;
}

homeward::v1::Date DateOf(absl::CivilDay day) {
  homeward::v1::Date d;
  d.set_year(static_cast<int32_t>(day.year()));
  d.set_month(day.month());
  d.set_day(day.day());
  return d;
}

// A registration the service accepts. The return date is a month ago so that
// the payload stays valid whatever day the tests run.
homeward::v1::RegisterCaseRequest Registration(
    const std::string& request_id, const std::string& given_name = "Awa") {
  homeward::v1::RegisterCaseRequest req;
  req.set_request_id(request_id);
  Case* c = req.mutable_case_();
  auto* r = c->mutable_returnee();
  r->set_given_name(given_name);
  r->set_family_name("Diop");
  r->set_sex(homeward::v1::SEX_FEMALE);
  *r->mutable_date_of_birth() = DateOf(absl::CivilDay(1990, 5, 17));
  r->set_nationality("SN");
  r->add_languages("wo");
  r->add_languages("fr");
  auto* ri = c->mutable_return_info();
  ri->set_country("SN");
  ri->set_region("Dakar");
  ri->set_locality("Pikine");
  *ri->mutable_return_date() = DateOf(absl::ToCivilDay(
      absl::Now() - absl::Hours(24 * 30), absl::UTCTimeZone()));
  ri->set_return_type(homeward::v1::RETURN_TYPE_ASSISTED_VOLUNTARY);
  c->set_office_id("office-dakar");
  c->set_case_manager_id("cm-1");
  c->set_programme_id("sn_reintegration");  // published by the replicas
  return req;
}

homeward::internal::v1::ApiKeyFile KeyFile() {
  homeward::internal::v1::ApiKeyFile file;
  *file.add_keys() = MakeApiKey("test-cm", kApiKey, CaseManager());
  return file;
}

homeward::internal::v1::GatewayConfig GatewayConfigFor(
    const std::vector<std::string>& replicas) {
  homeward::internal::v1::GatewayConfig config;
  config.set_grpc_listen_address("127.0.0.1:0");
  config.set_http_listen_address("127.0.0.1:0");
  config.set_partition_count(64);
  auto* route = config.add_routes();
  route->set_service("assessment");
  for (const std::string& address : replicas)
    route->add_replicas()->set_address(address);
  return config;
}

void Authorize(grpc::ClientContext* ctx, const std::string& key = kApiKey) {
  ctx->AddMetadata("authorization", absl::StrCat("Bearer ", key));
}

std::vector<errors::FieldViolation> ViolationsOf(const grpc::Status& status) {
  return errors::FieldViolationsOf(FromGrpcStatus(status));
}

MATCHER_P(ViolationOn, field, absl::StrCat("a field violation on ", field)) {
  return arg.field == field;
}

google::protobuf::Struct ParseJsonObject(const std::string& json) {
  google::protobuf::Struct out;
  EXPECT_TRUE(google::protobuf::util::JsonStringToMessage(json, &out).ok())
      << json;
  return out;
}

std::string ToJson(const google::protobuf::Message& message) {
  std::string json;
  EXPECT_TRUE(google::protobuf::util::MessageToJsonString(message, &json).ok());
  return json;
}

// One assessment replica with its own data directory.
struct Replica {
  TempDir dir;
  std::unique_ptr<assessment::AssessmentServer> server;
  std::string address() const {
    return absl::StrCat("127.0.0.1:", server->port());
  }
};

std::unique_ptr<Replica> StartReplica(
    const std::vector<homeward::internal::v1::PartitionRange>& owned = {}) {
  auto replica = std::make_unique<Replica>();
  homeward::internal::v1::ServiceConfig config =
      homeward::testing::LoopbackServiceConfig(replica->dir.path());
  for (const auto& range : owned) *config.add_owned_partitions() = range;
  auto server = assessment::AssessmentServer::Start(
      homeward::testing::WithShippedProgrammeData(config), kSecret);
  EXPECT_THAT(server, IsOk());
  if (!server.ok()) return nullptr;
  replica->server = *std::move(server);
  return replica;
}

homeward::internal::v1::PartitionRange Range(uint32_t first, uint32_t last) {
  homeward::internal::v1::PartitionRange r;
  r.set_first(first);
  r.set_last(last);
  return r;
}

// A gateway in front of one assessment replica.
class GatewayTest : public ::testing::Test {
 protected:
  void SetUp() override {
    replica_ = StartReplica();
    ASSERT_NE(replica_, nullptr);
    GatewayServer::Options options;
    options.config = GatewayConfigFor({replica_->address()});
    options.principal_secret = kSecret;
    options.api_keys = KeyFile();
    auto gateway = GatewayServer::Start(std::move(options));
    ASSERT_THAT(gateway, IsOk());
    gateway_ = *std::move(gateway);
    ASSERT_GT(gateway_->grpc_port(), 0);
    ASSERT_GT(gateway_->http_port(), 0);
    channel_ = homeward::testing::LoopbackChannel(gateway_->grpc_port());
    stub_ = CaseService::NewStub(channel_);
    http_ =
        std::make_unique<httplib::Client>("127.0.0.1", gateway_->http_port());
    http_->set_read_timeout(10, 0);
  }

  void TearDown() override {
    if (gateway_ != nullptr) gateway_->Shutdown(absl::Seconds(1));
    if (replica_ != nullptr && replica_->server != nullptr) {
      replica_->server->Shutdown(absl::Seconds(1));
    }
  }

  grpc::Status Register(const homeward::v1::RegisterCaseRequest& req,
                        Case* out) {
    grpc::ClientContext ctx;
    Authorize(&ctx);
    ctx.set_deadline(std::chrono::system_clock::now() +
                     std::chrono::seconds(10));
    return stub_->RegisterCase(&ctx, req, out);
  }

  grpc::Status Get(const std::string& case_id, Case* out) {
    grpc::ClientContext ctx;
    Authorize(&ctx);
    ctx.set_deadline(std::chrono::system_clock::now() +
                     std::chrono::seconds(10));
    homeward::v1::GetCaseRequest req;
    req.set_case_id(case_id);
    return stub_->GetCase(&ctx, req, out);
  }

  httplib::Result PostJson(const std::string& method, const std::string& body,
                           const std::string& key = kApiKey) {
    httplib::Headers headers;
    if (!key.empty())
      headers.emplace("Authorization", absl::StrCat("Bearer ", key));
    return http_->Post(
        absl::StrCat("/homeward.v1.CaseService/", method).c_str(), headers,
        body, kJsonType);
  }

  std::unique_ptr<Replica> replica_;
  std::unique_ptr<GatewayServer> gateway_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<CaseService::Stub> stub_;
  std::unique_ptr<httplib::Client> http_;
};

// ---------------------------------------------------------------------------
// gRPC face

TEST_F(GatewayTest, GrpcRegisterThenGetThroughGateway) {
  Case created;
  ASSERT_THAT(Register(Registration("req-grpc-1"), &created), IsOk());
  EXPECT_EQ(created.case_id(),
            storage::CaseIdForRequest("office-dakar", "req-grpc-1"));
  EXPECT_EQ(created.returnee().given_name(), "Awa");
  EXPECT_THAT(created.etag(), Not(IsEmpty()));

  Case got;
  ASSERT_THAT(Get(created.case_id(), &got), IsOk());
  EXPECT_EQ(got.case_id(), created.case_id());
  EXPECT_EQ(got.returnee().family_name(), "Diop");
  EXPECT_EQ(got.office_id(), "office-dakar");
  EXPECT_EQ(got.etag(), created.etag());
}

TEST_F(GatewayTest, GrpcRegisterWithSameRequestIdReturnsTheSameCase) {
  Case first, second;
  ASSERT_THAT(Register(Registration("req-idem"), &first), IsOk());
  ASSERT_THAT(Register(Registration("req-idem"), &second), IsOk());
  EXPECT_EQ(first.case_id(), second.case_id());
}

TEST_F(GatewayTest, GrpcRegisterWithoutRequestIdIsRoutedAndCreated) {
  Case created;
  ASSERT_THAT(Register(Registration(""), &created), IsOk());
  Case got;
  EXPECT_THAT(Get(created.case_id(), &got), IsOk());
}

TEST_F(GatewayTest, GrpcUpdateWithEtagThenStaleEtagIsAborted) {
  Case created;
  ASSERT_THAT(Register(Registration("req-update"), &created), IsOk());

  homeward::v1::UpdateCaseRequest update;
  *update.mutable_case_() = created;
  update.mutable_case_()->mutable_returnee()->set_given_name("Aminata");
  Case updated;
  {
    grpc::ClientContext ctx;
    Authorize(&ctx);
    ASSERT_THAT(stub_->UpdateCase(&ctx, update, &updated), IsOk());
  }
  EXPECT_EQ(updated.returnee().given_name(), "Aminata");
  EXPECT_NE(updated.etag(), created.etag());

  // Same etag again: the case moved on since it was read.
  update.mutable_case_()->mutable_returnee()->set_given_name("Fatou");
  grpc::ClientContext ctx;
  Authorize(&ctx);
  Case ignored;
  EXPECT_THAT(stub_->UpdateCase(&ctx, update, &ignored),
              StatusIs(absl::StatusCode::kAborted));

  Case got;
  ASSERT_THAT(Get(created.case_id(), &got), IsOk());
  EXPECT_EQ(got.returnee().given_name(), "Aminata");
}

TEST_F(GatewayTest, GrpcListReturnsRegisteredCases) {
  std::vector<std::string> ids;
  for (int i = 0; i < 5; ++i) {
    Case c;
    ASSERT_THAT(Register(Registration(absl::StrCat("req-list-", i)), &c),
                IsOk());
    ids.push_back(c.case_id());
  }
  grpc::ClientContext ctx;
  Authorize(&ctx);
  homeward::v1::ListCasesRequest req;
  homeward::v1::ListCasesResponse resp;
  ASSERT_THAT(stub_->ListCases(&ctx, req, &resp), IsOk());
  std::vector<std::string> listed;
  for (const Case& c : resp.cases()) listed.push_back(c.case_id());
  EXPECT_THAT(listed, UnorderedElementsAreArray(ids));
  EXPECT_THAT(resp.next_page_token(), IsEmpty());
}

TEST_F(GatewayTest, GrpcListPagesWithoutDuplicatesOrGaps) {
  std::set<std::string> ids;
  for (int i = 0; i < 7; ++i) {
    Case c;
    ASSERT_THAT(Register(Registration(absl::StrCat("req-page-", i)), &c),
                IsOk());
    ids.insert(c.case_id());
  }
  std::vector<std::string> listed;
  std::string token;
  for (int pages = 0; pages < 20; ++pages) {
    grpc::ClientContext ctx;
    Authorize(&ctx);
    homeward::v1::ListCasesRequest req;
    req.mutable_page()->set_page_size(3);
    req.mutable_page()->set_page_token(token);
    homeward::v1::ListCasesResponse resp;
    ASSERT_THAT(stub_->ListCases(&ctx, req, &resp), IsOk());
    EXPECT_LE(resp.cases_size(), 3);
    for (const Case& c : resp.cases()) listed.push_back(c.case_id());
    token = resp.next_page_token();
    if (token.empty()) break;
  }
  EXPECT_THAT(token, IsEmpty());
  EXPECT_THAT(listed, UnorderedElementsAreArray(ids));
}

TEST_F(GatewayTest, GrpcMalformedPageTokenIsInvalidArgument) {
  grpc::ClientContext ctx;
  Authorize(&ctx);
  homeward::v1::ListCasesRequest req;
  req.mutable_page()->set_page_token("not-a-token");
  homeward::v1::ListCasesResponse resp;
  grpc::Status status = stub_->ListCases(&ctx, req, &resp);
  EXPECT_THAT(status, StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(ViolationsOf(status),
              ElementsAre(ViolationOn("page.page_token")));
}

TEST_F(GatewayTest, GrpcEmptyCaseIdIsRefusedAtTheGateway) {
  Case out;
  grpc::Status status = Get("", &out);
  EXPECT_THAT(status, StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(ViolationsOf(status), ElementsAre(ViolationOn("case_id")));

  grpc::ClientContext ctx;
  Authorize(&ctx);
  homeward::v1::UpdateCaseRequest update;
  status = stub_->UpdateCase(&ctx, update, &out);
  EXPECT_THAT(ViolationsOf(status), ElementsAre(ViolationOn("case.case_id")));
}

TEST_F(GatewayTest, GrpcServiceFieldViolationsPassThroughUnchanged) {
  homeward::v1::RegisterCaseRequest req = Registration("req-invalid");
  req.mutable_case_()->mutable_returnee()->clear_given_name();
  Case out;
  grpc::Status status = Register(req, &out);
  EXPECT_THAT(status, StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(ViolationsOf(status),
              Contains(ViolationOn("case.returnee.given_name")));
}

TEST_F(GatewayTest, GrpcUnknownCaseIsNotFound) {
  Case out;
  EXPECT_THAT(Get("C0000000000000000000", &out),
              StatusIs(absl::StatusCode::kNotFound));
}

TEST_F(GatewayTest, GrpcEchoesTheClientRequestId) {
  grpc::ClientContext ctx;
  Authorize(&ctx);
  ctx.AddMetadata("x-request-id", "trace-42");
  homeward::v1::GetCaseRequest req;
  req.set_case_id("C0000000000000000000");
  Case out;
  (void)stub_->GetCase(&ctx, req, &out);
  auto it = ctx.GetServerInitialMetadata().find("x-request-id");
  ASSERT_NE(it, ctx.GetServerInitialMetadata().end());
  EXPECT_EQ(std::string(it->second.data(), it->second.size()), "trace-42");
}

TEST_F(GatewayTest, GrpcHealthCheckServes) {
  auto health = grpc::health::v1::Health::NewStub(channel_);
  grpc::ClientContext ctx;
  grpc::health::v1::HealthCheckRequest req;
  grpc::health::v1::HealthCheckResponse resp;
  ASSERT_THAT(health->Check(&ctx, req, &resp), IsOk());
  EXPECT_EQ(resp.status(), grpc::health::v1::HealthCheckResponse::SERVING);
}

TEST_F(GatewayTest, GrpcReflectionListsAndDescribesThePublicServices) {
  homeward::testing::ServerReflectionRequest list;
  list.set_list_services("");
  homeward::testing::ServerReflectionResponse listed =
      homeward::testing::AskReflection(channel_, list);
  std::vector<std::string> names;
  for (const auto& service : listed.list_services_response().service()) {
    names.push_back(service.name());
  }
  EXPECT_THAT(
      names,
      ::testing::IsSupersetOf(
          {"homeward.v1.CaseService", "homeward.v1.ConsentService",
           "homeward.v1.AssessmentService", "homeward.v1.CounsellingService",
           "homeward.v1.InstrumentService", "grpc.health.v1.Health"}));

  // A client (grpcurl, for one) learns the request and response types of a
  // method from the file that defines the service.
  homeward::testing::MethodTypes get_case = homeward::testing::DescribedMethod(
      channel_, "homeward.v1.CaseService", "GetCase");
  EXPECT_EQ(get_case.input, ".homeward.v1.GetCaseRequest") << get_case.error;
  EXPECT_EQ(get_case.output, ".homeward.v1.Case");
}

// Calls GetCase through the gateway with `body` as the request's wire bytes.
grpc::Status GetCaseWithBody(const std::shared_ptr<grpc::Channel>& channel,
                             const std::string& body, bool with_key) {
  grpc::GenericStub stub(channel);
  grpc::ClientContext ctx;
  if (with_key) Authorize(&ctx);
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  grpc::Slice slice(body);
  grpc::ByteBuffer request(&slice, 1);
  grpc::ByteBuffer response;
  std::promise<grpc::Status> done;
  stub.UnaryCall(&ctx, "/homeward.v1.CaseService/GetCase", grpc::StubOptions(),
                 &request, &response,
                 [&done](grpc::Status status) { done.set_value(status); });
  return done.get_future().get();
}

TEST_F(GatewayTest, GrpcUndecodableRequestIsRefusedAtTheGateway) {
  // A truncated varint: no GetCaseRequest decodes from it. The refusal names
  // the body, which only the gateway does (the service never sees it).
  const std::string garbage = "\x0a\xff\xff\xff";
  grpc::Status status = GetCaseWithBody(channel_, garbage, /*with_key=*/true);
  EXPECT_THAT(status, StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(
      ViolationsOf(status),
      ElementsAre(errors::FieldViolation{
          "body", "is not a valid encoded homeward.v1.GetCaseRequest"}));
  // Without a key the caller learns nothing about the body.
  EXPECT_THAT(GetCaseWithBody(channel_, garbage, /*with_key=*/false),
              StatusIs(absl::StatusCode::kUnauthenticated));
}

// ---------------------------------------------------------------------------
// Authentication

TEST_F(GatewayTest, GrpcMissingKeyIsUnauthenticated) {
  grpc::ClientContext ctx;
  homeward::v1::GetCaseRequest req;
  req.set_case_id("C0000000000000000000");
  Case out;
  EXPECT_THAT(
      stub_->GetCase(&ctx, req, &out),
      StatusIs(absl::StatusCode::kUnauthenticated, HasSubstr("no API key")));
}

TEST_F(GatewayTest, GrpcBadKeyIsUnauthenticatedWithoutEchoingIt) {
  grpc::ClientContext ctx;
  Authorize(&ctx, "hw_not_a_real_key_zzzz");
  homeward::v1::GetCaseRequest req;
  req.set_case_id("C0000000000000000000");
  Case out;
  grpc::Status status = stub_->GetCase(&ctx, req, &out);
  EXPECT_THAT(status, StatusIs(absl::StatusCode::kUnauthenticated));
  EXPECT_THAT(status.error_message(), Not(HasSubstr("hw_not_a_real_key_zzzz")));
}

TEST_F(GatewayTest, GrpcXApiKeyHeaderIsAccepted) {
  grpc::ClientContext ctx;
  ctx.AddMetadata("x-api-key", kApiKey);
  homeward::v1::RegisterCaseRequest req = Registration("req-x-api-key");
  Case out;
  EXPECT_THAT(stub_->RegisterCase(&ctx, req, &out), IsOk());
}

TEST_F(GatewayTest, JsonMissingKeyIs401) {
  auto res = PostJson("GetCase", R"({"caseId":"C0000000000000000000"})", "");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 401);
  google::protobuf::Struct error = ParseJsonObject(res->body);
  EXPECT_EQ(error.fields().at("code").string_value(), "unauthenticated");
}

TEST_F(GatewayTest, JsonBadKeyIs401) {
  auto res =
      PostJson("GetCase", R"({"caseId":"C0000000000000000000"})", "hw_wrong");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 401);
  EXPECT_EQ(ParseJsonObject(res->body).fields().at("code").string_value(),
            "unauthenticated");
  EXPECT_THAT(res->body, Not(HasSubstr("hw_wrong")));
}

TEST_F(GatewayTest, RoleWithoutCaseAccessIsPermissionDenied) {
  gateway_->Shutdown(absl::Seconds(1));
  homeward::internal::v1::Principal monitor;
  monitor.set_user_id("mo-1");
  monitor.set_role(homeward::v1::ROLE_MONITORING_OFFICER);
  GatewayServer::Options options;
  options.config = GatewayConfigFor({replica_->address()});
  options.principal_secret = kSecret;
  *options.api_keys.add_keys() =
      MakeApiKey("monitor", "hw_monitor_key", monitor);
  auto gateway = GatewayServer::Start(std::move(options));
  ASSERT_THAT(gateway, IsOk());
  gateway_ = *std::move(gateway);
  auto stub = CaseService::NewStub(
      homeward::testing::LoopbackChannel(gateway_->grpc_port()));
  grpc::ClientContext ctx;
  Authorize(&ctx, "hw_monitor_key");
  homeward::v1::ListCasesRequest req;
  homeward::v1::ListCasesResponse resp;
  EXPECT_THAT(stub->ListCases(&ctx, req, &resp),
              StatusIs(absl::StatusCode::kPermissionDenied));
}

// The service refuses a principal that did not come from the gateway.
TEST_F(GatewayTest, ForgedPrincipalStraightToServiceIsUnauthenticated) {
  auto direct = CaseService::NewStub(grpc::CreateChannel(
      replica_->address(), grpc::InsecureChannelCredentials()));
  homeward::v1::GetCaseRequest req;
  req.set_case_id("C0000000000000000000");
  Case out;
  {
    grpc::ClientContext ctx;
    auth::PrincipalSigner forger("not-the-deployment-secret-0123456789abcdef");
    forger.Attach(CaseManager(), &ctx);
    EXPECT_THAT(direct->GetCase(&ctx, req, &out),
                StatusIs(absl::StatusCode::kUnauthenticated));
  }
  {
    grpc::ClientContext ctx;  // no principal at all
    EXPECT_THAT(direct->GetCase(&ctx, req, &out),
                StatusIs(absl::StatusCode::kUnauthenticated));
  }
  {
    grpc::ClientContext ctx;  // an API key means nothing to the service itself
    Authorize(&ctx);
    EXPECT_THAT(direct->GetCase(&ctx, req, &out),
                StatusIs(absl::StatusCode::kUnauthenticated));
  }
}

// ---------------------------------------------------------------------------
// JSON face

TEST_F(GatewayTest, JsonRegisterThenGet) {
  auto res = PostJson("RegisterCase", ToJson(Registration("req-json-1")));
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200) << res->body;
  EXPECT_THAT(res->get_header_value("Content-Type"),
              HasSubstr("application/json"));
  Case created;
  ASSERT_TRUE(
      google::protobuf::util::JsonStringToMessage(res->body, &created).ok());
  EXPECT_EQ(created.case_id(),
            storage::CaseIdForRequest("office-dakar", "req-json-1"));
  // lowerCamelCase field names on the way out.
  EXPECT_THAT(res->body, HasSubstr("\"caseId\""));

  res = PostJson("GetCase",
                 absl::StrCat(R"({"caseId":")", created.case_id(), R"("})"));
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200) << res->body;
  Case got;
  ASSERT_TRUE(
      google::protobuf::util::JsonStringToMessage(res->body, &got).ok());
  EXPECT_EQ(got.case_id(), created.case_id());
  EXPECT_EQ(got.returnee().given_name(), "Awa");
  EXPECT_FALSE(res->get_header_value("X-Request-Id").empty());

  // And the same case is visible over gRPC.
  Case via_grpc;
  EXPECT_THAT(Get(created.case_id(), &via_grpc), IsOk());
}

TEST_F(GatewayTest, JsonValidationErrorIs400WithFieldViolations) {
  homeward::v1::RegisterCaseRequest req = Registration("req-json-bad");
  req.mutable_case_()->mutable_returnee()->clear_given_name();
  auto res = PostJson("RegisterCase", ToJson(req));
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 400);
  google::protobuf::Struct error = ParseJsonObject(res->body);
  EXPECT_EQ(error.fields().at("code").string_value(), "invalid_argument");
  EXPECT_THAT(error.fields().at("message").string_value(),
              HasSubstr("given_name"));
  const auto& details = error.fields().at("details").list_value();
  ASSERT_GE(details.values_size(), 1);
  const auto& detail = details.values(0).struct_value().fields();
  EXPECT_EQ(detail.at("type").string_value(), "google.rpc.BadRequest");
  std::vector<std::string> fields;
  for (const auto& v : detail.at("fieldViolations").list_value().values()) {
    fields.push_back(v.struct_value().fields().at("field").string_value());
  }
  EXPECT_THAT(fields, Contains("case.returnee.given_name"));
}

TEST_F(GatewayTest, JsonEmptyCaseIdNamesTheField) {
  auto res = PostJson("GetCase", "{}");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 400);
  EXPECT_THAT(res->body, HasSubstr(R"("field":"case_id")"));
}

// Connect servers ignore unknown fields, so that a client built from a newer
// contract keeps working against this gateway (issue 9, point 23).
TEST_F(GatewayTest, JsonUnknownFieldIsIgnored) {
  Case created;
  ASSERT_THAT(Register(Registration("req-json-unknown-field"), &created),
              IsOk());
  auto res =
      PostJson("GetCase", absl::StrCat(R"({"caseId":")", created.case_id(),
                                       R"(","favouriteColour":"blue"})"));
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200) << res->body;
  EXPECT_THAT(res->body, HasSubstr(created.case_id()));
}

TEST_F(GatewayTest, JsonMalformedBodyIs400) {
  auto res = PostJson("GetCase", R"({"caseId":)");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 400);
}

TEST_F(GatewayTest, JsonStaleEtagIs409Aborted) {
  Case created;
  ASSERT_THAT(Register(Registration("req-json-etag"), &created), IsOk());
  homeward::v1::UpdateCaseRequest update;
  *update.mutable_case_() = created;
  auto res = PostJson("UpdateCase", ToJson(update));
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200) << res->body;
  res = PostJson("UpdateCase", ToJson(update));  // same etag again
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 409);
  EXPECT_EQ(ParseJsonObject(res->body).fields().at("code").string_value(),
            "aborted");
}

TEST_F(GatewayTest, JsonListCases) {
  Case created;
  ASSERT_THAT(Register(Registration("req-json-list"), &created), IsOk());
  auto res = PostJson("ListCases", R"({"page":{"pageSize":10}})");
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200) << res->body;
  homeward::v1::ListCasesResponse list;
  ASSERT_TRUE(
      google::protobuf::util::JsonStringToMessage(res->body, &list).ok());
  EXPECT_THAT(list.cases(),
              Contains(Property(&Case::case_id, Eq(created.case_id()))));
}

TEST_F(GatewayTest, JsonTransportErrors) {
  // Unknown method.
  auto res = PostJson("NoSuchMethod", "{}");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 404);
  EXPECT_EQ(ParseJsonObject(res->body).fields().at("code").string_value(),
            "unimplemented");
  // Unknown path.
  res = http_->Post("/elsewhere", "{}", kJsonType);
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 404);
  // Wrong verb.
  res = http_->Get("/homeward.v1.CaseService/GetCase");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 405);
  // Not JSON.
  httplib::Headers headers{{"Authorization", absl::StrCat("Bearer ", kApiKey)}};
  res = http_->Post("/homeward.v1.CaseService/GetCase", headers, "case_id: 'x'",
                    "text/plain");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 415);
}

TEST_F(GatewayTest, HealthzIsOk) {
  auto res = http_->Get("/healthz");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(res->body, "ok");
}

// ---------------------------------------------------------------------------
// Several replicas

// Two replicas splitting the partitions: every registration must reach the
// owner (the service refuses a case outside its partitions), and the list
// must walk both replicas without duplicates or gaps.
TEST(GatewayReplicasTest, RoutesByPartitionAndListsAcrossReplicas) {
  auto low = StartReplica({Range(0, 31)});
  auto high = StartReplica({Range(32, 63)});
  ASSERT_NE(low, nullptr);
  ASSERT_NE(high, nullptr);

  GatewayServer::Options options;
  options.config = GatewayConfigFor({low->address(), high->address()});
  *options.config.mutable_routes(0)->mutable_replicas(0)->add_partitions() =
      Range(0, 31);
  *options.config.mutable_routes(0)->mutable_replicas(1)->add_partitions() =
      Range(32, 63);
  options.principal_secret = kSecret;
  options.api_keys = KeyFile();
  auto gateway = GatewayServer::Start(std::move(options));
  ASSERT_THAT(gateway, IsOk());
  auto stub = CaseService::NewStub(
      homeward::testing::LoopbackChannel((*gateway)->grpc_port()));

  std::set<std::string> ids;
  int on_low = 0;
  for (int i = 0; i < 12; ++i) {
    grpc::ClientContext ctx;
    Authorize(&ctx);
    Case c;
    ASSERT_THAT(
        stub->RegisterCase(&ctx, Registration(absl::StrCat("multi-", i)), &c),
        IsOk());
    ids.insert(c.case_id());
    if (storage::PartitionOf(c.case_id(), 64) < 32) ++on_low;
    grpc::ClientContext get_ctx;
    Authorize(&get_ctx);
    homeward::v1::GetCaseRequest get;
    get.set_case_id(c.case_id());
    Case got;
    EXPECT_THAT(stub->GetCase(&get_ctx, get, &got), IsOk());
  }
  // 12 random case ids all on one side would make the test prove little.
  ASSERT_GT(on_low, 0);
  ASSERT_LT(on_low, 12);

  for (int page_size : {1, 4, 5, 50}) {
    std::vector<std::string> listed;
    std::string token;
    for (int pages = 0; pages < 40; ++pages) {
      grpc::ClientContext ctx;
      Authorize(&ctx);
      homeward::v1::ListCasesRequest req;
      req.mutable_page()->set_page_size(page_size);
      req.mutable_page()->set_page_token(token);
      homeward::v1::ListCasesResponse resp;
      ASSERT_THAT(stub->ListCases(&ctx, req, &resp), IsOk());
      EXPECT_LE(resp.cases_size(), page_size);
      for (const Case& c : resp.cases()) listed.push_back(c.case_id());
      token = resp.next_page_token();
      if (token.empty()) break;
    }
    EXPECT_THAT(token, IsEmpty()) << "page size " << page_size;
    EXPECT_THAT(listed, SizeIs(ids.size())) << "page size " << page_size;
    EXPECT_THAT(std::set<std::string>(listed.begin(), listed.end()), Eq(ids))
        << "page size " << page_size;
  }
  (*gateway)->Shutdown(absl::Seconds(1));
  low->server->Shutdown(absl::Seconds(1));
  high->server->Shutdown(absl::Seconds(1));
}

// ---------------------------------------------------------------------------
// A replica that is down

TEST(GatewayDownReplicaTest, DownReplicaIsUnavailableWithinTheDeadline) {
  GatewayServer::Options options;
  options.config = GatewayConfigFor({absl::StrCat("127.0.0.1:", ClosedPort())});
  options.config.set_forward_deadline_ms(2000);
  options.principal_secret = kSecret;
  options.api_keys = KeyFile();
  auto gateway = GatewayServer::Start(std::move(options));
  ASSERT_THAT(gateway, IsOk());
  auto stub = CaseService::NewStub(
      homeward::testing::LoopbackChannel((*gateway)->grpc_port()));

  for (int attempt = 0; attempt < 2; ++attempt) {  // cold channel, then warm
    grpc::ClientContext ctx;
    Authorize(&ctx);
    homeward::v1::GetCaseRequest req;
    req.set_case_id("C0000000000000000000");
    Case out;
    const absl::Time start = absl::Now();
    grpc::Status status = stub->GetCase(&ctx, req, &out);
    const absl::Duration elapsed = absl::Now() - start;
    EXPECT_THAT(status, StatusIs(absl::StatusCode::kUnavailable));
    EXPECT_LT(elapsed, absl::Seconds(5));
  }

  httplib::Client http("127.0.0.1", (*gateway)->http_port());
  http.set_read_timeout(10, 0);
  const absl::Time start = absl::Now();
  auto res = http.Post("/homeward.v1.CaseService/GetCase",
                       httplib::Headers{{"X-Api-Key", kApiKey}},
                       R"({"caseId":"C0000000000000000000"})", kJsonType);
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 503);
  EXPECT_EQ(ParseJsonObject(res->body).fields().at("code").string_value(),
            "unavailable");
  EXPECT_LT(absl::Now() - start, absl::Seconds(5));
}

// ---------------------------------------------------------------------------
// Configuration

TEST(GatewayConfigTest, StartNamesEveryProblem) {
  GatewayServer::Options options;
  options.config.set_grpc_listen_address("127.0.0.1:0");
  auto* route = options.config.add_routes();
  route->set_service("assessment");
  route->add_replicas()->set_address("");
  options.config.add_routes()->set_service("planing");
  homeward::internal::v1::ApiKey bad_key;
  bad_key.set_key_id("k");
  *options.api_keys.add_keys() = bad_key;
  auto gateway = GatewayServer::Start(std::move(options));
  ASSERT_THAT(gateway, StatusIs(absl::StatusCode::kInvalidArgument));
  std::vector<std::string> fields;
  for (const auto& v : errors::FieldViolationsOf(gateway.status()))
    fields.push_back(v.field);
  EXPECT_THAT(fields, Contains("principal_secret_file"));
  EXPECT_THAT(fields, Contains("routes[0].replicas[0].address"));
  EXPECT_THAT(fields, Contains("routes[1].service"));
  EXPECT_THAT(fields, Contains("api_keys_file: keys[0].sha256_hex"));
  EXPECT_THAT(fields, Contains("api_keys_file: keys[0].principal.role"));
}

TEST(GatewayConfigTest, ListenFailureIsReported) {
  // Occupy a port, then ask the gateway for it.
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
  ASSERT_EQ(listen(fd, 1), 0);
  socklen_t len = sizeof(addr);
  ASSERT_EQ(getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len), 0);
  GatewayServer::Options options;
  options.config = GatewayConfigFor({"127.0.0.1:1"});
  options.config.set_grpc_listen_address("");
  options.config.set_http_listen_address(
      absl::StrCat("127.0.0.1:", ntohs(addr.sin_port)));
  options.principal_secret = kSecret;
  EXPECT_THAT(GatewayServer::Start(std::move(options)),
              StatusIs(absl::StatusCode::kUnavailable));
  close(fd);
}

TEST(RouteTableTest, RendezvousCoversEveryPartitionWhenNoneListed) {
  homeward::internal::v1::GatewayConfig config =
      GatewayConfigFor({"a:1", "b:1", "c:1"});
  config.set_partition_count(0);  // default 64
  auto routes = routing::RouteTable::Create(
      config.routes(), config.partition_count(), kAssessmentService);
  ASSERT_THAT(routes, IsOk());
  EXPECT_EQ(routes->partition_count(), 64u);
  size_t total = 0;
  for (size_t r = 0; r < 3; ++r) {
    for (uint32_t p : routes->PartitionsOf(r)) {
      EXPECT_EQ(storage::RendezvousOwner(p, routes->addresses()), r);
    }
    total += routes->PartitionsOf(r).size();
  }
  EXPECT_EQ(total, 64u);
  EXPECT_EQ(routes->ReplicaOfCase("C1"),
            routes->ReplicaOfPartition(storage::PartitionOf("C1", 64)));
}

TEST(RouteTableTest, ExplicitMapMustOwnEachPartitionOnce) {
  homeward::internal::v1::GatewayConfig config =
      GatewayConfigFor({"a:1", "b:1"});
  config.set_partition_count(8);
  *config.mutable_routes(0)->mutable_replicas(0)->add_partitions() =
      Range(0, 4);
  *config.mutable_routes(0)->mutable_replicas(1)->add_partitions() =
      Range(4, 6);
  auto routes = routing::RouteTable::Create(
      config.routes(), config.partition_count(), kAssessmentService);
  ASSERT_THAT(routes,
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("4")));
  // Partition 4 twice; partition 7 nobody's (reported once ranges parse).
  EXPECT_THAT(routes.status().message(),
              HasSubstr("partition 4 is listed by more"));
  EXPECT_THAT(routes.status().message(),
              HasSubstr("partition 7 is owned by no replica"));

  *config.mutable_routes(0)->mutable_replicas(1)->mutable_partitions(0) =
      Range(5, 7);
  routes = routing::RouteTable::Create(
      config.routes(), config.partition_count(), kAssessmentService);
  ASSERT_THAT(routes, IsOk());
  EXPECT_EQ(routes->ReplicaOfPartition(4), 0u);
  EXPECT_EQ(routes->ReplicaOfPartition(5), 1u);

  *config.mutable_routes(0)->mutable_replicas(1)->mutable_partitions(0) =
      Range(5, 9);
  EXPECT_THAT(
      routing::RouteTable::Create(config.routes(), config.partition_count(),
                                  kAssessmentService),
      StatusIs(absl::StatusCode::kInvalidArgument,
               HasSubstr("routes[0].replicas[1].partitions[0]")));
}

TEST(RouteTableTest, MissingRouteIsNamed) {
  homeward::internal::v1::GatewayConfig config;
  EXPECT_THAT(
      routing::RouteTable::Create(config.routes(), config.partition_count(),
                                  kAssessmentService),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("routes")));
}

TEST(PageTokenTest, RoundTripsAndRefusesForeignTokens) {
  const ListCursor cursor{1, "replica:token:with:colons"};
  const std::string token = EncodeListCursor(cursor, "abcd1234");
  auto decoded = DecodeListCursor(token, "abcd1234", 2);
  ASSERT_THAT(decoded, IsOk());
  EXPECT_EQ(*decoded, cursor);

  EXPECT_THAT(DecodeListCursor("", "abcd1234", 2), IsOk());
  EXPECT_THAT(DecodeListCursor(token, "ffff0000", 2),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(DecodeListCursor(token, "abcd1234", 1),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(DecodeListCursor("!!!", "abcd1234", 2),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(errors::FieldViolationsOf(
                  DecodeListCursor("!!!", "abcd1234", 2).status()),
              ElementsAre(ViolationOn("page.page_token")));
}

TEST(ApiKeysTest, HeadersAndLookup) {
  EXPECT_THAT(ApiKeyFromHeaders("Bearer abc", std::nullopt), IsOk());
  EXPECT_EQ(*ApiKeyFromHeaders("bearer  abc ", std::nullopt), "abc");
  EXPECT_EQ(*ApiKeyFromHeaders(std::nullopt, "xyz"), "xyz");
  EXPECT_EQ(*ApiKeyFromHeaders("Bearer abc", "xyz"), "abc");
  EXPECT_THAT(ApiKeyFromHeaders("Basic abc", std::nullopt),
              StatusIs(absl::StatusCode::kUnauthenticated));
  EXPECT_THAT(ApiKeyFromHeaders(std::nullopt, std::nullopt),
              StatusIs(absl::StatusCode::kUnauthenticated));

  const std::string secret = GenerateApiKeySecret();
  EXPECT_THAT(secret, ::testing::StartsWith("hw_"));
  EXPECT_EQ(secret.size(), 3u + 48u);
  homeward::internal::v1::ApiKeyFile file;
  *file.add_keys() = MakeApiKey("dev", secret, CaseManager());
  EXPECT_THAT(file.keys(0).sha256_hex(), Not(HasSubstr(secret)));
  auto auth = ApiKeyAuthenticator::Create(file);
  ASSERT_THAT(auth, IsOk());
  auto caller = auth->Authenticate(secret);
  ASSERT_THAT(caller, IsOk());
  EXPECT_EQ(caller->key_id, "dev");
  EXPECT_EQ(caller->principal.user_id(), "cm-1");
  EXPECT_THAT(auth->Authenticate(secret + "x"),
              StatusIs(absl::StatusCode::kUnauthenticated));
}

TEST(ConnectErrorTest, MapsCodesAndDetails) {
  EXPECT_EQ(HttpStatusForCode(absl::StatusCode::kInvalidArgument), 400);
  EXPECT_EQ(HttpStatusForCode(absl::StatusCode::kUnauthenticated), 401);
  EXPECT_EQ(HttpStatusForCode(absl::StatusCode::kPermissionDenied), 403);
  EXPECT_EQ(HttpStatusForCode(absl::StatusCode::kNotFound), 404);
  EXPECT_EQ(HttpStatusForCode(absl::StatusCode::kAborted), 409);
  EXPECT_EQ(HttpStatusForCode(absl::StatusCode::kFailedPrecondition), 400);
  EXPECT_EQ(HttpStatusForCode(absl::StatusCode::kUnavailable), 503);
  EXPECT_EQ(HttpStatusForCode(absl::StatusCode::kDeadlineExceeded), 504);
  EXPECT_EQ(HttpStatusForCode(absl::StatusCode::kCancelled), 499);
  EXPECT_EQ(ConnectCodeName(absl::StatusCode::kCancelled), "canceled");

  google::protobuf::Struct error =
      ParseJsonObject(ConnectErrorJson(errors::InvalidFields(
          {{"case.office_id", "is required"}, {"etag", "is stale"}})));
  EXPECT_EQ(error.fields().at("code").string_value(), "invalid_argument");
  const auto& detail =
      error.fields().at("details").list_value().values(0).struct_value();
  EXPECT_EQ(detail.fields().at("type").string_value(), "google.rpc.BadRequest");
  EXPECT_FALSE(detail.fields().at("value").string_value().empty());
  const auto& violations = detail.fields().at("fieldViolations").list_value();
  ASSERT_EQ(violations.values_size(), 2);
  EXPECT_EQ(
      violations.values(0).struct_value().fields().at("field").string_value(),
      "case.office_id");
  EXPECT_EQ(violations.values(0)
                .struct_value()
                .fields()
                .at("description")
                .string_value(),
            "is required");

  error = ParseJsonObject(ConnectErrorJson(errors::NotFound("case", "C1")));
  EXPECT_EQ(error.fields().at("code").string_value(), "not_found");
  EXPECT_EQ(error.fields().count("details"), 0u);

  // Messages that quote non-UTF-8 input still make a JSON body.
  error = ParseJsonObject(
      ConnectErrorJson(errors::NotFound("case", "C\xff\"\\\n")));
  EXPECT_EQ(error.fields().at("code").string_value(), "not_found");
  EXPECT_THAT(error.fields().at("message").string_value(), HasSubstr("C"));
  // Valid UTF-8 passes through as is.
  error = ParseJsonObject(ConnectErrorJson(errors::NotFound("case", "Ndèye")));
  EXPECT_THAT(error.fields().at("message").string_value(), HasSubstr("Ndèye"));
}

}  // namespace
}  // namespace homeward::gateway
