// ReferralProgress on a real RocksDB in a temporary directory: a plan
// created and activated through PlanStore (with its overdue-activity queue
// entries), then ReferralStatusChanged events constructed here applied and
// committed as the feed follower does (ApplyAndCommit), checking the
// activities' referral fields and delivery statuses, the
// ActivityStatusChanged events, the queue, redelivery and skipped links.
#include "services/planning/referral_progress.h"

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/status/status_matchers.h"
#include "common/storage/store.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/planning/plan_queue_index.h"
#include "services/planning/plan_store.h"
#include "tests/fixtures/consumer_loop.h"
#include "tests/fixtures/temp_dir.h"

namespace homeward::planning {
namespace {

using ::homeward::testing::ApplyAndCommit;
using ::homeward::testing::IsOk;
using ::homeward::testing::TempDir;
using ::homeward::v1::ActivityStatus;
using ::homeward::v1::Event;
using ::homeward::v1::Plan;
using ::homeward::v1::PlanActivity;
using ::homeward::v1::ReferralStatus;
using ::testing::ElementsAre;

constexpr uint32_t kPartition = 3;
constexpr char kCase[] = "case-1";

constexpr ActivityStatus kPlanned = homeward::v1::ACTIVITY_STATUS_PLANNED;
constexpr ActivityStatus kInProgress =
    homeward::v1::ACTIVITY_STATUS_IN_PROGRESS;
constexpr ActivityStatus kDone = homeward::v1::ACTIVITY_STATUS_DONE;

service::Actor Supervisor() {
  service::Actor actor;
  actor.principal.set_user_id("sup-1");
  actor.principal.set_role(homeward::v1::ROLE_SUPERVISOR);
  actor.request_id = "req";
  actor.method = "test";
  return actor;
}

// A plan of kCase: AC1 and AC2 delivered by referral (AC1 with a due date),
// AC3 directly.
Plan Draft(const std::string& case_id) {
  Plan plan;
  plan.set_case_id(case_id);
  for (const char* id : {"AC1", "AC2", "AC3"}) {
    PlanActivity* a = plan.add_activities();
    a->set_activity_id(id);
    a->set_description("activity");
    a->set_delivery(std::string(id) == "AC3"
                        ? homeward::v1::ACTIVITY_DELIVERY_DIRECT
                        : homeward::v1::ACTIVITY_DELIVERY_REFERRAL);
  }
  auto* due = plan.mutable_activities(0)->mutable_due_date();
  due->set_year(2026);
  due->set_month(2);
  due->set_day(1);
  return plan;
}

class ReferralProgressTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto opened = storage::Store::Open({.path = dir_.path() + "/db"});
    ASSERT_TRUE(opened.ok()) << opened.status();
    store_ = std::move(opened).value();
    plans_ = std::make_unique<PlanStore>(store_.get());
    progress_ = std::make_unique<ReferralProgress>(plans_.get());
    plan_id_ = CreatePlan(kCase);
  }

  std::string CreatePlan(const std::string& case_id) {
    auto created =
        plans_->Create(Supervisor(), kPartition, "create", Draft(case_id));
    EXPECT_TRUE(created.ok()) << created.status();
    return created.ok() ? created->plan_id() : "";
  }

  // Moves version 1 to `status`; ACTIVE gets its queue entries as the
  // handlers' activation writes them.
  void SetStatus(homeward::v1::PlanStatus status,
                 const std::string& case_id = kCase) {
    auto latest = plans_->Get(kPartition, case_id, 0);
    ASSERT_TRUE(latest.ok()) << latest.status();
    Plan next = *latest;
    next.set_status(status);
    PlanStore::Change change;
    if (status == homeward::v1::PLAN_STATUS_ACTIVE) {
      UpdateActivityQueue(kPartition, nullptr, &next, change.also);
    }
    change.versions.push_back(next);
    ASSERT_TRUE(plans_
                    ->Apply(Supervisor(), kPartition, case_id, latest->etag(),
                            std::move(change))
                    .ok());
  }

