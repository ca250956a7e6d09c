// Instruments and assessment submissions through a real assessment server on
// a loopback port, with a real RocksDB in a temporary directory.
//
// The test instrument "mini" (hand-made so every score is checked by hand):
//   e1 single choice  poor 0 | fair 0.5 | good 1      economic
//   e2 number 0..10, higher is better                  economic
//   s1 yes/no         yes 1 | no 0                     social
//   p1 single choice  bad 0 | some 0.25 | well 1       psychosocial
// v1 weights: economic e1 0.6, e2 0.4; social s1 1; psychosocial p1 1;
//             composite e1 0.3, e2 0.2, s1 0.25, p1 0.25.
// v2 weights: economic e1 0.2, e2 0.8; composite all 0.25.
#include <functional>
#include <set>

#include "absl/strings/str_cat.h"
#include "common/status/errors.h"
#include "common/status/grpc_status.h"
#include "common/status/status_matchers.h"
#include "gmock/gmock.h"
#include "grpcpp/create_channel.h"
#include "gtest/gtest.h"
#include "homeward/v1/assessments.grpc.pb.h"
#include "homeward/v1/cases.grpc.pb.h"
#include "homeward/v1/consent.grpc.pb.h"
#include "homeward/v1/counselling.grpc.pb.h"
#include "homeward/v1/events.grpc.pb.h"
#include "homeward/v1/instruments.grpc.pb.h"
#include "services/assessment/assessment_server.h"
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
using ::homeward::testing::ValidRegistration;
using ::homeward::v1::Assessment;
using ::homeward::v1::InstrumentDefinition;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::UnorderedElementsAre;

const auto kManager =
    MakePrincipal("cm-1", homeward::v1::ROLE_CASE_MANAGER, {"office-dakar"});
const auto kOtherOffice =
    MakePrincipal("cm-9", homeward::v1::ROLE_CASE_MANAGER, {"office-thies"});
const auto kAdmin =
    MakePrincipal("admin-1", homeward::v1::ROLE_ADMINISTRATOR, {});
const auto kMonitor =
    MakePrincipal("mo-1", homeward::v1::ROLE_MONITORING_OFFICER, {});

void AddOption(homeward::v1::Item* item, const std::string& id, double value) {
  auto* o = item->add_options();
  o->set_id(id);
  (*o->mutable_label())["en"] = id;
  o->set_value(value);
}

void Weight(google::protobuf::RepeatedPtrField<homeward::v1::ItemWeight>* list,
            const std::string& item, double w) {
  auto* iw = list->Add();
  iw->set_item_id(item);
  iw->set_weight(w);
}

