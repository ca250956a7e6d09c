// The embedded default: every Homeward service and the gateway in one
// process, wired over in-process gRPC channels, with all data under one local
// directory. On first start it creates the deployment secret and a
// development API key (a supervisor of "office-demo"), and it can print a
// ready-to-paste example call.
//
//   EmbeddedOptions options;
//   options.data_dir = "homeward-data";
//   ASSIGN_OR_RETURN(auto suite, EmbeddedSuite::Start(options));
//   std::cout << suite->Instructions();
#ifndef HOMEWARD_SERVICES_ALL_IN_ONE_EMBEDDED_SUITE_H_
#define HOMEWARD_SERVICES_ALL_IN_ONE_EMBEDDED_SUITE_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "services/assessment/assessment_server.h"
#include "services/gateway/gateway_server.h"

namespace homeward::all_in_one {

inline constexpr char kDemoOffice[] = "office-demo";

struct EmbeddedOptions {
  std::string data_dir = "homeward-data";
  std::string grpc_listen = "127.0.0.1:7000";
  std::string http_listen = "127.0.0.1:7080";
  uint32_t partition_count = 64;
  // Instrument definitions to publish at start (empty: none).
  std::string instruments_dir;
};

class EmbeddedSuite {
 public:
  static absl::StatusOr<std::unique_ptr<EmbeddedSuite>> Start(
      const EmbeddedOptions& options);
  ~EmbeddedSuite();

  int grpc_port() const { return gateway_->grpc_port(); }
  int http_port() const { return gateway_->http_port(); }
  const std::string& dev_api_key() const { return dev_api_key_; }
  // How to call the running suite: the key and example calls.
  std::string Instructions() const;
  // Gateway first (no new calls), then the services (drain, flush).
  void Shutdown(absl::Duration grace);

 private:
  EmbeddedSuite() = default;
  std::string dev_api_key_;
  std::unique_ptr<assessment::AssessmentServer> assessment_;
  std::unique_ptr<gateway::GatewayServer> gateway_;
};

}  // namespace homeward::all_in_one

#endif  // HOMEWARD_SERVICES_ALL_IN_ONE_EMBEDDED_SUITE_H_
