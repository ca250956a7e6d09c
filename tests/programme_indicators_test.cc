// Programme indicators at a real gateway (programme_indicators.h): the
// gateway asks the four services' internal GetIndicatorPart at once, each
// gathered over both replicas of its service, merges the cells into the
// catalogue's tables and suppresses small groups. The services stand in as
// fake replicas on loopback (tests/fixtures/fake_replica.h), each answering
// fixed cells, so the merged figures below are hand-checked sums, means and
// medians. Also: who may ask for which office, the request's checks, a
// service that is down, refusing or hanging (missing_services, within the
// deadline), the CSV answer of the JSON face (raw HTTP) and the internal part
// methods, which neither face serves.
#include "services/gateway/programme_indicators.h"

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "common/api/field_checks.h"
#include "common/status/errors.h"
#include "common/status/grpc_status.h"
#include "common/status/status_matchers.h"
#include "gmock/gmock.h"
#include "google/protobuf/text_format.h"
#include "google/protobuf/util/json_util.h"
#include "google/protobuf/util/message_differencer.h"
#include "grpcpp/impl/codegen/proto_utils.h"
#include "gtest/gtest.h"
#include "homeward/internal/v1/indicator_parts.pb.h"
#include "homeward/v1/cases.pb.h"
#include "homeward/v1/indicators.pb.h"
#include "services/gateway/api_keys.h"
#include "services/gateway/gateway_server.h"
#include "services/gateway/method_table.h"
#include "tests/fixtures/closed_port.h"
#include "tests/fixtures/fake_replica.h"
#include "tests/fixtures/gateway_client.h"
#include "tests/fixtures/raw_http.h"

