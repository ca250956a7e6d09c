// A case closed by the follow-up service, as the assessment and referral
// services learn of it from its feed: a stand-in follow-up service (nothing
// but its event feed, on a real RocksDB and a loopback port), a real
// assessment server and a real referral server both following it (and the
// referral server following the assessment feed). A referral made for the
// case is cancelled ("case closed") when CaseClosed is appended to the
// follow-up feed; the assessment service moves the case to CLOSED and
// refuses its changes; the referral service, once the case's stage reaches
// it, refuses new referrals with CASE_CLOSED. (Planning's refusal and plan
// ending: tests/plan_service_test.cc.) Lives in tests/ because it starts
// both services.
#include <memory>
#include <string>

#include "absl/time/civil_time.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "common/service/service_host.h"
#include "common/status/errors.h"
#include "common/status/grpc_status.h"
#include "common/status/status_matchers.h"
#include "common/storage/partitions.h"
#include "common/storage/write_set.h"
#include "gmock/gmock.h"
#include "google/rpc/error_details.pb.h"
#include "gtest/gtest.h"
#include "homeward/v1/cases.grpc.pb.h"
#include "homeward/v1/consent.grpc.pb.h"
#include "homeward/v1/directory.grpc.pb.h"
#include "homeward/v1/needs.grpc.pb.h"
#include "homeward/v1/referral.grpc.pb.h"
#include "services/assessment/assessment_server.h"
#include "services/referral/referral_server.h"
#include "tests/fixtures/assessment_server.h"
#include "tests/fixtures/case_fixtures.h"
#include "tests/fixtures/referral_server.h"
#include "tests/fixtures/temp_dir.h"

namespace homeward {
namespace {

using ::homeward::testing::IsOk;
using ::homeward::testing::MakePrincipal;
using ::homeward::testing::SignAs;
using ::homeward::testing::TempDir;

constexpr uint32_t kPartitions = 64;  // LoopbackServiceConfig's
// Generous: the machine is small and shared.
constexpr absl::Duration kCatchUpTimeout = absl::Seconds(60);
constexpr char kAgency[] = "org-closed-case";

const auto kManager =
    MakePrincipal("cm-1", v1::ROLE_CASE_MANAGER, {"office-dakar"});
const auto kAdmin =
    MakePrincipal("admin-1", v1::ROLE_ADMINISTRATOR, {"office-dakar"});

// The type of the precondition a refusal names ("" if none).
std::string PreconditionType(const grpc::Status& status) {
  auto payload =
      FromGrpcStatus(status).GetPayload(errors::kPreconditionFailureTypeUrl);
  if (!payload.has_value()) return "";
  google::rpc::PreconditionFailure failure;
  if (!failure.ParseFromString(std::string(*payload)) ||
      failure.violations_size() != 1) {
    return "";
  }
  return failure.violations(0).type();
}

class ClosedCaseTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const service::ServiceDefinition follow_up{
        .name = "follow_up", .build = [this](service::ServiceParts& parts) {
          follow_up_store_ = parts.store();
          return absl::OkStatus();
        }};
    auto producer = service::ServiceHost::Start(
        follow_up, testing::LoopbackServiceConfig(dir_.path() + "/follow_up"),
        testing::kTestSecret);
    ASSERT_THAT(producer.status(), IsOk());
    follow_up_ = std::move(*producer);

    auto assessment_config =
        testing::LoopbackServiceConfig(dir_.path() + "/assessment");
    testing::AddShareRoute(assessment_config.mutable_upstream(), "follow_up",
                           kPartitions, {follow_up_->port()});
    auto assessment = assessment::AssessmentServer::Start(
        testing::WithShippedProgrammeData(assessment_config),
        testing::kTestSecret);
    ASSERT_THAT(assessment.status(), IsOk());
    assessment_ = std::move(*assessment);

    auto referral_config =
        testing::LoopbackServiceConfig(dir_.path() + "/referral");
    testing::AddShareRoute(referral_config.mutable_upstream(), "assessment",
                           kPartitions, {assessment_->port()});
    testing::AddShareRoute(referral_config.mutable_upstream(), "follow_up",
                           kPartitions, {follow_up_->port()});
    auto referral = referral::ReferralServer::Start(
        testing::WithShippedReferralData(referral_config),
        testing::kTestSecret);
    ASSERT_THAT(referral.status(), IsOk());
    referral_ = std::move(*referral);

