// The embedded deployment and the scenarios of homeward-bench; see
// scenarios.h.
#include "tools/bench/scenarios.h"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <functional>
#include <system_error>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/auth/crypto.h"
#include "common/auth/principal_token.h"
#include "common/routing/route_table.h"
#include "common/status/status_macros.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "grpcpp/client_context.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "homeward/internal/v1/config.pb.h"
#include "homeward/v1/cases.grpc.pb.h"
#include "services/gateway/api_keys.h"
#include "services/gateway/method_table.h"
#include "tests/fixtures/case_fixtures.h"
#include "tools/bench/http_client.h"

namespace homeward::bench {
namespace {

using grpc::health::v1::Health;
using grpc::health::v1::HealthCheckRequest;
using grpc::health::v1::HealthCheckResponse;
using homeward::v1::Case;
using homeward::v1::CaseService;
using homeward::v1::GetCaseRequest;
using homeward::v1::RegisterCaseRequest;

using Done = std::function<void(const grpc::Status&)>;
// Puts the caller's credentials on a fresh context: the signed principal on
// direct calls (as the gateway would), the API key at the gateway.
using Authorize = std::function<void(grpc::ClientContext*)>;

// Every call gets a deadline so that a wedged server ends the run with
// errors instead of hanging it; well under the driver's drain timeout.
constexpr auto kCallDeadline = std::chrono::seconds(30);
constexpr auto kConnectDeadline = std::chrono::seconds(10);

std::unique_ptr<grpc::ClientContext> NewContext() {
  auto context = std::make_unique<grpc::ClientContext>();
  context->set_deadline(std::chrono::system_clock::now() + kCallDeadline);
  return context;
}

// Dials `count` channels to `target` and waits until each is connected, so
// that connection setup is not part of any measurement. Each channel gets a
// private subchannel pool: otherwise gRPC shares one subchannel (one TCP
// connection) among channels with equal arguments, which would defeat the
// point of having several.
absl::StatusOr<std::vector<std::shared_ptr<grpc::Channel>>> ConnectChannels(
    const std::string& target, int count) {
  std::vector<std::shared_ptr<grpc::Channel>> channels;
  for (int i = 0; i < count; ++i) {
    grpc::ChannelArguments args;
    args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
    args.SetInt("homeward.bench.channel_index", i);
    auto channel = grpc::CreateCustomChannel(
        target, grpc::InsecureChannelCredentials(), args);
    if (!channel->WaitForConnected(std::chrono::system_clock::now() +
                                   kConnectDeadline)) {
      return absl::UnavailableError(
          absl::StrCat("cannot connect to ", target, " (channel ", i, ")"));
    }
    channels.push_back(std::move(channel));
  }
  return channels;
}

int ChannelCount(const ScenarioSettings& settings) {
  const int per_channel = std::max(1, settings.calls_per_channel);
  return std::max(1,
                  (settings.load.concurrency + per_channel - 1) / per_channel);
}

Authorize SignedPrincipal(const Deployment& deployment) {
  auto signer = std::make_shared<auth::PrincipalSigner>(deployment.secret());
  return [signer,
          principal = deployment.principal()](grpc::ClientContext* context) {
    signer->Attach(principal, context);
  };
}

Authorize BearerKey(const Deployment& deployment) {
  return [header = absl::StrCat("Bearer ", deployment.api_key())](
             grpc::ClientContext* context) {
    context->AddMetadata(gateway::kAuthorizationHeader, header);
  };
}

// grpc.health.v1.Health/Check for the whole server: the cheapest call the
// service answers, i.e. the cost of one RPC hop.
class HealthSlot : public CallSlot {
 public:
  explicit HealthSlot(Health::Stub* stub) : stub_(stub) {}

  void Issue(uint64_t sequence, Done done) override {
    context_ = NewContext();
    response_.Clear();
    stub_->async()->Check(
        context_.get(), &request_, &response_,
        [this, done = std::move(done)](grpc::Status status) {
          if (status.ok() &&
              response_.status() != HealthCheckResponse::SERVING) {
            status = grpc::Status(grpc::StatusCode::UNAVAILABLE,
                                  "health check answered not serving");
          }
          done(status);
        });
  }

 private:
  Health::Stub* const stub_;
  std::unique_ptr<grpc::ClientContext> context_;
  HealthCheckRequest request_;
  HealthCheckResponse response_;
};

// GetCase of the preloaded cases, round-robin by call sequence.
class GetSlot : public CallSlot {
 public:
  GetSlot(CaseService::Stub* stub, const Authorize* authorize,
          const std::vector<std::string>* case_ids)
      : stub_(stub), authorize_(authorize), case_ids_(case_ids) {}