namespace homeward::gateway {
namespace {

using ::homeward::internal::v1::IndicatorPart;
using ::homeward::internal::v1::IndicatorPartRequest;
using ::homeward::internal::v1::Principal;
using ::homeward::testing::ClosedPort;
using ::homeward::testing::FakeReplica;
using ::homeward::testing::GatewayClient;
using ::homeward::testing::IsOk;
using ::homeward::testing::RawHttpConnection;
using ::homeward::testing::RawHttpResponse;
using ::homeward::testing::Received;
using ::homeward::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Optional;
using ::testing::SizeIs;
using ::testing::UnorderedElementsAre;

namespace v1 = ::homeward::v1;

constexpr char kSecret[] = "programme-indicators-test-secret-0123456789abc";
constexpr uint32_t kPartitions = 64;
constexpr char kDakar[] = "office-dakar";
// Threshold 3 (not the default 5), so that the test sees the configured one
// at work.
constexpr uint32_t kThreshold = 3;

// Callers.
constexpr char kMonitoringDakar[] = "hw_indicators_monitoring_dakar";
constexpr char kMonitoringKano[] = "hw_indicators_monitoring_kano";
constexpr char kSupervisorDakar[] = "hw_indicators_supervisor_dakar";
constexpr char kAdministrator[] = "hw_indicators_administrator";
constexpr char kCaseManagerDakar[] = "hw_indicators_case_manager_dakar";

constexpr char kAssessmentPart[] =
    "/homeward.internal.v1.AssessmentIndicators/GetIndicatorPart";
constexpr char kPlanningPart[] =
    "/homeward.internal.v1.PlanningIndicators/GetIndicatorPart";
constexpr char kReferralPart[] =
    "/homeward.internal.v1.ReferralIndicators/GetIndicatorPart";
constexpr char kFollowUpPart[] =
    "/homeward.internal.v1.FollowUpIndicators/GetIndicatorPart";

IndicatorPart PartOf(const std::string& text) {
  IndicatorPart part;
  EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(text, &part))
      << text;
  return part;
}

// Each replica's fixed cells. The merged figures (threshold 3):
//   caseload PLANNING: cases 4+3 = 7, registered 1+1 = 2 (suppressed);
//     DELIVERY: cases 0+0 = 0 (shown).
//   rss ECONOMIC: baseline_cases 2+2 = 4, baseline_mean (10+14)/(2+2) = 6;
//     SOCIAL: baseline_cases 1+1 = 2 (suppressed), its mean over 2
//     (suppressed).
//   plan_timeliness: approved 2+2 = 4, within 2+1 = 3, share 3/4 = 0.75,
//     median of 10 20 40 40 = 30, mean (30+80)/4 = 27.5, overdue 0.
//   referrals: made 5+4 = 9, accepted 1+2 = 3, declined 1+0 = 1
//     (suppressed), completed 0+3 = 3, failed 0, cancelled 0, median
//     response of 12 12 12 30 30 = 12 hours.
//   referral_declines: NOT_CODED 1 (suppressed), NOT_ELIGIBLE 0.
//   follow_ups: done 6+1 = 7, missed 0, overdue_now 2+2 = 4.
//   closures SUPPORT_COMPLETED: closed 3, planned 3, unplanned 0.
const char kAssessment0[] = R"pb(
  cells {
    table: "caseload"
    row: "CASE_STAGE_PLANNING"
    column: "cases"
    count: 4
  }
  cells {
    table: "caseload"
    row: "CASE_STAGE_PLANNING"
    column: "registered_in_period"
    count: 1
  }
  cells {
    table: "caseload"
    row: "CASE_STAGE_DELIVERY"
    column: "cases"
    count: 0
  }
  cells {
    table: "rss"
    row: "SCORE_KIND_ECONOMIC"
    column: "baseline_cases"
    count: 2
  }
  cells {
    table: "rss"
    row: "SCORE_KIND_ECONOMIC"
    column: "baseline_mean"
    mean { sum: 10 count: 2 }
  }
  cells {
    table: "rss"
    row: "SCORE_KIND_SOCIAL"
    column: "baseline_cases"
    count: 1
  }
  cells {
    table: "rss"
    row: "SCORE_KIND_SOCIAL"
    column: "baseline_mean"
    mean { sum: 3.5 count: 1 }
  }
)pb";
const char kAssessment1[] = R"pb(
  cells {
    table: "caseload"
    row: "CASE_STAGE_PLANNING"
    column: "cases"
    count: 3
  }
  cells {
    table: "caseload"
    row: "CASE_STAGE_PLANNING"
    column: "registered_in_period"
    count: 1
  }
  cells {
    table: "caseload"
    row: "CASE_STAGE_DELIVERY"
    column: "cases"
    count: 0
  }
  cells {
    table: "rss"
    row: "SCORE_KIND_ECONOMIC"
    column: "baseline_cases"
    count: 2
  }
  cells {
    table: "rss"
    row: "SCORE_KIND_ECONOMIC"
    column: "baseline_mean"
    mean { sum: 14 count: 2 }
  }
  cells {
    table: "rss"
    row: "SCORE_KIND_SOCIAL"
    column: "baseline_cases"
    count: 1
  }
  cells {
    table: "rss"
    row: "SCORE_KIND_SOCIAL"
    column: "baseline_mean"
    mean { sum: 4.5 count: 1 }
  }
)pb";
const char kPlanning0[] = R"pb(
  cells { table: "plan_timeliness" row: "ALL" column: "approved" count: 2 }
  cells {
    table: "plan_timeliness"
    row: "ALL"
    column: "within_deadline"
    count: 2
  }
  cells {
    table: "plan_timeliness"
    row: "ALL"
    column: "median_days_to_approval"
    distribution {
      buckets { value: 10 count: 1 }
      buckets { value: 20 count: 1 }
    }
  }
  cells {
    table: "plan_timeliness"
    row: "ALL"
    column: "mean_days_to_approval"
    mean { sum: 30 count: 2 }
  }
  cells { table: "plan_timeliness" row: "ALL" column: "overdue_now" count: 0 }
)pb";
const char kPlanning1[] = R"pb(
  cells { table: "plan_timeliness" row: "ALL" column: "approved" count: 2 }
  cells {
    table: "plan_timeliness"
    row: "ALL"
    column: "within_deadline"
    count: 1
  }
  cells {
    table: "plan_timeliness"
    row: "ALL"
    column: "median_days_to_approval"
    distribution { buckets { value: 40 count: 2 } }
  }
  cells {
    table: "plan_timeliness"
    row: "ALL"
    column: "mean_days_to_approval"
    mean { sum: 80 count: 2 }
  }
  cells { table: "plan_timeliness" row: "ALL" column: "overdue_now" count: 0 }
)pb";
const char kReferral0[] = R"pb(
  cells { table: "referrals" row: "ALL" column: "made" count: 5 }
  cells { table: "referrals" row: "ALL" column: "accepted" count: 1 }
  cells { table: "referrals" row: "ALL" column: "declined" count: 1 }
  cells { table: "referrals" row: "ALL" column: "completed" count: 0 }
  cells { table: "referrals" row: "ALL" column: "failed" count: 0 }
  cells { table: "referrals" row: "ALL" column: "cancelled" count: 0 }
  cells {
    table: "referrals"
    row: "ALL"
    column: "median_response_hours"
    distribution { buckets { value: 12 count: 3 } }
  }
  cells {
    table: "referral_declines"
    row: "NOT_CODED"
    column: "declined"
    count: 1
  }
  cells {
    table: "referral_declines"
    row: "REFERRAL_DECLINE_REASON_NOT_ELIGIBLE"
    column: "declined"
    count: 0
  }
)pb";
const char kReferral1[] = R"pb(
  cells { table: "referrals" row: "ALL" column: "made" count: 4 }
  cells { table: "referrals" row: "ALL" column: "accepted" count: 2 }
  cells { table: "referrals" row: "ALL" column: "declined" count: 0 }
  cells { table: "referrals" row: "ALL" column: "completed" count: 3 }
  cells { table: "referrals" row: "ALL" column: "failed" count: 0 }
  cells { table: "referrals" row: "ALL" column: "cancelled" count: 0 }
  cells {
    table: "referrals"
    row: "ALL"
    column: "median_response_hours"
    distribution { buckets { value: 30 count: 2 } }
  }
)pb";
const char kFollowUp0[] = R"pb(
  cells { table: "follow_ups" row: "ALL" column: "done" count: 6 }
  cells { table: "follow_ups" row: "ALL" column: "missed" count: 0 }
  cells { table: "follow_ups" row: "ALL" column: "overdue_now" count: 2 }
  cells {
    table: "closures"
    row: "CLOSURE_REASON_SUPPORT_COMPLETED"
    column: "closed"
    count: 3
  }
  cells {
    table: "closures"
    row: "CLOSURE_REASON_SUPPORT_COMPLETED"
    column: "planned"
    count: 3
  }
  cells {
    table: "closures"
    row: "CLOSURE_REASON_SUPPORT_COMPLETED"
    column: "unplanned"
    count: 0
  }
)pb";
const char kFollowUp1[] = R"pb(
  cells { table: "follow_ups" row: "ALL" column: "done" count: 1 }
  cells { table: "follow_ups" row: "ALL" column: "missed" count: 0 }
  cells { table: "follow_ups" row: "ALL" column: "overdue_now" count: 2 }
)pb";

