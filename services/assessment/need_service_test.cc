// NeedService and the needs and concerns submissions raise, through a real
// assessment server on a loopback port (RocksDB in a temporary directory,
// the shipped taxonomy and programme published at start).
//
// Two hand-made instruments, "tiny_a" and "tiny_b", ask one yes/no question
// ("home": has a safe home?) and, when the answer is "no", both raise a
// "housing" need (tiny_a MEDIUM, tiny_b HIGH) and the flag "UNSAFE_HOME"
// (tiny_a HIGH, tiny_b URGENT, response "gbv_services"): one need and one
// concern per case whichever raised them.
#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/status/errors.h"
#include "common/status/grpc_status.h"
#include "common/status/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "homeward/v1/assessments.grpc.pb.h"
#include "homeward/v1/cases.grpc.pb.h"
#include "homeward/v1/events.grpc.pb.h"
#include "homeward/v1/instruments.grpc.pb.h"
#include "homeward/v1/needs.grpc.pb.h"
#include "services/assessment/assessment_server.h"
#include "services/assessment/instruments/instrument_files.h"
#include "services/assessment/instruments/scoring.h"
#include "services/assessment/instruments/test_instruments.h"
#include "tests/fixtures/assessment_server.h"
#include "tests/fixtures/case_fixtures.h"
#include "tests/fixtures/event_replay.h"
#include "tests/fixtures/temp_dir.h"

namespace homeward::assessment {
namespace {

using ::homeward::testing::MakePrincipal;
using ::homeward::testing::SignAs;
using ::homeward::testing::StatusIs;
using ::homeward::testing::TempDir;
using ::homeward::v1::Assessment;
using ::homeward::v1::Event;
using ::homeward::v1::InstrumentDefinition;
using ::homeward::v1::Need;
using ::homeward::v1::NeedStatus;
using ::homeward::v1::ProtectionConcern;
using ::testing::AllOf;
using ::testing::HasSubstr;

const auto kManager =
    MakePrincipal("cm-1", homeward::v1::ROLE_CASE_MANAGER, {"office-dakar"});
const auto kSupervisor =
    MakePrincipal("su-1", homeward::v1::ROLE_SUPERVISOR, {"office-dakar"});
const auto kOtherOffice =
    MakePrincipal("cm-9", homeward::v1::ROLE_CASE_MANAGER, {"office-thies"});
const auto kAdmin =
    MakePrincipal("admin-1", homeward::v1::ROLE_ADMINISTRATOR, {});
const auto kMonitor =
    MakePrincipal("mo-1", homeward::v1::ROLE_MONITORING_OFFICER, {});

constexpr NeedStatus kOpen = homeward::v1::NEED_STATUS_OPEN;
constexpr NeedStatus kResolved = homeward::v1::NEED_STATUS_RESOLVED;
constexpr NeedStatus kNotApplicable = homeward::v1::NEED_STATUS_NOT_APPLICABLE;
constexpr NeedStatus kSuperseded = homeward::v1::NEED_STATUS_SUPERSEDED;

InstrumentDefinition Tiny(const std::string& id,
                          homeward::v1::NeedPriority need_priority,
                          homeward::v1::NeedPriority flag_priority) {
  InstrumentDefinition d;
  d.set_instrument_id(id);
  d.set_version(1);
  d.set_kind(homeward::v1::INSTRUMENT_KIND_RISK_ASSESSMENT);
  d.set_taxonomy_id("reintegration");
  d.set_taxonomy_version(1);
  (*d.mutable_title())["en"] = "Tiny " + id;
  d.set_provenance("Test instrument.");
  auto* home = d.add_items();
  home->set_id("home");
  (*home->mutable_question())["en"] = "Has a safe home?";
  home->set_answer_type(homeward::v1::ANSWER_TYPE_YES_NO);
  home->set_required(true);
  home->set_dimension(homeward::v1::DIMENSION_SOCIAL);
  for (const auto& [option, value] :
       std::vector<std::pair<std::string, double>>{{"yes", 1}, {"no", 0}}) {
    auto* o = home->add_options();
    o->set_id(option);
    (*o->mutable_label())["en"] = option;
    o->set_value(value);
  }
  auto* social = d.add_dimension_weights();
  social->set_dimension(homeward::v1::DIMENSION_SOCIAL);
  auto* w = social->add_weights();
  w->set_item_id("home");
  w->set_weight(1);
  auto* cw = d.add_composite_weights();
  cw->set_item_id("home");
  cw->set_weight(1);
  auto* flag = d.add_flag_rules();
  flag->set_code("UNSAFE_HOME");
  (*flag->mutable_label())["en"] = "No safe home";
  flag->set_priority(flag_priority);
  flag->set_response_category("gbv_services");
  flag->add_all_of()->set_item_id("home");
  flag->mutable_all_of(0)->add_any_of_options("no");
  auto* need = d.add_need_rules();
  need->set_code("HOUSING");
  need->set_dimension(homeward::v1::DIMENSION_SOCIAL);
  need->set_category("housing");
  (*need->mutable_description())["en"] = "Find a safe home";
  need->set_priority(need_priority);
  need->add_all_of()->set_item_id("home");
  need->mutable_all_of(0)->add_any_of_options("no");
  return d;
}

homeward::v1::Answer Choice(const std::string& item,
                            const std::string& option) {
  homeward::v1::Answer a;
  a.set_item_id(item);
  a.set_option_id(option);
  return a;
}

class NeedServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto server = AssessmentServer::Start(
        homeward::testing::WithShippedProgrammeData(
            homeward::testing::LoopbackServiceConfig(dir_.path()),
            /*instruments=*/true),
        homeward::testing::kTestSecret);
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = std::move(server).value();
    channel_ = homeward::testing::LoopbackChannel(server_->port());
    cases_ = homeward::v1::CaseService::NewStub(channel_);
    instruments_ = homeward::v1::InstrumentService::NewStub(channel_);
    assessments_ = homeward::v1::AssessmentService::NewStub(channel_);
    needs_ = homeward::v1::NeedService::NewStub(channel_);
    case_ = Register("case-1");
    for (const auto& d : {Tiny("tiny_a", homeward::v1::NEED_PRIORITY_MEDIUM,
                               homeward::v1::NEED_PRIORITY_HIGH),
                          Tiny("tiny_b", homeward::v1::NEED_PRIORITY_HIGH,
                               homeward::v1::NEED_PRIORITY_URGENT)}) {
      grpc::ClientContext ctx;
      SignAs(kAdmin, &ctx);
      homeward::v1::PublishInstrumentRequest req;
      *req.mutable_instrument() = d;
      InstrumentDefinition out;
      grpc::Status published = instruments_->PublishInstrument(&ctx, req, &out);
      ASSERT_TRUE(published.ok()) << published.error_message();
    }
  }

