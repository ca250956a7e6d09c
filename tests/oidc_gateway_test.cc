// OIDC bearer tokens end to end (docs/OIDC.md): a real GatewayServer with
// `oidc` configured (a JWKS file in a temp dir, keys made by OpenSSL) in front
// of a real AssessmentServer, called over gRPC and JSON with a token and with
// an API key standing for the same principal: both get the same answers; an
// expired token is refused UNAUTHENTICATED on both faces, saying so; and the
// token never appears in an error message or in the gateway's logs.
#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "common/status/status_matchers.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/json_util.h"
#include "google/protobuf/util/message_differencer.h"
#include "grpcpp/impl/codegen/proto_utils.h"
#include "gtest/gtest.h"
#include "homeward/internal/v1/config.pb.h"
#include "homeward/v1/cases.pb.h"
#include "httplib.h"
#include "services/assessment/assessment_server.h"
#include "services/gateway/api_keys.h"
#include "services/gateway/gateway_server.h"
#include "tests/fixtures/assessment_server.h"
#include "tests/fixtures/case_fixtures.h"
#include "tests/fixtures/gateway_client.h"
#include "tests/fixtures/jwt_signer.h"
#include "tests/fixtures/temp_dir.h"

namespace homeward::gateway {
namespace {

using ::google::protobuf::util::MessageDifferencer;
using ::homeward::testing::GatewayClient;
using ::homeward::testing::IsOk;
using ::homeward::testing::MakePrincipal;
using ::homeward::testing::SignedJwt;
using ::homeward::testing::SigningKey;
using ::homeward::testing::StatusIs;
using ::homeward::testing::TempDir;
using ::homeward::v1::Case;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kIssuer[] = "https://idp.example.org/realms/homeward";
constexpr char kAudience[] = "homeward-gateway";
constexpr char kDakarKey[] = "hw_oidc_test_dakar_case_manager_0123456789abcdef";
constexpr char kThiesKey[] = "hw_oidc_test_thies_case_manager_0123456789abcdef";
constexpr char kRegisterCase[] = "homeward.v1.CaseService/RegisterCase";
constexpr char kGetCase[] = "homeward.v1.CaseService/GetCase";

// A token for case manager `user` of `office`, issued `age` ago and
// valid for `lifetime` from then.
std::string TokenFor(const SigningKey& key, const std::string& user,
                     const std::string& office,
                     absl::Duration age = absl::ZeroDuration(),
                     absl::Duration lifetime = absl::Minutes(5)) {
  const int64_t issued = absl::ToUnixSeconds(absl::Now() - age);
  return SignedJwt(
      key, absl::StrCat(R"({"iss":")", kIssuer, R"(","aud":[")", kAudience,
                        R"(","account"],"sub":")", user, R"(","iat":)", issued,
                        R"(,"exp":)", issued + absl::ToInt64Seconds(lifetime),
                        R"(,"homeward_role":"case_manager",)",
                        R"("homeward_offices":[")", office, R"("]})"));
}

class OidcGatewayTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    key_ = new SigningKey(SigningKey::Rsa("idp-rsa-1"));
  }
  static void TearDownTestSuite() { delete key_; }

  void SetUp() override {
    auto replica = assessment::AssessmentServer::Start(
        homeward::testing::WithShippedProgrammeData(
            homeward::testing::LoopbackServiceConfig(replica_dir_.path())),
        homeward::testing::kTestSecret);
    ASSERT_THAT(replica, IsOk());
    replica_ = *std::move(replica);

    const std::string jwks = jwks_dir_.path() + "/jwks.json";
    homeward::testing::WriteJwks(jwks, {key_});
    GatewayServer::Options options;
    options.config.set_grpc_listen_address("127.0.0.1:0");
    options.config.set_http_listen_address("127.0.0.1:0");
    options.config.set_partition_count(64);
    auto* route = options.config.add_routes();
    route->set_service("assessment");
    route->add_replicas()->set_address(
        absl::StrCat("127.0.0.1:", replica_->port()));
    auto* oidc = options.config.mutable_oidc();
    oidc->set_jwks_file(jwks);
    oidc->set_issuer(kIssuer);
    oidc->set_audience(kAudience);
    options.principal_secret = homeward::testing::kTestSecret;
    *options.api_keys.add_keys() =
        MakeApiKey("dakar-cm", kDakarKey,
                   MakePrincipal("cm-1", homeward::v1::ROLE_CASE_MANAGER,
                                 {"office-dakar"}));
    *options.api_keys.add_keys() =
        MakeApiKey("thies-cm", kThiesKey,
                   MakePrincipal("cm-2", homeward::v1::ROLE_CASE_MANAGER,
                                 {"office-thies"}));
    auto gateway = GatewayServer::Start(std::move(options));
    ASSERT_THAT(gateway, IsOk());
    gateway_ = *std::move(gateway);
    client_ = std::make_unique<GatewayClient>(gateway_->grpc_port(),
                                              gateway_->http_port());
  }

  void TearDown() override {
    if (gateway_ != nullptr) gateway_->Shutdown(absl::Seconds(1));
    if (replica_ != nullptr) replica_->Shutdown(absl::Seconds(1));
  }

  // GetCase over JSON, the answer parsed; the HTTP status in `status`.
  Case JsonGet(const std::string& case_id, const std::string& credential,
               int* status) {
    homeward::v1::GetCaseRequest request;
    request.set_case_id(case_id);
    httplib::Result res = client_->Json(kGetCase, request, credential);
    Case out;
    *status = res ? res->status : -1;
    if (res && res->status == 200) {
      EXPECT_TRUE(
          google::protobuf::util::JsonStringToMessage(res->body, &out).ok());
    }
    return out;
  }

  static SigningKey* key_;
  TempDir replica_dir_;
  TempDir jwks_dir_;
  std::unique_ptr<assessment::AssessmentServer> replica_;
  std::unique_ptr<GatewayServer> gateway_;
  std::unique_ptr<GatewayClient> client_;
};

SigningKey* OidcGatewayTest::key_ = nullptr;

TEST_F(OidcGatewayTest, CaseManagerTokenGetsWhatItsApiKeyGets) {
  ::testing::internal::CaptureStderr();
  const std::string token = TokenFor(*key_, "cm-1", "office-dakar");

  // Registered with the token over gRPC, read back with either credential.
  Case registered;
  ASSERT_THAT(client_->Call(kRegisterCase,
                            homeward::testing::ValidRegistration("oidc-req-1"),
                            &registered, token),
              IsOk());
  Case by_key, by_token;
  homeward::v1::GetCaseRequest get;
  get.set_case_id(registered.case_id());
  ASSERT_THAT(client_->Call(kGetCase, get, &by_key, kDakarKey), IsOk());
  ASSERT_THAT(client_->Call(kGetCase, get, &by_token, token), IsOk());
  EXPECT_TRUE(MessageDifferencer::Equals(by_key, by_token));
  EXPECT_EQ(by_token.case_id(), registered.case_id());

  // The same over JSON.
  int key_status = 0, token_status = 0;
  Case json_by_key = JsonGet(registered.case_id(), kDakarKey, &key_status);
  Case json_by_token = JsonGet(registered.case_id(), token, &token_status);
  EXPECT_EQ(key_status, 200);
  EXPECT_EQ(token_status, 200);
  EXPECT_TRUE(MessageDifferencer::Equals(json_by_key, json_by_token));
  EXPECT_TRUE(MessageDifferencer::Equals(json_by_token, by_token));

  // The offices come from the token: another office's case manager is
  // refused alike with a token and with an API key.
  const std::string thies_token = TokenFor(*key_, "cm-2", "office-thies");
  Case ignored;
  const grpc::Status thies_by_key =
      client_->Call(kGetCase, get, &ignored, kThiesKey);
  const grpc::Status thies_by_token =
      client_->Call(kGetCase, get, &ignored, thies_token);
  EXPECT_FALSE(thies_by_key.ok());
  EXPECT_EQ(thies_by_token.error_code(), thies_by_key.error_code());
  int thies_key_status = 0, thies_token_status = 0;
  JsonGet(registered.case_id(), kThiesKey, &thies_key_status);
  JsonGet(registered.case_id(), thies_token, &thies_token_status);
  EXPECT_NE(thies_key_status, 200);
  EXPECT_EQ(thies_token_status, thies_key_status);

  const std::string log = ::testing::internal::GetCapturedStderr();
  // Calls made with a token are logged under the signing key's id...
  EXPECT_THAT(log, HasSubstr("\"oidc:idp-rsa-1\""));
  // ...and neither token appears, whole or any of its parts.
  for (const std::string& t : {token, thies_token}) {
    for (absl::string_view part : absl::StrSplit(t, '.')) {
      EXPECT_THAT(log, Not(HasSubstr(part)));
    }
  }
}

