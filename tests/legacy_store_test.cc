// Old data stays readable (issue 11, point 9): an assessment store written by
// the code before issue 11 (tests/fixtures/stores/before_issue11, see its
// README: partition_count 4, two cases of office-demo, every shipped v1
// instrument submitted for each) is copied into a temp dir and served by
// today's AssessmentServer, with today's programme data published beside
// it. Through the real gRPC API: both cases load and list with member ids
// by position and a synthesized stage history; every assessment that
// contents.json names loads and lists with its stored scores and flags
// unchanged; and a new submission on a legacy case is accepted and moves
// its stage.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "common/status/status_matchers.h"
#include "gmock/gmock.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"
#include "grpcpp/client_context.h"
#include "gtest/gtest.h"
#include "homeward/v1/assessments.grpc.pb.h"
#include "homeward/v1/cases.grpc.pb.h"
#include "homeward/v1/needs.grpc.pb.h"
#include "services/assessment/assessment_server.h"
#include "tests/fixtures/assessment_server.h"
#include "tests/fixtures/case_fixtures.h"
#include "tests/fixtures/temp_dir.h"

namespace homeward {
namespace {

using ::homeward::testing::IsOk;
using ::homeward::testing::MakePrincipal;
using ::homeward::testing::SignAs;
using ::homeward::testing::TempDir;
using ::homeward::v1::Assessment;
using ::homeward::v1::Case;

const std::string kFixture =
    std::string(HOMEWARD_SOURCE_DIR) + "/tests/fixtures/stores/before_issue11";
constexpr uint32_t kFixturePartitions = 4;  // as the fixture was written
const char kOffice[] = "office-demo";
// The case registered with two household members (fill.py's "legacy-1").
const char kCaseWithMembers[] = "Ceb611ca34020550ce76a";

const internal::v1::Principal kSupervisor =
    MakePrincipal("sup-demo", v1::ROLE_SUPERVISOR, {kOffice});

// One assessment as contents.json lists it.
struct Recorded {
  std::string case_id;
  std::string assessment_id;
  std::string instrument_id;
  std::map<std::string, double> scores;
  std::vector<std::string> flags;
  std::vector<std::string> needs;  // categories, as that version raised them
};

struct Contents {
  std::vector<std::string> cases;
  std::vector<Recorded> assessments;
};

Contents ReadContents() {
  std::ifstream in(kFixture + "/contents.json");
  std::stringstream text;
  text << in.rdbuf();
  google::protobuf::Struct json;
  EXPECT_TRUE(
      google::protobuf::util::JsonStringToMessage(text.str(), &json).ok());
  Contents contents;
  for (const auto& c : json.fields().at("cases").list_value().values()) {
    contents.cases.push_back(c.string_value());
  }
  for (const auto& a : json.fields().at("assessments").list_value().values()) {
    const auto& f = a.struct_value().fields();
    Recorded r;
    r.case_id = f.at("caseId").string_value();
    r.assessment_id = f.at("assessmentId").string_value();
    r.instrument_id = f.at("instrumentId").string_value();
    for (const auto& [name, value] : f.at("scores").struct_value().fields()) {
      r.scores[name] = value.number_value();
    }
    for (const auto& flag : f.at("flags").list_value().values()) {
      r.flags.push_back(flag.string_value());
    }
    for (const auto& need : f.at("needs").list_value().values()) {
      r.needs.push_back(need.string_value());
    }
    contents.assessments.push_back(std::move(r));
  }
  return contents;
}

// The scores of `a` by their JSON names, as contents.json records them.
std::map<std::string, double> ScoresOf(const Assessment& a) {
  std::map<std::string, double> scores;
  if (a.scores().has_economic()) scores["economic"] = a.scores().economic();
  if (a.scores().has_social()) scores["social"] = a.scores().social();
  if (a.scores().has_psychosocial()) {
    scores["psychosocial"] = a.scores().psychosocial();
  }
  if (a.scores().has_composite()) scores["composite"] = a.scores().composite();
  return scores;
}

std::vector<std::string> FlagsOf(const Assessment& a) {
  std::vector<std::string> flags;
  for (const auto& f : a.flags()) flags.push_back(f.code());
  return flags;
}

class LegacyStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // The fixture is never opened in place: RocksDB writes to what it opens.
    std::filesystem::copy(kFixture + "/assessment", dir_.path() + "/assessment",
                          std::filesystem::copy_options::recursive);
    internal::v1::ServiceConfig service =
        testing::LoopbackServiceConfig(dir_.path() + "/assessment");
    service.set_partition_count(kFixturePartitions);
    auto server = assessment::AssessmentServer::Start(
        testing::WithShippedProgrammeData(service), testing::kTestSecret);
    ASSERT_THAT(server.status(), IsOk());
    server_ = std::move(*server);
    auto channel = testing::LoopbackChannel(server_->port());
    cases_ = v1::CaseService::NewStub(channel);
    assessments_ = v1::AssessmentService::NewStub(channel);
    needs_ = v1::NeedService::NewStub(channel);
    contents_ = ReadContents();
    ASSERT_EQ(contents_.cases.size(), 2u);
    ASSERT_FALSE(contents_.assessments.empty());
  }

