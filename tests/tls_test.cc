// TLS on the gRPC listeners and internal dials (issue 16 point 1,
// docs/TLS.md): a service's internal listener is mutual TLS and refuses
// plaintext clients, clients trusting another CA, clients without a
// certificate or with one from another CA; dials verify the server's name; a
// certificate swapped on disk is served without a restart; the gateway
// reaches a service and a feed follower its producer over mutual TLS; the
// gateway's public gRPC face is TLS; bad TLS files stop the start naming the
// field; the binaries refuse a config file that leaves the transport unset.
#include <sys/stat.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "common/feeds/feed_follower.h"
#include "common/routing/route_table.h"
#include "common/server/config_file.h"
#include "common/server/server_kit.h"
#include "common/server/transport.h"
#include "common/service/service_host.h"
#include "common/status/errors.h"
#include "common/status/status_matchers.h"
#include "common/storage/partitions.h"
#include "common/storage/store.h"
#include "gmock/gmock.h"
#include "grpc/grpc_security_constants.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "gtest/gtest.h"
#include "homeward/v1/cases.grpc.pb.h"
#include "services/all_in_one/embedded_suite.h"
#include "services/assessment/assessment_server.h"
#include "services/gateway/api_keys.h"
#include "services/gateway/gateway_server.h"
#include "tests/fixtures/assessment_server.h"
#include "tests/fixtures/case_fixtures.h"
#include "tests/fixtures/dev_certs.h"
#include "tests/fixtures/recording_projection.h"
#include "tests/fixtures/temp_dir.h"

namespace homeward {
namespace {

using ::homeward::internal::v1::ServiceConfig;
using ::homeward::internal::v1::Transport;
using ::homeward::testing::DevCertificates;
using ::homeward::testing::StatusIs;
using ::homeward::testing::TempDir;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

#define TLS_TEST_CONCAT_(a, b) a##b
#define TLS_TEST_CONCAT(a, b) TLS_TEST_CONCAT_(a, b)
#define ASSERT_OK_AND_ASSIGN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                              \
  ASSERT_OK(tmp);                                 \
  lhs = *std::move(tmp)
// Asserts that `expr` (a StatusOr) is OK and assigns its value to `lhs`.
#define ASSERT_OK_AND_ASSIGN(lhs, expr) \
  ASSERT_OK_AND_ASSIGN_IMPL(TLS_TEST_CONCAT(status_or_, __LINE__), lhs, expr)

constexpr char kKey[] = "hw_tls_test_key_0123456789abcdef0123";

// A channel of its own (no subchannel shared with earlier channels of the
// test), so that each one makes a new TLS handshake.
std::shared_ptr<grpc::Channel> FreshChannel(
    const std::string& address,
    const std::shared_ptr<grpc::ChannelCredentials>& credentials) {
  grpc::ChannelArguments args;
  args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  return grpc::CreateCustomChannel(address, credentials, args);
}

// One health check on `channel`; `peer_pem`, when given, receives the
// certificate the server presented.
grpc::Status CheckHealth(const std::shared_ptr<grpc::Channel>& channel,
                         std::string* peer_pem = nullptr) {
  auto stub = grpc::health::v1::Health::NewStub(channel);
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() +
                       std::chrono::seconds(10));
  grpc::health::v1::HealthCheckRequest request;
  grpc::health::v1::HealthCheckResponse response;
  grpc::Status status = stub->Check(&context, request, &response);
  if (peer_pem != nullptr) {
    peer_pem->clear();
    if (auto auth = context.auth_context(); auth != nullptr) {
      for (const auto& value :
           auth->FindPropertyValues(GRPC_X509_PEM_CERT_PROPERTY_NAME)) {
        peer_pem->assign(value.data(), value.size());
      }
    }
  }
  return status;
}

// A hosted service with no handlers of its own (health and the event feed
// only) on a loopback port, its internal hops secured as `transport` says.
absl::StatusOr<std::unique_ptr<service::ServiceHost>> StartProbe(
    const TempDir& dir, const std::string& name, const Transport& transport) {
  ServiceConfig config =
      testing::LoopbackServiceConfig(absl::StrCat(dir.path(), "/", name));
  *config.mutable_internal_transport() = transport;
  return service::ServiceHost::Start(
      {name, [](service::ServiceParts&) { return absl::OkStatus(); }}, config,
      testing::kTestSecret);
}

class TlsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_OK(certs_.Make({"assessment", "gateway", "planning", "client"}));
    ASSERT_OK(other_ca_.Make({"gateway"}));
  }

  std::shared_ptr<grpc::ChannelCredentials> DialAs(const std::string& name) {
    auto credentials =
        server::DialCredentials(certs_.MutualTls(name), "internal_transport");
    EXPECT_OK(credentials);
    return credentials.ok() ? *credentials : nullptr;
  }

  TempDir dir_;
  DevCertificates certs_{dir_.path() + "/pki"};
  DevCertificates other_ca_{dir_.path() + "/other-pki"};
};

