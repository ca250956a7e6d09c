// The planning service's case context (services/planning/case_context.h)
// fed by the real assessment service: a server on a loopback port with the
// shipped programme data and instruments, a case registered, a baseline RSS
// and a DoMV screening submitted through its RPCs, and a FeedFollower with the
// projection in a store of its own catching up. The context must then hold
// the programme, the baseline's scores, the returnee's high vulnerability and
// the needs and concerns the service lists as open. Lives in tests/ because
// it starts the assessment service in-process (services/planning may not
// include services/assessment).
#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/time/time.h"
#include "common/feeds/feed_follower.h"
#include "common/routing/route_table.h"
#include "common/status/status_matchers.h"
#include "common/storage/partitions.h"
#include "common/storage/store.h"
#include "gmock/gmock.h"
#include "grpcpp/client_context.h"
#include "gtest/gtest.h"
#include "homeward/v1/assessments.grpc.pb.h"
#include "homeward/v1/cases.grpc.pb.h"
#include "homeward/v1/instruments.grpc.pb.h"
#include "homeward/v1/needs.grpc.pb.h"
#include "services/assessment/assessment_server.h"
#include "services/planning/case_context.h"
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

v1::Date Day(int year, int month, int day) {
  v1::Date d;
  d.set_year(year);
  d.set_month(month);
  d.set_day(day);
  return d;
}

// The shipped RSS (version 2) answered as in docs' worked example: it raises
// needs (food insecurity, missing documents...).
v1::SubmitAssessmentRequest RssBaseline(const std::string& case_id) {
  v1::SubmitAssessmentRequest r;
  r.set_request_id("ctx-rss-baseline");
  r.set_case_id(case_id);
  r.set_instrument_id("rss");
  r.set_instrument_version(2);
  r.set_occasion(v1::ASSESSMENT_OCCASION_BASELINE);
  r.set_assessor_role(v1::ASSESSOR_ROLE_CASE_MANAGER);
  r.set_mode(v1::CONTACT_MODE_IN_PERSON);
  *r.mutable_assessment_date() = Day(2025, 11, 3);
  const std::vector<std::pair<std::string, std::string>> answers = {
      {"economic_satisfaction", "very_dissatisfied"},
      {"food_reduction", "often"},
      {"debt_and_borrowing", "high_debt_can_borrow"},
      {"work_and_income", "irregular"},
      {"assets_and_opportunities", "neither"},
      {"housing", "poor"},
      {"health_care", "with_difficulty"},
      {"documents_and_justice", "no_documents_justice"},
      {"drinking_water", "always"},
      {"social_ties", "support_only"},
      {"belonging_and_discrimination", "belonging_discriminated"},
      {"physical_safety", "somewhat_safe"},
      {"distress_and_support", "distress_wants_support"},
      {"able_to_stay", "unsure"}};
  for (const auto& [item, option] : answers) {
    auto* a = r.add_answers();
    a->set_item_id(item);
    a->set_option_id(option);
  }
  return r;
}

class PlanningContextFeedTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto server = assessment::AssessmentServer::Start(
        testing::WithShippedProgrammeData(
            testing::LoopbackServiceConfig(assessment_dir_.path()),
            /*instruments=*/true),
        testing::kTestSecret);
    ASSERT_THAT(server.status(), IsOk());
    server_ = std::move(*server);
    channel_ = testing::LoopbackChannel(server_->port());
    auto store = storage::Store::Open(
        {.path = planning_dir_.path(), .partition_count = kPartitions});
    ASSERT_THAT(store.status(), IsOk());
    store_ = std::move(*store);
    projection_ = std::make_unique<planning::CaseContextProjection>(
        store_.get(), storage::PartitionSet::All(kPartitions));
  }

  void TearDown() override {
    if (follower_ != nullptr) follower_->Stop();
    channel_.reset();
    if (server_ != nullptr) server_->Shutdown(absl::Seconds(5));
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
    options.partitions = storage::PartitionSet::All(kPartitions);
    options.store = store_.get();
    options.consumer = projection_.get();
    options.principal_secret = testing::kTestSecret;
    options.backoff = {absl::Milliseconds(20), absl::Milliseconds(200)};
    auto follower = feeds::FeedFollower::Start(std::move(options));
    ASSERT_THAT(follower.status(), IsOk());
    follower_ = std::move(*follower);
  }

  // Waits until the follower has applied every event of `partition` the
  // service has committed so far.
  void CatchUp(uint32_t partition) {
    std::vector<v1::Event> events =
        testing::ReplayEvents(channel_, {partition});
    ASSERT_FALSE(events.empty());
    ASSERT_THAT(follower_->WaitUntilApplied(
                    {{partition, events.back().sequence()}}, kCatchUpTimeout),
                IsOk());
  }

  // Every DoMV factor answered, "yes" for those in `yes`.
  v1::SubmitAssessmentRequest Domv(const std::string& case_id,
                                   const std::set<std::string>& yes) {
    grpc::ClientContext ctx;
    SignAs(kManager, &ctx);
    v1::GetInstrumentRequest get;
    get.set_instrument_id("domv_screening");
    v1::InstrumentDefinition domv;
    grpc::Status s = v1::InstrumentService::NewStub(channel_)->GetInstrument(
        &ctx, get, &domv);
    EXPECT_TRUE(s.ok()) << s.error_message();
    v1::SubmitAssessmentRequest r;
    r.set_request_id("ctx-domv");
    r.set_case_id(case_id);
    r.set_instrument_id("domv_screening");
    r.set_instrument_version(domv.version());
    *r.mutable_assessment_date() = Day(2025, 11, 4);
    r.set_occasion(v1::ASSESSMENT_OCCASION_ON_ARRIVAL);
    r.set_assessor_role(v1::ASSESSOR_ROLE_CASE_MANAGER);
    r.set_mode(v1::CONTACT_MODE_IN_PERSON);
    for (const auto& item : domv.items()) {
      if (item.factor_type() == v1::FACTOR_TYPE_UNSPECIFIED) continue;
      auto* a = r.add_answers();
      a->set_item_id(item.id());
      a->set_option_id(yes.count(item.id()) > 0 ? "yes" : "no");
    }
    return r;
  }

  v1::Assessment Submit(const v1::SubmitAssessmentRequest& request) {
    grpc::ClientContext ctx;
    SignAs(kManager, &ctx);
    v1::Assessment out;
    grpc::Status s = v1::AssessmentService::NewStub(channel_)->SubmitAssessment(
        &ctx, request, &out);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return out;
  }

  // The ids of the case's open needs and concerns as the service lists them.
  std::set<std::string> OpenNeedIds(const std::string& case_id) {
    grpc::ClientContext ctx;
    SignAs(kManager, &ctx);
    v1::ListNeedsRequest req;
    req.set_case_id(case_id);
    req.add_statuses(v1::NEED_STATUS_OPEN);
    req.mutable_page()->set_page_size(100);
    v1::ListNeedsResponse out;
    grpc::Status s =
        v1::NeedService::NewStub(channel_)->ListNeeds(&ctx, req, &out);
    EXPECT_TRUE(s.ok()) << s.error_message();
    std::set<std::string> ids;
    for (const v1::Need& n : out.needs()) ids.insert(n.need_id());
    return ids;
  }
  std::set<std::string> OpenConcernIds(const std::string& case_id) {
    grpc::ClientContext ctx;
    SignAs(kManager, &ctx);
    v1::ListProtectionConcernsRequest req;
    req.set_case_id(case_id);
    req.add_statuses(v1::NEED_STATUS_OPEN);
    req.mutable_page()->set_page_size(100);
    v1::ListProtectionConcernsResponse out;
    grpc::Status s = v1::NeedService::NewStub(channel_)->ListProtectionConcerns(
        &ctx, req, &out);
    EXPECT_TRUE(s.ok()) << s.error_message();
    std::set<std::string> ids;
    for (const v1::ProtectionConcern& c : out.concerns()) {
      ids.insert(c.concern_id());
    }
    return ids;
  }

  TempDir assessment_dir_;
  TempDir planning_dir_;
  std::unique_ptr<assessment::AssessmentServer> server_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<storage::Store> store_;
  std::unique_ptr<planning::CaseContextProjection> projection_;
  std::unique_ptr<feeds::FeedFollower> follower_;
};