v1::Date DateOf(int year, int month, int day) {
  v1::Date date;
  date.set_year(year);
  date.set_month(month);
  date.set_day(day);
  return date;
}

v1::GetProgrammeIndicatorsRequest RequestFor(
    const std::string& office,
    v1::IndicatorTableId table = v1::INDICATOR_TABLE_UNSPECIFIED) {
  v1::GetProgrammeIndicatorsRequest request;
  request.set_office_id(office);
  *request.mutable_period_start() = DateOf(2026, 1, 1);
  *request.mutable_period_end() = DateOf(2026, 3, 31);
  request.set_table(table);
  return request;
}

// The values of `row` of the table `name` as text: a count, "<" when
// suppressed, a number with two decimals, "-" for no value.
std::vector<std::string> Shown(const v1::ProgrammeIndicators& indicators,
                               const std::string& name,
                               const std::string& row) {
  std::vector<std::string> shown;
  for (const v1::IndicatorTable& table : indicators.tables()) {
    if (table.name() != name) continue;
    for (const v1::IndicatorRow& r : table.rows()) {
      if (r.label() != row) continue;
      for (const v1::IndicatorValue& value : r.values()) {
        switch (value.kind_case()) {
          case v1::IndicatorValue::kCount:
            shown.push_back(absl::StrCat(value.count()));
            break;
          case v1::IndicatorValue::kNumber:
            shown.push_back(absl::StrFormat("%.2f", value.number()));
            break;
          case v1::IndicatorValue::kSuppressed:
            shown.push_back("<");
            break;
          case v1::IndicatorValue::KIND_NOT_SET:
            shown.push_back("-");
            break;
        }
      }
    }
  }
  return shown;
}

std::vector<std::string> FieldsOf(const grpc::Status& status) {
  std::vector<std::string> fields;
  for (const auto& v : errors::FieldViolationsOf(FromGrpcStatus(status))) {
    fields.push_back(v.field);
  }
  return fields;
}

Principal PrincipalOf(const std::string& user, v1::Role role,
                      std::vector<std::string> offices) {
  Principal principal;
  principal.set_user_id(user);
  principal.set_role(role);
  for (const std::string& office : offices) principal.add_office_ids(office);
  return principal;
}

// A port that accepts connections and never answers: a replica that hangs.
class SilentPort {
 public:
  SilentPort() {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
    EXPECT_EQ(listen(fd_, 16), 0);
    socklen_t len = sizeof(addr);
    EXPECT_EQ(getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len), 0);
    port_ = ntohs(addr.sin_port);
  }
  ~SilentPort() { close(fd_); }
  std::string address() const { return absl::StrCat("127.0.0.1:", port_); }

 private:
  int fd_ = -1;
  int port_ = 0;
};

class ProgrammeIndicatorsTest : public ::testing::Test {
 protected:
  ProgrammeIndicatorsTest()
      : a0_(kSecret),
        a1_(kSecret),
        p0_(kSecret),
        p1_(kSecret),
        r0_(kSecret),
        r1_(kSecret),
        f0_(kSecret),
        f1_(kSecret) {
    a0_.Answer(kAssessmentPart, PartOf(kAssessment0));
    a1_.Answer(kAssessmentPart, PartOf(kAssessment1));
    p0_.Answer(kPlanningPart, PartOf(kPlanning0));
    p1_.Answer(kPlanningPart, PartOf(kPlanning1));
    r0_.Answer(kReferralPart, PartOf(kReferral0));
    r1_.Answer(kReferralPart, PartOf(kReferral1));
    f0_.Answer(kFollowUpPart, PartOf(kFollowUp0));
    f1_.Answer(kFollowUpPart, PartOf(kFollowUp1));
  }

  // Each backend's two replicas, replica 0 owning the low half of the
  // partitions; a backend left out of `routes` has no route (it is not
  // deployed).
  std::map<std::string, std::vector<std::string>> AllRoutes() {
    return {{kAssessmentService, {a0_.address(), a1_.address()}},
            {kPlanningService, {p0_.address(), p1_.address()}},
            {kReferralService, {r0_.address(), r1_.address()}},
            {kFollowUpService, {f0_.address(), f1_.address()}}};
  }

