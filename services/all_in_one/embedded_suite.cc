// The all-in-one process; see embedded_suite.h.
#include "services/all_in_one/embedded_suite.h"

#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/auth/principal_token.h"
#include "common/server/config_file.h"
#include "common/status/status_macros.h"
#include "services/gateway/api_keys.h"

namespace homeward::all_in_one {
namespace {

constexpr char kAssessmentAddress[] = "in-process:assessment";

// The development key is kept in the data directory (mode 0600) so that
// every start can print it again; a production deployment provisions
// api_keys.textproto itself and keeps no plain key.
absl::StatusOr<std::string> EnsureDevApiKey(const std::string& data_dir) {
  std::string key_path = data_dir + "/dev-api-key";
  std::string keys_path = data_dir + "/api_keys.textproto";
  std::ifstream existing(key_path);
  if (existing && std::filesystem::exists(keys_path)) {
    std::stringstream buf;
    buf << existing.rdbuf();
    return std::string(absl::StripAsciiWhitespace(buf.str()));
  }
  std::string key = gateway::GenerateApiKeySecret();
  homeward::v1::Principal principal;
  principal.set_user_id("dev-supervisor");
  principal.set_role(homeward::v1::ROLE_SUPERVISOR);
  principal.add_office_ids(kDemoOffice);
  homeward::v1::ApiKeyFile file;
  *file.add_keys() = gateway::MakeApiKey("dev", key, principal);
  RETURN_IF_ERROR(server::WriteTextProtoFile(keys_path, file, 0600));
  mode_t old = umask(077);
  std::ofstream(key_path) << key << "\n";
  umask(old);
  return key;
}

}  // namespace

absl::StatusOr<std::unique_ptr<EmbeddedSuite>> EmbeddedSuite::Start(
    const EmbeddedOptions& options) {
  std::error_code error;
  std::filesystem::create_directories(options.data_dir + "/assessment", error);
  if (error) {
    return absl::FailedPreconditionError(
        absl::StrCat("cannot create data directory '", options.data_dir,
                     "': ", error.message()));
  }
  std::filesystem::permissions(options.data_dir,
                               std::filesystem::perms::owner_all,
                               std::filesystem::perm_options::replace, error);
  std::string secret_path = options.data_dir + "/principal.secret";
  RETURN_IF_ERROR(auth::EnsureSecretFile(secret_path));
  ASSIGN_OR_RETURN(std::string secret, auth::ReadSecretFile(secret_path));

  std::unique_ptr<EmbeddedSuite> suite(new EmbeddedSuite);
  ASSIGN_OR_RETURN(suite->dev_api_key_, EnsureDevApiKey(options.data_dir));
  ASSIGN_OR_RETURN(homeward::v1::ApiKeyFile keys,
                   server::LoadTextProtoFile<homeward::v1::ApiKeyFile>(
                       options.data_dir + "/api_keys.textproto"));

  homeward::v1::ServiceConfig service;
  service.set_data_dir(options.data_dir + "/assessment");
  service.set_partition_count(options.partition_count);
  service.set_instruments_dir(options.instruments_dir);
  ASSIGN_OR_RETURN(suite->assessment_,
                   assessment::AssessmentServer::Start(service, secret));

  gateway::GatewayServer::Options gw;
  gw.config.set_grpc_listen_address(options.grpc_listen);
  gw.config.set_http_listen_address(options.http_listen);
  gw.config.set_partition_count(options.partition_count);
  auto* route = gw.config.add_routes();
  route->set_service("assessment");
  route->add_replicas()->set_address(kAssessmentAddress);
  gw.principal_secret = secret;
  gw.api_keys = std::move(keys);
  gw.channel_overrides[kAssessmentAddress] =
      suite->assessment_->InProcessChannel();
  ASSIGN_OR_RETURN(suite->gateway_,
                   gateway::GatewayServer::Start(std::move(gw)));
  return suite;
}

EmbeddedSuite::~EmbeddedSuite() { Shutdown(absl::Seconds(5)); }

void EmbeddedSuite::Shutdown(absl::Duration grace) {
  if (gateway_ != nullptr) gateway_->Shutdown(grace);
  if (assessment_ != nullptr) assessment_->Shutdown(grace);
}

std::string EmbeddedSuite::Instructions() const {
  std::string base = absl::StrCat("http://127.0.0.1:", http_port(),
                                  "/homeward.v1.CaseService");
  return absl::StrFormat(
      R"(Homeward is running (all-in-one).
  JSON/HTTP : http://127.0.0.1:%d   gRPC : 127.0.0.1:%d
  Development API key (a supervisor of %s): %s

Register a case:
  curl -s -X POST %s/RegisterCase \
    -H 'Content-Type: application/json' -H 'Authorization: Bearer %s' \
    -d '{"requestId":"demo-1","case":{"returnee":{"givenName":"Awa","familyName":"Ndiaye","sex":"SEX_FEMALE","dateOfBirth":{"year":1990,"month":5,"day":17},"nationality":"SN","languages":["wo","fr"]},"returnInfo":{"country":"SN","region":"Dakar","locality":"Pikine","returnDate":{"year":2025,"month":10,"day":1},"returnType":"RETURN_TYPE_ASSISTED_VOLUNTARY"},"officeId":"%s","caseManagerId":"cm-demo"}}'

Fetch it (the case id is in the reply above):
  curl -s -X POST %s/GetCase \
    -H 'Content-Type: application/json' -H 'Authorization: Bearer %s' \
    -d '{"caseId":"<caseId from the reply>"}'

List the office's cases:
  curl -s -X POST %s/ListCases \
    -H 'Content-Type: application/json' -H 'Authorization: Bearer %s' -d '{}'

Stop with Ctrl-C (SIGINT) or SIGTERM.
)",
      http_port(), grpc_port(), kDemoOffice, dev_api_key_, base, dev_api_key_,
      kDemoOffice, base, dev_api_key_, base, dev_api_key_);
}

}  // namespace homeward::all_in_one