TEST_F(TlsTest, InternalListenerServesAComponentOfItsCa) {
  ASSERT_OK_AND_ASSIGN(auto host, StartProbe(dir_, "assessment",
                                             certs_.MutualTls("assessment")));
  const std::string address = absl::StrCat("127.0.0.1:", host->port());
  std::string served;
  EXPECT_OK(
      CheckHealth(server::DialInternal(address, DialAs("gateway")), &served));
  EXPECT_EQ(served,
            DevCertificates::Read(certs_.CertificateFile("assessment")));
}

TEST_F(TlsTest, InternalListenerRefusesPlaintext) {
  ASSERT_OK_AND_ASSIGN(auto host, StartProbe(dir_, "assessment",
                                             certs_.MutualTls("assessment")));
  const std::string address = absl::StrCat("127.0.0.1:", host->port());
  EXPECT_EQ(
      CheckHealth(FreshChannel(address, grpc::InsecureChannelCredentials()))
          .error_code(),
      grpc::StatusCode::UNAVAILABLE);
  // And DialInternal without credentials is plaintext: refused as well.
  EXPECT_EQ(CheckHealth(server::DialInternal(address, nullptr)).error_code(),
            grpc::StatusCode::UNAVAILABLE);
}

TEST_F(TlsTest, InternalListenerRefusesAClientTrustingAnotherCa) {
  ASSERT_OK_AND_ASSIGN(auto host, StartProbe(dir_, "assessment",
                                             certs_.MutualTls("assessment")));
  const std::string address = absl::StrCat("127.0.0.1:", host->port());
  // The client's own certificate is fine, but it cannot verify the server.
  grpc::SslCredentialsOptions options = certs_.SslOptions("gateway");
  options.pem_root_certs = DevCertificates::Read(other_ca_.CaFile());
  EXPECT_EQ(CheckHealth(FreshChannel(address, grpc::SslCredentials(options)))
                .error_code(),
            grpc::StatusCode::UNAVAILABLE);
}

TEST_F(TlsTest, InternalListenerRefusesAClientWithoutCertificate) {
  ASSERT_OK_AND_ASSIGN(auto host, StartProbe(dir_, "assessment",
                                             certs_.MutualTls("assessment")));
  const std::string address = absl::StrCat("127.0.0.1:", host->port());
  // Trusts the server's CA, presents nothing.
  EXPECT_EQ(CheckHealth(FreshChannel(address,
                                     grpc::SslCredentials(certs_.SslOptions())))
                .error_code(),
            grpc::StatusCode::UNAVAILABLE);
  // The same client with a certificate of the deployment's CA is served,
  // so the refusal above is the missing certificate's.
  EXPECT_OK(CheckHealth(FreshChannel(
      address, grpc::SslCredentials(certs_.SslOptions("client")))));
}