    auto assessment_channel = testing::LoopbackChannel(assessment_->port());
    auto referral_channel = testing::LoopbackChannel(referral_->port());
    cases_ = v1::CaseService::NewStub(assessment_channel);
    consents_ = v1::ConsentService::NewStub(assessment_channel);
    needs_ = v1::NeedService::NewStub(assessment_channel);
    directory_ = v1::DirectoryService::NewStub(referral_channel);
    referrals_ = v1::ReferralService::NewStub(referral_channel);
  }

  void TearDown() override {
    if (referral_ != nullptr) referral_->Shutdown(absl::Seconds(5));
    if (assessment_ != nullptr) assessment_->Shutdown(absl::Seconds(5));
    if (follow_up_ != nullptr) follow_up_->Shutdown(absl::Seconds(5));
  }

  // An organization with one service taking referrals; its service id.
  std::string AddService() {
    {
      grpc::ClientContext ctx;
      SignAs(kAdmin, &ctx);
      v1::CreateOrganizationRequest create;
      create.set_request_id("org-1");
      create.mutable_organization()->set_organization_id(kAgency);
      create.mutable_organization()->set_name("Centre d'écoute");
      v1::Organization org;
      EXPECT_THAT(directory_->CreateOrganization(&ctx, create, &org), IsOk());
    }
    v1::HumanService service;
    {
      grpc::ClientContext ctx;
      SignAs(kAdmin, &ctx);
      v1::CreateServiceRequest create;
      create.set_request_id("service-1");
      auto* s = create.mutable_service();
      s->set_organization_id(kAgency);
      s->set_name("Soutien psychosocial");
      s->set_status(v1::SERVICE_STATUS_ACTIVE);
      s->add_components("individual_counselling");
      s->add_languages("fr");
      EXPECT_THAT(directory_->CreateService(&ctx, create, &service), IsOk());
    }
    {
      grpc::ClientContext ctx;
      SignAs(kAdmin, &ctx);
      v1::SetServiceCapacityRequest set;
      set.set_request_id("capacity-1");
      set.set_service_id(service.service_id());
      set.set_etag(service.etag());
      set.mutable_capacity()->set_status(v1::CAPACITY_STATUS_AVAILABLE);
      EXPECT_THAT(directory_->SetServiceCapacity(&ctx, set, &service), IsOk());
    }
    return service.service_id();
  }

  v1::CreateReferralRequest ReferralRequest(const std::string& request_id,
                                            const std::string& service_id) {
    v1::CreateReferralRequest create;
    create.set_request_id(request_id);
    create.set_send(true);
    auto* referral = create.mutable_referral();
    referral->set_case_id(case_.case_id());
    referral->set_service_id(service_id);
    referral->set_purpose("Psychosocial support after return");
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
    return create;
  }

  grpc::Status CreateReferral(const v1::CreateReferralRequest& create,
                              v1::Referral* out) {
    grpc::ClientContext ctx;
    SignAs(kManager, &ctx);
    return referrals_->CreateReferral(&ctx, create, out);
  }

  v1::Referral GetReferral(const std::string& referral_id) {
    grpc::ClientContext ctx;
    SignAs(kManager, &ctx);
    v1::GetReferralRequest get;
    get.set_case_id(case_.case_id());
    get.set_referral_id(referral_id);
    v1::Referral read;
    EXPECT_THAT(referrals_->GetReferral(&ctx, get, &read), IsOk());
    return read;
  }

  v1::Case GetCase() {
    grpc::ClientContext ctx;
    SignAs(kManager, &ctx);
    v1::GetCaseRequest get;
    get.set_case_id(case_.case_id());
    v1::Case read;
    EXPECT_THAT(cases_->GetCase(&ctx, get, &read), IsOk());
    return read;
  }

  TempDir dir_;
  storage::Store* follow_up_store_ = nullptr;
  std::unique_ptr<service::ServiceHost> follow_up_;
  std::unique_ptr<assessment::AssessmentServer> assessment_;
  std::unique_ptr<referral::ReferralServer> referral_;
  std::unique_ptr<v1::CaseService::Stub> cases_;
  std::unique_ptr<v1::ConsentService::Stub> consents_;
  std::unique_ptr<v1::NeedService::Stub> needs_;
  std::unique_ptr<v1::DirectoryService::Stub> directory_;
  std::unique_ptr<v1::ReferralService::Stub> referrals_;
  v1::Case case_;
};

