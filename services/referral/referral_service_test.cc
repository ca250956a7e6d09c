// The referral handlers as their callers meet them: a real gRPC server on a
// loopback port (a test-local ServiceHost composition of the referral parts
// over one real RocksDB store), principals signed as the gateway signs them,
// case events applied to the store as the feed follower applies them, and a
// test ConsentChecker standing in for the remote consent call (the real one
// is AssessmentConsent, tested against an assessment server).
#include "services/referral/referral_service.h"

#include <atomic>
#include <future>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/synchronization/mutex.h"
#include "common/service/service_host.h"
#include "common/status/errors.h"
#include "common/status/grpc_status.h"
#include "common/status/status_matchers.h"
#include "gmock/gmock.h"
#include "google/rpc/error_details.pb.h"
#include "grpcpp/client_context.h"
#include "gtest/gtest.h"
#include "homeward/v1/referral.grpc.pb.h"
#include "services/referral/case_closures.h"
#include "services/referral/referral_test_data.h"
#include "services/referral/shared_view.h"
#include "tests/fixtures/assessment_server.h"
#include "tests/fixtures/case_fixtures.h"
#include "tests/fixtures/consumer_loop.h"
#include "tests/fixtures/temp_dir.h"

namespace homeward::referral {
namespace {

using ::homeward::referral::testing::CaseAt;
using ::homeward::referral::testing::CaseRegisteredEvent;
using ::homeward::referral::testing::CaseStageChangedEvent;
using ::homeward::referral::testing::ConsentWithdrawnEvent;
using ::homeward::referral::testing::Day;
using ::homeward::testing::ApplyAndCommit;
using ::homeward::testing::IsOk;
using ::homeward::testing::MakePrincipal;
using ::homeward::testing::SignAs;
using ::homeward::testing::TempDir;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using v1::Referral;
using v1::SharedReferral;

constexpr uint32_t kPartitions = 64;
const char kCase[] = "C00000000000000000001";
const char kOffice[] = "office-dakar";

const auto kManager = MakePrincipal("cm-1", v1::ROLE_CASE_MANAGER, {kOffice});
const auto kSupervisor = MakePrincipal("sup-1", v1::ROLE_SUPERVISOR, {kOffice});
const auto kOtherOffice =
    MakePrincipal("cm-9", v1::ROLE_CASE_MANAGER, {"office-thies"});

internal::v1::Principal Partner(const std::string& user,
                                const std::string& agency) {
  internal::v1::Principal p = MakePrincipal(user, v1::ROLE_PARTNER_AGENCY, {});
  p.set_agency_id(agency);
  return p;
}

// The test double of the remote consent question.
class TestConsent : public ConsentChecker {
 public:
  void Check(absl::string_view case_id, absl::string_view organization_id,
             Done done) override {
    absl::StatusOr<ConsentDecision> answer;
    {
      absl::MutexLock lock(&mu_);
      ++calls_;
      answer = answer_;
    }
    done(answer);
  }
  void Answer(absl::StatusOr<ConsentDecision> answer) {
    absl::MutexLock lock(&mu_);
    answer_ = std::move(answer);
  }
  int calls() {
    absl::MutexLock lock(&mu_);
    return calls_;
  }

 private:
  absl::Mutex mu_;
  absl::StatusOr<ConsentDecision> answer_ = ConsentDecision{true, "K1", ""};
  int calls_ = 0;
};

absl::Status StatusOf(const grpc::Status& s) { return FromGrpcStatus(s); }

// The type of the precondition a FAILED_PRECONDITION names ("" if none).
std::string PreconditionType(const grpc::Status& s) {
  auto payload = StatusOf(s).GetPayload(errors::kPreconditionFailureTypeUrl);
  if (!payload.has_value()) return "";
  google::rpc::PreconditionFailure failure;
  if (!failure.ParseFromString(std::string(*payload)) ||
      failure.violations_size() != 1) {
    return "";
  }
  return failure.violations(0).type();
}

class ReferralServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_NO_FATAL_FAILURE(Start());
    ASSERT_NO_FATAL_FAILURE(ApplyCaseEvent(CaseRegisteredEvent(
        CaseAt(kCase, 1, kOffice, v1::CASE_STAGE_INTAKE, kPartitions), 1,
        kPartitions)));
    ASSERT_NO_FATAL_FAILURE(AddService("org-a", "svc-a", true));
    ASSERT_NO_FATAL_FAILURE(AddService("org-b", "svc-b", true));
    ASSERT_NO_FATAL_FAILURE(AddService("org-a", "svc-full", false));
  }
  void TearDown() override {
    if (host_ != nullptr) host_->Shutdown(absl::Seconds(5));
  }

