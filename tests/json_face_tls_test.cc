// TLS on the gateway's JSON face (issue 16, point 1): an HttpServer serving
// HTTPS with a TlsServerIdentity made from a throwaway CA's certificates
// (tests/fixtures/test_pki.h), called by an in-process OpenSSL client
// (tests/fixtures/tls_client.h) and by raw sockets. Checks the handshake
// rules (TLS 1.2+ only, the server's certificate from the files, client
// certificates when a CA is configured), that plain HTTP gets no HTTP
// answer, that a stalled handshake is bounded by the header timeout, that a
// certificate swapped on disk is served to new connections within seconds
// while a bad replacement is not, and, through the real gateway, that
// GatewayConfig.public_transport turns HTTPS on and its files are checked at
// start.
//
// Deadlines are generous (the test machine is shared and loaded).
#include <openssl/ssl.h>
#include <sys/stat.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "common/status/errors.h"
#include "common/status/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "homeward/internal/v1/config.pb.h"
#include "services/assessment/assessment_server.h"
#include "services/gateway/api_keys.h"
#include "services/gateway/gateway_server.h"
#include "services/gateway/http_server.h"
#include "services/gateway/tls_server_identity.h"
#include "tests/fixtures/assessment_server.h"
#include "tests/fixtures/case_fixtures.h"
#include "tests/fixtures/raw_http.h"
#include "tests/fixtures/temp_dir.h"
#include "tests/fixtures/test_pki.h"
#include "tests/fixtures/tls_client.h"

namespace homeward::gateway {
namespace {

using ::homeward::internal::v1::TlsFiles;
using ::homeward::testing::IsOk;
using ::homeward::testing::PemPair;
using ::homeward::testing::RawHttpConnection;
using ::homeward::testing::RawHttpResponse;
using ::homeward::testing::StatusIs;
using ::homeward::testing::TempDir;
using ::homeward::testing::TestCertificateAuthority;
using ::homeward::testing::TlsClientConnection;
using ::homeward::testing::TlsClientOptions;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kGet[] = "GET /hello HTTP/1.1\r\nHost: gateway\r\n\r\n";
// A certificate swapped on disk must be served within this (the server
// looks every second; the machine is loaded).
constexpr absl::Duration kReloadWithin = absl::Seconds(30);
// Long enough for several looks at the files: a reload that was going to
// happen would have.
constexpr absl::Duration kSeveralLooks = absl::Seconds(4);
constexpr long kFirstSerial = 1001;

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream out;
  out << in.rdbuf();
  return out.str();
}

// Replaces `to` with `content` at once (write aside, then rename), as a
// certificate renewal tool does; keys keep mode 0600.
void ReplaceFile(const std::string& to, const std::string& content,
                 mode_t mode) {
  const std::string aside = to + ".new";
  {
    std::ofstream out(aside, std::ios::binary | std::ios::trunc);
    out << content;
  }
  ASSERT_EQ(chmod(aside.c_str(), mode), 0);
  ASSERT_EQ(std::rename(aside.c_str(), to.c_str()), 0);
}

// Puts `pair`'s certificate and key where `served` is read from.
void InstallPair(const PemPair& pair, const PemPair& served) {
  ReplaceFile(served.certificate_file, ReadFile(pair.certificate_file), 0644);
  ReplaceFile(served.private_key_file, ReadFile(pair.private_key_file), 0600);
}

TlsFiles FilesOf(const PemPair& pair, const std::string& ca_file = "") {
  TlsFiles files;
  files.set_certificate_file(pair.certificate_file);
  files.set_private_key_file(pair.private_key_file);
  files.set_ca_file(ca_file);
  return files;
}

// The serial of the certificate `identity` would present now.
long CurrentSerial(const TlsServerIdentity& identity) {
  X509* leaf = SSL_CTX_get0_certificate(identity.Current().get());
  return leaf == nullptr ? -1 : ASN1_INTEGER_get(X509_get0_serialNumber(leaf));
}

class JsonFaceTlsTest : public ::testing::Test {
 protected:
  JsonFaceTlsTest()
      : ca_(dir_.path(), "ca"),
        served_(ca_.Issue("served", "json-face", kFirstSerial)) {}

