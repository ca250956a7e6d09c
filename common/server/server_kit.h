// What every Homeward gRPC server shares: health checking, reflection, the
// request id, and turning a handler's absl::Status into the RPC's status with
// a log line that carries identifiers only.
//
//   grpc::ServerBuilder builder;
//   server::PrepareServerBuilder(&builder);
//   ...
//   grpc::Status GetCase(ServerContext* ctx, ...) override {
//     return server::Finish(ctx, "GetCase", DoGetCase(...));
//   }
#ifndef HOMEWARD_COMMON_SERVER_SERVER_KIT_H_
#define HOMEWARD_COMMON_SERVER_SERVER_KIT_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "grpcpp/channel.h"
#include "grpcpp/security/credentials.h"
#include "grpcpp/server_builder.h"
#include "grpcpp/server_context.h"
#include "grpcpp/support/server_interceptor.h"
#include "grpcpp/support/status.h"

namespace homeward::server {

// How a server's handlers receive their requests.
enum class RequestDecoding {
  // gRPC decodes each request into its message type before the handler
  // runs; a request that does not decode is answered INVALID_ARGUMENT
  // naming the type (undecodable_request.h) instead of gRPC's bare
  // INTERNAL or UNIMPLEMENTED.
  kTyped,
  // The handlers take the request's bytes and decode them themselves (the
  // gateway's raw methods), so nothing can fail before them and the
  // per-call interceptor that kTyped needs would be pure cost.
  kRaw,
};

// Server interceptors a server adds to the kit's own (the metrics' call
// counters: common/metrics/rpc_metrics.h); they run after the kit's, so
// they see the status as it is sent.
using ServerInterceptorFactories = std::vector<
    std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>>;

// Enables the standard health service and server reflection (which can
// describe grpc.health.v1.Health too), and refuses to share a port already
// in use (no SO_REUSEPORT). Must run before the first grpc::ServerBuilder of
// the process is built.
void PrepareServerBuilder(grpc::ServerBuilder* builder,
                          RequestDecoding decoding = RequestDecoding::kTyped,
                          ServerInterceptorFactories extra_interceptors = {});

// A request id unique within the deployment: a random per-process prefix and
// a counter. For correlating logs and audit entries, not a secret, so no
// randomness is drawn per call.
std::string NewRequestId();

// The caller's x-request-id, or NewRequestId() when absent.
std::string RequestIdOf(const grpc::ServerContextBase& context);

// Converts `status` at the RPC edge and logs the outcome.
grpc::Status Finish(const grpc::ServerContextBase& context,
                    absl::string_view method, const absl::Status& status);

// The default gRPC channel arguments for internal hops (keepalive, message
// size), so that every client in the suite behaves the same.
grpc::ChannelArguments InternalChannelArguments();

// A channel to another Homeward replica at `address` (host:port) with
// InternalChannelArguments(), secured with `credentials`: the process's
// internal transport (transport.h's DialCredentials, built once at start
// from the config's internal_transport); nullptr means plaintext (tests
// that build configs without a transport). Connects lazily: a replica that
// is down, or refuses the TLS handshake, fails the calls made on it
// (UNAVAILABLE), not this call. Every internal client dials through here
// (the gateway's backends, feed followers, service-to-service calls).
std::shared_ptr<grpc::Channel> DialInternal(
    const std::string& address,
    const std::shared_ptr<grpc::ChannelCredentials>& credentials);

}  // namespace homeward::server

#endif  // HOMEWARD_COMMON_SERVER_SERVER_KIT_H_
