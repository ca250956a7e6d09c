// The case directory fed by the real assessment service: cases registered,
// updated, reassigned and transferred through the real CaseService (RocksDB
// in a temp dir, loopback port), their events read through the real
// EventFeedService and applied to a directory in a second store the way the
// feed follower applies them (Apply, cursor, commit). The directory must then
// hold each case's scope as the service reads it, and answer "may this
// caller touch this case" exactly as the service does, for every role.
#include "common/cases/case_directory.h"

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "common/cases/case_access.h"
#include "common/cases/case_ids.h"
#include "common/cases/case_scope.h"
#include "common/status/grpc_status.h"
#include "common/status/status_matchers.h"
#include "common/storage/partitions.h"
#include "common/storage/store.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/message_differencer.h"
#include "grpcpp/client_context.h"
#include "gtest/gtest.h"
#include "homeward/v1/assessments.grpc.pb.h"
#include "homeward/v1/cases.grpc.pb.h"
#include "homeward/v1/instruments.grpc.pb.h"
#include "services/assessment/assessment_server.h"
#include "tests/fixtures/assessment_server.h"
#include "tests/fixtures/case_fixtures.h"
#include "tests/fixtures/consumer_loop.h"
#include "tests/fixtures/event_replay.h"
#include "tests/fixtures/temp_dir.h"

namespace homeward {
namespace {

using ::google::protobuf::util::MessageDifferencer;
using ::homeward::cases::CaseAction;
using ::homeward::cases::CaseDirectory;
using ::homeward::cases::CaseScope;
using ::homeward::cases::PartnerGrant;
using ::homeward::internal::v1::Principal;
using ::homeward::testing::ApplyAndCommit;
using ::homeward::testing::IsOk;
using ::homeward::testing::MakePrincipal;
using ::homeward::testing::SignAs;
using ::homeward::testing::StatusIs;
using ::homeward::testing::TempDir;
using ::homeward::testing::ValidRegistration;
using ::homeward::v1::Case;

constexpr uint32_t kPartitions = 64;

Principal Partner() {
  Principal p = MakePrincipal("pa-1", v1::ROLE_PARTNER_AGENCY, {"dakar"});
  p.set_agency_id("caritas");
  return p;
}

const Principal kDakarManager =
    MakePrincipal("cm-1", v1::ROLE_CASE_MANAGER, {"dakar"});
const Principal kThiesManager =
    MakePrincipal("cm-7", v1::ROLE_CASE_MANAGER, {"thies"});
const Principal kBothOfficesManager =
    MakePrincipal("cm-5", v1::ROLE_CASE_MANAGER, {"thies", "dakar"});
const Principal kDakarSupervisor =
    MakePrincipal("sup-dakar", v1::ROLE_SUPERVISOR, {"dakar"});
const Principal kThiesSupervisor =
    MakePrincipal("sup-thies", v1::ROLE_SUPERVISOR, {"thies"});
const Principal kBothSupervisor =
    MakePrincipal("sup-both", v1::ROLE_SUPERVISOR, {"dakar", "thies"});
const Principal kAdministrator =
    MakePrincipal("admin-1", v1::ROLE_ADMINISTRATOR, {"dakar"});
const Principal kMonitor =
    MakePrincipal("mo-1", v1::ROLE_MONITORING_OFFICER, {"dakar"});
const Principal kService = MakePrincipal("planning", v1::ROLE_SERVICE, {});
const Principal kPartner = Partner();

class CaseDirectoryOnAssessmentFeedTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto server = assessment::AssessmentServer::Start(
        testing::WithShippedProgrammeData(
            testing::LoopbackServiceConfig(assessment_dir_.path())),
        testing::kTestSecret);
    ASSERT_THAT(server.status(), IsOk());
    server_ = std::move(*server);
    channel_ = testing::LoopbackChannel(server_->port());
    cases_ = v1::CaseService::NewStub(channel_);
    auto store = storage::Store::Open(
        {.path = directory_dir_.path(), .partition_count = kPartitions});
    ASSERT_THAT(store.status(), IsOk());
    store_ = std::move(*store);
    directory_ = std::make_unique<CaseDirectory>(
        store_.get(), storage::PartitionSet::All(kPartitions));
  }

  void TearDown() override {
    cases_.reset();
    channel_.reset();
    if (server_ != nullptr) server_->Shutdown(absl::Seconds(5));
  }

