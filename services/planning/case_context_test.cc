// The case-context projection fed hand-made events the way the feed follower
// feeds it (Apply, cursor, commit: tests/fixtures/consumer_loop.h), on a
// real RocksDB store in a temp dir: each event kind's effect, the "latest
// baseline" and "latest screening" rules, needs and concerns replaced by id,
// redelivered events changing nothing, a reopened store keeping it all, and
// the awaiting-plan queue entry it keeps per case.
#include "services/planning/case_context.h"

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "common/status/status_matchers.h"
#include "common/storage/partitions.h"
#include "common/storage/store.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"
#include "services/planning/plan_queue_index.h"
#include "services/planning/plan_store.h"
#include "tests/fixtures/consumer_loop.h"
#include "tests/fixtures/temp_dir.h"

namespace homeward::planning {
namespace {

using ::google::protobuf::util::MessageDifferencer;
using ::homeward::testing::ApplyAndCommit;
using ::homeward::testing::IsOk;
using ::homeward::testing::SelectedPayloads;
using ::homeward::testing::StatusIs;
using ::homeward::testing::TempDir;
using ::homeward::v1::AssessmentOccasion;
using ::homeward::v1::Case;
using ::homeward::v1::Event;
using ::homeward::v1::InstrumentKind;
using ::homeward::v1::Need;
using ::homeward::v1::NeedStatus;
using ::homeward::v1::ProtectionConcern;
using ::homeward::v1::VulnerabilityLevel;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

constexpr uint32_t kPartitions = 8;
const char kCase[] = "case-ctx-1";
const char kOtherCase[] = "case-ctx-2";

homeward::v1::Date Day(int year, int month, int day) {
  homeward::v1::Date d;
  d.set_year(year);
  d.set_month(month);
  d.set_day(day);
  return d;
}

// Case `id` at `version`, in programme `programme`, with household members
// `members` (ids).
Case CaseAt(const std::string& id, uint64_t version,
            const std::string& programme,
            const std::vector<std::string>& members = {},
            const std::string& office = "office-dakar") {
  Case c;
  c.set_case_id(id);
  c.set_etag(absl::StrCat(version));
  c.set_partition(storage::PartitionOf(id, kPartitions));
  c.set_office_id(office);
  c.set_case_manager_id("cm-1");
  c.set_programme_id(programme);
  c.set_stage(homeward::v1::CASE_STAGE_INTAKE);
  *c.mutable_return_info()->mutable_return_date() =
      Day(2025, 10, static_cast<int>(version));
  for (const std::string& m : members) {
    c.mutable_returnee()->add_household_members()->set_member_id(m);
  }
  return c;
}

Event AboutCase(const std::string& case_id) {
  Event e;
  e.set_subject_id(case_id);
  e.set_partition(storage::PartitionOf(case_id, kPartitions));
  return e;
}

Event Registered(const Case& c) {
  Event e = AboutCase(c.case_id());
  *e.mutable_case_registered()->mutable_case_() = c;
  return e;
}
Event Updated(const Case& c) {
  Event e = AboutCase(c.case_id());
  *e.mutable_case_updated()->mutable_case_() = c;
  return e;
}
Event Assigned(const Case& c) {
  Event e = AboutCase(c.case_id());
  e.mutable_case_assigned()->set_case_id(c.case_id());
  e.mutable_case_assigned()->set_to_office_id(c.office_id());
  e.mutable_case_assigned()->set_to_case_manager_id(c.case_manager_id());
  *e.mutable_case_assigned()->mutable_case_() = c;
  return e;
}
Event StageChanged(const Case& c) {
  Event e = AboutCase(c.case_id());
  e.mutable_case_stage_changed()->set_case_id(c.case_id());
  *e.mutable_case_stage_changed()->mutable_case_() = c;
  return e;
}

// An assessment of the returnee (or of `member`).
struct AssessmentSpec {
  std::string id;
  InstrumentKind kind = homeward::v1::INSTRUMENT_KIND_RSS;
  AssessmentOccasion occasion = homeward::v1::ASSESSMENT_OCCASION_BASELINE;
  homeward::v1::Date date;
  VulnerabilityLevel level = homeward::v1::VULNERABILITY_LEVEL_UNSPECIFIED;
  std::string member;  // subject_member_id
};

Event Completed(const AssessmentSpec& spec,
                const std::string& case_id = kCase) {
  Event e = AboutCase(case_id);
  auto& a = *e.mutable_assessment_completed();
  a.set_assessment_id(spec.id);
  a.set_case_id(case_id);
  a.set_kind(spec.kind);
  a.set_instrument_id(spec.kind == homeward::v1::INSTRUMENT_KIND_RSS
                          ? "rss"
                          : "domv_screening");
  a.set_instrument_version(2);
  a.set_occasion(spec.occasion);
  *a.mutable_assessment_date() = spec.date;
  a.set_subject_member_id(spec.member);
  a.mutable_scores()->set_economic(0.25);
  a.mutable_scores()->set_social(0.5);
  a.mutable_scores()->set_psychosocial(0.4);
  a.mutable_scores()->set_composite(0.39);
  if (spec.level != homeward::v1::VULNERABILITY_LEVEL_UNSPECIFIED) {
    a.mutable_vulnerability()->set_level(spec.level);
  }
  return e;
}

AssessmentSpec Baseline(const std::string& id, homeward::v1::Date date) {
  AssessmentSpec s;
  s.id = id;
  s.date = date;
  return s;
}

AssessmentSpec Screening(const std::string& id, homeward::v1::Date date,
                         VulnerabilityLevel level) {
  AssessmentSpec s;
  s.id = id;
  s.kind = homeward::v1::INSTRUMENT_KIND_VULNERABILITY_SCREENING;
  s.occasion = homeward::v1::ASSESSMENT_OCCASION_ON_ARRIVAL;
  s.date = date;
  s.level = level;
  return s;
}

Event NeedEvent(const std::string& case_id, const std::string& need_id,
                NeedStatus status) {
  Event e = AboutCase(case_id);
  Need& n = *e.mutable_need_changed()->mutable_need();
  n.set_need_id(need_id);
  n.set_case_id(case_id);
  n.set_category("housing");
  n.set_priority(homeward::v1::NEED_PRIORITY_HIGH);
  n.set_status(status);
  return e;
}

Event ConcernEvent(const std::string& case_id, const std::string& concern_id,
                   NeedStatus status) {
  Event e = AboutCase(case_id);
  ProtectionConcern& c =
      *e.mutable_protection_concern_changed()->mutable_concern();
  c.set_concern_id(concern_id);
  c.set_case_id(case_id);
  c.set_code("SUSPECTED_TRAFFICKING_VICTIM");
  c.set_status(status);
  return e;
}

class CaseContextTest : public ::testing::Test {
 protected:
  void SetUp() override { Open(); }

