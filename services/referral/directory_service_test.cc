// DirectoryService through a real gRPC server: a test-local composition on
// the service host (RocksDB in a temp dir, loopback port 0, the shipped
// taxonomy published at start), calls signed as the gateway signs them.
// Covers who may write (administrators everywhere, a partner agency only
// for its own organization), search over the example directory, the HSDS
// round trip (export -> import -> export identical, into the same and into
// a fresh store) and a malformed file refused whole.
#include "services/referral/directory_service.h"

#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/programme/programme_catalogs.h"
#include "common/programme/programme_files.h"
#include "common/service/service_host.h"
#include "common/status/errors.h"
#include "common/status/grpc_status.h"
#include "common/status/status_matchers.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/json_util.h"
#include "google/protobuf/util/message_differencer.h"
#include "grpcpp/client_context.h"
#include "gtest/gtest.h"
#include "homeward/v1/directory.grpc.pb.h"
#include "services/referral/directory_store.h"
#include "tests/fixtures/assessment_server.h"
#include "tests/fixtures/case_fixtures.h"
#include "tests/fixtures/temp_dir.h"

namespace homeward::referral {
namespace {

using ::homeward::testing::IsOk;
using ::homeward::testing::MakePrincipal;
using ::homeward::testing::SignAs;
using internal::v1::Principal;
using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::UnorderedElementsAre;

const Principal kAdmin = MakePrincipal("admin-1", v1::ROLE_ADMINISTRATOR, {});
const Principal kCaseManager =
    MakePrincipal("cm-1", v1::ROLE_CASE_MANAGER, {"office-dakar"});

Principal Partner(const std::string& agency) {
  Principal p = MakePrincipal("pa-" + agency, v1::ROLE_PARTNER_AGENCY, {});
  p.set_agency_id(agency);
  return p;
}

std::vector<std::string> FieldsOf(const grpc::Status& status) {
  std::vector<std::string> fields;
  for (const auto& v : errors::FieldViolationsOf(FromGrpcStatus(status))) {
    fields.push_back(v.field);
  }
  return fields;
}

google::protobuf::Struct JsonFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  google::protobuf::Struct document;
  auto status =
      google::protobuf::util::JsonStringToMessage(text.str(), &document);
  EXPECT_TRUE(status.ok()) << path << ": " << status.ToString();
  return document;
}

google::protobuf::Struct ExampleDirectory() {
  return JsonFile(std::string(HOMEWARD_SOURCE_DIR) +
                  "/deploy/directory/example_directory.json");
}

// The directory alone on a service host, as the referral server composes it.
class DirectoryServer {
 public:
  static std::unique_ptr<DirectoryServer> Start(const std::string& dir) {
    const service::ServiceDefinition definition{
        .name = "referral",
        .build = [](service::ServiceParts& parts) -> absl::Status {
          auto* taxonomies =
              parts.Own(std::make_unique<programme::TaxonomyCatalog>(
                  parts.store(), programme::kTaxonomySchema));
          RETURN_IF_ERROR(programme::PublishTaxonomyDir(
              std::string(HOMEWARD_SOURCE_DIR) + "/deploy/taxonomy",
              *taxonomies, programme::StartupLoader("taxonomy")));
          auto* directory =
              parts.Own(std::make_unique<DirectoryStore>(parts.store()));
          parts.AddService<v1::DirectoryService>(
              std::make_unique<DirectoryServiceImpl>(
                  DirectoryServiceImpl::Parts{.directory = directory,
                                              .taxonomies = taxonomies,
                                              .verifier = parts.verifier()}));
          return absl::OkStatus();
        }};
    auto host = service::ServiceHost::Start(
        definition, testing::LoopbackServiceConfig(dir), testing::kTestSecret);
    EXPECT_THAT(host.status(), IsOk());
    if (!host.ok()) return nullptr;
    auto server = std::make_unique<DirectoryServer>();
    server->host_ = std::move(*host);
    server->stub_ = v1::DirectoryService::NewStub(
        testing::LoopbackChannel(server->host_->port()));
    return server;
  }

  v1::DirectoryService::Stub& stub() { return *stub_; }