InstrumentDefinition Mini(int version) {
  InstrumentDefinition d;
  d.set_instrument_id("mini");
  d.set_version(version);
  d.set_kind(homeward::v1::INSTRUMENT_KIND_RSS);
  (*d.mutable_title())["en"] = "Mini sustainability survey";
  d.set_provenance("Test instrument with made-up weights.");
  d.set_taxonomy_id("reintegration");
  d.set_taxonomy_version(1);
  auto* e1 = d.add_items();
  e1->set_id("e1");
  (*e1->mutable_question())["en"] = "Economic situation?";
  e1->set_answer_type(homeward::v1::ANSWER_TYPE_SINGLE_CHOICE);
  e1->set_required(true);
  e1->set_dimension(homeward::v1::DIMENSION_ECONOMIC);
  AddOption(e1, "poor", 0);
  AddOption(e1, "fair", 0.5);
  AddOption(e1, "good", 1);
  auto* e2 = d.add_items();
  e2->set_id("e2");
  (*e2->mutable_question())["en"] = "Days worked last month (0-10)?";
  e2->set_answer_type(homeward::v1::ANSWER_TYPE_NUMBER);
  e2->set_dimension(homeward::v1::DIMENSION_ECONOMIC);
  e2->mutable_number_range()->set_min(0);
  e2->mutable_number_range()->set_max(10);
  e2->mutable_number_range()->set_higher_is_better(true);
  auto* s1 = d.add_items();
  s1->set_id("s1");
  (*s1->mutable_question())["en"] = "Has identity documents?";
  s1->set_answer_type(homeward::v1::ANSWER_TYPE_YES_NO);
  s1->set_required(true);
  s1->set_dimension(homeward::v1::DIMENSION_SOCIAL);
  AddOption(s1, "yes", 1);
  AddOption(s1, "no", 0);
  auto* p1 = d.add_items();
  p1->set_id("p1");
  (*p1->mutable_question())["en"] = "How are you coping?";
  p1->set_answer_type(homeward::v1::ANSWER_TYPE_SINGLE_CHOICE);
  p1->set_dimension(homeward::v1::DIMENSION_PSYCHOSOCIAL);
  AddOption(p1, "bad", 0);
  AddOption(p1, "some", 0.25);
  AddOption(p1, "well", 1);

  auto* econ = d.add_dimension_weights();
  econ->set_dimension(homeward::v1::DIMENSION_ECONOMIC);
  Weight(econ->mutable_weights(), "e1", version == 1 ? 0.6 : 0.2);
  Weight(econ->mutable_weights(), "e2", version == 1 ? 0.4 : 0.8);
  auto* soc = d.add_dimension_weights();
  soc->set_dimension(homeward::v1::DIMENSION_SOCIAL);
  Weight(soc->mutable_weights(), "s1", 1);
  auto* psy = d.add_dimension_weights();
  psy->set_dimension(homeward::v1::DIMENSION_PSYCHOSOCIAL);
  Weight(psy->mutable_weights(), "p1", 1);
  Weight(d.mutable_composite_weights(), "e1", version == 1 ? 0.3 : 0.25);
  Weight(d.mutable_composite_weights(), "e2", version == 1 ? 0.2 : 0.25);
  Weight(d.mutable_composite_weights(), "s1", 0.25);
  Weight(d.mutable_composite_weights(), "p1", 0.25);

  auto* bands = d.add_bands();
  bands->set_score(homeward::v1::SCORE_KIND_COMPOSITE);
  auto* low = bands->add_bands();
  low->set_label("low");
  low->set_min(0);
  low->set_max(0.4);
  auto* high = bands->add_bands();
  high->set_label("high");
  high->set_min(0.4);
  high->set_max(1);

  auto* flag = d.add_flag_rules();
  flag->set_code("NO_DOCUMENTS");
  flag->set_priority(homeward::v1::NEED_PRIORITY_HIGH);
  flag->set_response_category("documentation");
  (*flag->mutable_label())["en"] = "No identity documents";
  flag->add_all_of()->set_item_id("s1");
  flag->mutable_all_of(0)->add_any_of_options("no");
  auto* need = d.add_need_rules();
  need->set_code("DOCUMENTATION");
  need->set_dimension(homeward::v1::DIMENSION_SOCIAL);
  need->set_category("documentation");
  (*need->mutable_description())["en"] = "Obtain identity documents";
  need->set_priority(homeward::v1::NEED_PRIORITY_HIGH);
  need->add_all_of()->set_item_id("s1");
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

homeward::v1::Answer Number(const std::string& item, double n) {
  homeward::v1::Answer a;
  a.set_item_id(item);
  a.set_number(n);
  return a;
}

class AssessmentServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    homeward::internal::v1::AssessmentConfig config =
        homeward::testing::WithShippedProgrammeData(
            homeward::testing::LoopbackServiceConfig(dir_.path()),
            /*instruments=*/true);
    auto server =
        AssessmentServer::Start(config, homeward::testing::kTestSecret);
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = std::move(server).value();
    channel_ = homeward::testing::LoopbackChannel(server_->port());
    cases_ = homeward::v1::CaseService::NewStub(channel_);
    instruments_ = homeward::v1::InstrumentService::NewStub(channel_);
    assessments_ = homeward::v1::AssessmentService::NewStub(channel_);

    grpc::ClientContext ctx;
    SignAs(kManager, &ctx);
    ASSERT_TRUE(
        cases_->RegisterCase(&ctx, ValidRegistration("case-1"), &case_).ok());
    ASSERT_TRUE(Publish(Mini(1), kAdmin).ok());
  }

  grpc::Status Publish(const InstrumentDefinition& d,
                       const homeward::internal::v1::Principal& who,
                       InstrumentDefinition* out = nullptr) {
    grpc::ClientContext ctx;
    SignAs(who, &ctx);
    homeward::v1::PublishInstrumentRequest req;
    *req.mutable_instrument() = d;
    InstrumentDefinition ignored;
    return instruments_->PublishInstrument(&ctx, req, out ? out : &ignored);
  }

  homeward::v1::SubmitAssessmentRequest Submission(
      const std::string& request_id, int version) {
    homeward::v1::SubmitAssessmentRequest r;
    r.set_request_id(request_id);
    r.set_case_id(case_.case_id());
    r.set_instrument_id("mini");
    r.set_instrument_version(version);
    r.set_occasion(homeward::v1::ASSESSMENT_OCCASION_BASELINE);
    r.set_assessor_role(homeward::v1::ASSESSOR_ROLE_CASE_MANAGER);
    r.set_mode(homeward::v1::CONTACT_MODE_IN_PERSON);
    r.mutable_assessment_date()->set_year(2026);
    r.mutable_assessment_date()->set_month(1);
    r.mutable_assessment_date()->set_day(10);
    *r.add_answers() = Choice("e1", "fair");
    *r.add_answers() = Number("e2", 7);
    *r.add_answers() = Choice("s1", "no");
    *r.add_answers() = Choice("p1", "some");
    return r;
  }

  grpc::Status Submit(const homeward::v1::SubmitAssessmentRequest& r,
                      Assessment* out,
                      const homeward::internal::v1::Principal& who = kManager) {
    grpc::ClientContext ctx;
    SignAs(who, &ctx);
    return assessments_->SubmitAssessment(&ctx, r, out);
  }

  std::vector<Assessment> ListAll(
      homeward::v1::InstrumentKind kind =
          homeward::v1::INSTRUMENT_KIND_UNSPECIFIED) {
    grpc::ClientContext ctx;
    SignAs(kManager, &ctx);
    homeward::v1::ListAssessmentsRequest req;
    req.set_case_id(case_.case_id());
    req.set_kind(kind);
    homeward::v1::ListAssessmentsResponse resp;
    EXPECT_TRUE(assessments_->ListAssessments(&ctx, req, &resp).ok());
    return {resp.assessments().begin(), resp.assessments().end()};
  }

  homeward::v1::Case ReadCase() {
    grpc::ClientContext ctx;
    SignAs(kManager, &ctx);
    homeward::v1::GetCaseRequest req;
    req.set_case_id(case_.case_id());
    homeward::v1::Case c;
    EXPECT_TRUE(cases_->GetCase(&ctx, req, &c).ok());
    return c;
  }

  int CountEvents(homeward::v1::Event::PayloadCase payload) {
    int count = 0;
    for (const auto& e :
         homeward::testing::ReplayEvents(channel_, {case_.partition()})) {
      count += e.payload_case() == payload;
    }
    return count;
  }

  TempDir dir_;
  std::unique_ptr<AssessmentServer> server_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<homeward::v1::CaseService::Stub> cases_;
  std::unique_ptr<homeward::v1::InstrumentService::Stub> instruments_;
  std::unique_ptr<homeward::v1::AssessmentService::Stub> assessments_;
  homeward::v1::Case case_;
};

