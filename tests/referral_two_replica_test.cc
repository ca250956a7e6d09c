// Two replicas each of the assessment and referral services behind the
// gateway, replica r of both owning the same half of the partitions, each
// referral replica following both assessment replicas' feeds and asking the
// assessment replica that owns a case for its consent:
// - a directory entry written through the gateway is on both referral
//   replicas (writes are broadcast), so either can check a referral's
//   service locally;
// - a referral of a case of either half is created through the gateway
//   after the consent check on the owning assessment replica, and lives on
//   the referral replica owning the case's partition only;
// - the partner agency's inbox fans out over both replicas and lists the
//   referrals of both halves, once each.
#include <memory>
#include <set>
#include <string>
#include <string_view>

#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "common/status/status_matchers.h"
#include "common/storage/partitions.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "homeward/v1/cases.grpc.pb.h"
#include "homeward/v1/consent.grpc.pb.h"
#include "homeward/v1/directory.grpc.pb.h"
#include "homeward/v1/referral.grpc.pb.h"
#include "services/assessment/assessment_server.h"
#include "services/gateway/api_keys.h"
#include "services/gateway/gateway_server.h"
#include "services/gateway/method_table.h"
#include "services/referral/referral_server.h"
#include "tests/fixtures/assessment_server.h"
#include "tests/fixtures/case_fixtures.h"
#include "tests/fixtures/referral_server.h"
#include "tests/fixtures/temp_dir.h"

// The gateway cannot include the referral service's header (services share
// none); the two names must agree.
static_assert(std::string_view(homeward::gateway::kReferralService) ==
                  std::string_view(homeward::referral::kReferralBackend),
              "the gateway's referral backend is not the referral service's");

namespace homeward {
namespace {

using ::homeward::testing::IsOk;
using ::homeward::testing::MakePrincipal;
using ::homeward::testing::SignAs;
using ::homeward::testing::StatusIs;
using ::homeward::testing::TempDir;
using ::homeward::testing::ValidRegistration;
using ::testing::HasSubstr;

constexpr uint32_t kPartitions = 64;
constexpr char kAgency[] = "org-health-dakar";

const std::string kSupervisorKey = "hw_test_key_supervisor_0123456789abc";
const std::string kAdminKey = "hw_test_key_administrator_0123456789a";
const std::string kPartnerKey = "hw_test_key_partner_agency_0123456789";

class ReferralTwoReplicaTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::vector<int> assessment_ports;
    for (int r = 0; r < 2; ++r) {
      auto config = testing::LoopbackServiceConfig(
          absl::StrCat(dir_.path(), "/assessment", r));
      config.set_partition_count(kPartitions);
      *config.add_owned_partitions() = testing::ShareOf(r, 2, kPartitions);
      auto server = assessment::AssessmentServer::Start(
          testing::WithShippedProgrammeData(config), testing::kTestSecret);
      ASSERT_TRUE(server.ok()) << server.status();
      assessment_[r] = std::move(server).value();
      assessment_ports.push_back(assessment_[r]->port());
    }
    std::vector<int> referral_ports;
    for (int r = 0; r < 2; ++r) {
      auto config = testing::LoopbackServiceConfig(
          absl::StrCat(dir_.path(), "/referral", r));
      config.set_partition_count(kPartitions);
      *config.add_owned_partitions() = testing::ShareOf(r, 2, kPartitions);
      testing::AddShareRoute(config.mutable_upstream(),
                             gateway::kAssessmentService, kPartitions,
                             assessment_ports);
      auto server = referral::ReferralServer::Start(
          testing::WithShippedReferralData(config), testing::kTestSecret);
      ASSERT_TRUE(server.ok()) << server.status();
      referral_[r] = std::move(server).value();
      referral_ports.push_back(referral_[r]->port());
      direct_[r] = v1::ReferralService::NewStub(
          testing::LoopbackChannel(referral_[r]->port()));
      direct_directory_[r] = v1::DirectoryService::NewStub(
          testing::LoopbackChannel(referral_[r]->port()));
    }
    gateway::GatewayServer::Options options;
    options.config.set_grpc_listen_address("127.0.0.1:0");
    testing::RouteShares(options.config, kPartitions, assessment_ports);
    testing::AddShareRoute(options.config.mutable_routes(),
                           gateway::kReferralService, kPartitions,
                           referral_ports);
    options.principal_secret = testing::kTestSecret;
    *options.api_keys.add_keys() =
        gateway::MakeApiKey("s", kSupervisorKey, kSupervisor);
    *options.api_keys.add_keys() = gateway::MakeApiKey(
        "a", kAdminKey,
        MakePrincipal("admin-1", v1::ROLE_ADMINISTRATOR, {"office-dakar"}));
    auto partner = MakePrincipal("pa-1", v1::ROLE_PARTNER_AGENCY, {});
    partner.set_agency_id(kAgency);
    *options.api_keys.add_keys() =
        gateway::MakeApiKey("p", kPartnerKey, partner);
    auto gw = gateway::GatewayServer::Start(std::move(options));
    ASSERT_TRUE(gw.ok()) << gw.status();
    gateway_ = std::move(gw).value();
    auto channel = testing::LoopbackChannel(gateway_->grpc_port());
    cases_ = v1::CaseService::NewStub(channel);
    consents_ = v1::ConsentService::NewStub(channel);
    directory_ = v1::DirectoryService::NewStub(channel);
    referrals_ = v1::ReferralService::NewStub(channel);
    partner_ = v1::PartnerReferralService::NewStub(channel);
  }