  Case Register(const Principal& who, const std::string& request_id,
                const std::string& office, const std::string& manager) {
    grpc::ClientContext ctx;
    SignAs(who, &ctx);
    Case created;
    grpc::Status status = cases_->RegisterCase(
        &ctx, ValidRegistration(request_id, office, manager), &created);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return created;
  }

  grpc::Status GetCase(const Principal& who, const std::string& case_id,
                       Case* out) {
    grpc::ClientContext ctx;
    SignAs(who, &ctx);
    v1::GetCaseRequest req;
    req.set_case_id(case_id);
    return cases_->GetCase(&ctx, req, out);
  }

  // The case as the service reads it, to a supervisor of every office.
  Case Read(const std::string& case_id) {
    Case c;
    grpc::Status status = GetCase(kBothSupervisor, case_id, &c);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return c;
  }

  Case Assign(const Principal& who, const Case& current,
              const std::string& manager, const std::string& office = "",
              const std::string& reason = "") {
    grpc::ClientContext ctx;
    SignAs(who, &ctx);
    v1::AssignCaseRequest req;
    req.set_case_id(current.case_id());
    req.set_etag(current.etag());
    req.set_case_manager_id(manager);
    req.set_office_id(office);
    req.set_reason(reason);
    Case out;
    grpc::Status status = cases_->AssignCase(&ctx, req, &out);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return out;
  }

  // The service's answer to `who` updating the case with an etag it never
  // had: PERMISSION_DENIED or NOT_FOUND when refused, ABORTED (and nothing
  // changed) when the caller may update it, because the service checks
  // access before freshness.
  grpc::Status UpdateStale(const Principal& who, const std::string& case_id) {
    grpc::ClientContext ctx;
    SignAs(who, &ctx);
    v1::UpdateCaseRequest req;
    *req.mutable_case_() = ValidRegistration("unused").case_();
    req.mutable_case_()->set_case_id(case_id);
    req.mutable_case_()->clear_office_id();
    req.mutable_case_()->clear_case_manager_id();
    req.mutable_case_()->set_etag("999");
    Case out;
    return cases_->UpdateCase(&ctx, req, &out);
  }

  // The same for reassigning the case.
  grpc::Status AssignStale(const Principal& who, const std::string& case_id) {
    grpc::ClientContext ctx;
    SignAs(who, &ctx);
    v1::AssignCaseRequest req;
    req.set_case_id(case_id);
    req.set_etag("999");
    req.set_case_manager_id("cm-someone");
    Case out;
    return cases_->AssignCase(&ctx, req, &out);
  }

  // Does what the feed follower does with the whole feed: every event of
  // every partition, applied and committed with its cursor.
  void FollowFeed() {
    std::vector<v1::Event> events =
        testing::ReplayEvents(channel_, testing::AllPartitions(kPartitions));
    ASSERT_FALSE(events.empty());
    for (const v1::Event& e : events) {
      ASSERT_THAT(ApplyAndCommit(*directory_, *store_, e), IsOk())
          << e.ShortDebugString();
    }
  }

  // Registers, updates, reassigns and transfers cases through the service:
  // `a_` stays in Dakar with a new case manager, `b_` moves from Thies to
  // Dakar, `c_` from Dakar to Thies and is then reassigned there.
  void MakeCases() {
    a_ = Register(kDakarManager, "dir-a", "dakar", "cm-1");
    b_ = Register(kThiesManager, "dir-b", "thies", "cm-7");
    c_ = Register(kDakarManager, "dir-c", "dakar", "cm-1");

    grpc::ClientContext ctx;
    SignAs(kDakarManager, &ctx);
    v1::UpdateCaseRequest update;
    *update.mutable_case_() = a_;
    update.mutable_case_()->mutable_return_info()->set_locality("Rufisque");
    Case updated;
    grpc::Status status = cases_->UpdateCase(&ctx, update, &updated);
    ASSERT_TRUE(status.ok()) << status.error_message();
    a_ = Assign(kDakarSupervisor, updated, "cm-2");
    b_ = Assign(kThiesSupervisor, b_, "cm-3", "dakar", "moved to Dakar");
    c_ = Assign(kDakarSupervisor, c_, "cm-7", "thies", "moved to Thies");
    c_ = Assign(kThiesSupervisor, c_, "cm-8");
    ASSERT_EQ(a_.etag(), "3");
    ASSERT_EQ(b_.office_id(), "dakar");
    ASSERT_EQ(c_.office_id(), "thies");
    ASSERT_EQ(c_.etag(), "3");
  }

