// The referral service's part of the programme indicators
// (homeward.internal.v1.ReferralIndicators/GetIndicatorPart) on a real
// referral server following a real assessment server (real RocksDB, real
// gRPC on loopback), every record made through the APIs: cases registered
// and consented in two offices, referrals created, answered by the partner
// (declines coded), cancelled by the requester, completed and failed. The
// part holds exactly the hand-counted cells of the caller's office, only
// for the period asked; roles and bad fields are refused.
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "common/api/field_checks.h"
#include "common/status/errors.h"
#include "common/status/grpc_status.h"
#include "common/status/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "homeward/internal/v1/indicator_parts.grpc.pb.h"
#include "homeward/v1/cases.grpc.pb.h"
#include "homeward/v1/consent.grpc.pb.h"
#include "homeward/v1/directory.grpc.pb.h"
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
using ::homeward::testing::ValidRegistration;
using ::testing::ElementsAre;
using ::testing::UnorderedElementsAre;

constexpr uint32_t kPartitions = 64;
constexpr char kAgency[] = "org-health-dakar";
constexpr char kDakar[] = "office-dakar";
constexpr char kThies[] = "office-thies";

const auto kAdmin = MakePrincipal("admin-1", v1::ROLE_ADMINISTRATOR, {});
const auto kDakarSupervisor =
    MakePrincipal("sup-1", v1::ROLE_SUPERVISOR, {kDakar});
const auto kThiesSupervisor =
    MakePrincipal("sup-2", v1::ROLE_SUPERVISOR, {kThies});
const auto kDakarManager =
    MakePrincipal("cm-1", v1::ROLE_CASE_MANAGER, {kDakar});
const auto kDakarMonitoring =
    MakePrincipal("mo-1", v1::ROLE_MONITORING_OFFICER, {kDakar});

internal::v1::Principal Staff() {
  auto p = MakePrincipal("staff-1", v1::ROLE_PARTNER_AGENCY, {});
  p.set_agency_id(kAgency);
  return p;
}

absl::CivilDay Today() { return api::TodayUtc(); }

std::vector<std::string> FieldsOf(const grpc::Status& s) {
  std::vector<std::string> fields;
  for (const auto& v : errors::FieldViolationsOf(FromGrpcStatus(s))) {
    fields.push_back(v.field);
  }
  return fields;
}

// A part as "table/row/column" -> count, and the response-time
// distribution as hours -> occurrences.
struct Cells {
  std::map<std::string, int64_t> counts;
  std::map<int64_t, int64_t> response_hours;
};
Cells CellsOf(const internal::v1::IndicatorPart& part) {
  Cells cells;
  for (const auto& cell : part.cells()) {
    const std::string key =
        absl::StrCat(cell.table(), "/", cell.row(), "/", cell.column());
    if (cell.has_count()) cells.counts[key] = cell.count();
    for (const auto& b : cell.distribution().buckets()) {
      cells.response_hours[b.value()] += b.count();
    }
  }
  return cells;
}

// Every count cell at 0, with `nonzero` over it.
std::map<std::string, int64_t> Expected(
    const std::map<std::string, int64_t>& nonzero) {
  std::map<std::string, int64_t> counts;
  for (const char* column :
       {"made", "accepted", "declined", "completed", "failed", "cancelled"}) {
    counts[absl::StrCat("referrals/ALL/", column)] = 0;
  }
  for (int i = v1::ReferralDeclineReason_MIN;
       i <= v1::ReferralDeclineReason_MAX; ++i) {
    const std::string row =
        i == 0 ? "NOT_CODED"
               : v1::ReferralDeclineReason_Name(
                     static_cast<v1::ReferralDeclineReason>(i));
    counts[absl::StrCat("referral_declines/", row, "/declined")] = 0;
  }
  for (const auto& [key, n] : nonzero) counts[key] = n;
  return counts;
}

class ReferralIndicatorPartTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto assessment_config =
        testing::LoopbackServiceConfig(dir_.path() + "/assessment");
    auto assessment = assessment::AssessmentServer::Start(
        testing::WithShippedProgrammeData(assessment_config),
        testing::kTestSecret);
    ASSERT_TRUE(assessment.ok()) << assessment.status();
    assessment_ = std::move(assessment).value();
    auto config = testing::LoopbackServiceConfig(dir_.path() + "/referral");
    testing::AddShareRoute(config.mutable_upstream(), "assessment", kPartitions,
                           {assessment_->port()});
    auto referral = referral::ReferralServer::Start(
        testing::WithShippedReferralData(config), testing::kTestSecret);
    ASSERT_TRUE(referral.ok()) << referral.status();
    referral_ = std::move(referral).value();
    auto to_assessment = testing::LoopbackChannel(assessment_->port());
    auto to_referral = testing::LoopbackChannel(referral_->port());
    cases_ = v1::CaseService::NewStub(to_assessment);
    consents_ = v1::ConsentService::NewStub(to_assessment);
    directory_ = v1::DirectoryService::NewStub(to_referral);
    referrals_ = v1::ReferralService::NewStub(to_referral);
    partner_ = v1::PartnerReferralService::NewStub(to_referral);
    indicators_ = internal::v1::ReferralIndicators::NewStub(to_referral);
    MakeService();
  }

  void MakeService() {
    {
      grpc::ClientContext ctx;
      SignAs(kAdmin, &ctx);
      v1::CreateOrganizationRequest create;
      create.set_request_id("org-1");
      create.mutable_organization()->set_organization_id(kAgency);
      create.mutable_organization()->set_name("Centre de santé de Pikine");
      v1::Organization org;
      ASSERT_THAT(directory_->CreateOrganization(&ctx, create, &org), IsOk());
    }
    v1::HumanService service;
    {
      grpc::ClientContext ctx;
      SignAs(kAdmin, &ctx);
      v1::CreateServiceRequest create;
      create.set_request_id("service-1");
      auto* s = create.mutable_service();
      s->set_organization_id(kAgency);
      s->set_name("Consultations");
      s->set_status(v1::SERVICE_STATUS_ACTIVE);
      s->add_components("specialised_mental_health");
      s->add_languages("fr");
      ASSERT_THAT(directory_->CreateService(&ctx, create, &service), IsOk());
    }
    grpc::ClientContext ctx;
    SignAs(kAdmin, &ctx);
    v1::SetServiceCapacityRequest set;
    set.set_request_id("capacity-1");
    set.set_service_id(service.service_id());
    set.set_etag(service.etag());
    set.mutable_capacity()->set_status(v1::CAPACITY_STATUS_AVAILABLE);
    ASSERT_THAT(directory_->SetServiceCapacity(&ctx, set, &service), IsOk());
    service_id_ = service.service_id();
  }

  // A case of `office` registered and consented to referrals to the agency.
  std::string ConsentedCase(const internal::v1::Principal& supervisor,
                            const std::string& office) {
    v1::Case c;
    {
      grpc::ClientContext ctx;
      SignAs(supervisor, &ctx);
      EXPECT_THAT(cases_->RegisterCase(
                      &ctx, ValidRegistration("reg-" + office, office), &c),
                  IsOk());
    }
    grpc::ClientContext ctx;
    SignAs(supervisor, &ctx);
    v1::RecordConsentRequest consent;
    consent.set_request_id("consent-" + office);
    auto* record = consent.mutable_consent();
    record->set_case_id(c.case_id());
    record->set_purpose(v1::CONSENT_PURPOSE_REFERRAL);
    record->set_recipient_agency_id(kAgency);
    record->set_granted(true);
    *record->mutable_decision_date() = api::ToDate(Today() - 1);
    record->set_method(v1::CONSENT_METHOD_WRITTEN);
    v1::ConsentRecord recorded;
    EXPECT_THAT(consents_->RecordConsent(&ctx, consent, &recorded), IsOk());
    return c.case_id();
  }

  // A referral of the case created by `who` (sent, or a draft), retried
  // while the referral service has not yet applied the case's
  // registration.
  v1::Referral Create(const internal::v1::Principal& who,
                      const std::string& case_id, const std::string& request_id,
                      bool send = true) {
    v1::CreateReferralRequest create;
    create.set_request_id(request_id);
    create.set_send(send);
    auto* r = create.mutable_referral();
    r->set_case_id(case_id);
    r->set_service_id(service_id_);
    r->set_purpose("Psychological support after return");
    r->set_urgency(v1::REFERRAL_URGENCY_ROUTINE);
    *r->mutable_expected_response_date() = api::ToDate(Today() + 30);
    *r->mutable_expected_completion_date() = api::ToDate(Today() + 90);
    v1::Referral created;
    grpc::Status status;
    const absl::Time deadline = absl::Now() + absl::Seconds(60);
    do {
      grpc::ClientContext ctx;
      SignAs(who, &ctx);
      status = referrals_->CreateReferral(&ctx, create, &created);
      if (status.error_code() != grpc::StatusCode::NOT_FOUND) break;
      absl::SleepFor(absl::Milliseconds(50));
    } while (absl::Now() < deadline);
    EXPECT_THAT(status, IsOk()) << request_id;
    return created;
  }

  // The partner moves the referral through `steps` (status, decline code).
  std::string Answer(
      const v1::Referral& r,
      const std::vector<
          std::pair<v1::ReferralStatus, v1::ReferralDeclineReason>>& steps) {
    std::string etag = r.etag();
    for (const auto& [status, code] : steps) {
      grpc::ClientContext ctx;
      SignAs(Staff(), &ctx);
      v1::ChangeReferralStatusRequest change;
      change.set_case_id(r.case_id());
      change.set_referral_id(r.referral_id());
      change.set_etag(etag);
      change.set_status(status);
      if (status == v1::REFERRAL_STATUS_REJECTED ||
          status == v1::REFERRAL_STATUS_FAILED) {
        change.set_reason("see the code");
      }
      if (status == v1::REFERRAL_STATUS_COMPLETED) {
        change.set_outcome("sessions held");
      }
      change.set_decline_reason(code);
      v1::SharedReferral shared;
      EXPECT_THAT(partner_->UpdateSharedReferral(&ctx, change, &shared), IsOk())
          << v1::ReferralStatus_Name(status);
      etag = shared.etag();
    }
    return etag;
  }

  grpc::Status Part(const internal::v1::Principal* who,
                    const internal::v1::IndicatorPartRequest& request,
                    internal::v1::IndicatorPart* part) {
    grpc::ClientContext ctx;
    if (who != nullptr) SignAs(*who, &ctx);
    return indicators_->GetIndicatorPart(&ctx, request, part);
  }

  static internal::v1::IndicatorPartRequest Request(const std::string& office,
                                                    absl::CivilDay start,
                                                    absl::CivilDay end) {
    internal::v1::IndicatorPartRequest r;
    r.set_office_id(office);
    *r.mutable_period_start() = api::ToDate(start);
    *r.mutable_period_end() = api::ToDate(end);
    return r;
  }

  TempDir dir_;
  std::unique_ptr<assessment::AssessmentServer> assessment_;
  std::unique_ptr<referral::ReferralServer> referral_;
  std::unique_ptr<v1::CaseService::Stub> cases_;
  std::unique_ptr<v1::ConsentService::Stub> consents_;
  std::unique_ptr<v1::DirectoryService::Stub> directory_;
  std::unique_ptr<v1::ReferralService::Stub> referrals_;
  std::unique_ptr<v1::PartnerReferralService::Stub> partner_;
  std::unique_ptr<internal::v1::ReferralIndicators::Stub> indicators_;
  std::string service_id_;
};

