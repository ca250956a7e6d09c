// Finishing callback-API calls; see reactors.h.
#include "common/service/reactors.h"

namespace homeward::service {

grpc::ServerUnaryReactor* FinishNow(grpc::CallbackServerContext* context,
                                    const RpcMethod& method,
                                    const absl::Status& status) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  reactor->Finish(method.Finish(*context, status));
  return reactor;
}

}  // namespace homeward::service