  void TearDown() override {
    if (server_ != nullptr) server_->Shutdown(absl::Seconds(5));
  }

  Case GetCase(const std::string& case_id) {
    grpc::ClientContext ctx;
    SignAs(kSupervisor, &ctx);
    v1::GetCaseRequest req;
    req.set_case_id(case_id);
    Case c;
    grpc::Status status = cases_->GetCase(&ctx, req, &c);
    EXPECT_TRUE(status.ok()) << case_id << ": " << status.error_message();
    return c;
  }

  TempDir dir_;
  std::unique_ptr<assessment::AssessmentServer> server_;
  std::unique_ptr<v1::CaseService::Stub> cases_;
  std::unique_ptr<v1::AssessmentService::Stub> assessments_;
  std::unique_ptr<v1::NeedService::Stub> needs_;
  Contents contents_;
};

// What every legacy case reads with: its stage then (never moved before
// issue 11), one synthesized history entry since its creation, and member
// ids by position.
void ExpectReadAsLegacy(const Case& c) {
  EXPECT_EQ(c.office_id(), kOffice);
  EXPECT_EQ(c.stage(), v1::CASE_STAGE_INTAKE);
  EXPECT_TRUE(c.programme_id().empty());
  ASSERT_EQ(c.stage_history_size(), 1) << c.case_id();
  EXPECT_EQ(c.stage_history(0).stage(), v1::CASE_STAGE_INTAKE);
  EXPECT_EQ(c.stage_history(0).cause(), "recorded before stage history");
  EXPECT_EQ(c.stage_history(0).time().seconds(), c.create_time().seconds());
  EXPECT_GT(c.create_time().seconds(), 0);
  for (int i = 0; i < c.returnee().household_members_size(); ++i) {
    EXPECT_EQ(c.returnee().household_members(i).member_id(),
              absl::StrCat("M", i + 1));
  }
}

TEST_F(LegacyStoreTest, CasesLoadAndListWithMemberIdsAndStageHistory) {
  for (const std::string& id : contents_.cases) {
    Case c = GetCase(id);
    EXPECT_EQ(c.case_id(), id);
    ExpectReadAsLegacy(c);
  }
  Case with_members = GetCase(kCaseWithMembers);
  ASSERT_EQ(with_members.returnee().household_members_size(), 2);
  EXPECT_EQ(with_members.returnee().household_members(0).given_name(),
            "Moussa");
  EXPECT_EQ(with_members.returnee().household_members(0).member_id(), "M1");
  EXPECT_EQ(with_members.returnee().household_members(1).given_name(), "Fatou");
  EXPECT_EQ(with_members.returnee().household_members(1).member_id(), "M2");

  grpc::ClientContext ctx;
  SignAs(kSupervisor, &ctx);
  v1::ListCasesRequest req;
  req.set_office_id(kOffice);
  v1::ListCasesResponse resp;
  grpc::Status status = cases_->ListCases(&ctx, req, &resp);
  ASSERT_TRUE(status.ok()) << status.error_message();
  std::set<std::string> listed;
  for (const Case& c : resp.cases()) {
    listed.insert(c.case_id());
    ExpectReadAsLegacy(c);
    // A list shows a case as a get does.
    EXPECT_EQ(c.SerializeAsString(), GetCase(c.case_id()).SerializeAsString());
  }
  EXPECT_EQ(listed, std::set<std::string>(contents_.cases.begin(),
                                          contents_.cases.end()));
}