TEST_F(OidcGatewayTest, ExpiredTokenIsRefusedOnBothFacesSayingSo) {
  ::testing::internal::CaptureStderr();
  const std::string expired = TokenFor(*key_, "cm-1", "office-dakar",
                                       /*age=*/absl::Hours(2),
                                       /*lifetime=*/absl::Hours(1));
  homeward::v1::GetCaseRequest get;
  get.set_case_id("C-does-not-matter");
  Case ignored;
  const grpc::Status by_grpc = client_->Call(kGetCase, get, &ignored, expired);
  EXPECT_EQ(by_grpc.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_THAT(by_grpc.error_message(), HasSubstr("token expired"));
  EXPECT_THAT(by_grpc.error_message(), Not(HasSubstr(expired)));

  httplib::Result by_json = client_->Json(kGetCase, get, expired);
  ASSERT_TRUE(by_json);
  EXPECT_EQ(by_json->status, 401);
  EXPECT_EQ(by_json->get_header_value("WWW-Authenticate"), "Bearer");
  EXPECT_THAT(by_json->body, HasSubstr("unauthenticated"));
  EXPECT_THAT(by_json->body, HasSubstr("token expired"));
  EXPECT_THAT(by_json->body, Not(HasSubstr(expired)));

  // A token from a stranger's key is refused too, naming the check.
  SigningKey stranger = SigningKey::EcP256("stranger");
  const grpc::Status unknown = client_->Call(
      kGetCase, get, &ignored, TokenFor(stranger, "cm-1", "office-dakar"));
  EXPECT_EQ(unknown.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_THAT(unknown.error_message(), HasSubstr("unknown key id 'stranger'"));

  const std::string log = ::testing::internal::GetCapturedStderr();
  EXPECT_THAT(log, HasSubstr("UNAUTHENTICATED"));
  for (absl::string_view part : absl::StrSplit(expired, '.')) {
    EXPECT_THAT(log, Not(HasSubstr(part)));
  }
}

TEST(OidcGatewayStart, RefusesABadOidcConfigNamingTheField) {
  TempDir dir;
  GatewayServer::Options options;
  options.config.set_grpc_listen_address("127.0.0.1:0");
  options.config.set_partition_count(64);
  auto* route = options.config.add_routes();
  route->set_service("assessment");
  route->add_replicas()->set_address("127.0.0.1:1");
  options.config.mutable_oidc()->set_jwks_file(dir.path() + "/absent.json");
  options.config.mutable_oidc()->set_issuer(kIssuer);
  options.config.mutable_oidc()->set_audience(kAudience);
  options.config.mutable_oidc()->set_clock_skew_seconds(600);
  options.principal_secret = homeward::testing::kTestSecret;
  auto gateway = GatewayServer::Start(std::move(options));
  EXPECT_THAT(gateway, StatusIs(absl::StatusCode::kInvalidArgument,
                                HasSubstr("oidc.jwks_file")));
  EXPECT_THAT(gateway, StatusIs(absl::StatusCode::kInvalidArgument,
                                HasSubstr("oidc.clock_skew_seconds")));
}

}  // namespace
}  // namespace homeward::gateway
