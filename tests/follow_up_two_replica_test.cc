// Two replicas each of the assessment, planning and follow-up services
// behind the gateway, replica r of each owning the same half of the
// partitions, each follow-up replica following both assessment and both
// planning replicas' feeds:
// - a plan approved through the gateway schedules its case's follow-up
//   contacts on the follow-up replica owning the case's partition only;
// - the case manager's due list fans out over both follow-up replicas and
//   lists the first contact of each half's case, once each;
// - a case closed through the gateway is closed on its own replica, and its
//   contacts still scheduled are cancelled there;
// - a follow-up replica stopped and started again on its data keeps what it
//   had, catches up with what the feeds announced while it was down, and
//   applies nothing twice.
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
#include "homeward/v1/follow_up.grpc.pb.h"
#include "homeward/v1/planning.grpc.pb.h"
#include "services/assessment/assessment_server.h"
#include "services/follow_up/follow_up_server.h"
#include "services/gateway/api_keys.h"
#include "services/gateway/gateway_server.h"
#include "services/gateway/method_table.h"
#include "services/planning/planning_server.h"
#include "tests/fixtures/assessment_server.h"
#include "tests/fixtures/case_fixtures.h"
#include "tests/fixtures/follow_up_server.h"
#include "tests/fixtures/planning_server.h"
#include "tests/fixtures/temp_dir.h"

// The gateway cannot include the follow-up service's header (services share
// none); the two names must agree.
static_assert(std::string_view(homeward::gateway::kFollowUpService) ==
                  std::string_view(homeward::follow_up::kFollowUpBackend),
              "the gateway's follow-up backend is not the follow-up service's");

namespace homeward {
namespace {

using ::homeward::testing::IsOk;
using ::homeward::testing::MakePrincipal;
using ::homeward::testing::SignAs;
using ::homeward::testing::TempDir;
using ::homeward::testing::ValidRegistration;

constexpr uint32_t kPartitions = 64;
const std::string kSupervisorKey = "hw_test_key_supervisor_0123456789abc";

v1::Date DaysFromToday(int days) {
  const absl::CivilDay day =
      absl::ToCivilDay(absl::Now(), absl::UTCTimeZone()) + days;
  v1::Date date;
  date.set_year(static_cast<int>(day.year()));
  date.set_month(day.month());
  date.set_day(day.day());
  return date;
}

class FollowUpTwoReplicaTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::vector<int> assessment_ports;
    for (int r = 0; r < 2; ++r) {
      auto config = Replica("assessment", r);
      auto server = assessment::AssessmentServer::Start(
          testing::WithShippedProgrammeData(config), testing::kTestSecret);
      ASSERT_TRUE(server.ok()) << server.status();
      assessment_[r] = std::move(server).value();
      assessment_ports.push_back(assessment_[r]->port());
    }
    std::vector<int> planning_ports;
    for (int r = 0; r < 2; ++r) {
      auto config = Replica("planning", r);
      testing::AddShareRoute(config.mutable_upstream(),
                             gateway::kAssessmentService, kPartitions,
                             assessment_ports);
      auto server = planning::PlanningServer::Start(
          testing::WithShippedPlanningData(config), testing::kTestSecret);
      ASSERT_TRUE(server.ok()) << server.status();
      planning_[r] = std::move(server).value();
      planning_ports.push_back(planning_[r]->port());
    }
    std::vector<int> follow_up_ports;
    for (int r = 0; r < 2; ++r) {
      auto config = Replica("follow_up", r);
      testing::AddShareRoute(config.mutable_upstream(),
                             gateway::kAssessmentService, kPartitions,
                             assessment_ports);
      testing::AddShareRoute(config.mutable_upstream(),
                             gateway::kPlanningService, kPartitions,
                             planning_ports);
      follow_up_config_[r] = testing::WithShippedFollowUpData(config);
      StartFollowUp(r);
      if (HasFatalFailure()) return;
      follow_up_ports.push_back(follow_up_[r]->port());
    }
    gateway::GatewayServer::Options options;
    options.config.set_grpc_listen_address("127.0.0.1:0");
    testing::RouteShares(options.config, kPartitions, assessment_ports);
    testing::AddShareRoute(options.config.mutable_routes(),
                           gateway::kPlanningService, kPartitions,
                           planning_ports);
    testing::AddShareRoute(options.config.mutable_routes(),
                           gateway::kFollowUpService, kPartitions,
                           follow_up_ports);
    options.principal_secret = testing::kTestSecret;
    *options.api_keys.add_keys() =
        gateway::MakeApiKey("s", kSupervisorKey, kSupervisor);
    auto gw = gateway::GatewayServer::Start(std::move(options));
    ASSERT_TRUE(gw.ok()) << gw.status();
    gateway_ = std::move(gw).value();
    auto channel = testing::LoopbackChannel(gateway_->grpc_port());
    cases_ = v1::CaseService::NewStub(channel);
    plans_ = v1::PlanService::NewStub(channel);
    follow_ups_ = v1::FollowUpService::NewStub(channel);
    closures_ = v1::CaseClosureService::NewStub(channel);
  }

