// The stage moves other services' events make, and the needs and concerns a
// follow-up contact raises, on a real RocksDB in a temporary directory: a
// case registered through CaseStore, then planning and follow-up events
// constructed here applied through PlanResponses and FollowUpOutcomes and
// committed as the feed follower does (ApplyAndCommit). Each event is
// delivered twice: the second delivery must change nothing.
#include "services/assessment/follow_up_outcomes.h"

#include <future>
#include <memory>
#include <string>
#include <vector>

#include "common/status/status_matchers.h"
#include "common/storage/store.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/assessment/case_stages.h"
#include "services/assessment/case_store.h"
#include "services/assessment/need_store.h"
#include "services/assessment/plan_responses.h"
#include "tests/fixtures/case_fixtures.h"
#include "tests/fixtures/consumer_loop.h"
#include "tests/fixtures/temp_dir.h"

namespace homeward::assessment {
namespace {

using ::homeward::testing::ApplyAndCommit;
using ::homeward::testing::IsOk;
using ::homeward::v1::Case;
using ::homeward::v1::CaseStage;
using ::homeward::v1::Event;

constexpr uint32_t kPartitions = 4;

class FollowUpOutcomesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto store = storage::Store::Open(
        {.path = dir_.path() + "/db", .partition_count = kPartitions});
    ASSERT_THAT(store.status(), IsOk());
    store_ = std::move(*store);
    cases_ = std::make_unique<CaseStore>(
        store_.get(), storage::PartitionSet::All(kPartitions));
    needs_ = std::make_unique<NeedStore>(store_.get());
    plans_ = std::make_unique<PlanResponses>(cases_.get(), needs_.get());
    outcomes_ = std::make_unique<FollowUpOutcomes>(cases_.get(), needs_.get());
    service::Actor actor;
    actor.principal =
        testing::MakePrincipal("cm-1", v1::ROLE_CASE_MANAGER, {"office-dakar"});
    actor.request_id = "reg-1";
    std::promise<absl::StatusOr<Case>> done;
    cases_->Register(
        actor, "reg-1", testing::ValidRegistration("reg-1").case_(),
        [&done](absl::StatusOr<Case> c) { done.set_value(std::move(c)); });
    absl::StatusOr<Case> created = done.get_future().get();
    ASSERT_THAT(created.status(), IsOk());
    case_ = *created;
  }

  // An event about the fixture's case, in its partition.
  Event About(const std::string& actor) {
    Event e;
    e.set_partition(case_.partition());
    e.set_sequence(++sequence_);
    e.set_subject_id(case_.case_id());
    e.set_actor_user_id(actor);
    e.set_request_id("upstream-req");
    e.mutable_time()->set_seconds(1767225600);  // 2026-01-01
    return e;
  }
  Event PlanCreated() {
    Event e = About("cm-1");
    e.mutable_plan_created()->set_case_id(case_.case_id());
    e.mutable_plan_created()->set_plan_id("PL1");
    return e;
  }
  Event PlanApproved() {
    Event e = About("sup-1");
    auto* plan = e.mutable_plan_approved()->mutable_plan();
    plan->set_plan_id("PL1");
    plan->set_case_id(case_.case_id());
    plan->set_version(1);
    plan->set_status(v1::PLAN_STATUS_APPROVED);
    return e;
  }
  Event PlanCompleted() {
    Event e = About("cm-1");
    auto* plan = e.mutable_plan_completed()->mutable_plan();
    plan->set_plan_id("PL1");
    plan->set_case_id(case_.case_id());
    plan->set_version(1);
    plan->set_status(v1::PLAN_STATUS_COMPLETED);
    return e;
  }
  Event Closed() {
    Event e = About("sup-1");
    auto* closure = e.mutable_case_closed()->mutable_closure();
    closure->set_closure_id("CL1");
    closure->set_case_id(case_.case_id());
    closure->set_status(v1::CLOSURE_STATUS_CLOSED);
    return e;
  }
  Event Reopened() {
    Event e = About("cm-2");
    auto* closure = e.mutable_case_reopened()->mutable_closure();
    closure->set_closure_id("CL1");
    closure->set_case_id(case_.case_id());
    closure->set_status(v1::CLOSURE_STATUS_REOPENED);
    closure->set_reopen_reason("returned to the office");
    return e;
  }
  Event Recorded(const std::string& contact_id,
                 const std::vector<std::string>& categories, bool distress) {
    Event e = About("cm-1");
    auto* contact = e.mutable_follow_up_recorded()->mutable_contact();
    contact->set_contact_id(contact_id);
    contact->set_case_id(case_.case_id());
    for (const std::string& category : categories) {
      auto* need = contact->add_new_needs();
      need->set_dimension(v1::DIMENSION_ECONOMIC);
      need->set_category(category);
      need->set_description("found at follow-up");
      need->set_priority(v1::NEED_PRIORITY_MEDIUM);
    }
    contact->set_distress_signs_observed(distress);
    return e;
  }

  // Applies `event` twice, as a redelivery would.
  void Deliver(feeds::EventConsumer& consumer, const Event& event) {
    ASSERT_THAT(ApplyAndCommit(consumer, *store_, event), IsOk());
    ASSERT_THAT(ApplyAndCommit(consumer, *store_, event), IsOk());
  }