  void Issue(uint64_t sequence, Done done) override {
    context_ = NewContext();
    (*authorize_)(context_.get());
    request_.set_case_id((*case_ids_)[sequence % case_ids_->size()]);
    response_.Clear();
    stub_->async()->GetCase(
        context_.get(), &request_, &response_,
        [this, done = std::move(done)](grpc::Status status) {
          // A wrong answer is as much a failure as an error status.
          if (status.ok() && response_.case_id() != request_.case_id()) {
            status = grpc::Status(grpc::StatusCode::INTERNAL,
                                  "GetCase answered with another case");
          }
          done(status);
        });
  }

 private:
  CaseService::Stub* const stub_;
  const Authorize* const authorize_;
  const std::vector<std::string>* const case_ids_;
  std::unique_ptr<grpc::ClientContext> context_;
  GetCaseRequest request_;
  Case response_;
};

// RegisterCase with a request id unique to the call, so that every call
// creates a case (a replay would skip the write being measured).
class RegisterSlot : public CallSlot {
 public:
  // When `created` is set, the id of the case made by call `sequence` is
  // stored at (*created)[sequence] (each call owns its element).
  RegisterSlot(CaseService::Stub* stub, const Authorize* authorize,
               std::string request_id_prefix,
               std::vector<std::string>* created = nullptr)
      : stub_(stub),
        authorize_(authorize),
        prefix_(std::move(request_id_prefix)),
        created_(created),
        request_(testing::ValidRegistration("", kBenchOffice, kBenchUser)) {}

  void Issue(uint64_t sequence, Done done) override {
    context_ = NewContext();
    (*authorize_)(context_.get());
    request_.set_request_id(absl::StrCat(prefix_, sequence));
    response_.Clear();
    stub_->async()->RegisterCase(
        context_.get(), &request_, &response_,
        [this, sequence, done = std::move(done)](grpc::Status status) {
          if (status.ok() && response_.case_id().empty()) {
            status = grpc::Status(grpc::StatusCode::INTERNAL,
                                  "RegisterCase answered without a case id");
          }
          if (status.ok() && created_ != nullptr &&
              sequence < created_->size()) {
            (*created_)[sequence] = response_.case_id();
          }
          done(status);
        });
  }

 private:
  CaseService::Stub* const stub_;
  const Authorize* const authorize_;
  const std::string prefix_;
  std::vector<std::string>* const created_;
  std::unique_ptr<grpc::ClientContext> context_;
  RegisterCaseRequest request_;
  Case response_;
};

// GetCase of the preloaded cases over the gateway's JSON face, one keep-alive
// HTTP/1.1 connection per slot (HTTP/1.1 carries one request at a time).
class JsonGetSlot : public CallSlot {
 public:
  JsonGetSlot(HttpConnection* connection, std::string head,
              const std::vector<std::string>* case_ids)
      : connection_(connection), head_(std::move(head)), case_ids_(case_ids) {}

  void Issue(uint64_t sequence, Done done) override {
    const std::string& case_id = (*case_ids_)[sequence % case_ids_->size()];
    const std::string body = absl::StrCat("{\"caseId\":\"", case_id, "\"}");
    connection_->Send(
        absl::StrCat(head_, "Content-Length: ", body.size(), "\r\n\r\n", body),
        [expected = absl::StrCat("\"caseId\":\"", case_id, "\""),
         done = std::move(done)](absl::StatusOr<HttpReply> reply) {
          if (!reply.ok()) {
            return done(grpc::Status(grpc::StatusCode::UNAVAILABLE,
                                     std::string(reply.status().message())));
          }
          if (reply->status != 200) {
            return done(grpc::Status(
                grpc::StatusCode::UNKNOWN,
                absl::StrCat("HTTP ", reply->status, ": ", reply->body)));
          }
          // A wrong answer is as much a failure as an error status.
          if (!absl::StrContains(reply->body, expected)) {
            return done(grpc::Status(grpc::StatusCode::INTERNAL,
                                     "GetCase answered with another case"));
          }
          done(grpc::Status::OK);
        });
  }

