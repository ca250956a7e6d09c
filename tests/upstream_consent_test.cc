// Service-to-service calls against real assessment replicas: two replicas
// owning different halves of the partitions, and a stand-in referral
// service (a service host named "referral" whose upstream routes
// "assessment" to both) that builds UpstreamCalls and AssessmentConsent as
// the referral server does. Each call must reach the replica owning the
// case, carry the referral service's ROLE_SERVICE principal, and come back
// within its deadline whatever the replica does.
#include <sys/socket.h>
#include <unistd.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "common/service/service_host.h"
#include "common/service/upstream_calls.h"
#include "common/status/status_matchers.h"
#include "common/storage/ids.h"
#include "common/storage/partitions.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "homeward/v1/audit.grpc.pb.h"
#include "homeward/v1/cases.grpc.pb.h"
#include "homeward/v1/consent.grpc.pb.h"
#include "services/assessment/assessment_server.h"
#include "services/referral/assessment_consent.h"
#include "tests/fixtures/assessment_server.h"
#include "tests/fixtures/case_fixtures.h"
#include "tests/fixtures/closed_port.h"
#include "tests/fixtures/temp_dir.h"

namespace homeward {
namespace {

using ::homeward::testing::kTestSecret;
using ::homeward::testing::MakePrincipal;
using ::homeward::testing::SignAs;
using ::homeward::testing::StatusIs;
using ::homeward::v1::ConsentRecord;

constexpr uint32_t kPartitions = 64;
constexpr char kOffice[] = "office-dakar";
constexpr char kAgency[] = "org-tvet";
// A deadline short enough for a quick test and far longer than a loopback
// call on a loaded machine; what the tests assert about time is only "well
// before the deadline plus a generous margin".
constexpr absl::Duration kDeadline = absl::Seconds(2);
constexpr absl::Duration kMargin = absl::Seconds(8);

const homeward::internal::v1::Principal kManager =
    MakePrincipal("cm-1", homeward::v1::ROLE_CASE_MANAGER, {kOffice});
const homeward::internal::v1::Principal kAdministrator =
    MakePrincipal("admin-1", homeward::v1::ROLE_ADMINISTRATOR, {});

// The replica (0: partitions 0..31, 1: 32..63) owning `case_id`.
int ReplicaOf(const std::string& case_id) {
  return storage::PartitionOf(case_id, kPartitions) < kPartitions / 2 ? 0 : 1;
}

// A request id whose case (CaseIdForRequest) lands on `replica`.
std::string RequestIdOn(int replica, const std::string& prefix) {
  for (int i = 0;; ++i) {
    std::string id = absl::StrCat(prefix, "-", i);
    if (ReplicaOf(storage::CaseIdForRequest(kOffice, id)) == replica) {
      return id;
    }
  }
}

// A port that accepts connections and never answers: a replica that hangs.
class SilentPort {
 public:
  SilentPort() {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
    EXPECT_EQ(listen(fd_, 16), 0);
    socklen_t len = sizeof(addr);
    EXPECT_EQ(getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len), 0);
    port_ = ntohs(addr.sin_port);
  }
  ~SilentPort() { close(fd_); }
  int port() const { return port_; }

