// Callers of service RPCs; see actor.h.
#include "common/service/actor.h"

#include "common/server/server_kit.h"
#include "common/status/status_macros.h"
#include "homeward/v1/roles.pb.h"

namespace homeward::service {

absl::StatusOr<Actor> ActorFrom(const grpc::ServerContextBase& context,
                                const auth::PrincipalVerifier& verifier,
                                absl::string_view method) {
  Actor actor;
  ASSIGN_OR_RETURN(actor.principal, verifier.Verify(context));
  actor.request_id = server::RequestIdOf(context);
  actor.method = std::string(method);
  return actor;
}

homeward::internal::v1::AuditEntry AuditEntryFor(const Actor& actor,
                                                 absl::string_view subject_id) {
  homeward::internal::v1::AuditEntry entry;
  entry.set_user_id(actor.principal.user_id());
  entry.set_role(homeward::v1::Role_Name(actor.principal.role()));
  entry.set_action(actor.method);
  entry.set_subject_id(std::string(subject_id));
  entry.set_request_id(actor.request_id);
  return entry;
}

}  // namespace homeward::service