TEST_F(TlsTest, InternalListenerRefusesACertificateOfAnotherCa) {
  ASSERT_OK_AND_ASSIGN(auto host, StartProbe(dir_, "assessment",
                                             certs_.MutualTls("assessment")));
  const std::string address = absl::StrCat("127.0.0.1:", host->port());
  // Trusts the right CA, but presents a certificate another CA signed.
  grpc::SslCredentialsOptions options = certs_.SslOptions();
  options.pem_cert_chain =
      DevCertificates::Read(other_ca_.CertificateFile("gateway"));
  options.pem_private_key = DevCertificates::Read(other_ca_.KeyFile("gateway"));
  EXPECT_EQ(CheckHealth(FreshChannel(address, grpc::SslCredentials(options)))
                .error_code(),
            grpc::StatusCode::UNAVAILABLE);
  // The internal dial of a component of the other CA: refused too.
  auto other = server::DialCredentials(other_ca_.MutualTls("gateway"),
                                       "internal_transport");
  ASSERT_OK(other);
  EXPECT_EQ(CheckHealth(server::DialInternal(address, *other)).error_code(),
            grpc::StatusCode::UNAVAILABLE);
}

TEST_F(TlsTest, DialRefusesAServerCertificateNamingAnotherHost) {
  DevCertificates elsewhere(dir_.path() + "/pki");  // the same CA
  ASSERT_OK(elsewhere.Make({"elsewhere"}, "DNS:elsewhere.example"));
  ASSERT_OK_AND_ASSIGN(
      auto host, StartProbe(dir_, "assessment", certs_.MutualTls("elsewhere")));
  // The chain is the deployment's, but the certificate does not name
  // 127.0.0.1: a dial to that address refuses it.
  EXPECT_EQ(
      CheckHealth(server::DialInternal(absl::StrCat("127.0.0.1:", host->port()),
                                       DialAs("gateway")))
          .error_code(),
      grpc::StatusCode::UNAVAILABLE);
}

TEST_F(TlsTest, CertificateSwappedOnDiskIsServedWithoutRestart) {
  // The server's files are copies that the test replaces.
  const std::string live = dir_.path() + "/live";
  std::filesystem::create_directories(live);
  namespace fs = std::filesystem;
  fs::copy_file(certs_.CertificateFile("assessment"), live + "/server.crt");
  fs::copy_file(certs_.KeyFile("assessment"), live + "/server.key");
  Transport transport = certs_.MutualTls("assessment");
  transport.mutable_tls()->set_certificate_file(live + "/server.crt");
  transport.mutable_tls()->set_private_key_file(live + "/server.key");
  ASSERT_OK_AND_ASSIGN(auto host, StartProbe(dir_, "assessment", transport));
  const std::string address = absl::StrCat("127.0.0.1:", host->port());
  auto dial = DialAs("gateway");
  std::string served;
  ASSERT_OK(CheckHealth(FreshChannel(address, dial), &served));
  const std::string before = DevCertificates::Read(live + "/server.crt");
  ASSERT_EQ(served, before);

  // A renewed certificate of the same CA (a new key and serial), moved into
  // place whole, key first, as an operator (or make-dev-certs.sh) does.
  ASSERT_OK(certs_.Make({"assessment-renewed"}));
  fs::copy_file(certs_.KeyFile("assessment-renewed"), live + "/server.key.new");
  fs::copy_file(certs_.CertificateFile("assessment-renewed"),
                live + "/server.crt.new");
  fs::rename(live + "/server.key.new", live + "/server.key");
  fs::rename(live + "/server.crt.new", live + "/server.crt");
  const std::string after = DevCertificates::Read(live + "/server.crt");
  ASSERT_NE(after, before);

  // New connections get the new certificate within seconds (gRPC re-reads
  // the files every kTlsReloadIntervalSeconds); the deadline is generous
  // for a loaded machine.
  const absl::Time deadline = absl::Now() + absl::Seconds(30);
  const absl::Time swapped = absl::Now();
  while (absl::Now() < deadline) {
    grpc::Status status = CheckHealth(FreshChannel(address, dial), &served);
    if (status.ok() && served == after) break;
    absl::SleepFor(absl::Milliseconds(200));
  }
  EXPECT_EQ(served, after);
  std::printf("new certificate served after %s\n",
              absl::FormatDuration(absl::Now() - swapped).c_str());
}