TEST_F(AssessmentServiceTest, SubmissionIsScoredFlaggedAndStoredWithItsNeeds) {
  auto req = Submission("sub-1", 1);
  auto* manual = req.add_needs();
  manual->set_dimension(homeward::v1::DIMENSION_ECONOMIC);
  manual->set_category("livelihood");
  manual->set_description("Start-up kit for tailoring");
  manual->set_priority(homeward::v1::NEED_PRIORITY_MEDIUM);
  Assessment a;
  grpc::Status status = Submit(req, &a);
  ASSERT_TRUE(status.ok()) << status.error_message();
  // e1 fair = 0.5; e2 7 of 0..10 = 0.7; s1 no = 0; p1 some = 0.25.
  // economic = 0.6*0.5 + 0.4*0.7 = 0.30 + 0.28 = 0.58
  // social = 0; psychosocial = 0.25
  // composite = 0.3*0.5 + 0.2*0.7 + 0.25*0 + 0.25*0.25 = 0.15+0.14+0+0.0625 =
  // 0.3525
  EXPECT_DOUBLE_EQ(a.scores().economic(), 0.58);
  EXPECT_DOUBLE_EQ(a.scores().social(), 0.0);
  EXPECT_DOUBLE_EQ(a.scores().psychosocial(), 0.25);
  EXPECT_DOUBLE_EQ(a.scores().composite(), 0.3525);
  ASSERT_EQ(a.bands_size(), 1);
  EXPECT_EQ(a.bands(0).label(), "low");  // 0.3525 < 0.4
  ASSERT_EQ(a.flags_size(), 1);
  EXPECT_EQ(a.flags(0).code(), "NO_DOCUMENTS");
  EXPECT_EQ(a.kind(), homeward::v1::INSTRUMENT_KIND_RSS);
  EXPECT_EQ(a.assessed_by(), "cm-1");
  ASSERT_EQ(a.needs_size(), 2);
  EXPECT_EQ(a.needs(0).rule_code(), "DOCUMENTATION");
  EXPECT_EQ(a.needs(1).category(), "livelihood");
  for (const auto& n : a.needs())
    EXPECT_EQ(n.source_assessment_id(), a.assessment_id());

  grpc::ClientContext ctx;
  SignAs(kManager, &ctx);
  homeward::v1::GetAssessmentRequest get;
  get.set_case_id(case_.case_id());
  get.set_assessment_id(a.assessment_id());
  Assessment read;
  ASSERT_TRUE(assessments_->GetAssessment(&ctx, get, &read).ok());
  EXPECT_DOUBLE_EQ(read.scores().composite(), 0.3525);
  EXPECT_EQ(read.answers_size(), 4);

  grpc::ClientContext needs_ctx;
  SignAs(kManager, &needs_ctx);
  homeward::v1::ListNeedsRequest needs_req;
  needs_req.set_case_id(case_.case_id());
  needs_req.set_dimension(homeward::v1::DIMENSION_SOCIAL);
  homeward::v1::ListNeedsResponse needs;
  ASSERT_TRUE(assessments_->ListNeeds(&needs_ctx, needs_req, &needs).ok());
  ASSERT_EQ(needs.needs_size(), 1);
  EXPECT_EQ(needs.needs(0).category(), "documentation");
  EXPECT_EQ(needs.needs(0).priority(), homeward::v1::NEED_PRIORITY_HIGH);
  EXPECT_EQ(CountEvents(homeward::v1::Event::kAssessmentCompleted), 1);
}