  homeward::v1::Case Register(const std::string& request_id) {
    auto registration = homeward::testing::ValidRegistration(request_id);
    registration.mutable_case_()->set_programme_id("sn_reintegration");
    grpc::ClientContext ctx;
    SignAs(kManager, &ctx);
    homeward::v1::Case c;
    grpc::Status status = cases_->RegisterCase(&ctx, registration, &c);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return c;
  }

  homeward::v1::SubmitAssessmentRequest Submission(
      const std::string& request_id, const std::string& instrument, int version,
      std::vector<homeward::v1::Answer> answers,
      const std::string& case_id = "") {
    homeward::v1::SubmitAssessmentRequest r;
    r.set_request_id(request_id);
    r.set_case_id(case_id.empty() ? case_.case_id() : case_id);
    r.set_instrument_id(instrument);
    r.set_instrument_version(version);
    r.mutable_assessment_date()->set_year(2026);
    r.mutable_assessment_date()->set_month(1);
    r.mutable_assessment_date()->set_day(10);
    r.set_occasion(homeward::v1::ASSESSMENT_OCCASION_BASELINE);
    r.set_assessor_role(homeward::v1::ASSESSOR_ROLE_CASE_MANAGER);
    r.set_mode(homeward::v1::CONTACT_MODE_IN_PERSON);
    for (auto& a : answers) *r.add_answers() = std::move(a);
    return r;
  }

  Assessment Submit(const homeward::v1::SubmitAssessmentRequest& r) {
    grpc::ClientContext ctx;
    SignAs(kManager, &ctx);
    Assessment a;
    grpc::Status status = assessments_->SubmitAssessment(&ctx, r, &a);
    EXPECT_TRUE(status.ok())
        << r.instrument_id() << ": " << status.error_message();
    return a;
  }

  Assessment SubmitTiny(const std::string& request_id,
                        const std::string& instrument,
                        const std::string& home) {
    return Submit(
        Submission(request_id, instrument, 1, {Choice("home", home)}));
  }