  static GatewayServer::Options OptionsFor(
      const std::map<std::string, std::vector<std::string>>& routes,
      uint32_t threshold = kThreshold, uint32_t forward_deadline_ms = 5000) {
    GatewayServer::Options options;
    options.config.set_grpc_listen_address("127.0.0.1:0");
    options.config.set_http_listen_address("127.0.0.1:0");
    options.config.set_partition_count(kPartitions);
    options.config.set_forward_deadline_ms(forward_deadline_ms);
    options.config.set_indicator_suppression_threshold(threshold);
    for (const auto& [backend, addresses] : routes) {
      auto* route = options.config.add_routes();
      route->set_service(backend);
      for (size_t r = 0; r < addresses.size(); ++r) {
        auto* replica = route->add_replicas();
        replica->set_address(addresses[r]);
        auto* range = replica->add_partitions();
        range->set_first(r == 0 ? 0 : kPartitions / 2);
        range->set_last(r == 0 ? kPartitions / 2 - 1 : kPartitions - 1);
      }
    }
    options.principal_secret = kSecret;
    auto key = [&options](const std::string& name, const std::string& secret,
                          const Principal& principal) {
      *options.api_keys.add_keys() = MakeApiKey(name, secret, principal);
    };
    key("mo-dakar", kMonitoringDakar,
        PrincipalOf("mo-dakar", v1::ROLE_MONITORING_OFFICER, {kDakar}));
    key("mo-kano", kMonitoringKano,
        PrincipalOf("mo-kano", v1::ROLE_MONITORING_OFFICER, {"office-kano"}));
    key("sup-dakar", kSupervisorDakar,
        PrincipalOf("sup-dakar", v1::ROLE_SUPERVISOR, {"office-kano", kDakar}));
    key("admin", kAdministrator,
        PrincipalOf("admin", v1::ROLE_ADMINISTRATOR, {}));
    key("cm-dakar", kCaseManagerDakar,
        PrincipalOf("cm-dakar", v1::ROLE_CASE_MANAGER, {kDakar}));
    return options;
  }

  void Start(GatewayServer::Options options) {
    auto gateway = GatewayServer::Start(std::move(options));
    ASSERT_THAT(gateway, IsOk());
    gateway_ = *std::move(gateway);
    client_ = std::make_unique<GatewayClient>(gateway_->grpc_port(),
                                              gateway_->http_port());
  }

  grpc::Status Indicators(const v1::GetProgrammeIndicatorsRequest& request,
                          v1::ProgrammeIndicators* answer,
                          const std::string& key = kMonitoringDakar) {
    return client_->Call(kGetProgrammeIndicators, request, answer, key);
  }

  // How many calls of `method` each replica received, in the order
  // a0 a1 p0 p1 r0 r1 f0 f1.
  std::vector<size_t> CallsOf(const std::string& method) {
    std::vector<size_t> counts;
    for (FakeReplica* fake : {&a0_, &a1_, &p0_, &p1_, &r0_, &r1_, &f0_, &f1_}) {
      size_t n = 0;
      for (const Received& got : fake->received()) n += got.method == method;
      counts.push_back(n);
    }
    return counts;
  }
  size_t PartCalls() {
    size_t n = 0;
    for (const char* method :
         {kAssessmentPart, kPlanningPart, kReferralPart, kFollowUpPart}) {
      for (size_t c : CallsOf(method)) n += c;
    }
    return n;
  }

  // A raw HTTP POST of `body` to the indicators with `accept`.
  std::optional<RawHttpResponse> RawPost(
      const std::string& path, const std::string& content_type,
      const std::string& body, const std::string& accept,
      const std::string& key = kMonitoringDakar) {
    std::unique_ptr<RawHttpConnection> c =
        RawHttpConnection::Connect(gateway_->http_port());
    if (c == nullptr) return std::nullopt;
    c->Send(absl::StrCat(
        "POST ", path, " HTTP/1.1\r\nHost: gateway\r\nAuthorization: Bearer ",
        key, "\r\nContent-Type: ", content_type, "\r\n",
        accept.empty() ? "" : absl::StrCat("Accept: ", accept, "\r\n"),
        "Content-Length: ", body.size(), "\r\n\r\n", body));
    return c->ReadResponse(absl::Seconds(20));
  }

  static std::string JsonOf(const google::protobuf::Message& message) {
    std::string json;
    EXPECT_TRUE(
        google::protobuf::util::MessageToJsonString(message, &json).ok());
    return json;
  }

  FakeReplica a0_, a1_, p0_, p1_, r0_, r1_, f0_, f1_;
  std::unique_ptr<GatewayServer> gateway_;
  std::unique_ptr<GatewayClient> client_;
};