  void ExpectScopeAsServiceReadsIt(const std::string& case_id) {
    absl::StatusOr<CaseScope> kept = directory_->Get(case_id);
    ASSERT_THAT(kept.status(), IsOk());
    CaseScope expected = cases::ScopeOf(Read(case_id));
    EXPECT_TRUE(MessageDifferencer::Equals(*kept, expected))
        << "directory: " << kept->ShortDebugString()
        << "\nservice: " << expected.ShortDebugString();
  }

  TempDir assessment_dir_;
  TempDir directory_dir_;
  std::unique_ptr<assessment::AssessmentServer> server_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<v1::CaseService::Stub> cases_;
  std::unique_ptr<storage::Store> store_;
  std::unique_ptr<CaseDirectory> directory_;
  Case a_, b_, c_;
};

TEST_F(CaseDirectoryOnAssessmentFeedTest,
       RegisterUpdateAssignAndTransferReachTheDirectory) {
  MakeCases();
  // Nothing applied yet: the directory does not know the cases.
  EXPECT_THAT(directory_->Get(a_.case_id()),
              StatusIs(absl::StatusCode::kNotFound));
  FollowFeed();
  for (const Case* c : {&a_, &b_, &c_})
    ExpectScopeAsServiceReadsIt(c->case_id());
  absl::StatusOr<CaseScope> b = directory_->Get(b_.case_id());
  ASSERT_THAT(b.status(), IsOk());
  EXPECT_EQ(b->office_id(), "dakar");
  EXPECT_EQ(b->case_manager_id(), "cm-3");
  EXPECT_EQ(b->version(), 2u);

  // Every event delivered a second time (at-least-once delivery): nothing
  // moves.
  FollowFeed();
  for (const Case* c : {&a_, &b_, &c_})
    ExpectScopeAsServiceReadsIt(c->case_id());

  // A case registered after the last event applied is not known until its
  // event is.
  Case d = Register(kThiesManager, "dir-d", "thies", "cm-7");
  EXPECT_THAT(directory_->Get(d.case_id()),
              StatusIs(absl::StatusCode::kNotFound));
  EXPECT_THAT(directory_->Authorize(kThiesManager, d.case_id(), "case_id",
                                    CaseAction::kRead),
              StatusIs(absl::StatusCode::kNotFound));
  FollowFeed();
  ExpectScopeAsServiceReadsIt(d.case_id());
}