TEST_F(AssessmentServiceTest,
       RepeatedRequestIdReturnsTheFirstSubmissionAndOneEvent) {
  Assessment first, second;
  ASSERT_TRUE(Submit(Submission("sub-same", 1), &first).ok());
  ASSERT_TRUE(Submit(Submission("sub-same", 1), &second).ok());
  EXPECT_EQ(first.assessment_id(), second.assessment_id());
  EXPECT_EQ(ListAll().size(), 1u);
  EXPECT_EQ(CountEvents(homeward::v1::Event::kAssessmentCompleted), 1);
}

TEST_F(AssessmentServiceTest, InvalidAnswersAreEachReportedAndNothingIsStored) {
  auto req = Submission("sub-bad", 1);
  req.clear_answers();
  *req.add_answers() = Choice("e1", "excellent");  // no such option
  *req.add_answers() = Number("e2", 11);           // out of 0..10
  *req.add_answers() = Choice("zz", "x");          // no such item
  // s1 is required and missing.
  Assessment out;
  grpc::Status status = Submit(req, &out);
  EXPECT_THAT(status, StatusIs(absl::StatusCode::kInvalidArgument));
  std::vector<std::string> fields;
  for (const auto& v : errors::FieldViolationsOf(FromGrpcStatus(status))) {
    fields.push_back(v.field);
  }
  EXPECT_EQ(fields.size(), 4u) << status.error_message();
  EXPECT_THAT(status.error_message(),
              AllOf(HasSubstr("answers[0]"), HasSubstr("answers[1]"),
                    HasSubstr("answers[2]"), HasSubstr("s1")));
  EXPECT_TRUE(ListAll().empty());
  EXPECT_EQ(CountEvents(homeward::v1::Event::kAssessmentCompleted), 0);

  auto unknown_version = Submission("sub-v9", 9);
  EXPECT_THAT(Submit(unknown_version, &out),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("mini@9")));
  auto no_date = Submission("sub-nodate", 1);
  no_date.clear_assessment_date();
  EXPECT_THAT(Submit(no_date, &out),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("assessment_date")));
}

TEST_F(AssessmentServiceTest,
       ANewInstrumentVersionLeavesOldScoresAndComparesOnlyWithItself) {
  Assessment baseline, follow_up;
  ASSERT_TRUE(Submit(Submission("sub-v1", 1), &baseline).ok());
  ASSERT_TRUE(Publish(Mini(2), kAdmin).ok());
  auto req = Submission("sub-v2", 2);
  req.mutable_answers(0)->set_option_id("good");  // e1 = 1
  req.mutable_answers(2)->set_option_id("yes");   // s1 = 1
  ASSERT_TRUE(Submit(req, &follow_up).ok());
  // v2: economic = 0.2*1 + 0.8*0.7 = 0.2 + 0.56 = 0.76;
  // composite = 0.25*(1 + 0.7 + 1 + 0.25) = 0.25*2.95 = 0.7375.
  EXPECT_DOUBLE_EQ(follow_up.scores().economic(), 0.76);
  EXPECT_DOUBLE_EQ(follow_up.scores().composite(), 0.7375);
  EXPECT_EQ(follow_up.bands(0).label(), "high");
  EXPECT_TRUE(follow_up.flags().empty());

  // The v1 submission still has its v1 scores.
  auto history = ListAll();
  ASSERT_EQ(history.size(), 2u);
  EXPECT_EQ(history[0].assessment_id(), baseline.assessment_id());
  EXPECT_DOUBLE_EQ(history[0].scores().economic(), 0.58);
  EXPECT_DOUBLE_EQ(history[0].scores().composite(), 0.3525);
  EXPECT_EQ(history[0].instrument_version(), 1);

  // The two versions measure on different scales: no comparison.
  homeward::v1::CompareAssessmentsRequest cmp;
  cmp.set_case_id(case_.case_id());
  cmp.set_base_assessment_id(baseline.assessment_id());
  cmp.set_target_assessment_id(follow_up.assessment_id());
  homeward::v1::CompareAssessmentsResponse comparison;
  {
    grpc::ClientContext ctx;
    SignAs(kManager, &ctx);
    EXPECT_THAT(assessments_->CompareAssessments(&ctx, cmp, &comparison),
                StatusIs(absl::StatusCode::kFailedPrecondition,
                         AllOf(HasSubstr("mini version 1"),
                               HasSubstr("mini version 2"))));
  }

  // A follow-up on v1 compares with the v1 baseline.
  auto same_version = Submission("sub-v1-follow-up", 1);
  same_version.mutable_answers(0)->set_option_id("good");  // e1 = 1
  same_version.mutable_answers(2)->set_option_id("yes");   // s1 = 1
  Assessment follow_up_v1;
  ASSERT_TRUE(Submit(same_version, &follow_up_v1).ok());
  cmp.set_target_assessment_id(follow_up_v1.assessment_id());
  grpc::ClientContext ctx;
  SignAs(kManager, &ctx);
  ASSERT_TRUE(assessments_->CompareAssessments(&ctx, cmp, &comparison).ok());
  ASSERT_EQ(comparison.changes_size(), 4);
  // v1 follow-up: economic = 0.6*1 + 0.4*0.7 = 0.88; social 1;
  // psychosocial 0.25; composite = 0.3*1 + 0.2*0.7 + 0.25*1 + 0.25*0.25 =
  // 0.7525. Changes: economic 0.88 - 0.58 = 0.3; social 1 - 0 = 1;
  // psychosocial 0; composite 0.7525 - 0.3525 = 0.4.
  EXPECT_DOUBLE_EQ(comparison.changes(0).change(), 0.3);
  EXPECT_DOUBLE_EQ(comparison.changes(1).change(), 1.0);
  EXPECT_DOUBLE_EQ(comparison.changes(2).change(), 0.0);
  EXPECT_DOUBLE_EQ(comparison.changes(3).change(), 0.4);
  EXPECT_THAT(comparison.flags_cleared(), ElementsAre("NO_DOCUMENTS"));
}