TEST_F(LegacyStoreTest, EveryAssessmentLoadsAndListsWithItsStoredResults) {
  std::map<std::string, std::vector<std::string>> listed_ids;
  std::map<std::string, Assessment> listed;
  for (const std::string& case_id : contents_.cases) {
    grpc::ClientContext ctx;
    SignAs(kSupervisor, &ctx);
    v1::ListAssessmentsRequest req;
    req.set_case_id(case_id);
    req.mutable_page()->set_page_size(100);
    v1::ListAssessmentsResponse resp;
    grpc::Status status = assessments_->ListAssessments(&ctx, req, &resp);
    ASSERT_TRUE(status.ok()) << status.error_message();
    EXPECT_TRUE(resp.next_page_token().empty());
    for (const Assessment& a : resp.assessments()) {
      listed_ids[case_id].push_back(a.assessment_id());
      listed[a.assessment_id()] = a;
    }
  }
  std::map<std::string, std::vector<std::string>> recorded_ids;
  for (const Recorded& r : contents_.assessments) {
    SCOPED_TRACE(r.assessment_id + " (" + r.instrument_id + ")");
    recorded_ids[r.case_id].push_back(r.assessment_id);
    grpc::ClientContext ctx;
    SignAs(kSupervisor, &ctx);
    v1::GetAssessmentRequest req;
    req.set_case_id(r.case_id);
    req.set_assessment_id(r.assessment_id);
    Assessment a;
    grpc::Status status = assessments_->GetAssessment(&ctx, req, &a);
    ASSERT_TRUE(status.ok()) << status.error_message();
    EXPECT_EQ(a.instrument_id(), r.instrument_id);
    EXPECT_EQ(a.instrument_version(), 1);
    EXPECT_EQ(ScoresOf(a), r.scores);
    EXPECT_EQ(FlagsOf(a), r.flags);
    // Fields added by issue 11 read as unset on old submissions.
    EXPECT_EQ(a.occasion(), v1::ASSESSMENT_OCCASION_UNSPECIFIED);
    EXPECT_TRUE(a.subject_member_id().empty());
    ASSERT_EQ(listed.count(r.assessment_id), 1u);
    EXPECT_EQ(ScoresOf(listed[r.assessment_id]), r.scores);
    EXPECT_EQ(FlagsOf(listed[r.assessment_id]), r.flags);
  }
  // Every submission of the fixture is listed, and nothing else.
  for (auto& [case_id, ids] : recorded_ids) {
    std::sort(ids.begin(), ids.end());
    std::vector<std::string> got = listed_ids[case_id];
    std::sort(got.begin(), got.end());
    EXPECT_EQ(got, ids) << case_id;
  }
}

// Needs written before they had a life read as OPEN, each with the one
// submission that raised it as its source, and every one of them lists.
TEST_F(LegacyStoreTest, EveryNeedListsAsOpenWithItsSubmissionAsSource) {
  std::multiset<std::pair<std::string, std::string>> recorded;
  for (const Recorded& r : contents_.assessments) {
    for (const std::string& category : r.needs) {
      recorded.insert({r.assessment_id, category});
    }
  }
  ASSERT_FALSE(recorded.empty());
  std::multiset<std::pair<std::string, std::string>> listed;
  for (const std::string& case_id : contents_.cases) {
    grpc::ClientContext ctx;
    SignAs(kSupervisor, &ctx);
    v1::ListNeedsRequest req;
    req.set_case_id(case_id);
    req.mutable_page()->set_page_size(100);
    v1::ListNeedsResponse resp;
    grpc::Status status = needs_->ListNeeds(&ctx, req, &resp);
    ASSERT_TRUE(status.ok()) << status.error_message();
    EXPECT_TRUE(resp.next_page_token().empty());
    for (const v1::Need& n : resp.needs()) {
      SCOPED_TRACE(n.need_id());
      EXPECT_EQ(n.case_id(), case_id);
      EXPECT_EQ(n.status(), v1::NEED_STATUS_OPEN);
      EXPECT_FALSE(n.etag().empty());
      ASSERT_EQ(n.sources_size(), 1);
      EXPECT_EQ(n.sources(0).assessment_id(), n.source_assessment_id());
      listed.insert({n.source_assessment_id(), n.category()});
    }
  }
  EXPECT_EQ(listed, recorded);
}