TEST_F(ClosedCaseTest, ClosureCancelsReferralsAndEveryServiceRefusesChanges) {
  const std::string service_id = AddService();
  ASSERT_FALSE(service_id.empty());
  {
    grpc::ClientContext ctx;
    SignAs(kManager, &ctx);
    ASSERT_THAT(cases_->RegisterCase(
                    &ctx, testing::ValidRegistration("closed-1"), &case_),
                IsOk());
  }
  {
    grpc::ClientContext ctx;
    SignAs(kManager, &ctx);
    v1::RecordConsentRequest consent;
    consent.set_request_id("consent-1");
    auto* record = consent.mutable_consent();
    record->set_case_id(case_.case_id());
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
  // NOT_FOUND until the referral service has applied the registration.
  v1::Referral made;
  grpc::Status status;
  absl::Time deadline = absl::Now() + kCatchUpTimeout;
  do {
    status = CreateReferral(ReferralRequest("referral-1", service_id), &made);
    if (status.error_code() != grpc::StatusCode::NOT_FOUND) break;
    absl::SleepFor(absl::Milliseconds(50));
  } while (absl::Now() < deadline);
  ASSERT_THAT(status, IsOk()) << status.error_message();
  ASSERT_EQ(made.status(), v1::REFERRAL_STATUS_REQUESTED);

  {
    v1::Event closed;
    closed.set_partition(storage::PartitionOf(case_.case_id(), kPartitions));
    closed.set_subject_id(case_.case_id());
    closed.set_actor_user_id("sup-1");
    closed.set_request_id("close-1");
    auto* closure = closed.mutable_case_closed()->mutable_closure();
    closure->set_closure_id("CL1");
    closure->set_case_id(case_.case_id());
    closure->set_reason(v1::CLOSURE_REASON_MOVED_AWAY);
    closure->set_status(v1::CLOSURE_STATUS_CLOSED);
    storage::WriteSet set;
    set.AppendEvent(closed);
    ASSERT_THAT(follow_up_store_->Commit(std::move(set)).status(), IsOk());
  }

  // Referral: the open referral cancelled.
  deadline = absl::Now() + kCatchUpTimeout;
  v1::Referral read;
  do {
    read = GetReferral(made.referral_id());
    if (read.status() == v1::REFERRAL_STATUS_CANCELLED) break;
    absl::SleepFor(absl::Milliseconds(50));
  } while (absl::Now() < deadline);
  EXPECT_EQ(read.status(), v1::REFERRAL_STATUS_CANCELLED);
  EXPECT_EQ(read.status_reason(), "case closed");

  // Assessment: the case CLOSED, its changes refused.
  deadline = absl::Now() + kCatchUpTimeout;
  v1::Case c;
  do {
    c = GetCase();
    if (c.stage() == v1::CASE_STAGE_CLOSED) break;
    absl::SleepFor(absl::Milliseconds(50));
  } while (absl::Now() < deadline);
  ASSERT_EQ(c.stage(), v1::CASE_STAGE_CLOSED);
  {
    grpc::ClientContext ctx;
    SignAs(kManager, &ctx);
    v1::AddNeedRequest add;
    add.set_request_id("need-1");
    add.set_case_id(case_.case_id());
    add.mutable_need()->set_dimension(v1::DIMENSION_SOCIAL);
    add.mutable_need()->set_category("housing");
    add.mutable_need()->set_description("Rent support");
    add.mutable_need()->set_priority(v1::NEED_PRIORITY_HIGH);
    v1::Need need;
    const grpc::Status refused = needs_->AddNeed(&ctx, add, &need);
    EXPECT_EQ(refused.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
    EXPECT_EQ(PreconditionType(refused), "CASE_CLOSED");
  }

  // Referral: a new referral refused once the stage has reached it.
  deadline = absl::Now() + kCatchUpTimeout;
  do {
    v1::Referral out;
    status = CreateReferral(ReferralRequest("referral-2", service_id), &out);
    if (PreconditionType(status) == "CASE_CLOSED") break;
    absl::SleepFor(absl::Milliseconds(50));
  } while (absl::Now() < deadline);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(PreconditionType(status), "CASE_CLOSED") << status.error_message();
}

}  // namespace
}  // namespace homeward
