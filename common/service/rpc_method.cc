// Named RPC methods; see rpc_method.h.
#include "common/service/rpc_method.h"

#include "common/server/server_kit.h"

namespace homeward::service {

absl::string_view RpcMethod::log_name() const {
  const size_t slash = full_name_.find('/');
  const size_t dot = full_name_.rfind('.', slash);
  return dot == absl::string_view::npos ? full_name_
                                        : full_name_.substr(dot + 1);
}

absl::StatusOr<Actor> RpcMethod::ActorOf(
    const grpc::ServerContextBase& context,
    const auth::PrincipalVerifier& verifier) const {
  return ActorFrom(context, verifier, full_name_);
}

grpc::Status RpcMethod::Finish(const grpc::ServerContextBase& context,
                               const absl::Status& status) const {
  return server::Finish(context, log_name(), status);
}

}  // namespace homeward::service