  Case Read() {
    absl::StatusOr<Case> c = cases_->Get(case_.case_id());
    EXPECT_THAT(c.status(), IsOk());
    return c.ok() ? *c : Case();
  }

  std::vector<v1::Need> Needs() {
    auto page = needs_->ListNeeds(case_.partition(), case_.case_id(),
                                  v1::DIMENSION_UNSPECIFIED, {}, 100, "");
    EXPECT_THAT(page.status(), IsOk());
    return page.ok() ? page->items : std::vector<v1::Need>();
  }
  std::vector<v1::ProtectionConcern> Concerns() {
    auto page =
        needs_->ListConcerns(case_.partition(), case_.case_id(), {}, 100, "");
    EXPECT_THAT(page.status(), IsOk());
    return page.ok() ? page->items : std::vector<v1::ProtectionConcern>();
  }

  // The CaseStageChanged events in the case's partition's outbox.
  std::vector<v1::CaseStageChanged> StageEvents() {
    std::vector<v1::CaseStageChanged> out;
    auto events = store_->ReadEvents(case_.partition(), 0, 1000);
    EXPECT_THAT(events.status(), IsOk());
    if (!events.ok()) return out;
    for (const Event& e : *events) {
      if (e.has_case_stage_changed()) out.push_back(e.case_stage_changed());
    }
    return out;
  }

  testing::TempDir dir_;
  std::unique_ptr<storage::Store> store_;
  std::unique_ptr<CaseStore> cases_;
  std::unique_ptr<NeedStore> needs_;
  std::unique_ptr<PlanResponses> plans_;
  std::unique_ptr<FollowUpOutcomes> outcomes_;
  Case case_;
  uint64_t sequence_ = 0;
};

TEST_F(FollowUpOutcomesTest, StageFollowsThePlanningAndFollowUpEvents) {
  struct Step {
    feeds::EventConsumer* consumer;
    Event event;
    CaseStage stage;
    std::string cause;
    std::string actor;
  };
  const std::vector<Step> steps = {
      {plans_.get(), PlanCreated(), v1::CASE_STAGE_PLANNING, "PlanCreated",
       "cm-1"},
      {plans_.get(), PlanApproved(), v1::CASE_STAGE_DELIVERY, "PlanApproved",
       "sup-1"},
      {plans_.get(), PlanCompleted(), v1::CASE_STAGE_MONITORING,
       "PlanCompleted", "cm-1"},
      {outcomes_.get(), Closed(), v1::CASE_STAGE_CLOSED, "CaseClosed", "sup-1"},
      {outcomes_.get(), Reopened(), v1::CASE_STAGE_MONITORING, "CaseReopened",
       "cm-2"},
  };
  int history = Read().stage_history_size();
  for (const Step& step : steps) {
    SCOPED_TRACE(step.cause);
    ASSERT_NO_FATAL_FAILURE(Deliver(*step.consumer, step.event));
    const Case c = Read();
    EXPECT_EQ(c.stage(), step.stage);
    // One move per event, however often it was delivered.
    ASSERT_EQ(c.stage_history_size(), ++history);
    EXPECT_EQ(c.stage_history(history - 1).stage(), step.stage);
    EXPECT_EQ(c.stage_history(history - 1).cause(), step.cause);
    EXPECT_EQ(c.stage_history(history - 1).actor_user_id(), step.actor);
  }
  const std::vector<v1::CaseStageChanged> moves = StageEvents();
  ASSERT_EQ(moves.size(), steps.size());
  EXPECT_EQ(moves[3].from_stage(), v1::CASE_STAGE_MONITORING);
  EXPECT_EQ(moves[3].to_stage(), v1::CASE_STAGE_CLOSED);
  EXPECT_EQ(moves[3].case_().stage(), v1::CASE_STAGE_CLOSED);
  EXPECT_EQ(moves[4].from_stage(), v1::CASE_STAGE_CLOSED);
  EXPECT_EQ(moves[4].to_stage(), v1::CASE_STAGE_MONITORING);
}

TEST_F(FollowUpOutcomesTest, ReopeningGoesBackToTheStageBeforeClosure) {
  ASSERT_NO_FATAL_FAILURE(Deliver(*plans_, PlanApproved()));
  ASSERT_NO_FATAL_FAILURE(Deliver(*outcomes_, Closed()));
  ASSERT_EQ(Read().stage(), v1::CASE_STAGE_CLOSED);
  ASSERT_NO_FATAL_FAILURE(Deliver(*outcomes_, Reopened()));
  EXPECT_EQ(Read().stage(), v1::CASE_STAGE_DELIVERY);
}

TEST_F(FollowUpOutcomesTest, PlanEventsOfAClosedCaseMoveNothing) {
  ASSERT_NO_FATAL_FAILURE(Deliver(*outcomes_, Closed()));
  const std::string etag = Read().etag();
  ASSERT_NO_FATAL_FAILURE(Deliver(*plans_, PlanCreated()));
  ASSERT_NO_FATAL_FAILURE(Deliver(*plans_, PlanApproved()));
  EXPECT_EQ(Read().stage(), v1::CASE_STAGE_CLOSED);
  EXPECT_EQ(Read().etag(), etag);
}