// A stage move reaches the directory like any other change of the case: the
// case's first assessment moves it to CASE_STAGE_ASSESSMENT with a
// CaseStageChanged event carrying the case at its new version, which the
// directory keeps; an older event applied after it changes nothing.
TEST_F(CaseDirectoryOnAssessmentFeedTest, StageMovesReachTheDirectory) {
  Case a = Register(kDakarManager, "dir-stage", "dakar", "cm-1");
  FollowFeed();
  ASSERT_THAT(directory_->Get(a.case_id()), IsOk());
  EXPECT_EQ(directory_->Get(a.case_id())->version(), 1u);

  // A one-item instrument to submit.
  auto channel = testing::LoopbackChannel(server_->port());
  v1::InstrumentDefinition d;
  d.set_instrument_id("dir_probe");
  d.set_version(1);
  d.set_kind(v1::INSTRUMENT_KIND_RSS);
  (*d.mutable_title())["en"] = "Directory probe";
  d.set_provenance("Test instrument.");
  auto* item = d.add_items();
  item->set_id("s1");
  (*item->mutable_question())["en"] = "Has identity documents?";
  item->set_answer_type(v1::ANSWER_TYPE_YES_NO);
  item->set_required(true);
  item->set_dimension(v1::DIMENSION_SOCIAL);
  for (auto [id, value] : {std::pair{"yes", 1.0}, std::pair{"no", 0.0}}) {
    auto* o = item->add_options();
    o->set_id(id);
    (*o->mutable_label())["en"] = id;
    o->set_value(value);
  }
  auto* social = d.add_dimension_weights();
  social->set_dimension(v1::DIMENSION_SOCIAL);
  auto* w = social->add_weights();
  w->set_item_id("s1");
  w->set_weight(1);
  *d.add_composite_weights() = *w;
  {
    grpc::ClientContext ctx;
    SignAs(kAdministrator, &ctx);
    v1::PublishInstrumentRequest req;
    *req.mutable_instrument() = d;
    v1::InstrumentDefinition out;
    grpc::Status status =
        v1::InstrumentService::NewStub(channel)->PublishInstrument(&ctx, req,
                                                                   &out);
    ASSERT_TRUE(status.ok()) << status.error_message();
  }
  {
    grpc::ClientContext ctx;
    SignAs(kDakarManager, &ctx);
    v1::SubmitAssessmentRequest req;
    req.set_request_id("dir-stage-1");
    req.set_case_id(a.case_id());
    req.set_instrument_id("dir_probe");
    req.set_instrument_version(1);
    req.set_occasion(v1::ASSESSMENT_OCCASION_BASELINE);
    req.set_assessor_role(v1::ASSESSOR_ROLE_CASE_MANAGER);
    req.set_mode(v1::CONTACT_MODE_IN_PERSON);
    req.mutable_assessment_date()->set_year(2025);
    req.mutable_assessment_date()->set_month(10);
    req.mutable_assessment_date()->set_day(2);
    auto* answer = req.add_answers();
    answer->set_item_id("s1");
    answer->set_option_id("no");
    v1::Assessment out;
    grpc::Status status =
        v1::AssessmentService::NewStub(channel)->SubmitAssessment(&ctx, req,
                                                                  &out);
    ASSERT_TRUE(status.ok()) << status.error_message();
  }
  Case moved = Read(a.case_id());
  ASSERT_EQ(moved.stage(), v1::CASE_STAGE_ASSESSMENT);
  ASSERT_EQ(moved.etag(), "2");

  FollowFeed();
  ExpectScopeAsServiceReadsIt(a.case_id());
  absl::StatusOr<CaseScope> scope = directory_->Get(a.case_id());
  ASSERT_THAT(scope.status(), IsOk());
  EXPECT_EQ(scope->version(), 2u);

  // The stage change of the feed, delivered again, and the registration
  // after it: the version rule keeps the newer scope.
  std::vector<v1::Event> events = testing::ReplayEvents(
      channel_, {static_cast<uint32_t>(moved.partition())});
  const v1::Event* stage_changed = nullptr;
  const v1::Event* registered = nullptr;
  for (const v1::Event& e : events) {
    if (e.subject_id() != a.case_id()) continue;
    if (e.has_case_stage_changed()) stage_changed = &e;
    if (e.has_case_registered()) registered = &e;
  }
  ASSERT_NE(stage_changed, nullptr);
  ASSERT_NE(registered, nullptr);
  EXPECT_EQ(stage_changed->case_stage_changed().case_().etag(), "2");
  ASSERT_THAT(ApplyAndCommit(*directory_, *store_, *stage_changed), IsOk());
  ASSERT_THAT(ApplyAndCommit(*directory_, *store_, *registered), IsOk());
  scope = directory_->Get(a.case_id());
  ASSERT_THAT(scope.status(), IsOk());
  EXPECT_EQ(scope->version(), 2u);
  ExpectScopeAsServiceReadsIt(a.case_id());
}

// Whether the service allowed `action`: for a read, the call succeeded; for
// an update or an assignment with a stale etag, it got as far as the
// freshness check.
bool ServiceAllowed(const grpc::Status& status, CaseAction action) {
  return action == CaseAction::kRead
             ? status.ok()
             : status.error_code() == grpc::StatusCode::ABORTED;
}

const char* NameOf(CaseAction action) {
  switch (action) {
    case CaseAction::kRead:
      return "read";
    case CaseAction::kUpdate:
      return "update";
    case CaseAction::kAssign:
      return "assign";
    case CaseAction::kRegister:
      return "register";
  }
  return "?";
}