TEST_F(TlsTest, BadTlsFilesStopTheStartNamingTheField) {
  // A key readable by others.
  Transport transport = certs_.MutualTls("assessment");
  ASSERT_EQ(chmod(certs_.KeyFile("assessment").c_str(), 0640), 0);
  EXPECT_THAT(
      StartProbe(dir_, "assessment", transport).status(),
      StatusIs(absl::StatusCode::kInvalidArgument,
               AllOf(HasSubstr("internal_transport.tls.private_key_file"),
                     HasSubstr("readable by group or others"))));
  ASSERT_EQ(chmod(certs_.KeyFile("assessment").c_str(), 0400), 0);
  EXPECT_OK(StartProbe(dir_, "assessment-0400", transport));

  // A missing certificate, another component's key, no CA on an internal
  // hop: each named.
  transport.mutable_tls()->set_certificate_file(dir_.path() + "/missing.crt");
  EXPECT_THAT(StartProbe(dir_, "a1", transport).status(),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("internal_transport.tls.certificate_file")));
  transport = certs_.MutualTls("assessment");
  transport.mutable_tls()->set_private_key_file(certs_.KeyFile("planning"));
  EXPECT_THAT(
      StartProbe(dir_, "a2", transport).status(),
      StatusIs(absl::StatusCode::kInvalidArgument,
               AllOf(HasSubstr("internal_transport.tls.private_key_file"),
                     HasSubstr("not the key"))));
  transport = certs_.MutualTls("assessment");
  transport.mutable_tls()->clear_ca_file();
  EXPECT_THAT(StartProbe(dir_, "a3", transport).status(),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("internal_transport.tls.ca_file")));
  // A certificate file that holds no certificate.
  transport = certs_.MutualTls("assessment");
  transport.mutable_tls()->set_certificate_file(certs_.KeyFile("client"));
  EXPECT_THAT(StartProbe(dir_, "a4", transport).status(),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("holds no PEM certificate")));
  // `plaintext: false` says nothing: refused.
  transport.Clear();
  transport.set_plaintext(false);
  EXPECT_THAT(StartProbe(dir_, "a5", transport).status(),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("internal_transport.plaintext")));
}

// The gateway's public gRPC face with TLS, and its backends reached over
// mutual TLS; a feed follower subscribing to the same replica over mutual
// TLS, and one without a certificate getting nothing.
class TlsDeploymentTest : public TlsTest {
 protected:
  void SetUp() override {
    TlsTest::SetUp();
    ServiceConfig service =
        testing::LoopbackServiceConfig(dir_.path() + "/assessment");
    *service.mutable_internal_transport() = certs_.MutualTls("assessment");
    auto assessment = assessment::AssessmentServer::Start(
        testing::WithShippedProgrammeData(service), testing::kTestSecret);
    ASSERT_OK(assessment);
    assessment_ = *std::move(assessment);
  }

  absl::StatusOr<std::unique_ptr<gateway::GatewayServer>> StartGateway(
      const Transport& public_transport, const Transport& internal) {
    gateway::GatewayServer::Options options;
    options.config.set_grpc_listen_address("127.0.0.1:0");
    options.config.set_partition_count(64);
    auto* route = options.config.add_routes();
    route->set_service("assessment");
    route->add_replicas()->set_address(
        absl::StrCat("127.0.0.1:", assessment_->port()));
    *options.config.mutable_public_transport() = public_transport;
    *options.config.mutable_internal_transport() = internal;
    options.principal_secret = testing::kTestSecret;
    *options.api_keys.add_keys() = gateway::MakeApiKey(
        "cm", kKey,
        testing::MakePrincipal("cm-1", v1::ROLE_CASE_MANAGER,
                               {"office-dakar"}));
    return gateway::GatewayServer::Start(std::move(options));
  }

