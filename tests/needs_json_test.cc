// NeedService over the gateway's JSON face, as a curl user calls it (the
// README's example): a real AssessmentServer with the shipped taxonomy
// behind a real Forwarder and JsonHttpServer on 127.0.0.1, called over raw
// sockets with an API key. Adds a need, lists the open needs, resolves it
// with its etag, and is refused (409 aborted) when the etag is stale.
#include <memory>
#include <optional>
#include <string>

#include "absl/strings/str_cat.h"
#include "common/status/status_matchers.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"
#include "homeward/v1/cases.pb.h"
#include "homeward/v1/needs.pb.h"
#include "services/assessment/assessment_server.h"
#include "services/gateway/api_keys.h"
#include "services/gateway/forwarder.h"
#include "services/gateway/json_http.h"
#include "services/gateway/method_table.h"
#include "tests/fixtures/assessment_server.h"
#include "tests/fixtures/case_fixtures.h"
#include "tests/fixtures/raw_http.h"
#include "tests/fixtures/temp_dir.h"

namespace homeward::gateway {
namespace {

using ::homeward::testing::IsOk;
using ::homeward::testing::RawHttpConnection;
using ::homeward::testing::RawHttpResponse;
using ::homeward::testing::TempDir;
using ::testing::HasSubstr;

constexpr char kApiKey[] = "hw_needs_json_test_key_0123456789ab";

std::string JsonPost(absl::string_view target, absl::string_view body) {
  return absl::StrCat("POST ", target,
                      " HTTP/1.1\r\nHost: gateway\r\nAuthorization: Bearer ",
                      kApiKey, "\r\nContent-Type: application/json\r\n",
                      "Content-Length: ", body.size(), "\r\n\r\n", body);
}

class NeedsJsonTest : public ::testing::Test {
 protected:
  void SetUp() override {
    homeward::internal::v1::ServiceConfig service =
        homeward::testing::LoopbackServiceConfig(dir_.path());
    auto replica = assessment::AssessmentServer::Start(
        homeward::testing::WithShippedProgrammeData(service),
        homeward::testing::kTestSecret);
    ASSERT_THAT(replica, IsOk());
    replica_ = *std::move(replica);

    homeward::internal::v1::GatewayConfig config;
    config.set_partition_count(service.partition_count());
    auto* route = config.add_routes();
    route->set_service(kAssessmentService);
    route->add_replicas()->set_address(
        absl::StrCat("127.0.0.1:", replica_->port()));
    auto methods = PublicMethodTable();
    ASSERT_THAT(methods, IsOk());
    auto backends = ConnectBackends(config, *methods, {});
    ASSERT_THAT(backends, IsOk());
    homeward::internal::v1::ApiKeyFile key_file;
    *key_file.add_keys() = MakeApiKey(
        "needs-json-test", kApiKey,
        homeward::testing::MakePrincipal(
            "cm-1", homeward::v1::ROLE_CASE_MANAGER, {"office-dakar"}));
    auto keys = ApiKeyAuthenticator::Create(key_file);
    ASSERT_THAT(keys, IsOk());
    keys_ = std::make_unique<ApiKeyAuthenticator>(*std::move(keys));
    forwarder_ = std::make_unique<Forwarder>(Forwarder::Options{
        *std::move(backends), *std::move(methods),
        homeward::testing::kTestSecret, kDefaultForwardDeadline});
    face_ = std::make_unique<JsonHttpServer>(keys_.get(), forwarder_.get(),
                                             JsonHttpServer::Options{});
    absl::StatusOr<int> port = face_->Start("127.0.0.1:0");
    ASSERT_THAT(port, IsOk());
    port_ = *port;
  }

  void TearDown() override {
    if (face_ != nullptr) face_->Stop();
    face_.reset();
    forwarder_.reset();
    if (replica_ != nullptr) replica_->Shutdown(absl::Seconds(1));
  }

  std::optional<RawHttpResponse> Post(absl::string_view target,
                                      absl::string_view body) {
    auto c = RawHttpConnection::Connect(port_);
    if (c == nullptr || !c->Send(JsonPost(target, body))) return std::nullopt;
    return c->ReadResponse(absl::Seconds(10));
  }

  // Posts `body` and parses a 200 answer into `out`.
  void Call(absl::string_view target, absl::string_view body,
            google::protobuf::Message* out) {
    std::optional<RawHttpResponse> r = Post(target, body);
    ASSERT_TRUE(r.has_value()) << target;
    ASSERT_EQ(r->status, 200) << target << ": " << r->body;
    ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(r->body, out).ok())
        << r->body;
  }

  TempDir dir_;
  std::unique_ptr<assessment::AssessmentServer> replica_;
  std::unique_ptr<ApiKeyAuthenticator> keys_;
  std::unique_ptr<Forwarder> forwarder_;
  std::unique_ptr<JsonHttpServer> face_;
  int port_ = 0;
};

TEST_F(NeedsJsonTest, ListNeedsAndSetNeedStatusOverJson) {
  auto registration = homeward::testing::ValidRegistration("json-case-1");
  registration.mutable_case_()->set_programme_id("sn_reintegration");
  std::string json;
  ASSERT_TRUE(
      google::protobuf::util::MessageToJsonString(registration, &json).ok());
  homeward::v1::Case c;
  Call("/homeward.v1.CaseService/RegisterCase", json, &c);

  homeward::v1::Need added;
  Call("/homeward.v1.NeedService/AddNeed",
       absl::StrCat(R"({"requestId":"need-1","caseId":")", c.case_id(),
                    R"(","need":{"dimension":"DIMENSION_SOCIAL",)",
                    R"("category":"housing","description":"Rent for three )",
                    R"(months","priority":"NEED_PRIORITY_HIGH"}})"),
       &added);
  EXPECT_EQ(added.status(), homeward::v1::NEED_STATUS_OPEN);

  homeward::v1::ListNeedsResponse listed;
  Call("/homeward.v1.NeedService/ListNeeds",
       absl::StrCat(R"({"caseId":")", c.case_id(),
                    R"(","statuses":["NEED_STATUS_OPEN"]})"),
       &listed);
  ASSERT_EQ(listed.needs_size(), 1);
  EXPECT_EQ(listed.needs(0).need_id(), added.need_id());
  EXPECT_EQ(listed.needs(0).etag(), "1");

  const std::string resolve = absl::StrCat(
      R"({"caseId":")", c.case_id(), R"(","needId":")", added.need_id(),
      R"(","etag":"1","status":"NEED_STATUS_RESOLVED"})");
  homeward::v1::Need resolved;
  Call("/homeward.v1.NeedService/SetNeedStatus", resolve, &resolved);
  EXPECT_EQ(resolved.status(), homeward::v1::NEED_STATUS_RESOLVED);
  EXPECT_EQ(resolved.etag(), "2");

  // The same change again carries a stale etag.
  std::optional<RawHttpResponse> stale =
      Post("/homeward.v1.NeedService/SetNeedStatus", resolve);
  ASSERT_TRUE(stale.has_value());
  EXPECT_EQ(stale->status, 409) << stale->body;
  EXPECT_THAT(stale->body, HasSubstr("aborted"));

  homeward::v1::ListNeedsResponse open;
  Call("/homeward.v1.NeedService/ListNeeds",
       absl::StrCat(R"({"caseId":")", c.case_id(),
                    R"(","statuses":["NEED_STATUS_OPEN"]})"),
       &open);
  EXPECT_EQ(open.needs_size(), 0);
}

}  // namespace
}  // namespace homeward::gateway
