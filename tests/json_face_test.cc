// The gateway's JSON face as a hostile client and a Connect client see it: a
// real AssessmentServer behind a real Forwarder and JsonHttpServer on
// 127.0.0.1, called over raw sockets (tests/fixtures/raw_http.h) so that the
// tests can send what a client library would not: trickled bodies, idle
// connections, header floods, malformed requests. Checks that slow and idle
// clients do not starve others, that input and memory stay bounded, that
// every refusal is a Connect error that says what is allowed, the binary
// codec, unknown JSON fields, keep-alive, port sharing and /healthz.
//
// Deadlines are generous (the test machine is shared and loaded); nothing
// here measures performance.
#include <sys/resource.h>

#include <atomic>
#include <fstream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "common/routing/route_table.h"
#include "common/status/status_matchers.h"
#include "gmock/gmock.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/text_format.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"
#include "homeward/v1/cases.pb.h"
#include "homeward/v1/needs.pb.h"
#include "services/assessment/assessment_server.h"
#include "services/gateway/api_keys.h"
#include "services/gateway/caller_authenticator.h"
#include "services/gateway/forwarder.h"
#include "services/gateway/gateway_server.h"
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
using ::homeward::testing::StatusIs;
using ::homeward::testing::TempDir;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::Optional;

constexpr char kApiKey[] = "hw_json_face_test_key_0123456789abcd";
constexpr char kGetCase[] = "/homeward.v1.CaseService/GetCase";
constexpr char kRegisterCase[] = "/homeward.v1.CaseService/RegisterCase";
constexpr char kListCases[] = "/homeward.v1.CaseService/ListCases";
// How long a normal call may take while the face is under attack: far more
// than it needs, far less than the attacks last.
constexpr absl::Duration kCallDeadline = absl::Seconds(3);
// For answers that must come "at once" (well before any server timeout).
constexpr absl::Duration kPrompt = absl::Seconds(5);

// This process's resident memory, in bytes ("VmRSS:   12345 kB").
int64_t ResidentBytes() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    std::vector<std::string> words =
        absl::StrSplit(line, absl::ByAnyChar(" \t"), absl::SkipEmpty());
    int64_t kb = 0;
    if (words.size() >= 2 && words[0] == "VmRSS:" &&
        absl::SimpleAtoi(words[1], &kb)) {
      return kb * 1024;
    }
  }
  return 0;
}

// The floods open several hundred sockets at both ends in this process.
void RaiseOpenFileLimit() {
  rlimit limit;
  if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < 4096) {
    limit.rlim_cur = std::min<rlim_t>(limit.rlim_max, 4096);
    setrlimit(RLIMIT_NOFILE, &limit);
  }
}

std::string Request(absl::string_view method, absl::string_view target,
                    absl::string_view content_type, absl::string_view body,
                    absl::string_view extra_headers = "") {
  return absl::StrCat(
      method, " ", target, " HTTP/1.1\r\nHost: gateway\r\n",
      "Authorization: Bearer ", kApiKey, "\r\n",
      content_type.empty()
          ? ""
          : absl::StrCat("Content-Type: ", content_type, "\r\n"),
      extra_headers, "Content-Length: ", body.size(), "\r\n\r\n", body);
}

std::string JsonPost(absl::string_view target, absl::string_view body) {
  return Request("POST", target, "application/json", body);
}

google::protobuf::Struct JsonObject(const std::string& json) {
  google::protobuf::Struct out;
  EXPECT_TRUE(google::protobuf::util::JsonStringToMessage(json, &out).ok())
      << json;
  return out;
}

// Asserts `response` is a Connect error: HTTP `status`, a JSON body with
// Connect `code` and a message containing `says`.
void ExpectConnectError(const std::optional<RawHttpResponse>& response,
                        int status, const std::string& code,
                        const std::string& says = "") {
  ASSERT_TRUE(response.has_value()) << "no answer";
  EXPECT_EQ(response->status, status) << response->body;
  EXPECT_THAT(response->Header("Content-Type"),
              Optional(std::string("application/json")));
  google::protobuf::Struct error = JsonObject(response->body);
  ASSERT_EQ(error.fields().count("code"), 1u) << response->body;
  EXPECT_EQ(error.fields().at("code").string_value(), code) << response->body;
  ASSERT_EQ(error.fields().count("message"), 1u) << response->body;
  EXPECT_THAT(error.fields().at("message").string_value(), HasSubstr(says));
}

class JsonFaceTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { RaiseOpenFileLimit(); }

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
        "json-face-test", kApiKey,
        homeward::testing::MakePrincipal(
            "cm-1", homeward::v1::ROLE_CASE_MANAGER, {"office-dakar"}));
    auto keys = CallerAuthenticator::Create(key_file, config);
    ASSERT_THAT(keys, IsOk());
    keys_ = *std::move(keys);
    forwarder_ = std::make_unique<Forwarder>(Forwarder::Options{
        *std::move(backends), *std::move(methods),
        homeward::testing::kTestSecret, kDefaultForwardDeadline});
  }

  void TearDown() override {
    if (face_ != nullptr) face_->Stop();
    face_.reset();
    forwarder_.reset();
    if (replica_ != nullptr) replica_->Shutdown(absl::Seconds(1));
  }

  // Starts the face with `options` (defaults unless a test shortens them).
  void StartFace(JsonHttpServer::Options options = {}) {
    face_ = std::make_unique<JsonHttpServer>(keys_.get(), forwarder_.get(),
                                             std::move(options));
    absl::StatusOr<int> port = face_->Start("127.0.0.1:0");
    ASSERT_THAT(port, IsOk());
    port_ = *port;
  }

  std::unique_ptr<RawHttpConnection> Connect() {
    auto c = RawHttpConnection::Connect(port_);
    EXPECT_NE(c, nullptr);
    return c;
  }

  // One request on a fresh connection.
  std::optional<RawHttpResponse> Exchange(const std::string& request,
                                          absl::Duration timeout = kPrompt) {
    auto c = Connect();
    if (c == nullptr || !c->Send(request)) return std::nullopt;
    return c->ReadResponse(timeout);
  }

  // Registers a case over gRPC-free JSON and returns its id.
  std::string RegisterCase(const std::string& request_id) {
    std::string json;
    EXPECT_TRUE(google::protobuf::util::MessageToJsonString(
                    homeward::testing::ValidRegistration(request_id), &json)
                    .ok());
    std::optional<RawHttpResponse> r = Exchange(JsonPost(kRegisterCase, json));
    EXPECT_TRUE(r.has_value());
    if (!r.has_value()) return "";
    EXPECT_EQ(r->status, 200) << r->body;
    homeward::v1::Case created;
    EXPECT_TRUE(
        google::protobuf::util::JsonStringToMessage(r->body, &created).ok());
    return created.case_id();
  }

  // An authorised ListCases on a fresh connection answers 200 within
  // kCallDeadline.
  void ExpectCallsStillServed(int calls) {
    for (int i = 0; i < calls; ++i) {
      const absl::Time start = absl::Now();
      std::optional<RawHttpResponse> r = Exchange(
          JsonPost(kListCases, R"({"page":{"pageSize":5}})"), kCallDeadline);
      ASSERT_TRUE(r.has_value())
          << "call " << i << " got no answer within " << kCallDeadline;
      EXPECT_EQ(r->status, 200) << r->body;
      EXPECT_LT(absl::Now() - start, kCallDeadline);
    }
  }

  TempDir dir_;
  std::unique_ptr<assessment::AssessmentServer> replica_;
  std::unique_ptr<CallerAuthenticator> keys_;
  std::unique_ptr<Forwarder> forwarder_;
  std::unique_ptr<JsonHttpServer> face_;
  int port_ = 0;
};

// ---------------------------------------------------------------------------
// Slow, idle and excess connections (issue 9, point 1)

TEST_F(JsonFaceTest, TwoHundredSlowBodiesDoNotStarveOtherCalls) {
  JsonHttpServer::Options options;
  options.body_timeout = absl::Seconds(120);  // outlasts the test
  StartFace(options);
  // Each announces a 100 kB body and sends a byte of it now and then.
  std::vector<std::unique_ptr<RawHttpConnection>> slow;
  for (int i = 0; i < 200; ++i) {
    auto c = Connect();
    ASSERT_NE(c, nullptr);
    ASSERT_TRUE(c->Send(absl::StrCat(
        "POST ", kListCases,
        " HTTP/1.1\r\nHost: gateway\r\nContent-Type: application/json\r\n"
        "Content-Length: 100000\r\n\r\n{")));
    slow.push_back(std::move(c));
  }
  std::atomic<bool> done{false};
  std::thread trickle([&] {
    while (!done.load()) {
      for (auto& c : slow) c->Send(" ");
      absl::SleepFor(absl::Milliseconds(500));
    }
  });
  ExpectCallsStillServed(10);
  done = true;
  trickle.join();
}

