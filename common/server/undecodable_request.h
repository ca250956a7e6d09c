// Answers a request whose bytes are not the method's request message with
// INVALID_ARGUMENT naming the method and the expected message type, and logs
// the refusal as a JSON line, for every server built with
// PrepareServerBuilder.
//
// gRPC decodes a unary (or server-streaming) request before any handler runs;
// when decoding fails the handler never sees the call and gRPC answers on its
// own: INTERNAL with an empty message for sync handlers, UNIMPLEMENTED for
// callback handlers. A server interceptor is the one place that sees both
// that the decode failed (POST_RECV_MESSAGE without a message) and the status
// about to be sent (PRE_SEND_STATUS), where it rewrites that status.
//
//   grpc::ServerBuilder builder;
//   builder.experimental().SetInterceptorCreators(
//       server::UndecodableRequestInterceptors());
//
// SetInterceptorCreators replaces the whole list: a server that adds its own
// interceptors must append them to this list rather than set another.
#ifndef HOMEWARD_COMMON_SERVER_UNDECODABLE_REQUEST_H_
#define HOMEWARD_COMMON_SERVER_UNDECODABLE_REQUEST_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "grpcpp/support/server_interceptor.h"

namespace homeward::server {

// The interceptor factories every Homeward server installs.
std::vector<
    std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>>
UndecodableRequestInterceptors();

// The refusal for a request to `method` ("/homeward.v1.CaseService/GetCase")
// that is not a valid encoded request message: INVALID_ARGUMENT on the
// field "body", naming the method and its request type.
absl::Status UndecodableRequestError(absl::string_view method);

}  // namespace homeward::server

#endif  // HOMEWARD_COMMON_SERVER_UNDECODABLE_REQUEST_H_