  grpc::Status Register(const std::shared_ptr<grpc::Channel>& channel,
                        const std::string& request_id) {
    auto stub = v1::CaseService::NewStub(channel);
    grpc::ClientContext context;
    context.AddMetadata("authorization", absl::StrCat("Bearer ", kKey));
    context.set_deadline(std::chrono::system_clock::now() +
                         std::chrono::seconds(10));
    v1::Case response;
    return stub->RegisterCase(&context, testing::ValidRegistration(request_id),
                              &response);
  }

  std::unique_ptr<assessment::AssessmentServer> assessment_;
};

TEST_F(TlsDeploymentTest, GatewayReachesTheServiceOverMutualTls) {
  ASSERT_OK_AND_ASSIGN(auto gateway, StartGateway(certs_.ServerTls("gateway"),
                                                  certs_.MutualTls("gateway")));
  const std::string address = absl::StrCat("127.0.0.1:", gateway->grpc_port());
  // A client trusting the CA, without a certificate (none asked for).
  EXPECT_OK(
      Register(FreshChannel(address, grpc::SslCredentials(certs_.SslOptions())),
               "tls-gw-1"));
  // The public face refuses plaintext.
  EXPECT_EQ(Register(FreshChannel(address, grpc::InsecureChannelCredentials()),
                     "tls-gw-2")
                .error_code(),
            grpc::StatusCode::UNAVAILABLE);
}

TEST_F(TlsDeploymentTest, GatewayWithoutItsCertificateCannotReachTheService) {
  Transport plaintext;
  plaintext.set_plaintext(true);
  ASSERT_OK_AND_ASSIGN(auto gateway,
                       StartGateway(certs_.ServerTls("gateway"), plaintext));
  const std::string address = absl::StrCat("127.0.0.1:", gateway->grpc_port());
  EXPECT_EQ(
      Register(FreshChannel(address, grpc::SslCredentials(certs_.SslOptions())),
               "tls-gw-3")
          .error_code(),
      grpc::StatusCode::UNAVAILABLE);
}

TEST_F(TlsDeploymentTest, PublicFaceWithCaFileRequiresClientCertificates) {
  ASSERT_OK_AND_ASSIGN(auto gateway, StartGateway(certs_.MutualTls("gateway"),
                                                  certs_.MutualTls("gateway")));
  const std::string address = absl::StrCat("127.0.0.1:", gateway->grpc_port());
  EXPECT_EQ(
      Register(FreshChannel(address, grpc::SslCredentials(certs_.SslOptions())),
               "tls-gw-4")
          .error_code(),
      grpc::StatusCode::UNAVAILABLE);
  EXPECT_OK(Register(
      FreshChannel(address, grpc::SslCredentials(certs_.SslOptions("client"))),
      "tls-gw-5"));
}

TEST_F(TlsDeploymentTest, PublicFaceBadFilesStopTheStart) {
  Transport bad = certs_.ServerTls("gateway");
  bad.mutable_tls()->set_private_key_file(dir_.path() + "/missing.key");
  EXPECT_THAT(StartGateway(bad, certs_.MutualTls("gateway")).status(),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("public_transport.tls.private_key_file")));
  Transport no_ca = certs_.ServerTls("gateway");
  EXPECT_THAT(StartGateway(certs_.ServerTls("gateway"), no_ca).status(),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("internal_transport.tls.ca_file")));
}

// Follows the assessment replica's feed with `credentials` and counts the
// events applied.
struct CountingFollower {
  CountingFollower(const std::string& path, int port,
                   std::shared_ptr<grpc::ChannelCredentials> credentials) {
    auto opened = storage::Store::Open({.path = path, .partition_count = 64});
    EXPECT_OK(opened);
    store = *std::move(opened);
    google::protobuf::RepeatedPtrField<internal::v1::ServiceRoute> routes;
    testing::AddShareRoute(&routes, "assessment", 64, {port});
    auto table = routing::RouteTable::Create(routes, 64, "assessment");
    EXPECT_OK(table);
    feeds::FeedFollower::Options options;
    options.producer = *std::move(table);
    options.partitions = storage::PartitionSet::All(64);
    options.store = store.get();
    options.consumer = &projection;
    options.principal_secret = testing::kTestSecret;
    options.credentials = std::move(credentials);
    options.backoff = {absl::Milliseconds(50), absl::Milliseconds(500)};
    options.on_applied = [this](const v1::Event&, absl::Time) { ++applied; };
    auto started = feeds::FeedFollower::Start(std::move(options));
    EXPECT_OK(started);
    follower = *std::move(started);
  }
  ~CountingFollower() { follower->Stop(); }

