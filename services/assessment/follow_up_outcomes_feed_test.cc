// The wiring of FollowUpOutcomes in the assessment server, and what a
// closed case refuses: a stand-in follow-up producer (a service host named
// "follow_up" with nothing but its event feed, on a real RocksDB and a
// loopback port) and an assessment server whose config routes "follow_up"
// upstream. A CaseClosed appended to the producer's outbox closes the case
// (read back through CaseService); every change through the service is then
// refused with FAILED_PRECONDITION CASE_CLOSED except a consent decision,
// and reads go on; a CaseReopened opens it again at its earlier stage.
#include <memory>
#include <string>

#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "common/service/service_host.h"
#include "common/status/errors.h"
#include "common/status/grpc_status.h"
#include "google/rpc/error_details.pb.h"
#include "gtest/gtest.h"
#include "homeward/v1/cases.grpc.pb.h"
#include "homeward/v1/consent.grpc.pb.h"
#include "homeward/v1/counselling.grpc.pb.h"
#include "homeward/v1/needs.grpc.pb.h"
#include "services/assessment/assessment_server.h"
#include "tests/fixtures/assessment_server.h"
#include "tests/fixtures/case_fixtures.h"
#include "tests/fixtures/temp_dir.h"

namespace homeward::assessment {
namespace {

using ::homeward::testing::kTestSecret;
using ::homeward::testing::SignAs;

// Generous: the machine is small and shared.
constexpr absl::Duration kFollowTimeout = absl::Seconds(60);

const homeward::internal::v1::Principal kManager = testing::MakePrincipal(
    "cm-1", homeward::v1::ROLE_CASE_MANAGER, {"office-dakar"});
const homeward::internal::v1::Principal kSupervisor = testing::MakePrincipal(
    "sup-1", homeward::v1::ROLE_SUPERVISOR, {"office-dakar"});

// The type of the precondition a refusal names ("" if none).
std::string PreconditionType(const grpc::Status& s) {
  auto payload =
      FromGrpcStatus(s).GetPayload(errors::kPreconditionFailureTypeUrl);
  if (!payload.has_value()) return "";
  google::rpc::PreconditionFailure failure;
  if (!failure.ParseFromString(std::string(*payload)) ||
      failure.violations_size() != 1) {
    return "";
  }
  return failure.violations(0).type();
}

class FollowUpOutcomesFeedTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const service::ServiceDefinition follow_up{
        .name = "follow_up", .build = [this](service::ServiceParts& parts) {
          producer_store_ = parts.store();
          return absl::OkStatus();
        }};
    auto producer = service::ServiceHost::Start(
        follow_up, testing::LoopbackServiceConfig(dir_.path() + "/follow_up"),
        kTestSecret);
    ASSERT_TRUE(producer.ok()) << producer.status();
    producer_ = std::move(producer).value();

    homeward::internal::v1::ServiceConfig service =
        testing::LoopbackServiceConfig(dir_.path() + "/assessment");
    testing::AddShareRoute(service.mutable_upstream(), "follow_up", 64,
                           {producer_->port()});
    auto server = AssessmentServer::Start(
        testing::WithShippedProgrammeData(service), kTestSecret);
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = std::move(server).value();
    auto channel = testing::LoopbackChannel(server_->port());
    cases_ = homeward::v1::CaseService::NewStub(channel);
    needs_ = homeward::v1::NeedService::NewStub(channel);
    consent_ = homeward::v1::ConsentService::NewStub(channel);
    counselling_ = homeward::v1::CounsellingService::NewStub(channel);

    auto registration = testing::ValidRegistration("closed-1");
    registration.mutable_case_()->set_programme_id("sn_reintegration");
    grpc::ClientContext ctx;
    SignAs(kManager, &ctx);
    grpc::Status status = cases_->RegisterCase(&ctx, registration, &case_);
    ASSERT_TRUE(status.ok()) << status.error_message();
  }

