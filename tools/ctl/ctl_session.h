// The CtlContext main() builds from the global flags: the deployment's
// routes (a gateway config or a route map file), channels to the gateway
// (TLS or --plaintext) and to the replicas (mutual TLS or --plaintext), the
// caller's credential for the gateway (an API key or a bearer token), the
// administrator principal signed with the deployment secret for replica-side
// operator calls, and where answers and progress go.
//
//   CtlOptions options;
//   options.gateway = "gw.example:7000";
//   options.api_key_file = "/etc/homeward/operator.key";
//   ASSIGN_OR_RETURN(std::unique_ptr<CtlSession> ctl,
//                    CtlSession::Create(options, std::cout, stderr));
//   RETURN_IF_ERROR(RunHealthCommand(*ctl, args));
//
// Files are read at Create (routes) or at first use (credentials, secret),
// so a command that needs no gateway needs no key. Every missing setting is
// a UsageError naming the flag.
#ifndef HOMEWARD_TOOLS_CTL_CTL_SESSION_H_
#define HOMEWARD_TOOLS_CTL_CTL_SESSION_H_

#include <cstdio>
#include <map>
#include <memory>
#include <optional>
#include <ostream>
#include <string>

#include "absl/synchronization/mutex.h"
#include "tools/ctl/ctl_context.h"

namespace homeward::ctl {

struct CtlOptions {
  std::string gateway;  // host:port of the gateway's public gRPC face
  std::string api_key_file;
  std::string token_file;
  std::string tls_ca_file;
  std::string tls_certificate_file;
  std::string tls_private_key_file;
  bool plaintext = false;
  std::string gateway_config;    // GatewayConfig textproto
  std::string routes_file;       // RouteMap textproto
  uint32_t partition_count = 0;  // with routes_file; 0: 64
  std::string principal_secret_file;
  std::string user;  // the signed principal's user id; empty: the OS user
  OutputFormat output = OutputFormat::kTable;
};

class CtlSession : public CtlContext {
 public:
  // Reads the routes when a gateway config or routes file is given
  // (NOT_FOUND / INVALID_ARGUMENT naming the file otherwise); UsageError
  // when flags contradict each other (both credential files, both routes
  // sources, --plaintext with TLS files). `progress` is where progress bars
  // go, drawn only when it is a terminal and the output is a table.
  static absl::StatusOr<std::unique_ptr<CtlSession>> Create(CtlOptions options,
                                                            std::ostream& out,
                                                            FILE* progress);

  OutputFormat output() const override { return options_.output; }
  const homeward::internal::v1::RouteMap& routes() const override {
    return routes_;
  }
  const std::string& routes_file() const override { return routes_path_; }
  uint32_t partition_count() const override { return partition_count_; }

  absl::StatusOr<std::shared_ptr<grpc::Channel>> DialReplica(
      const std::string& address) override;
  absl::Status PrepareReplicaCall(grpc::ClientContext& context,
                                  absl::Duration deadline) override;
  absl::StatusOr<std::shared_ptr<grpc::Channel>> DialGateway() override;
  absl::Status PrepareGatewayCall(grpc::ClientContext& context,
                                  absl::Duration deadline) override;

  void Print(const Table& table) override;
  void PrintMessage(const google::protobuf::Message& message) override;
  std::unique_ptr<Progress> StartProgress(const std::string& label,
                                          uint64_t total) override;

  const std::string& gateway_address() const { return options_.gateway; }

 private:
  CtlSession(CtlOptions options, std::ostream& out, FILE* progress)
      : options_(std::move(options)), out_(out), progress_(progress) {}

  absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>>
  ReplicaCredentials();

  const CtlOptions options_;
  std::ostream& out_;
  FILE* const progress_;
  homeward::internal::v1::RouteMap routes_;
  std::string routes_path_;
  uint32_t partition_count_ = 64;

  absl::Mutex mu_;
  std::map<std::string, std::shared_ptr<grpc::Channel>> replicas_
      ABSL_GUARDED_BY(mu_);
  std::shared_ptr<grpc::ChannelCredentials> replica_credentials_
      ABSL_GUARDED_BY(mu_);
  std::shared_ptr<grpc::Channel> gateway_ ABSL_GUARDED_BY(mu_);
  std::optional<std::string> bearer_ ABSL_GUARDED_BY(mu_);
  std::optional<std::string> secret_ ABSL_GUARDED_BY(mu_);
};

}  // namespace homeward::ctl

#endif  // HOMEWARD_TOOLS_CTL_CTL_SESSION_H_
