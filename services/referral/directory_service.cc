// DirectoryService handlers; see directory_service.h.
#include "services/referral/directory_service.h"

#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/api/field_checks.h"
#include "common/api/paging.h"
#include "common/status/errors.h"
#include "common/storage/ids.h"
#include "services/referral/hsds_document.h"

namespace homeward::referral {
namespace {

using homeward::internal::v1::Principal;
using homeward::v1::HumanService;
using homeward::v1::Location;
using homeward::v1::Organization;

constexpr service::RpcMethod kCreateOrganization{
    "homeward.v1.DirectoryService/CreateOrganization"};
constexpr service::RpcMethod kUpdateOrganization{
    "homeward.v1.DirectoryService/UpdateOrganization"};
constexpr service::RpcMethod kGetOrganization{
    "homeward.v1.DirectoryService/GetOrganization"};
constexpr service::RpcMethod kListOrganizations{
    "homeward.v1.DirectoryService/ListOrganizations"};
constexpr service::RpcMethod kCreateLocation{
    "homeward.v1.DirectoryService/CreateLocation"};
constexpr service::RpcMethod kUpdateLocation{
    "homeward.v1.DirectoryService/UpdateLocation"};
constexpr service::RpcMethod kGetLocation{
    "homeward.v1.DirectoryService/GetLocation"};
constexpr service::RpcMethod kCreateService{
    "homeward.v1.DirectoryService/CreateService"};
constexpr service::RpcMethod kUpdateService{
    "homeward.v1.DirectoryService/UpdateService"};
constexpr service::RpcMethod kGetService{
    "homeward.v1.DirectoryService/GetService"};
constexpr service::RpcMethod kSetServiceCapacity{
    "homeward.v1.DirectoryService/SetServiceCapacity"};
constexpr service::RpcMethod kSearchServices{
    "homeward.v1.DirectoryService/SearchServices"};
constexpr service::RpcMethod kImportHsds{
    "homeward.v1.DirectoryService/ImportHsds"};
constexpr service::RpcMethod kExportHsds{
    "homeward.v1.DirectoryService/ExportHsds"};

bool IsAdministrator(const Principal& p) {
  return p.role() == homeward::v1::ROLE_ADMINISTRATOR;
}

// Administrators and partner agencies maintain the directory; nobody else.
absl::Status CheckMaintainerRole(const Principal& p) {
  if (IsAdministrator(p) || p.role() == homeward::v1::ROLE_PARTNER_AGENCY) {
    return absl::OkStatus();
  }
  return errors::PermissionDenied(
      "only administrators and partner agencies (for their own organization) "
      "maintain the service directory");
}

// A partner agency maintains only the entries of its own organization.
absl::Status CheckMaintains(const Principal& p,
                            absl::string_view organization_id) {
  RETURN_IF_ERROR(CheckMaintainerRole(p));
  if (IsAdministrator(p)) return absl::OkStatus();
  if (!p.agency_id().empty() && p.agency_id() == organization_id) {
    return absl::OkStatus();
  }
  return errors::PermissionDenied(absl::StrCat(
      "a partner agency maintains only its own organization's entries: "
      "agency '",
      p.agency_id(), "' cannot change entries of organization '",
      organization_id, "'"));
}

absl::Status CheckAdministrator(const Principal& p, absl::string_view what) {
  if (IsAdministrator(p)) return absl::OkStatus();
  return errors::PermissionDenied(absl::StrCat("only administrators ", what));
}

// Directory writes reach every replica: each must carry its request id.
void CheckWriteRequestId(errors::FieldViolations& bad,
                         absl::string_view request_id) {
  if (request_id.empty()) {
    bad.Add("request_id",
            absl::StrCat("is required (every replica applies the same write, "
                         "and a retry answers what the first stored); ",
                         storage::kRequestIdRule));
    return;
  }
  api::CheckRequestId(bad, request_id);
}

void CheckEntryId(errors::FieldViolations& bad, const std::string& field,
                  absl::string_view id) {
  if (!IsDirectoryId(id)) {
    bad.Add(field, absl::StrCat("is required; ", kDirectoryIdRule));
  }
}

// The response of an import: its counts.
homeward::v1::ImportHsdsResponse Counted(const ImportCounts& counts) {
  homeward::v1::ImportHsdsResponse response;
  response.set_organizations(counts.organizations);
  response.set_locations(counts.locations);
  response.set_services(counts.services);
  return response;
}

}  // namespace

// ------------------------------------------------------------- RPC edges

grpc::ServerUnaryReactor* DirectoryServiceImpl::CreateOrganization(
    grpc::CallbackServerContext* context,
    const homeward::v1::CreateOrganizationRequest* request,
    Organization* response) {
  return ServeWrite(
      kCreateOrganization, context, response,
      [&](auto& a, auto done) { return Create(a, *request, std::move(done)); });
}
grpc::ServerUnaryReactor* DirectoryServiceImpl::UpdateOrganization(
    grpc::CallbackServerContext* context,
    const homeward::v1::UpdateOrganizationRequest* request,
    Organization* response) {
  return ServeWrite(
      kUpdateOrganization, context, response,
      [&](auto& a, auto done) { return Update(a, *request, std::move(done)); });
}
grpc::ServerUnaryReactor* DirectoryServiceImpl::GetOrganization(
    grpc::CallbackServerContext* context,
    const homeward::v1::GetOrganizationRequest* request,
    Organization* response) {
  return Serve(kGetOrganization, context, [&](auto&) -> absl::Status {
    errors::FieldViolations bad;
    CheckEntryId(bad, "organization_id", request->organization_id());
    RETURN_IF_ERROR(bad.ToStatus());
    ASSIGN_OR_RETURN(*response, parts_.directory->GetOrganization(
                                    request->organization_id()));
    return absl::OkStatus();
  });
}
grpc::ServerUnaryReactor* DirectoryServiceImpl::ListOrganizations(
    grpc::CallbackServerContext* context,
    const homeward::v1::ListOrganizationsRequest* request,
    homeward::v1::ListOrganizationsResponse* response) {
  return Serve(kListOrganizations, context, [&](auto&) -> absl::Status {
    errors::FieldViolations bad;
    api::CheckPageRequest(bad, request->page());
    RETURN_IF_ERROR(bad.ToStatus());
    ASSIGN_OR_RETURN(storage::Page<Organization> page,
                     parts_.directory->ListOrganizations(
                         api::EffectivePageSize(request->page()),
                         request->page().page_token()));
    for (Organization& o : page.items) {
      *response->add_organizations() = std::move(o);
    }
    response->set_next_page_token(std::move(page.next_page_token));
    return absl::OkStatus();
  });
}
grpc::ServerUnaryReactor* DirectoryServiceImpl::CreateLocation(
    grpc::CallbackServerContext* context,
    const homeward::v1::CreateLocationRequest* request, Location* response) {
  return ServeWrite(
      kCreateLocation, context, response,
      [&](auto& a, auto done) { return Create(a, *request, std::move(done)); });
}
grpc::ServerUnaryReactor* DirectoryServiceImpl::UpdateLocation(
    grpc::CallbackServerContext* context,
    const homeward::v1::UpdateLocationRequest* request, Location* response) {
  return ServeWrite(
      kUpdateLocation, context, response,
      [&](auto& a, auto done) { return Update(a, *request, std::move(done)); });
}
grpc::ServerUnaryReactor* DirectoryServiceImpl::GetLocation(
    grpc::CallbackServerContext* context,
    const homeward::v1::GetLocationRequest* request, Location* response) {
  return Serve(kGetLocation, context, [&](auto&) -> absl::Status {
    errors::FieldViolations bad;
    CheckEntryId(bad, "location_id", request->location_id());
    RETURN_IF_ERROR(bad.ToStatus());
    ASSIGN_OR_RETURN(*response,
                     parts_.directory->GetLocation(request->location_id()));
    return absl::OkStatus();
  });
}
grpc::ServerUnaryReactor* DirectoryServiceImpl::CreateService(
    grpc::CallbackServerContext* context,
    const homeward::v1::CreateServiceRequest* request, HumanService* response) {
  return ServeWrite(kCreateService, context, response, [&](auto& a, auto done) {
    return Create(a, *request, std::move(done));
  });
}
grpc::ServerUnaryReactor* DirectoryServiceImpl::UpdateService(
    grpc::CallbackServerContext* context,
    const homeward::v1::UpdateServiceRequest* request, HumanService* response) {
  return ServeWrite(kUpdateService, context, response, [&](auto& a, auto done) {
    return Update(a, *request, std::move(done));
  });
}
grpc::ServerUnaryReactor* DirectoryServiceImpl::GetService(
    grpc::CallbackServerContext* context,
    const homeward::v1::GetServiceRequest* request, HumanService* response) {
  return Serve(kGetService, context, [&](auto&) -> absl::Status {
    errors::FieldViolations bad;
    CheckEntryId(bad, "service_id", request->service_id());
    RETURN_IF_ERROR(bad.ToStatus());
    ASSIGN_OR_RETURN(*response,
                     parts_.directory->GetService(request->service_id()));
    return absl::OkStatus();
  });
}
grpc::ServerUnaryReactor* DirectoryServiceImpl::SetServiceCapacity(
    grpc::CallbackServerContext* context,
    const homeward::v1::SetServiceCapacityRequest* request,
    HumanService* response) {
  return ServeWrite(kSetServiceCapacity, context, response,
                    [&](auto& a, auto done) {
                      return SetCapacity(a, *request, std::move(done));
                    });
}
grpc::ServerUnaryReactor* DirectoryServiceImpl::SearchServices(
    grpc::CallbackServerContext* context,
    const homeward::v1::SearchServicesRequest* request,
    homeward::v1::SearchServicesResponse* response) {
  return Serve(kSearchServices, context, [&](auto&) -> absl::Status {
    RETURN_IF_ERROR(CheckSearch(*request).ToStatus());
    // Straight into the answer, which lives on the call's arena.
    return parts_.directory->SearchInto(*request, response);
  });
}
grpc::ServerUnaryReactor* DirectoryServiceImpl::ImportHsds(
    grpc::CallbackServerContext* context,
    const homeward::v1::ImportHsdsRequest* request,
    homeward::v1::ImportHsdsResponse* response) {
  return ServeWrite(kImportHsds, context, response, [&](auto& a, auto done) {
    return Import(a, *request, std::move(done));
  });
}
grpc::ServerUnaryReactor* DirectoryServiceImpl::ExportHsds(
    grpc::CallbackServerContext* context,
    const homeward::v1::ExportHsdsRequest* request,
    homeward::v1::ExportHsdsResponse* response) {
  return Serve(kExportHsds, context, [&](auto&) -> absl::Status {
    if (!request->organization_id().empty()) {
      errors::FieldViolations bad;
      CheckEntryId(bad, "organization_id", request->organization_id());
      RETURN_IF_ERROR(bad.ToStatus());
    }
    ASSIGN_OR_RETURN(ComponentTerms terms, Terms());
    ASSIGN_OR_RETURN(DirectoryEntries entries,
                     parts_.directory->ReadAll(request->organization_id()));
    *response->mutable_document() = WriteHsds(entries, terms);
    return absl::OkStatus();
  });
}

// -------------------------------------------------------------- handlers

absl::StatusOr<ComponentTerms> DirectoryServiceImpl::Terms() const {
  std::vector<homeward::v1::Taxonomy> taxonomies;
  std::string token;
  do {
    ASSIGN_OR_RETURN(storage::Page<homeward::v1::Taxonomy> page,
                     parts_.taxonomies->List(api::kMaxPageSize, token));
    for (auto& t : page.items) taxonomies.push_back(std::move(t));
    token = std::move(page.next_page_token);
  } while (!token.empty());
  return ComponentTermsOf(taxonomies);
}

absl::Status DirectoryServiceImpl::Create(
    const service::Actor& actor,
    const homeward::v1::CreateOrganizationRequest& request,
    service::WriteDone<Organization> done) {
  RETURN_IF_ERROR(CheckAdministrator(actor.principal, "create organizations"));
  errors::FieldViolations bad;
  CheckWriteRequestId(bad, request.request_id());
  bad.AddAll(
      CheckOrganization(request.organization(), IdPolicy::kDerivedWhenEmpty),
      "organization.");
  RETURN_IF_ERROR(bad.ToStatus());
  parts_.directory->CreateOrganization(actor, request.request_id(),
                                       request.organization(), std::move(done));
  return absl::OkStatus();
}

absl::Status DirectoryServiceImpl::Update(
    const service::Actor& actor,
    const homeward::v1::UpdateOrganizationRequest& request,
    service::WriteDone<Organization> done) {
  RETURN_IF_ERROR(CheckMaintains(actor.principal,
                                 request.organization().organization_id()));
  errors::FieldViolations bad;
  CheckWriteRequestId(bad, request.request_id());
  bad.AddAll(CheckOrganization(request.organization(), IdPolicy::kRequired),
             "organization.");
  RETURN_IF_ERROR(bad.ToStatus());
  return parts_.directory->UpdateOrganization(
      actor, request.request_id(), request.organization(), std::move(done));
}

absl::Status DirectoryServiceImpl::Create(
    const service::Actor& actor,
    const homeward::v1::CreateLocationRequest& request,
    service::WriteDone<Location> done) {
  RETURN_IF_ERROR(
      CheckMaintains(actor.principal, request.location().organization_id()));
  ASSIGN_OR_RETURN(ComponentTerms terms, Terms());
  errors::FieldViolations bad;
  CheckWriteRequestId(bad, request.request_id());
  bad.AddAll(CheckLocation(request.location(), IdPolicy::kDerivedWhenEmpty,
                           parts_.directory->Facts(&terms)),
             "location.");
  RETURN_IF_ERROR(bad.ToStatus());
  parts_.directory->CreateLocation(actor, request.request_id(),
                                   request.location(), std::move(done));
  return absl::OkStatus();
}

absl::Status DirectoryServiceImpl::Update(
    const service::Actor& actor,
    const homeward::v1::UpdateLocationRequest& request,
    service::WriteDone<Location> done) {
  RETURN_IF_ERROR(
      CheckMaintains(actor.principal, request.location().organization_id()));
  ASSIGN_OR_RETURN(ComponentTerms terms, Terms());
  errors::FieldViolations bad;
  CheckWriteRequestId(bad, request.request_id());
  bad.AddAll(CheckLocation(request.location(), IdPolicy::kRequired,
                           parts_.directory->Facts(&terms)),
             "location.");
  RETURN_IF_ERROR(bad.ToStatus());
  // The store refuses moving the location to another organization, so a
  // partner cannot take over another agency's entry by naming its own.
  return parts_.directory->UpdateLocation(actor, request.request_id(),
                                          request.location(), std::move(done));
}

absl::Status DirectoryServiceImpl::Create(
    const service::Actor& actor,
    const homeward::v1::CreateServiceRequest& request,
    service::WriteDone<HumanService> done) {
  RETURN_IF_ERROR(
      CheckMaintains(actor.principal, request.service().organization_id()));
  ASSIGN_OR_RETURN(ComponentTerms terms, Terms());
  errors::FieldViolations bad;
  CheckWriteRequestId(bad, request.request_id());
  bad.AddAll(CheckService(request.service(), IdPolicy::kDerivedWhenEmpty,
                          parts_.directory->Facts(&terms)),
             "service.");
  RETURN_IF_ERROR(bad.ToStatus());
  parts_.directory->CreateService(actor, request.request_id(),
                                  request.service(), std::move(done));
  return absl::OkStatus();
}

absl::Status DirectoryServiceImpl::Update(
    const service::Actor& actor,
    const homeward::v1::UpdateServiceRequest& request,
    service::WriteDone<HumanService> done) {
  RETURN_IF_ERROR(
      CheckMaintains(actor.principal, request.service().organization_id()));
  ASSIGN_OR_RETURN(ComponentTerms terms, Terms());
  errors::FieldViolations bad;
  CheckWriteRequestId(bad, request.request_id());
  bad.AddAll(CheckService(request.service(), IdPolicy::kRequired,
                          parts_.directory->Facts(&terms)),
             "service.");
  RETURN_IF_ERROR(bad.ToStatus());
  return parts_.directory->UpdateService(actor, request.request_id(),
                                         request.service(), std::move(done));
}

absl::Status DirectoryServiceImpl::SetCapacity(
    const service::Actor& actor,
    const homeward::v1::SetServiceCapacityRequest& request,
    service::WriteDone<HumanService> done) {
  RETURN_IF_ERROR(CheckMaintainerRole(actor.principal));
  errors::FieldViolations bad;
  CheckWriteRequestId(bad, request.request_id());
  CheckEntryId(bad, "service_id", request.service_id());
  bad.AddAll(CheckCapacity(request.capacity()), "capacity.");
  RETURN_IF_ERROR(bad.ToStatus());
  ASSIGN_OR_RETURN(HumanService stored,
                   parts_.directory->GetService(request.service_id()));
  RETURN_IF_ERROR(CheckMaintains(actor.principal, stored.organization_id()));
  return parts_.directory->SetCapacity(actor, request.request_id(),
                                       request.service_id(), request.etag(),
                                       request.capacity(), std::move(done));
}

absl::Status DirectoryServiceImpl::Import(
    const service::Actor& actor, const homeward::v1::ImportHsdsRequest& request,
    service::WriteDone<homeward::v1::ImportHsdsResponse> done) {
  RETURN_IF_ERROR(CheckMaintainerRole(actor.principal));
  ASSIGN_OR_RETURN(ComponentTerms terms, Terms());
  errors::FieldViolations bad;
  CheckWriteRequestId(bad, request.request_id());
  HsdsFile file = ReadHsds(request.document(), terms, bad);
  const DirectoryEntries& e = file.entries;
  if (e.organizations.empty() && e.locations.empty() && e.services.empty() &&
      bad.empty()) {
    bad.Add("document",
            "must hold at least one entry in \"organizations\", "
            "\"locations\" or \"services\" (HSDS 3.0 field names)");
  }

  // A partner agency imports only its own organization's entries, and may
  // not create its organization (administrators create organizations).
  if (!IsAdministrator(actor.principal)) {
    for (size_t i = 0; i < e.organizations.size(); ++i) {
      const std::string& id = e.organizations[i].organization_id();
      RETURN_IF_ERROR(CheckMaintains(actor.principal, id));
      if (!parts_.directory->GetOrganization(id).ok()) {
        return CheckAdministrator(
            actor.principal,
            absl::StrCat("create organizations (organizations[", i, "] '", id,
                         "' is not in the directory)"));
      }
    }
    for (const Location& l : e.locations) {
      RETURN_IF_ERROR(CheckMaintains(actor.principal, l.organization_id()));
    }
    for (const HumanService& s : e.services) {
      RETURN_IF_ERROR(CheckMaintains(actor.principal, s.organization_id()));
    }
  }

  CheckHsdsFile(file, parts_.directory->Facts(&terms), bad);
  RETURN_IF_ERROR(bad.ToStatus());

  ImportCounts counts;
  counts.organizations = static_cast<int>(e.organizations.size());
  counts.locations = static_cast<int>(e.locations.size());
  counts.services = static_cast<int>(e.services.size());
  if (request.validate_only()) {
    done(Counted(counts));
    return absl::OkStatus();
  }
  return parts_.directory->Import(
      actor, request.request_id(), std::move(file.entries),
      [done = std::move(done)](absl::StatusOr<ImportCounts> stored) {
        if (!stored.ok()) return done(stored.status());
        done(Counted(*stored));
      });
}

}  // namespace homeward::referral