  // Appends a CaseClosed (or, with `reopened`, a CaseReopened) of the case
  // to the producer's outbox.
  void Announce(bool reopened) {
    homeward::v1::Event event;
    event.set_partition(case_.partition());
    event.set_subject_id(case_.case_id());
    event.set_actor_user_id("sup-1");
    event.set_request_id(reopened ? "reopen-1" : "close-1");
    homeward::v1::Closure* closure =
        reopened ? event.mutable_case_reopened()->mutable_closure()
                 : event.mutable_case_closed()->mutable_closure();
    closure->set_closure_id("CL1");
    closure->set_case_id(case_.case_id());
    closure->set_status(reopened ? homeward::v1::CLOSURE_STATUS_REOPENED
                                 : homeward::v1::CLOSURE_STATUS_CLOSED);
    storage::WriteSet set;
    set.AppendEvent(event);
    ASSERT_TRUE(producer_store_->Commit(std::move(set)).ok());
  }

  // The case once its stage is `stage` (or as last read, after the
  // deadline).
  homeward::v1::Case AwaitStage(homeward::v1::CaseStage stage) {
    const absl::Time deadline = absl::Now() + kFollowTimeout;
    homeward::v1::Case read;
    do {
      homeward::v1::GetCaseRequest req;
      req.set_case_id(case_.case_id());
      grpc::ClientContext ctx;
      SignAs(kManager, &ctx);
      grpc::Status status = cases_->GetCase(&ctx, req, &read);
      EXPECT_TRUE(status.ok()) << status.error_message();
      if (read.stage() == stage) break;
      absl::SleepFor(absl::Milliseconds(50));
    } while (absl::Now() < deadline);
    return read;
  }

  grpc::Status Update(const homeward::v1::Case& current) {
    homeward::v1::UpdateCaseRequest req;
    *req.mutable_case_() = current;
    req.mutable_case_()->mutable_return_info()->set_locality("Rufisque");
    homeward::v1::Case out;
    grpc::ClientContext ctx;
    SignAs(kManager, &ctx);
    return cases_->UpdateCase(&ctx, req, &out);
  }

  grpc::Status AddNeed(const std::string& request_id, homeward::v1::Need* out) {
    homeward::v1::AddNeedRequest req;
    req.set_request_id(request_id);
    req.set_case_id(case_.case_id());
    req.mutable_need()->set_dimension(homeward::v1::DIMENSION_SOCIAL);
    req.mutable_need()->set_category("housing");
    req.mutable_need()->set_description("Rent support");
    req.mutable_need()->set_priority(homeward::v1::NEED_PRIORITY_HIGH);
    grpc::ClientContext ctx;
    SignAs(kManager, &ctx);
    return needs_->AddNeed(&ctx, req, out);
  }

  testing::TempDir dir_;
  storage::Store* producer_store_ = nullptr;
  std::unique_ptr<service::ServiceHost> producer_;
  std::unique_ptr<AssessmentServer> server_;
  std::unique_ptr<homeward::v1::CaseService::Stub> cases_;
  std::unique_ptr<homeward::v1::NeedService::Stub> needs_;
  std::unique_ptr<homeward::v1::ConsentService::Stub> consent_;
  std::unique_ptr<homeward::v1::CounsellingService::Stub> counselling_;
  homeward::v1::Case case_;
};

