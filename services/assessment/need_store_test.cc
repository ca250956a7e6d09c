// NeedStore and AssessmentStore::Submit on a real RocksDB in a temporary
// directory: one open need per (case, category) under racing writers,
// supersession through stored submissions, responders (the store methods
// later planning and referral events call), legacy records, events and
// audit entries.
#include "services/assessment/need_store.h"

#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "common/status/status_matchers.h"
#include "common/storage/keys.h"
#include "common/storage/partitions.h"
#include "common/storage/store.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/assessment/assessment_store.h"
#include "tests/fixtures/temp_dir.h"

namespace homeward::assessment {
namespace {

using ::homeward::testing::StatusIs;
using ::homeward::testing::TempDir;
using ::homeward::v1::Assessment;
using ::homeward::v1::Event;
using ::homeward::v1::Need;
using ::testing::HasSubstr;

constexpr uint32_t kPartition = 3;
constexpr char kCase[] = "case-1";

service::Actor Manager() {
  service::Actor actor;
  actor.principal.set_user_id("cm-1");
  actor.principal.set_role(homeward::v1::ROLE_CASE_MANAGER);
  actor.request_id = "req";
  actor.method = "test";
  return actor;
}

Need Raised(const std::string& category, const std::string& rule) {
  Need n;
  n.set_dimension(homeward::v1::DIMENSION_SOCIAL);
  n.set_category(category);
  n.set_description("raised by " + rule);
  n.set_rule_code(rule);
  n.set_priority(homeward::v1::NEED_PRIORITY_MEDIUM);
  return n;
}

homeward::v1::NeedInput Input(const std::string& category) {
  homeward::v1::NeedInput input;
  input.set_dimension(homeward::v1::DIMENSION_SOCIAL);
  input.set_category(category);
  input.set_description("entered by hand");
  input.set_priority(homeward::v1::NEED_PRIORITY_HIGH);
  return input;
}

Assessment Submission(const std::string& instrument, std::vector<Need> needs) {
  Assessment a;
  a.set_case_id(kCase);
  a.set_instrument_id(instrument);
  a.set_instrument_version(2);
  a.set_kind(homeward::v1::INSTRUMENT_KIND_RSS);
  for (auto& n : needs) *a.add_needs() = std::move(n);
  return a;
}

class NeedStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto opened = storage::Store::Open({.path = dir_.path() + "/db"});
    ASSERT_TRUE(opened.ok()) << opened.status();
    store_ = std::move(opened).value();
    needs_ = NeedStore(store_.get());
  }

  std::vector<Need> Needs(std::vector<homeward::v1::NeedStatus> statuses = {}) {
    auto page =
        needs_.ListNeeds(kPartition, kCase, homeward::v1::DIMENSION_UNSPECIFIED,
                         statuses, 100, "");
    EXPECT_TRUE(page.ok()) << page.status();
    return page.ok() ? page->items : std::vector<Need>{};
  }

  std::vector<Event> Events(Event::PayloadCase payload) {
    std::vector<Event> out;
    auto events = store_->ReadEvents(kPartition, 0, 1000);
    EXPECT_TRUE(events.ok());
    for (auto& e : *events) {
      if (e.payload_case() == payload) out.push_back(e);
    }
    return out;
  }

  TempDir dir_;
  std::unique_ptr<storage::Store> store_;
  NeedStore needs_{nullptr};
  AssessmentStore assessments() { return AssessmentStore(store_.get()); }
};

