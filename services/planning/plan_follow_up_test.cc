// PlanFollowUp on a real RocksDB in a temporary directory: a plan created
// through PlanStore and moved to the status a test needs, then follow-up
// events constructed here applied and committed as the feed follower does
// (ApplyAndCommit): a closure completing a delivered plan and cancelling
// any other (a revision in preparation with the version it revises), a
// contact asking for a revision, redelivery changing nothing.
#include "services/planning/plan_follow_up.h"

#include <memory>
#include <string>
#include <vector>

#include "common/status/status_matchers.h"
#include "common/storage/store.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/planning/case_context.h"
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
using ::homeward::v1::PlanStatus;

constexpr uint32_t kPartition = 3;
constexpr char kCase[] = "case-1";

service::Actor Supervisor() {
  service::Actor actor;
  actor.principal.set_user_id("sup-1");
  actor.principal.set_role(homeward::v1::ROLE_SUPERVISOR);
  actor.request_id = "req";
  actor.method = "test";
  return actor;
}

class PlanFollowUpTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto opened = storage::Store::Open({.path = dir_.path() + "/db"});
    ASSERT_TRUE(opened.ok()) << opened.status();
    store_ = std::move(opened).value();
    plans_ = std::make_unique<PlanStore>(store_.get());
    context_ = std::make_unique<CaseContextProjection>(
        store_.get(),
        storage::PartitionSet::All(storage::kDefaultPartitionCount));
    follow_up_ = std::make_unique<PlanFollowUp>(plans_.get(), context_.get());
    Plan draft;
    draft.set_case_id(kCase);
    for (const char* id : {"AC1", "AC2"}) {
      auto* a = draft.add_activities();
      a->set_activity_id(id);
      a->set_description("activity");
    }
    auto created = plans_->Create(Supervisor(), kPartition, "create", draft);
    ASSERT_TRUE(created.ok()) << created.status();
  }

  // Moves the latest version to `status`, its activities to `activities`
  // (in order; fewer leaves the rest as they are).
  void SetStatus(PlanStatus status,
                 const std::vector<ActivityStatus>& activities = {}) {
    auto latest = plans_->Get(kPartition, kCase, 0);
    ASSERT_TRUE(latest.ok()) << latest.status();
    Plan next = *latest;
    next.set_status(status);
    for (size_t i = 0; i < activities.size(); ++i) {
      next.mutable_activities(i)->set_status(activities[i]);
    }
    PlanStore::Change change;
    if (status == homeward::v1::PLAN_STATUS_ACTIVE) {
      UpdateActivityQueue(kPartition, nullptr, &next, change.also);
    }
    change.versions.push_back(next);
    ASSERT_TRUE(plans_
                    ->Apply(Supervisor(), kPartition, kCase, latest->etag(),
                            std::move(change))
                    .ok());
  }

  // Adds version 2 (a revision in preparation) of the ACTIVE version 1.
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

  Event About(uint64_t sequence) {
    Event e;
    e.set_partition(kPartition);
    e.set_sequence(sequence);
    e.set_subject_id(kCase);
    e.set_actor_user_id("cm-7");
    e.set_request_id("follow-up-req");
    return e;
  }
  Event Closed(uint64_t sequence, homeward::v1::ClosureReason reason =
                                      homeward::v1::CLOSURE_REASON_MOVED_AWAY) {
    Event e = About(sequence);
    auto* closure = e.mutable_case_closed()->mutable_closure();
    closure->set_case_id(kCase);
    closure->set_closure_id("CL1");
    closure->set_reason(reason);
    closure->set_status(homeward::v1::CLOSURE_STATUS_CLOSED);
    return e;
  }
  Event Recorded(uint64_t sequence, const std::string& contact_id,
                 bool revision_needed) {
    Event e = About(sequence);
    auto* contact = e.mutable_follow_up_recorded()->mutable_contact();
    contact->set_case_id(kCase);
    contact->set_contact_id(contact_id);
    contact->mutable_contact_date()->set_year(2026);
    contact->mutable_contact_date()->set_month(3);
    contact->mutable_contact_date()->set_day(9);
    contact->set_plan_revision_needed(revision_needed);
    if (revision_needed) contact->set_plan_revision_reason("lost the shop");
    return e;
  }

  // Applies `event` twice, as a redelivery would: the second changes
  // nothing (the plan's etag and the outbox stay).
  void Deliver(const Event& event) {
    ASSERT_THAT(ApplyAndCommit(*follow_up_, *store_, event), IsOk());
    const std::string etag = Latest().etag();
    const size_t events = Events().size();
    ASSERT_THAT(ApplyAndCommit(*follow_up_, *store_, event), IsOk());
    EXPECT_EQ(Latest().etag(), etag);
    EXPECT_EQ(Events().size(), events);
  }

  Plan Latest(int version = 0) {
    auto plan = plans_->Get(kPartition, kCase, version);
    EXPECT_TRUE(plan.ok()) << plan.status();
    return plan.ok() ? *plan : Plan();
  }

  std::vector<Event> Events() {
    auto events = store_->ReadEvents(kPartition, 0, 1000);
    EXPECT_TRUE(events.ok()) << events.status();
    return events.ok() ? *events : std::vector<Event>{};
  }

  TempDir dir_;
  std::unique_ptr<storage::Store> store_;
  std::unique_ptr<PlanStore> plans_;
  std::unique_ptr<CaseContextProjection> context_;
  std::unique_ptr<PlanFollowUp> follow_up_;
};