TEST_F(JsonFaceTest, TwoHundredIdleConnectionsDoNotStarveOtherCalls) {
  StartFace();
  std::vector<std::unique_ptr<RawHttpConnection>> idle;
  for (int i = 0; i < 200; ++i) {
    auto c = Connect();
    ASSERT_NE(c, nullptr);
    idle.push_back(std::move(c));
  }
  // And 200 more that made one call and stay open, kept alive.
  for (int i = 0; i < 200; ++i) {
    auto c = Connect();
    ASSERT_NE(c, nullptr);
    ASSERT_TRUE(c->Send(JsonPost(kListCases, "{}")));
    std::optional<RawHttpResponse> r = c->ReadResponse(kPrompt);
    ASSERT_TRUE(r.has_value());
    ASSERT_EQ(r->status, 200) << r->body;
    idle.push_back(std::move(c));
  }
  ExpectCallsStillServed(10);
}

TEST_F(JsonFaceTest, TricklingBodyIsRefusedWhenItsTimeRunsOut) {
  JsonHttpServer::Options options;
  options.body_timeout = absl::Seconds(1);
  StartFace(options);
  auto c = Connect();
  ASSERT_NE(c, nullptr);
  ASSERT_TRUE(c->Send(absl::StrCat(
      "POST ", kListCases,
      " HTTP/1.1\r\nHost: gateway\r\nContent-Type: application/json\r\n"
      "Content-Length: 1000\r\n\r\n{")));
  std::atomic<bool> done{false};
  std::thread trickle([&] {
    // A byte every 200 ms would reset a per-read timeout forever.
    while (!done.load() && c->Send(" ")) {
      absl::SleepFor(absl::Milliseconds(200));
    }
  });
  std::optional<RawHttpResponse> r = c->ReadResponse(absl::Seconds(15));
  done = true;
  trickle.join();
  ExpectConnectError(r, 408, "deadline_exceeded", "body did not arrive");
  EXPECT_TRUE(c->ClosedWithin(absl::Seconds(10)));
}

TEST_F(JsonFaceTest, SlowHeadIsRefusedAndSilentConnectionClosed) {
  JsonHttpServer::Options options;
  options.header_timeout = absl::Seconds(1);
  StartFace(options);
  auto slow = Connect();
  auto silent = Connect();
  ASSERT_NE(slow, nullptr);
  ASSERT_NE(silent, nullptr);
  ASSERT_TRUE(
      slow->Send("POST /homeward.v1.CaseService/ListCases HTTP/1.1\r\n"
                 "Host: gateway\r\n"));
  ExpectConnectError(slow->ReadResponse(absl::Seconds(15)), 408,
                     "deadline_exceeded", "headers did not arrive");
  // Nothing to answer on a connection that never sent a byte: just closed.
  EXPECT_TRUE(silent->ClosedWithin(absl::Seconds(15)));
}

TEST_F(JsonFaceTest, IdleKeptAliveConnectionIsClosedAfterIdleTimeout) {
  JsonHttpServer::Options options;
  options.idle_timeout = absl::Seconds(1);
  StartFace(options);
  auto c = Connect();
  ASSERT_NE(c, nullptr);
  ASSERT_TRUE(c->Send(JsonPost(kListCases, "{}")));
  std::optional<RawHttpResponse> r = c->ReadResponse(kPrompt);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 200);
  EXPECT_TRUE(c->ClosedWithin(absl::Seconds(15)));
}

