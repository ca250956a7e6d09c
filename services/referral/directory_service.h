// DirectoryService handlers: thin RPC edges over the directory's rules
// (directory_rules.h), its HSDS documents (hsds_document.h) and its store
// (directory_store.h). Who may call what (docs/DIRECTORY.md, "Who may
// write"): reads, search and export are open to every authenticated role
// (the directory holds no case data); administrators maintain every entry;
// a partner agency (ROLE_PARTNER_AGENCY, Principal.agency_id = the
// organization_id) maintains its own organization's locations and services,
// updates its organization and sets its services' capacity, and imports a
// file whose every entry is its own organization's. Only administrators
// create organizations. Every other caller of a write: PERMISSION_DENIED.
//
//   parts.AddService<homeward::v1::DirectoryService>(
//       std::make_unique<DirectoryServiceImpl>(DirectoryServiceImpl::Parts{
//           .directory = directory, .taxonomies = taxonomies,
//           .verifier = parts.verifier()}));
#ifndef HOMEWARD_SERVICES_REFERRAL_DIRECTORY_SERVICE_H_
#define HOMEWARD_SERVICES_REFERRAL_DIRECTORY_SERVICE_H_

#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "common/auth/principal_token.h"
#include "common/programme/programme_catalogs.h"
#include "common/server/arena_messages.h"
#include "common/service/actor.h"
#include "common/service/reactors.h"
#include "common/service/rpc_method.h"
#include "common/status/status_macros.h"
#include "homeward/v1/directory.grpc.pb.h"
#include "services/referral/directory_rules.h"
#include "services/referral/directory_store.h"