  void Start() {
    const service::ServiceDefinition definition{
        "referral", [this](service::ServiceParts& parts) -> absl::Status {
          store_ = parts.store();
          referrals_ = parts.Own(
              std::make_unique<ReferralStore>(parts.store(), parts.owned()));
          cases_ = parts.Own(std::make_unique<ReferralCaseEvents>(
              parts.store(), *parts.owned(), referrals_));
          closures_ =
              parts.Own(std::make_unique<ReferralCaseClosures>(referrals_));
          directory_ =
              parts.Own(std::make_unique<DirectoryStore>(parts.store()));
          to_make_ = parts.Own(
              std::make_unique<ReferralsToMake>(parts.store(), *parts.owned()));
          const ReferralParts rp{.referrals = referrals_,
                                 .cases = cases_,
                                 .directory = directory_,
                                 .consent = &consent_,
                                 .to_make = to_make_,
                                 .verifier = parts.verifier()};
          parts.AddService<v1::ReferralService>(
              std::make_unique<ReferralServiceImpl>(rp));
          parts.AddService<v1::PartnerReferralService>(
              std::make_unique<PartnerReferralServiceImpl>(rp));
          return absl::OkStatus();
        }};
    internal::v1::ServiceConfig config =
        homeward::testing::LoopbackServiceConfig(dir_.path() + "/referral");
    auto host = service::ServiceHost::Start(definition, config,
                                            homeward::testing::kTestSecret);
    ASSERT_THAT(host.status(), IsOk());
    host_ = std::move(*host);
    auto channel = homeward::testing::LoopbackChannel(host_->port());
    requester_ = v1::ReferralService::NewStub(channel);
    partner_ = v1::PartnerReferralService::NewStub(channel);
  }

  void Restart() {
    host_->Shutdown(absl::Seconds(5));
    host_.reset();
    ASSERT_NO_FATAL_FAILURE(Start());
  }

  void ApplyCaseEvent(const v1::Event& event) {
    ASSERT_THAT(ApplyAndCommit(*cases_, *store_, event), IsOk());
  }

  // A service of `org`, ACTIVE, accepting referrals or not.
  void AddService(const std::string& org, const std::string& id,
                  bool accepting) {
    service::Actor admin;
    admin.principal = MakePrincipal("admin", v1::ROLE_ADMINISTRATOR, {});
    admin.method = "test";
    v1::HumanService s;
    s.set_service_id(id);
    s.set_organization_id(org);
    s.set_name(id);
    s.set_status(v1::SERVICE_STATUS_ACTIVE);
    s.add_components("employment");
    std::promise<absl::StatusOr<v1::HumanService>> created;
    directory_->CreateService(admin, "create-" + id, s,
                              [&](absl::StatusOr<v1::HumanService> r) {
                                created.set_value(std::move(r));
                              });
    absl::StatusOr<v1::HumanService> stored = created.get_future().get();
    ASSERT_THAT(stored.status(), IsOk());
    if (!accepting) return;
    v1::ServiceCapacity capacity;
    capacity.set_status(v1::CAPACITY_STATUS_AVAILABLE);
    std::promise<absl::StatusOr<v1::HumanService>> set;
    ASSERT_THAT(directory_->SetCapacity(
                    admin, "capacity-" + id, id, stored->etag(), capacity,
                    [&](absl::StatusOr<v1::HumanService> r) {
                      set.set_value(std::move(r));
                    }),
                IsOk());
    ASSERT_THAT(set.get_future().get().status(), IsOk());
  }

  v1::CreateReferralRequest CreateRequest(const std::string& request_id,
                                          const std::string& service_id,
                                          bool send = true) {
    v1::CreateReferralRequest r;
    r.set_request_id(request_id);
    r.set_send(send);
    Referral* referral = r.mutable_referral();
    referral->set_case_id(kCase);
    referral->set_service_id(service_id);
    referral->set_purpose("vocational training");
    referral->set_urgency(v1::REFERRAL_URGENCY_ROUTINE);
    referral->set_need_id("N1");
    *referral->mutable_expected_response_date() = Day(2030, 1, 10);
    *referral->mutable_expected_completion_date() = Day(2030, 3, 1);
    referral->mutable_summary()->set_returnee_name("Test Returnee");
    referral->mutable_summary()->set_needs_description("a trade");
    return r;
  }

  grpc::Status Create(const internal::v1::Principal& who,
                      const v1::CreateReferralRequest& request, Referral* out) {
    grpc::ClientContext ctx;
    SignAs(who, &ctx);
    return requester_->CreateReferral(&ctx, request, out);
  }
  Referral MustCreate(const std::string& request_id,
                      const std::string& service_id = "svc-a",
                      bool send = true) {
    Referral r;
    grpc::Status s =
        Create(kManager, CreateRequest(request_id, service_id, send), &r);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return r;
  }

  grpc::Status Change(const internal::v1::Principal& who, const Referral& r,
                      v1::ReferralStatus to, const std::string& reason,
                      Referral* out, const std::string& etag = "") {
    grpc::ClientContext ctx;
    SignAs(who, &ctx);
    v1::ChangeReferralStatusRequest req;
    req.set_case_id(r.case_id());
    req.set_referral_id(r.referral_id());
    req.set_etag(etag.empty() ? r.etag() : etag);
    req.set_status(to);
    req.set_reason(reason);
    return requester_->ChangeReferralStatus(&ctx, req, out);
  }