  void TearDown() override {
    if (server_ != nullptr) server_->Stop();
  }

  // Serves HTTPS from `files` (the served pair unless told otherwise):
  // every request is answered 200 "hello".
  void StartServer(std::optional<TlsFiles> files = std::nullopt,
                   HttpServerOptions options = {}) {
    absl::StatusOr<std::shared_ptr<TlsServerIdentity>> tls =
        TlsServerIdentity::Load(files.value_or(FilesOf(served_)),
                                "public_transport.tls");
    ASSERT_THAT(tls, IsOk());
    options.tls = *tls;
    server_ = std::make_unique<HttpServer>(
        options,
        [](HttpRequest, HttpResponder respond) {
          HttpResponse response;
          response.content_type = "text/plain";
          response.body = "hello";
          respond(std::move(response));
        },
        [](int status, absl::StatusCode, absl::string_view message) {
          HttpResponse response;
          response.status = status;
          response.body = std::string(message);
          return response;
        });
    absl::StatusOr<int> port = server_->Start("127.0.0.1:0");
    ASSERT_THAT(port, IsOk());
    port_ = *port;
  }

  TlsClientOptions TrustingCa() const {
    TlsClientOptions options;
    options.ca_file = ca_.certificate_file();
    return options;
  }

  // A handshake and one GET on a fresh connection; the first failure.
  absl::StatusOr<RawHttpResponse> Get(const TlsClientOptions& options) {
    absl::StatusOr<std::unique_ptr<TlsClientConnection>> c =
        TlsClientConnection::Connect(port_, options);
    if (!c.ok()) return c.status();
    return (*c)->Exchange(kGet);
  }

  // The serial of the certificate a new connection is served (-1 if the
  // handshake fails).
  long ServedSerial() {
    absl::StatusOr<std::unique_ptr<TlsClientConnection>> c =
        TlsClientConnection::Connect(port_, TrustingCa());
    return c.ok() ? (*c)->PeerSerial() : -1;
  }

  // Whether new connections are served certificate `serial` within
  // kReloadWithin.
  bool ServedWithin(long serial) {
    const absl::Time deadline = absl::Now() + kReloadWithin;
    while (absl::Now() < deadline) {
      if (ServedSerial() == serial) return true;
      absl::SleepFor(absl::Milliseconds(200));
    }
    return false;
  }

  TempDir dir_;
  TestCertificateAuthority ca_;
  const PemPair served_;
  std::unique_ptr<HttpServer> server_;
  int port_ = 0;
};

// ---------------------------------------------------------------------------
// The handshake

TEST_F(JsonFaceTlsTest, HttpsCallSucceedsWithTheRightCa) {
  StartServer();
  absl::StatusOr<std::unique_ptr<TlsClientConnection>> c =
      TlsClientConnection::Connect(port_, TrustingCa());
  ASSERT_THAT(c, IsOk());
  EXPECT_EQ((*c)->PeerSerial(), kFirstSerial);
  EXPECT_EQ((*c)->Protocol(), "TLSv1.3");
  absl::StatusOr<RawHttpResponse> r = (*c)->Exchange(kGet);
  ASSERT_THAT(r, IsOk());
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "hello");
  // Kept alive, as over plain HTTP.
  r = (*c)->Exchange(kGet);
  ASSERT_THAT(r, IsOk());
  EXPECT_EQ(r->status, 200);
}

TEST_F(JsonFaceTlsTest, Tls12ClientIsServed) {
  StartServer();
  TlsClientOptions options = TrustingCa();
  options.max_version = TLS1_2_VERSION;
  absl::StatusOr<std::unique_ptr<TlsClientConnection>> c =
      TlsClientConnection::Connect(port_, options);
  ASSERT_THAT(c, IsOk());
  EXPECT_EQ((*c)->Protocol(), "TLSv1.2");
  absl::StatusOr<RawHttpResponse> r = (*c)->Exchange(kGet);
  ASSERT_THAT(r, IsOk());
  EXPECT_EQ(r->status, 200);
}