TEST_F(AssessmentServiceTest,
       PublishedVersionsAreImmutableAndOnlyAdministratorsPublish) {
  EXPECT_THAT(Publish(Mini(3), kManager),
              StatusIs(absl::StatusCode::kPermissionDenied));
  InstrumentDefinition again;
  ASSERT_TRUE(Publish(Mini(1), kAdmin, &again).ok());  // same content: accepted
  EXPECT_EQ(again.version(), 1);
  auto changed = Mini(1);
  (*changed.mutable_title())["en"] = "Changed";
  EXPECT_THAT(
      Publish(changed, kAdmin),
      StatusIs(absl::StatusCode::kAlreadyExists, HasSubstr("new version")));
  auto invalid = Mini(4);
  invalid.mutable_items(0)->mutable_options(0)->set_value(1.5);
  EXPECT_THAT(Publish(invalid, kAdmin),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("instrument.items[0].options[0].value")));

  // Any role reads instruments, and version 0 means the latest.
  ASSERT_TRUE(Publish(Mini(2), kAdmin).ok());
  grpc::ClientContext ctx;
  SignAs(kMonitor, &ctx);
  homeward::v1::GetInstrumentRequest get;
  get.set_instrument_id("mini");
  InstrumentDefinition latest;
  ASSERT_TRUE(instruments_->GetInstrument(&ctx, get, &latest).ok());
  EXPECT_EQ(latest.version(), 2);
  EXPECT_FALSE(latest.content_sha256().empty());
}

TEST_F(AssessmentServiceTest, ShippedInstrumentsAreLoadedAtStart) {
  grpc::ClientContext ctx;
  SignAs(kManager, &ctx);
  homeward::v1::ListInstrumentsRequest req;
  req.mutable_page()->set_page_size(100);
  homeward::v1::ListInstrumentsResponse resp;
  ASSERT_TRUE(instruments_->ListInstruments(&ctx, req, &resp).ok());
  std::set<homeward::v1::InstrumentKind> kinds;
  for (const auto& d : resp.instruments()) kinds.insert(d.kind());
  EXPECT_THAT(kinds, UnorderedElementsAre(
                         homeward::v1::INSTRUMENT_KIND_RSS,
                         homeward::v1::INSTRUMENT_KIND_VULNERABILITY_SCREENING,
                         homeward::v1::INSTRUMENT_KIND_NEEDS_AND_CAPACITIES,
                         homeward::v1::INSTRUMENT_KIND_RISK_ASSESSMENT,
                         homeward::v1::INSTRUMENT_KIND_FAMILY_ASSESSMENT,
                         homeward::v1::INSTRUMENT_KIND_PSYCHOSOCIAL_SCREENING));
}

