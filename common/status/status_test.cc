// Error factories and the absl <-> gRPC status conversion with rich details,
// and the UTF-8 decoder the error paths share.
#include <string>

#include "absl/strings/escaping.h"
#include "common/status/errors.h"
#include "common/status/grpc_status.h"
#include "common/status/status_macros.h"
#include "common/status/status_matchers.h"
#include "common/status/utf8.h"
#include "gmock/gmock.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "gtest/gtest.h"

namespace homeward {
namespace {

using ::homeward::testing::IsOkAndHolds;
using ::homeward::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

TEST(ErrorsTest, FieldViolationsListEveryProblem) {
  errors::FieldViolations bad;
  EXPECT_OK(bad.ToStatus());
  bad.Add("case.returnee.given_name", "is required");
  bad.Add("case.return_info.country", "must be an ISO 3166-1 alpha-2 code");
  absl::Status status = bad.ToStatus();
  EXPECT_THAT(status,
              StatusIs(absl::StatusCode::kInvalidArgument,
                       AllOf(HasSubstr("case.returnee.given_name: is required"),
                             HasSubstr("case.return_info.country"))));
  EXPECT_THAT(
      errors::FieldViolationsOf(status),
      ElementsAre(
          errors::FieldViolation{"case.returnee.given_name", "is required"},
          errors::FieldViolation{"case.return_info.country",
                                 "must be an ISO 3166-1 alpha-2 code"}));
}

// Found by instrument_definition_fuzzer: a rule quoting an id read from an
// operator's text file that is not UTF-8 made a violation that the
// google.rpc.BadRequest detail (proto3 strings) could not carry: the detail
// no longer parsed and every violation was lost. Such bytes become U+FFFD.
TEST(ErrorsTest, ViolationsQuotingBytesThatAreNotUtf8SurviveTheDetail) {
  errors::FieldViolations bad;
  bad.Add("countries[0]", "'\xbb\xb3' is not an ISO 3166-1 code");
  bad.Add("items[\xff]", "is required");
  const errors::FieldViolation first{"countries[0]",
                                     "'\xef\xbf\xbd\xef\xbf\xbd' is not an "
                                     "ISO 3166-1 code"};
  const errors::FieldViolation second{"items[\xef\xbf\xbd]", "is required"};
  EXPECT_THAT(bad.violations(), ElementsAre(first, second));
  EXPECT_THAT(errors::FieldViolationsOf(bad.ToStatus()),
              ElementsAre(first, second));
  EXPECT_THAT(
      errors::FieldViolationsOf(errors::InvalidField("x", "ends in \xe2\x82")),
      ElementsAre(errors::FieldViolation{"x",
                                         "ends in \xef\xbf\xbd"
                                         "\xef\xbf\xbd"}));
}

TEST(GrpcStatusTest, FieldViolationsTravelAsGoogleRpcBadRequest) {
  absl::Status status = errors::InvalidField("case_id", "is required");
  grpc::Status wire = ToGrpcStatus(status);
  EXPECT_EQ(wire.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  google::rpc::Status rich;
  ASSERT_TRUE(rich.ParseFromString(wire.error_details()));
  EXPECT_EQ(rich.code(), static_cast<int>(grpc::StatusCode::INVALID_ARGUMENT));
  ASSERT_EQ(rich.details_size(), 1);
  EXPECT_EQ(rich.details(0).type_url(),
            "type.googleapis.com/google.rpc.BadRequest");
  google::rpc::BadRequest bad;
  ASSERT_TRUE(bad.ParseFromString(rich.details(0).value()));
  ASSERT_EQ(bad.field_violations_size(), 1);
  EXPECT_EQ(bad.field_violations(0).field(), "case_id");

  // And back, as a client such as the gateway sees it.
  absl::Status back = FromGrpcStatus(wire);
  EXPECT_THAT(back, StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(errors::FieldViolationsOf(back),
              ElementsAre(errors::FieldViolation{"case_id", "is required"}));
}

TEST(GrpcStatusTest, CodesMapOneToOne) {
  EXPECT_TRUE(ToGrpcStatus(absl::OkStatus()).ok());
  EXPECT_EQ(
      ToGrpcStatus(errors::EtagMismatch("case", "c1", "1", "2")).error_code(),
      grpc::StatusCode::ABORTED);
  EXPECT_EQ(ToGrpcStatus(errors::NotFound("case", "c1")).error_code(),
            grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(ToGrpcStatus(errors::PermissionDenied("no")).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(ToGrpcStatus(errors::FailedPrecondition("STAGE", "c1", "closed"))
                .error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);
}

absl::StatusOr<int> Half(int v) {
  if (v % 2 != 0) return errors::InvalidField("v", "must be even");
  return v / 2;
}

absl::StatusOr<int> Quarter(int v) {
  ASSIGN_OR_RETURN(int half, Half(v));
  RETURN_IF_ERROR(Half(half).status());
  return half / 2;
}

TEST(StatusMacrosTest, ReturnEarlyOnError) {
  EXPECT_THAT(Quarter(8), IsOkAndHolds(2));
  EXPECT_THAT(Quarter(7), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(Quarter(6), StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(Utf8Test, DecodesWellFormedAndRefusesIllFormedSequences) {
  struct Case {
    std::string text;
    int32_t code_point;  // -1: ill-formed
    size_t consumed;     // bytes NextCodePoint advances over
  };
  const Case cases[] = {
      {"A", 0x41, 1},
      {std::string(1, '\0'), 0, 1},
      {"\x7f", 0x7f, 1},
      {"\xc3\xa9", 0xe9, 2},             // e acute
      {"\xe2\x82\xac", 0x20ac, 3},       // euro sign
      {"\xf0\x9f\x98\x80", 0x1f600, 4},  // emoji
      {"\xc2\x85", 0x85, 2},             // C1 next-line control
      {"\xc0\x80", -1, 0},               // overlong NUL
      {"\xe0\x80\xaf", -1, 0},           // overlong '/'
      {"\xed\xa0\x80", -1, 0},           // surrogate U+D800
      {"\xf4\x90\x80\x80", -1, 0},       // above U+10FFFF
      {"\xe2\x82", -1, 0},               // truncated
      {"\x80", -1, 0},                   // continuation byte alone
      {"\xc3(", -1, 0},                  // bad continuation
      {"\xf8\x88\x80\x80\x80", -1, 0},   // 5-byte form
  };
  for (const Case& c : cases) {
    size_t i = 0;
    EXPECT_EQ(NextCodePoint(c.text, &i), c.code_point) << absl::CEscape(c.text);
    EXPECT_EQ(i, c.consumed) << absl::CEscape(c.text);
  }
}

}  // namespace
}  // namespace homeward
