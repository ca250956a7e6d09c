// Public gRPC face; see grpc_face.h.
#include "services/gateway/grpc_face.h"

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/auth/principal_token.h"
#include "common/status/errors.h"
#include "common/status/grpc_status.h"
#include "grpcpp/impl/codegen/server_callback_handlers.h"
#include "grpcpp/impl/rpc_service_method.h"
#include "grpcpp/support/proto_buffer_reader.h"

namespace homeward::gateway {
namespace {

using Context = grpc::CallbackServerContext;
using Reactor = grpc::ServerUnaryReactor;

std::optional<absl::string_view> Metadata(const Context& context,
                                          absl::string_view key) {
  const auto& md = context.client_metadata();
  auto it = md.find(grpc::string_ref(key.data(), key.size()));
  if (it == md.end()) return std::nullopt;
  return absl::string_view(it->second.data(), it->second.size());
}

absl::Time ClientDeadline(const Context& context) {
  const auto deadline = context.deadline();
  if (deadline == std::chrono::system_clock::time_point::max()) {
    return absl::InfiniteFuture();
  }
  return absl::FromChrono(deadline);
}

// Decodes a request's wire bytes into a message of the method's request type.
// The bytes are read from a copy (which shares their memory), because
// decoding consumes the buffer and the original is forwarded as it is.
absl::StatusOr<std::shared_ptr<google::protobuf::Message>> DecodeRequest(
    const MethodRoute& method, const grpc::ByteBuffer& bytes) {
  std::shared_ptr<google::protobuf::Message> request(
      method.request_prototype->New());
  grpc::ByteBuffer copy(bytes);
  grpc::ProtoBufferReader reader(&copy);
  if (!request->ParseFromZeroCopyStream(&reader)) {
    return errors::InvalidField(
        "body", absl::StrCat("is not a valid encoded ",
                             method.request_prototype->GetTypeName()));
  }
  return request;
}

// One public service (e.g. homeward.v1.CaseService) with every method the
// table declares for it, each a raw callback method: the service's name and
// method paths are the real ones, so clients and reflection cannot tell it
// from the generated service, but its requests arrive undecoded.
class PublicService final : public grpc::Service {
 public:
  // gRPC keeps a pointer to each method's path: the method table, which
  // outlives `calls` and so these services, owns them.
  PublicService(const GrpcCalls* calls,
                const std::vector<const MethodRoute*>& methods) {
    for (size_t i = 0; i < methods.size(); ++i) {
      const MethodRoute* method = methods[i];
      AddMethod(new grpc::internal::RpcServiceMethod(
          method->path.c_str(), grpc::internal::RpcMethod::NORMAL_RPC,
          nullptr));
      MarkMethodRawCallback(
          static_cast<int>(i),
          new grpc::internal::CallbackUnaryHandler<grpc::ByteBuffer,
                                                   grpc::ByteBuffer>(
              [calls, method](Context* context, const grpc::ByteBuffer* request,
                              grpc::ByteBuffer* response) {
                return calls->Serve(context, *method, request, response);
              }));
    }
  }
};

}  // namespace

Reactor* GrpcCalls::Serve(Context* context, const MethodRoute& method,
                          const grpc::ByteBuffer* request,
                          grpc::ByteBuffer* response) const {
  const absl::Time start = absl::Now();
  Reactor* reactor = context->DefaultReactor();
  CallInfo call;
  call.request_id = RequestIdOrNew(Metadata(*context, auth::kRequestIdKey));
  call.client_deadline = ClientDeadline(*context);
  // Echo the request id so that a client can quote it when reporting a
  // problem, whether or not it chose the id itself.
  context->AddInitialMetadata(auth::kRequestIdKey, call.request_id);
  auto finish = [reactor, name = absl::string_view(method.full_name),
                 request_id = call.request_id,
                 start](const std::string& key_id, const absl::Status& status) {
    LogPublicCall("grpc", name, request_id, key_id, status, start);
    reactor->Finish(ToGrpcStatus(status));
  };

  absl::StatusOr<AuthenticatedCaller> caller =
      keys_->AuthenticateHeaders(Metadata(*context, kAuthorizationHeader),
                                 Metadata(*context, kApiKeyHeader));
  if (!caller.ok()) {
    finish("", caller.status());
    return reactor;
  }
  absl::StatusOr<std::shared_ptr<google::protobuf::Message>> decoded =
      DecodeRequest(method, *request);
  if (!decoded.ok()) {
    finish(caller->key_id, decoded.status());
    return reactor;
  }
  call.key_id = caller->key_id;
  call.principal = std::move(caller->principal);
  const google::protobuf::Message& parsed = **decoded;
  forwarder_->ForwardBytes(
      method, call, parsed, *request, response,
      [finish, key_id = call.key_id, keep = *std::move(decoded)](
          absl::Status status) { finish(key_id, status); });
  return reactor;
}

std::vector<std::unique_ptr<grpc::Service>> MakeGrpcServices(
    const GrpcCalls* calls) {
  // Grouped by service, each service's methods in declaration order.
  std::map<std::string, std::vector<const MethodRoute*>> by_service;
  for (const MethodRoute& method : calls->methods().methods()) {
    // An internal method is not served: gRPC answers it UNIMPLEMENTED, as
    // it does a method that does not exist.
    if (calls->methods().FindPublic(method.full_name) == nullptr) continue;
    by_service[method.full_name.substr(0, method.full_name.find('/'))]
        .push_back(&method);
  }
  std::vector<std::unique_ptr<grpc::Service>> services;
  for (const auto& [name, methods] : by_service) {
    services.push_back(std::make_unique<PublicService>(calls, methods));
  }
  return services;
}

}  // namespace homeward::gateway
