// Table-driven tests of the indicator part request's checks and scope.
#include "common/indicators/indicator_request.h"

#include <string>
#include <vector>

#include "common/status/errors.h"
#include "common/status/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace homeward::indicators {
namespace {

using homeward::internal::v1::IndicatorPartRequest;
using homeward::internal::v1::Principal;
using ::homeward::testing::StatusIs;
using ::testing::ElementsAreArray;

homeward::v1::Date D(int y, int m, int d) {
  homeward::v1::Date date;
  date.set_year(y);
  date.set_month(m);
  date.set_day(d);
  return date;
}

IndicatorPartRequest Request(const std::string& office,
                             homeward::v1::Date start, homeward::v1::Date end) {
  IndicatorPartRequest request;
  request.set_office_id(office);
  *request.mutable_period_start() = start;
  *request.mutable_period_end() = end;
  return request;
}

Principal Caller(homeward::v1::Role role, std::vector<std::string> offices) {
  Principal principal;
  principal.set_user_id("u1");
  principal.set_role(role);
  for (auto& office : offices) principal.add_office_ids(office);
  return principal;
}

constexpr absl::CivilDay kToday(2026, 11, 30);

TEST(CheckIndicatorPartRequest, ScopeByRoleAndOffice) {
  struct Case {
    homeward::v1::Role role;
    std::vector<std::string> offices;
    absl::StatusCode expected;
  } cases[] = {
      {homeward::v1::ROLE_MONITORING_OFFICER, {"ACC"}, absl::StatusCode::kOk},
      {homeward::v1::ROLE_SUPERVISOR, {"KSI", "ACC"}, absl::StatusCode::kOk},
      {homeward::v1::ROLE_ADMINISTRATOR, {}, absl::StatusCode::kOk},
      {homeward::v1::ROLE_MONITORING_OFFICER,
       {"KSI"},
       absl::StatusCode::kPermissionDenied},
      {homeward::v1::ROLE_CASE_MANAGER,
       {"ACC"},
       absl::StatusCode::kPermissionDenied},
      {homeward::v1::ROLE_PARTNER_AGENCY,
       {"ACC"},
       absl::StatusCode::kPermissionDenied},
      {homeward::v1::ROLE_SERVICE,
       {"ACC"},
       absl::StatusCode::kPermissionDenied},
  };
  for (const Case& c : cases) {
    EXPECT_THAT(
        CheckIndicatorPartRequest(Request("ACC", D(2026, 1, 1), D(2026, 3, 31)),
                                  Caller(c.role, c.offices), kToday)
            .status(),
        StatusIs(c.expected))
        << "role " << c.role;
  }
}

TEST(CheckIndicatorPartRequest, NamesEveryBadField) {
  struct Case {
    IndicatorPartRequest request;
    std::vector<std::string> fields;
  } cases[] = {
      {Request("", D(2026, 1, 1), D(2026, 1, 31)), {"office_id"}},
      {Request("ACC", D(2026, 2, 30), D(2026, 1, 31)), {"period_start"}},
      {Request("ACC", D(2026, 2, 1), D(2026, 1, 31)), {"period_end"}},
      // 2024-01-01 .. 2024-12-31 is 366 days (leap year): allowed;
      // 2025-01-01 .. 2026-01-01 is 366 days too; one more is not.
      {Request("ACC", D(2025, 1, 1), D(2026, 1, 2)), {"period_end"}},
      {Request("", D(0, 0, 0), D(0, 0, 0)),
       {"office_id", "period_start", "period_end"}},
  };
  for (const Case& c : cases) {
    absl::Status status =
        CheckIndicatorPartRequest(
            c.request, Caller(homeward::v1::ROLE_ADMINISTRATOR, {}), kToday)
            .status();
    EXPECT_THAT(status, StatusIs(absl::StatusCode::kInvalidArgument));
    std::vector<std::string> fields;
    for (const auto& v : errors::FieldViolationsOf(status)) {
      fields.push_back(v.field);
    }
    EXPECT_THAT(fields, ElementsAreArray(c.fields)) << c.request.DebugString();
  }
}

TEST(CheckIndicatorPartRequest, PeriodBoundsAndAsOf) {
  auto period = CheckIndicatorPartRequest(
      Request("ACC", D(2024, 1, 1), D(2024, 12, 31)),
      Caller(homeward::v1::ROLE_ADMINISTRATOR, {}), kToday);
  ASSERT_TRUE(period.ok()) << period.status();
  EXPECT_EQ(period->as_of, kToday);
  EXPECT_TRUE(period->Contains(absl::CivilDay(2024, 1, 1)));
  EXPECT_TRUE(period->Contains(absl::CivilDay(2024, 12, 31)));
  EXPECT_FALSE(period->Contains(absl::CivilDay(2025, 1, 1)));

  google::protobuf::Timestamp last_second;  // 2024-12-31T23:59:59Z
  last_second.set_seconds(1735689599);
  EXPECT_TRUE(period->Contains(last_second));
  last_second.set_seconds(1735689600);  // 2025-01-01T00:00:00Z
  EXPECT_FALSE(period->Contains(last_second));
  EXPECT_FALSE(period->Contains(google::protobuf::Timestamp()));

  IndicatorPartRequest with_as_of =
      Request("ACC", D(2026, 1, 1), D(2026, 1, 31));
  *with_as_of.mutable_as_of() = D(2026, 2, 15);
  period = CheckIndicatorPartRequest(
      with_as_of, Caller(homeward::v1::ROLE_ADMINISTRATOR, {}), kToday);
  ASSERT_TRUE(period.ok()) << period.status();
  EXPECT_EQ(period->as_of, absl::CivilDay(2026, 2, 15));
}

}  // namespace
}  // namespace homeward::indicators