  std::vector<Need> ListNeeds(
      std::vector<NeedStatus> statuses = {},
      const homeward::internal::v1::Principal& who = kManager,
      grpc::Status* status_out = nullptr) {
    grpc::ClientContext ctx;
    SignAs(who, &ctx);
    homeward::v1::ListNeedsRequest req;
    req.set_case_id(case_.case_id());
    for (NeedStatus s : statuses) req.add_statuses(s);
    homeward::v1::ListNeedsResponse resp;
    grpc::Status status = needs_->ListNeeds(&ctx, req, &resp);
    if (status_out != nullptr) {
      *status_out = status;
    } else {
      EXPECT_TRUE(status.ok()) << status.error_message();
    }
    return {resp.needs().begin(), resp.needs().end()};
  }

  std::vector<ProtectionConcern> ListConcerns(const std::string& case_id = "") {
    grpc::ClientContext ctx;
    SignAs(kManager, &ctx);
    homeward::v1::ListProtectionConcernsRequest req;
    req.set_case_id(case_id.empty() ? case_.case_id() : case_id);
    homeward::v1::ListProtectionConcernsResponse resp;
    grpc::Status status = needs_->ListProtectionConcerns(&ctx, req, &resp);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return {resp.concerns().begin(), resp.concerns().end()};
  }

  grpc::Status SetNeedStatus(
      const Need& need, NeedStatus status, const std::string& reason, Need* out,
      const homeward::internal::v1::Principal& who = kManager,
      const std::string& etag = "") {
    grpc::ClientContext ctx;
    SignAs(who, &ctx);
    homeward::v1::SetNeedStatusRequest req;
    req.set_case_id(case_.case_id());
    req.set_need_id(need.need_id());
    req.set_etag(etag.empty() ? need.etag() : etag);
    req.set_status(status);
    req.set_reason(reason);
    return needs_->SetNeedStatus(&ctx, req, out);
  }

  grpc::Status AddNeed(const std::string& request_id,
                       const std::string& category,
                       homeward::v1::Dimension dimension, Need* out) {
    grpc::ClientContext ctx;
    SignAs(kManager, &ctx);
    homeward::v1::AddNeedRequest req;
    req.set_request_id(request_id);
    req.set_case_id(case_.case_id());
    req.mutable_need()->set_dimension(dimension);
    req.mutable_need()->set_category(category);
    req.mutable_need()->set_description("Rent support for three months");
    req.mutable_need()->set_priority(homeward::v1::NEED_PRIORITY_MEDIUM);
    return needs_->AddNeed(&ctx, req, out);
  }

  Need Read(const std::string& need_id) {
    grpc::ClientContext ctx;
    SignAs(kManager, &ctx);
    homeward::v1::GetNeedRequest req;
    req.set_case_id(case_.case_id());
    req.set_need_id(need_id);
    Need n;
    grpc::Status status = needs_->GetNeed(&ctx, req, &n);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return n;
  }

  std::vector<Event> Events(Event::PayloadCase payload) {
    std::vector<Event> out;
    for (auto& e :
         homeward::testing::ReplayEvents(channel_, {case_.partition()})) {
      if (e.payload_case() == payload) out.push_back(std::move(e));
    }
    return out;
  }

  TempDir dir_;
  std::unique_ptr<AssessmentServer> server_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<homeward::v1::CaseService::Stub> cases_;
  std::unique_ptr<homeward::v1::InstrumentService::Stub> instruments_;
  std::unique_ptr<homeward::v1::AssessmentService::Stub> assessments_;
  std::unique_ptr<homeward::v1::NeedService::Stub> needs_;
  homeward::v1::Case case_;
};