  grpc::Status Update(const internal::v1::Principal& who,
                      const std::string& case_id, const std::string& id,
                      const std::string& etag, v1::ReferralStatus to,
                      SharedReferral* out, const std::string& reason = "",
                      const std::string& outcome = "",
                      v1::ReferralDeclineReason decline_reason =
                          v1::REFERRAL_DECLINE_REASON_UNSPECIFIED) {
    grpc::ClientContext ctx;
    SignAs(who, &ctx);
    v1::ChangeReferralStatusRequest req;
    req.set_case_id(case_id);
    req.set_referral_id(id);
    req.set_etag(etag);
    req.set_status(to);
    req.set_reason(reason);
    req.set_outcome(outcome);
    req.set_decline_reason(decline_reason);
    return partner_->UpdateSharedReferral(&ctx, req, out);
  }

  grpc::Status GetShared(const internal::v1::Principal& who,
                         const std::string& case_id, const std::string& id,
                         SharedReferral* out) {
    grpc::ClientContext ctx;
    SignAs(who, &ctx);
    v1::GetReferralRequest req;
    req.set_case_id(case_id);
    req.set_referral_id(id);
    return partner_->GetSharedReferral(&ctx, req, out);
  }

  grpc::Status Claim(const internal::v1::Principal& who, const Referral& r,
                     SharedReferral* out) {
    grpc::ClientContext ctx;
    SignAs(who, &ctx);
    v1::ClaimReferralRequest req;
    req.set_case_id(r.case_id());
    req.set_referral_id(r.referral_id());
    return partner_->ClaimReferral(&ctx, req, out);
  }

  std::vector<std::string> Inbox(const internal::v1::Principal& who) {
    grpc::ClientContext ctx;
    SignAs(who, &ctx);
    v1::ListInboxResponse response;
    grpc::Status s = partner_->ListInbox(&ctx, {}, &response);
    EXPECT_TRUE(s.ok()) << s.error_message();
    std::vector<std::string> ids;
    for (const auto& r : response.referrals()) ids.push_back(r.referral_id());
    return ids;
  }

  std::vector<std::string> CaseReferrals() {
    grpc::ClientContext ctx;
    SignAs(kManager, &ctx);
    v1::ListCaseReferralsRequest req;
    req.set_case_id(kCase);
    v1::ListCaseReferralsResponse response;
    grpc::Status s = requester_->ListCaseReferrals(&ctx, req, &response);
    EXPECT_TRUE(s.ok()) << s.error_message();
    std::vector<std::string> ids;
    for (const auto& r : response.referrals()) ids.push_back(r.referral_id());
    return ids;
  }

  TempDir dir_;
  TestConsent consent_;
  std::unique_ptr<service::ServiceHost> host_;
  storage::Store* store_ = nullptr;
  ReferralStore* referrals_ = nullptr;
  ReferralCaseEvents* cases_ = nullptr;
  ReferralCaseClosures* closures_ = nullptr;
  DirectoryStore* directory_ = nullptr;
  ReferralsToMake* to_make_ = nullptr;
  std::unique_ptr<v1::ReferralService::Stub> requester_;
  std::unique_ptr<v1::PartnerReferralService::Stub> partner_;
};

TEST_F(ReferralServiceTest, CreateWithConsentRecordsItsBasis) {
  const Referral r = MustCreate("req-1");
  EXPECT_EQ(r.status(), v1::REFERRAL_STATUS_REQUESTED);
  EXPECT_EQ(r.organization_id(), "org-a");
  EXPECT_EQ(r.office_id(), kOffice);
  EXPECT_EQ(r.requested_by(), "cm-1");
  EXPECT_EQ(r.consent().consent_id(), "K1");
  EXPECT_FALSE(r.consent().overridden());
  EXPECT_EQ(consent_.calls(), 1);
  // A retry answers the same referral.
  const Referral again = MustCreate("req-1");
  EXPECT_EQ(again.referral_id(), r.referral_id());
  EXPECT_THAT(CaseReferrals(), ElementsAre(r.referral_id()));
  // A draft is not sent.
  const Referral draft = MustCreate("req-2", "svc-a", /*send=*/false);
  EXPECT_EQ(draft.status(), v1::REFERRAL_STATUS_DRAFT);
}

TEST_F(ReferralServiceTest, RefusedConsentCreatesNothing) {
  consent_.Answer(ConsentDecision{false, "K7", "refused on 2026-01-02"});
  Referral r;
  grpc::Status s = Create(kManager, CreateRequest("req-1", "svc-a"), &r);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(PreconditionType(s), "CONSENT_REQUIRED");
  EXPECT_THAT(s.error_message(), HasSubstr("consent"));
  EXPECT_THAT(CaseReferrals(), IsEmpty());
  // The checker not answering: its error, nothing written.
  consent_.Answer(errors::Unavailable("assessment service did not answer"));
  s = Create(kManager, CreateRequest("req-2", "svc-a"), &r);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_THAT(CaseReferrals(), IsEmpty());
}

TEST_F(ReferralServiceTest, SupervisorOverridesRefusedConsentWithAReason) {
  consent_.Answer(ConsentDecision{false, "K7", "refused"});
  v1::CreateReferralRequest request = CreateRequest("req-1", "svc-a");
  request.set_consent_override_reason("imminent danger: shelter needed");
  Referral r;
  // A case manager may not override.
  grpc::Status s = Create(kManager, request, &r);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_THAT(s.error_message(), HasSubstr("consent_override_reason"));
  EXPECT_THAT(CaseReferrals(), IsEmpty());
  s = Create(kSupervisor, request, &r);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_TRUE(r.consent().overridden());
  EXPECT_EQ(r.consent().override_reason(), "imminent danger: shelter needed");
  EXPECT_EQ(r.consent().override_by(), "sup-1");
  // Audited with its reason.
  auto audit = store_->ListAuditOf(kCase, 100, "");
  ASSERT_THAT(audit.status(), IsOk());
  bool found = false;
  for (const auto& e : audit->entries) {
    if (e.action() == "homeward.v1.ReferralService/CreateReferral" &&
        absl::StrContains(e.reason(), "imminent danger")) {
      found = e.user_id() == "sup-1";
    }
  }
  EXPECT_TRUE(found);
}