TEST_F(JsonFaceTest, ConnectionsBeyondTheCapAreRefusedAndOthersServed) {
  JsonHttpServer::Options options;
  options.max_connections = 5;
  StartFace(options);
  std::vector<std::unique_ptr<RawHttpConnection>> open;
  for (int i = 0; i < 5; ++i) {
    auto c = Connect();
    ASSERT_NE(c, nullptr);
    open.push_back(std::move(c));
  }
  // Give the server time to accept all five.
  absl::SleepFor(absl::Seconds(1));
  auto excess = Connect();
  ASSERT_NE(excess, nullptr);
  ExpectConnectError(excess->ReadResponse(kPrompt), 503, "unavailable",
                     "limit of 5 open connections");
  EXPECT_TRUE(excess->ClosedWithin(kPrompt));
  // The connections within the cap are served as before.
  ASSERT_TRUE(open[0]->Send(JsonPost(kListCases, "{}")));
  std::optional<RawHttpResponse> r = open[0]->ReadResponse(kPrompt);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 200) << r->body;
}

// The operator's GatewayConfig.http_limits reach the face of a real gateway.
TEST_F(JsonFaceTest, GatewayConfigSetsTheConnectionCap) {
  GatewayServer::Options options;
  options.config.set_http_listen_address("127.0.0.1:0");
  options.config.set_partition_count(
      homeward::testing::LoopbackServiceConfig(dir_.path()).partition_count());
  auto* route = options.config.add_routes();
  route->set_service(kAssessmentService);
  route->add_replicas()->set_address(
      absl::StrCat("127.0.0.1:", replica_->port()));
  options.config.mutable_http_limits()->set_max_connections(2);
  options.principal_secret = homeward::testing::kTestSecret;
  auto gateway = GatewayServer::Start(std::move(options));
  ASSERT_THAT(gateway, IsOk());
  port_ = (*gateway)->http_port();
  std::vector<std::unique_ptr<RawHttpConnection>> open;
  for (int i = 0; i < 2; ++i) open.push_back(Connect());
  absl::SleepFor(absl::Seconds(1));
  auto excess = Connect();
  ASSERT_NE(excess, nullptr);
  ExpectConnectError(excess->ReadResponse(kPrompt), 503, "unavailable",
                     "limit of 2 open connections");
}

TEST(JsonFaceOptionsTest, HttpLimitsOverrideDefaultsWithinRange) {
  struct Case {
    std::string limits;  // HttpLimits textproto
    std::vector<std::string> bad_fields;
    size_t max_connections;
    absl::Duration header, body, idle;
  };
  const JsonHttpServer::Options defaults;
  const std::vector<Case> cases = {
      {"", {}, 1000, absl::Seconds(10), absl::Seconds(30), absl::Seconds(60)},
      {"max_connections: 20 header_timeout_ms: 1500 body_timeout_ms: 2500 "
       "idle_timeout_ms: 3500",
       {},
       20,
       absl::Milliseconds(1500),
       absl::Milliseconds(2500),
       absl::Milliseconds(3500)},
      {"max_connections: 1000000 idle_timeout_ms: 600000",
       {},
       1000000,
       absl::Seconds(10),
       absl::Seconds(30),
       absl::Minutes(10)},
      {"max_connections: 1000001 header_timeout_ms: 600001 "
       "body_timeout_ms: 4000000000 idle_timeout_ms: 1",
       {"http_limits.max_connections", "http_limits.header_timeout_ms",
        "http_limits.body_timeout_ms"},
       1000,
       absl::Seconds(10),
       absl::Seconds(30),
       absl::Milliseconds(1)},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.limits);
    homeward::internal::v1::HttpLimits limits;
    ASSERT_TRUE(
        google::protobuf::TextFormat::ParseFromString(c.limits, &limits));
    errors::FieldViolations bad;
    JsonHttpServer::Options options = JsonFaceOptionsFrom(limits, bad);
    std::vector<std::string> fields;
    for (const auto& v : errors::FieldViolationsOf(bad.ToStatus())) {
      fields.push_back(v.field);
    }
    EXPECT_EQ(fields, c.bad_fields);
    EXPECT_EQ(options.max_connections, c.max_connections);
    EXPECT_EQ(options.header_timeout, c.header);
    EXPECT_EQ(options.body_timeout, c.body);
    EXPECT_EQ(options.idle_timeout, c.idle);
    // What HttpLimits cannot set keeps its default.
    EXPECT_EQ(options.max_header_bytes, defaults.max_header_bytes);
    EXPECT_EQ(options.max_body_bytes, defaults.max_body_bytes);
  }
}