  static void Authorize(grpc::ClientContext* ctx, const std::string& key) {
    ctx->AddMetadata("authorization", absl::StrCat("Bearer ", key));
  }

  static int ReplicaOf(const std::string& case_id) {
    return storage::PartitionOf(case_id, kPartitions) < kPartitions / 2 ? 0 : 1;
  }

  const internal::v1::Principal kSupervisor =
      MakePrincipal("sup-1", v1::ROLE_SUPERVISOR, {"office-dakar"});
  TempDir dir_;
  std::unique_ptr<assessment::AssessmentServer> assessment_[2];
  std::unique_ptr<referral::ReferralServer> referral_[2];
  std::unique_ptr<v1::ReferralService::Stub> direct_[2];
  std::unique_ptr<v1::DirectoryService::Stub> direct_directory_[2];
  std::unique_ptr<gateway::GatewayServer> gateway_;
  std::unique_ptr<v1::CaseService::Stub> cases_;
  std::unique_ptr<v1::ConsentService::Stub> consents_;
  std::unique_ptr<v1::DirectoryService::Stub> directory_;
  std::unique_ptr<v1::ReferralService::Stub> referrals_;
  std::unique_ptr<v1::PartnerReferralService::Stub> partner_;
};

TEST_F(ReferralTwoReplicaTest,
       ReferralsLiveWhereTheirCaseLivesAndTheInboxSpansBoth) {
  // The organization and its service, written once through the gateway.
  v1::Organization org;
  {
    grpc::ClientContext ctx;
    Authorize(&ctx, kAdminKey);
    v1::CreateOrganizationRequest create;
    create.set_request_id("org-1");
    create.mutable_organization()->set_organization_id(kAgency);
    create.mutable_organization()->set_name("Centre de santé de Pikine");
    ASSERT_THAT(directory_->CreateOrganization(&ctx, create, &org), IsOk());
  }
  v1::HumanService service;
  {
    grpc::ClientContext ctx;
    Authorize(&ctx, kAdminKey);
    v1::CreateServiceRequest create;
    create.set_request_id("service-1");
    auto* s = create.mutable_service();
    s->set_organization_id(kAgency);
    s->set_name("Consultations de santé mentale");
    s->set_status(v1::SERVICE_STATUS_ACTIVE);
    s->add_components("specialised_mental_health");
    s->add_languages("fr");
    ASSERT_THAT(directory_->CreateService(&ctx, create, &service), IsOk());
  }
  {
    // A service takes referrals once its capacity says so.
    grpc::ClientContext ctx;
    Authorize(&ctx, kAdminKey);
    v1::SetServiceCapacityRequest set;
    set.set_request_id("capacity-1");
    set.set_service_id(service.service_id());
    set.set_etag(service.etag());
    set.mutable_capacity()->set_status(v1::CAPACITY_STATUS_AVAILABLE);
    ASSERT_THAT(directory_->SetServiceCapacity(&ctx, set, &service), IsOk());
  }
  // Both referral replicas hold the directory entry.
  for (int r = 0; r < 2; ++r) {
    grpc::ClientContext ctx;
    SignAs(kSupervisor, &ctx);
    v1::GetServiceRequest get;
    get.set_service_id(service.service_id());
    v1::HumanService read;
    ASSERT_THAT(direct_directory_[r]->GetService(&ctx, get, &read), IsOk())
        << "replica " << r;
    EXPECT_EQ(read.organization_id(), kAgency);
  }

  // One registered case per half, each with the returnee's consent to be
  // referred to the organization.
  std::string case_of[2];
  for (int i = 0; i < 200 && (case_of[0].empty() || case_of[1].empty()); ++i) {
    grpc::ClientContext ctx;
    Authorize(&ctx, kSupervisorKey);
    v1::Case c;
    ASSERT_THAT(cases_->RegisterCase(
                    &ctx, ValidRegistration(absl::StrCat("ref-", i)), &c),
                IsOk());
    std::string& slot = case_of[ReplicaOf(c.case_id())];
    if (slot.empty()) slot = c.case_id();
  }
  ASSERT_FALSE(case_of[0].empty());
  ASSERT_FALSE(case_of[1].empty());

  std::set<std::string> made;
  for (int owner = 0; owner < 2; ++owner) {
    const std::string& case_id = case_of[owner];
    v1::CreateReferralRequest create;
    create.set_request_id(absl::StrCat("referral-", owner));
    create.set_send(true);
    auto* referral = create.mutable_referral();
    referral->set_case_id(case_id);
    referral->set_service_id(service.service_id());
    referral->set_purpose("Psychological support after return");
    referral->set_urgency(v1::REFERRAL_URGENCY_ROUTINE);
    referral->mutable_summary()->set_returnee_name("Awa N.");
    // Expected dates may not lie in the past: next year's.
    const int next_year =
        absl::ToCivilYear(absl::Now(), absl::UTCTimeZone()).year() + 1;
    referral->mutable_expected_response_date()->set_year(next_year);
    referral->mutable_expected_response_date()->set_month(1);
    referral->mutable_expected_response_date()->set_day(15);
    referral->mutable_expected_completion_date()->set_year(next_year);
    referral->mutable_expected_completion_date()->set_month(3);
    referral->mutable_expected_completion_date()->set_day(31);

    // Without consent: refused, after the owning assessment replica was
    // asked. NOT_FOUND first, until the referral replica has applied the
    // case's registration (generous: the machine is loaded).
    const absl::Time deadline = absl::Now() + absl::Seconds(60);
    grpc::Status status;
    v1::Referral created;
    do {
      grpc::ClientContext ctx;
      Authorize(&ctx, kSupervisorKey);
      status = referrals_->CreateReferral(&ctx, create, &created);
      if (status.error_code() != grpc::StatusCode::NOT_FOUND) break;
      absl::SleepFor(absl::Milliseconds(50));
    } while (absl::Now() < deadline);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION)
        << case_id << ": " << status.error_message();
    EXPECT_THAT(status.error_message(), HasSubstr("consent"));

    {
      grpc::ClientContext ctx;
      Authorize(&ctx, kSupervisorKey);
      v1::RecordConsentRequest consent;
      consent.set_request_id(absl::StrCat("consent-", owner));
      auto* record = consent.mutable_consent();
      record->set_case_id(case_id);
      record->set_purpose(v1::CONSENT_PURPOSE_REFERRAL);
      record->set_recipient_agency_id(kAgency);
      record->set_granted(true);
      record->mutable_decision_date()->set_year(2025);
      record->mutable_decision_date()->set_month(10);
      record->mutable_decision_date()->set_day(2);
      record->set_method(v1::CONSENT_METHOD_WRITTEN);
      v1::ConsentRecord recorded;
      ASSERT_THAT(consents_->RecordConsent(&ctx, consent, &recorded), IsOk());
    }
    {
      grpc::ClientContext ctx;
      Authorize(&ctx, kSupervisorKey);
      ASSERT_THAT(referrals_->CreateReferral(&ctx, create, &created), IsOk())
          << case_id;
    }
    EXPECT_EQ(created.status(), v1::REFERRAL_STATUS_REQUESTED);
    EXPECT_EQ(created.organization_id(), kAgency);
    made.insert(created.referral_id());

    // Stored on the owner, and only there.
    for (int r = 0; r < 2; ++r) {
      grpc::ClientContext ctx;
      SignAs(kSupervisor, &ctx);
      v1::GetReferralRequest get;
      get.set_case_id(case_id);
      get.set_referral_id(created.referral_id());
      v1::Referral read;
      const grpc::Status direct = direct_[r]->GetReferral(&ctx, get, &read);
      if (r == owner) {
        EXPECT_THAT(direct, IsOk());
        EXPECT_EQ(read.referral_id(), created.referral_id());
      } else {
        EXPECT_THAT(direct, StatusIs(absl::StatusCode::kFailedPrecondition,
                                     HasSubstr("does not own")));
      }
    }
  }

  // The partner's inbox spans both replicas, a page at a time.
  std::multiset<std::string> inbox;
  v1::ListInboxRequest list;
  list.mutable_page()->set_page_size(1);
  int pages = 0;
  do {
    grpc::ClientContext ctx;
    Authorize(&ctx, kPartnerKey);
    v1::ListInboxResponse page;
    ASSERT_THAT(partner_->ListInbox(&ctx, list, &page), IsOk());
    for (const auto& shared : page.referrals()) {
      inbox.insert(shared.referral_id());
      EXPECT_FALSE(shared.summary().returnee_name().empty());
    }
    list.mutable_page()->set_page_token(page.next_page_token());
  } while (!list.page().page_token().empty() && ++pages < 100);
  EXPECT_EQ(inbox, std::multiset<std::string>(made.begin(), made.end()));
}

}  // namespace
}  // namespace homeward