TEST_F(ReferralServiceTest, ServiceMustExistBeActiveAndAccept) {
  Referral r;
  grpc::Status s = Create(kManager, CreateRequest("req-1", "svc-none"), &r);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::NOT_FOUND);
  s = Create(kManager, CreateRequest("req-2", "svc-full"), &r);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(s.error_message(), HasSubstr("not accepting"));
  EXPECT_EQ(PreconditionType(s), "SERVICE_NOT_ACCEPTING");
  EXPECT_THAT(CaseReferrals(), IsEmpty());
  EXPECT_EQ(consent_.calls(), 0);
}

TEST_F(ReferralServiceTest, RolesAndInvalidRequests) {
  Referral r;
  grpc::Status s =
      Create(Partner("p-1", "org-a"), CreateRequest("req-1", "svc-a"), &r);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  s = Create(kOtherOffice, CreateRequest("req-1", "svc-a"), &r);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  v1::CreateReferralRequest bad = CreateRequest("req-1", "svc-a");
  bad.mutable_referral()->clear_purpose();
  bad.mutable_referral()->clear_urgency();
  s = Create(kManager, bad, &r);
  ASSERT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  std::vector<std::string> fields;
  for (const auto& v : errors::FieldViolationsOf(StatusOf(s))) {
    fields.push_back(v.field);
  }
  EXPECT_THAT(fields, ElementsAre("referral.purpose", "referral.urgency"));
  // A case manager on the partner face.
  SharedReferral shared;
  s = GetShared(kManager, kCase, "R1", &shared);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
}

TEST_F(ReferralServiceTest, TheLoopThroughBothSides) {
  const Referral r = MustCreate("req-1");
  const auto staff = Partner("staff-1", "org-a");
  SharedReferral s;
  // The requester cannot accept; the performer cannot cancel.
  Referral changed;
  grpc::Status st =
      Change(kManager, r, v1::REFERRAL_STATUS_ACCEPTED, "", &changed);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(st.error_message(),
              HasSubstr("allowed: REFERRAL_STATUS_CANCELLED, "
                        "REFERRAL_STATUS_ENTERED_IN_ERROR"));
  st = Update(staff, kCase, r.referral_id(), r.etag(),
              v1::REFERRAL_STATUS_CANCELLED, &s, "no");
  EXPECT_EQ(st.error_code(), grpc::StatusCode::FAILED_PRECONDITION);

  ASSERT_TRUE(Update(staff, kCase, r.referral_id(), r.etag(),
                     v1::REFERRAL_STATUS_RECEIVED, &s)
                  .ok());
  // A stale etag writes nothing.
  st = Update(staff, kCase, r.referral_id(), r.etag(),
              v1::REFERRAL_STATUS_ACCEPTED, &s);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::ABORTED);
  ASSERT_TRUE(GetShared(staff, kCase, r.referral_id(), &s).ok());
  EXPECT_EQ(s.status(), v1::REFERRAL_STATUS_RECEIVED);
  ASSERT_TRUE(Update(staff, kCase, r.referral_id(), s.etag(),
                     v1::REFERRAL_STATUS_ACCEPTED, &s)
                  .ok());
  ASSERT_TRUE(Update(staff, kCase, r.referral_id(), s.etag(),
                     v1::REFERRAL_STATUS_IN_PROGRESS, &s)
                  .ok());
  // On hold needs a reason, completion an outcome.
  st = Update(staff, kCase, r.referral_id(), s.etag(),
              v1::REFERRAL_STATUS_ON_HOLD, &s);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(st.error_message(), HasSubstr("reason"));
  st = Update(staff, kCase, r.referral_id(), s.etag(),
              v1::REFERRAL_STATUS_COMPLETED, &s);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(st.error_message(), HasSubstr("outcome"));
  ASSERT_TRUE(Update(staff, kCase, r.referral_id(), s.etag(),
                     v1::REFERRAL_STATUS_ON_HOLD, &s, "papers missing")
                  .ok());
  ASSERT_TRUE(Update(staff, kCase, r.referral_id(), s.etag(),
                     v1::REFERRAL_STATUS_IN_PROGRESS, &s)
                  .ok());
  ASSERT_TRUE(Update(staff, kCase, r.referral_id(), s.etag(),
                     v1::REFERRAL_STATUS_COMPLETED, &s, "", "enrolled")
                  .ok());
  EXPECT_EQ(s.outcome(), "enrolled");

  grpc::ClientContext ctx;
  SignAs(kManager, &ctx);
  v1::GetReferralRequest get;
  get.set_case_id(kCase);
  get.set_referral_id(r.referral_id());
  Referral full;
  ASSERT_TRUE(requester_->GetReferral(&ctx, get, &full).ok());
  EXPECT_EQ(full.status(), v1::REFERRAL_STATUS_COMPLETED);
  EXPECT_TRUE(full.has_response_time());
  EXPECT_TRUE(full.has_completion_time());
  ASSERT_EQ(full.history_size(), 7);
  EXPECT_EQ(full.history(4).reason(), "papers missing");
  EXPECT_EQ(full.history(4).user_id(), "staff-1");
  // Every status change is on the feed, with the previous status.
  auto events =
      store_->ReadEvents(storage::PartitionOf(kCase, kPartitions), 0, 100);
  ASSERT_THAT(events.status(), IsOk());
  std::vector<v1::ReferralStatus> previous;
  for (const auto& e : *events) {
    if (e.has_referral_status_changed()) {
      previous.push_back(e.referral_status_changed().previous_status());
    }
  }
  EXPECT_THAT(
      previous,
      ElementsAre(v1::REFERRAL_STATUS_UNSPECIFIED,
                  v1::REFERRAL_STATUS_REQUESTED, v1::REFERRAL_STATUS_RECEIVED,
                  v1::REFERRAL_STATUS_ACCEPTED, v1::REFERRAL_STATUS_IN_PROGRESS,
                  v1::REFERRAL_STATUS_ON_HOLD,
                  v1::REFERRAL_STATUS_IN_PROGRESS));
  // The requester may still mark it entered in error.
  ASSERT_TRUE(
      Change(kManager, full, v1::REFERRAL_STATUS_ENTERED_IN_ERROR, "", &changed)
          .ok());
}