TEST_F(NeedStoreTest, TwoSubmissionsPlannedTogetherCannotBothOpenACategory) {
  // Both plans read the case before either commits: both would create an
  // open "housing" need. The second commit must fail and change nothing.
  Assessment first = Submission("rss", {Raised("housing", "HOUSING")});
  first.set_assessment_id("A1");
  Assessment second = Submission("domv", {Raised("housing", "DOMV_HOUSING")});
  second.set_assessment_id("A2");
  storage::WriteSet a, b;
  ASSERT_TRUE(needs_.MergeSubmission(kPartition, first, "r1", a).ok());
  ASSERT_TRUE(needs_.MergeSubmission(kPartition, second, "r2", b).ok());
  ASSERT_TRUE(store_->Commit(std::move(a)).ok());
  // ALREADY_EXISTS on the (case, housing) open slot: a lost race.
  absl::Status lost = store_->Commit(std::move(b)).status();
  EXPECT_THAT(lost, StatusIs(absl::StatusCode::kAlreadyExists,
                             HasSubstr("case-1/housing")));
  EXPECT_TRUE(NeedStore::LostRace(lost));
  EXPECT_EQ(Needs().size(), 1u);
  EXPECT_EQ(Events(Event::kNeedChanged).size(), 1u);

  // Planned again, the second merges into the first's need.
  storage::WriteSet again;
  ASSERT_TRUE(needs_.MergeSubmission(kPartition, second, "r2", again).ok());
  ASSERT_TRUE(store_->Commit(std::move(again)).ok());
  std::vector<Need> all = Needs();
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(all[0].sources_size(), 2);
  EXPECT_EQ(second.needs(0).need_id(), all[0].need_id());
  EXPECT_EQ(all[0].etag(), "2");
}

TEST_F(NeedStoreTest, RacingSubmissionsThroughTheStoreLeaveOneOpenNeed) {
  AssessmentStore store = assessments();
  std::vector<std::thread> threads;
  std::vector<absl::Status> results(4);
  for (int i = 0; i < 4; ++i) {
    threads.emplace_back([&, i] {
      results[i] =
          store
              .Submit(Manager(), kPartition, "sub-" + std::to_string(i),
                      Submission(i % 2 ? "rss" : "domv",
                                 {Raised("housing", "H"),
                                  Raised("documentation", "D")}))
              .status();
    });
  }
  for (auto& t : threads) t.join();
  int committed = 0;
  for (const auto& r : results) {
    // A writer that lost every replan reports ABORTED and wrote nothing.
    if (r.ok()) {
      ++committed;
    } else {
      EXPECT_THAT(r, StatusIs(absl::StatusCode::kAborted));
    }
  }
  ASSERT_GE(committed, 1);
  std::vector<Need> all = Needs();
  ASSERT_EQ(all.size(), 2u);  // one housing, one documentation
  for (const Need& n : all) {
    EXPECT_EQ(n.status(), homeward::v1::NEED_STATUS_OPEN);
    EXPECT_EQ(n.sources_size(), committed);
  }
}

TEST_F(NeedStoreTest, AResubmissionOfTheSameInstrumentSupersedesWhatItDropped) {
  AssessmentStore store = assessments();
  auto first = store.Submit(
      Manager(), kPartition, "s1",
      Submission("rss", {Raised("housing", "H"), Raised("health", "HE")}));
  ASSERT_TRUE(first.ok()) << first.status();
  auto other = store.Submit(Manager(), kPartition, "s2",
                            Submission("domv", {Raised("health", "DH")}));
  ASSERT_TRUE(other.ok());
  auto again = store.Submit(Manager(), kPartition, "s3",
                            Submission("rss", {Raised("documentation", "D")}));
  ASSERT_TRUE(again.ok());
  std::vector<Need> all = Needs();
  ASSERT_EQ(all.size(), 3u);
  // housing: only rss raised it, and rss no longer does.
  EXPECT_EQ(all[0].category(), "housing");
  EXPECT_EQ(all[0].status(), homeward::v1::NEED_STATUS_SUPERSEDED);
  EXPECT_EQ(all[0].sources(0).superseded_by_assessment_id(),
            again->assessment_id());
  // health: domv still raises it.
  EXPECT_EQ(all[1].category(), "health");
  EXPECT_EQ(all[1].status(), homeward::v1::NEED_STATUS_OPEN);
  EXPECT_EQ(all[1].sources(0).superseded_by_assessment_id(),
            again->assessment_id());
  EXPECT_EQ(all[1].sources(1).superseded_by_assessment_id(), "");
  EXPECT_EQ(all[2].category(), "documentation");

  // The open list leaves the superseded need out.
  EXPECT_EQ(Needs({homeward::v1::NEED_STATUS_OPEN}).size(), 2u);
  // Each submission's event names the needs it went into.
  auto completed = Events(Event::kAssessmentCompleted);
  ASSERT_EQ(completed.size(), 3u);
  EXPECT_EQ(completed[2].assessment_completed().needs(0).need_id(),
            all[2].need_id());
  // Events: housing + health created (2), health joined (1), housing
  // superseded + health source superseded + documentation created (3).
  auto changed = Events(Event::kNeedChanged);
  ASSERT_EQ(changed.size(), 6u);
  for (const auto& e : changed) EXPECT_EQ(e.subject_id(), kCase);
  EXPECT_EQ(changed[3].need_changed().need().status(),
            homeward::v1::NEED_STATUS_SUPERSEDED);
}