TEST_F(NeedServiceTest, TwoInstrumentsRaisingOneCategoryMakeOneNeedAndConcern) {
  Assessment a = SubmitTiny("sub-a", "tiny_a", "no");
  Assessment b = SubmitTiny("sub-b", "tiny_b", "no");
  std::vector<Need> needs = ListNeeds();
  ASSERT_EQ(needs.size(), 1u);
  const Need& housing = needs[0];
  EXPECT_EQ(housing.category(), "housing");
  EXPECT_EQ(housing.status(), kOpen);
  EXPECT_EQ(housing.priority(), homeward::v1::NEED_PRIORITY_HIGH);  // highest
  ASSERT_EQ(housing.sources_size(), 2);
  EXPECT_EQ(housing.sources(0).assessment_id(), a.assessment_id());
  EXPECT_EQ(housing.sources(0).instrument_id(), "tiny_a");
  EXPECT_EQ(housing.sources(1).assessment_id(), b.assessment_id());
  EXPECT_EQ(housing.sources(1).instrument_id(), "tiny_b");
  EXPECT_EQ(housing.etag(), "2");
  // Each submission names the need its raise went into.
  EXPECT_EQ(a.needs(0).need_id(), housing.need_id());
  EXPECT_EQ(b.needs(0).need_id(), housing.need_id());

  std::vector<ProtectionConcern> concerns = ListConcerns();
  ASSERT_EQ(concerns.size(), 1u);
  EXPECT_EQ(concerns[0].code(), "UNSAFE_HOME");
  EXPECT_EQ(concerns[0].priority(), homeward::v1::NEED_PRIORITY_URGENT);
  EXPECT_EQ(concerns[0].response_category(), "gbv_services");
  EXPECT_EQ(concerns[0].sources_size(), 2);

  // Events: the need created then joined, the concern likewise, each about
  // the case; the submissions' events carry what they were made under.
  auto need_events = Events(Event::kNeedChanged);
  ASSERT_EQ(need_events.size(), 2u);
  EXPECT_EQ(need_events[0].subject_id(), case_.case_id());
  EXPECT_EQ(need_events[0].need_changed().need().sources_size(), 1);
  EXPECT_EQ(need_events[1].need_changed().need().sources_size(), 2);
  EXPECT_EQ(need_events[1].need_changed().need().etag(), "2");
  EXPECT_EQ(Events(Event::kProtectionConcernChanged).size(), 2u);
  auto completed = Events(Event::kAssessmentCompleted);
  ASSERT_EQ(completed.size(), 2u);
  EXPECT_EQ(completed[0].assessment_completed().assessment_date().year(), 2026);
  EXPECT_EQ(completed[0].assessment_completed().needs(0).need_id(),
            housing.need_id());
}

TEST_F(NeedServiceTest,
       AResubmissionOfTheSameInstrumentSupersedesWhatItDropped) {
  Assessment first = SubmitTiny("sub-1", "tiny_a", "no");
  // Another instrument's clean answer supersedes nothing of tiny_a's.
  SubmitTiny("sub-b", "tiny_b", "yes");
  ASSERT_EQ(ListNeeds({kOpen}).size(), 1u);
  Assessment again = SubmitTiny("sub-2", "tiny_a", "yes");
  std::vector<Need> needs = ListNeeds();
  ASSERT_EQ(needs.size(), 1u);
  EXPECT_EQ(needs[0].status(), kSuperseded);
  EXPECT_EQ(needs[0].sources(0).assessment_id(), first.assessment_id());
  EXPECT_EQ(needs[0].sources(0).superseded_by_assessment_id(),
            again.assessment_id());
  EXPECT_TRUE(ListNeeds({kOpen}).empty());
  EXPECT_EQ(ListNeeds({kSuperseded}).size(), 1u);
  std::vector<ProtectionConcern> concerns = ListConcerns();
  ASSERT_EQ(concerns.size(), 1u);
  EXPECT_EQ(concerns[0].status(), kSuperseded);

  // SUPERSEDED is final: the case manager cannot reopen it, and a later
  // raise opens a new need.
  Need out;
  EXPECT_THAT(FromGrpcStatus(SetNeedStatus(needs[0], kOpen, "again", &out)),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       AllOf(HasSubstr("NEED_STATUS_SUPERSEDED"),
                             HasSubstr("NEED_STATUS_OPEN"))));
  SubmitTiny("sub-3", "tiny_a", "no");
  needs = ListNeeds();
  ASSERT_EQ(needs.size(), 2u);
  EXPECT_EQ(needs[1].status(), kOpen);
  EXPECT_NE(needs[1].need_id(), needs[0].need_id());

  // AssessmentService.ListNeeds lists the same, with the same filter.
  grpc::ClientContext ctx;
  SignAs(kManager, &ctx);
  homeward::v1::ListNeedsRequest req;
  req.set_case_id(case_.case_id());
  req.add_statuses(kSuperseded);
  homeward::v1::ListNeedsResponse resp;
  ASSERT_TRUE(assessments_->ListNeeds(&ctx, req, &resp).ok());
  ASSERT_EQ(resp.needs_size(), 1);
  EXPECT_EQ(resp.needs(0).need_id(), needs[0].need_id());
}