TEST_F(CaseDirectoryOnAssessmentFeedTest,
       AnswersAccessAsTheAssessmentServiceForEveryRole) {
  MakeCases();
  FollowFeed();
  const std::string unknown =
      cases::CaseIdForRequest("dakar", "never-registered");
  struct Caller {
    std::string name;
    Principal principal;
  };
  const std::vector<Caller> callers = {
      {"manager of the Dakar office", kDakarManager},
      {"manager of the Thies office", kThiesManager},
      {"manager of both offices", kBothOfficesManager},
      {"supervisor of the Dakar office", kDakarSupervisor},
      {"supervisor of the Thies office", kThiesSupervisor},
      {"administrator", kAdministrator},
      {"monitoring officer", kMonitor},
      {"another service", kService},
      {"partner agency without a grant", kPartner},
  };
  int allowed = 0;
  int refused = 0;
  for (const Caller& caller : callers) {
    for (const std::string& id :
         {a_.case_id(), b_.case_id(), c_.case_id(), unknown}) {
      for (CaseAction action :
           {CaseAction::kRead, CaseAction::kUpdate, CaseAction::kAssign}) {
        SCOPED_TRACE(absl::StrCat(caller.name, " ", NameOf(action), " ", id));
        grpc::Status service;
        if (action == CaseAction::kRead) {
          Case out;
          service = GetCase(caller.principal, id, &out);
        } else if (action == CaseAction::kUpdate) {
          service = UpdateStale(caller.principal, id);
        } else {
          service = AssignStale(caller.principal, id);
        }
        absl::Status local =
            directory_->Authorize(caller.principal, id, "case_id", action)
                .status();
        if (ServiceAllowed(service, action)) {
          ++allowed;
          EXPECT_THAT(local, IsOk());
        } else {
          ++refused;
          grpc::Status as_sent = ToGrpcStatus(local);
          EXPECT_EQ(as_sent.error_code(), service.error_code())
              << "directory: " << local
              << "\nservice: " << service.error_message();
          EXPECT_EQ(as_sent.error_message(), service.error_message());
        }
      }
    }
  }
  // Both kinds of answer were compared, not only one.
  EXPECT_GT(allowed, 10);
  EXPECT_GT(refused, 10);

  // Spot checks, written out by hand.
  EXPECT_THAT(directory_->Authorize(kDakarManager, b_.case_id(), "case_id",
                                    CaseAction::kUpdate),
              IsOk());  // transferred to Dakar
  EXPECT_THAT(directory_->Authorize(kDakarManager, c_.case_id(), "case_id",
                                    CaseAction::kRead),
              StatusIs(absl::StatusCode::kPermissionDenied));  // now in Thies
  EXPECT_THAT(directory_->Authorize(kThiesSupervisor, c_.case_id(), "case_id",
                                    CaseAction::kAssign),
              IsOk());
  EXPECT_THAT(directory_->Authorize(kThiesManager, c_.case_id(), "case_id",
                                    CaseAction::kAssign),
              StatusIs(absl::StatusCode::kPermissionDenied));
  EXPECT_THAT(directory_->Authorize(kDakarManager, unknown, "case_id",
                                    CaseAction::kRead),
              StatusIs(absl::StatusCode::kNotFound));
}

// A service that shares cases with partner agencies (referral) passes the
// case's grant: the partner then reads that case, and only reads it, where
// the assessment service (which shares nothing) refuses it everything.
TEST_F(CaseDirectoryOnAssessmentFeedTest,
       PartnerAgencyReadsOnlyThroughItsGrant) {
  MakeCases();
  FollowFeed();
  Case out;
  EXPECT_EQ(GetCase(kPartner, a_.case_id(), &out).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  const PartnerGrant shared({"caritas"});
  const PartnerGrant elsewhere({"red-cross"});
  absl::StatusOr<CaseScope> scope = directory_->Authorize(
      kPartner, a_.case_id(), "case_id", CaseAction::kRead, &shared);
  ASSERT_THAT(scope.status(), IsOk());
  EXPECT_EQ(scope->office_id(), "dakar");
  // The grant is per case and per agency, whatever the case's office.
  EXPECT_THAT(directory_
                  ->Authorize(kPartner, c_.case_id(), "case_id",
                              CaseAction::kRead, &shared)
                  .status(),
              IsOk());
  for (CaseAction action : {CaseAction::kUpdate, CaseAction::kAssign}) {
    EXPECT_THAT(directory_->Authorize(kPartner, a_.case_id(), "case_id", action,
                                      &shared),
                StatusIs(absl::StatusCode::kPermissionDenied));
  }
  EXPECT_THAT(directory_->Authorize(kPartner, a_.case_id(), "case_id",
                                    CaseAction::kRead, &elsewhere),
              StatusIs(absl::StatusCode::kPermissionDenied));
  // Staff roles are unaffected by a grant.
  EXPECT_THAT(directory_->Authorize(kThiesManager, a_.case_id(), "case_id",
                                    CaseAction::kRead, &shared),
              StatusIs(absl::StatusCode::kPermissionDenied));
  EXPECT_THAT(directory_->Authorize(kDakarManager, a_.case_id(), "case_id",
                                    CaseAction::kUpdate, &shared),
              IsOk());
}

}  // namespace
}  // namespace homeward