// ---------------------------------------------------------------------------
// Bounded input (point 2) and Connect errors on every refusal (points 8, 10)

TEST_F(JsonFaceTest, HeaderFloodsAreRefusedWithinBoundedMemory) {
  StartFace();
  const int64_t before = ResidentBytes();
  ASSERT_GT(before, 0);
  int64_t peak = before;
  std::atomic<bool> sampling{true};
  std::thread sampler([&] {
    while (sampling.load()) {
      peak = std::max(peak, ResidentBytes());
      absl::SleepFor(absl::Milliseconds(20));
    }
  });
  // Sends `lines` header lines of ~100 bytes after a request line, in 64 kB
  // writes, until done or the server closes the connection.
  auto flood = [](RawHttpConnection* c, int lines) {
    // Allocates nothing per line, so that the client's own garbage does not
    // count against the server.
    const std::string filler(80, 'f');
    std::string chunk;
    chunk.reserve(80 * 1024);
    if (!c->Send(absl::StrCat("POST ", kListCases, " HTTP/1.1\r\n"))) return;
    for (int i = 0; i < lines; ++i) {
      absl::StrAppend(&chunk, "X-Flood-", i, ": ", filler, "\r\n");
      if (chunk.size() >= 64 * 1024) {
        if (!c->Send(chunk)) return;
        chunk.clear();
      }
    }
    c->Send(chunk);  // unfinished: no blank line
  };

  // One request with a million headers (~100 MB).
  auto big = Connect();
  ASSERT_NE(big, nullptr);
  std::thread big_sender([&] { flood(big.get(), 1000000); });
  ExpectConnectError(big->ReadResponse(absl::Seconds(30)), 431,
                     "resource_exhausted", "larger than the limit of");
  big_sender.join();

  // Eight unfinished requests of 300k headers each, at once.
  std::vector<std::unique_ptr<RawHttpConnection>> many;
  std::vector<std::thread> senders;
  for (int i = 0; i < 8; ++i) {
    many.push_back(Connect());
    ASSERT_NE(many.back(), nullptr);
  }
  for (auto& c : many) {
    senders.emplace_back([&flood, c = c.get()] { flood(c, 300000); });
  }
  for (auto& c : many) {
    ExpectConnectError(c->ReadResponse(absl::Seconds(30)), 431,
                       "resource_exhausted");
  }
  for (std::thread& t : senders) t.join();
  sampling = false;
  sampler.join();
  EXPECT_LT(peak - before, 64 * 1024 * 1024)
      << "resident memory grew from " << before << " to " << peak;
  // And the face still serves.
  ExpectCallsStillServed(1);
}

TEST_F(JsonFaceTest, OversizedInputIsRefusedWithTheLimitNamed) {
  StartFace();
  // A body over 16 MiB is refused from its Content-Length, before it is sent.
  ExpectConnectError(
      Exchange(absl::StrCat("POST ", kListCases,
                            " HTTP/1.1\r\nHost: g\r\nContent-Type: "
                            "application/json\r\nContent-Length: ",
                            16 * 1024 * 1024 + 1, "\r\n\r\n")),
      413, "resource_exhausted", "16777216 bytes (16 MiB)");
  // The same, arriving chunked.
  {
    auto c = Connect();
    ASSERT_NE(c, nullptr);
    ASSERT_TRUE(c->Send(absl::StrCat(
        "POST ", kListCases,
        " HTTP/1.1\r\nHost: g\r\nContent-Type: application/json\r\n"
        "Transfer-Encoding: chunked\r\n\r\n")));
    const std::string mib(1024 * 1024, ' ');
    const std::string chunk = absl::StrCat("100000\r\n", mib, "\r\n");
    for (int i = 0; i < 17 && c->Send(chunk); ++i) {
    }
    ExpectConnectError(c->ReadResponse(absl::Seconds(30)), 413,
                       "resource_exhausted", "16 MiB");
  }
  // A request-target over 4 kB.
  ExpectConnectError(
      Exchange(JsonPost(absl::StrCat("/", std::string(5000, 'a')), "{}")), 414,
      "resource_exhausted", "limit is 4096 bytes");
  // Headers over 16 kB.
  ExpectConnectError(
      Exchange(
          Request("POST", kListCases, "application/json", "{}",
                  absl::StrCat("X-Big: ", std::string(20000, 'b'), "\r\n"))),
      431, "resource_exhausted", "16384 bytes");
}