TEST_F(NeedServiceTest, CaseManagersChangeStatusesAsTheLifecycleAllows) {
  Need need;
  ASSERT_TRUE(
      AddNeed("add-1", "housing", homeward::v1::DIMENSION_SOCIAL, &need).ok());
  EXPECT_EQ(need.status(), kOpen);
  EXPECT_EQ(need.etag(), "1");
  ASSERT_EQ(need.sources_size(), 1);
  EXPECT_EQ(need.sources(0).assessment_id(), "");
  EXPECT_EQ(need.sources(0).added_by(), "cm-1");

  struct Step {
    NeedStatus to;
    std::string reason;
    absl::StatusCode expected;
    std::string message;  // a part of the error, or of the status_reason
  };
  const std::vector<Step> steps = {
      {kOpen, "still open", absl::StatusCode::kFailedPrecondition,
       "from NEED_STATUS_OPEN to NEED_STATUS_OPEN"},
      {kNotApplicable, "", absl::StatusCode::kInvalidArgument, "reason"},
      {kResolved, "", absl::StatusCode::kOk, ""},
      {kResolved, "", absl::StatusCode::kFailedPrecondition,
       "from NEED_STATUS_RESOLVED to NEED_STATUS_RESOLVED"},
      {kNotApplicable, "no longer", absl::StatusCode::kFailedPrecondition,
       "from NEED_STATUS_RESOLVED to NEED_STATUS_NOT_APPLICABLE"},
      {kOpen, "", absl::StatusCode::kInvalidArgument, "reason"},
      {kOpen, "the landlord evicted them", absl::StatusCode::kOk,
       "the landlord evicted them"},
      {kNotApplicable, "family took them in", absl::StatusCode::kOk,
       "family took them in"},
      {kResolved, "", absl::StatusCode::kFailedPrecondition,
       "from NEED_STATUS_NOT_APPLICABLE to NEED_STATUS_RESOLVED"},
      {kOpen, "back again", absl::StatusCode::kOk, "back again"},
      {kSuperseded, "", absl::StatusCode::kInvalidArgument, "status"},
      {homeward::v1::NEED_STATUS_BEING_ADDRESSED, "",
       absl::StatusCode::kInvalidArgument, "status"},
  };
  int changes = 1;  // the creation
  for (const Step& step : steps) {
    SCOPED_TRACE(absl::StrCat(homeward::v1::NeedStatus_Name(step.to), " '",
                              step.reason, "'"));
    Need out;
    absl::Status status =
        FromGrpcStatus(SetNeedStatus(need, step.to, step.reason, &out));
    if (step.expected == absl::StatusCode::kOk) {
      ASSERT_TRUE(status.ok()) << status;
      EXPECT_EQ(out.status(), step.to);
      EXPECT_EQ(out.status_reason(), step.message);
      EXPECT_EQ(out.history(out.history_size() - 1).user_id(), "cm-1");
      ++changes;
      need = out;
    } else {
      EXPECT_THAT(status, StatusIs(step.expected, HasSubstr(step.message)));
      // A refused change changes nothing.
      Need read = Read(need.need_id());
      EXPECT_EQ(read.etag(), need.etag());
      EXPECT_EQ(read.status(), need.status());
    }
  }
  EXPECT_EQ(need.history_size(), changes);
  EXPECT_EQ(Events(Event::kNeedChanged).size(), static_cast<size_t>(changes));
}

