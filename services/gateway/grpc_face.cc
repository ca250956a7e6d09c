// Public gRPC face; see grpc_face.h.
#include "services/gateway/grpc_face.h"

#include <chrono>
#include <optional>
#include <string>
#include <utility>

#include "absl/time/clock.h"
#include "common/auth/principal_token.h"
#include "common/status/grpc_status.h"

namespace homeward::gateway {
namespace {

std::optional<absl::string_view> Metadata(
    const grpc::CallbackServerContext& context, absl::string_view key) {
  const auto& md = context.client_metadata();
  auto it = md.find(grpc::string_ref(key.data(), key.size()));
  if (it == md.end()) return std::nullopt;
  return absl::string_view(it->second.data(), it->second.size());
}

absl::Time ClientDeadline(const grpc::CallbackServerContext& context) {
  const auto deadline = context.deadline();
  if (deadline == std::chrono::system_clock::time_point::max()) {
    return absl::InfiniteFuture();
  }
  return absl::FromChrono(deadline);
}

}  // namespace

template <typename Request, typename Response>
grpc::ServerUnaryReactor* GrpcCaseService::Handle(
    grpc::CallbackServerContext* context, absl::string_view method,
    const Request* request, Response* response,
    void (Forwarder::*forward)(const CallInfo&, const Request&, Response*,
                               Done)) {
  const absl::Time start = absl::Now();
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  CallInfo call;
  call.request_id = RequestIdOrNew(Metadata(*context, auth::kRequestIdKey));
  call.client_deadline = ClientDeadline(*context);
  // Echo the request id so that a client can quote it when reporting a
  // problem, whether or not it chose the id itself.
  context->AddInitialMetadata(auth::kRequestIdKey, call.request_id);

  absl::StatusOr<AuthenticatedCaller> caller =
      keys_->AuthenticateHeaders(Metadata(*context, kAuthorizationHeader),
                                 Metadata(*context, kApiKeyHeader));
  if (!caller.ok()) {
    LogPublicCall("grpc", method, call.request_id, "", caller.status(), start);
    reactor->Finish(ToGrpcStatus(caller.status()));
    return reactor;
  }
  call.key_id = caller->key_id;
  call.principal = std::move(caller->principal);

  (forwarder_->*forward)(call, *request, response,
                         [reactor, method, request_id = call.request_id,
                          key_id = call.key_id, start](absl::Status status) {
                           LogPublicCall("grpc", method, request_id, key_id,
                                         status, start);
                           reactor->Finish(ToGrpcStatus(status));
                         });
  return reactor;
}

grpc::ServerUnaryReactor* GrpcCaseService::RegisterCase(
    grpc::CallbackServerContext* context,
    const homeward::v1::RegisterCaseRequest* request,
    homeward::v1::Case* response) {
  return Handle(context, "RegisterCase", request, response,
                &Forwarder::RegisterCase);
}

grpc::ServerUnaryReactor* GrpcCaseService::GetCase(
    grpc::CallbackServerContext* context,
    const homeward::v1::GetCaseRequest* request, homeward::v1::Case* response) {
  return Handle(context, "GetCase", request, response, &Forwarder::GetCase);
}

grpc::ServerUnaryReactor* GrpcCaseService::ListCases(
    grpc::CallbackServerContext* context,
    const homeward::v1::ListCasesRequest* request,
    homeward::v1::ListCasesResponse* response) {
  return Handle(context, "ListCases", request, response, &Forwarder::ListCases);
}

grpc::ServerUnaryReactor* GrpcCaseService::UpdateCase(
    grpc::CallbackServerContext* context,
    const homeward::v1::UpdateCaseRequest* request,
    homeward::v1::Case* response) {
  return Handle(context, "UpdateCase", request, response,
                &Forwarder::UpdateCase);
}

grpc::ServerUnaryReactor* GrpcCaseService::AssignCase(
    grpc::CallbackServerContext* context,
    const homeward::v1::AssignCaseRequest* request,
    homeward::v1::Case* response) {
  return Handle(context, "AssignCase", request, response,
                &Forwarder::AssignCase);
}

}  // namespace homeward::gateway