  // Adds version 2 (a revision in preparation) with the same activities.
  void AddRevision() {
    auto latest = plans_->Get(kPartition, kCase, 0);
    ASSERT_TRUE(latest.ok());
    Plan revision = *latest;
    revision.set_status(homeward::v1::PLAN_STATUS_DRAFT);
    revision.set_version(2);
    revision.clear_create_time();
    PlanStore::Change change;
    change.versions.push_back(revision);
    ASSERT_TRUE(plans_
                    ->Apply(Supervisor(), kPartition, kCase, latest->etag(),
                            std::move(change))
                    .ok());
  }

  Event Changed(uint64_t sequence, const std::string& referral_id,
                ReferralStatus status, const std::string& activity_id = "AC1",
                std::string plan_id = "", const std::string& case_id = kCase) {
    Event e;
    e.set_partition(kPartition);
    e.set_sequence(sequence);
    e.set_subject_id(case_id);
    e.set_actor_user_id("partner-1");
    auto* r = e.mutable_referral_status_changed()->mutable_referral();
    r->set_referral_id(referral_id);
    r->set_case_id(case_id);
    r->set_status(status);
    r->mutable_activity()->set_plan_id(plan_id.empty() ? plan_id_ : plan_id);
    r->mutable_activity()->set_activity_id(activity_id);
    return e;
  }

  void ApplyAll(const std::vector<Event>& events) {
    for (const Event& e : events) {
      SCOPED_TRACE(e.sequence());
      ASSERT_THAT(ApplyAndCommit(*progress_, *store_, e), IsOk());
    }
  }

  PlanActivity Activity(const std::string& id, int version = 0,
                        const std::string& case_id = kCase) {
    auto plan = plans_->Get(kPartition, case_id, version);
    EXPECT_TRUE(plan.ok()) << plan.status();
    for (const auto& a : plan->activities()) {
      if (a.activity_id() == id) return a;
    }
    ADD_FAILURE() << "no activity " << id;
    return PlanActivity();
  }

  // The activity statuses the plan's ActivityStatusChanged events carried.
  std::vector<ActivityStatus> Moves(const std::string& case_id = kCase) {
    std::vector<ActivityStatus> out;
    auto events = store_->ReadEvents(kPartition, 0, 1000);
    EXPECT_TRUE(events.ok());
    for (const Event& e : *events) {
      if (e.has_activity_status_changed() &&
          e.activity_status_changed().case_id() == case_id) {
        EXPECT_EQ(e.actor_user_id(), "partner-1");
        out.push_back(e.activity_status_changed().activity().status());
      }
    }
    return out;
  }

  // The activities listed in the overdue-activity queue.
  std::vector<std::string> Queued() {
    std::vector<std::string> out;
    auto page = store_->ListIndex({kPartition}, kActivityDueIndex,
                                  kQueueIndexValue, 100, "");
    EXPECT_TRUE(page.ok()) << page.status();
    for (const auto& entry : page->entries) {
      QueueEntry parsed;
      if (ParseQueueEntry(entry.id, true, &parsed)) {
        out.push_back(parsed.activity_id);
      }
    }
    return out;
  }

  TempDir dir_;
  std::unique_ptr<storage::Store> store_;
  std::unique_ptr<PlanStore> plans_;
  std::unique_ptr<ReferralProgress> progress_;
  std::string plan_id_;
};