TEST_F(NeedServiceTest,
       AddingIsIdempotentJoinsTheOpenNeedAndChecksTheTaxonomy) {
  Need first, again, joined;
  ASSERT_TRUE(
      AddNeed("add-1", "housing", homeward::v1::DIMENSION_SOCIAL, &first).ok());
  ASSERT_TRUE(
      AddNeed("add-1", "housing", homeward::v1::DIMENSION_SOCIAL, &again).ok());
  EXPECT_EQ(again.need_id(), first.need_id());
  EXPECT_EQ(again.etag(), "1");
  ASSERT_TRUE(
      AddNeed("add-2", "housing", homeward::v1::DIMENSION_SOCIAL, &joined)
          .ok());
  EXPECT_EQ(joined.need_id(), first.need_id());
  EXPECT_EQ(joined.sources_size(), 2);
  EXPECT_EQ(Events(Event::kNeedChanged).size(), 2u);

  Need out;
  absl::Status unknown = FromGrpcStatus(
      AddNeed("add-3", "livelihood", homeward::v1::DIMENSION_ECONOMIC, &out));
  EXPECT_THAT(unknown, StatusIs(absl::StatusCode::kInvalidArgument,
                                HasSubstr("livelihood")));
  ASSERT_EQ(errors::FieldViolationsOf(unknown).size(), 1u);
  EXPECT_EQ(errors::FieldViolationsOf(unknown)[0].field, "need.category");
  absl::Status wrong_dimension = FromGrpcStatus(
      AddNeed("add-4", "housing", homeward::v1::DIMENSION_ECONOMIC, &out));
  ASSERT_EQ(errors::FieldViolationsOf(wrong_dimension).size(), 1u);
  EXPECT_EQ(errors::FieldViolationsOf(wrong_dimension)[0].field,
            "need.dimension");
  // Rejected calls changed nothing.
  EXPECT_EQ(ListNeeds().size(), 1u);
  EXPECT_EQ(Events(Event::kNeedChanged).size(), 2u);

  // Concerns: the response category must be a taxonomy component.
  grpc::ClientContext ctx;
  SignAs(kSupervisor, &ctx);
  homeward::v1::AddProtectionConcernRequest req;
  req.set_request_id("pc-1");
  req.set_case_id(case_.case_id());
  req.mutable_concern()->set_code("SUSPECTED_TRAFFICKING_VICTIM");
  req.mutable_concern()->set_label("Suspected trafficking victim");
  req.mutable_concern()->set_priority(homeward::v1::NEED_PRIORITY_URGENT);
  req.mutable_concern()->set_response_category("trafficking");
  ProtectionConcern concern;
  absl::Status bad =
      FromGrpcStatus(needs_->AddProtectionConcern(&ctx, req, &concern));
  ASSERT_EQ(errors::FieldViolationsOf(bad).size(), 1u) << bad;
  EXPECT_EQ(errors::FieldViolationsOf(bad)[0].field,
            "concern.response_category");
  grpc::ClientContext ctx2;
  SignAs(kSupervisor, &ctx2);
  req.mutable_concern()->set_response_category("counter_trafficking");
  ASSERT_TRUE(needs_->AddProtectionConcern(&ctx2, req, &concern).ok());
  EXPECT_EQ(concern.status(), kOpen);
  EXPECT_EQ(Events(Event::kProtectionConcernChanged).size(), 1u);

  grpc::ClientContext ctx3;
  SignAs(kManager, &ctx3);
  homeward::v1::SetProtectionConcernStatusRequest set;
  set.set_case_id(case_.case_id());
  set.set_concern_id(concern.concern_id());
  set.set_etag(concern.etag());
  set.set_status(kResolved);
  ProtectionConcern resolved;
  ASSERT_TRUE(needs_->SetProtectionConcernStatus(&ctx3, set, &resolved).ok());
  EXPECT_EQ(resolved.status(), kResolved);
  EXPECT_EQ(resolved.etag(), "2");
}

TEST_F(NeedServiceTest, OnlyCaseManagersAndSupervisorsOfTheOfficeReadOrChange) {
  Need need;
  ASSERT_TRUE(
      AddNeed("add-1", "housing", homeward::v1::DIMENSION_SOCIAL, &need).ok());
  for (const auto& who : {kAdmin, kMonitor, kOtherOffice}) {
    SCOPED_TRACE(who.user_id());
    grpc::Status listed;
    ListNeeds({}, who, &listed);
    EXPECT_EQ(listed.error_code(), grpc::StatusCode::PERMISSION_DENIED);
    Need out;
    EXPECT_EQ(SetNeedStatus(need, kResolved, "", &out, who).error_code(),
              grpc::StatusCode::PERMISSION_DENIED);
  }
  EXPECT_EQ(Read(need.need_id()).status(), kOpen);
  Need out;
  ASSERT_TRUE(SetNeedStatus(need, kResolved, "", &out, kSupervisor).ok());
  EXPECT_EQ(out.history(1).user_id(), "su-1");
}