TEST_F(NeedStoreTest, RespondersMarkANeedBeingAddressedAndWithdrawReopensIt) {
  auto added =
      needs_.AddNeed(Manager(), kPartition, kCase, "add-1", Input("housing"));
  ASSERT_TRUE(added.ok()) << added.status();
  homeward::v1::Responder activity;
  activity.set_kind(homeward::v1::RESPONDER_KIND_PLAN_ACTIVITY);
  activity.set_id("act-1");
  auto marked = needs_.MarkNeedBeingAddressed(Manager(), kPartition, kCase,
                                              added->need_id(), activity);
  ASSERT_TRUE(marked.ok()) << marked.status();
  EXPECT_EQ(marked->status(), homeward::v1::NEED_STATUS_BEING_ADDRESSED);
  EXPECT_EQ(marked->etag(), "2");
  auto withdrawn = needs_.WithdrawNeedResponder(Manager(), kPartition, kCase,
                                                added->need_id(), activity);
  ASSERT_TRUE(withdrawn.ok()) << withdrawn.status();
  EXPECT_EQ(withdrawn->status(), homeward::v1::NEED_STATUS_OPEN);
  EXPECT_EQ(withdrawn->addressed_by_size(), 0);
  auto read = needs_.GetNeed(kPartition, kCase, added->need_id());
  ASSERT_TRUE(read.ok());
  EXPECT_EQ(read->etag(), "3");
  EXPECT_EQ(read->history_size(), 3);  // OPEN, BEING_ADDRESSED, OPEN
  EXPECT_EQ(Events(Event::kNeedChanged).size(), 3u);

  // Resolved, no responder may take it.
  ASSERT_TRUE(needs_
                  .SetNeedStatus(Manager(), kPartition, kCase, added->need_id(),
                                 3, homeward::v1::NEED_STATUS_RESOLVED, "")
                  .ok());
  EXPECT_THAT(needs_.MarkNeedBeingAddressed(Manager(), kPartition, kCase,
                                            added->need_id(), activity),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       HasSubstr("NEED_STATUS_RESOLVED")));
}

TEST_F(NeedStoreTest, AReopenIsRefusedWhileAnotherNeedOfItsCategoryIsOpen) {
  auto first =
      needs_.AddNeed(Manager(), kPartition, kCase, "add-1", Input("housing"));
  ASSERT_TRUE(first.ok());
  ASSERT_TRUE(needs_
                  .SetNeedStatus(Manager(), kPartition, kCase, first->need_id(),
                                 1, homeward::v1::NEED_STATUS_RESOLVED, "")
                  .ok());
  auto second =
      needs_.AddNeed(Manager(), kPartition, kCase, "add-2", Input("housing"));
  ASSERT_TRUE(second.ok());
  EXPECT_NE(second->need_id(), first->need_id());
  EXPECT_THAT(
      needs_.SetNeedStatus(Manager(), kPartition, kCase, first->need_id(), 2,
                           homeward::v1::NEED_STATUS_OPEN, "came back"),
      StatusIs(absl::StatusCode::kFailedPrecondition,
               HasSubstr(second->need_id())));
  ASSERT_TRUE(
      needs_
          .SetNeedStatus(Manager(), kPartition, kCase, second->need_id(), 1,
                         homeward::v1::NEED_STATUS_NOT_APPLICABLE, "duplicate")
          .ok());
  auto reopened =
      needs_.SetNeedStatus(Manager(), kPartition, kCase, first->need_id(), 2,
                           homeward::v1::NEED_STATUS_OPEN, "came back");
  ASSERT_TRUE(reopened.ok()) << reopened.status();
  EXPECT_EQ(reopened->status_reason(), "came back");
}