  // Starts follow-up replica r on its config (and data), and its stub.
  void StartFollowUp(int r) {
    auto server = follow_up::FollowUpServer::Start(follow_up_config_[r],
                                                   testing::kTestSecret);
    ASSERT_TRUE(server.ok()) << server.status();
    follow_up_[r] = std::move(server).value();
    direct_[r] = v1::FollowUpService::NewStub(
        testing::LoopbackChannel(follow_up_[r]->port()));
  }

  // Registers cases through the gateway until one lands in `half`; its id.
  std::string CaseIn(int half, const std::string& prefix) {
    for (int i = 0; i < 200; ++i) {
      grpc::ClientContext ctx;
      Authorize(&ctx);
      v1::RegisterCaseRequest registration =
          ValidRegistration(absl::StrCat(prefix, i), "office-dakar", "cm-1");
      *registration.mutable_case_()
           ->mutable_return_info()
           ->mutable_return_date() = DaysFromToday(-21);
      v1::Case c;
      if (!cases_->RegisterCase(&ctx, registration, &c).ok()) break;
      if (ReplicaOf(c.case_id()) == half) return c.case_id();
    }
    ADD_FAILURE() << "no case registered in half " << half;
    return "";
  }

  // The case's contacts on replica r once it holds `count` of them (waiting
  // for the feeds), or as they are after a minute.
  v1::ListContactsResponse ContactsOnceThere(int r, const std::string& case_id,
                                             int count) {
    v1::ListContactsResponse contacts;
    const absl::Time deadline = absl::Now() + absl::Seconds(60);
    while (absl::Now() < deadline) {
      contacts.Clear();
      if (ContactsOn(r, case_id, &contacts).ok() &&
          contacts.contacts_size() >= count) {
        break;
      }
      absl::SleepFor(absl::Milliseconds(50));
    }
    return contacts;
  }

  homeward::internal::v1::ServiceConfig Replica(const std::string& service,
                                                int r) {
    auto config = testing::LoopbackServiceConfig(
        absl::StrCat(dir_.path(), "/", service, r));
    config.set_partition_count(kPartitions);
    *config.add_owned_partitions() = testing::ShareOf(r, 2, kPartitions);
    return config;
  }

  static void Authorize(grpc::ClientContext* ctx) {
    ctx->AddMetadata("authorization", absl::StrCat("Bearer ", kSupervisorKey));
  }

  static int ReplicaOf(const std::string& case_id) {
    return storage::PartitionOf(case_id, kPartitions) < kPartitions / 2 ? 0 : 1;
  }

  // Creates, agrees, submits and approves the case's plan through the
  // gateway (retrying CreatePlan while planning has not seen the case).
  void ApprovePlan(const std::string& case_id) {
    v1::CreatePlanRequest create;
    create.set_request_id(absl::StrCat("plan-", case_id));
    create.mutable_plan()->set_case_id(case_id);
    create.mutable_plan()->set_returnee_objectives("Open a tailoring shop");
    v1::PlanActivity* activity = create.mutable_plan()->add_activities();
    activity->set_dimension(v1::DIMENSION_ECONOMIC);
    activity->set_component("business_development");
    activity->set_level(v1::ASSISTANCE_LEVEL_INDIVIDUAL);
    activity->set_description("business coaching");
    activity->set_delivery(v1::ACTIVITY_DELIVERY_DIRECT);
    activity->set_responsible_party("programme");
    *activity->mutable_start_date() = DaysFromToday(0);
    *activity->mutable_due_date() = DaysFromToday(90);
    v1::Plan plan;
    grpc::Status status;
    const absl::Time deadline = absl::Now() + absl::Seconds(60);
    do {
      grpc::ClientContext ctx;
      Authorize(&ctx);
      status = plans_->CreatePlan(&ctx, create, &plan);
      if (status.ok()) break;
      absl::SleepFor(absl::Milliseconds(50));
    } while (absl::Now() < deadline);
    ASSERT_TRUE(status.ok()) << status.error_message();
    for (auto step :
         {&v1::PlanService::Stub::AgreePlan, &v1::PlanService::Stub::SubmitPlan,
          &v1::PlanService::Stub::ApprovePlan}) {
      v1::PlanStepRequest request;
      request.set_case_id(case_id);
      request.set_etag(plan.etag());
      if (step == &v1::PlanService::Stub::AgreePlan) {
        *request.mutable_agreement()->mutable_agreed_date() = DaysFromToday(0);
        request.mutable_agreement()->set_method(v1::AGREEMENT_METHOD_SIGNED);
      }
      grpc::ClientContext ctx;
      Authorize(&ctx);
      status = (plans_.get()->*step)(&ctx, request, &plan);
      ASSERT_TRUE(status.ok()) << status.error_message();
    }
  }