 private:
  int fd_ = -1;
  int port_ = 0;
};

// The answer a ConsentChecker gave, waited for. (Shared with the callback,
// so that one arriving after the wait gave up writes nowhere harmful.)
absl::StatusOr<referral::ConsentDecision> CheckNow(
    referral::ConsentChecker& checker, const std::string& case_id,
    const std::string& organization_id) {
  struct Answer {
    absl::Notification done;
    absl::StatusOr<referral::ConsentDecision> decision =
        absl::UnknownError("not answered");
  };
  auto answer = std::make_shared<Answer>();
  checker.Check(case_id, organization_id,
                [answer](absl::StatusOr<referral::ConsentDecision> decision) {
                  answer->decision = std::move(decision);
                  answer->done.Notify();
                });
  // The checker's own deadline ends every call well before this.
  if (!answer->done.WaitForNotificationWithTimeout(kDeadline + kMargin)) {
    return absl::DeadlineExceededError("the checker did not answer in time");
  }
  return answer->decision;
}

class UpstreamCallsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (int r = 0; r < 2; ++r) {
      auto config = testing::LoopbackServiceConfig(
          absl::StrCat(dir_.path(), "/assessment-", r));
      *config.add_owned_partitions() = testing::ShareOf(r, 2, kPartitions);
      auto server = assessment::AssessmentServer::Start(
          testing::WithShippedProgrammeData(config), kTestSecret);
      ASSERT_TRUE(server.ok()) << server.status();
      ports_.push_back((*server)->port());
      replicas_.push_back(std::move(server).value());
    }
  }

  // Starts the stand-in referral service with "assessment" routed to
  // `ports` (replica r owning ShareOf(r, ...)); its UpstreamCalls and
  // AssessmentConsent land in calls_ and consent_.
  absl::Status StartCaller(const std::vector<int>& ports,
                           service::UpstreamChannels channels = {}) {
    auto config = testing::LoopbackServiceConfig(dir_.path() + "/referral-" +
                                                 std::to_string(++callers_));
    if (!ports.empty()) {
      testing::AddShareRoute(config.mutable_upstream(), "assessment",
                             kPartitions, ports);
    }
    const service::ServiceDefinition definition{
        .name = "referral",
        .build = [&](service::ServiceParts& parts) -> absl::Status {
          auto calls =
              service::UpstreamCalls::Create(parts, "assessment", channels);
          if (!calls.ok()) return calls.status();
          calls_ = parts.Own(std::move(calls).value());
          consent_ = parts.Own(
              std::make_unique<referral::AssessmentConsent>(calls_, kDeadline));
          return absl::OkStatus();
        }};
    auto host = service::ServiceHost::Start(definition, config, kTestSecret);
    if (!host.ok()) return host.status();
    caller_ = std::move(host).value();
    return absl::OkStatus();
  }

  // Registers a case on `replica` (straight to it, as the gateway routes).
  std::string RegisterOn(int replica, const std::string& prefix) {
    auto stub = homeward::v1::CaseService::NewStub(
        testing::LoopbackChannel(ports_[replica]));
    grpc::ClientContext ctx;
    SignAs(kManager, &ctx);
    homeward::v1::Case created;
    grpc::Status status = stub->RegisterCase(
        &ctx, testing::ValidRegistration(RequestIdOn(replica, prefix)),
        &created);
    EXPECT_TRUE(status.ok()) << status.error_message();
    EXPECT_EQ(ReplicaOf(created.case_id()), replica);
    return created.case_id();
  }

  // Records a REFERRAL decision for `agency` ("" = any agency).
  void RecordConsent(const std::string& case_id, const std::string& agency,
                     bool granted, const std::string& request_id) {
    auto stub = homeward::v1::ConsentService::NewStub(
        testing::LoopbackChannel(ports_[ReplicaOf(case_id)]));
    homeward::v1::RecordConsentRequest req;
    req.set_request_id(request_id);
    ConsentRecord* c = req.mutable_consent();
    c->set_case_id(case_id);
    c->set_purpose(homeward::v1::CONSENT_PURPOSE_REFERRAL);
    c->set_recipient_agency_id(agency);
    c->set_granted(granted);
    c->set_method(homeward::v1::CONSENT_METHOD_WRITTEN);
    c->mutable_decision_date()->set_year(2025);
    c->mutable_decision_date()->set_month(11);
    c->mutable_decision_date()->set_day(3);
    grpc::ClientContext ctx;
    SignAs(kManager, &ctx);
    ConsentRecord out;
    grpc::Status status = stub->RecordConsent(&ctx, req, &out);
    ASSERT_TRUE(status.ok()) << status.error_message();
  }

  testing::TempDir dir_;
  std::vector<std::unique_ptr<assessment::AssessmentServer>> replicas_;
  std::vector<int> ports_;
  int callers_ = 0;
  std::unique_ptr<service::ServiceHost> caller_;
  const service::UpstreamCalls* calls_ = nullptr;
  referral::AssessmentConsent* consent_ = nullptr;
};

