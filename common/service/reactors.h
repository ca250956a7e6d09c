// Finishing a callback-API unary call (grpc::CallbackServerContext), either
// at once or when the durable write it started completes. A handler that
// writes hands a WriteDone to its store and returns; the store's completion
// thread then fills the response and finishes the call, so no RPC thread
// waits for the WAL sync.
//
//   grpc::ServerUnaryReactor* GetCase(grpc::CallbackServerContext* context,
//                                     const GetCaseRequest* request,
//                                     Case* response) override {
//     return service::FinishNow(context, kGetCase,
//                               Get(*context, *request, response));
//   }
//   grpc::ServerUnaryReactor* RegisterCase(..., Case* response) override {
//     return service::FinishAfterWrite<Case>(
//         context, kRegisterCase, response,
//         [&](service::WriteDone<Case> done) {
//           return Register(*context, *request, done);  // fails or hands off
//         });
//   }
#ifndef HOMEWARD_COMMON_SERVICE_REACTORS_H_
#define HOMEWARD_COMMON_SERVICE_REACTORS_H_

#include <functional>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "common/service/actor.h"
#include "common/service/rpc_method.h"
#include "grpcpp/server_context.h"
#include "grpcpp/support/server_callback.h"

namespace homeward::service {

// Finishes the call now with `status` (logged under method.log_name()).
grpc::ServerUnaryReactor* FinishNow(grpc::CallbackServerContext* context,
                                    const RpcMethod& method,
                                    const absl::Status& status);

// Runs `start`, which either fails at once (the call finishes with its
// error) or hands `done` to a durable write and returns OK; `done` then moves
// the written record into `response` and finishes the call.
template <typename Response>
grpc::ServerUnaryReactor* FinishAfterWrite(
    grpc::CallbackServerContext* context, const RpcMethod& method,
    Response* response,
    const std::function<absl::Status(WriteDone<Response>)>& start) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  WriteDone<Response> done = [context, reactor, response,
                              method](absl::StatusOr<Response> result) {
    if (result.ok()) *response = *std::move(result);
    reactor->Finish(method.Finish(*context, result.status()));
  };
  absl::Status started = start(std::move(done));
  if (!started.ok()) reactor->Finish(method.Finish(*context, started));
  return reactor;
}

}  // namespace homeward::service

#endif  // HOMEWARD_COMMON_SERVICE_REACTORS_H_