TEST_F(ReferralServiceTest, ADeclineIsCodedThroughThePartnerFace) {
  const Referral r = MustCreate("req-1");
  const auto staff = Partner("staff-1", "org-a");
  SharedReferral shared;
  // Without a code: INVALID_ARGUMENT naming decline_reason, listing the
  // codes; nothing changes.
  grpc::Status s = Update(staff, kCase, r.referral_id(), r.etag(),
                          v1::REFERRAL_STATUS_REJECTED, &shared, "full");
  ASSERT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  auto violations = errors::FieldViolationsOf(StatusOf(s));
  ASSERT_EQ(violations.size(), 1u);
  EXPECT_EQ(violations[0].field, "decline_reason");
  EXPECT_THAT(violations[0].description,
              HasSubstr("REFERRAL_DECLINE_REASON_NO_CAPACITY"));
  // A code with another status: refused the same way.
  s = Update(staff, kCase, r.referral_id(), r.etag(),
             v1::REFERRAL_STATUS_RECEIVED, &shared, "", "",
             v1::REFERRAL_DECLINE_REASON_NO_CAPACITY);
  ASSERT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  ASSERT_TRUE(GetShared(staff, kCase, r.referral_id(), &shared).ok());
  EXPECT_EQ(shared.status(), v1::REFERRAL_STATUS_REQUESTED);
  EXPECT_EQ(shared.etag(), r.etag());

  s = Update(staff, kCase, r.referral_id(), r.etag(),
             v1::REFERRAL_STATUS_REJECTED, &shared, "waiting list full", "",
             v1::REFERRAL_DECLINE_REASON_NO_CAPACITY);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(shared.status(), v1::REFERRAL_STATUS_REJECTED);
  ASSERT_EQ(shared.history_size(), 2);
  EXPECT_EQ(shared.history(1).decline_reason(),
            v1::REFERRAL_DECLINE_REASON_NO_CAPACITY);
  // The requester reads the code on the referral and in its history.
  grpc::ClientContext ctx;
  SignAs(kManager, &ctx);
  v1::GetReferralRequest get;
  get.set_case_id(kCase);
  get.set_referral_id(r.referral_id());
  Referral read;
  ASSERT_TRUE(requester_->GetReferral(&ctx, get, &read).ok());
  EXPECT_EQ(read.decline_reason(), v1::REFERRAL_DECLINE_REASON_NO_CAPACITY);
  EXPECT_EQ(read.history(1).decline_reason(),
            v1::REFERRAL_DECLINE_REASON_NO_CAPACITY);
  EXPECT_EQ(read.status_reason(), "waiting list full");
}

TEST_F(ReferralServiceTest, TheRequesterCannotCodeAnotherMove) {
  const Referral r = MustCreate("req-1");
  grpc::ClientContext ctx;
  SignAs(kManager, &ctx);
  v1::ChangeReferralStatusRequest req;
  req.set_case_id(r.case_id());
  req.set_referral_id(r.referral_id());
  req.set_etag(r.etag());
  req.set_status(v1::REFERRAL_STATUS_CANCELLED);
  req.set_reason("returnee moved");
  req.set_decline_reason(v1::REFERRAL_DECLINE_REASON_OUT_OF_AREA);
  Referral out;
  grpc::Status s = requester_->ChangeReferralStatus(&ctx, req, &out);
  ASSERT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  auto violations = errors::FieldViolationsOf(StatusOf(s));
  ASSERT_EQ(violations.size(), 1u);
  EXPECT_EQ(violations[0].field, "decline_reason");
}

