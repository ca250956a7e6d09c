// Configuration files: parse errors name the file and position.
#include "common/server/server_kit.h"

#include <fstream>

#include "common/server/arena_messages.h"
#include "common/server/config_file.h"
#include "common/status/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "homeward/internal/v1/config.pb.h"
#include "homeward/v1/cases.pb.h"
#include "tests/fixtures/temp_dir.h"

namespace homeward::server {
namespace {

using ::homeward::internal::v1::ServiceConfig;
using ::homeward::testing::StatusIs;
using ::homeward::testing::TempDir;
using ::testing::HasSubstr;

TEST(ConfigFileTest, LoadsATextproto) {
  TempDir dir;
  std::string path = dir.path() + "/service.textproto";
  std::ofstream(path) << "listen_address: \"127.0.0.1:0\"\npartition_count: 8\n"
                         "owned_partitions { first: 0 last: 3 }\n";
  auto config = LoadTextProtoFile<ServiceConfig>(path);
  ASSERT_OK(config);
  EXPECT_EQ(config->partition_count(), 8u);
  EXPECT_EQ(config->owned_partitions(0).last(), 3u);
}

TEST(ConfigFileTest, ErrorsNameTheFileLineAndField) {
  TempDir dir;
  std::string path = dir.path() + "/bad.textproto";
  std::ofstream(path) << "listen_address: \"x\"\npartition_cuont: 8\n";
  EXPECT_THAT(LoadTextProtoFile<ServiceConfig>(path),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       AllOf(HasSubstr(path), HasSubstr("line 2"),
                             HasSubstr("partition_cuont"))));
  EXPECT_THAT(LoadTextProtoFile<ServiceConfig>(dir.path() + "/missing"),
              StatusIs(absl::StatusCode::kNotFound));
}

TEST(ConfigFileTest, WritesPrivateFilesThatReadBack) {
  TempDir dir;
  std::string path = dir.path() + "/out.textproto";
  ServiceConfig config;
  config.set_data_dir("/var/lib/homeward");
  ASSERT_OK(WriteTextProtoFile(path, config, 0600));
  auto back = LoadTextProtoFile<ServiceConfig>(path);
  ASSERT_OK(back);
  EXPECT_EQ(back->data_dir(), "/var/lib/homeward");
}

TEST(ConfigFileTest, ShippedExampleConfigsParse) {
  const std::string dir = std::string(HOMEWARD_SOURCE_DIR) + "/deploy/config/";
  auto assessment = LoadTextProtoFile<homeward::internal::v1::AssessmentConfig>(
      dir + "assessment.textproto");
  ASSERT_OK(assessment);
  const ServiceConfig& service = assessment->service();
  EXPECT_EQ(service.partition_count(), 64u);
  EXPECT_EQ(service.record_cache_mb(), 32u);
  EXPECT_FALSE(assessment->instruments_dir().empty());
  auto gateway = LoadTextProtoFile<homeward::internal::v1::GatewayConfig>(
      dir + "gateway.textproto");
  ASSERT_OK(gateway);
  ASSERT_EQ(gateway->routes_size(), 4);
  EXPECT_EQ(gateway->routes(0).service(), "assessment");
  EXPECT_EQ(gateway->routes(1).service(), "planning");
  EXPECT_EQ(gateway->routes(2).service(), "referral");
  EXPECT_EQ(gateway->routes(3).service(), "follow_up");
  // Every example says how its hops are secured, as the binaries require:
  // mutual TLS inside, TLS on the public faces.
  EXPECT_TRUE(gateway->public_transport().has_tls());
  EXPECT_TRUE(gateway->internal_transport().tls().ca_file().size() > 0);
  EXPECT_TRUE(service.internal_transport().tls().ca_file().size() > 0);
  // The assessment service follows the planning, referral and follow-up
  // feeds, planning follows assessment's, referral's and follow-up's,
  // referral follows assessment's, planning's and follow-up's, follow-up
  // follows assessment's, planning's and referral's.
  ASSERT_EQ(service.upstream_size(), 3);
  EXPECT_EQ(service.upstream(0).service(), "planning");
  EXPECT_EQ(service.upstream(1).service(), "referral");
  EXPECT_EQ(service.upstream(2).service(), "follow_up");
  auto planning = LoadTextProtoFile<homeward::internal::v1::PlanningConfig>(
      dir + "planning.textproto");
  ASSERT_OK(planning);
  ASSERT_EQ(planning->service().upstream_size(), 3);
  EXPECT_EQ(planning->service().upstream(0).service(), "assessment");
  EXPECT_EQ(planning->service().upstream(1).service(), "referral");
  EXPECT_EQ(planning->service().upstream(2).service(), "follow_up");
  EXPECT_FALSE(planning->feasibility_dir().empty());
  EXPECT_TRUE(planning->service().internal_transport().has_tls());
  auto referral = LoadTextProtoFile<homeward::internal::v1::ReferralConfig>(
      dir + "referral.textproto");
  ASSERT_OK(referral);
  ASSERT_EQ(referral->service().upstream_size(), 3);
  EXPECT_EQ(referral->service().upstream(0).service(), "assessment");
  EXPECT_EQ(referral->service().upstream(1).service(), "planning");
  EXPECT_EQ(referral->service().upstream(2).service(), "follow_up");
  EXPECT_FALSE(referral->taxonomy_dir().empty());
  EXPECT_TRUE(referral->service().internal_transport().has_tls());
  auto follow_up = LoadTextProtoFile<homeward::internal::v1::FollowUpConfig>(
      dir + "follow_up.textproto");
  ASSERT_OK(follow_up);
  ASSERT_EQ(follow_up->service().upstream_size(), 3);
  EXPECT_EQ(follow_up->service().upstream(0).service(), "assessment");
  EXPECT_EQ(follow_up->service().upstream(1).service(), "planning");
  EXPECT_EQ(follow_up->service().upstream(2).service(), "referral");
  EXPECT_FALSE(follow_up->programmes_dir().empty());
  EXPECT_TRUE(follow_up->service().internal_transport().has_tls());
  auto keys = LoadTextProtoFile<homeward::internal::v1::ApiKeyFile>(
      dir + "api_keys.example.textproto");
  ASSERT_OK(keys);
  EXPECT_EQ(keys->keys(0).principal().role(), homeward::v1::ROLE_SUPERVISOR);
}

TEST(ArenaMessagesTest, RequestAndResponseShareTheCallsArena) {
  ArenaMessages<homeward::v1::GetCaseRequest, homeward::v1::Case> allocator;
  auto* holder = allocator.AllocateMessages();
  ASSERT_NE(holder->request(), nullptr);
  ASSERT_NE(holder->response(), nullptr);
  EXPECT_NE(holder->request()->GetArena(), nullptr);
  EXPECT_EQ(holder->request()->GetArena(), holder->response()->GetArena());
  // Larger than the inline first block: the arena grows instead of failing.
  holder->response()->mutable_returnee()->set_given_name(
      std::string(8192, 'x'));
  EXPECT_EQ(holder->response()->returnee().given_name().size(), 8192u);
  holder->Release();
}

TEST(RequestIdTest, FreshIdsShareAPrefixAndNeverRepeat) {
  const std::string first = NewRequestId();
  const std::string second = NewRequestId();
  EXPECT_NE(first, second);
  const size_t dash = first.find('-');
  ASSERT_EQ(dash, 16u) << first;  // 64 random bits in hex
  EXPECT_EQ(first.substr(0, dash), second.substr(0, second.find('-')));
}

}  // namespace
}  // namespace homeward::server
