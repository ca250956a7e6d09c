// gMock matchers for absl::Status, absl::StatusOr<T> and grpc::Status.
//
//   EXPECT_THAT(store.Get(...), StatusIs(absl::StatusCode::kNotFound));
//   EXPECT_THAT(stub_status, StatusIs(absl::StatusCode::kInvalidArgument,
//                                     HasSubstr("date_of_birth")));
//   EXPECT_THAT(store.GetCursor(...), IsOkAndHolds(17u));
//   ASSERT_OK(status);
#ifndef HOMEWARD_COMMON_STATUS_STATUS_MATCHERS_H_
#define HOMEWARD_COMMON_STATUS_STATUS_MATCHERS_H_

#include <ostream>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "gmock/gmock.h"
#include "grpcpp/support/status.h"

namespace homeward::testing {

inline absl::Status ToAbsl(const absl::Status& s) { return s; }
template <typename T>
absl::Status ToAbsl(const absl::StatusOr<T>& s) {
  return s.status();
}
inline absl::Status ToAbsl(const grpc::Status& s) {
  return absl::Status(static_cast<absl::StatusCode>(s.error_code()),
                      s.error_message());
}

MATCHER_P2(StatusIs, code, message_matcher,
           "status code is " + absl::StatusCodeToString(code)) {
  absl::Status s = ToAbsl(arg);
  *result_listener << "which is " << s;
  return s.code() == code &&
         ::testing::ExplainMatchResult(
             message_matcher, std::string(s.message()), result_listener);
}

// Matches the code only.
MATCHER_P(StatusIs, code, "status code is " + absl::StatusCodeToString(code)) {
  absl::Status s = ToAbsl(arg);
  *result_listener << "which is " << s;
  return s.code() == code;
}

// Matches an OK absl::StatusOr<T> whose value matches `value_matcher`.
MATCHER_P(IsOkAndHolds, value_matcher, "is OK and holds a matching value") {
  if (!arg.ok()) {
    *result_listener << "which is " << arg.status();
    return false;
  }
  return ::testing::ExplainMatchResult(value_matcher, *arg, result_listener);
}

MATCHER(IsOk, "is OK") {
  absl::Status s = ToAbsl(arg);
  *result_listener << "which is " << s;
  return s.ok();
}

}  // namespace homeward::testing

#define ASSERT_OK(expr) ASSERT_THAT((expr), ::homeward::testing::IsOk())
#define EXPECT_OK(expr) EXPECT_THAT((expr), ::homeward::testing::IsOk())

#endif  // HOMEWARD_COMMON_STATUS_STATUS_MATCHERS_H_