 private:
  HttpConnection* const connection_;
  const std::string head_;  // request line and headers up to Content-Length
  const std::vector<std::string>* const case_ids_;
};

// A request-id prefix no earlier run against the same data can have used.
std::string FreshRequestIdPrefix(absl::string_view what) {
  return absl::StrCat("bench-", crypto::RandomHex(6), "-", what, "-");
}

template <typename Service>
std::vector<std::unique_ptr<typename Service::Stub>> MakeStubs(
    const std::vector<std::shared_ptr<grpc::Channel>>& channels) {
  std::vector<std::unique_ptr<typename Service::Stub>> stubs;
  for (const auto& channel : channels) {
    stubs.push_back(Service::NewStub(channel));
  }
  return stubs;
}

absl::Status ResultErrors(const LoadResult& result, absl::string_view what) {
  if (result.errors == 0) return absl::OkStatus();
  return absl::UnavailableError(absl::StrCat(
      what, ": ", result.errors, " calls failed; first: ", result.first_error));
}

}  // namespace

const std::vector<ScenarioInfo>& AllScenarios() {
  static const auto* const kScenarios = new std::vector<ScenarioInfo>{
      {"baseline", "grpc.health.v1.Health/Check, direct to the service", 0,
       false},
      {"get_direct", "GetCase direct to the service (signed principal)", 0.6,
       true},
      {"get_gateway", "GetCase through the gateway (API key)", 0.35, true},
      {"get_gateway_json",
       "GetCase through the gateway's JSON face (API key, keep-alive HTTP/1.1)",
       0, true},
      {"register_direct", "RegisterCase direct to the service", 0.2, false},
      {"register_gateway", "RegisterCase through the gateway", 0.15, false},
  };
  return *kScenarios;
}

const ScenarioInfo* FindScenario(const std::string& name) {
  for (const ScenarioInfo& info : AllScenarios()) {
    if (info.name == name) return &info;
  }
  return nullptr;
}

absl::StatusOr<std::unique_ptr<Deployment>> Deployment::Start(
    const DeploymentOptions& options) {
  auto deployment = std::unique_ptr<Deployment>(new Deployment());
  // A fresh secret per run: nothing signed by an earlier run is accepted.
  deployment->secret_ = crypto::RandomHex(32);
  deployment->principal_ = testing::MakePrincipal(
      kBenchUser, homeward::v1::ROLE_CASE_MANAGER, {kBenchOffice});

  const std::string deploy =
      options.deploy_dir.empty() ? HOMEWARD_DEPLOY_DIR : options.deploy_dir;
  homeward::internal::v1::AssessmentConfig assessment_config;
  assessment_config.set_taxonomy_dir(deploy + "/taxonomy");
  assessment_config.set_programmes_dir(deploy + "/programmes");
  homeward::internal::v1::ServiceConfig& service =
      *assessment_config.mutable_service();
  service.set_listen_address("127.0.0.1:0");
  service.set_data_dir(options.data_dir + "/assessment");
  service.set_partition_count(64);
  service.set_unsafe_skip_sync(!options.sync_writes);
  std::error_code error;
  std::filesystem::create_directories(service.data_dir(), error);
  if (error) {
    return absl::InternalError(absl::StrCat(
        "cannot create ", service.data_dir(), ": ", error.message()));
  }
  ASSIGN_OR_RETURN(std::unique_ptr<assessment::AssessmentServer> assessment,
                   assessment::AssessmentServer::Start(assessment_config,
                                                       deployment->secret_));
  // No in-process channel: the gateway dials the replica over TCP, so the
  // gateway scenarios pay for two real RPC hops, as in a deployment.
  deployment->services_.push_back(gateway::LoopbackService(
      gateway::kAssessmentService, std::move(assessment)));
  deployment->service_target_ = deployment->services_.front().address;

  gateway::GatewayServer::Options gateway_options;
  homeward::internal::v1::GatewayConfig& config = gateway_options.config;
  config.set_grpc_listen_address("127.0.0.1:0");
  config.set_http_listen_address("127.0.0.1:0");
  config.set_partition_count(64);
  gateway::RouteToLocalServices(deployment->services_, &gateway_options);
  gateway_options.principal_secret = deployment->secret_;
  deployment->api_key_ = gateway::GenerateApiKeySecret();
  *gateway_options.api_keys.add_keys() = gateway::MakeApiKey(
      "bench", deployment->api_key_, deployment->principal_);
  ASSIGN_OR_RETURN(deployment->gateway_,
                   gateway::GatewayServer::Start(std::move(gateway_options)));
  deployment->gateway_target_ =
      absl::StrCat("127.0.0.1:", deployment->gateway_->grpc_port());
  deployment->gateway_http_port_ = deployment->gateway_->http_port();
  return deployment;
}

Deployment::~Deployment() {
  // The gateway first: its calls go to the service.
  if (gateway_ != nullptr) gateway_->Shutdown(absl::Seconds(5));
  gateway_.reset();
  gateway::ShutdownLocalServices(services_, absl::Seconds(5));
}

absl::StatusOr<std::vector<std::string>> PreloadCases(
    const Deployment& deployment, int count, int concurrency) {
  if (count < 1) return absl::InvalidArgumentError("count must be positive");
  ASSIGN_OR_RETURN(auto channels,
                   ConnectChannels(deployment.service_target(), 1));
  auto stubs = MakeStubs<CaseService>(channels);
  const Authorize authorize = SignedPrincipal(deployment);
  const std::string prefix = FreshRequestIdPrefix("preload");
  std::vector<std::string> created(count);

  LoadOptions load;
  load.concurrency = std::min(concurrency, count);
  load.total_calls = count;
  ASSIGN_OR_RETURN(LoadResult result, RunClosedLoop(load, [&](int) {
                     return std::make_unique<RegisterSlot>(
                         stubs[0].get(), &authorize, prefix, &created);
                   }));
  RETURN_IF_ERROR(ResultErrors(result, "preloading cases"));
  return created;
}

struct PreparedScenario::Clients {
  std::string name;
  const std::vector<std::string>* case_ids;
  Authorize authorize;
  // Calls are spread over the stubs round-robin, so each channel carries at
  // most calls_per_channel calls. Only the stubs the scenario calls are made.
  std::vector<std::unique_ptr<Health::Stub>> health;
  std::vector<std::unique_ptr<CaseService::Stub>> cases;
  // get_gateway_json: one connection per slot, and the head of every request.
  std::unique_ptr<HttpClientPool> http;
  std::vector<HttpConnection*> http_connections;
  std::string http_head;
};

PreparedScenario::PreparedScenario(std::unique_ptr<Clients> clients)
    : clients_(std::move(clients)) {}

PreparedScenario::~PreparedScenario() = default;

absl::StatusOr<std::unique_ptr<PreparedScenario>> PreparedScenario::Prepare(
    const std::string& name, const Deployment& deployment,
    const std::vector<std::string>* case_ids,
    const ScenarioSettings& settings) {
  const ScenarioInfo* info = FindScenario(name);
  if (info == nullptr) {
    return absl::InvalidArgumentError(absl::StrCat("no scenario '", name, "'"));
  }
  if (info->needs_cases && case_ids->empty()) {
    return absl::FailedPreconditionError(
        absl::StrCat(name, " needs preloaded cases"));
  }
  if (name == "get_gateway_json") {
    auto clients = std::make_unique<Clients>();
    clients->name = name;
    clients->case_ids = case_ids;
    // One I/O thread: Beast needs little CPU per request, and every client
    // thread competes with the servers for the 2 cores.
    clients->http = std::make_unique<HttpClientPool>(1);
    for (int i = 0; i < settings.load.concurrency; ++i) {
      clients->http_connections.push_back(clients->http->AddConnection(
          "127.0.0.1", deployment.gateway_http_port()));
    }
    clients->http_head = absl::StrCat(
        "POST /homeward.v1.CaseService/GetCase HTTP/1.1\r\n"
        "Host: 127.0.0.1\r\n"
        "Authorization: Bearer ",
        deployment.api_key(),
        "\r\n"
        "Content-Type: application/json\r\n");
    return std::unique_ptr<PreparedScenario>(
        new PreparedScenario(std::move(clients)));
  }
  const bool via_gateway = absl::EndsWith(name, "_gateway");
  ASSIGN_OR_RETURN(auto channels,
                   ConnectChannels(via_gateway ? deployment.gateway_target()
                                               : deployment.service_target(),
                                   ChannelCount(settings)));
  auto clients = std::make_unique<Clients>();
  clients->name = name;
  clients->case_ids = case_ids;
  clients->authorize =
      via_gateway ? BearerKey(deployment) : SignedPrincipal(deployment);
  if (name == "baseline") {
    clients->health = MakeStubs<Health>(channels);
  } else {
    clients->cases = MakeStubs<CaseService>(channels);
  }
  return std::unique_ptr<PreparedScenario>(
      new PreparedScenario(std::move(clients)));
}

absl::StatusOr<LoadResult> PreparedScenario::Run(
    const LoadOptions& load) const {
  const Clients& c = *clients_;
  if (c.name == "baseline") {
    return RunClosedLoop(load, [&](int i) {
      return std::make_unique<HealthSlot>(c.health[i % c.health.size()].get());
    });
  }
  if (c.name == "get_gateway_json") {
    return RunClosedLoop(load, [&](int i) {
      return std::make_unique<JsonGetSlot>(
          c.http_connections[i % c.http_connections.size()], c.http_head,
          c.case_ids);
    });
  }
  const size_t n = c.cases.size();
  if (absl::StartsWith(c.name, "get_")) {
    return RunClosedLoop(load, [&](int i) {
      return std::make_unique<GetSlot>(c.cases[i % n].get(), &c.authorize,
                                       c.case_ids);
    });
  }
  const std::string prefix = FreshRequestIdPrefix(c.name);
  return RunClosedLoop(load, [&](int i) {
    return std::make_unique<RegisterSlot>(c.cases[i % n].get(), &c.authorize,
                                          prefix);
  });
}

}  // namespace homeward::bench