// What each referral status makes of a PLANNED activity of an ACTIVE plan.
TEST_F(ReferralProgressTest, EachStatusShowsAndMovesAsTheTableSays) {
  struct Row {
    ReferralStatus status;
    ActivityStatus activity;
  };
  const std::vector<Row> table = {
      {homeward::v1::REFERRAL_STATUS_DRAFT, kPlanned},
      {homeward::v1::REFERRAL_STATUS_REQUESTED, kPlanned},
      {homeward::v1::REFERRAL_STATUS_RECEIVED, kPlanned},
      {homeward::v1::REFERRAL_STATUS_ACCEPTED, kInProgress},
      {homeward::v1::REFERRAL_STATUS_READY, kInProgress},
      {homeward::v1::REFERRAL_STATUS_IN_PROGRESS, kInProgress},
      {homeward::v1::REFERRAL_STATUS_ON_HOLD, kPlanned},
      {homeward::v1::REFERRAL_STATUS_REJECTED, kPlanned},
      {homeward::v1::REFERRAL_STATUS_CANCELLED, kPlanned},
      {homeward::v1::REFERRAL_STATUS_FAILED, kPlanned},
      {homeward::v1::REFERRAL_STATUS_COMPLETED, kDone},
      {homeward::v1::REFERRAL_STATUS_ENTERED_IN_ERROR, kPlanned},
  };
  uint64_t sequence = 0;
  for (const Row& row : table) {
    SCOPED_TRACE(homeward::v1::ReferralStatus_Name(row.status));
    // A plan of its own for each row, ACTIVE, its activities PLANNED.
    const std::string case_id = absl::StrCat("case-", ++sequence);
    const std::string plan_id = CreatePlan(case_id);
    SetStatus(homeward::v1::PLAN_STATUS_ACTIVE, case_id);
    ApplyAll({Changed(sequence, "R1", row.status, "AC1", plan_id, case_id)});
    const PlanActivity read = Activity("AC1", 0, case_id);
    EXPECT_EQ(read.referral_id(), "R1");
    EXPECT_EQ(read.referral_status(), row.status);
    EXPECT_EQ(read.status(), row.activity);
    // The other activities are not touched.
    EXPECT_EQ(Activity("AC2", 0, case_id).referral_id(), "");
    if (row.activity == kDone) {
      EXPECT_THAT(Moves(case_id), ElementsAre(kInProgress, kDone));
    } else if (row.activity == kInProgress) {
      EXPECT_THAT(Moves(case_id), ElementsAre(kInProgress));
    } else {
      EXPECT_THAT(Moves(case_id), ElementsAre());
    }
  }
}

TEST_F(ReferralProgressTest, AcceptedStartsTheActivityAndKeepsItQueued) {
  SetStatus(homeward::v1::PLAN_STATUS_ACTIVE);
  ASSERT_THAT(Queued(), ElementsAre("AC1"));
  ApplyAll({Changed(1, "R1", homeward::v1::REFERRAL_STATUS_REQUESTED),
            Changed(2, "R1", homeward::v1::REFERRAL_STATUS_ACCEPTED)});
  EXPECT_EQ(Activity("AC1").status(), kInProgress);
  EXPECT_THAT(Moves(), ElementsAre(kInProgress));
  EXPECT_THAT(Queued(), ElementsAre("AC1"));
}

TEST_F(ReferralProgressTest,
       CompletedFinishesThroughInProgressAndLeavesTheQueue) {
  SetStatus(homeward::v1::PLAN_STATUS_ACTIVE);
  ApplyAll({Changed(1, "R1", homeward::v1::REFERRAL_STATUS_COMPLETED)});
  EXPECT_EQ(Activity("AC1").status(), kDone);
  EXPECT_THAT(Moves(), ElementsAre(kInProgress, kDone));
  EXPECT_THAT(Queued(), ElementsAre());
}

TEST_F(ReferralProgressTest, APlanNotActiveShowsTheReferralWithoutMoving) {
  SetStatus(homeward::v1::PLAN_STATUS_APPROVED);
  ApplyAll({Changed(1, "R1", homeward::v1::REFERRAL_STATUS_ACCEPTED)});
  const PlanActivity read = Activity("AC1");
  EXPECT_EQ(read.referral_id(), "R1");
  EXPECT_EQ(read.referral_status(), homeward::v1::REFERRAL_STATUS_ACCEPTED);
  EXPECT_EQ(read.status(), kPlanned);
  EXPECT_THAT(Moves(), ElementsAre());
}