TEST_F(UpstreamCallsTest, EachCallReachesTheReplicaOwningTheCase) {
  ASSERT_TRUE(StartCaller(ports_).ok());
  for (int replica = 0; replica < 2; ++replica) {
    SCOPED_TRACE(replica);
    const std::string case_id = RegisterOn(replica, "route");
    // The replica that does not own the case refuses it: only routing to
    // the owner answers.
    auto stub =
        homeward::v1::ConsentService::NewStub(calls_->ChannelForCase(case_id));
    homeward::v1::CheckConsentRequest req;
    req.set_case_id(case_id);
    req.set_agency_id(kAgency);
    req.set_purpose(homeward::v1::CONSENT_PURPOSE_REFERRAL);
    grpc::ClientContext ctx;
    calls_->Prepare(&ctx, kDeadline);
    homeward::v1::CheckConsentResponse resp;
    grpc::Status status = stub->CheckConsent(&ctx, req, &resp);
    ASSERT_TRUE(status.ok()) << status.error_message();
    EXPECT_FALSE(resp.allowed());

    auto other = homeward::v1::ConsentService::NewStub(
        testing::LoopbackChannel(ports_[1 - replica]));
    grpc::ClientContext other_ctx;
    calls_->Prepare(&other_ctx, kDeadline);
    EXPECT_FALSE(other->CheckConsent(&other_ctx, req, &resp).ok());
  }
}

TEST_F(UpstreamCallsTest, CallsCarryTheCallingServicesPrincipal) {
  ASSERT_TRUE(StartCaller(ports_).ok());
  const std::string case_id = RegisterOn(1, "principal");
  ASSERT_TRUE(CheckNow(*consent_, case_id, kAgency).ok());
  // The assessment replica audits the check under the caller it verified.
  auto audit =
      homeward::v1::AuditService::NewStub(testing::LoopbackChannel(ports_[1]));
  const absl::Time deadline = absl::Now() + absl::Seconds(30);
  bool seen = false;
  while (!seen && absl::Now() < deadline) {
    homeward::v1::ListCaseAuditEntriesRequest req;
    req.set_case_id(case_id);
    homeward::v1::ListCaseAuditEntriesResponse resp;
    grpc::ClientContext ctx;
    SignAs(kAdministrator, &ctx);
    grpc::Status status = audit->ListCaseAuditEntries(&ctx, req, &resp);
    ASSERT_TRUE(status.ok()) << status.error_message();
    for (const auto& entry : resp.entries()) {
      if (entry.method() != "homeward.v1.ConsentService/CheckConsent") {
        continue;
      }
      EXPECT_EQ(entry.user_id(), "referral");
      EXPECT_EQ(entry.role(), "ROLE_SERVICE");
      seen = true;
    }
    if (!seen) absl::SleepFor(absl::Milliseconds(100));
  }
  EXPECT_TRUE(seen) << "no CheckConsent entry in the case's audit trail";
}

TEST_F(UpstreamCallsTest, AConfigWithoutTheRouteIsRefusedAtStart) {
  EXPECT_THAT(StartCaller({}), StatusIs(absl::StatusCode::kInvalidArgument,
                                        ::testing::HasSubstr("assessment")));
}

TEST_F(UpstreamCallsTest, AnInProcessReplicaNotStartedYetHasNoChannel) {
  auto late = std::make_shared<feeds::LateChannel>();
  service::UpstreamChannels channels;
  channels[absl::StrCat("127.0.0.1:", ports_[0])] = late;
  ASSERT_TRUE(StartCaller(ports_, channels).ok());
  const std::string on_late = RegisterOn(0, "late");
  const std::string dialled = RegisterOn(1, "dialled");
  EXPECT_EQ(calls_->ChannelForCase(on_late), nullptr);
  EXPECT_NE(calls_->ChannelForCase(dialled), nullptr);
  EXPECT_THAT(CheckNow(*consent_, on_late, kAgency),
              StatusIs(absl::StatusCode::kUnavailable));
  late->Set(replicas_[0]->InProcessChannel());
  EXPECT_TRUE(CheckNow(*consent_, on_late, kAgency).ok());
  late->Revoke();
}

// ---------------------------------------------------------------- consent

using AssessmentConsentTest = UpstreamCallsTest;