TEST_F(ProgrammeIndicatorsTest, MergesBothReplicasOfEveryService) {
  Start(OptionsFor(AllRoutes()));
  const absl::CivilDay before = api::TodayUtc();
  v1::ProgrammeIndicators answer;
  ASSERT_TRUE(Indicators(RequestFor(kDakar), &answer).ok());
  const absl::CivilDay after = api::TodayUtc();

  EXPECT_EQ(answer.office_id(), kDakar);
  EXPECT_EQ(answer.period_start().month(), 1);
  EXPECT_EQ(answer.period_end().month(), 3);
  EXPECT_EQ(answer.suppression_threshold(), 3);
  EXPECT_THAT(answer.missing_services(), IsEmpty());
  ASSERT_THAT(answer.tables(), SizeIs(7));
  std::vector<std::string> names;
  for (const v1::IndicatorTable& table : answer.tables()) {
    names.push_back(table.name());
  }
  EXPECT_THAT(
      names, ElementsAre("caseload", "plan_timeliness", "referrals",
                         "referral_declines", "follow_ups", "rss", "closures"));

  EXPECT_THAT(Shown(answer, "caseload", "CASE_STAGE_PLANNING"),
              ElementsAre("7", "<"));
  EXPECT_THAT(Shown(answer, "caseload", "CASE_STAGE_DELIVERY"),
              ElementsAre("0", "-"));
  EXPECT_THAT(Shown(answer, "caseload", "CASE_STAGE_INTAKE"),
              ElementsAre("-", "-"));
  EXPECT_THAT(Shown(answer, "plan_timeliness", "ALL"),
              ElementsAre("4", "3", "0.75", "30.00", "27.50", "0"));
  EXPECT_THAT(Shown(answer, "referrals", "ALL"),
              ElementsAre("9", "3", "<", "3", "0", "0", "12.00"));
  EXPECT_THAT(Shown(answer, "referral_declines", "NOT_CODED"),
              ElementsAre("<"));
  EXPECT_THAT(Shown(answer, "referral_declines",
                    "REFERRAL_DECLINE_REASON_NOT_ELIGIBLE"),
              ElementsAre("0"));
  EXPECT_THAT(Shown(answer, "follow_ups", "ALL"), ElementsAre("7", "0", "4"));
  EXPECT_THAT(Shown(answer, "rss", "SCORE_KIND_ECONOMIC"),
              ElementsAre("4", "6.00", "-", "-", "-"));
  EXPECT_THAT(Shown(answer, "rss", "SCORE_KIND_SOCIAL"),
              ElementsAre("<", "<", "-", "-", "-"));
  EXPECT_THAT(Shown(answer, "closures", "CLOSURE_REASON_SUPPORT_COMPLETED"),
              ElementsAre("3", "3", "0"));

  // Each replica of each service was asked once, for the office and period,
  // stocks as of today (UTC), with the caller's own principal.
  EXPECT_THAT(CallsOf(kAssessmentPart), ElementsAre(1, 1, 0, 0, 0, 0, 0, 0));
  EXPECT_THAT(CallsOf(kPlanningPart), ElementsAre(0, 0, 1, 1, 0, 0, 0, 0));
  EXPECT_THAT(CallsOf(kReferralPart), ElementsAre(0, 0, 0, 0, 1, 1, 0, 0));
  EXPECT_THAT(CallsOf(kFollowUpPart), ElementsAre(0, 0, 0, 0, 0, 0, 1, 1));
  for (FakeReplica* fake : {&a0_, &p1_, &r0_, &f1_}) {
    ASSERT_THAT(fake->received(), SizeIs(1));
    const Received got = fake->received()[0];
    EXPECT_EQ(got.user_id, "mo-dakar");
    IndicatorPartRequest asked;
    ASSERT_TRUE(asked.ParseFromString(got.bytes));
    EXPECT_EQ(asked.office_id(), kDakar);
    EXPECT_TRUE(api::SameDay(asked.period_start(), absl::CivilDay(2026, 1, 1)));
    EXPECT_TRUE(api::SameDay(asked.period_end(), absl::CivilDay(2026, 3, 31)));
    EXPECT_TRUE(api::SameDay(asked.as_of(), before) ||
                api::SameDay(asked.as_of(), after));
  }

  // The JSON face gives the same answer.
  httplib::Result json = client_->Json(kGetProgrammeIndicators,
                                       RequestFor(kDakar), kMonitoringDakar);
  ASSERT_TRUE(json);
  ASSERT_EQ(json->status, 200) << json->body;
  EXPECT_EQ(json->get_header_value("Content-Type"), "application/json");
  v1::ProgrammeIndicators from_json;
  ASSERT_TRUE(
      google::protobuf::util::JsonStringToMessage(json->body, &from_json).ok());
  EXPECT_TRUE(
      google::protobuf::util::MessageDifferencer::Equals(from_json, answer))
      << json->body;
}

TEST_F(ProgrammeIndicatorsTest, OneTableWhenOneIsNamed) {
  Start(OptionsFor(AllRoutes()));
  v1::ProgrammeIndicators answer;
  ASSERT_TRUE(
      Indicators(RequestFor(kDakar, v1::INDICATOR_TABLE_FOLLOW_UPS), &answer)
          .ok());
  ASSERT_THAT(answer.tables(), SizeIs(1));
  EXPECT_EQ(answer.tables(0).id(), v1::INDICATOR_TABLE_FOLLOW_UPS);
  EXPECT_THAT(answer.tables(0).columns(),
              ElementsAre("group", "done", "missed", "overdue_now"));
  EXPECT_THAT(Shown(answer, "follow_ups", "ALL"), ElementsAre("7", "0", "4"));
}

TEST_F(ProgrammeIndicatorsTest, TheDefaultThresholdIsFive) {
  Start(OptionsFor(AllRoutes(), /*threshold=*/0));
  v1::ProgrammeIndicators answer;
  ASSERT_TRUE(Indicators(RequestFor(kDakar), &answer).ok());
  EXPECT_EQ(answer.suppression_threshold(), 5);
  // 4 approved plans are now too few for any of their figures; 9 referrals
  // are enough, 3 accepted are not.
  EXPECT_THAT(Shown(answer, "plan_timeliness", "ALL"),
              ElementsAre("<", "<", "<", "<", "<", "0"));
  EXPECT_THAT(Shown(answer, "referrals", "ALL"),
              ElementsAre("9", "<", "<", "<", "0", "0", "12.00"));
}

TEST_F(ProgrammeIndicatorsTest, AThresholdOfOneIsRefusedAtStart) {
  auto gateway = GatewayServer::Start(OptionsFor(AllRoutes(), 1));
  ASSERT_THAT(gateway, StatusIs(absl::StatusCode::kInvalidArgument));
  std::vector<std::string> fields;
  for (const auto& v : errors::FieldViolationsOf(gateway.status())) {
    fields.push_back(v.field);
  }
  EXPECT_THAT(fields, ElementsAre("indicator_suppression_threshold"));
}