TEST_F(AssessmentServiceTest,
       HistoryFiltersByKindAndComparisonNeedsTheSameKind) {
  Assessment mini;
  ASSERT_TRUE(Submit(Submission("sub-k1", 1), &mini).ok());
  auto mini2 = Mini(1);
  mini2.set_instrument_id("mini_family");
  mini2.set_kind(homeward::v1::INSTRUMENT_KIND_FAMILY_ASSESSMENT);
  ASSERT_TRUE(Publish(mini2, kAdmin).ok());
  auto req = Submission("sub-k2", 1);
  req.set_instrument_id("mini_family");
  Assessment family;
  ASSERT_TRUE(Submit(req, &family).ok());
  EXPECT_EQ(ListAll().size(), 2u);
  auto rss_only = ListAll(homeward::v1::INSTRUMENT_KIND_RSS);
  ASSERT_EQ(rss_only.size(), 1u);
  EXPECT_EQ(rss_only[0].assessment_id(), mini.assessment_id());

  grpc::ClientContext ctx;
  SignAs(kManager, &ctx);
  homeward::v1::CompareAssessmentsRequest cmp;
  cmp.set_case_id(case_.case_id());
  cmp.set_base_assessment_id(mini.assessment_id());
  cmp.set_target_assessment_id(family.assessment_id());
  homeward::v1::CompareAssessmentsResponse out;
  EXPECT_THAT(assessments_->CompareAssessments(&ctx, cmp, &out),
              StatusIs(absl::StatusCode::kFailedPrecondition));
}

TEST_F(AssessmentServiceTest, AnotherOfficesCaseManagerIsRefused) {
  Assessment a;
  ASSERT_TRUE(Submit(Submission("sub-scope", 1), &a).ok());
  Assessment out;
  EXPECT_THAT(Submit(Submission("sub-scope-2", 1), &out, kOtherOffice),
              StatusIs(absl::StatusCode::kPermissionDenied));
  grpc::ClientContext ctx;
  SignAs(kOtherOffice, &ctx);
  homeward::v1::GetAssessmentRequest get;
  get.set_case_id(case_.case_id());
  get.set_assessment_id(a.assessment_id());
  EXPECT_THAT(assessments_->GetAssessment(&ctx, get, &out),
              StatusIs(absl::StatusCode::kPermissionDenied));
  grpc::ClientContext admin_ctx;
  SignAs(kAdmin, &admin_ctx);
  EXPECT_THAT(assessments_->GetAssessment(&admin_ctx, get, &out),
              StatusIs(absl::StatusCode::kPermissionDenied));
}

// Every problem of a submission in one refusal: the request's own fields and
// the answers checked against the instrument, before the case is looked at.
TEST_F(AssessmentServiceTest, EveryProblemOfASubmissionIsReportedTogether) {
  auto req = Submission("sub-all", 1);
  req.mutable_assessment_date()->set_year(2999);  // in the future
  req.clear_answers();
  *req.add_answers() = Choice("e1", "excellent");  // no such option
  *req.add_answers() = Number("e2", 11);           // out of 0..10
  auto* need = req.add_needs();                    // undefined priority
  need->set_dimension(homeward::v1::DIMENSION_SOCIAL);
  need->set_category("housing");
  need->set_description("Needs a room");
  need->set_priority(static_cast<homeward::v1::NeedPriority>(99));
  Assessment out;
  grpc::Status status = Submit(req, &out);
  EXPECT_THAT(status, StatusIs(absl::StatusCode::kInvalidArgument));
  std::vector<std::string> fields;
  for (const auto& v : errors::FieldViolationsOf(FromGrpcStatus(status))) {
    fields.push_back(v.field);
  }
  // The date and the manual need (request-level), the two bad answers and
  // the missing required answer s1 (against the instrument), together.
  EXPECT_THAT(fields,
              UnorderedElementsAre("assessment_date", "needs[0].priority",
                                   "answers[0].option_id", "answers[1].number",
                                   "answers"))
      << status.error_message();
  EXPECT_THAT(status.error_message(), HasSubstr("s1"));
  EXPECT_TRUE(ListAll().empty());

  // An unknown instrument version is one problem among the others.
  auto unknown = Submission("sub-all-2", 9);
  unknown.mutable_assessment_date()->set_year(2999);
  status = Submit(unknown, &out);
  EXPECT_THAT(status, StatusIs(absl::StatusCode::kInvalidArgument,
                               AllOf(HasSubstr("assessment_date"),
                                     HasSubstr("mini@9"))));

  // The reads: a missing case id and a bad page together.
  grpc::ClientContext ctx;
  SignAs(kManager, &ctx);
  homeward::v1::ListAssessmentsRequest list;
  list.mutable_page()->set_page_size(-1);
  homeward::v1::ListAssessmentsResponse listed;
  EXPECT_THAT(assessments_->ListAssessments(&ctx, list, &listed),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       AllOf(HasSubstr("case_id"), HasSubstr("page_size"))));
}