  // The case's contacts as replica r holds them (signed as the supervisor,
  // past the gateway); the status of the call when it fails.
  grpc::Status ContactsOn(int r, const std::string& case_id,
                          v1::ListContactsResponse* contacts) {
    grpc::ClientContext ctx;
    SignAs(kSupervisor, &ctx);
    v1::ListContactsRequest list;
    list.set_case_id(case_id);
    return direct_[r]->ListContacts(&ctx, list, contacts);
  }

  const internal::v1::Principal kSupervisor =
      MakePrincipal("sup-1", v1::ROLE_SUPERVISOR, {"office-dakar"});
  TempDir dir_;
  std::unique_ptr<assessment::AssessmentServer> assessment_[2];
  std::unique_ptr<planning::PlanningServer> planning_[2];
  homeward::internal::v1::FollowUpConfig follow_up_config_[2];
  std::unique_ptr<follow_up::FollowUpServer> follow_up_[2];
  std::unique_ptr<v1::FollowUpService::Stub> direct_[2];
  std::unique_ptr<gateway::GatewayServer> gateway_;
  std::unique_ptr<v1::CaseService::Stub> cases_;
  std::unique_ptr<v1::PlanService::Stub> plans_;
  std::unique_ptr<v1::FollowUpService::Stub> follow_ups_;
  std::unique_ptr<v1::CaseClosureService::Stub> closures_;
};

TEST_F(FollowUpTwoReplicaTest,
       ContactsLiveWhereTheirCaseLivesAndTheDueListSpansBoth) {
  // One case per half, back three weeks ago (every cadence point lies ahead).
  std::string case_of[2];
  for (int i = 0; i < 200 && (case_of[0].empty() || case_of[1].empty()); ++i) {
    grpc::ClientContext ctx;
    Authorize(&ctx);
    v1::RegisterCaseRequest registration =
        ValidRegistration(absl::StrCat("fu-", i), "office-dakar", "cm-1");
    *registration.mutable_case_()
         ->mutable_return_info()
         ->mutable_return_date() = DaysFromToday(-21);
    v1::Case c;
    ASSERT_THAT(cases_->RegisterCase(&ctx, registration, &c), IsOk());
    std::string& slot = case_of[ReplicaOf(c.case_id())];
    if (slot.empty()) slot = c.case_id();
  }
  ASSERT_FALSE(case_of[0].empty());
  ASSERT_FALSE(case_of[1].empty());

  std::string first_contact[2];
  for (int owner = 0; owner < 2; ++owner) {
    ApprovePlan(case_of[owner]);
    if (HasFatalFailure()) return;
    // Scheduled on the owning replica, from the planning feed.
    v1::ListContactsResponse contacts;
    const absl::Time deadline = absl::Now() + absl::Seconds(60);
    while (absl::Now() < deadline) {
      contacts.Clear();
      if (ContactsOn(owner, case_of[owner], &contacts).ok() &&
          contacts.contacts_size() == 6) {
        break;
      }
      absl::SleepFor(absl::Milliseconds(50));
    }
    ASSERT_EQ(contacts.contacts_size(), 6) << "replica " << owner;
    first_contact[owner] = contacts.contacts(0).contact_id();
    // The other replica does not hold the case.
    v1::ListContactsResponse elsewhere;
    EXPECT_FALSE(ContactsOn(1 - owner, case_of[owner], &elsewhere).ok());
  }

  // The due list of the case manager fans out over both replicas: the first
  // contact of each case, once each.
  std::set<std::string> listed;
  v1::ListDueContactsRequest due;
  due.set_office_id("office-dakar");
  due.set_case_manager_id("cm-1");
  // Month 1 is about ten days ahead, month 2 about forty.
  due.set_within_days(30);
  due.mutable_page()->set_page_size(1);
  do {
    grpc::ClientContext ctx;
    Authorize(&ctx);
    v1::ListContactsDueResponse page;
    ASSERT_THAT(follow_ups_->ListDueContacts(&ctx, due, &page), IsOk());
    for (const v1::FollowUpContact& c : page.contacts()) {
      EXPECT_TRUE(listed.insert(c.case_id() + "/" + c.contact_id()).second)
          << "listed twice: " << c.contact_id();
    }
    due.mutable_page()->set_page_token(page.next_page_token());
  } while (!due.page().page_token().empty());
  EXPECT_EQ(listed,
            (std::set<std::string>{case_of[0] + "/" + first_contact[0],
                                   case_of[1] + "/" + first_contact[1]}));

  // Closing the second half's case: closed there, its contacts cancelled.
  v1::CloseCaseRequest close;
  close.set_request_id("close-1");
  close.set_acknowledge_checks(true);
  v1::Closure* closure = close.mutable_closure();
  closure->set_case_id(case_of[1]);
  closure->set_reason(v1::CLOSURE_REASON_LOST_CONTACT);
  closure->set_no_final_rss_reason("no answer since the first month");
  closure->mutable_closing_session()->set_held(false);
  closure->mutable_closing_session()->set_not_held_reason("unreachable");
  {
    grpc::ClientContext ctx;
    Authorize(&ctx);
    v1::Closure closed;
    ASSERT_THAT(closures_->CloseCase(&ctx, close, &closed), IsOk());
    EXPECT_EQ(closed.status(), v1::CLOSURE_STATUS_CLOSED);
  }
  v1::ListContactsResponse after;
  ASSERT_TRUE(ContactsOn(1, case_of[1], &after).ok());
  for (const v1::FollowUpContact& c : after.contacts()) {
    EXPECT_EQ(c.status(), v1::FOLLOW_UP_CONTACT_STATUS_CANCELLED)
        << c.contact_id();
  }
  ASSERT_TRUE(ContactsOn(0, case_of[0], &after).ok());
  EXPECT_EQ(after.contacts(0).status(), v1::FOLLOW_UP_CONTACT_STATUS_SCHEDULED);
}