TEST_F(ProgrammeIndicatorsTest, OwnOfficesOnlyExceptForAdministrators) {
  Start(OptionsFor(AllRoutes()));
  v1::ProgrammeIndicators answer;
  // A monitoring officer of another office: refused, no service asked.
  EXPECT_THAT(
      Indicators(RequestFor(kDakar), &answer, kMonitoringKano),
      StatusIs(absl::StatusCode::kPermissionDenied, HasSubstr("office-dakar")));
  // A case manager may not ask at all (the method's callers).
  EXPECT_THAT(Indicators(RequestFor(kDakar), &answer, kCaseManagerDakar),
              StatusIs(absl::StatusCode::kPermissionDenied,
                       HasSubstr("monitoring officers")));
  EXPECT_EQ(PartCalls(), 0u);

  // A supervisor of two offices, one of them this one; an administrator,
  // who has no office, for any office.
  answer.Clear();
  EXPECT_TRUE(Indicators(RequestFor(kDakar), &answer, kSupervisorDakar).ok());
  EXPECT_THAT(Shown(answer, "follow_ups", "ALL"), ElementsAre("7", "0", "4"));
  answer.Clear();
  EXPECT_TRUE(
      Indicators(RequestFor("office-anywhere"), &answer, kAdministrator).ok());
  EXPECT_EQ(answer.office_id(), "office-anywhere");
  EXPECT_EQ(PartCalls(), 16u);
}

TEST_F(ProgrammeIndicatorsTest, BadRequestsNameEveryBadField) {
  Start(OptionsFor(AllRoutes()));
  v1::ProgrammeIndicators answer;
  grpc::Status refused =
      Indicators(v1::GetProgrammeIndicatorsRequest(), &answer);
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(FieldsOf(refused),
              ElementsAre("office_id", "period_start", "period_end"));
  EXPECT_EQ(PartCalls(), 0u);
}

