// Who is acting, in which call: every Homeward service resolves the caller of
// each RPC into an Actor (the verified principal the gateway signed, the
// request id, the method) and passes it down to its store, which records it
// in events and in the audit trail.
//
//   ASSIGN_OR_RETURN(service::Actor actor,
//                    service::ActorFrom(*context, verifier,
//                                       "homeward.v1.ConsentService/ListConsents"));
//   set.Audit(service::AuditEntryFor(actor, case_id));
//   store.CommitAsync(std::move(set), ...);  // then a WriteDone<T> callback
#ifndef HOMEWARD_COMMON_SERVICE_ACTOR_H_
#define HOMEWARD_COMMON_SERVICE_ACTOR_H_

#include <functional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/auth/principal_token.h"
#include "grpcpp/server_context.h"
#include "homeward/internal/v1/principal.pb.h"
#include "homeward/internal/v1/storage.pb.h"

namespace homeward::service {

struct Actor {
  homeward::internal::v1::Principal principal;
  std::string request_id;
  std::string method;  // full name, "homeward.v1.CaseService/GetCase"
};

// UNAUTHENTICATED without a valid signed principal. `method` is the full
// method name, e.g. "homeward.v1.ConsentService/RecordConsent".
absl::StatusOr<Actor> ActorFrom(const grpc::ServerContextBase& context,
                                const auth::PrincipalVerifier& verifier,
                                absl::string_view method);

// The audit entry of `actor` touching `subject_id`. Entries hold identifiers
// only; for case data the subject is the case, so that "who touched this
// returnee's data" is one question over the trail.
homeward::internal::v1::AuditEntry AuditEntryFor(const Actor& actor,
                                                 absl::string_view subject_id);

// Receives the result of a durable write, on the store's completion thread:
// it must be quick and must not wait for another write.
template <typename T>
using WriteDone = std::function<void(absl::StatusOr<T>)>;

}  // namespace homeward::service

#endif  // HOMEWARD_COMMON_SERVICE_ACTOR_H_