TEST_F(NeedServiceTest, AStaleEtagIsAbortedAndChangesNothing) {
  Need need, out;
  ASSERT_TRUE(
      AddNeed("add-1", "housing", homeward::v1::DIMENSION_SOCIAL, &need).ok());
  ASSERT_TRUE(SetNeedStatus(need, kResolved, "", &out).ok());
  Need stale;
  EXPECT_EQ(SetNeedStatus(need, kNotApplicable, "dup", &stale).error_code(),
            grpc::StatusCode::ABORTED);
  EXPECT_EQ(SetNeedStatus(need, kOpen, "x", &stale, kManager, "not-an-etag")
                .error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  Need read = Read(need.need_id());
  EXPECT_EQ(read.status(), kResolved);
  EXPECT_EQ(read.etag(), "2");
  EXPECT_EQ(Events(Event::kNeedChanged).size(), 2u);
}

// The answer that is worst (lowest value) or best (highest) for an item, so
// that scores can be driven down or up.
homeward::v1::Answer Extreme(const homeward::v1::Item& item, bool worst) {
  homeward::v1::Answer a;
  a.set_item_id(item.id());
  switch (item.answer_type()) {
    case homeward::v1::ANSWER_TYPE_SINGLE_CHOICE:
    case homeward::v1::ANSWER_TYPE_YES_NO:
    case homeward::v1::ANSWER_TYPE_MULTIPLE_CHOICE: {
      const homeward::v1::AnswerOption* pick = &item.options(0);
      for (const auto& o : item.options()) {
        if (worst ? o.value() < pick->value() : o.value() > pick->value()) {
          pick = &o;
        }
      }
      if (item.answer_type() == homeward::v1::ANSWER_TYPE_MULTIPLE_CHOICE) {
        a.mutable_option_ids()->add_ids(pick->id());
      } else {
        a.set_option_id(pick->id());
      }
      break;
    }
    case homeward::v1::ANSWER_TYPE_NUMBER: {
      const auto& r = item.number_range();
      const bool low = worst == r.higher_is_better();
      a.set_number(low ? r.min() : r.max());
      break;
    }
    case homeward::v1::ANSWER_TYPE_DATE:
      a.mutable_date()->set_year(2025);
      a.mutable_date()->set_month(6);
      a.mutable_date()->set_day(1);
      break;
    default:
      a.set_text("noted");
      break;
  }
  return a;
}

// An answer to `item` that meets `condition` (an item condition).
homeward::v1::Answer Meeting(const homeward::v1::Item& item,
                             const homeward::v1::Condition& condition) {
  homeward::v1::Answer a;
  a.set_item_id(item.id());
  if (!condition.any_of_options().empty()) {
    if (item.answer_type() == homeward::v1::ANSWER_TYPE_MULTIPLE_CHOICE) {
      a.mutable_option_ids()->add_ids(condition.any_of_options(0));
    } else {
      a.set_option_id(condition.any_of_options(0));
    }
  } else {
    a.set_number(condition.has_at_least() ? condition.at_least()
                                          : condition.at_most());
  }
  return a;
}

std::optional<double> ScoreOf(const homeward::v1::Scores& s,
                              homeward::v1::ScoreKind kind) {
  switch (kind) {
    case homeward::v1::SCORE_KIND_ECONOMIC:
      return s.has_economic() ? std::optional<double>(s.economic())
                              : std::nullopt;
    case homeward::v1::SCORE_KIND_SOCIAL:
      return s.has_social() ? std::optional<double>(s.social()) : std::nullopt;
    case homeward::v1::SCORE_KIND_PSYCHOSOCIAL:
      return s.has_psychosocial() ? std::optional<double>(s.psychosocial())
                                  : std::nullopt;
    default:
      return s.has_composite() ? std::optional<double>(s.composite())
                               : std::nullopt;
  }
}

// Whether every condition of `conditions` holds for `answers` and `scores`.
bool Holds(const google::protobuf::RepeatedPtrField<homeward::v1::Condition>&
               conditions,
           const std::map<std::string, homeward::v1::Answer>& answers,
           const homeward::v1::Scores& scores) {
  for (const auto& c : conditions) {
    std::optional<double> value;
    if (c.item_id().empty()) {
      value = ScoreOf(scores, c.score());
      if (!value) return false;
    } else {
      auto it = answers.find(c.item_id());
      if (it == answers.end()) return false;
      const auto& a = it->second;
      if (!c.any_of_options().empty()) {
        std::set<std::string> chosen;
        if (a.has_option_ids()) {
          chosen.insert(a.option_ids().ids().begin(),
                        a.option_ids().ids().end());
        } else {
          chosen.insert(a.option_id());
        }
        bool any = false;
        for (const auto& o : c.any_of_options()) any |= chosen.count(o) > 0;
        if (!any) return false;
        continue;
      }
      value = a.number();
    }
    if (c.has_at_least() && *value < c.at_least()) return false;
    if (c.has_at_most() && *value > c.at_most()) return false;
  }
  return true;
}

google::protobuf::RepeatedPtrField<homeward::v1::Answer> AsList(
    const InstrumentDefinition& d,
    const std::map<std::string, homeward::v1::Answer>& answers) {
  google::protobuf::RepeatedPtrField<homeward::v1::Answer> list;
  for (const auto& item : d.items()) {
    auto it = answers.find(item.id());
    if (it != answers.end()) *list.Add() = it->second;
  }
  return list;
}

// For every flag rule of every shipped instrument file (read now, whatever
// versions they hold): answers that raise it, built from the best answer to
// every item, the rule's item conditions, and, for score conditions, items
// turned to their worst answer one by one (leaving alone the items other
// rules of the same code test, so that the rule raises the flag on its own)
// until the scores meet the rule. Submitted on a case of its own, the flag
// must become an open concern with the rule's code, priority and response
// category.
TEST_F(NeedServiceTest, EveryShippedFlagRuleBecomesAProtectionConcern) {
  auto loaded = LoadInstrumentDir(
      std::string(HOMEWARD_SOURCE_DIR) + "/deploy/instruments",
      instrument_testing::ShippedTaxonomies());
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  int rules = 0;
  for (const InstrumentDefinition& d : *loaded) {
    std::map<std::string, const homeward::v1::Item*> items;
    for (const auto& item : d.items()) items[item.id()] = &item;
    for (int r = 0; r < d.flag_rules_size(); ++r) {
      const homeward::v1::FlagRule& rule = d.flag_rules(r);
      SCOPED_TRACE(absl::StrCat(d.instrument_id(), " v", d.version(), " rule ",
                                r, " ", rule.code()));
      std::set<std::string> others;  // items other same-code rules test
      for (int o = 0; o < d.flag_rules_size(); ++o) {
        if (o == r || d.flag_rules(o).code() != rule.code()) continue;
        for (const auto& c : d.flag_rules(o).all_of()) {
          if (!c.item_id().empty()) others.insert(c.item_id());
        }
      }
      std::map<std::string, homeward::v1::Answer> answers;
      for (const auto& item : d.items()) {
        answers[item.id()] = Extreme(item, /*worst=*/false);
      }
      std::set<std::string> fixed;
      for (const auto& c : rule.all_of()) {
        if (c.item_id().empty()) continue;
        ASSERT_TRUE(items.count(c.item_id()) > 0) << c.item_id();
        answers[c.item_id()] = Meeting(*items[c.item_id()], c);
        fixed.insert(c.item_id());
      }
      for (const auto& item : d.items()) {
        if (Holds(rule.all_of(), answers,
                  Score(d, AsList(d, answers)).scores)) {
          break;
        }
        if (fixed.count(item.id()) > 0 || others.count(item.id()) > 0) {
          continue;
        }
        answers[item.id()] = Extreme(item, /*worst=*/true);
      }
      const auto list = AsList(d, answers);
      const ScoringResult scored = Score(d, list);
      ASSERT_TRUE(Holds(rule.all_of(), answers, scored.scores))
          << "no answers found that meet the rule";
      ASSERT_TRUE(ValidateAnswers(d, list).empty())
          << ValidateAnswers(d, list).ToStatus();
      // The concern's priority is the highest of the same-code rules that
      // hold (the others were kept from holding where they test items).
      homeward::v1::NeedPriority expected = rule.priority();
      for (const auto& other : d.flag_rules()) {
        if (other.code() == rule.code() &&
            Holds(other.all_of(), answers, scored.scores)) {
          expected = std::max(expected, other.priority());
        }
      }

      const homeward::v1::Case c =
          Register(absl::StrCat("flag-", d.instrument_id(), "-", r));
      std::vector<homeward::v1::Answer> submitted(list.begin(), list.end());
      Submit(Submission(absl::StrCat("sub-", d.instrument_id(), "-", r),
                        d.instrument_id(), d.version(), submitted,
                        c.case_id()));
      bool found = false;
      for (const ProtectionConcern& concern : ListConcerns(c.case_id())) {
        if (concern.code() != rule.code()) continue;
        found = true;
        EXPECT_EQ(concern.status(), kOpen);
        EXPECT_EQ(concern.priority(), expected);
        EXPECT_EQ(concern.response_category(), rule.response_category());
        EXPECT_EQ(concern.sources(0).instrument_id(), d.instrument_id());
        EXPECT_EQ(concern.sources(0).instrument_version(), d.version());
      }
      EXPECT_TRUE(found) << "no concern " << rule.code();
      ++rules;
    }
  }
  EXPECT_GT(rules, 10);
}

}  // namespace
}  // namespace homeward::assessment