  void Open() {
    auto store = storage::Store::Open(
        {.path = dir_.path() + "/planning", .partition_count = kPartitions});
    ASSERT_THAT(store.status(), IsOk());
    store_ = std::move(*store);
    projection_ = std::make_unique<CaseContextProjection>(
        store_.get(), storage::PartitionSet::All(kPartitions));
  }

  void Reopen() {
    projection_.reset();
    store_.reset();
    Open();
  }

  // Delivers `e` as the next event of its partition; returns it with its
  // sequence, for redelivery.
  Event Deliver(Event e) {
    e.set_sequence(++sequences_[e.partition()]);
    EXPECT_THAT(ApplyAndCommit(*projection_, *store_, e), IsOk())
        << e.ShortDebugString();
    return e;
  }

  CaseContext MustGet(const std::string& case_id = kCase) {
    absl::StatusOr<CaseContext> got = projection_->Get(case_id);
    EXPECT_THAT(got.status(), IsOk());
    return got.ok() ? *std::move(got) : CaseContext{};
  }

  TempDir dir_;
  std::unique_ptr<storage::Store> store_;
  std::unique_ptr<CaseContextProjection> projection_;
  std::map<uint32_t, uint64_t> sequences_;
};

// All of a context, for comparing two reads.
std::string Dump(const CaseContext& c) {
  std::string out = absl::StrCat(c.scope.ShortDebugString(), "\n",
                                 c.context.ShortDebugString(), "\n");
  for (const Need& n : c.needs) absl::StrAppend(&out, n.ShortDebugString());
  for (const auto& n : c.concerns) absl::StrAppend(&out, n.ShortDebugString());
  return out;
}

std::vector<std::string> NeedStatuses(const CaseContext& c) {
  std::vector<std::string> out;
  for (const Need& n : c.needs) {
    out.push_back(absl::StrCat(n.need_id(), "=",
                               homeward::v1::NeedStatus_Name(n.status())));
  }
  return out;
}

std::vector<std::string> ConcernStatuses(const CaseContext& c) {
  std::vector<std::string> out;
  for (const auto& n : c.concerns) {
    out.push_back(absl::StrCat(n.concern_id(), "=",
                               homeward::v1::NeedStatus_Name(n.status())));
  }
  return out;
}

TEST_F(CaseContextTest, UnseenCaseIsNotFound) {
  EXPECT_THAT(projection_->Get(kCase), StatusIs(absl::StatusCode::kNotFound));
  EXPECT_THAT(projection_->Get(storage::PartitionOf(kCase, kPartitions), kCase),
              StatusIs(absl::StatusCode::kNotFound));
  EXPECT_EQ(projection_->name(), "planning_case_context");
  EXPECT_TRUE(projection_->ReadsOwnProjection());
}

TEST_F(CaseContextTest, RegistrationGivesScopeProgrammeReturnDateAndMembers) {
  Deliver(Registered(CaseAt(kCase, 1, "sn_reintegration", {"M1", "M2"})));
  CaseContext c = MustGet();
  EXPECT_EQ(c.scope.case_id(), kCase);
  EXPECT_EQ(c.scope.office_id(), "office-dakar");
  EXPECT_EQ(c.scope.case_manager_id(), "cm-1");
  EXPECT_EQ(c.context.case_id(), kCase);
  EXPECT_EQ(c.context.programme_id(), "sn_reintegration");
  EXPECT_TRUE(
      MessageDifferencer::Equals(c.context.return_date(), Day(2025, 10, 1)));
  EXPECT_THAT(c.context.member_ids(), ElementsAre("M1", "M2"));
  EXPECT_EQ(c.context.case_version(), 1u);
  EXPECT_FALSE(c.context.has_baseline());
  EXPECT_FALSE(c.context.highly_vulnerable());
  EXPECT_TRUE(c.needs.empty());
  EXPECT_TRUE(c.concerns.empty());
}

// Each kind of case event carries the whole case: a newer one replaces the
// kept fields (and the directory's scope), an older one arriving after it
// changes nothing.
TEST_F(CaseContextTest, EveryCaseEventKeepsTheNewestCaseVersionOnly) {
  struct Row {
    std::string name;
    Event (*make)(const Case&);
  };
  const std::vector<Row> rows = {{"CaseUpdated", &Updated},
                                 {"CaseAssigned", &Assigned},
                                 {"CaseStageChanged", &StageChanged}};
  int n = 0;
  for (const Row& row : rows) {
    SCOPED_TRACE(row.name);
    const std::string id = absl::StrCat("case-kind-", n++);
    Deliver(Registered(CaseAt(id, 1, "programme-a", {"M1"})));
    Deliver(row.make(
        CaseAt(id, 3, "programme-b", {"M1", "M2", "M3"}, "office-thies")));
    CaseContext c = MustGet(id);
    EXPECT_EQ(c.context.programme_id(), "programme-b");
    EXPECT_THAT(c.context.member_ids(), ElementsAre("M1", "M2", "M3"));
    EXPECT_TRUE(
        MessageDifferencer::Equals(c.context.return_date(), Day(2025, 10, 3)));
    EXPECT_EQ(c.context.case_version(), 3u);
    EXPECT_EQ(c.scope.office_id(), "office-thies");

    // Version 2 arrives after version 3 (as a later event): ignored.
    Deliver(row.make(CaseAt(id, 2, "programme-old", {})));
    c = MustGet(id);
    EXPECT_EQ(c.context.programme_id(), "programme-b");
    EXPECT_THAT(c.context.member_ids(), ElementsAre("M1", "M2", "M3"));
    EXPECT_EQ(c.context.case_version(), 3u);
    EXPECT_EQ(c.scope.office_id(), "office-thies");
  }
  // The registration itself, delivered again after the others: ignored.
  Deliver(Registered(CaseAt("case-kind-0", 1, "programme-a", {"M1"})));
  EXPECT_EQ(MustGet("case-kind-0").context.programme_id(), "programme-b");
}

TEST_F(CaseContextTest, LatestBaselineRss) {
  struct Row {
    std::string name;
    std::vector<AssessmentSpec> arriving;  // in event order
    std::string expected;                  // baseline assessment id; "" none
  };
  AssessmentSpec follow_up = Baseline("follow-up", Day(2025, 12, 1));
  follow_up.occasion = homeward::v1::ASSESSMENT_OCCASION_FOLLOW_UP;
  AssessmentSpec not_rss = Baseline("domv", Day(2025, 12, 1));
  not_rss.kind = homeward::v1::INSTRUMENT_KIND_NEEDS_AND_CAPACITIES;
  AssessmentSpec of_member = Baseline("member-rss", Day(2025, 12, 1));
  of_member.member = "M1";
  const std::vector<Row> rows = {
      {"one baseline", {Baseline("b1", Day(2025, 10, 5))}, "b1"},
      {"a later date replaces",
       {Baseline("b1", Day(2025, 10, 5)), Baseline("b2", Day(2025, 10, 20))},
       "b2"},
      {"an older date arriving later does not replace",
       {Baseline("b1", Day(2025, 10, 20)), Baseline("b2", Day(2025, 10, 5))},
       "b1"},
      {"the same date: the later event wins",
       {Baseline("b1", Day(2025, 10, 5)), Baseline("b2", Day(2025, 10, 5))},
       "b2"},
      {"a follow-up RSS is not a baseline",
       {Baseline("b1", Day(2025, 10, 5)), follow_up},
       "b1"},
      {"a follow-up alone leaves no baseline", {follow_up}, ""},
      {"a non-RSS baseline is ignored",
       {Baseline("b1", Day(2025, 10, 5)), not_rss},
       "b1"},
      {"a household member's RSS is not the returnee's baseline",
       {Baseline("b1", Day(2025, 10, 5)), of_member},
       "b1"},
  };
  int n = 0;
  for (const Row& row : rows) {
    SCOPED_TRACE(row.name);
    // Each row on a case of its own.
    const std::string id = absl::StrCat("case-baseline-", n++);
    Deliver(Registered(CaseAt(id, 1, "sn_reintegration")));
    for (const AssessmentSpec& spec : row.arriving) {
      Deliver(Completed(spec, id));
    }
    CaseContext c = MustGet(id);
    if (row.expected.empty()) {
      EXPECT_FALSE(c.context.has_baseline());
      continue;
    }
    ASSERT_TRUE(c.context.has_baseline());
    EXPECT_EQ(c.context.baseline().assessment_id(), row.expected);
  }
}

TEST_F(CaseContextTest, BaselineCarriesTheAssessmentAndItsScores) {
  Deliver(Registered(CaseAt(kCase, 1, "sn_reintegration")));
  Deliver(Completed(Baseline("b1", Day(2025, 11, 3))));
  const CaseContext c = MustGet();
  const homeward::v1::PlanBaseline& b = c.context.baseline();
  EXPECT_EQ(b.assessment_id(), "b1");
  EXPECT_EQ(b.instrument_id(), "rss");
  EXPECT_EQ(b.instrument_version(), 2);
  EXPECT_DOUBLE_EQ(b.scores().economic(), 0.25);
  EXPECT_DOUBLE_EQ(b.scores().social(), 0.5);
  EXPECT_DOUBLE_EQ(b.scores().psychosocial(), 0.4);
  EXPECT_DOUBLE_EQ(b.scores().composite(), 0.39);
  EXPECT_TRUE(
      MessageDifferencer::Equals(b.assessment_date(), Day(2025, 11, 3)));
}

TEST_F(CaseContextTest, LatestScreeningWithAProfileDecidesHighVulnerability) {
  struct Row {
    std::string name;
    std::vector<AssessmentSpec> arriving;
    bool highly_vulnerable;
  };
  AssessmentSpec no_profile = Screening(
      "none", Day(2025, 12, 1), homeward::v1::VULNERABILITY_LEVEL_UNSPECIFIED);
  AssessmentSpec member_low = Screening("member", Day(2025, 12, 1),
                                        homeward::v1::VULNERABILITY_LEVEL_LOW);
  member_low.member = "M1";
  const std::vector<Row> rows = {
      {"no screening", {}, false},
      {"high",
       {Screening("s1", Day(2025, 10, 5),
                  homeward::v1::VULNERABILITY_LEVEL_HIGH)},
       true},
      {"moderate",
       {Screening("s1", Day(2025, 10, 5),
                  homeward::v1::VULNERABILITY_LEVEL_MODERATE)},
       false},
      {"a later low screening replaces a high one",
       {Screening("s1", Day(2025, 10, 5),
                  homeward::v1::VULNERABILITY_LEVEL_HIGH),
        Screening("s2", Day(2025, 10, 9),
                  homeward::v1::VULNERABILITY_LEVEL_LOW)},
       false},
      {"an older low screening arriving later does not",
       {Screening("s1", Day(2025, 10, 9),
                  homeward::v1::VULNERABILITY_LEVEL_HIGH),
        Screening("s2", Day(2025, 10, 5),
                  homeward::v1::VULNERABILITY_LEVEL_LOW)},
       true},
      {"a later assessment without a profile does not count",
       {Screening("s1", Day(2025, 10, 5),
                  homeward::v1::VULNERABILITY_LEVEL_HIGH),
        no_profile},
       true},
      {"a household member's screening does not count",
       {Screening("s1", Day(2025, 10, 5),
                  homeward::v1::VULNERABILITY_LEVEL_HIGH),
        member_low},
       true},
  };
  int n = 0;
  for (const Row& row : rows) {
    SCOPED_TRACE(row.name);
    // Each row on a case of its own.
    const std::string id = absl::StrCat("case-vuln-", n++);
    Deliver(Registered(CaseAt(id, 1, "sn_reintegration")));
    for (const AssessmentSpec& spec : row.arriving) {
      Deliver(Completed(spec, id));
    }
    EXPECT_EQ(MustGet(id).context.highly_vulnerable(), row.highly_vulnerable);
  }
}

TEST_F(CaseContextTest, NeedsAndConcernsAreReplacedByIdKeepingEveryStatus) {
  Deliver(Registered(CaseAt(kCase, 1, "sn_reintegration")));
  Deliver(Registered(CaseAt(kOtherCase, 1, "sn_reintegration")));
  Deliver(NeedEvent(kCase, "n1", homeward::v1::NEED_STATUS_OPEN));
  Deliver(NeedEvent(kCase, "n2", homeward::v1::NEED_STATUS_OPEN));
  Deliver(NeedEvent(kOtherCase, "n9", homeward::v1::NEED_STATUS_OPEN));
  Deliver(ConcernEvent(kCase, "c1", homeward::v1::NEED_STATUS_OPEN));
  Deliver(NeedEvent(kCase, "n1", homeward::v1::NEED_STATUS_BEING_ADDRESSED));
  Deliver(NeedEvent(kCase, "n3", homeward::v1::NEED_STATUS_SUPERSEDED));
  Deliver(ConcernEvent(kCase, "c1", homeward::v1::NEED_STATUS_RESOLVED));
  Deliver(ConcernEvent(kCase, "c2", homeward::v1::NEED_STATUS_OPEN));
  CaseContext c = MustGet();
  EXPECT_THAT(NeedStatuses(c),
              ElementsAre("n1=NEED_STATUS_BEING_ADDRESSED",
                          "n2=NEED_STATUS_OPEN", "n3=NEED_STATUS_SUPERSEDED"));
  EXPECT_THAT(ConcernStatuses(c),
              ElementsAre("c1=NEED_STATUS_RESOLVED", "c2=NEED_STATUS_OPEN"));
  EXPECT_THAT(NeedStatuses(MustGet(kOtherCase)),
              ElementsAre("n9=NEED_STATUS_OPEN"));
  EXPECT_TRUE(MustGet(kOtherCase).concerns.empty());
}

TEST_F(CaseContextTest, RefusesPayloadsWithoutTheirIds) {
  Event no_need_id = NeedEvent(kCase, "", homeward::v1::NEED_STATUS_OPEN);
  no_need_id.set_sequence(1);
  EXPECT_THAT(projection_->Apply(no_need_id).status(),
              StatusIs(absl::StatusCode::kInvalidArgument));
  Event no_case = ConcernEvent(kCase, "c1", homeward::v1::NEED_STATUS_OPEN);
  no_case.mutable_protection_concern_changed()
      ->mutable_concern()
      ->clear_case_id();
  no_case.set_sequence(1);
  EXPECT_THAT(projection_->Apply(no_case).status(),
              StatusIs(absl::StatusCode::kInvalidArgument));
  // A need of a case of another partition than the event's.
  Event elsewhere = NeedEvent(kCase, "n1", homeward::v1::NEED_STATUS_OPEN);
  elsewhere.set_partition((elsewhere.partition() + 1) % kPartitions);
  elsewhere.set_sequence(1);
  EXPECT_THAT(projection_->Apply(elsewhere).status(),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

// At-least-once delivery: every event delivered again, after the events that
// followed it, leaves the projection as it was. The tie on the baseline's
// date and the need's older status are what a naive "apply again" would
// get wrong.
TEST_F(CaseContextTest, RedeliveredEventsChangeNothing) {
  std::vector<Event> delivered;
  delivered.push_back(
      Deliver(Registered(CaseAt(kCase, 1, "sn_reintegration", {"M1"}))));
  delivered.push_back(Deliver(Completed(Baseline("b1", Day(2025, 10, 5)))));
  delivered.push_back(Deliver(Completed(Baseline("b2", Day(2025, 10, 5)))));
  delivered.push_back(Deliver(Completed(Screening(
      "s1", Day(2025, 10, 5), homeward::v1::VULNERABILITY_LEVEL_HIGH))));
  delivered.push_back(Deliver(Completed(Screening(
      "s2", Day(2025, 10, 5), homeward::v1::VULNERABILITY_LEVEL_LOW))));
  delivered.push_back(
      Deliver(NeedEvent(kCase, "n1", homeward::v1::NEED_STATUS_OPEN)));
  delivered.push_back(
      Deliver(ConcernEvent(kCase, "c1", homeward::v1::NEED_STATUS_OPEN)));
  delivered.push_back(
      Deliver(NeedEvent(kCase, "n1", homeward::v1::NEED_STATUS_RESOLVED)));
  delivered.push_back(Deliver(
      ConcernEvent(kCase, "c1", homeward::v1::NEED_STATUS_BEING_ADDRESSED)));
  delivered.push_back(
      Deliver(Updated(CaseAt(kCase, 2, "sn_reintegration", {"M1", "M2"}))));
  const CaseContext before = MustGet();
  ASSERT_EQ(before.context.baseline().assessment_id(), "b2");
  ASSERT_FALSE(before.context.highly_vulnerable());
  ASSERT_THAT(NeedStatuses(before), ElementsAre("n1=NEED_STATUS_RESOLVED"));

  for (const Event& e : delivered) {
    SCOPED_TRACE(e.ShortDebugString());
    ASSERT_THAT(ApplyAndCommit(*projection_, *store_, e), IsOk());
    EXPECT_EQ(Dump(MustGet()), Dump(before));
  }
}

// The producer sends only these: consent and counselling (most of the
// assessment feed after registration) would only move the cursor.
TEST_F(CaseContextTest, AsksForCaseAssessmentNeedAndConcernEventsOnly) {
  EXPECT_THAT(SelectedPayloads(projection_->Selection()),
              ElementsAre(Event::kCaseRegistered, Event::kCaseUpdated,
                          Event::kCaseAssigned, Event::kAssessmentCompleted,
                          Event::kNeedChanged, Event::kProtectionConcernChanged,
                          Event::kCaseStageChanged, Event::kCaseAnonymised));
}

TEST_F(CaseContextTest, AReopenedStoreKeepsEverythingAndTheCursor) {
  Deliver(Registered(CaseAt(kCase, 1, "sn_reintegration", {"M1"})));
  Deliver(Completed(Baseline("b1", Day(2025, 10, 5))));
  Deliver(Completed(Screening("s1", Day(2025, 10, 5),
                              homeward::v1::VULNERABILITY_LEVEL_HIGH)));
  Deliver(NeedEvent(kCase, "n1", homeward::v1::NEED_STATUS_OPEN));
  Deliver(ConcernEvent(kCase, "c1", homeward::v1::NEED_STATUS_OPEN));
  const CaseContext before = MustGet();
  const uint32_t p = storage::PartitionOf(kCase, kPartitions);
  Reopen();
  const CaseContext after = MustGet();
  EXPECT_EQ(Dump(after), Dump(before));
  EXPECT_EQ(after.context.baseline().assessment_id(), "b1");
  EXPECT_TRUE(after.context.highly_vulnerable());
  EXPECT_THAT(NeedStatuses(after), ElementsAre("n1=NEED_STATUS_OPEN"));
  EXPECT_THAT(ConcernStatuses(after), ElementsAre("c1=NEED_STATUS_OPEN"));
  EXPECT_THAT(store_->GetCursor(CaseContextProjection::kName, p),
              ::homeward::testing::IsOkAndHolds(sequences_[p]));
  // And it goes on from there.
  Deliver(NeedEvent(kCase, "n1", homeward::v1::NEED_STATUS_BEING_ADDRESSED));
  EXPECT_THAT(NeedStatuses(MustGet()),
              ElementsAre("n1=NEED_STATUS_BEING_ADDRESSED"));
}

// The awaiting-plan queue's entries of every partition, padding stripped.
std::vector<std::string> AwaitingEntries(const storage::Store& store) {
  std::vector<std::string> out;
  std::vector<uint32_t> all;
  for (uint32_t p = 0; p < kPartitions; ++p) all.push_back(p);
  auto page =
      store.ListIndex(all, kAwaitingPlanIndex, kQueueIndexValue, 1000, "");
  EXPECT_THAT(page.status(), IsOk());
  if (!page.ok()) return out;
  for (const auto& e : page->entries) {
    out.push_back(std::string(absl::StripTrailingAsciiWhitespace(e.id)));
  }
  return out;
}

// A case joins the queue when first seen, under its return date; a newer
// case version with another date moves the entry, one with the same date or
// an older (redelivered) version leaves it, and a case without a return
// date has none.
TEST_F(CaseContextTest, CaseEventsKeepTheAwaitingPlanEntryUnderTheReturnDate) {
  EXPECT_THAT(AwaitingEntries(*store_), IsEmpty());
  const Event first = Deliver(Registered(CaseAt(kCase, 1, "sn_reintegration")));
  EXPECT_THAT(AwaitingEntries(*store_), ElementsAre("2025-10-01/case-ctx-1"));

  Deliver(Updated(CaseAt(kCase, 2, "sn_reintegration")));
  EXPECT_THAT(AwaitingEntries(*store_), ElementsAre("2025-10-02/case-ctx-1"));

  Case same_date = CaseAt(kCase, 3, "sn_reintegration", {}, "office-thies");
  *same_date.mutable_return_info()->mutable_return_date() = Day(2025, 10, 2);
  Deliver(Assigned(same_date));
  EXPECT_THAT(AwaitingEntries(*store_), ElementsAre("2025-10-02/case-ctx-1"));

  ASSERT_THAT(ApplyAndCommit(*projection_, *store_, first), IsOk());
  EXPECT_THAT(AwaitingEntries(*store_), ElementsAre("2025-10-02/case-ctx-1"));

  Case no_date = CaseAt(kCase, 4, "sn_reintegration");
  no_date.mutable_return_info()->clear_return_date();
  Deliver(Updated(no_date));
  EXPECT_THAT(AwaitingEntries(*store_), IsEmpty());
  Deliver(Updated(CaseAt(kCase, 5, "sn_reintegration")));
  EXPECT_THAT(AwaitingEntries(*store_), ElementsAre("2025-10-05/case-ctx-1"));
}

// A case whose plan was approved left the queue in the approving write; a
// later change of its return date must not put it back, while a case whose
// plan is still a draft moves with its date.
TEST_F(CaseContextTest, AMovedReturnDateRequeuesOnlyAPlanStillWaiting) {
  PlanStore plans(store_.get());
  service::Actor actor;
  actor.principal.set_user_id("cm-1");
  auto create = [&](const std::string& case_id) {
    homeward::v1::Plan draft;
    draft.set_case_id(case_id);
    auto created = plans.Create(
        actor, storage::PartitionOf(case_id, kPartitions), "", draft);
    EXPECT_THAT(created.status(), IsOk());
    return created.ok() ? *created : homeward::v1::Plan();
  };
  Deliver(Registered(CaseAt(kCase, 1, "sn_reintegration")));
  Deliver(Registered(CaseAt(kOtherCase, 1, "sn_reintegration")));
  homeward::v1::Plan approved = create(kCase);
  create(kOtherCase);
  const uint32_t p = storage::PartitionOf(kCase, kPartitions);
  approved.set_status(homeward::v1::PLAN_STATUS_APPROVED);
  ASSERT_THAT(plans.Write(actor, p, approved, approved.etag(), {}).status(),
              IsOk());
  storage::WriteSet leave;
  LeavePlanQueue(p, Day(2025, 10, 1), kCase, leave);
  ASSERT_THAT(store_->Commit(std::move(leave)).status(), IsOk());
  EXPECT_THAT(AwaitingEntries(*store_), ElementsAre("2025-10-01/case-ctx-2"));

  Deliver(Updated(CaseAt(kCase, 2, "sn_reintegration")));
  Deliver(Updated(CaseAt(kOtherCase, 2, "sn_reintegration")));
  EXPECT_THAT(AwaitingEntries(*store_), ElementsAre("2025-10-02/case-ctx-2"));
}

}  // namespace
}  // namespace homeward::planning