TEST_F(NeedStoreTest, ANeedWrittenBeforeNeedsHadALifeReadsOpenAndTakesRaises) {
  // As the code before issue 11 wrote it: one record per raise, version 1,
  // indexed by case and by case and dimension, no status, no sources.
  Assessment old;
  old.set_assessment_id("A-old");
  old.set_case_id(kCase);
  old.set_instrument_id("rss");
  old.set_instrument_version(1);
  old.set_assessed_by("cm-0");
  Need legacy = Raised("housing", "HOUSING");
  legacy.set_need_id("N-old");
  legacy.set_case_id(kCase);
  legacy.set_source_assessment_id("A-old");
  legacy.mutable_create_time()->set_seconds(1000);
  storage::WriteSet set;
  set.PutRecord(kPartition, "assessment", "A-old", 1, old)
      .PutRecord(kPartition, "need", "N-old", 1, legacy)
      .PutIndex(kPartition, "need_by_case", kCase, "N-old")
      .PutIndex(kPartition, "need_by_case_dimension",
                storage::KeyBuilder()
                    .Str(kCase)
                    .U32(homeward::v1::DIMENSION_SOCIAL)
                    .key(),
                "N-old");
  ASSERT_TRUE(store_->Commit(std::move(set)).ok());

  std::vector<Need> all = Needs();
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(all[0].status(), homeward::v1::NEED_STATUS_OPEN);
  ASSERT_EQ(all[0].sources_size(), 1);
  EXPECT_EQ(all[0].sources(0).assessment_id(), "A-old");
  EXPECT_EQ(all[0].sources(0).instrument_id(), "rss");
  EXPECT_EQ(all[0].sources(0).added_by(), "cm-0");
  EXPECT_EQ(all[0].etag(), "1");

  // A v2 submission of the same instrument raising it again joins it.
  auto joined =
      assessments().Submit(Manager(), kPartition, "s-new",
                           Submission("rss", {Raised("housing", "HOUSING")}));
  ASSERT_TRUE(joined.ok()) << joined.status();
  all = Needs();
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(all[0].need_id(), "N-old");
  EXPECT_EQ(all[0].sources_size(), 2);
  auto by_dimension = needs_.ListNeeds(
      kPartition, kCase, homeward::v1::DIMENSION_SOCIAL, {}, 10, "");
  ASSERT_TRUE(by_dimension.ok());
  EXPECT_EQ(by_dimension->items.size(), 1u);
}

TEST_F(NeedStoreTest, TheSubmissionsEventCarriesWhenAndAboutWhomItWasMade) {
  Assessment a = Submission("domv", {});
  a.set_occasion(homeward::v1::ASSESSMENT_OCCASION_FOLLOW_UP);
  a.set_subject_member_id("M1");
  a.mutable_assessment_date()->set_year(2026);
  a.mutable_assessment_date()->set_month(2);
  a.mutable_assessment_date()->set_day(3);
  a.mutable_vulnerability()->set_level(homeward::v1::VULNERABILITY_LEVEL_HIGH);
  a.mutable_vulnerability()->add_rules_met("SEVERE_COMBINATION");
  auto* flag = a.add_flags();
  flag->set_code("GBV_SURVIVOR");
  flag->set_label("Survivor of gender-based violence");
  flag->set_priority(homeward::v1::NEED_PRIORITY_URGENT);
  flag->set_response_category("gbv_services");
  auto stored = assessments().Submit(Manager(), kPartition, "s1", a);
  ASSERT_TRUE(stored.ok()) << stored.status();
  auto completed = Events(Event::kAssessmentCompleted);
  ASSERT_EQ(completed.size(), 1u);
  const auto& event = completed[0].assessment_completed();
  EXPECT_EQ(event.occasion(), homeward::v1::ASSESSMENT_OCCASION_FOLLOW_UP);
  EXPECT_EQ(event.subject_member_id(), "M1");
  EXPECT_EQ(event.assessment_date().month(), 2);
  EXPECT_EQ(event.vulnerability().level(),
            homeward::v1::VULNERABILITY_LEVEL_HIGH);
  EXPECT_EQ(event.vulnerability().rules_met(0), "SEVERE_COMBINATION");
  // Its flag became a concern, announced after the submission's event.
  auto concerns = Events(Event::kProtectionConcernChanged);
  ASSERT_EQ(concerns.size(), 1u);
  EXPECT_GT(concerns[0].sequence(), completed[0].sequence());
  EXPECT_EQ(concerns[0].subject_id(), kCase);
  const auto& concern = concerns[0].protection_concern_changed().concern();
  EXPECT_EQ(concern.code(), "GBV_SURVIVOR");
  EXPECT_EQ(concern.priority(), homeward::v1::NEED_PRIORITY_URGENT);
  EXPECT_EQ(concern.response_category(), "gbv_services");
  EXPECT_EQ(concern.sources(0).assessment_id(), stored->assessment_id());
  EXPECT_EQ(concern.etag(), "1");
}