TEST_F(JsonFaceTest, MalformedHttpIsRefusedAtOnceWithAConnectError) {
  JsonHttpServer::Options options;
  // Answers must come from the parser, not from a timeout.
  options.header_timeout = absl::Seconds(60);
  options.body_timeout = absl::Seconds(60);
  StartFace(options);
  auto head = [](absl::string_view content_length) {
    return absl::StrCat("POST ", kListCases,
                        " HTTP/1.1\r\nHost: g\r\nContent-Type: "
                        "application/json\r\nContent-Length: ",
                        content_length, "\r\n\r\n{}");
  };
  ExpectConnectError(Exchange(head("-5")), 400, "invalid_argument",
                     "Content-Length");
  ExpectConnectError(Exchange(head("99999999999999999999")), 400,
                     "invalid_argument", "Content-Length");
  ExpectConnectError(Exchange(head("twelve")), 400, "invalid_argument",
                     "Content-Length");
  ExpectConnectError(Exchange("GARBAGE\r\n\r\n"), 400, "invalid_argument",
                     "request line");
  ExpectConnectError(Exchange(absl::StrCat("POST ", kListCases,
                                           " HTTP/1.1\r\nHost: g\r\n"
                                           "Bad Header Line\r\n\r\n")),
                     400, "invalid_argument", "header");
  ExpectConnectError(
      Exchange(absl::StrCat("POST ", kListCases,
                            " HTTP/1.1\r\nHost: g\r\nContent-Type: "
                            "application/json\r\nTransfer-Encoding: "
                            "chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n")),
      400, "invalid_argument", "chunk");
}

TEST_F(JsonFaceTest, PercentEncodedPathIsNotAMethod) {
  StartFace();
  const std::string id = RegisterCase("req-percent");
  ASSERT_FALSE(id.empty());
  const std::string body = absl::StrCat(R"({"caseId":")", id, R"("})");
  ExpectConnectError(
      Exchange(JsonPost("/homeward.v1.CaseService%2FGetCase", body)), 404,
      "unimplemented", "not percent-encoded");
  ExpectConnectError(
      Exchange(JsonPost("/homeward.v1.CaseService/Get%43ase", body)), 404,
      "unimplemented");
  // The exact spelling is served.
  std::optional<RawHttpResponse> r = Exchange(JsonPost(kGetCase, body));
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 200) << r->body;
}

TEST_F(JsonFaceTest, RoutingRefusalsSayWhatIsAllowed) {
  StartFace();
  ExpectConnectError(Exchange(JsonPost("/elsewhere", "{}")), 404,
                     "unimplemented", "POST /homeward.v1.<Service>/<Method>");
  std::optional<RawHttpResponse> r = Exchange(Request("GET", kGetCase, "", ""));
  ExpectConnectError(r, 405, "unimplemented", "only POST");
  EXPECT_THAT(r->Header("Allow"), Optional(std::string("POST")));

  r = Exchange(Request("POST", kGetCase, "text/plain", "case_id: 'x'"));
  ExpectConnectError(r, 415, "unimplemented", "application/proto");
  EXPECT_THAT(r->Header("Accept-Post"),
              Optional(HasSubstr("application/proto")));

  r = Exchange(Request("POST", kGetCase, "application/json", "{}",
                       "Content-Encoding: gzip\r\n"));
  ExpectConnectError(r, 501, "unimplemented", "identity");
  EXPECT_THAT(r->Header("Accept-Encoding"), Optional(std::string("identity")));

  r = Exchange(Request("POST", "/healthz", "application/json", "{}"));
  ExpectConnectError(r, 405, "unimplemented", "GET and HEAD");
}

TEST_F(JsonFaceTest, UnauthenticatedCallIs401WithChallengeAndRequestId) {
  StartFace();
  std::optional<RawHttpResponse> r = Exchange(
      absl::StrCat("POST ", kGetCase,
                   " HTTP/1.1\r\nHost: g\r\nContent-Type: application/json\r\n"
                   "X-Request-Id: req-401\r\nContent-Length: 2\r\n\r\n{}"));
  ExpectConnectError(r, 401, "unauthenticated");
  EXPECT_THAT(r->Header("WWW-Authenticate"), Optional(std::string("Bearer")));
  EXPECT_THAT(r->Header("X-Request-Id"), Optional(std::string("req-401")));
}