TEST_F(PlanFollowUpTest, ClosureCompletesAPlanWhoseActivitiesAreOver) {
  ASSERT_NO_FATAL_FAILURE(SetStatus(homeward::v1::PLAN_STATUS_ACTIVE,
                                    {homeward::v1::ACTIVITY_STATUS_DONE,
                                     homeward::v1::ACTIVITY_STATUS_DROPPED}));
  ASSERT_NO_FATAL_FAILURE(
      Deliver(Closed(1, homeward::v1::CLOSURE_REASON_SUPPORT_COMPLETED)));
  const Plan plan = Latest();
  EXPECT_EQ(plan.status(), homeward::v1::PLAN_STATUS_COMPLETED);
  const auto& last = *plan.history().rbegin();
  EXPECT_EQ(last.status(), homeward::v1::PLAN_STATUS_COMPLETED);
  EXPECT_EQ(last.comment(), "case closed: CLOSURE_REASON_SUPPORT_COMPLETED");
  EXPECT_EQ(last.user_id(), "cm-7");
  const Event event = Events().back();
  ASSERT_TRUE(event.has_plan_completed());
  EXPECT_EQ(event.actor_user_id(), "cm-7");
  EXPECT_EQ(event.subject_id(), kCase);
}

struct CancelCase {
  std::string name;
  PlanStatus status;
  std::vector<ActivityStatus> activities;
};

class PlanFollowUpCancelTest
    : public PlanFollowUpTest,
      public ::testing::WithParamInterface<CancelCase> {};

TEST_P(PlanFollowUpCancelTest, ClosureCancelsAnyOtherPlanNotFinal) {
  ASSERT_NO_FATAL_FAILURE(SetStatus(GetParam().status, GetParam().activities));
  ASSERT_NO_FATAL_FAILURE(Deliver(Closed(1)));
  const Plan plan = Latest();
  EXPECT_EQ(plan.status(), homeward::v1::PLAN_STATUS_CANCELLED);
  EXPECT_EQ(plan.history().rbegin()->comment(),
            "case closed: CLOSURE_REASON_MOVED_AWAY");
  EXPECT_TRUE(Events().back().has_plan_cancelled());
}