TEST_F(FollowUpOutcomesFeedTest, AClosedCaseRefusesEveryChangeButConsent) {
  homeward::v1::Need need;
  {
    grpc::Status status = AddNeed("need-1", &need);
    ASSERT_TRUE(status.ok()) << status.error_message();
  }
  ASSERT_NO_FATAL_FAILURE(Announce(false));
  const homeward::v1::Case closed = AwaitStage(homeward::v1::CASE_STAGE_CLOSED);
  ASSERT_EQ(closed.stage(), homeward::v1::CASE_STAGE_CLOSED);
  EXPECT_EQ(closed.stage_history(closed.stage_history_size() - 1).cause(),
            "CaseClosed");
  EXPECT_EQ(
      closed.stage_history(closed.stage_history_size() - 1).actor_user_id(),
      "sup-1");

  auto expect_closed = [](const grpc::Status& status, const char* what) {
    EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION)
        << what << ": " << status.error_message();
    EXPECT_EQ(PreconditionType(status), "CASE_CLOSED") << what;
  };
  expect_closed(Update(closed), "UpdateCase");
  {
    homeward::v1::AssignCaseRequest req;
    req.set_case_id(case_.case_id());
    req.set_etag(closed.etag());
    req.set_case_manager_id("cm-2");
    homeward::v1::Case out;
    grpc::ClientContext ctx;
    SignAs(kSupervisor, &ctx);
    expect_closed(cases_->AssignCase(&ctx, req, &out), "AssignCase");
  }
  {
    homeward::v1::Need out;
    expect_closed(AddNeed("need-2", &out), "AddNeed");
  }
  {
    homeward::v1::SetNeedStatusRequest req;
    req.set_case_id(case_.case_id());
    req.set_need_id(need.need_id());
    req.set_etag(need.etag());
    req.set_status(homeward::v1::NEED_STATUS_RESOLVED);
    homeward::v1::Need out;
    grpc::ClientContext ctx;
    SignAs(kManager, &ctx);
    expect_closed(needs_->SetNeedStatus(&ctx, req, &out), "SetNeedStatus");
  }
  {
    homeward::v1::AddProtectionConcernRequest req;
    req.set_request_id("concern-1");
    req.set_case_id(case_.case_id());
    req.mutable_concern()->set_code("SUSPECTED_TRAFFICKING_VICTIM");
    req.mutable_concern()->set_label("suspected trafficking victim");
    req.mutable_concern()->set_priority(homeward::v1::NEED_PRIORITY_HIGH);
    req.mutable_concern()->set_response_category("counter_trafficking");
    homeward::v1::ProtectionConcern out;
    grpc::ClientContext ctx;
    SignAs(kManager, &ctx);
    expect_closed(needs_->AddProtectionConcern(&ctx, req, &out),
                  "AddProtectionConcern");
  }
  {
    homeward::v1::RecordCounsellingSessionRequest req;
    req.set_request_id("session-1");
    auto* s = req.mutable_session();
    s->set_case_id(case_.case_id());
    s->mutable_session_date()->set_year(2025);
    s->mutable_session_date()->set_month(10);
    s->mutable_session_date()->set_day(3);
    s->set_mode(homeward::v1::CONTACT_MODE_PHONE);
    s->add_participants("returnee");
    s->add_topics("housing");
    homeward::v1::CounsellingSession out;
    grpc::ClientContext ctx;
    SignAs(kManager, &ctx);
    expect_closed(counselling_->RecordCounsellingSession(&ctx, req, &out),
                  "RecordCounsellingSession");
  }
  // A returnee may withdraw consent at any time.
  {
    homeward::v1::RecordConsentRequest req;
    req.set_request_id("consent-1");
    auto* c = req.mutable_consent();
    c->set_case_id(case_.case_id());
    c->set_purpose(homeward::v1::CONSENT_PURPOSE_REFERRAL);
    c->set_granted(false);
    c->mutable_decision_date()->set_year(2025);
    c->mutable_decision_date()->set_month(10);
    c->mutable_decision_date()->set_day(4);
    c->set_method(homeward::v1::CONSENT_METHOD_WRITTEN);
    homeward::v1::ConsentRecord out;
    grpc::ClientContext ctx;
    SignAs(kManager, &ctx);
    grpc::Status status = consent_->RecordConsent(&ctx, req, &out);
    EXPECT_TRUE(status.ok()) << status.error_message();
  }
  // Reads go on.
  {
    homeward::v1::ListNeedsRequest req;
    req.set_case_id(case_.case_id());
    homeward::v1::ListNeedsResponse out;
    grpc::ClientContext ctx;
    SignAs(kManager, &ctx);
    grpc::Status status = needs_->ListNeeds(&ctx, req, &out);
    EXPECT_TRUE(status.ok()) << status.error_message();
    EXPECT_EQ(out.needs_size(), 1);
  }

  // Reopened: back at intake, where it was, and open to changes again.
  ASSERT_NO_FATAL_FAILURE(Announce(true));
  const homeward::v1::Case reopened =
      AwaitStage(homeward::v1::CASE_STAGE_INTAKE);
  ASSERT_EQ(reopened.stage(), homeward::v1::CASE_STAGE_INTAKE);
  EXPECT_EQ(reopened.stage_history(reopened.stage_history_size() - 1).cause(),
            "CaseReopened");
  grpc::Status status = Update(reopened);
  EXPECT_TRUE(status.ok()) << status.error_message();
}

}  // namespace
}  // namespace homeward::assessment