TEST_F(JsonFaceTlsTest, Tls11AndOlderClientsAreRefused) {
  StartServer();
  for (int version : {TLS1_1_VERSION, TLS1_VERSION}) {
    TlsClientOptions options = TrustingCa();
    options.max_version = version;
    // The server's protocol_version alert: the client did offer the old
    // protocol (a client unable to offer it would fail on its own, with
    // "no protocols available").
    EXPECT_THAT(TlsClientConnection::Connect(port_, options).status(),
                StatusIs(absl::StatusCode::kUnavailable,
                         HasSubstr("alert protocol version")))
        << "version " << version;
  }
  // The server still serves.
  EXPECT_THAT(Get(TrustingCa()), IsOk());
}

TEST_F(JsonFaceTlsTest, ClientTrustingAnotherCaFailsTheHandshake) {
  StartServer();
  TestCertificateAuthority stranger(dir_.path(), "stranger");
  TlsClientOptions options;
  options.ca_file = stranger.certificate_file();
  EXPECT_THAT(TlsClientConnection::Connect(port_, options).status(),
              StatusIs(absl::StatusCode::kUnavailable,
                       HasSubstr("certificate verify failed")));
}

TEST_F(JsonFaceTlsTest, PlainHttpToTheTlsPortGetsNoHttpAnswer) {
  StartServer();
  std::unique_ptr<RawHttpConnection> c = RawHttpConnection::Connect(port_);
  ASSERT_NE(c, nullptr);
  ASSERT_TRUE(c->Send(kGet));
  EXPECT_FALSE(c->ReadResponse(absl::Seconds(10)).has_value());
  EXPECT_TRUE(c->ClosedWithin(absl::Seconds(10)));
}

TEST_F(JsonFaceTlsTest, StalledHandshakeIsClosedWithinTheHeaderTimeout) {
  HttpServerOptions options;
  options.header_timeout = absl::Seconds(1);
  StartServer(std::nullopt, options);
  std::unique_ptr<RawHttpConnection> c = RawHttpConnection::Connect(port_);
  ASSERT_NE(c, nullptr);
  // The first bytes of a TLS record header (a ClientHello), then nothing.
  ASSERT_TRUE(c->Send(std::string("\x16\x03\x01", 3)));
  const absl::Time start = absl::Now();
  EXPECT_TRUE(c->ClosedWithin(absl::Seconds(20)));
  EXPECT_LT(absl::Now() - start, absl::Seconds(20));
}

TEST_F(JsonFaceTlsTest, ConnectionOverTheCapIsAnswered503AfterItsHandshake) {
  HttpServerOptions options;
  options.max_connections = 1;
  StartServer(std::nullopt, options);
  absl::StatusOr<std::unique_ptr<TlsClientConnection>> held =
      TlsClientConnection::Connect(port_, TrustingCa());
  ASSERT_THAT(held, IsOk());
  absl::StatusOr<RawHttpResponse> r = Get(TrustingCa());
  ASSERT_THAT(r, IsOk());
  EXPECT_EQ(r->status, 503);
  EXPECT_THAT(r->body, HasSubstr("limit of 1 open connections"));
}

// ---------------------------------------------------------------------------
// Client certificates (ca_file set)

class JsonFaceClientCertificateTest : public JsonFaceTlsTest {
 protected:
  JsonFaceClientCertificateTest() : client_ca_(dir_.path(), "client-ca") {}

  void SetUp() override {
    StartServer(FilesOf(served_, client_ca_.certificate_file()));
  }

  TestCertificateAuthority client_ca_;
};

TEST_F(JsonFaceClientCertificateTest, ClientWithoutCertificateIsRefused) {
  absl::StatusOr<RawHttpResponse> r = Get(TrustingCa());
  EXPECT_THAT(r, StatusIs(absl::StatusCode::kUnavailable,
                          HasSubstr("alert certificate required")));
}