TEST_F(LegacyStoreTest, ANewSubmissionOnALegacyCaseMovesItsStage) {
  // The RSS baseline of the case with members.
  auto rss = std::find_if(contents_.assessments.begin(),
                          contents_.assessments.end(), [](const Recorded& r) {
                            return r.case_id == kCaseWithMembers &&
                                   r.instrument_id == "rss";
                          });
  ASSERT_NE(rss, contents_.assessments.end());
  const Recorded& earlier = *rss;
  Assessment previous;
  {
    grpc::ClientContext ctx;
    SignAs(kSupervisor, &ctx);
    v1::GetAssessmentRequest req;
    req.set_case_id(earlier.case_id);
    req.set_assessment_id(earlier.assessment_id);
    ASSERT_TRUE(assessments_->GetAssessment(&ctx, req, &previous).ok());
  }
  const Case before = GetCase(kCaseWithMembers);

  // The same answers again, under the same (v1) instrument the store holds,
  // about the second household member by the id it reads with.
  v1::SubmitAssessmentRequest submit;
  submit.set_request_id("after-issue-11");
  submit.set_case_id(kCaseWithMembers);
  submit.set_instrument_id(previous.instrument_id());
  submit.set_instrument_version(previous.instrument_version());
  *submit.mutable_assessment_date() = previous.assessment_date();
  *submit.mutable_answers() = previous.answers();
  submit.set_occasion(v1::ASSESSMENT_OCCASION_FOLLOW_UP);
  submit.set_assessor_role(v1::ASSESSOR_ROLE_CASE_MANAGER);
  submit.set_mode(v1::CONTACT_MODE_PHONE);
  submit.set_subject_member_id("M2");
  Assessment created;
  {
    grpc::ClientContext ctx;
    SignAs(kSupervisor, &ctx);
    grpc::Status status =
        assessments_->SubmitAssessment(&ctx, submit, &created);
    ASSERT_TRUE(status.ok()) << status.error_message();
  }
  EXPECT_EQ(created.subject_member_id(), "M2");
  EXPECT_EQ(created.occasion(), v1::ASSESSMENT_OCCASION_FOLLOW_UP);
  EXPECT_EQ(ScoresOf(created), earlier.scores);
  EXPECT_EQ(FlagsOf(created), earlier.flags);

  const Case after = GetCase(kCaseWithMembers);
  EXPECT_EQ(after.stage(), v1::CASE_STAGE_ASSESSMENT);
  EXPECT_NE(after.etag(), before.etag());
  ASSERT_EQ(after.stage_history_size(), 2);
  // The synthesized entry is now stored as it read, followed by the move.
  EXPECT_EQ(after.stage_history(0).SerializeAsString(),
            before.stage_history(0).SerializeAsString());
  EXPECT_EQ(after.stage_history(1).stage(), v1::CASE_STAGE_ASSESSMENT);
  EXPECT_EQ(after.stage_history(1).cause(), "AssessmentCompleted");
  EXPECT_EQ(after.stage_history(1).actor_user_id(), "sup-demo");
  // The member ids it read with are kept now that it has been written.
  ASSERT_EQ(after.returnee().household_members_size(), 2);
  EXPECT_EQ(after.returnee().household_members(1).member_id(), "M2");
}

TEST_F(LegacyStoreTest, AnUpdateKeepsThePositionIdsAndNamesAProgramme) {
  const Case before = GetCase(kCaseWithMembers);
  auto update = [&](const Case& c, Case* out) {
    grpc::ClientContext ctx;
    SignAs(kSupervisor, &ctx);
    v1::UpdateCaseRequest req;
    *req.mutable_case_() = c;
    return cases_->UpdateCase(&ctx, req, out);
  };
  // The case has no programme yet: an update must name one.
  Case out;
  grpc::Status status = update(before, &out);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(status.error_message(), ::testing::HasSubstr("programme_id"));

  // Members passed back with the ids they read with keep them; a new one
  // gets the next number.
  Case change = before;
  change.set_programme_id("sn_reintegration");
  auto* added = change.mutable_returnee()->add_household_members();
  added->set_given_name("Ibou");
  added->set_relationship("child");
  status = update(change, &out);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(out.programme_id(), "sn_reintegration");
  ASSERT_EQ(out.returnee().household_members_size(), 3);
  EXPECT_EQ(out.returnee().household_members(0).member_id(), "M1");
  EXPECT_EQ(out.returnee().household_members(1).member_id(), "M2");
  EXPECT_EQ(out.returnee().household_members(2).member_id(), "M3");
  // Stored as they read: the history too.
  const Case read = GetCase(kCaseWithMembers);
  EXPECT_EQ(read.SerializeAsString(), out.SerializeAsString());
  ASSERT_EQ(read.stage_history_size(), 1);
  EXPECT_EQ(read.stage_history(0).cause(), "recorded before stage history");
}

}  // namespace
}  // namespace homeward