TEST_F(ReferralProgressTest,
       ARevisionInPreparationShowsItDeliveryMovesTheActive) {
  SetStatus(homeward::v1::PLAN_STATUS_ACTIVE);
  AddRevision();
  ApplyAll({Changed(1, "R1", homeward::v1::REFERRAL_STATUS_ACCEPTED)});
  const PlanActivity active = Activity("AC1", 1);
  const PlanActivity draft = Activity("AC1", 2);
  EXPECT_EQ(active.status(), kInProgress);
  EXPECT_EQ(active.referral_id(), "R1");
  EXPECT_EQ(draft.referral_id(), "R1");
  EXPECT_EQ(draft.referral_status(), homeward::v1::REFERRAL_STATUS_ACCEPTED);
  EXPECT_THAT(Moves(), ElementsAre(kInProgress));
}

TEST_F(ReferralProgressTest, AnOlderReferralChangesNothing) {
  SetStatus(homeward::v1::PLAN_STATUS_ACTIVE);
  ApplyAll({Changed(1, "R1", homeward::v1::REFERRAL_STATUS_REJECTED),
            Changed(2, "R2", homeward::v1::REFERRAL_STATUS_REQUESTED),
            Changed(3, "R1", homeward::v1::REFERRAL_STATUS_ENTERED_IN_ERROR)});
  EXPECT_EQ(Activity("AC1").referral_id(), "R2");
  EXPECT_EQ(Activity("AC1").referral_status(),
            homeward::v1::REFERRAL_STATUS_REQUESTED);
}

TEST_F(ReferralProgressTest, RedeliveryWritesNothing) {
  SetStatus(homeward::v1::PLAN_STATUS_ACTIVE);
  for (const Event& e :
       {Changed(1, "R1", homeward::v1::REFERRAL_STATUS_REQUESTED),
        Changed(2, "R1", homeward::v1::REFERRAL_STATUS_ACCEPTED),
        Changed(3, "R1", homeward::v1::REFERRAL_STATUS_COMPLETED)}) {
    SCOPED_TRACE(e.sequence());
    ASSERT_THAT(ApplyAndCommit(*progress_, *store_, e), IsOk());
    const std::string etag = plans_->Get(kPartition, kCase, 0)->etag();
    const size_t moves = Moves().size();
    ASSERT_THAT(ApplyAndCommit(*progress_, *store_, e), IsOk());
    EXPECT_EQ(plans_->Get(kPartition, kCase, 0)->etag(), etag);
    EXPECT_EQ(Moves().size(), moves);
  }
}

TEST_F(ReferralProgressTest, UnknownLinksAreSkippedAndCounted) {
  SetStatus(homeward::v1::PLAN_STATUS_ACTIVE);
  const std::string etag = plans_->Get(kPartition, kCase, 0)->etag();
  Event no_plan = Changed(3, "R3", homeward::v1::REFERRAL_STATUS_ACCEPTED);
  no_plan.mutable_referral_status_changed()->mutable_referral()->set_case_id(
      "case-without-plan");
  Event need_link = Changed(4, "R4", homeward::v1::REFERRAL_STATUS_ACCEPTED);
  need_link.mutable_referral_status_changed()->mutable_referral()->set_need_id(
      "N1");
  ApplyAll({Changed(1, "R1", homeward::v1::REFERRAL_STATUS_ACCEPTED, "AC9"),
            Changed(2, "R2", homeward::v1::REFERRAL_STATUS_ACCEPTED, "AC1",
                    "PL-other"),
            no_plan, need_link});
  EXPECT_EQ(progress_->unknown(), 3);
  EXPECT_EQ(plans_->Get(kPartition, kCase, 0)->etag(), etag);
}

}  // namespace
}  // namespace homeward::planning