TEST_F(FollowUpTwoReplicaTest,
       RestartedReplicaKeepsItsContactsAndCatchesUpOnce) {
  const std::string first = CaseIn(1, "restart-a-");
  ASSERT_FALSE(first.empty());
  ApprovePlan(first);
  if (HasFatalFailure()) return;
  v1::ListContactsResponse before = ContactsOnceThere(1, first, 6);
  ASSERT_EQ(before.contacts_size(), 6);
  // The first contact missed (a write of the replica itself, with its event).
  {
    grpc::ClientContext ctx;
    SignAs(kSupervisor, &ctx);
    v1::RecordMissedContactRequest missed;
    missed.set_case_id(first);
    missed.set_contact_id(before.contacts(0).contact_id());
    missed.set_etag(before.contacts(0).etag());
    missed.mutable_missed()->set_reason(v1::MISSED_REASON_UNREACHABLE);
    *missed.mutable_missed()->mutable_attempted_date() = DaysFromToday(0);
    v1::FollowUpContact answer;
    ASSERT_THAT(direct_[1]->RecordMissedContact(&ctx, missed, &answer), IsOk());
  }

  // Replica 1 goes down; a plan of its half is approved meanwhile.
  follow_up_[1].reset();
  const std::string second = CaseIn(1, "restart-b-");
  ASSERT_FALSE(second.empty());
  ApprovePlan(second);
  if (HasFatalFailure()) return;

  StartFollowUp(1);
  if (HasFatalFailure()) return;
  // Caught up: the second case's schedule, once.
  v1::ListContactsResponse caught_up = ContactsOnceThere(1, second, 6);
  EXPECT_EQ(caught_up.contacts_size(), 6);
  // Kept: the first case's six contacts and the attempt after the missed
  // one, nothing scheduled twice by the feeds read again from their
  // cursors.
  absl::SleepFor(absl::Milliseconds(500));
  v1::ListContactsResponse after;
  ASSERT_TRUE(ContactsOn(1, first, &after).ok());
  std::multiset<std::string> ids;
  int missed = 0;
  for (const v1::FollowUpContact& c : after.contacts()) {
    ids.insert(c.contact_id());
    missed += c.status() == v1::FOLLOW_UP_CONTACT_STATUS_MISSED;
  }
  EXPECT_EQ(after.contacts_size(), 7);
  EXPECT_EQ(missed, 1);
  for (const std::string& id : ids) EXPECT_EQ(ids.count(id), 1u) << id;
  ASSERT_TRUE(ContactsOn(1, second, &caught_up).ok());
  EXPECT_EQ(caught_up.contacts_size(), 6);
}

}  // namespace
}  // namespace homeward
