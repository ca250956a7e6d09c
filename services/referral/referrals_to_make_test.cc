// ReferralsToMake on a real RocksDB in a temporary directory: planning
// events constructed here, applied and committed as the feed follower does
// (ApplyAndCommit), then the case's list read back, across redelivery,
// paging and a reopened store.
#include "services/referral/referrals_to_make.h"

#include <memory>
#include <string>
#include <vector>

#include "common/status/status_matchers.h"
#include "common/storage/partitions.h"
#include "common/storage/store.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/fixtures/consumer_loop.h"
#include "tests/fixtures/temp_dir.h"

namespace homeward::referral {
namespace {

using ::homeward::testing::ApplyAndCommit;
using ::homeward::testing::IsOk;
using ::homeward::testing::SelectedPayloads;
using ::homeward::testing::StatusIs;
using ::homeward::v1::ActivityStatus;
using ::homeward::v1::Event;
using ::homeward::v1::Plan;
using ::testing::ElementsAre;
using ::testing::ElementsAreArray;

constexpr uint32_t kPartitions = 64;
constexpr char kCase[] = "case-1";
constexpr char kOtherCase[] = "case-2";
constexpr char kPlan[] = "PL1";

const uint32_t kPartition = storage::PartitionOf(kCase, kPartitions);

struct ActivitySpec {
  std::string id;
  bool referral = true;
  ActivityStatus status = homeward::v1::ACTIVITY_STATUS_PLANNED;
  std::string description = "vocational training";
};

Plan PlanOf(const std::string& case_id, int version,
            const std::vector<ActivitySpec>& activities) {
  Plan plan;
  plan.set_plan_id(kPlan);
  plan.set_case_id(case_id);
  plan.set_version(version);
  for (const ActivitySpec& spec : activities) {
    auto* a = plan.add_activities();
    a->set_activity_id(spec.id);
    a->set_component("tvet");
    a->set_description(spec.description);
    a->set_status(spec.status);
    a->set_delivery(spec.referral ? homeward::v1::ACTIVITY_DELIVERY_REFERRAL
                                  : homeward::v1::ACTIVITY_DELIVERY_DIRECT);
    if (spec.referral) a->set_referral_component("vocational_training");
    a->mutable_due_date()->set_year(2026);
    a->mutable_due_date()->set_month(3);
    a->mutable_due_date()->set_day(1);
  }
  return plan;
}

Event Planning(uint64_t sequence, const std::string& case_id = kCase) {
  Event e;
  e.set_partition(storage::PartitionOf(case_id, kPartitions));
  e.set_sequence(sequence);
  e.set_subject_id(case_id);
  e.set_actor_user_id("sup-1");
  return e;
}

Event Approved(uint64_t sequence, const std::vector<ActivitySpec>& activities,
               const std::string& case_id = kCase) {
  Event e = Planning(sequence, case_id);
  *e.mutable_plan_approved()->mutable_plan() = PlanOf(case_id, 1, activities);
  return e;
}

Event Revised(uint64_t sequence, int version,
              const std::vector<ActivitySpec>& activities) {
  Event e = Planning(sequence);
  *e.mutable_plan_revised()->mutable_plan() =
      PlanOf(kCase, version, activities);
  e.mutable_plan_revised()->set_revised_version(version - 1);
  return e;
}

Event Cancelled(uint64_t sequence, int version) {
  Event e = Planning(sequence);
  *e.mutable_plan_cancelled()->mutable_plan() = PlanOf(kCase, version, {});
  return e;
}

Event Completed(uint64_t sequence, int version) {
  Event e = Planning(sequence);
  *e.mutable_plan_completed()->mutable_plan() = PlanOf(kCase, version, {});
  return e;
}

Event ActivityChanged(uint64_t sequence, const ActivitySpec& activity) {
  Event e = Planning(sequence);
  auto* changed = e.mutable_activity_status_changed();
  changed->set_case_id(kCase);
  changed->set_plan_id(kPlan);
  changed->set_plan_version(1);
  *changed->mutable_activity() = PlanOf(kCase, 1, {activity}).activities(0);
  return e;
}

class ReferralsToMakeTest : public ::testing::Test {
 protected:
  void SetUp() override { Open(); }

  void Open() {
    to_make_.reset();
    store_.reset();
    auto opened = storage::Store::Open(
        {.path = dir_.path() + "/db", .partition_count = kPartitions});
    ASSERT_TRUE(opened.ok()) << opened.status();
    store_ = std::move(opened).value();
    to_make_ = std::make_unique<ReferralsToMake>(
        store_.get(), storage::PartitionSet::All(kPartitions));
  }

  void ApplyAll(const std::vector<Event>& events) {
    for (const Event& e : events) {
      SCOPED_TRACE(e.sequence());
      ASSERT_THAT(ApplyAndCommit(*to_make_, *store_, e), IsOk());
    }
  }