// The store the code before issue 11 wrote (tests/fixtures/stores/
// before_issue11, contents.json): its first case has 18 need records, one per
// raise (12 from the RSS, one of them entered by hand, with "documentation"
// twice; 3 from needs_and_capacities; 3 from psychosocial_screening).
TEST(NeedStoreLegacyTest, NeedsOfAStoreWrittenBeforeIssue11ReadOpenAndMerge) {
  TempDir dir;
  const std::string db = dir.path() + "/rocksdb";
  std::filesystem::copy(std::string(HOMEWARD_SOURCE_DIR) +
                            "/tests/fixtures/stores/before_issue11/assessment/"
                            "rocksdb",
                        db, std::filesystem::copy_options::recursive);
  auto opened = storage::Store::Open({.path = db, .partition_count = 4});
  ASSERT_TRUE(opened.ok()) << opened.status();
  std::unique_ptr<storage::Store> store = std::move(opened).value();
  const std::string case_id = "Ceb611ca34020550ce76a";
  const uint32_t p = storage::PartitionOf(case_id, 4);
  NeedStore needs(store.get());
  auto List = [&] {
    auto page = needs.ListNeeds(p, case_id, homeward::v1::DIMENSION_UNSPECIFIED,
                                {}, 100, "");
    EXPECT_TRUE(page.ok()) << page.status();
    return page.ok() ? page->items : std::vector<Need>{};
  };
  std::vector<Need> before = List();
  ASSERT_EQ(before.size(), 18u);
  int from_rss = 0;
  for (const Need& n : before) {
    EXPECT_EQ(n.status(), homeward::v1::NEED_STATUS_OPEN) << n.need_id();
    ASSERT_EQ(n.sources_size(), 1) << n.need_id();
    EXPECT_EQ(n.sources(0).assessment_id(), n.source_assessment_id());
    EXPECT_FALSE(n.sources(0).instrument_id().empty()) << n.need_id();
    EXPECT_EQ(n.etag(), "1");
    from_rss += n.sources(0).instrument_id() == "rss";
  }
  EXPECT_EQ(from_rss, 12);

  // A new RSS submission raising only "documentation": it joins the first
  // open documentation need; the other RSS needs raised by rule are
  // superseded; the one entered by hand and the other instruments' stay.
  Assessment rss =
      Submission("rss", {Raised("documentation", "DOCUMENTATION")});
  rss.set_case_id(case_id);
  auto submitted = AssessmentStore(store.get())
                       .Submit(Manager(), p, "new-rss", std::move(rss));
  ASSERT_TRUE(submitted.ok()) << submitted.status();
  std::vector<Need> after = List();
  ASSERT_EQ(after.size(), 18u);
  int superseded = 0, joined = 0;
  for (const Need& n : after) {
    const bool by_rss_rule = n.sources(0).instrument_id() == "rss" &&
                             !n.sources(0).rule_code().empty();
    if (n.need_id() == submitted->needs(0).need_id()) {
      ++joined;
      EXPECT_EQ(n.category(), "documentation");
      EXPECT_EQ(n.status(), homeward::v1::NEED_STATUS_OPEN);
      EXPECT_EQ(n.sources_size(), 2);
    } else if (by_rss_rule) {
      ++superseded;
      EXPECT_EQ(n.status(), homeward::v1::NEED_STATUS_SUPERSEDED)
          << n.category();
      EXPECT_EQ(n.sources(0).superseded_by_assessment_id(),
                submitted->assessment_id());
    } else {
      EXPECT_EQ(n.status(), homeward::v1::NEED_STATUS_OPEN) << n.category();
    }
  }
  EXPECT_EQ(joined, 1);
  EXPECT_EQ(superseded, 10);  // 11 RSS rule needs, one of them joined
}

}  // namespace
}  // namespace homeward::assessment