TEST_F(FollowUpOutcomesTest, EventsOfACaseNotHeldHereChangeNothing) {
  Event closed = Closed();
  closed.set_subject_id("C-unknown");
  closed.mutable_case_closed()->mutable_closure()->set_case_id("C-unknown");
  absl::StatusOr<storage::WriteSet> set = outcomes_->Apply(closed);
  ASSERT_THAT(set.status(), IsOk());
  EXPECT_FALSE(set->AppendsEventsOrAudit());
  Event recorded = Recorded("M01", {"housing"}, true);
  recorded.set_subject_id("C-unknown");
  recorded.mutable_follow_up_recorded()->mutable_contact()->set_case_id(
      "C-unknown");
  set = outcomes_->Apply(recorded);
  ASSERT_THAT(set.status(), IsOk());
  EXPECT_FALSE(set->AppendsEventsOrAudit());
}

TEST_F(FollowUpOutcomesTest, NewNeedsOfAContactBecomeNeedsNamingIt) {
  ASSERT_NO_FATAL_FAILURE(Deliver(
      *outcomes_, Recorded("M03", {"business_development", "housing"}, false)));
  const std::vector<v1::Need> needs = Needs();
  ASSERT_EQ(needs.size(), 2u);
  for (const v1::Need& n : needs) {
    EXPECT_EQ(n.status(), v1::NEED_STATUS_OPEN);
    ASSERT_EQ(n.sources_size(), 1) << n.category();
    EXPECT_EQ(n.sources(0).follow_up_contact_id(), "M03");
    EXPECT_EQ(n.sources(0).added_by(), "cm-1");
    EXPECT_EQ(n.sources(0).assessment_id(), "");
  }
  EXPECT_TRUE(Concerns().empty());
}

TEST_F(FollowUpOutcomesTest, ANeedOfAnOpenCategoryGainsTheContactAsASource) {
  ASSERT_NO_FATAL_FAILURE(
      Deliver(*outcomes_, Recorded("M01", {"housing"}, false)));
  ASSERT_NO_FATAL_FAILURE(
      Deliver(*outcomes_, Recorded("M02", {"housing"}, false)));
  const std::vector<v1::Need> needs = Needs();
  ASSERT_EQ(needs.size(), 1u);
  ASSERT_EQ(needs[0].sources_size(), 2);
  EXPECT_EQ(needs[0].sources(0).follow_up_contact_id(), "M01");
  EXPECT_EQ(needs[0].sources(1).follow_up_contact_id(), "M02");
}

TEST_F(FollowUpOutcomesTest, DistressRaisesThePsychosocialConcernOnce) {
  ASSERT_NO_FATAL_FAILURE(Deliver(*outcomes_, Recorded("M01", {}, true)));
  std::vector<v1::ProtectionConcern> concerns = Concerns();
  ASSERT_EQ(concerns.size(), 1u);
  EXPECT_EQ(concerns[0].code(), "PSYCHOSOCIAL_FOLLOW_UP");
  EXPECT_EQ(concerns[0].label(), "Distress observed at follow-up");
  EXPECT_EQ(concerns[0].priority(), v1::NEED_PRIORITY_HIGH);
  EXPECT_EQ(concerns[0].response_category(), "individual_counselling");
  EXPECT_EQ(concerns[0].status(), v1::NEED_STATUS_OPEN);
  ASSERT_EQ(concerns[0].sources_size(), 1);
  EXPECT_EQ(concerns[0].sources(0).follow_up_contact_id(), "M01");
  EXPECT_TRUE(Needs().empty());

  // Distress at a later contact adds a source to the open concern.
  ASSERT_NO_FATAL_FAILURE(Deliver(*outcomes_, Recorded("M02", {}, true)));
  concerns = Concerns();
  ASSERT_EQ(concerns.size(), 1u);
  ASSERT_EQ(concerns[0].sources_size(), 2);
  EXPECT_EQ(concerns[0].sources(1).follow_up_contact_id(), "M02");
}

TEST_F(FollowUpOutcomesTest, AContactWithoutFindingsWritesNothing) {
  absl::StatusOr<storage::WriteSet> set =
      outcomes_->Apply(Recorded("M01", {}, false));
  ASSERT_THAT(set.status(), IsOk());
  EXPECT_FALSE(set->AppendsEventsOrAudit());
}

TEST_F(FollowUpOutcomesTest, SelectsTheEventsItActsOn) {
  const v1::EventSelection selection = outcomes_->Selection();
  EXPECT_THAT(
      selection.payloads(),
      ::testing::UnorderedElementsAre(Event::kCaseClosed, Event::kCaseReopened,
                                      Event::kFollowUpRecorded));
  EXPECT_THAT(
      plans_->Selection().payloads(),
      ::testing::IsSupersetOf({Event::kPlanCreated, Event::kPlanCompleted}));
}

}  // namespace
}  // namespace homeward::assessment