TEST_F(AssessmentServiceTest, FirstSubmissionMovesTheCaseFromIntakeOnly) {
  ASSERT_EQ(case_.stage(), homeward::v1::CASE_STAGE_INTAKE);
  ASSERT_EQ(case_.stage_history_size(), 1);
  EXPECT_EQ(case_.stage_history(0).cause(), "CaseRegistered");
  EXPECT_EQ(case_.stage_history(0).actor_user_id(), "cm-1");
  EXPECT_EQ(CountEvents(homeward::v1::Event::kCaseStageChanged), 0);

  Assessment first;
  ASSERT_TRUE(Submit(Submission("sub-first", 1), &first).ok());
  homeward::v1::Case moved = ReadCase();
  EXPECT_EQ(moved.stage(), homeward::v1::CASE_STAGE_ASSESSMENT);
  EXPECT_NE(moved.etag(), case_.etag());
  ASSERT_EQ(moved.stage_history_size(), 2);
  EXPECT_EQ(moved.stage_history(1).stage(),
            homeward::v1::CASE_STAGE_ASSESSMENT);
  EXPECT_EQ(moved.stage_history(1).cause(), "AssessmentCompleted");
  EXPECT_EQ(moved.stage_history(1).actor_user_id(), "cm-1");
  // One event, carrying the case as a read shows it after the move.
  std::vector<homeward::v1::Event> changes;
  for (const auto& e :
       homeward::testing::ReplayEvents(channel_, {case_.partition()})) {
    if (e.has_case_stage_changed()) changes.push_back(e);
  }
  ASSERT_EQ(changes.size(), 1u);
  const auto& changed = changes[0].case_stage_changed();
  EXPECT_EQ(changed.case_id(), case_.case_id());
  EXPECT_EQ(changed.from_stage(), homeward::v1::CASE_STAGE_INTAKE);
  EXPECT_EQ(changed.to_stage(), homeward::v1::CASE_STAGE_ASSESSMENT);
  EXPECT_EQ(changed.cause(), "AssessmentCompleted");
  EXPECT_EQ(changed.case_().SerializeAsString(), moved.SerializeAsString());

  // A retry of the first submission and a later one move nothing.
  Assessment again;
  ASSERT_TRUE(Submit(Submission("sub-first", 1), &again).ok());
  EXPECT_EQ(again.assessment_id(), first.assessment_id());
  Assessment second;
  ASSERT_TRUE(Submit(Submission("sub-second", 1), &second).ok());
  homeward::v1::Case after = ReadCase();
  EXPECT_EQ(after.stage(), homeward::v1::CASE_STAGE_ASSESSMENT);
  EXPECT_EQ(after.etag(), moved.etag());
  EXPECT_EQ(after.stage_history_size(), 2);
  EXPECT_EQ(CountEvents(homeward::v1::Event::kCaseStageChanged), 1);
}

TEST_F(AssessmentServiceTest, RefusedSubmissionMovesNothing) {
  auto req = Submission("sub-refused", 1);
  req.clear_mode();
  Assessment out;
  EXPECT_THAT(Submit(req, &out),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("mode")));
  homeward::v1::Case read = ReadCase();
  EXPECT_EQ(read.stage(), homeward::v1::CASE_STAGE_INTAKE);
  EXPECT_EQ(read.etag(), case_.etag());
  EXPECT_EQ(CountEvents(homeward::v1::Event::kCaseStageChanged), 0);
}

TEST_F(AssessmentServiceTest, WhenByWhomAndAboutWhomAreStored) {
  // Give the case a household member: it gets "M1".
  grpc::ClientContext ctx;
  SignAs(kManager, &ctx);
  homeward::v1::UpdateCaseRequest update;
  *update.mutable_case_() = case_;
  auto* member =
      update.mutable_case_()->mutable_returnee()->add_household_members();
  member->set_given_name("Fatou");
  member->set_relationship("daughter");
  homeward::v1::Case updated;
  grpc::Status status = cases_->UpdateCase(&ctx, update, &updated);
  ASSERT_TRUE(status.ok()) << status.error_message();
  ASSERT_EQ(updated.returnee().household_members(0).member_id(), "M1");
  case_ = updated;

  auto req = Submission("sub-about-m1", 1);
  req.set_occasion(homeward::v1::ASSESSMENT_OCCASION_FOLLOW_UP);
  req.set_assessor_role(homeward::v1::ASSESSOR_ROLE_COUNSELLOR);
  req.set_mode(homeward::v1::CONTACT_MODE_PHONE);
  req.set_subject_member_id("M1");
  Assessment a;
  status = Submit(req, &a);
  ASSERT_TRUE(status.ok()) << status.error_message();
  for (const Assessment& stored : {a, ListAll().at(0)}) {
    EXPECT_EQ(stored.occasion(), homeward::v1::ASSESSMENT_OCCASION_FOLLOW_UP);
    EXPECT_EQ(stored.assessor_role(), homeward::v1::ASSESSOR_ROLE_COUNSELLOR);
    EXPECT_EQ(stored.mode(), homeward::v1::CONTACT_MODE_PHONE);
    EXPECT_EQ(stored.subject_member_id(), "M1");
  }

  // Someone who is not a member of the case is refused, and nothing is
  // stored.
  auto stranger = Submission("sub-about-m2", 1);
  stranger.set_subject_member_id("M2");
  Assessment out;
  EXPECT_THAT(Submit(stranger, &out),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       AllOf(HasSubstr("subject_member_id"), HasSubstr("M1"))));
  EXPECT_EQ(ListAll().size(), 1u);

  // When, by whom and how are required, each named with its values.
  auto bare = Submission("sub-bare", 1);
  bare.clear_occasion();
  bare.clear_assessor_role();
  bare.clear_mode();
  status = Submit(bare, &out);
  std::vector<std::string> fields;
  for (const auto& v : errors::FieldViolationsOf(FromGrpcStatus(status))) {
    fields.push_back(v.field);
  }
  EXPECT_THAT(fields, ElementsAre("occasion", "assessor_role", "mode"));
  EXPECT_THAT(status.error_message(),
              AllOf(HasSubstr("ASSESSMENT_OCCASION_BASELINE"),
                    HasSubstr("ASSESSOR_ROLE_CASE_MANAGER"),
                    HasSubstr("CONTACT_MODE_IN_PERSON")));
}