 private:
  std::unique_ptr<service::ServiceHost> host_;
  std::unique_ptr<v1::DirectoryService::Stub> stub_;
};

class DirectoryServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = DirectoryServer::Start(dir_.path() + "/referral");
    ASSERT_NE(server_, nullptr);
  }

  // Calls `method` on `server` as `who`.
  template <typename Request, typename Response, typename Method>
  grpc::Status Call(const Principal& who, Method method, const Request& request,
                    Response* response, DirectoryServer* server = nullptr) {
    grpc::ClientContext context;
    SignAs(who, &context);
    auto& stub = (server != nullptr ? server : server_.get())->stub();
    return (stub.*method)(&context, request, response);
  }

  grpc::Status CreateOrganization(const Principal& who, const std::string& id,
                                  v1::Organization* out = nullptr) {
    v1::CreateOrganizationRequest r;
    r.set_request_id("create-" + id);
    r.mutable_organization()->set_organization_id(id);
    r.mutable_organization()->set_name("Organization " + id);
    v1::Organization ignored;
    return Call(who, &v1::DirectoryService::Stub::CreateOrganization, r,
                out != nullptr ? out : &ignored);
  }

  grpc::Status CreateService(const Principal& who, const std::string& id,
                             const std::string& organization,
                             v1::HumanService* out = nullptr) {
    v1::CreateServiceRequest r;
    r.set_request_id("create-" + id);
    auto* s = r.mutable_service();
    s->set_service_id(id);
    s->set_organization_id(organization);
    s->set_name("Service " + id);
    s->set_status(v1::SERVICE_STATUS_ACTIVE);
    s->add_components("housing");
    s->add_service_areas()->set_name("Dakar");
    v1::HumanService ignored;
    return Call(who, &v1::DirectoryService::Stub::CreateService, r,
                out != nullptr ? out : &ignored);
  }

  grpc::Status Import(const Principal& who, const std::string& request_id,
                      const google::protobuf::Struct& document,
                      v1::ImportHsdsResponse* out = nullptr,
                      DirectoryServer* server = nullptr) {
    v1::ImportHsdsRequest r;
    r.set_request_id(request_id);
    *r.mutable_document() = document;
    v1::ImportHsdsResponse ignored;
    return Call(who, &v1::DirectoryService::Stub::ImportHsds, r,
                out != nullptr ? out : &ignored, server);
  }

  google::protobuf::Struct Export(DirectoryServer* server = nullptr,
                                  const std::string& organization = "") {
    v1::ExportHsdsRequest r;
    r.set_organization_id(organization);
    v1::ExportHsdsResponse response;
    grpc::Status status =
        Call(kCaseManager, &v1::DirectoryService::Stub::ExportHsds, r,
             &response, server);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return response.document();
  }

  std::vector<std::string> Search(const v1::SearchServicesRequest& r,
                                  const Principal& who = kCaseManager) {
    v1::SearchServicesResponse response;
    grpc::Status status =
        Call(who, &v1::DirectoryService::Stub::SearchServices, r, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    std::vector<std::string> ids;
    for (const auto& s : response.services()) ids.push_back(s.service_id());
    return ids;
  }

  testing::TempDir dir_;
  std::unique_ptr<DirectoryServer> server_;
};