TEST_F(AssessmentConsentTest, AnswersTheDecisionForTheAgency) {
  ASSERT_TRUE(StartCaller(ports_).ok());
  const std::string granted = RegisterOn(0, "granted");
  const std::string refused = RegisterOn(1, "refused");
  const std::string withdrawn = RegisterOn(1, "withdrawn");
  const std::string undecided = RegisterOn(0, "undecided");
  const std::string any_agency = RegisterOn(1, "any");
  RecordConsent(granted, kAgency, true, "c1");
  RecordConsent(refused, kAgency, false, "c2");
  RecordConsent(withdrawn, kAgency, true, "c3");
  RecordConsent(withdrawn, kAgency, false, "c4");
  RecordConsent(any_agency, "", true, "c5");

  struct Case {
    std::string name;
    std::string case_id;
    bool allowed;
    bool decided;
  };
  for (const Case& c :
       std::vector<Case>{{"granted", granted, true, true},
                         {"refused", refused, false, true},
                         {"withdrawn", withdrawn, false, true},
                         {"undecided", undecided, false, false},
                         {"any agency", any_agency, true, true}}) {
    SCOPED_TRACE(c.name);
    auto decision = CheckNow(*consent_, c.case_id, kAgency);
    ASSERT_TRUE(decision.ok()) << decision.status();
    EXPECT_EQ(decision->allowed, c.allowed);
    EXPECT_EQ(decision->consent_id.empty(), !c.decided);
    EXPECT_FALSE(decision->explanation.empty());
  }
  // A grant for one agency is not one for another.
  auto other = CheckNow(*consent_, granted, "org-other");
  ASSERT_TRUE(other.ok()) << other.status();
  EXPECT_FALSE(other->allowed);
}

TEST_F(AssessmentConsentTest, AnUnknownCaseIsNotFound) {
  ASSERT_TRUE(StartCaller(ports_).ok());
  const std::string unknown =
      storage::CaseIdForRequest(kOffice, RequestIdOn(0, "never-registered"));
  EXPECT_THAT(CheckNow(*consent_, unknown, kAgency),
              StatusIs(absl::StatusCode::kNotFound));
}

TEST_F(AssessmentConsentTest, AnAssessmentReplicaDownIsUnavailableInTime) {
  const int closed = testing::ClosedPort();
  ASSERT_TRUE(StartCaller({closed, ports_[1]}).ok());
  const std::string on_down = RegisterOn(0, "down");
  const std::string on_up = RegisterOn(1, "up");
  const absl::Time start = absl::Now();
  EXPECT_THAT(
      CheckNow(*consent_, on_down, kAgency),
      StatusIs(absl::StatusCode::kUnavailable, ::testing::HasSubstr(on_down)));
  EXPECT_LT(absl::Now() - start, kDeadline + kMargin);
  // The other replica still answers.
  EXPECT_TRUE(CheckNow(*consent_, on_up, kAgency).ok());
}

TEST_F(AssessmentConsentTest, AStoppedAssessmentServerIsUnavailable) {
  ASSERT_TRUE(StartCaller(ports_).ok());
  const std::string case_id = RegisterOn(0, "stopped");
  ASSERT_TRUE(CheckNow(*consent_, case_id, kAgency).ok());
  replicas_[0]->Shutdown(absl::Seconds(1));
  EXPECT_THAT(CheckNow(*consent_, case_id, kAgency),
              StatusIs(absl::StatusCode::kUnavailable));
}

TEST_F(AssessmentConsentTest,
       AReplicaThatNeverAnswersIsUnavailableAtTheDeadline) {
  SilentPort silent;
  ASSERT_TRUE(StartCaller({silent.port(), ports_[1]}).ok());
  const std::string case_id = RegisterOn(0, "silent");
  const absl::Time start = absl::Now();
  EXPECT_THAT(
      CheckNow(*consent_, case_id, kAgency),
      StatusIs(absl::StatusCode::kUnavailable, ::testing::HasSubstr("within")));
  const absl::Duration took = absl::Now() - start;
  EXPECT_GE(took, kDeadline - absl::Milliseconds(100));
  EXPECT_LT(took, kDeadline + kMargin);
}

}  // namespace
}  // namespace homeward