// Called directly (as another service or a misrouted client would), a caller
// whose role may not call a method at all is refused for that, whatever the
// body: an empty request must not earn INVALID_ARGUMENT first.
TEST_F(AssessmentServiceTest, RoleIsCheckedBeforeTheRequestIsValidated) {
  auto consent = homeward::v1::ConsentService::NewStub(channel_);
  auto counselling = homeward::v1::CounsellingService::NewStub(channel_);
  const auto partner = MakePrincipal(
      "partner-1", homeward::v1::ROLE_PARTNER_AGENCY, {"office-dakar"});
  using Call = std::function<grpc::Status(grpc::ClientContext*)>;
  struct Row {
    std::string method;
    homeward::internal::v1::Principal who;
    Call call;
  };
  homeward::v1::Case c;
  Assessment a;
  InstrumentDefinition d;
  homeward::v1::ConsentRecord cr;
  homeward::v1::CounsellingSession cs;
  const std::vector<Row> rows = {
      {"RegisterCase", partner,
       [&](auto* ctx) { return cases_->RegisterCase(ctx, {}, &c); }},
      {"GetCase", partner,
       [&](auto* ctx) { return cases_->GetCase(ctx, {}, &c); }},
      {"ListCases", partner,
       [&](auto* ctx) {
         homeward::v1::ListCasesRequest req;
         req.mutable_page()->set_page_size(-1);
         homeward::v1::ListCasesResponse resp;
         return cases_->ListCases(ctx, req, &resp);
       }},
      {"UpdateCase", partner,
       [&](auto* ctx) { return cases_->UpdateCase(ctx, {}, &c); }},
      {"AssignCase", partner,
       [&](auto* ctx) { return cases_->AssignCase(ctx, {}, &c); }},
      {"AssignCase by a case manager", kManager,
       [&](auto* ctx) { return cases_->AssignCase(ctx, {}, &c); }},
      {"SubmitAssessment", partner,
       [&](auto* ctx) { return assessments_->SubmitAssessment(ctx, {}, &a); }},
      {"GetAssessment", partner,
       [&](auto* ctx) { return assessments_->GetAssessment(ctx, {}, &a); }},
      {"ListAssessments", partner,
       [&](auto* ctx) {
         homeward::v1::ListAssessmentsResponse resp;
         return assessments_->ListAssessments(ctx, {}, &resp);
       }},
      {"CompareAssessments", partner,
       [&](auto* ctx) {
         homeward::v1::CompareAssessmentsResponse resp;
         return assessments_->CompareAssessments(ctx, {}, &resp);
       }},
      {"ListNeeds", partner,
       [&](auto* ctx) {
         homeward::v1::ListNeedsResponse resp;
         return assessments_->ListNeeds(ctx, {}, &resp);
       }},
      {"RecordConsent", partner,
       [&](auto* ctx) { return consent->RecordConsent(ctx, {}, &cr); }},
      {"ListConsents", partner,
       [&](auto* ctx) {
         homeward::v1::ListConsentsResponse resp;
         return consent->ListConsents(ctx, {}, &resp);
       }},
      {"CheckConsent", partner,
       [&](auto* ctx) {
         homeward::v1::CheckConsentResponse resp;
         return consent->CheckConsent(ctx, {}, &resp);
       }},
      {"RecordCounsellingSession", partner,
       [&](auto* ctx) {
         return counselling->RecordCounsellingSession(ctx, {}, &cs);
       }},
      {"ListCounsellingSessions", partner,
       [&](auto* ctx) {
         homeward::v1::ListCounsellingSessionsResponse resp;
         return counselling->ListCounsellingSessions(ctx, {}, &resp);
       }},
      {"PublishInstrument by a case manager", kManager,
       [&](auto* ctx) { return instruments_->PublishInstrument(ctx, {}, &d); }},
  };
  for (const Row& row : rows) {
    grpc::ClientContext ctx;
    SignAs(row.who, &ctx);
    EXPECT_THAT(row.call(&ctx), StatusIs(absl::StatusCode::kPermissionDenied))
        << row.method;
  }
}

}  // namespace
}  // namespace homeward::assessment