  testing::RecordingProjection projection;
  std::unique_ptr<storage::Store> store;
  std::unique_ptr<feeds::FeedFollower> follower;
  std::atomic<int> applied{0};
};

TEST_F(TlsDeploymentTest, FeedFollowerReachesItsProducerOverMutualTls) {
  ASSERT_OK_AND_ASSIGN(auto gateway, StartGateway(certs_.ServerTls("gateway"),
                                                  certs_.MutualTls("gateway")));
  CountingFollower with_certificate(dir_.path() + "/follower-tls",
                                    assessment_->port(), DialAs("planning"));
  CountingFollower plaintext(dir_.path() + "/follower-plain",
                             assessment_->port(), nullptr);
  ASSERT_OK(
      Register(FreshChannel(absl::StrCat("127.0.0.1:", gateway->grpc_port()),
                            grpc::SslCredentials(certs_.SslOptions())),
               "tls-feed-1"));
  const absl::Time deadline = absl::Now() + absl::Seconds(30);
  while (with_certificate.applied.load() == 0 && absl::Now() < deadline) {
    absl::SleepFor(absl::Milliseconds(100));
  }
  EXPECT_GT(with_certificate.applied.load(), 0);
  // The plaintext follower had as long, and gets nothing.
  EXPECT_EQ(plaintext.applied.load(), 0);
}

TEST_F(TlsTest, AllInOneRefusesPlaintextPublicFacesOffLoopback) {
  all_in_one::EmbeddedOptions options;
  options.data_dir = dir_.path() + "/all-in-one";
  options.grpc_listen = "0.0.0.0:0";
  options.http_listen = "";
  EXPECT_THAT(all_in_one::EmbeddedSuite::Start(options).status(),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("public_transport")));
  // Said explicitly, plaintext is allowed there.
  options.public_transport.set_plaintext(true);
  auto suite = all_in_one::EmbeddedSuite::Start(options);
  EXPECT_OK(suite);
}

TEST_F(TlsTest, AllInOneServesTlsOnItsGrpcFace) {
  all_in_one::EmbeddedOptions options;
  options.data_dir = dir_.path() + "/all-in-one";
  options.grpc_listen = "127.0.0.1:0";
  options.http_listen = "";
  options.public_transport = certs_.ServerTls("gateway");
  ASSERT_OK_AND_ASSIGN(auto suite, all_in_one::EmbeddedSuite::Start(options));
  const std::string address = absl::StrCat("127.0.0.1:", suite->grpc_port());
  std::string served;
  EXPECT_OK(CheckHealth(
      FreshChannel(address, grpc::SslCredentials(certs_.SslOptions())),
      &served));
  EXPECT_EQ(served, DevCertificates::Read(certs_.CertificateFile("gateway")));
  EXPECT_EQ(
      CheckHealth(FreshChannel(address, grpc::InsecureChannelCredentials()))
          .error_code(),
      grpc::StatusCode::UNAVAILABLE);
  EXPECT_THAT(suite->Instructions(), HasSubstr("https://127.0.0.1:"));
  EXPECT_THAT(suite->Instructions(), Not(HasSubstr("http://")));
}

// Runs `command` (stdout and stderr together) and returns its exit status
// and output.
std::pair<int, std::string> RunCommand(const std::string& command) {
  std::string output;
  FILE* pipe = popen((command + " 2>&1").c_str(), "r");
  if (pipe == nullptr) return {-1, ""};
  char buffer[4096];
  size_t n;
  while ((n = fread(buffer, 1, sizeof(buffer), pipe)) > 0) {
    output.append(buffer, n);
  }
  const int status = pclose(pipe);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, output};
}

