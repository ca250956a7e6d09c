// What a `homewardctl` command is given: the deployment it works on, how to
// call the gateway and the replicas, and how to report. `main.cc` parses the
// global flags into a CtlContext and hands it to the command named on the
// command line; each command lives in its own file and exposes one function
//
//   absl::Status RunMoveCommand(CtlContext& ctl,
//                               const std::vector<std::string>& args);
//
// which prints its answer with ctl.Print (table or JSON, --output) and
// reports long work with ctl.StartProgress:
//
//   auto channel = ctl.DialReplica(address);           // internal transport
//   grpc::ClientContext context;
//   ctl.PrepareReplicaCall(context, absl::Seconds(30));  // signed principal
//   auto progress = ctl.StartProgress("copying partition 12", total_keys);
//   progress->Advance(n);
#ifndef HOMEWARD_TOOLS_CTL_CTL_CONTEXT_H_
#define HOMEWARD_TOOLS_CTL_CTL_CONTEXT_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "google/protobuf/message.h"
#include "grpcpp/grpcpp.h"
#include "homeward/internal/v1/config.pb.h"

namespace homeward::ctl {

enum class OutputFormat { kTable, kJson };

// A command's answer: rows of named columns. Printed as an aligned table or
// as a JSON array of objects (one per row, column names as keys).
struct Table {
  std::vector<std::string> columns;
  std::vector<std::vector<std::string>> rows;
};

// Progress of one long piece of work, drawn as a bar on a terminal (stderr)
// and as nothing when stderr is not a terminal or the output is JSON.
class Progress {
 public:
  virtual ~Progress() = default;
  virtual void Advance(uint64_t done) = 0;  // adds `done` to the count
  virtual void Finish() = 0;
};

class CtlContext {
 public:
  virtual ~CtlContext() = default;

  virtual OutputFormat output() const = 0;

  // The deployment's routes: the gateway config's (--gateway_config) or the
  // route map file's (--routes_file), with its path, which the move command
  // rewrites.
  virtual const homeward::internal::v1::RouteMap& routes() const = 0;
  virtual const std::string& routes_file() const = 0;
  virtual uint32_t partition_count() const = 0;

  // A channel to one replica over the internal transport (mutual TLS with
  // --tls_* files, or plaintext with --plaintext), cached per address.
  virtual absl::StatusOr<std::shared_ptr<grpc::Channel>> DialReplica(
      const std::string& address) = 0;
  // Signs an administrator principal (user id --user, default the OS user)
  // with --principal_secret_file and sets the deadline.
  virtual absl::Status PrepareReplicaCall(grpc::ClientContext& context,
                                          absl::Duration deadline) = 0;

  // A channel to the gateway's public gRPC face (--gateway, TLS unless
  // --plaintext) and the caller's credentials on a call (--api_key_file or
  // --token_file) with its deadline.
  virtual absl::StatusOr<std::shared_ptr<grpc::Channel>> DialGateway() = 0;
  virtual absl::Status PrepareGatewayCall(grpc::ClientContext& context,
                                          absl::Duration deadline) = 0;

  virtual void Print(const Table& table) = 0;
  // A whole answer message as JSON (--output json), for commands whose
  // answer is one RPC response; with --output table print a Table instead.
  // CtlSession prints the JSON object alone; this default (for contexts
  // written before it existed) prints it as a one-cell table (output.cc).
  virtual void PrintMessage(const google::protobuf::Message& message);
  virtual std::unique_ptr<Progress> StartProgress(const std::string& label,
                                                  uint64_t total) = 0;
};

}  // namespace homeward::ctl

#endif  // HOMEWARD_TOOLS_CTL_CTL_CONTEXT_H_
