// The assessment service as a runnable server: opens its RocksDB store,
// registers the CaseService and EventFeedService handlers, health and
// reflection, and listens on a TCP address (port 0 picks a free port) and/or
// in-process.
//
//   ServiceConfig cfg;  // data_dir, partition_count, owned_partitions...
//   cfg.set_listen_address("127.0.0.1:0");
//   ASSIGN_OR_RETURN(auto server, AssessmentServer::Start(cfg, secret));
//   auto stub = CaseService::NewStub(grpc::CreateChannel(
//       absl::StrCat("127.0.0.1:", server->port()),
//       grpc::InsecureChannelCredentials()));
#ifndef HOMEWARD_SERVICES_ASSESSMENT_ASSESSMENT_SERVER_H_
#define HOMEWARD_SERVICES_ASSESSMENT_ASSESSMENT_SERVER_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "grpcpp/channel.h"
#include "grpcpp/server.h"
#include "homeward/internal/v1/config.pb.h"

namespace homeward::assessment {

class AssessmentServer {
 public:
  // Validates `config` (every problem named), opens the store under
  // config.data_dir() and starts serving. `principal_secret` verifies the
  // principal the gateway signs.
  static absl::StatusOr<std::unique_ptr<AssessmentServer>> Start(
      const homeward::internal::v1::ServiceConfig& config,
      const std::string& principal_secret);
  ~AssessmentServer();

  // The bound TCP port, or 0 when config.listen_address() was empty.
  int port() const { return port_; }
  // A channel to this server that does not leave the process.
  std::shared_ptr<grpc::Channel> InProcessChannel();
  // For benchmarks: waits until the store has no flush or compaction running
  // or pending (storage::Store::WaitForBackgroundWork).
  absl::Status WaitForStorageIdle(absl::Duration timeout) const;
  // Stops accepting calls, lets running ones finish for up to `grace`, then
  // closes the store (flushing it). Idempotent.
  void Shutdown(absl::Duration grace);

 private:
  struct Parts;
  explicit AssessmentServer(std::unique_ptr<Parts> parts, int port);
  std::unique_ptr<Parts> parts_;
  int port_;
};

}  // namespace homeward::assessment

#endif  // HOMEWARD_SERVICES_ASSESSMENT_ASSESSMENT_SERVER_H_
