// Bytes that are not the method's request message, sent straight to a real
// assessment server (not through the gateway): every handler style answers
// INVALID_ARGUMENT naming the method and the request type, and what the
// server logs about it (its own refusal line and protobuf's UTF-8 complaint)
// stays JSON lines.
#include <chrono>
#include <future>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/status/errors.h"
#include "common/status/grpc_status.h"
#include "common/status/status_matchers.h"
#include "gmock/gmock.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"
#include "grpcpp/generic/generic_stub.h"
#include "gtest/gtest.h"
#include "services/assessment/assessment_server.h"
#include "tests/fixtures/assessment_server.h"
#include "tests/fixtures/case_fixtures.h"
#include "tests/fixtures/temp_dir.h"

namespace homeward {
namespace {

using ::homeward::testing::TempDir;
using ::testing::HasSubstr;

// A field-1 length prefix promising more bytes than follow: no message of
// any type decodes from it.
const std::string kTruncated("\x0a\xff\xff\xff", 4);
// Field 1 (a string in both requests used below) holding bytes that are not
// UTF-8: the wire format is fine, proto3's UTF-8 check refuses it.
const std::string kInvalidUtf8("\x0a\x02\xff\xfe", 4);

class UndecodableRequestTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto server = assessment::AssessmentServer::Start(
        homeward::testing::WithShippedProgrammeData(
            homeward::testing::LoopbackServiceConfig(dir_.path())),
        homeward::testing::kTestSecret);
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = std::move(server).value();
    channel_ = homeward::testing::LoopbackChannel(server_->port());
  }
  void TearDown() override {
    if (server_ != nullptr) server_->Shutdown(absl::Seconds(5));
  }

  // Calls `method` with `body` as the request's wire bytes, as a signed-in
  // case manager (so that only the bytes can be wrong).
  grpc::Status CallWithBody(const std::string& method,
                            const std::string& body) {
    grpc::GenericStub stub(channel_);
    grpc::ClientContext ctx;
    homeward::testing::SignAs(
        homeward::testing::MakePrincipal(
            "cm-1", homeward::v1::ROLE_CASE_MANAGER, {"office-dakar"}),
        &ctx);
    ctx.set_deadline(std::chrono::system_clock::now() +
                     std::chrono::seconds(30));
    grpc::Slice slice(body);
    grpc::ByteBuffer request(&slice, 1);
    grpc::ByteBuffer response;
    std::promise<grpc::Status> done;
    stub.UnaryCall(&ctx, method, grpc::StubOptions(), &request, &response,
                   [&done](grpc::Status status) { done.set_value(status); });
    return done.get_future().get();
  }

  TempDir dir_;
  std::unique_ptr<assessment::AssessmentServer> server_;
  std::shared_ptr<grpc::Channel> channel_;
};

struct Case {
  const char* name;
  const char* method;
  const char* request_type;
  std::string body;
};

TEST_F(UndecodableRequestTest, EveryHandlerStyleAnswersInvalidArgument) {
  const std::vector<Case> cases = {
      // CaseService has callback handlers, ConsentService sync ones.
      {"callback, truncated", "/homeward.v1.CaseService/GetCase",
       "homeward.v1.GetCaseRequest", kTruncated},
      {"callback, invalid UTF-8", "/homeward.v1.CaseService/GetCase",
       "homeward.v1.GetCaseRequest", kInvalidUtf8},
      {"sync, truncated", "/homeward.v1.ConsentService/CheckConsent",
       "homeward.v1.CheckConsentRequest", kTruncated},
      {"sync, invalid UTF-8", "/homeward.v1.ConsentService/CheckConsent",
       "homeward.v1.CheckConsentRequest", kInvalidUtf8},
  };
  for (const Case& c : cases) {
    const grpc::Status status = CallWithBody(c.method, c.body);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT)
        << c.name << ": " << status.error_code() << " "
        << status.error_message();
    const absl::Status converted = FromGrpcStatus(status);
    const std::vector<errors::FieldViolation> violations =
        errors::FieldViolationsOf(converted);
    ASSERT_EQ(violations.size(), 1u) << c.name;
    EXPECT_EQ(violations[0].field, "body") << c.name;
    EXPECT_THAT(
        violations[0].description,
        HasSubstr(absl::StrCat("the request to ", c.method, " is not a valid ",
                               c.request_type, " message")))
        << c.name;
  }
}

TEST_F(UndecodableRequestTest, OtherRefusalsAreLeftAlone) {
  // A well-formed request for a case that does not exist: the handler's own
  // answer passes through the interceptor unchanged.
  homeward::v1::GetCaseRequest request;
  request.set_case_id("C0000000000000000000");
  const grpc::Status status = CallWithBody("/homeward.v1.CaseService/GetCase",
                                           request.SerializeAsString());
  EXPECT_EQ(status.error_code(), grpc::StatusCode::NOT_FOUND)
      << status.error_message();
}

// Whether `line` is one JSON object.
bool IsJsonObject(const std::string& line) {
  google::protobuf::Struct parsed;
  return google::protobuf::util::JsonStringToMessage(line, &parsed).ok();
}

TEST_F(UndecodableRequestTest, RefusalsAreLoggedAsJsonLines) {
  ::testing::internal::CaptureStderr();
  CallWithBody("/homeward.v1.CaseService/GetCase", kInvalidUtf8);
  CallWithBody("/homeward.v1.ConsentService/CheckConsent", kTruncated);
  const std::string log = ::testing::internal::GetCapturedStderr();

  int refusals = 0;
  int protobuf_lines = 0;
  for (absl::string_view line : absl::StrSplit(log, '\n', absl::SkipEmpty())) {
    EXPECT_TRUE(IsJsonObject(std::string(line))) << "not JSON: " << line;
    if (absl::StrContains(line, "\"reason\":\"undecodable request\"")) {
      ++refusals;
      EXPECT_THAT(line, HasSubstr("\"code\":\"INVALID_ARGUMENT\""));
      // Named as server::Finish names methods in its lines.
      EXPECT_THAT(line, ::testing::AnyOf(
                            HasSubstr("\"method\":\"CaseService/GetCase\""),
                            HasSubstr("\"method\":\"ConsentService/"
                                      "CheckConsent\"")));
    }
    if (absl::StrContains(line, "\"msg\":\"protobuf\"")) {
      ++protobuf_lines;
      EXPECT_THAT(line, HasSubstr("invalid UTF-8"));
      // The field is named; the bytes it held are not.
      EXPECT_THAT(line, HasSubstr("homeward.v1.GetCaseRequest.case_id"));
    }
  }
  EXPECT_EQ(refusals, 2) << log;
  EXPECT_EQ(protobuf_lines, 1) << log;
}

}  // namespace
}  // namespace homeward