// ---------------------------------------------------------------------------
// Codecs (points 21, 23) and keep-alive (point 22)

TEST_F(JsonFaceTest, BinaryCodecRoundTripsAndErrorsStayJson) {
  StartFace();
  homeward::v1::RegisterCaseRequest registration =
      homeward::testing::ValidRegistration("req-proto");
  std::optional<RawHttpResponse> r =
      Exchange(Request("POST", kRegisterCase, "application/proto",
                       registration.SerializeAsString()));
  ASSERT_TRUE(r.has_value());
  ASSERT_EQ(r->status, 200) << r->body;
  EXPECT_THAT(r->Header("Content-Type"),
              Optional(std::string("application/proto")));
  homeward::v1::Case created;
  ASSERT_TRUE(created.ParseFromString(r->body));
  ASSERT_FALSE(created.case_id().empty());
  EXPECT_EQ(created.returnee().given_name(), "Awa");

  homeward::v1::GetCaseRequest get;
  get.set_case_id(created.case_id());
  r = Exchange(
      Request("POST", kGetCase, "application/proto", get.SerializeAsString()));
  ASSERT_TRUE(r.has_value());
  ASSERT_EQ(r->status, 200) << r->body;
  homeward::v1::Case fetched;
  ASSERT_TRUE(fetched.ParseFromString(r->body));
  EXPECT_EQ(fetched.case_id(), created.case_id());

  // Errors are JSON whatever the codec: an empty case id names the field...
  r = Exchange(Request("POST", kGetCase, "application/proto", ""));
  ExpectConnectError(r, 400, "invalid_argument");
  EXPECT_THAT(r->body, HasSubstr(R"("field":"case_id")"));
  // ...and bytes that are not the request's encoding are refused.
  r = Exchange(Request("POST", kGetCase, "application/proto", "\xff\xff\xff"));
  ExpectConnectError(r, 400, "invalid_argument", "homeward.v1.GetCaseRequest");
}

TEST_F(JsonFaceTest, UnknownJsonFieldsAreIgnored) {
  StartFace();
  const std::string id = RegisterCase("req-unknown-fields");
  ASSERT_FALSE(id.empty());
  std::optional<RawHttpResponse> r = Exchange(JsonPost(
      kGetCase,
      absl::StrCat(R"({"caseId":")", id,
                   R"(","favouriteColour":"blue","nested":{"a":1}})")));
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 200) << r->body;
  EXPECT_THAT(r->body, HasSubstr(id));
}

TEST_F(JsonFaceTest, KeepAliveConnectionServesManyRequests) {
  StartFace();
  auto c = Connect();
  ASSERT_NE(c, nullptr);
  for (int i = 0; i < 12; ++i) {
    ASSERT_TRUE(c->Send(JsonPost(kListCases, "{}"))) << "request " << i;
    std::optional<RawHttpResponse> r = c->ReadResponse(kPrompt);
    ASSERT_TRUE(r.has_value()) << "request " << i;
    EXPECT_EQ(r->status, 200) << r->body;
    EXPECT_EQ(r->Header("Connection"), std::nullopt) << "request " << i;
    EXPECT_EQ(r->Header("Keep-Alive"), std::nullopt) << "request " << i;
  }
  // Until the client says it is done.
  ASSERT_TRUE(c->Send(Request("POST", kListCases, "application/json", "{}",
                              "Connection: close\r\n")));
  std::optional<RawHttpResponse> r = c->ReadResponse(kPrompt);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 200);
  EXPECT_THAT(r->Header("Connection"), Optional(std::string("close")));
  EXPECT_TRUE(c->ClosedWithin(kPrompt));
}

// ---------------------------------------------------------------------------
// Port sharing (point 4) and readiness (point 17)

TEST_F(JsonFaceTest, SecondBindOnAPortInUseFails) {
  StartFace();
  JsonHttpServer second(keys_.get(), forwarder_.get());
  absl::StatusOr<int> port = second.Start(absl::StrCat("127.0.0.1:", port_));
  EXPECT_THAT(port,
              StatusIs(absl::StatusCode::kUnavailable, HasSubstr("in use")));
  // The first still serves.
  std::optional<RawHttpResponse> r = Exchange(JsonPost(kListCases, "{}"));
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 200);
}