INSTANTIATE_TEST_SUITE_P(
    Statuses, PlanFollowUpCancelTest,
    ::testing::Values(
        CancelCase{"Draft", homeward::v1::PLAN_STATUS_DRAFT, {}},
        CancelCase{"Agreed", homeward::v1::PLAN_STATUS_AGREED, {}},
        // Not a step CancelPlan takes from there, but a closure ends it.
        CancelCase{"Submitted", homeward::v1::PLAN_STATUS_SUBMITTED, {}},
        CancelCase{"Returned", homeward::v1::PLAN_STATUS_RETURNED, {}},
        CancelCase{"Approved", homeward::v1::PLAN_STATUS_APPROVED, {}},
        CancelCase{"ActiveWithAnActivityPlanned",
                   homeward::v1::PLAN_STATUS_ACTIVE,
                   {homeward::v1::ACTIVITY_STATUS_DONE}},
        CancelCase{"ActiveWithAnActivityInProgress",
                   homeward::v1::PLAN_STATUS_ACTIVE,
                   {homeward::v1::ACTIVITY_STATUS_DONE,
                    homeward::v1::ACTIVITY_STATUS_IN_PROGRESS}}),
    [](const auto& info) { return info.param.name; });

TEST_F(PlanFollowUpTest, ClosureDuringARevisionCancelsBothVersions) {
  ASSERT_NO_FATAL_FAILURE(SetStatus(homeward::v1::PLAN_STATUS_ACTIVE,
                                    {homeward::v1::ACTIVITY_STATUS_DONE,
                                     homeward::v1::ACTIVITY_STATUS_DONE}));
  ASSERT_NO_FATAL_FAILURE(AddRevision());
  ASSERT_NO_FATAL_FAILURE(Deliver(Closed(1)));
  EXPECT_EQ(Latest().version(), 2);
  EXPECT_EQ(Latest().status(), homeward::v1::PLAN_STATUS_CANCELLED);
  EXPECT_EQ(Latest(1).status(), homeward::v1::PLAN_STATUS_CANCELLED);
}

TEST_F(PlanFollowUpTest, AFinalPlanOrNoPlanIsLeftAlone) {
  ASSERT_NO_FATAL_FAILURE(SetStatus(homeward::v1::PLAN_STATUS_CANCELLED));
  const std::string etag = Latest().etag();
  const size_t events = Events().size();
  ASSERT_THAT(ApplyAndCommit(*follow_up_, *store_, Closed(1)), IsOk());
  ASSERT_THAT(ApplyAndCommit(*follow_up_, *store_, Recorded(2, "M03", true)),
              IsOk());
  EXPECT_EQ(Latest().etag(), etag);
  EXPECT_EQ(Events().size(), events);

  Event other = Closed(3);
  other.set_subject_id("case-without-plan");
  other.mutable_case_closed()->mutable_closure()->set_case_id(
      "case-without-plan");
  auto set = follow_up_->Apply(other);
  ASSERT_THAT(set.status(), IsOk());
  EXPECT_FALSE(set->AppendsEventsOrAudit());
}

TEST_F(PlanFollowUpTest, AContactAskingForARevisionShowsOnThePlan) {
  ASSERT_NO_FATAL_FAILURE(SetStatus(homeward::v1::PLAN_STATUS_ACTIVE));
  // A contact that asks for nothing changes nothing.
  auto set = follow_up_->Apply(Recorded(1, "M01", false));
  ASSERT_THAT(set.status(), IsOk());
  EXPECT_FALSE(set->AppendsEventsOrAudit());

  ASSERT_NO_FATAL_FAILURE(Deliver(Recorded(2, "M03", true)));
  const Plan plan = Latest();
  EXPECT_EQ(plan.status(), homeward::v1::PLAN_STATUS_ACTIVE);
  EXPECT_EQ(plan.revision_request().contact_id(), "M03");
  EXPECT_EQ(plan.revision_request().reason(), "lost the shop");
  EXPECT_EQ(plan.revision_request().requested_by(), "cm-7");
  EXPECT_EQ(plan.revision_request().contact_date().month(), 3);

  // A later contact's request replaces it.
  ASSERT_NO_FATAL_FAILURE(Deliver(Recorded(3, "M06", true)));
  EXPECT_EQ(Latest().revision_request().contact_id(), "M06");
}

TEST_F(PlanFollowUpTest, SelectsTheEventsItActsOn) {
  EXPECT_THAT(follow_up_->Selection().payloads(),
              ::testing::UnorderedElementsAre(Event::kCaseClosed,
                                              Event::kFollowUpRecorded));
}

}  // namespace
}  // namespace homeward::planning