// TLS 1.1 is refused and 1.2 and 1.3 are served (openssl s_client, told to
// offer old protocols and ciphers, as an old client would).
TEST_F(TlsTest, ListenerSpeaksTls12AndLaterOnly) {
  ASSERT_OK_AND_ASSIGN(auto host, StartProbe(dir_, "assessment",
                                             certs_.MutualTls("assessment")));
  auto handshake = [&](const std::string& version) {
    return RunCommand(
               absl::StrCat(
                   "echo | timeout 20 openssl s_client -connect 127.0.0.1:",
                   host->port(), " -", version,
                   " -cipher DEFAULT@SECLEVEL=0 -CAfile ", certs_.CaFile(),
                   " -cert ", certs_.CertificateFile("client"), " -key ",
                   certs_.KeyFile("client")))
        .second;
  };
  EXPECT_THAT(handshake("tls1_1"), HasSubstr("Cipher is (NONE)"));
  EXPECT_THAT(handshake("tls1_2"), HasSubstr("New, TLSv1.2, Cipher is"));
  EXPECT_THAT(handshake("tls1_3"), HasSubstr("New, TLSv1.3, Cipher is"));
}

TEST(TlsBinaryTest, ServiceBinaryRefusesAConfigWithoutTransport) {
  TempDir dir;
  const std::string secret = dir.path() + "/principal.secret";
  {
    std::FILE* f = std::fopen(secret.c_str(), "w");
    std::fputs("0123456789abcdef0123456789abcdef\n", f);
    std::fclose(f);
    chmod(secret.c_str(), 0600);
  }
  internal::v1::AssessmentConfig config;
  config.mutable_service()->set_data_dir(dir.path() + "/data");
  const std::string path = dir.path() + "/assessment.textproto";
  ASSERT_OK(server::WriteTextProtoFile(path, config, 0600));
  const std::string command =
      absl::StrCat(HOMEWARD_ASSESSMENT_BIN, " --config=", path,
                   " --listen=127.0.0.1:0 --principal_secret_file=", secret);
  auto [code, output] = RunCommand(command);
  EXPECT_NE(code, 0);
  EXPECT_THAT(output, HasSubstr("service.internal_transport"));
  EXPECT_FALSE(std::filesystem::exists(dir.path() + "/data"));
}

TEST(TlsBinaryTest, GatewayBinaryRefusesAConfigWithoutTransport) {
  TempDir dir;
  internal::v1::GatewayConfig config;
  config.set_grpc_listen_address("127.0.0.1:0");
  config.set_api_keys_file(dir.path() + "/keys.textproto");
  config.set_principal_secret_file(dir.path() + "/principal.secret");
  config.mutable_internal_transport()->set_plaintext(true);
  const std::string path = dir.path() + "/gateway.textproto";
  ASSERT_OK(server::WriteTextProtoFile(path, config, 0600));
  auto [code, output] =
      RunCommand(absl::StrCat(HOMEWARD_GATEWAY_BIN, " --config=", path));
  EXPECT_EQ(code, 2);
  EXPECT_THAT(output, HasSubstr("public_transport"));
  EXPECT_THAT(output, Not(HasSubstr("internal_transport")));
}

TEST(TransportTest, LoopbackAddresses) {
  EXPECT_TRUE(server::IsLoopbackAddress("127.0.0.1:7000"));
  EXPECT_TRUE(server::IsLoopbackAddress("127.0.0.2:0"));
  EXPECT_TRUE(server::IsLoopbackAddress("localhost:7080"));
  EXPECT_TRUE(server::IsLoopbackAddress("[::1]:7000"));
  EXPECT_FALSE(server::IsLoopbackAddress("0.0.0.0:7000"));
  EXPECT_FALSE(server::IsLoopbackAddress("[::]:7000"));
  EXPECT_FALSE(server::IsLoopbackAddress("10.0.0.7:7000"));
  EXPECT_FALSE(server::IsLoopbackAddress("127.evil.example:7000"));
}

}  // namespace
}  // namespace homeward