TEST_F(PlanningContextFeedTest,
       FollowerCatchesUpWithProgrammeBaselineVulnerabilityNeedsAndConcerns) {
  v1::Case registered;
  {
    grpc::ClientContext ctx;
    SignAs(kManager, &ctx);
    grpc::Status s = v1::CaseService::NewStub(channel_)->RegisterCase(
        &ctx, testing::ValidRegistration("ctx-case"), &registered);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }
  const std::string case_id = registered.case_id();
  const v1::Assessment rss = Submit(RssBaseline(case_id));
  const v1::Assessment domv =
      Submit(Domv(case_id, {"trafficking_indicators", "violence_survivor",
                            "household_debt", "discrimination_or_stigma"}));
  ASSERT_EQ(domv.vulnerability().level(), v1::VULNERABILITY_LEVEL_HIGH);

  StartFollower();
  CatchUp(registered.partition());

  absl::StatusOr<planning::CaseContext> got = projection_->Get(case_id);
  ASSERT_THAT(got.status(), IsOk());
  EXPECT_EQ(got->scope.office_id(), "office-dakar");
  EXPECT_EQ(got->scope.case_manager_id(), "cm-1");
  EXPECT_EQ(got->context.programme_id(), "sn_reintegration");
  EXPECT_EQ(got->context.return_date().year(), 2025);
  EXPECT_EQ(got->context.return_date().month(), 10);
  EXPECT_EQ(got->context.return_date().day(), 1);
  ASSERT_TRUE(got->context.has_baseline());
  const v1::PlanBaseline& baseline = got->context.baseline();
  EXPECT_EQ(baseline.assessment_id(), rss.assessment_id());
  EXPECT_EQ(baseline.instrument_id(), "rss");
  EXPECT_EQ(baseline.instrument_version(), 2);
  EXPECT_DOUBLE_EQ(baseline.scores().economic(), rss.scores().economic());
  EXPECT_DOUBLE_EQ(baseline.scores().social(), rss.scores().social());
  EXPECT_DOUBLE_EQ(baseline.scores().psychosocial(),
                   rss.scores().psychosocial());
  EXPECT_DOUBLE_EQ(baseline.scores().composite(), rss.scores().composite());
  EXPECT_DOUBLE_EQ(baseline.scores().economic(), 0.25);
  EXPECT_TRUE(got->context.highly_vulnerable());

  // The open needs and concerns are the ones the service lists as open.
  std::set<std::string> open_needs, open_concerns;
  for (const v1::Need& n : got->needs) {
    if (n.status() == v1::NEED_STATUS_OPEN) open_needs.insert(n.need_id());
  }
  for (const v1::ProtectionConcern& c : got->concerns) {
    if (c.status() == v1::NEED_STATUS_OPEN)
      open_concerns.insert(c.concern_id());
  }
  const std::set<std::string> service_needs = OpenNeedIds(case_id);
  const std::set<std::string> service_concerns = OpenConcernIds(case_id);
  EXPECT_FALSE(service_needs.empty());
  EXPECT_FALSE(service_concerns.empty());
  EXPECT_EQ(open_needs, service_needs);
  EXPECT_EQ(open_concerns, service_concerns);
  EXPECT_EQ(follower_->refused_count(), 0u);
}

}  // namespace
}  // namespace homeward