TEST_F(DirectoryServiceTest, PartnerAgencyMaintainsOnlyItsOwnOrganization) {
  // Only administrators create organizations.
  EXPECT_EQ(CreateOrganization(Partner("org-a"), "org-a").error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(CreateOrganization(kCaseManager, "org-a").error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  v1::Organization org_a;
  ASSERT_TRUE(CreateOrganization(kAdmin, "org-a", &org_a).ok());
  ASSERT_TRUE(CreateOrganization(kAdmin, "org-b").ok());

  // Services: its own organization's, not another's.
  v1::HumanService own;
  ASSERT_TRUE(CreateService(Partner("org-a"), "svc-a1", "org-a", &own).ok());
  EXPECT_EQ(CreateService(Partner("org-a"), "svc-b1", "org-b").error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  v1::HumanService theirs;
  ASSERT_TRUE(CreateService(kAdmin, "svc-b1", "org-b", &theirs).ok());
  EXPECT_EQ(CreateService(kCaseManager, "svc-x", "org-a").error_code(),
            grpc::StatusCode::PERMISSION_DENIED);

  // Updating another agency's service, even naming its own organization
  // (the store refuses the move), changes nothing.
  v1::UpdateServiceRequest update;
  update.set_request_id("u1");
  *update.mutable_service() = theirs;
  update.mutable_service()->set_name("Taken over");
  v1::HumanService updated;
  EXPECT_EQ(Call(Partner("org-a"), &v1::DirectoryService::Stub::UpdateService,
                 update, &updated)
                .error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  update.mutable_service()->set_organization_id("org-a");
  EXPECT_EQ(Call(Partner("org-a"), &v1::DirectoryService::Stub::UpdateService,
                 update, &updated)
                .error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);

  // Capacity: the own agency and administrators.
  v1::SetServiceCapacityRequest capacity;
  capacity.set_request_id("k1");
  capacity.set_service_id("svc-b1");
  capacity.set_etag(theirs.etag());
  capacity.mutable_capacity()->set_status(v1::CAPACITY_STATUS_AVAILABLE);
  EXPECT_EQ(
      Call(Partner("org-a"), &v1::DirectoryService::Stub::SetServiceCapacity,
           capacity, &updated)
          .error_code(),
      grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(Call(kCaseManager, &v1::DirectoryService::Stub::SetServiceCapacity,
                 capacity, &updated)
                .error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  capacity.set_service_id("svc-a1");
  capacity.set_etag(own.etag());
  ASSERT_TRUE(Call(Partner("org-a"),
                   &v1::DirectoryService::Stub::SetServiceCapacity, capacity,
                   &updated)
                  .ok());
  EXPECT_EQ(updated.capacity().updated_by(), "pa-org-a");

  // Its organization's own entry, not another's.
  v1::UpdateOrganizationRequest org_update;
  org_update.set_request_id("uo1");
  *org_update.mutable_organization() = org_a;
  org_update.mutable_organization()->set_description("Updated by the agency");
  v1::Organization org_out;
  EXPECT_TRUE(Call(Partner("org-a"),
                   &v1::DirectoryService::Stub::UpdateOrganization, org_update,
                   &org_out)
                  .ok());
  EXPECT_EQ(
      Call(Partner("org-b"), &v1::DirectoryService::Stub::UpdateOrganization,
           org_update, &org_out)
          .error_code(),
      grpc::StatusCode::PERMISSION_DENIED);

  // Every role reads; what the refused calls tried is not there.
  v1::GetServiceRequest get;
  get.set_service_id("svc-b1");
  v1::HumanService read;
  ASSERT_TRUE(
      Call(kCaseManager, &v1::DirectoryService::Stub::GetService, get, &read)
          .ok());
  EXPECT_EQ(read.name(), "Service svc-b1");
  EXPECT_EQ(read.capacity().status(), v1::CAPACITY_STATUS_UNSPECIFIED);
  EXPECT_THAT(Search({}, Partner("org-b")), ElementsAre("svc-a1", "svc-b1"));

  // Unsigned calls are refused.
  grpc::ClientContext unsigned_context;
  EXPECT_EQ(
      server_->stub().GetService(&unsigned_context, get, &read).error_code(),
      grpc::StatusCode::UNAUTHENTICATED);
}

TEST_F(DirectoryServiceTest, InvalidEntriesAreReportedFieldByField) {
  ASSERT_TRUE(CreateOrganization(kAdmin, "org-a").ok());
  v1::CreateServiceRequest r;
  r.set_request_id("bad-1");
  auto* s = r.mutable_service();
  s->set_organization_id("org-a");
  s->set_name("Service");
  s->set_status(v1::SERVICE_STATUS_ACTIVE);
  s->set_minimum_age(40);
  s->set_maximum_age(30);
  s->add_languages("French");
  s->add_components("not_a_component");
  v1::HumanService out;
  grpc::Status status =
      Call(kAdmin, &v1::DirectoryService::Stub::CreateService, r, &out);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(FieldsOf(status),
              ElementsAre("service.maximum_age", "service.languages[0]",
                          "service.components[0]"));
  r.clear_request_id();
  EXPECT_THAT(FieldsOf(Call(kAdmin, &v1::DirectoryService::Stub::CreateService,
                            r, &out)),
              ::testing::Contains("request_id"));
}

TEST_F(DirectoryServiceTest, ExampleDirectoryImportsAndIsSearchable) {
  v1::ImportHsdsResponse counts;
  grpc::Status status =
      Import(kAdmin, "example-1", ExampleDirectory(), &counts);
  ASSERT_TRUE(status.ok()) << status.error_message() << " "
                           << ::testing::PrintToString(FieldsOf(status));
  EXPECT_EQ(counts.organizations(), 4);
  EXPECT_EQ(counts.locations(), 5);
  EXPECT_EQ(counts.services(), 7);

  v1::SearchServicesRequest r;
  r.set_area("DAKAR");
  // In key order: shorter ids first, then by bytes (docs/DIRECTORY.md).
  EXPECT_THAT(Search(r),
              ElementsAre("svc-atelier-emploi", "svc-atelier-couture",
                          "svc-teranga-papiers", "svc-teranga-logement",
                          "svc-ecoute-individuel"));
  r.set_age(17);  // the tailoring course and job placement start at 18
  EXPECT_THAT(Search(r),
              ElementsAre("svc-teranga-papiers", "svc-teranga-logement",
                          "svc-ecoute-individuel"));
  r.Clear();
  r.set_component("banking_microcredit");
  EXPECT_THAT(Search(r), ElementsAre("svc-caisse-microcredit"));
  r.set_accepting_referrals(true);  // not accepting this cycle
  EXPECT_THAT(Search(r), IsEmpty());
  r.Clear();
  r.set_language("ff");
  r.set_accepting_referrals(true);
  EXPECT_THAT(Search(r), ElementsAre("svc-ecoute-famille"));
  r.Clear();
  r.set_organization_id("org-ecoute-thies");
  r.mutable_page()->set_page_size(1);
  v1::SearchServicesResponse page;
  ASSERT_TRUE(
      Call(kCaseManager, &v1::DirectoryService::Stub::SearchServices, r, &page)
          .ok());
  ASSERT_EQ(page.services_size(), 1);
  EXPECT_EQ(page.services(0).service_id(), "svc-ecoute-famille");
  EXPECT_FALSE(page.next_page_token().empty());
  r.mutable_page()->set_page_token(page.next_page_token());
  ASSERT_TRUE(
      Call(kCaseManager, &v1::DirectoryService::Stub::SearchServices, r, &page)
          .ok());
  ASSERT_EQ(page.services_size(), 1);
  EXPECT_EQ(page.services(0).service_id(), "svc-ecoute-individuel");
  EXPECT_TRUE(page.next_page_token().empty());

  // The imported capacity is stamped with who imported it.
  v1::GetServiceRequest get;
  get.set_service_id("svc-atelier-couture");
  v1::HumanService s;
  ASSERT_TRUE(
      Call(kCaseManager, &v1::DirectoryService::Stub::GetService, get, &s)
          .ok());
  EXPECT_EQ(s.capacity().status(), v1::CAPACITY_STATUS_WAITLIST);
  EXPECT_EQ(s.capacity().expected_wait_days(), 21);
  EXPECT_EQ(s.capacity().updated_by(), "admin-1");
  EXPECT_EQ(s.cost_options(0).amount().amount_minor(), 5000);
  ASSERT_EQ(s.locations_size(), 1);
  EXPECT_EQ(s.locations(0).location_id(), "loc-atelier-pikine");
}

TEST_F(DirectoryServiceTest, ExportImportExportGivesTheSameDocument) {
  ASSERT_TRUE(Import(kAdmin, "example-1", ExampleDirectory()).ok());
  const google::protobuf::Struct first = Export();
  ASSERT_EQ(first.fields().at("services").list_value().values_size(), 7);

  // Into a fresh store (another deployment).
  testing::TempDir other_dir;
  auto other = DirectoryServer::Start(other_dir.path() + "/referral");
  ASSERT_NE(other, nullptr);
  grpc::Status status =
      Import(kAdmin, "round-trip-1", first, nullptr, other.get());
  ASSERT_TRUE(status.ok()) << status.error_message();
  const google::protobuf::Struct second = Export(other.get());
  std::string difference;
  google::protobuf::util::MessageDifferencer differ;
  differ.ReportDifferencesToString(&difference);
  EXPECT_TRUE(differ.Compare(first, second)) << difference;

  // Into the same store again (replacing every entry with itself).
  ASSERT_TRUE(Import(kAdmin, "round-trip-2", first).ok());
  EXPECT_TRUE(differ.Compare(first, Export())) << difference;

  // One organization's export holds its entries only.
  const google::protobuf::Struct one = Export(nullptr, "org-ecoute-thies");
  EXPECT_EQ(one.fields().at("organizations").list_value().values_size(), 1);
  EXPECT_EQ(one.fields().at("locations").list_value().values_size(), 2);
  EXPECT_EQ(one.fields().at("services").list_value().values_size(), 2);
  EXPECT_EQ(one.fields().at("service_at_locations").list_value().values_size(),
            3);
}

TEST_F(DirectoryServiceTest, MalformedFileIsRefusedWhole) {
  google::protobuf::Struct document;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(R"json({
    "organizations": [{"id": "org-good", "name": "A valid organization"},
                      {"id": "org-bad"}],
    "locations": [{"id": "loc-good", "organization_id": "org-good",
                   "name": "Office"}],
    "services": [{"id": "svc-good", "organization_id": "org-good",
                  "name": "Valid", "status": "active",
                  "attributes": [{"taxonomy_term": {"code": "housing",
                                  "taxonomy": "reintegration"}}]},
                 {"id": "svc-bad-1", "organization_id": "org-good",
                  "name": "Bad ages", "status": "active",
                  "minimum_age": 40, "maximum_age": 20,
                  "attributes": [{"taxonomy_term": {"code": "housing",
                                  "taxonomy": "reintegration"}}]},
                 {"id": "svc-bad-2", "organization_id": "org-nowhere",
                  "name": "Bad money", "status": "active",
                  "cost_options": [{"amount": 10.5, "currency": "XOF"}],
                  "attributes": [{"taxonomy_term": {"code": "housing",
                                  "taxonomy": "reintegration"}}]},
                 {"id": "svc-bad-3", "organization_id": "org-good",
                  "name": "Bad capacity", "status": "active",
                  "attributes": [{"taxonomy_term": {"code": "unicorns",
                                  "taxonomy": "reintegration"}}],
                  "x_homeward_capacity": {"status": "waitlist"}}],
    "service_at_locations": [{"id": "sal-1", "service_id": "svc-good",
                              "location_id": "loc-missing"}]
  })json",
                                                          &document)
                  .ok());
  grpc::Status status = Import(kAdmin, "bad-file", document);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(
      FieldsOf(status),
      UnorderedElementsAre("organizations[1].name", "services[1].maximum_age",
                           "services[2].organization_id",
                           "services[2].cost_options[0].amount",
                           "services[3].attributes[0].taxonomy_term.code",
                           "services[3].x_homeward_capacity.expected_wait_days",
                           "service_at_locations[0].location_id"));

  // Nothing of the file was stored, the valid entries included.
  v1::GetOrganizationRequest get;
  get.set_organization_id("org-good");
  v1::Organization o;
  EXPECT_EQ(Call(kAdmin, &v1::DirectoryService::Stub::GetOrganization, get, &o)
                .error_code(),
            grpc::StatusCode::NOT_FOUND);
  const google::protobuf::Struct after = Export();
  EXPECT_EQ(after.fields().at("organizations").list_value().values_size(), 0);
  EXPECT_EQ(after.fields().at("services").list_value().values_size(), 0);

  // validate_only reports the same and stores nothing either.
  v1::ImportHsdsRequest check;
  check.set_request_id("bad-file-check");
  check.set_validate_only(true);
  *check.mutable_document() = document;
  v1::ImportHsdsResponse out;
  EXPECT_EQ(Call(kAdmin, &v1::DirectoryService::Stub::ImportHsds, check, &out)
                .error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
}

TEST_F(DirectoryServiceTest, PartnerImportsOnlyItsOwnOrganizationsEntries) {
  ASSERT_TRUE(Import(kAdmin, "example-1", ExampleDirectory()).ok());
  const google::protobuf::Struct own = Export(nullptr, "org-ecoute-thies");
  // Its own organization's file: accepted.
  v1::ImportHsdsResponse counts;
  grpc::Status status =
      Import(Partner("org-ecoute-thies"), "partner-1", own, &counts);
  EXPECT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(counts.services(), 2);
  // The same file for another agency, and the whole directory: refused.
  EXPECT_EQ(Import(Partner("org-caisse-kolda"), "partner-2", own).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(
      Import(Partner("org-ecoute-thies"), "partner-3", Export()).error_code(),
      grpc::StatusCode::PERMISSION_DENIED);
  // A file that would create its organization: administrators only.
  google::protobuf::Struct fresh;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(
                  R"json({"organizations": [{"id": "org-new",
                                             "name": "New"}]})json",
                  &fresh)
                  .ok());
  EXPECT_EQ(Import(Partner("org-new"), "partner-4", fresh).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(Import(kCaseManager, "cm-1", fresh).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
}

}  // namespace
}  // namespace homeward::referral