constexpr auto kNone = v1::REFERRAL_DECLINE_REASON_UNSPECIFIED;

TEST_F(ReferralIndicatorPartTest, ThePartCountsTheOfficesReferralsOfThePeriod) {
  const std::string dakar = ConsentedCase(kDakarSupervisor, kDakar);
  const std::string thies = ConsentedCase(kThiesSupervisor, kThies);

  // Dakar: five referrals made (sent) and a draft never sent, which is not
  // made; two accepted, one completed,
  // one failed; two declined with codes; one cancelled by the requester.
  Answer(Create(kDakarManager, dakar, "r1"),
         {{v1::REFERRAL_STATUS_RECEIVED, kNone},
          {v1::REFERRAL_STATUS_ACCEPTED, kNone},
          {v1::REFERRAL_STATUS_IN_PROGRESS, kNone},
          {v1::REFERRAL_STATUS_COMPLETED, kNone}});
  Answer(Create(kDakarManager, dakar, "r2"),
         {{v1::REFERRAL_STATUS_REJECTED,
           v1::REFERRAL_DECLINE_REASON_NO_CAPACITY}});
  Answer(Create(kDakarManager, dakar, "r3"),
         {{v1::REFERRAL_STATUS_RECEIVED, kNone},
          {v1::REFERRAL_STATUS_REJECTED,
           v1::REFERRAL_DECLINE_REASON_OUT_OF_AREA}});
  {
    const v1::Referral r4 = Create(kDakarManager, dakar, "r4");
    grpc::ClientContext ctx;
    SignAs(kDakarManager, &ctx);
    v1::ChangeReferralStatusRequest cancel;
    cancel.set_case_id(dakar);
    cancel.set_referral_id(r4.referral_id());
    cancel.set_etag(r4.etag());
    cancel.set_status(v1::REFERRAL_STATUS_CANCELLED);
    cancel.set_reason("the returnee moved to Thiès");
    v1::Referral cancelled;
    ASSERT_THAT(referrals_->ChangeReferralStatus(&ctx, cancel, &cancelled),
                IsOk());
  }
  Create(kDakarManager, dakar, "r5", /*send=*/false);
  Answer(Create(kDakarManager, dakar, "r6"),
         {{v1::REFERRAL_STATUS_ACCEPTED, kNone},
          {v1::REFERRAL_STATUS_IN_PROGRESS, kNone},
          {v1::REFERRAL_STATUS_FAILED, kNone}});
  // Thiès: one declined, which Dakar's part never shows.
  Answer(Create(kThiesSupervisor, thies, "t1"),
         {{v1::REFERRAL_STATUS_REJECTED,
           v1::REFERRAL_DECLINE_REASON_NO_CAPACITY}});

  // Around today (a day either side, so that midnight cannot split the
  // test's writes).
  internal::v1::IndicatorPart part;
  ASSERT_THAT(
      Part(&kDakarMonitoring, Request(kDakar, Today() - 1, Today() + 1), &part),
      IsOk());
  Cells cells = CellsOf(part);
  EXPECT_EQ(cells.counts,
            Expected({{"referrals/ALL/made", 5},
                      {"referrals/ALL/accepted", 2},
                      {"referrals/ALL/declined", 2},
                      {"referrals/ALL/completed", 1},
                      {"referrals/ALL/failed", 1},
                      {"referrals/ALL/cancelled", 1},
                      {"referral_declines/REFERRAL_DECLINE_REASON_NO_CAPACITY/"
                       "declined",
                       1},
                      {"referral_declines/REFERRAL_DECLINE_REASON_OUT_OF_AREA/"
                       "declined",
                       1}}));
  // The first answers of r1, r2, r3 and r6, each within the hour.
  EXPECT_THAT(cells.response_hours, ElementsAre(std::make_pair(0, 4)));

  // The same office for an administrator; Thiès's part for its supervisor.
  ASSERT_THAT(Part(&kAdmin, Request(kDakar, Today() - 1, Today() + 1), &part),
              IsOk());
  EXPECT_EQ(CellsOf(part).counts, cells.counts);
  ASSERT_THAT(
      Part(&kThiesSupervisor, Request(kThies, Today() - 1, Today() + 1), &part),
      IsOk());
  cells = CellsOf(part);
  EXPECT_EQ(cells.counts,
            Expected({{"referrals/ALL/made", 1},
                      {"referrals/ALL/declined", 1},
                      {"referral_declines/REFERRAL_DECLINE_REASON_NO_CAPACITY/"
                       "declined",
                       1}}));

  // A period before any of it: every count cell, at 0, and no median.
  ASSERT_THAT(Part(&kDakarMonitoring,
                   Request(kDakar, Today() - 60, Today() - 2), &part),
              IsOk());
  cells = CellsOf(part);
  EXPECT_EQ(cells.counts, Expected({}));
  EXPECT_TRUE(cells.response_hours.empty());
}

TEST_F(ReferralIndicatorPartTest, RolesAndBadFieldsAreRefused) {
  const auto request = Request(kDakar, Today() - 1, Today());
  internal::v1::IndicatorPart part;
  EXPECT_EQ(Part(nullptr, request, &part).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
  for (const auto& who :
       {kDakarManager, Staff(),
        MakePrincipal("mo-2", v1::ROLE_MONITORING_OFFICER, {kThies})}) {
    EXPECT_EQ(Part(&who, request, &part).error_code(),
              grpc::StatusCode::PERMISSION_DENIED)
        << who.user_id();
  }
  grpc::Status s = Part(&kDakarMonitoring, {}, &part);
  ASSERT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(FieldsOf(s),
              UnorderedElementsAre("office_id", "period_start", "period_end"));
  s = Part(&kDakarMonitoring, Request(kDakar, Today(), Today() - 1), &part);
  ASSERT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(FieldsOf(s), ElementsAre("period_end"));
  auto bad_as_of = request;
  bad_as_of.mutable_as_of()->set_month(13);
  s = Part(&kDakarMonitoring, bad_as_of, &part);
  ASSERT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(FieldsOf(s), ElementsAre("as_of"));
}

}  // namespace
}  // namespace homeward
