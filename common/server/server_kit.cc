// Shared server plumbing; see server_kit.h.
#include "common/server/server_kit.h"

#include <atomic>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "common/auth/crypto.h"
#include "common/auth/principal_token.h"
#include "common/server/log.h"
#include "common/server/undecodable_request.h"
#include "common/status/grpc_status.h"
#include "common/storage/ids.h"
#include "grpc/health/v1/health.pb.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/ext/proto_server_reflection_plugin.h"
#include "grpcpp/health_check_service_interface.h"
#include "grpcpp/security/credentials.h"

namespace homeward::server {

void PrepareServerBuilder(grpc::ServerBuilder* builder,
                          RequestDecoding decoding,
                          ServerInterceptorFactories extra_interceptors) {
  // Debian's Abseil checks every Mutex acquisition for lock-order cycles,
  // which costs a few percent of a loaded server; the servers' locking is
  // simple and covered by the sanitizer build instead.
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  // libgrpc++ serves grpc.health.v1.Health from its own upb messages and
  // Debian ships no generated descriptor for it, so reflection listed the
  // service but could not describe it. Naming a generated message of the
  // project's copy links that copy in, and its descriptor registers in the
  // generated pool that reflection reads.
  (void)grpc::health::v1::HealthCheckRequest::descriptor();
  builder->SetMaxReceiveMessageSize(16 * 1024 * 1024);
  // Fail to start, rather than silently share the port, when another
  // process already listens there: gRPC sets SO_REUSEPORT by default, and two
  // replicas on one port would split a gateway's calls between them.
  builder->AddChannelArgument(GRPC_ARG_ALLOW_REUSEPORT, 0);
  // Channelz counts every call on every channel and server for an
  // introspection service these servers do not expose.
  builder->AddChannelArgument(GRPC_ARG_ENABLE_CHANNELZ, 0);
  // Undecodable requests: INVALID_ARGUMENT naming the type, logged as JSON.
  ServerInterceptorFactories interceptors;
  if (decoding == RequestDecoding::kTyped) {
    interceptors = UndecodableRequestInterceptors();
  }
  for (auto& factory : extra_interceptors) {
    interceptors.push_back(std::move(factory));
  }
  // An empty list installs no interceptor machinery at all.
  if (!interceptors.empty()) {
    builder->experimental().SetInterceptorCreators(std::move(interceptors));
  }
  RouteProtobufLogs();
}

std::string NewRequestId() {
  // 64 random bits per process keep prefixes apart across every process of
  // a deployment and its restarts.
  static const std::string* const prefix =
      new std::string(crypto::RandomHex(8));
  static std::atomic<uint64_t> next{0};
  return absl::StrCat(*prefix, "-",
                      absl::Hex(next.fetch_add(1, std::memory_order_relaxed)));
}

std::string RequestIdOf(const grpc::ServerContextBase& context) {
  const auto& md = context.client_metadata();
  auto it = md.find(auth::kRequestIdKey);
  if (it != md.end() && storage::IsRequestId(absl::string_view(
                            it->second.data(), it->second.size()))) {
    return std::string(it->second.data(), it->second.size());
  }
  return NewRequestId();
}

grpc::Status Finish(const grpc::ServerContextBase& context,
                    absl::string_view method, const absl::Status& status) {
  if (RequestLoggingEnabled() || !status.ok()) {
    Log(status.ok() ? "info" : "warn", "rpc",
        {{"method", std::string(method)},
         {"request_id", RequestIdOf(context)},
         {"code", absl::StatusCodeToString(status.code())}});
  }
  return ToGrpcStatus(status);
}

grpc::ChannelArguments InternalChannelArguments() {
  grpc::ChannelArguments args;
  args.SetInt(GRPC_ARG_KEEPALIVE_TIME_MS, 30000);
  args.SetInt(GRPC_ARG_KEEPALIVE_TIMEOUT_MS, 10000);
  args.SetMaxReceiveMessageSize(16 * 1024 * 1024);
  // Fail fast when a replica restarts instead of backing off for long.
  args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 1000);
  // Internal calls carry no retry policy, and a failed forward is answered
  // UNAVAILABLE for the client to retry (every write is idempotent by request
  // id); gRPC's retry layer would still copy every call's messages and
  // metadata in case of a retry, which measurably slows the gateway.
  args.SetInt(GRPC_ARG_ENABLE_RETRIES, 0);
  args.SetInt(GRPC_ARG_ENABLE_CHANNELZ, 0);
  return args;
}

std::shared_ptr<grpc::Channel> DialInternal(
    const std::string& address,
    const std::shared_ptr<grpc::ChannelCredentials>& credentials) {
  return grpc::CreateCustomChannel(
      address,
      credentials != nullptr ? credentials : grpc::InsecureChannelCredentials(),
      InternalChannelArguments());
}

}  // namespace homeward::server