TEST(CheckProgrammeIndicatorsRequestTest, FieldsAndOffices) {
  const Principal monitoring =
      PrincipalOf("mo", v1::ROLE_MONITORING_OFFICER, {kDakar});
  struct Case {
    std::string what;
    std::function<void(v1::GetProgrammeIndicatorsRequest&)> change;
    std::vector<std::string> fields;  // empty: accepted
  };
  const std::vector<Case> cases = {
      {"as it is", [](auto&) {}, {}},
      {"no office", [](auto& r) { r.clear_office_id(); }, {"office_id"}},
      {"an office that is no identifier",
       [](auto& r) { r.set_office_id("office dakar"); },
       {"office_id"}},
      {"no start", [](auto& r) { r.clear_period_start(); }, {"period_start"}},
      {"no such day",
       [](auto& r) { *r.mutable_period_end() = DateOf(2026, 2, 30); },
       {"period_end"}},
      {"end before start",
       [](auto& r) { *r.mutable_period_end() = DateOf(2025, 12, 31); },
       {"period_end"}},
      {"one day",
       [](auto& r) { *r.mutable_period_end() = DateOf(2026, 1, 1); },
       {}},
      {"366 days, both included (a leap year)",
       [](auto& r) {
         *r.mutable_period_start() = DateOf(2024, 1, 1);
         *r.mutable_period_end() = DateOf(2024, 12, 31);
       },
       {}},
      {"367 days",
       [](auto& r) {
         *r.mutable_period_start() = DateOf(2024, 1, 1);
         *r.mutable_period_end() = DateOf(2025, 1, 1);
       },
       {"period_end"}},
      {"an unknown table",
       [](auto& r) { r.set_table(static_cast<v1::IndicatorTableId>(99)); },
       {"table"}},
      {"a known table",
       [](auto& r) { r.set_table(v1::INDICATOR_TABLE_CLOSURES); },
       {}},
  };
  for (const Case& c : cases) {
    v1::GetProgrammeIndicatorsRequest request = RequestFor(kDakar);
    c.change(request);
    absl::Status checked = CheckProgrammeIndicatorsRequest(request, monitoring);
    std::vector<std::string> fields;
    for (const auto& v : errors::FieldViolationsOf(checked)) {
      fields.push_back(v.field);
    }
    EXPECT_EQ(fields, c.fields) << c.what << ": " << checked;
    EXPECT_EQ(checked.ok(), c.fields.empty()) << c.what << ": " << checked;
  }
  // Offices: field checks come first, then the caller's scope.
  EXPECT_THAT(
      CheckProgrammeIndicatorsRequest(RequestFor("office-kano"), monitoring),
      StatusIs(absl::StatusCode::kPermissionDenied));
  EXPECT_THAT(
      CheckProgrammeIndicatorsRequest(
          RequestFor("office-kano"),
          PrincipalOf("sup", v1::ROLE_SUPERVISOR, {kDakar, "office-kano"})),
      IsOk());
  EXPECT_THAT(CheckProgrammeIndicatorsRequest(
                  RequestFor("office-kano"),
                  PrincipalOf("admin", v1::ROLE_ADMINISTRATOR, {})),
              IsOk());
  v1::GetProgrammeIndicatorsRequest bad = RequestFor("office-kano");
  bad.clear_period_end();
  EXPECT_THAT(CheckProgrammeIndicatorsRequest(bad, monitoring),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST_F(ProgrammeIndicatorsTest, AServiceWithAReplicaDownIsMissing) {
  // One follow-up replica down: half its cells would be wrong, so the whole
  // part is missing rather than counted short.
  std::map<std::string, std::vector<std::string>> routes = AllRoutes();
  routes[kFollowUpService][1] = absl::StrCat("127.0.0.1:", ClosedPort());
  Start(OptionsFor(routes));
  v1::ProgrammeIndicators answer;
  ASSERT_TRUE(Indicators(RequestFor(kDakar), &answer).ok());
  EXPECT_THAT(answer.missing_services(), ElementsAre("follow_up"));
  EXPECT_THAT(Shown(answer, "follow_ups", "ALL"), ElementsAre("-", "-", "-"));
  EXPECT_THAT(Shown(answer, "closures", "CLOSURE_REASON_SUPPORT_COMPLETED"),
              ElementsAre("-", "-", "-"));
  // The other services' tables are whole.
  EXPECT_THAT(Shown(answer, "referrals", "ALL"),
              ElementsAre("9", "3", "<", "3", "0", "0", "12.00"));
  EXPECT_THAT(Shown(answer, "caseload", "CASE_STAGE_PLANNING"),
              ElementsAre("7", "<"));
}

TEST_F(ProgrammeIndicatorsTest, ServicesNotDeployedOrUnimplementedAreMissing) {
  // No planning route (a deployment without it), and a referral service too
  // old to serve its part (UNIMPLEMENTED from one replica).
  std::map<std::string, std::vector<std::string>> routes = AllRoutes();
  routes.erase(kPlanningService);
  r1_.Refuse(kReferralPart,
             errors::Unimplemented("no GetIndicatorPart in this version"));
  Start(OptionsFor(routes));
  v1::ProgrammeIndicators answer;
  ASSERT_TRUE(Indicators(RequestFor(kDakar), &answer).ok());
  EXPECT_THAT(answer.missing_services(), ElementsAre("planning", "referral"));
  EXPECT_THAT(Shown(answer, "plan_timeliness", "ALL"),
              ElementsAre("-", "-", "-", "-", "-", "-"));
  EXPECT_THAT(Shown(answer, "referrals", "ALL"),
              ElementsAre("-", "-", "-", "-", "-", "-", "-"));
  EXPECT_THAT(Shown(answer, "follow_ups", "ALL"), ElementsAre("7", "0", "4"));
}

TEST_F(ProgrammeIndicatorsTest, AServiceThatHangsIsMissingWithinTheDeadline) {
  SilentPort silent;
  std::map<std::string, std::vector<std::string>> routes = AllRoutes();
  routes[kReferralService][0] = silent.address();
  Start(OptionsFor(routes, kThreshold, /*forward_deadline_ms=*/1500));
  const absl::Time start = absl::Now();
  v1::ProgrammeIndicators answer;
  ASSERT_TRUE(Indicators(RequestFor(kDakar), &answer).ok());
  // Liveness only: the forward deadline (1.5 s) and a generous margin, well
  // under the client's 10 s.
  EXPECT_LT(absl::Now() - start, absl::Seconds(8));
  EXPECT_THAT(answer.missing_services(), ElementsAre("referral"));
  EXPECT_THAT(Shown(answer, "follow_ups", "ALL"), ElementsAre("7", "0", "4"));
}

TEST_F(ProgrammeIndicatorsTest, AnotherRefusalFailsTheCallAsTheServiceSaidIt) {
  p0_.Refuse(kPlanningPart,
             errors::PermissionDenied("office-dakar is not in scope"));
  Start(OptionsFor(AllRoutes()));
  v1::ProgrammeIndicators answer;
  EXPECT_THAT(Indicators(RequestFor(kDakar), &answer),
              StatusIs(absl::StatusCode::kPermissionDenied,
                       HasSubstr("office-dakar is not in scope")));
}

TEST_F(ProgrammeIndicatorsTest, CsvOfOneTableFromTheJsonFace) {
  Start(OptionsFor(AllRoutes()));
  const std::string path = absl::StrCat("/", kGetProgrammeIndicators);
  std::optional<RawHttpResponse> csv = RawPost(
      path, "application/json",
      JsonOf(RequestFor(kDakar, v1::INDICATOR_TABLE_REFERRALS)), "text/csv");
  ASSERT_TRUE(csv.has_value());
  EXPECT_EQ(csv->status, 200) << csv->body;
  EXPECT_THAT(csv->Header("Content-Type"),
              Optional(std::string("text/csv; charset=utf-8")));
  EXPECT_THAT(csv->Header("Content-Disposition"),
              Optional(std::string("attachment; filename=\"referrals.csv\"")));
  EXPECT_TRUE(csv->Header("X-Request-Id").has_value());
  EXPECT_FALSE(csv->Header("X-Missing-Services").has_value());
  EXPECT_EQ(csv->body,
            "group,made,accepted,declined,completed,failed,cancelled,"
            "median_response_hours\r\n"
            "ALL,9,3,<3,3,0,0,12.00\r\n");

  // The same from a binary request; a table of enum rows.
  std::string binary;
  ASSERT_TRUE(RequestFor(kDakar, v1::INDICATOR_TABLE_REFERRAL_DECLINES)
                  .SerializeToString(&binary));
  csv = RawPost(path, "application/proto", binary,
                "application/json;q=0.5, text/csv");
  ASSERT_TRUE(csv.has_value());
  EXPECT_EQ(csv->status, 200) << csv->body;
  EXPECT_THAT(csv->Header("Content-Disposition"),
              Optional(HasSubstr("filename=\"referral_declines.csv\"")));
  EXPECT_EQ(csv->body,
            "decline_reason,declined\r\n"
            "NOT_CODED,<3\r\n"
            "REFERRAL_DECLINE_REASON_NOT_ELIGIBLE,0\r\n"
            "REFERRAL_DECLINE_REASON_NO_CAPACITY,\r\n"
            "REFERRAL_DECLINE_REASON_OUT_OF_AREA,\r\n"
            "REFERRAL_DECLINE_REASON_SERVICE_NOT_SUITABLE,\r\n"
            "REFERRAL_DECLINE_REASON_RETURNEE_UNREACHABLE,\r\n"
            "REFERRAL_DECLINE_REASON_RETURNEE_DECLINED,\r\n"
            "REFERRAL_DECLINE_REASON_OTHER,\r\n");

  // Without Accept: text/csv the answer is JSON as before.
  std::optional<RawHttpResponse> json =
      RawPost(path, "application/json",
              JsonOf(RequestFor(kDakar, v1::INDICATOR_TABLE_REFERRALS)), "");
  ASSERT_TRUE(json.has_value());
  EXPECT_EQ(json->status, 200) << json->body;
  EXPECT_THAT(json->Header("Content-Type"),
              Optional(std::string("application/json")));
  EXPECT_FALSE(json->Header("Content-Disposition").has_value());
  v1::ProgrammeIndicators parsed;
  EXPECT_TRUE(
      google::protobuf::util::JsonStringToMessage(json->body, &parsed).ok());
  EXPECT_THAT(parsed.tables(), SizeIs(1));
}

TEST_F(ProgrammeIndicatorsTest, CsvWithoutATableIsRefusedNamingIt) {
  Start(OptionsFor(AllRoutes()));
  std::optional<RawHttpResponse> refused =
      RawPost(absl::StrCat("/", kGetProgrammeIndicators), "application/json",
              JsonOf(RequestFor(kDakar)), "text/csv");
  ASSERT_TRUE(refused.has_value());
  EXPECT_EQ(refused->status, 400) << refused->body;
  EXPECT_THAT(refused->Header("Content-Type"),
              Optional(std::string("application/json")));
  EXPECT_THAT(refused->body, HasSubstr("\"code\":\"invalid_argument\""));
  EXPECT_THAT(refused->body, HasSubstr("\"field\":\"table\""));
  EXPECT_EQ(PartCalls(), 0u);
}

TEST_F(ProgrammeIndicatorsTest, CsvNamesTheMissingServicesInAHeader) {
  std::map<std::string, std::vector<std::string>> routes = AllRoutes();
  routes[kReferralService][0] = absl::StrCat("127.0.0.1:", ClosedPort());
  Start(OptionsFor(routes));
  std::optional<RawHttpResponse> csv = RawPost(
      absl::StrCat("/", kGetProgrammeIndicators), "application/json",
      JsonOf(RequestFor(kDakar, v1::INDICATOR_TABLE_REFERRALS)), "text/csv");
  ASSERT_TRUE(csv.has_value());
  EXPECT_EQ(csv->status, 200) << csv->body;
  EXPECT_THAT(csv->Header("X-Missing-Services"),
              Optional(std::string("referral")));
  EXPECT_EQ(csv->body,
            "group,made,accepted,declined,completed,failed,cancelled,"
            "median_response_hours\r\n"
            "ALL,,,,,,,\r\n");
}

TEST_F(ProgrammeIndicatorsTest, OtherMethodsIgnoreAcceptCsv) {
  Start(OptionsFor(AllRoutes()));
  v1::GetCaseRequest get;
  get.set_case_id("case-1");
  std::optional<RawHttpResponse> answer =
      RawPost("/homeward.v1.CaseService/GetCase", "application/json",
              JsonOf(get), "text/csv", kCaseManagerDakar);
  ASSERT_TRUE(answer.has_value());
  EXPECT_EQ(answer->status, 200) << answer->body;
  EXPECT_THAT(answer->Header("Content-Type"),
              Optional(std::string("application/json")));
}

TEST_F(ProgrammeIndicatorsTest, ThePartMethodsAreOnNeitherFace) {
  Start(OptionsFor(AllRoutes()));
  IndicatorPartRequest request;
  request.set_office_id(kDakar);
  *request.mutable_period_start() = DateOf(2026, 1, 1);
  *request.mutable_period_end() = DateOf(2026, 3, 31);
  for (const char* method :
       {kAssessmentPart, kPlanningPart, kReferralPart, kFollowUpPart}) {
    IndicatorPart part;
    EXPECT_THAT(client_->Call(std::string(method).substr(1), request, &part,
                              kAdministrator),
                StatusIs(absl::StatusCode::kUnimplemented))
        << method;
    std::optional<RawHttpResponse> json = RawPost(
        method, "application/json", JsonOf(request), "", kAdministrator);
    ASSERT_TRUE(json.has_value());
    EXPECT_EQ(json->status, 404) << method << ": " << json->body;
    EXPECT_THAT(json->body, HasSubstr("\"code\":\"unimplemented\""));
  }
  EXPECT_EQ(PartCalls(), 0u);
}

}  // namespace
}  // namespace homeward::gateway
