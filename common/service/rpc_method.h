// One RPC method of a service, named once: the full name that actors and
// audit entries record ("homeward.v1.ConsentService/RecordConsent") and the
// short name the request log shows ("ConsentService/RecordConsent") both come
// from it, so a handler cannot log one method and audit another.
//
//   constexpr service::RpcMethod kRecordConsent{
//       "homeward.v1.ConsentService/RecordConsent"};
//
//   grpc::Status RecordConsent(grpc::ServerContext* context, ...) override {
//     return kRecordConsent.Finish(*context, Record(*context, ...));
//   }
//   absl::Status Record(const grpc::ServerContext& context, ...) {
//     ASSIGN_OR_RETURN(service::Actor actor,
//                      kRecordConsent.ActorOf(context, *verifier_));
#ifndef HOMEWARD_COMMON_SERVICE_RPC_METHOD_H_
#define HOMEWARD_COMMON_SERVICE_RPC_METHOD_H_

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/auth/principal_token.h"
#include "common/service/actor.h"
#include "grpcpp/server_context.h"
#include "grpcpp/support/status.h"

namespace homeward::service {

class RpcMethod {
 public:
  // `full_name` is "<package>.<Service>/<Method>" and must outlive the
  // RpcMethod (a string literal).
  constexpr explicit RpcMethod(absl::string_view full_name)
      : full_name_(full_name) {}

  // "homeward.v1.ConsentService/RecordConsent": what actors carry into
  // events and the audit trail.
  absl::string_view full_name() const { return full_name_; }
  // "ConsentService/RecordConsent": the package dropped, as request log
  // lines name methods.
  absl::string_view log_name() const;

  // The caller of this method: UNAUTHENTICATED without a valid principal
  // signed by the gateway (see ActorFrom).
  absl::StatusOr<Actor> ActorOf(const grpc::ServerContextBase& context,
                                const auth::PrincipalVerifier& verifier) const;

  // Converts a handler's outcome at the RPC edge and logs it under
  // log_name() (server::Finish).
  grpc::Status Finish(const grpc::ServerContextBase& context,
                      const absl::Status& status) const;

 private:
  absl::string_view full_name_;
};

}  // namespace homeward::service

#endif  // HOMEWARD_COMMON_SERVICE_RPC_METHOD_H_