TEST_F(JsonFaceClientCertificateTest,
       ClientWithCertificateFromAnotherCaIsRefused) {
  TlsClientOptions options = TrustingCa();
  const PemPair stranger = TestCertificateAuthority(dir_.path(), "stranger")
                               .Issue("stranger-client", "someone", 7);
  options.certificate_file = stranger.certificate_file;
  options.private_key_file = stranger.private_key_file;
  absl::StatusOr<RawHttpResponse> r = Get(options);
  EXPECT_THAT(r, StatusIs(absl::StatusCode::kUnavailable,
                          HasSubstr("alert unknown ca")));
}

TEST_F(JsonFaceClientCertificateTest, ClientWithCaSignedCertificateIsServed) {
  TlsClientOptions options = TrustingCa();
  const PemPair client = client_ca_.Issue("client", "partner-app", 42);
  options.certificate_file = client.certificate_file;
  options.private_key_file = client.private_key_file;
  absl::StatusOr<RawHttpResponse> r = Get(options);
  ASSERT_THAT(r, IsOk());
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "hello");
}

// ---------------------------------------------------------------------------
// Reload

TEST_F(JsonFaceTlsTest, CertificateSwappedOnDiskIsServedWithinSeconds) {
  StartServer();
  // A connection opened (and kept alive: idle_timeout, 60 s, outlasts the
  // wait below) before the swap.
  absl::StatusOr<std::unique_ptr<TlsClientConnection>> before =
      TlsClientConnection::Connect(port_, TrustingCa());
  ASSERT_THAT(before, IsOk());
  ASSERT_EQ((*before)->PeerSerial(), kFirstSerial);
  ASSERT_THAT((*before)->Exchange(kGet), IsOk());

  InstallPair(ca_.Issue("renewed", "json-face", 1002), served_);
  EXPECT_TRUE(ServedWithin(1002));

  // The connection opened before carries on, with its certificate.
  absl::StatusOr<RawHttpResponse> r = (*before)->Exchange(kGet);
  ASSERT_THAT(r, IsOk());
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ((*before)->PeerSerial(), kFirstSerial);
}

TEST_F(JsonFaceTlsTest, BadReplacementKeepsServingTheCurrentCertificate) {
  StartServer();
  // Not a certificate.
  ReplaceFile(served_.certificate_file, "not a certificate\n", 0644);
  absl::SleepFor(kSeveralLooks);
  EXPECT_EQ(ServedSerial(), kFirstSerial);
  // A certificate whose key is not the one on disk.
  ReplaceFile(
      served_.certificate_file,
      ReadFile(ca_.Issue("unmatched", "json-face", 1003).certificate_file),
      0644);
  absl::SleepFor(kSeveralLooks);
  EXPECT_EQ(ServedSerial(), kFirstSerial);
  // Then a good pair is still taken.
  InstallPair(ca_.Issue("renewed", "json-face", 1004), served_);
  EXPECT_TRUE(ServedWithin(1004));
}

// The identity's own decisions, one look at a time (no server, no timing).
TEST_F(JsonFaceTlsTest, IdentityTakesAChangeOnceStableAndNeverABadOne) {
  absl::StatusOr<std::shared_ptr<TlsServerIdentity>> identity =
      TlsServerIdentity::Load(FilesOf(served_), "public_transport.tls");
  ASSERT_THAT(identity, IsOk());
  TlsServerIdentity& tls = **identity;
  EXPECT_FALSE(tls.Refresh());  // nothing changed

  // A key that does not match the certificate on disk.
  ReplaceFile(served_.private_key_file,
              ReadFile(ca_.Issue("other", "json-face", 2001).private_key_file),
              0600);
  EXPECT_FALSE(tls.Refresh());  // changed: waits one look
  EXPECT_FALSE(tls.Refresh());  // stable but bad
  EXPECT_FALSE(tls.Refresh());  // reported once, still bad
  EXPECT_EQ(CurrentSerial(tls), kFirstSerial);

  // A key readable by others, with its certificate.
  const PemPair shared = ca_.Issue("shared", "json-face", 2002);
  InstallPair(shared, served_);
  ASSERT_EQ(chmod(served_.private_key_file.c_str(), 0644), 0);
  EXPECT_FALSE(tls.Refresh());
  EXPECT_FALSE(tls.Refresh());
  EXPECT_EQ(CurrentSerial(tls), kFirstSerial);

  // Fixed: taken on the look after the change was seen.
  ASSERT_EQ(chmod(served_.private_key_file.c_str(), 0600), 0);
  EXPECT_FALSE(tls.Refresh());
  EXPECT_TRUE(tls.Refresh());
  EXPECT_EQ(CurrentSerial(tls), 2002);
  EXPECT_FALSE(tls.Refresh());
}