  // The activity ids listed for `case_id`, read in pages of `page_size`.
  std::vector<std::string> Listed(const std::string& case_id = kCase,
                                  int page_size = 50) {
    std::vector<std::string> ids;
    std::string token;
    do {
      auto page = to_make_->List(case_id, page_size, token);
      EXPECT_TRUE(page.ok()) << page.status();
      if (!page.ok()) break;
      EXPECT_LE(page->items.size(), static_cast<size_t>(page_size));
      for (const auto& item : page->items) ids.push_back(item.activity_id());
      token = page->next_page_token;
    } while (!token.empty());
    return ids;
  }

  // The stored versions of the records of AC1..AC3 of kCase (0: none).
  std::vector<uint64_t> RecordVersions() {
    std::vector<uint64_t> versions;
    for (const char* activity : {"AC1", "AC2", "AC3"}) {
      homeward::v1::ReferralToMake entry;
      uint64_t version = 0;
      auto found = store_->GetRecord(kPartition, ReferralsToMake::kKind,
                                     std::string(kCase) + "/" + activity,
                                     &entry, &version);
      EXPECT_TRUE(found.ok()) << found.status();
      versions.push_back(found.ok() && *found ? version : 0);
    }
    return versions;
  }

  testing::TempDir dir_;
  std::unique_ptr<storage::Store> store_;
  std::unique_ptr<ReferralsToMake> to_make_;
};

TEST_F(ReferralsToMakeTest, ApprovalListsTheReferralActivitiesOfThePlan) {
  ApplyAll(
      {Approved(1, {{"AC1"},
                    {"AC2", /*referral=*/false},
                    {"AC3"},
                    {"AC4", true, homeward::v1::ACTIVITY_STATUS_DROPPED}})});
  EXPECT_THAT(Listed(), ElementsAre("AC1", "AC3"));
  auto page = to_make_->List(kCase, 10, "");
  ASSERT_TRUE(page.ok()) << page.status();
  ASSERT_EQ(page->items.size(), 2u);
  const auto& first = page->items[0];
  EXPECT_EQ(first.case_id(), kCase);
  EXPECT_EQ(first.plan_id(), kPlan);
  EXPECT_EQ(first.plan_version(), 1);
  EXPECT_EQ(first.component(), "vocational_training");
  EXPECT_EQ(first.description(), "vocational training");
  EXPECT_EQ(first.due_date().year(), 2026);
  // Another case's list is its own.
  EXPECT_THAT(Listed(kOtherCase), ElementsAre());
}

TEST_F(ReferralsToMakeTest, RevisionReplacesThePlansEntries) {
  ApplyAll(
      {Approved(1, {{"AC1"}, {"AC2"}}),
       Revised(2, 2,
               {{"AC2", true, homeward::v1::ACTIVITY_STATUS_PLANNED, "changed"},
                {"AC3"}})});
  EXPECT_THAT(Listed(), ElementsAre("AC2", "AC3"));
  auto page = to_make_->List(kCase, 10, "");
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(page->items[0].plan_version(), 2);
  EXPECT_EQ(page->items[0].description(), "changed");
  // An activity removed by one revision and back in the next is listed
  // again (its record gets a new version).
  ApplyAll({Revised(3, 3, {{"AC1"}, {"AC3"}})});
  EXPECT_THAT(Listed(), ElementsAre("AC1", "AC3"));
}

TEST_F(ReferralsToMakeTest, AnOlderVersionOfThePlanChangesNothing) {
  ApplyAll({Revised(1, 2, {{"AC2"}}), Approved(2, {{"AC1"}})});
  EXPECT_THAT(Listed(), ElementsAre("AC2"));
}

TEST_F(ReferralsToMakeTest, CompletedOrCancelledPlansLeaveNothingToMake) {
  ApplyAll({Approved(1, {{"AC1"}, {"AC2"}}), Completed(2, 1)});
  EXPECT_THAT(Listed(), ElementsAre());
  ApplyAll({Revised(3, 2, {{"AC1"}}), Cancelled(4, 2)});
  EXPECT_THAT(Listed(), ElementsAre());
}

TEST_F(ReferralsToMakeTest, DroppedOrDoneActivitiesLeaveTheList) {
  ApplyAll(
      {Approved(1, {{"AC1"}, {"AC2"}, {"AC3"}}),
       ActivityChanged(2, {"AC1", true, homeward::v1::ACTIVITY_STATUS_DROPPED}),
       ActivityChanged(
           3, {"AC2", true, homeward::v1::ACTIVITY_STATUS_IN_PROGRESS}),
       ActivityChanged(4, {"AC3", true, homeward::v1::ACTIVITY_STATUS_DONE})});
  EXPECT_THAT(Listed(), ElementsAre("AC2"));
}

// The producer sends the plan events and, of the activity moves, only
// those into DROPPED or DONE; the moves it leaves out change nothing here.
TEST_F(ReferralsToMakeTest, AsksForPlanEventsAndActivitiesLeavingTheList) {
  struct Row {
    ActivityStatus status;
    bool activity_change_selected;
  };
  const Row rows[] = {
      {homeward::v1::ACTIVITY_STATUS_PLANNED, false},
      {homeward::v1::ACTIVITY_STATUS_IN_PROGRESS, false},
      {homeward::v1::ACTIVITY_STATUS_DONE, true},
      {homeward::v1::ACTIVITY_STATUS_DROPPED, true},
  };
  for (const Row& row : rows) {
    SCOPED_TRACE(homeward::v1::ActivityStatus_Name(row.status));
    std::vector<int> expected = {Event::kPlanApproved, Event::kPlanRevised};
    if (row.activity_change_selected) {
      expected.push_back(Event::kActivityStatusChanged);
    }
    expected.push_back(Event::kPlanCompleted);
    expected.push_back(Event::kPlanCancelled);
    EXPECT_THAT(SelectedPayloads(to_make_->Selection(), row.status),
                ElementsAreArray(expected));
  }

  ApplyAll({Approved(1, {{"AC1"}, {"AC2"}})});
  const std::vector<uint64_t> versions = RecordVersions();
  ApplyAll({ActivityChanged(
                2, {"AC1", true, homeward::v1::ACTIVITY_STATUS_IN_PROGRESS}),
            ActivityChanged(
                3, {"AC2", true, homeward::v1::ACTIVITY_STATUS_PLANNED})});
  EXPECT_THAT(Listed(), ElementsAre("AC1", "AC2"));
  EXPECT_EQ(RecordVersions(), versions);
}

TEST_F(ReferralsToMakeTest, RedeliveryWritesNothingMore) {
  const std::vector<Event> events = {
      Approved(1, {{"AC1"}, {"AC2"}}), Revised(2, 2, {{"AC2"}, {"AC3"}}),
      ActivityChanged(3, {"AC3", true, homeward::v1::ACTIVITY_STATUS_DROPPED}),
      Cancelled(4, 2)};
  for (const Event& e : events) {
    SCOPED_TRACE(e.sequence());
    ASSERT_THAT(ApplyAndCommit(*to_make_, *store_, e), IsOk());
    const std::vector<std::string> listed = Listed();
    const std::vector<uint64_t> versions = RecordVersions();
    // A second delivery of the same event (a commit that failed after the
    // consumer applied it, say) rewrites nothing.
    ASSERT_THAT(ApplyAndCommit(*to_make_, *store_, e), IsOk());
    EXPECT_THAT(Listed(), ElementsAreArray(listed));
    EXPECT_THAT(RecordVersions(), ElementsAreArray(versions));
  }
}

TEST_F(ReferralsToMakeTest, ListsInPages) {
  std::vector<ActivitySpec> many;
  for (int i = 1; i <= 12; ++i) many.push_back({"AC" + std::to_string(i)});
  ApplyAll({Approved(1, many)});
  std::vector<std::string> expected;
  for (int i = 1; i <= 12; ++i) expected.push_back("AC" + std::to_string(i));
  EXPECT_THAT(Listed(kCase, 5), ElementsAreArray(expected));
  EXPECT_THAT(Listed(kCase, 50), ElementsAreArray(expected));
}

TEST_F(ReferralsToMakeTest, SurvivesAReopenedStore) {
  ApplyAll(
      {Approved(1, {{"AC1"}, {"AC2"}}), Revised(2, 2, {{"AC2"}, {"AC3"}})});
  Open();
  EXPECT_THAT(Listed(), ElementsAre("AC2", "AC3"));
  EXPECT_THAT(store_->GetCursor(ReferralsToMake::kName, kPartition),
              ::homeward::testing::IsOkAndHolds(2u));
  // And goes on from there.
  ApplyAll({ActivityChanged(
      3, {"AC2", true, homeward::v1::ACTIVITY_STATUS_DROPPED})});
  Open();
  EXPECT_THAT(Listed(), ElementsAre("AC3"));
}

TEST_F(ReferralsToMakeTest, RefusesACaseOfAPartitionNotOwned) {
  // A replica owning only the partition after kCase's.
  google::protobuf::RepeatedPtrField<homeward::internal::v1::PartitionRange>
      ranges;
  auto* r = ranges.Add();
  r->set_first((kPartition + 1) % kPartitions);
  r->set_last((kPartition + 1) % kPartitions);
  auto owned = storage::PartitionSet::FromRanges(ranges, kPartitions);
  ASSERT_TRUE(owned.ok()) << owned.status();
  ReferralsToMake elsewhere(store_.get(), *owned);
  EXPECT_THAT(elsewhere.List(kCase, 10, "").status(),
              StatusIs(absl::StatusCode::kFailedPrecondition));
}

}  // namespace
}  // namespace homeward::referral