TEST_F(JsonFaceTest, HealthzFollowsReadiness) {
  auto ready = std::make_shared<std::atomic<bool>>(true);
  JsonHttpServer::Options options;
  options.ready = [ready] { return ready->load(); };
  StartFace(options);
  std::optional<RawHttpResponse> r =
      Exchange("GET /healthz HTTP/1.1\r\nHost: g\r\n\r\n");
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "ok");

  *ready = false;
  ExpectConnectError(Exchange("GET /healthz HTTP/1.1\r\nHost: g\r\n\r\n"), 503,
                     "unavailable", "not ready");
  auto c = Connect();
  ASSERT_NE(c, nullptr);
  ASSERT_TRUE(c->Send("HEAD /healthz HTTP/1.1\r\nHost: g\r\n\r\n"));
  c->ExpectHeadResponse();
  r = c->ReadResponse(kPrompt);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 503);
  EXPECT_EQ(r->body, "");

  *ready = true;
  ASSERT_TRUE(c->Send("HEAD /healthz HTTP/1.1\r\nHost: g\r\n\r\n"));
  c->ExpectHeadResponse();
  r = c->ReadResponse(kPrompt);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->Header("Content-Length"), std::string("2"));
}

// NeedService as the README's curl example calls it: add a need, list the
// open ones, resolve it with its etag, and be refused (409 aborted) when the
// etag is stale.
TEST_F(JsonFaceTest, ListNeedsAndSetNeedStatusOverJson) {
  StartFace();
  const std::string case_id = RegisterCase("json-needs-case-1");
  ASSERT_FALSE(case_id.empty());
  // Posts `body` and parses a 200 answer into `out`.
  auto call = [this](absl::string_view target, absl::string_view body,
                     google::protobuf::Message* out) {
    std::optional<RawHttpResponse> r = Exchange(JsonPost(target, body));
    ASSERT_TRUE(r.has_value()) << target;
    ASSERT_EQ(r->status, 200) << target << ": " << r->body;
    ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(r->body, out).ok())
        << r->body;
  };

  homeward::v1::Need added;
  call("/homeward.v1.NeedService/AddNeed",
       absl::StrCat(R"({"requestId":"need-1","caseId":")", case_id,
                    R"(","need":{"dimension":"DIMENSION_SOCIAL",)",
                    R"("category":"housing","description":"Rent for three )",
                    R"(months","priority":"NEED_PRIORITY_HIGH"}})"),
       &added);
  EXPECT_EQ(added.status(), homeward::v1::NEED_STATUS_OPEN);

  const std::string list_open = absl::StrCat(
      R"({"caseId":")", case_id, R"(","statuses":["NEED_STATUS_OPEN"]})");
  homeward::v1::ListNeedsResponse listed;
  call("/homeward.v1.NeedService/ListNeeds", list_open, &listed);
  ASSERT_EQ(listed.needs_size(), 1);
  EXPECT_EQ(listed.needs(0).need_id(), added.need_id());
  EXPECT_EQ(listed.needs(0).etag(), "1");

  const std::string resolve = absl::StrCat(
      R"({"caseId":")", case_id, R"(","needId":")", added.need_id(),
      R"(","etag":"1","status":"NEED_STATUS_RESOLVED"})");
  homeward::v1::Need resolved;
  call("/homeward.v1.NeedService/SetNeedStatus", resolve, &resolved);
  EXPECT_EQ(resolved.status(), homeward::v1::NEED_STATUS_RESOLVED);
  EXPECT_EQ(resolved.etag(), "2");

  // The same change again carries a stale etag.
  std::optional<RawHttpResponse> stale =
      Exchange(JsonPost("/homeward.v1.NeedService/SetNeedStatus", resolve));
  ASSERT_TRUE(stale.has_value());
  EXPECT_EQ(stale->status, 409) << stale->body;
  EXPECT_THAT(stale->body, HasSubstr("aborted"));

  homeward::v1::ListNeedsResponse open;
  call("/homeward.v1.NeedService/ListNeeds", list_open, &open);
  EXPECT_EQ(open.needs_size(), 0);
}

}  // namespace
}  // namespace homeward::gateway