// ---------------------------------------------------------------------------
// Loading

TEST_F(JsonFaceTlsTest, KeyReadableByOthersIsRefused) {
  for (mode_t mode : {0644, 0640, 0604}) {
    ASSERT_EQ(chmod(served_.private_key_file.c_str(), mode), 0);
    absl::StatusOr<std::shared_ptr<TlsServerIdentity>> identity =
        TlsServerIdentity::Load(FilesOf(served_), "public_transport.tls");
    EXPECT_THAT(identity, StatusIs(absl::StatusCode::kInvalidArgument,
                                   HasSubstr("owner only")))
        << std::oct << mode;
    if (!identity.ok()) {
      const std::vector<errors::FieldViolation> violations =
          errors::FieldViolationsOf(identity.status());
      ASSERT_EQ(violations.size(), 1u);
      EXPECT_EQ(violations[0].field, "public_transport.tls.private_key_file");
    }
  }
  for (mode_t mode : {0600, 0400}) {
    ASSERT_EQ(chmod(served_.private_key_file.c_str(), mode), 0);
    EXPECT_THAT(
        TlsServerIdentity::Load(FilesOf(served_), "public_transport.tls"),
        IsOk())
        << std::oct << mode;
  }
}

TEST_F(JsonFaceTlsTest, UnusableFilesAreRefusedNamingTheField) {
  struct Case {
    std::string name;
    TlsFiles files;
    std::string field;
    std::string says;
  };
  const PemPair other = ca_.Issue("other", "json-face", 3001);
  std::vector<Case> cases;
  {
    TlsFiles f = FilesOf(served_);
    f.set_certificate_file(dir_.path() + "/missing.pem");
    cases.push_back({"missing certificate", f,
                     "public_transport.tls.certificate_file", "missing.pem"});
  }
  {
    TlsFiles f = FilesOf(served_);
    f.set_private_key_file(other.private_key_file);
    cases.push_back({"key of another certificate", f,
                     "public_transport.tls.private_key_file",
                     "is not the key of the certificate"});
  }
  {
    TlsFiles f = FilesOf(served_);
    f.clear_private_key_file();
    cases.push_back(
        {"no key", f, "public_transport.tls.private_key_file", "is required"});
  }
  {
    TlsFiles f = FilesOf(served_, served_.private_key_file);
    cases.push_back({"a key as the CA file", f, "public_transport.tls.ca_file",
                     "PEM CA certificates"});
  }
  for (const Case& c : cases) {
    absl::StatusOr<std::shared_ptr<TlsServerIdentity>> identity =
        TlsServerIdentity::Load(c.files, "public_transport.tls");
    ASSERT_THAT(identity, StatusIs(absl::StatusCode::kInvalidArgument))
        << c.name;
    const std::vector<errors::FieldViolation> violations =
        errors::FieldViolationsOf(identity.status());
    ASSERT_EQ(violations.size(), 1u) << c.name << ": " << identity.status();
    EXPECT_EQ(violations[0].field, c.field) << c.name;
    EXPECT_THAT(violations[0].description, HasSubstr(c.says)) << c.name;
    // Never the key's bytes.
    EXPECT_THAT(std::string(identity.status().message()),
                Not(HasSubstr("PRIVATE KEY-----")))
        << c.name;
  }
}

// ---------------------------------------------------------------------------
// Through the gateway: GatewayConfig.public_transport

class GatewayJsonFaceTlsTest : public JsonFaceTlsTest {
 protected:
  static constexpr char kApiKey[] = "hw_json_face_tls_test_key_0123456789";