TEST_F(ReferralServiceTest, PartnersSeeOnlyTheirOwnReferralsSharedView) {
  const Referral to_a = MustCreate("req-1", "svc-a");
  const Referral to_b = MustCreate("req-2", "svc-b");
  const Referral draft = MustCreate("req-3", "svc-a", /*send=*/false);
  const auto a = Partner("staff-a", "org-a");
  const auto b = Partner("staff-b", "org-b");
  EXPECT_THAT(Inbox(a), ElementsAre(to_a.referral_id()));
  EXPECT_THAT(Inbox(b), ElementsAre(to_b.referral_id()));

  SharedReferral s;
  grpc::Status missing = GetShared(a, kCase, "R0000000000000000000000", &s);
  EXPECT_EQ(missing.error_code(), grpc::StatusCode::NOT_FOUND);
  grpc::Status foreign = GetShared(a, kCase, to_b.referral_id(), &s);
  EXPECT_EQ(foreign.error_code(), grpc::StatusCode::NOT_FOUND);
  // The same words as for a referral that does not exist.
  EXPECT_EQ(
      foreign.error_message(),
      absl::StrReplaceAll(missing.error_message(),
                          {{"R0000000000000000000000", to_b.referral_id()}}));
  EXPECT_EQ(GetShared(a, kCase, draft.referral_id(), &s).error_code(),
            grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(Update(a, kCase, to_b.referral_id(), to_b.etag(),
                   v1::REFERRAL_STATUS_RECEIVED, &s)
                .error_code(),
            grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(Claim(a, to_b, &s).error_code(), grpc::StatusCode::NOT_FOUND);

  ASSERT_TRUE(GetShared(a, kCase, to_a.referral_id(), &s).ok());
  EXPECT_EQ(s.summary().returnee_name(), "Test Returnee");
  ASSERT_EQ(s.history_size(), 1);
  // The programme's staff stay unnamed.
  EXPECT_EQ(s.history(0).user_id(), "");
  // Nothing of the requester's view beyond the shared fields reaches it:
  // the message type has none, and what it has matches the shared view.
  auto stored = referrals_->Get(kCase, to_a.referral_id());
  ASSERT_THAT(stored.status(), IsOk());
  EXPECT_EQ(s.SerializeAsString(), SharedViewOf(*stored).SerializeAsString());
}

// The inbox shows each returnee's shared summary to another agency, so a
// page is attributable like a GetSharedReferral: one read entry per case on
// it, naming the partner's user; a partner whose page shows nothing of a
// case leaves none for it.
TEST_F(ReferralServiceTest, APartnersInboxPageIsAuditedOncePerCaseShown) {
  const char kOtherCase[] = "C00000000000000000002";
  ASSERT_NO_FATAL_FAILURE(ApplyCaseEvent(CaseRegisteredEvent(
      CaseAt(kOtherCase, 1, kOffice, v1::CASE_STAGE_INTAKE, kPartitions), 2,
      kPartitions)));
  MustCreate("req-1", "svc-a");
  MustCreate("req-2", "svc-a");
  v1::CreateReferralRequest other = CreateRequest("req-3", "svc-a");
  other.mutable_referral()->set_case_id(kOtherCase);
  Referral third;
  ASSERT_TRUE(Create(kManager, other, &third).ok());
  EXPECT_THAT(Inbox(Partner("staff-b", "org-b")), IsEmpty());
  EXPECT_EQ(Inbox(Partner("staff-a", "org-a")).size(), 3u);

  // Read audits ride with the next durable commit.
  storage::WriteSet barrier;
  barrier.PutCursor("test-barrier", 0, 1);
  ASSERT_THAT(store_->Commit(std::move(barrier)).status(), IsOk());
  auto inbox_reads = [&](const char* case_id) {
    std::vector<std::string> readers;
    auto audit = store_->ListAuditOf(case_id, 100, "");
    EXPECT_THAT(audit.status(), IsOk());
    if (!audit.ok()) return readers;
    for (const auto& e : audit->entries) {
      if (e.action() == "homeward.v1.PartnerReferralService/ListInbox") {
        readers.push_back(e.user_id());
      }
    }
    return readers;
  };
  EXPECT_THAT(inbox_reads(kCase), ElementsAre("staff-a"));
  EXPECT_THAT(inbox_reads(kOtherCase), ElementsAre("staff-a"));
  EXPECT_OK(store_->VerifyAuditChain());
}

TEST_F(ReferralServiceTest, WithdrawnConsentHidesTheSummaryFromThePartner) {
  const Referral r = MustCreate("req-1", "svc-a");
  ASSERT_NO_FATAL_FAILURE(ApplyCaseEvent(ConsentWithdrawnEvent(
      kCase, "org-a", absl::ToUnixSeconds(absl::Now()) + 10, 2, kPartitions)));
  SharedReferral s;
  ASSERT_TRUE(
      GetShared(Partner("staff-a", "org-a"), kCase, r.referral_id(), &s).ok());
  EXPECT_TRUE(s.consent_withdrawn());
  EXPECT_FALSE(s.has_summary());
  EXPECT_EQ(s.status(), v1::REFERRAL_STATUS_CANCELLED);
  EXPECT_EQ(s.status_reason(), "consent withdrawn");
  // Gone from the inbox.
  EXPECT_THAT(Inbox(Partner("staff-a", "org-a")), IsEmpty());
}

TEST_F(ReferralServiceTest, ExactlyOneOfConcurrentClaimsWins) {
  constexpr int kRuns = 15;
  constexpr int kClaimers = 6;
  for (int run = 0; run < kRuns; ++run) {
    const Referral r = MustCreate(absl::StrCat("claim-", run));
    std::atomic<int> won{0};
    std::atomic<int> already{0};
    std::vector<std::string> others;
    absl::Mutex mu;
    std::vector<std::thread> threads;
    for (int i = 0; i < kClaimers; ++i) {
      threads.emplace_back([&, i] {
        SharedReferral s;
        const auto staff = Partner(absl::StrCat("staff-", i), "org-a");
        grpc::Status st = Claim(staff, r, &s);
        if (st.ok()) {
          ++won;
          EXPECT_EQ(s.performer_id(), staff.user_id());
        } else if (st.error_code() == grpc::StatusCode::FAILED_PRECONDITION &&
                   absl::StrContains(st.error_message(),
                                     "already has a performer")) {
          ++already;
          EXPECT_EQ(PreconditionType(st), "ALREADY_CLAIMED");
          // Nothing personal: no performer named.
          EXPECT_THAT(st.error_message(), ::testing::Not(HasSubstr("staff-")));
        } else {
          absl::MutexLock lock(&mu);
          others.push_back(st.error_message());
        }
      });
    }
    for (auto& t : threads) t.join();
    EXPECT_EQ(won.load(), 1) << "run " << run;
    EXPECT_EQ(already.load(), kClaimers - 1) << "run " << run;
    EXPECT_THAT(others, IsEmpty()) << "run " << run;
  }
}

TEST_F(ReferralServiceTest, OverdueQueuesByOfficeAndOrganization) {
  const Referral to_a = MustCreate("req-1", "svc-a");
  const Referral to_b = MustCreate("req-2", "svc-b");
  auto list = [&](bool partner, const internal::v1::Principal& who,
                  v1::OverdueKind kind, v1::Date as_of,
                  const std::string& org = "") {
    grpc::ClientContext ctx;
    SignAs(who, &ctx);
    v1::ListOverdueReferralsRequest req;
    req.set_kind(kind);
    *req.mutable_as_of() = as_of;
    req.set_organization_id(org);
    v1::ListOverdueReferralsResponse response;
    grpc::Status s =
        partner ? partner_->ListPartnerOverdueReferrals(&ctx, req, &response)
                : requester_->ListOverdueReferrals(&ctx, req, &response);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return response;
  };
  // Response due 2030-01-10.
  EXPECT_EQ(list(false, kManager, v1::OVERDUE_KIND_AWAITING_RESPONSE,
                 Day(2030, 1, 10))
                .referrals_size(),
            0);
  auto office = list(false, kManager, v1::OVERDUE_KIND_AWAITING_RESPONSE,
                     Day(2030, 1, 13));
  ASSERT_EQ(office.referrals_size(), 2);
  EXPECT_EQ(office.referrals(0).days_overdue(), 3);
  EXPECT_EQ(office.referrals(0).office_id(), kOffice);
  auto only_b = list(false, kManager, v1::OVERDUE_KIND_AWAITING_RESPONSE,
                     Day(2030, 1, 13), "org-b");
  ASSERT_EQ(only_b.referrals_size(), 1);
  EXPECT_EQ(only_b.referrals(0).referral_id(), to_b.referral_id());
  // Another office sees none of them.
  EXPECT_EQ(list(false, kOtherOffice, v1::OVERDUE_KIND_AWAITING_RESPONSE,
                 Day(2030, 1, 13))
                .referrals_size(),
            0);
  auto partner = list(true, Partner("staff-a", "org-a"),
                      v1::OVERDUE_KIND_AWAITING_RESPONSE, Day(2030, 1, 13));
  ASSERT_EQ(partner.referrals_size(), 1);
  EXPECT_EQ(partner.referrals(0).referral_id(), to_a.referral_id());
  EXPECT_EQ(partner.referrals(0).office_id(), "");
  // Accepted: awaiting completion (due 2030-03-01) instead.
  SharedReferral s;
  ASSERT_TRUE(Update(Partner("staff-a", "org-a"), kCase, to_a.referral_id(),
                     to_a.etag(), v1::REFERRAL_STATUS_ACCEPTED, &s)
                  .ok());
  EXPECT_EQ(list(true, Partner("staff-a", "org-a"),
                 v1::OVERDUE_KIND_AWAITING_RESPONSE, Day(2030, 1, 13))
                .referrals_size(),
            0);
  EXPECT_EQ(list(true, Partner("staff-a", "org-a"),
                 v1::OVERDUE_KIND_AWAITING_COMPLETION, Day(2030, 3, 2))
                .referrals_size(),
            1);
  // A partner may not read another organization's queue.
  grpc::ClientContext ctx;
  SignAs(Partner("staff-a", "org-a"), &ctx);
  v1::ListOverdueReferralsRequest req;
  req.set_kind(v1::OVERDUE_KIND_AWAITING_RESPONSE);
  req.set_organization_id("org-b");
  v1::ListOverdueReferralsResponse response;
  EXPECT_EQ(
      partner_->ListPartnerOverdueReferrals(&ctx, req, &response).error_code(),
      grpc::StatusCode::PERMISSION_DENIED);
}

// A closure reaches the referral service twice: the follow-up service's
// CaseClosed cancels the open referrals (ReferralCaseClosures), and the
// assessment service's move of the case to CLOSED closes its scope
// (ReferralCaseEvents), which refuses every change.
TEST_F(ReferralServiceTest, ClosedCaseRefusesChangesAndCancelsReferrals) {
  const Referral r = MustCreate("req-1", "svc-a");
  v1::Event closed;
  closed.set_partition(storage::PartitionOf(kCase, kPartitions));
  closed.set_subject_id(kCase);
  closed.set_sequence(1);
  closed.set_actor_user_id("sup-1");
  closed.mutable_case_closed()->mutable_closure()->set_case_id(kCase);
  ASSERT_THAT(ApplyAndCommit(*closures_, *store_, closed), IsOk());
  ASSERT_NO_FATAL_FAILURE(ApplyCaseEvent(CaseStageChangedEvent(
      CaseAt(kCase, 2, kOffice, v1::CASE_STAGE_CLOSED, kPartitions), 2,
      kPartitions)));
  Referral out;
  grpc::Status s = Create(kManager, CreateRequest("req-2", "svc-a"), &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  SharedReferral shared;
  ASSERT_TRUE(
      GetShared(Partner("staff-a", "org-a"), kCase, r.referral_id(), &shared)
          .ok());
  EXPECT_EQ(shared.status(), v1::REFERRAL_STATUS_CANCELLED);
  EXPECT_EQ(shared.status_reason(), "case closed");
  s = Change(kManager, r, v1::REFERRAL_STATUS_ENTERED_IN_ERROR, "", &out,
             shared.etag());
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
}

TEST_F(ReferralServiceTest, ReferralsAndProjectionsSurviveARestart) {
  const Referral r = MustCreate("req-1", "svc-a");
  ASSERT_NO_FATAL_FAILURE(Restart());
  // The case scope, the referral, the inbox and the queue are all still
  // there.
  EXPECT_THAT(CaseReferrals(), ElementsAre(r.referral_id()));
  EXPECT_THAT(Inbox(Partner("staff-a", "org-a")), ElementsAre(r.referral_id()));
  grpc::ClientContext ctx;
  SignAs(kManager, &ctx);
  v1::ListOverdueReferralsRequest req;
  req.set_kind(v1::OVERDUE_KIND_AWAITING_RESPONSE);
  *req.mutable_as_of() = Day(2030, 2, 1);
  v1::ListOverdueReferralsResponse response;
  ASSERT_TRUE(requester_->ListOverdueReferrals(&ctx, req, &response).ok());
  ASSERT_EQ(response.referrals_size(), 1);
  EXPECT_EQ(response.referrals(0).referral_id(), r.referral_id());
}

TEST_F(ReferralServiceTest, ReferralsToMakeLeaveOutActivitiesAlreadyReferred) {
  v1::Event approved;
  approved.set_partition(storage::PartitionOf(kCase, kPartitions));
  approved.set_subject_id(kCase);
  approved.set_sequence(1);
  v1::Plan* plan = approved.mutable_plan_approved()->mutable_plan();
  plan->set_case_id(kCase);
  plan->set_plan_id("PL1");
  plan->set_version(1);
  plan->set_status(v1::PLAN_STATUS_APPROVED);
  for (const char* id : {"AC1", "AC2"}) {
    v1::PlanActivity* a = plan->add_activities();
    a->set_activity_id(id);
    a->set_delivery(v1::ACTIVITY_DELIVERY_REFERRAL);
    a->set_status(v1::ACTIVITY_STATUS_PLANNED);
    a->set_component("employment");
  }
  ASSERT_THAT(ApplyAndCommit(*to_make_, *store_, approved), IsOk());
  auto to_make = [&] {
    grpc::ClientContext ctx;
    SignAs(kManager, &ctx);
    v1::ListReferralsToMakeRequest req;
    req.set_case_id(kCase);
    v1::ListReferralsToMakeResponse response;
    grpc::Status s = requester_->ListReferralsToMake(&ctx, req, &response);
    EXPECT_TRUE(s.ok()) << s.error_message();
    std::vector<std::string> ids;
    for (const auto& r : response.referrals()) ids.push_back(r.activity_id());
    return ids;
  };
  EXPECT_THAT(to_make(), ElementsAre("AC1", "AC2"));
  v1::CreateReferralRequest request = CreateRequest("req-1", "svc-a");
  request.mutable_referral()->mutable_activity()->set_plan_id("PL1");
  request.mutable_referral()->mutable_activity()->set_activity_id("AC1");
  Referral r;
  ASSERT_TRUE(Create(kManager, request, &r).ok());
  EXPECT_THAT(to_make(), ElementsAre("AC2"));
  // Cancelled: AC1 is to be referred again.
  Referral cancelled;
  ASSERT_TRUE(Change(kManager, r, v1::REFERRAL_STATUS_CANCELLED,
                     "wrong service", &cancelled)
                  .ok());
  EXPECT_THAT(to_make(), ElementsAre("AC1", "AC2"));
}

}  // namespace
}  // namespace homeward::referral