namespace homeward::referral {

class DirectoryServiceImpl final
    : public homeward::v1::DirectoryService::CallbackService {
 public:
  // None owned; all outlive the handlers.
  struct Parts {
    DirectoryStore* directory = nullptr;
    // Components are checked against the latest version of each taxonomy
    // published here.
    const programme::TaxonomyCatalog* taxonomies = nullptr;
    const auth::PrincipalVerifier* verifier = nullptr;
  };
  explicit DirectoryServiceImpl(Parts parts) : parts_(parts) {
    SetMessageAllocatorFor_SearchServices(&search_messages_);
  }

  grpc::ServerUnaryReactor* CreateOrganization(
      grpc::CallbackServerContext* context,
      const homeward::v1::CreateOrganizationRequest* request,
      homeward::v1::Organization* response) override;
  grpc::ServerUnaryReactor* UpdateOrganization(
      grpc::CallbackServerContext* context,
      const homeward::v1::UpdateOrganizationRequest* request,
      homeward::v1::Organization* response) override;
  grpc::ServerUnaryReactor* GetOrganization(
      grpc::CallbackServerContext* context,
      const homeward::v1::GetOrganizationRequest* request,
      homeward::v1::Organization* response) override;
  grpc::ServerUnaryReactor* ListOrganizations(
      grpc::CallbackServerContext* context,
      const homeward::v1::ListOrganizationsRequest* request,
      homeward::v1::ListOrganizationsResponse* response) override;
  grpc::ServerUnaryReactor* CreateLocation(
      grpc::CallbackServerContext* context,
      const homeward::v1::CreateLocationRequest* request,
      homeward::v1::Location* response) override;
  grpc::ServerUnaryReactor* UpdateLocation(
      grpc::CallbackServerContext* context,
      const homeward::v1::UpdateLocationRequest* request,
      homeward::v1::Location* response) override;
  grpc::ServerUnaryReactor* GetLocation(
      grpc::CallbackServerContext* context,
      const homeward::v1::GetLocationRequest* request,
      homeward::v1::Location* response) override;
  grpc::ServerUnaryReactor* CreateService(
      grpc::CallbackServerContext* context,
      const homeward::v1::CreateServiceRequest* request,
      homeward::v1::HumanService* response) override;
  grpc::ServerUnaryReactor* UpdateService(
      grpc::CallbackServerContext* context,
      const homeward::v1::UpdateServiceRequest* request,
      homeward::v1::HumanService* response) override;
  grpc::ServerUnaryReactor* GetService(
      grpc::CallbackServerContext* context,
      const homeward::v1::GetServiceRequest* request,
      homeward::v1::HumanService* response) override;
  grpc::ServerUnaryReactor* SetServiceCapacity(
      grpc::CallbackServerContext* context,
      const homeward::v1::SetServiceCapacityRequest* request,
      homeward::v1::HumanService* response) override;
  grpc::ServerUnaryReactor* SearchServices(
      grpc::CallbackServerContext* context,
      const homeward::v1::SearchServicesRequest* request,
      homeward::v1::SearchServicesResponse* response) override;
  grpc::ServerUnaryReactor* ImportHsds(
      grpc::CallbackServerContext* context,
      const homeward::v1::ImportHsdsRequest* request,
      homeward::v1::ImportHsdsResponse* response) override;
  grpc::ServerUnaryReactor* ExportHsds(
      grpc::CallbackServerContext* context,
      const homeward::v1::ExportHsdsRequest* request,
      homeward::v1::ExportHsdsResponse* response) override;

 private:
  // The components services may name: the latest version of each
  // published taxonomy.
  absl::StatusOr<ComponentTerms> Terms() const;

  // Writes: an error at once, or OK with `done` handed to the store.
  absl::Status Create(const service::Actor& actor,
                      const homeward::v1::CreateOrganizationRequest& request,
                      service::WriteDone<homeward::v1::Organization> done);
  absl::Status Update(const service::Actor& actor,
                      const homeward::v1::UpdateOrganizationRequest& request,
                      service::WriteDone<homeward::v1::Organization> done);
  absl::Status Create(const service::Actor& actor,
                      const homeward::v1::CreateLocationRequest& request,
                      service::WriteDone<homeward::v1::Location> done);
  absl::Status Update(const service::Actor& actor,
                      const homeward::v1::UpdateLocationRequest& request,
                      service::WriteDone<homeward::v1::Location> done);
  absl::Status Create(const service::Actor& actor,
                      const homeward::v1::CreateServiceRequest& request,
                      service::WriteDone<homeward::v1::HumanService> done);
  absl::Status Update(const service::Actor& actor,
                      const homeward::v1::UpdateServiceRequest& request,
                      service::WriteDone<homeward::v1::HumanService> done);
  absl::Status SetCapacity(
      const service::Actor& actor,
      const homeward::v1::SetServiceCapacityRequest& request,
      service::WriteDone<homeward::v1::HumanService> done);
  absl::Status Import(
      const service::Actor& actor,
      const homeward::v1::ImportHsdsRequest& request,
      service::WriteDone<homeward::v1::ImportHsdsResponse> done);

  // Finishes the call with what `read` says, run as the caller.
  template <typename Read>
  grpc::ServerUnaryReactor* Serve(const service::RpcMethod& method,
                                  grpc::CallbackServerContext* context,
                                  Read read) {
    absl::StatusOr<service::Actor> actor =
        method.ActorOf(*context, *parts_.verifier);
    return service::FinishNow(context, method,
                              actor.ok() ? read(*actor) : actor.status());
  }
  // Starts `write` as the caller; the call finishes when it is durable.
  template <typename Response, typename Write>
  grpc::ServerUnaryReactor* ServeWrite(const service::RpcMethod& method,
                                       grpc::CallbackServerContext* context,
                                       Response* response, Write write) {
    return service::FinishAfterWrite<Response>(
        context, method, response,
        [&](service::WriteDone<Response> done) -> absl::Status {
          ASSIGN_OR_RETURN(service::Actor actor,
                           method.ActorOf(*context, *parts_.verifier));
          return write(actor, std::move(done));
        });
  }

  Parts parts_;
  // SearchServices is the hot read (a page of whole services decoded from
  // storage): its messages live on a per-call arena, and the services are
  // decoded straight into the answer (DirectoryStore::SearchInto).
  server::ArenaMessages<homeward::v1::SearchServicesRequest,
                        homeward::v1::SearchServicesResponse>
      search_messages_;
};

}  // namespace homeward::referral

#endif  // HOMEWARD_SERVICES_REFERRAL_DIRECTORY_SERVICE_H_