  void SetUp() override {
    homeward::internal::v1::ServiceConfig service =
        homeward::testing::LoopbackServiceConfig(dir_.path() + "/replica");
    auto replica = assessment::AssessmentServer::Start(
        homeward::testing::WithShippedProgrammeData(service),
        homeward::testing::kTestSecret);
    ASSERT_THAT(replica, IsOk());
    replica_ = *std::move(replica);
  }

  void TearDown() override {
    gateway_.reset();
    if (replica_ != nullptr) replica_->Shutdown(absl::Seconds(1));
  }

  GatewayServer::Options GatewayOptions() {
    GatewayServer::Options options;
    options.config.set_http_listen_address("127.0.0.1:0");
    homeward::testing::RouteShares(options.config, 64, {replica_->port()});
    *options.config.mutable_public_transport()->mutable_tls() =
        FilesOf(served_);
    options.principal_secret = homeward::testing::kTestSecret;
    *options.api_keys.add_keys() = MakeApiKey(
        "tls-test", kApiKey,
        homeward::testing::MakePrincipal(
            "cm-1", homeward::v1::ROLE_CASE_MANAGER, {"office-dakar"}));
    return options;
  }

  std::unique_ptr<assessment::AssessmentServer> replica_;
  std::unique_ptr<GatewayServer> gateway_;
};

TEST_F(GatewayJsonFaceTlsTest, PublicTransportTlsServesCallsOverHttps) {
  auto gateway = GatewayServer::Start(GatewayOptions());
  ASSERT_THAT(gateway, IsOk());
  gateway_ = *std::move(gateway);
  port_ = gateway_->http_port();

  absl::StatusOr<std::unique_ptr<TlsClientConnection>> c =
      TlsClientConnection::Connect(port_, TrustingCa());
  ASSERT_THAT(c, IsOk());
  EXPECT_EQ((*c)->PeerSerial(), kFirstSerial);
  const std::string body = R"({"page":{"pageSize":5}})";
  absl::StatusOr<RawHttpResponse> r = (*c)->Exchange(absl::StrCat(
      "POST /homeward.v1.CaseService/ListCases HTTP/1.1\r\nHost: gateway\r\n"
      "Authorization: Bearer ",
      kApiKey, "\r\nContent-Type: application/json\r\nContent-Length: ",
      body.size(), "\r\n\r\n", body));
  ASSERT_THAT(r, IsOk());
  EXPECT_EQ(r->status, 200) << r->body;

  // Plain HTTP on the same port gets no answer.
  std::unique_ptr<RawHttpConnection> plain = RawHttpConnection::Connect(port_);
  ASSERT_NE(plain, nullptr);
  ASSERT_TRUE(plain->Send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"));
  EXPECT_FALSE(plain->ReadResponse(absl::Seconds(10)).has_value());
}

TEST_F(GatewayJsonFaceTlsTest, UnusableKeyFileStopsTheStartNamingTheField) {
  ASSERT_EQ(chmod(served_.private_key_file.c_str(), 0644), 0);
  auto gateway = GatewayServer::Start(GatewayOptions());
  ASSERT_THAT(gateway, StatusIs(absl::StatusCode::kInvalidArgument,
                                HasSubstr("public_transport.tls.private_key_"
                                          "file")));
}

TEST_F(GatewayJsonFaceTlsTest, UnsetPublicTransportServesPlainHttp) {
  GatewayServer::Options options = GatewayOptions();
  options.config.clear_public_transport();
  auto gateway = GatewayServer::Start(std::move(options));
  ASSERT_THAT(gateway, IsOk());
  gateway_ = *std::move(gateway);
  std::unique_ptr<RawHttpConnection> plain =
      RawHttpConnection::Connect(gateway_->http_port());
  ASSERT_NE(plain, nullptr);
  ASSERT_TRUE(plain->Send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"));
  std::optional<RawHttpResponse> r = plain->ReadResponse(absl::Seconds(10));
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 200);
}

}  // namespace
}  // namespace homeward::gateway
