// PlanResponses on a real RocksDB in a temporary directory: needs and
// concerns created through NeedStore, then planning events constructed here
// applied and committed as the feed follower does (ApplyAndCommit), checking
// statuses, responders, events, audit entries, redelivery and skipped ids.
#include "services/assessment/plan_responses.h"

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "common/status/status_matchers.h"
#include "common/storage/store.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/assessment/need_store.h"
#include "tests/fixtures/consumer_loop.h"
#include "tests/fixtures/temp_dir.h"

namespace homeward::assessment {
namespace {

using ::homeward::testing::ApplyAndCommit;
using ::homeward::testing::IsOk;
using ::homeward::testing::TempDir;
using ::homeward::v1::ActivityStatus;
using ::homeward::v1::Event;
using ::homeward::v1::NeedStatus;
using ::homeward::v1::Plan;
using ::homeward::v1::PlanActivity;
using ::testing::ElementsAreArray;

constexpr uint32_t kPartition = 5;
constexpr char kCase[] = "case-1";
constexpr char kOtherCase[] = "case-2";
constexpr char kPlan[] = "PL1";

constexpr NeedStatus kOpen = homeward::v1::NEED_STATUS_OPEN;
constexpr NeedStatus kAddressed = homeward::v1::NEED_STATUS_BEING_ADDRESSED;
constexpr NeedStatus kResolved = homeward::v1::NEED_STATUS_RESOLVED;

service::Actor Manager() {
  service::Actor actor;
  actor.principal.set_user_id("cm-1");
  actor.principal.set_role(homeward::v1::ROLE_CASE_MANAGER);
  actor.request_id = "req";
  actor.method = "test";
  return actor;
}

// The ids of the records the fixture creates, by a short name: "housing"
// and "work" (needs of kCase), "trafficking" (a concern of kCase), "other"
// (a need of kOtherCase).
using Ids = std::map<std::string, std::string>;

// An activity answering the named records (names resolved through Ids).
struct ActivitySpec {
  std::string activity_id;
  std::vector<std::string> needs;
  std::vector<std::string> concerns;
  ActivityStatus status = homeward::v1::ACTIVITY_STATUS_PLANNED;
};

PlanActivity Activity(const ActivitySpec& spec, const Ids& ids) {
  PlanActivity a;
  a.set_activity_id(spec.activity_id);
  a.set_status(spec.status);
  for (const auto& n : spec.needs) {
    a.add_need_ids(ids.count(n) > 0 ? ids.at(n) : n);
  }
  for (const auto& c : spec.concerns) {
    a.add_concern_ids(ids.count(c) > 0 ? ids.at(c) : c);
  }
  return a;
}

Plan PlanOf(int version, const std::vector<ActivitySpec>& activities,
            const Ids& ids) {
  Plan plan;
  plan.set_plan_id(kPlan);
  plan.set_case_id(kCase);
  plan.set_version(version);
  for (const auto& spec : activities)
    *plan.add_activities() = Activity(spec, ids);
  return plan;
}

Event Planning(uint64_t sequence) {
  Event e;
  e.set_partition(kPartition);
  e.set_sequence(sequence);
  e.set_subject_id(kCase);
  e.set_actor_user_id("sup-1");
  e.set_request_id("plan-req");
  return e;
}

Event Approved(uint64_t sequence, const std::vector<ActivitySpec>& activities,
               const Ids& ids) {
  Event e = Planning(sequence);
  *e.mutable_plan_approved()->mutable_plan() = PlanOf(1, activities, ids);
  e.mutable_plan_approved()->mutable_plan()->set_status(
      homeward::v1::PLAN_STATUS_APPROVED);
  return e;
}

Event Revised(uint64_t sequence, const std::vector<ActivitySpec>& activities,
              const Ids& ids) {
  Event e = Planning(sequence);
  *e.mutable_plan_revised()->mutable_plan() = PlanOf(2, activities, ids);
  e.mutable_plan_revised()->mutable_plan()->set_status(
      homeward::v1::PLAN_STATUS_ACTIVE);
  e.mutable_plan_revised()->set_revised_version(1);
  return e;
}

Event Cancelled(uint64_t sequence, const std::vector<ActivitySpec>& activities,
                const Ids& ids) {
  Event e = Planning(sequence);
  *e.mutable_plan_cancelled()->mutable_plan() = PlanOf(1, activities, ids);
  e.mutable_plan_cancelled()->mutable_plan()->set_status(
      homeward::v1::PLAN_STATUS_CANCELLED);
  return e;
}

Event StatusChanged(uint64_t sequence, const ActivitySpec& activity,
                    const Ids& ids) {
  Event e = Planning(sequence);
  auto* changed = e.mutable_activity_status_changed();
  changed->set_case_id(kCase);
  changed->set_plan_id(kPlan);
  changed->set_plan_version(1);
  *changed->mutable_activity() = Activity(activity, ids);
  return e;
}

std::string Responder(const std::string& activity_id) {
  return std::string(kPlan) + "/" + activity_id;
}

// What a record should read as after the events.
struct Expected {
  NeedStatus status;
  std::vector<std::string> responders;  // ids, in order
};

class PlanResponsesTest : public ::testing::Test {
 protected:
  void SetUp() override { Init("db"); }

  // A fresh store under `name` with the fixture's needs and concern.
  void Init(const std::string& name) {
    ids_.clear();
    responses_.reset();
    needs_.reset();
    cases_.reset();
    store_.reset();
    auto opened = storage::Store::Open({.path = dir_.path() + "/" + name});
    ASSERT_TRUE(opened.ok()) << opened.status();
    store_ = std::move(opened).value();
    needs_ = std::make_unique<NeedStore>(store_.get());
    // The fixture's cases are not registered here: the events move no
    // stage (plan_stage_feed_test.cc tests the moves).
    cases_ = std::make_unique<CaseStore>(
        store_.get(),
        storage::PartitionSet::All(storage::kDefaultPartitionCount));
    responses_ = std::make_unique<PlanResponses>(cases_.get(), needs_.get());
    ids_["housing"] = AddNeed(kCase, "housing", "n1");
    ids_["work"] = AddNeed(kCase, "employment", "n2");
    ids_["other"] = AddNeed(kOtherCase, "housing", "n3");
    homeward::v1::ProtectionConcernInput concern;
    concern.set_code("SUSPECTED_TRAFFICKING_VICTIM");
    concern.set_label("suspected trafficking victim");
    concern.set_priority(homeward::v1::NEED_PRIORITY_HIGH);
    concern.set_response_category("counter_trafficking");
    auto added =
        needs_->AddConcern(Manager(), kPartition, kCase, "c1", concern);
    ASSERT_TRUE(added.ok()) << added.status();
    ids_["trafficking"] = added->concern_id();
  }

  std::string AddNeed(const std::string& case_id, const std::string& category,
                      const std::string& request_id) {
    homeward::v1::NeedInput input;
    input.set_dimension(homeward::v1::DIMENSION_SOCIAL);
    input.set_category(category);
    input.set_description("entered by hand");
    input.set_priority(homeward::v1::NEED_PRIORITY_HIGH);
    auto added =
        needs_->AddNeed(Manager(), kPartition, case_id, request_id, input);
    EXPECT_TRUE(added.ok()) << added.status();
    return added.ok() ? added->need_id() : "";
  }

  // Status and responder ids of a named record of kCase.
  Expected Read(const std::string& name) {
    std::vector<std::string> responders;
    if (name == "trafficking") {
      auto c = needs_->GetConcern(kPartition, kCase, ids_.at(name));
      EXPECT_TRUE(c.ok()) << c.status();
      for (const auto& r : c->addressed_by()) {
        EXPECT_EQ(r.kind(), homeward::v1::RESPONDER_KIND_PLAN_ACTIVITY);
        responders.push_back(r.id());
      }
      return {c->status(), responders};
    }
    const std::string& case_id = name == "other" ? kOtherCase : kCase;
    auto n = needs_->GetNeed(kPartition, case_id, ids_.at(name));
    EXPECT_TRUE(n.ok()) << n.status();
    for (const auto& r : n->addressed_by()) {
      EXPECT_EQ(r.kind(), homeward::v1::RESPONDER_KIND_PLAN_ACTIVITY);
      responders.push_back(r.id());
    }
    return {n->status(), responders};
  }

  std::vector<Event> Events() {
    auto events = store_->ReadEvents(kPartition, 0, 1000);
    EXPECT_TRUE(events.ok()) << events.status();
    return events.ok() ? *events : std::vector<Event>{};
  }

  std::vector<homeward::internal::v1::AuditEntry> FeedAudit() {
    std::vector<homeward::internal::v1::AuditEntry> out;
    auto trail = store_->ReadAudit(0, 1000);
    EXPECT_TRUE(trail.ok()) << trail.status();
    for (const auto& entry : *trail) {
      if (entry.action() == PlanResponses::kMethod) out.push_back(entry);
    }
    return out;
  }

  TempDir dir_;
  std::unique_ptr<storage::Store> store_;
  std::unique_ptr<CaseStore> cases_;
  std::unique_ptr<NeedStore> needs_;
  std::unique_ptr<PlanResponses> responses_;
  Ids ids_;
};

struct Scenario {
  std::string name;
  // Case-manager changes made before the events (e.g. resolve a need).
  std::function<void(NeedStore&, const Ids&)> before;
  std::function<std::vector<Event>(const Ids&)> events;
  std::map<std::string, Expected> expected;
  PlanResponses::Skipped skipped;
};

std::vector<Scenario> Scenarios() {
  const ActivitySpec housing_and_concern{"AC1", {"housing"}, {"trafficking"}};
  const ActivitySpec work{"AC2", {"work"}, {}};
  return {
      {"ApprovalMarksEveryAnsweredRecordBeingAddressed",
       nullptr,
       [=](const Ids& ids) {
         return std::vector<Event>{
             Approved(1, {housing_and_concern, work}, ids)};
       },
       {{"housing", {kAddressed, {Responder("AC1")}}},
        {"work", {kAddressed, {Responder("AC2")}}},
        {"trafficking", {kAddressed, {Responder("AC1")}}}},
       {}},
      {"TwoActivitiesAnsweringOneNeedAreBothResponders",
       nullptr,
       [=](const Ids& ids) {
         return std::vector<Event>{
             Approved(1, {housing_and_concern, {"AC2", {"housing"}, {}}}, ids)};
       },
       {{"housing", {kAddressed, {Responder("AC1"), Responder("AC2")}}},
        {"work", {kOpen, {}}}},
       {}},
      {"RevisionNoLongerAnsweringANeedReopensIt",
       nullptr,
       [=](const Ids& ids) {
         return std::vector<Event>{
             Approved(1, {housing_and_concern, work}, ids),
             Revised(2, {{"AC1", {"housing"}, {}}, {"AC2", {}, {}}}, ids)};
       },
       {{"housing", {kAddressed, {Responder("AC1")}}},
        {"work", {kOpen, {}}},
        {"trafficking", {kOpen, {}}}},
       {}},
      {"RevisionMovingANeedToAnotherActivityKeepsItBeingAddressed",
       nullptr,
       [=](const Ids& ids) {
         return std::vector<Event>{
             Approved(1, {housing_and_concern, work}, ids),
             Revised(
                 2,
                 {{"AC1", {}, {"trafficking"}}, {"AC3", {"housing"}, {}}, work},
                 ids)};
       },
       {{"housing", {kAddressed, {Responder("AC3")}}},
        {"work", {kAddressed, {Responder("AC2")}}},
        {"trafficking", {kAddressed, {Responder("AC1")}}}},
       {}},
      {"RevisionRemovingAnActivityWithdrawsItsResponder",
       nullptr,
       [=](const Ids& ids) {
         return std::vector<Event>{
             Approved(1, {housing_and_concern, work}, ids),
             Revised(2, {housing_and_concern}, ids)};
       },
       {{"housing", {kAddressed, {Responder("AC1")}}}, {"work", {kOpen, {}}}},
       {}},
      {"RevisionCopyingADroppedActivityDoesNotAnswerWithIt",
       nullptr,
       [=](const Ids& ids) {
         ActivitySpec dropped = work;
         dropped.status = homeward::v1::ACTIVITY_STATUS_DROPPED;
         return std::vector<Event>{
             Approved(1, {housing_and_concern, work}, ids),
             Revised(2, {housing_and_concern, dropped}, ids)};
       },
       {{"housing", {kAddressed, {Responder("AC1")}}}, {"work", {kOpen, {}}}},
       {}},
      {"DroppedActivityWithdrawsItsResponder",
       nullptr,
       [=](const Ids& ids) {
         ActivitySpec dropped = housing_and_concern;
         dropped.status = homeward::v1::ACTIVITY_STATUS_DROPPED;
         return std::vector<Event>{
             Approved(1, {housing_and_concern, work}, ids),
             StatusChanged(2, dropped, ids)};
       },
       {{"housing", {kOpen, {}}},
        {"work", {kAddressed, {Responder("AC2")}}},
        {"trafficking", {kOpen, {}}}},
       {}},
      {"DroppedActivityLeavesTheOtherResponder",
       nullptr,
       [=](const Ids& ids) {
         ActivitySpec dropped{
             "AC2", {"housing"}, {}, homeward::v1::ACTIVITY_STATUS_DROPPED};
         return std::vector<Event>{
             Approved(1, {housing_and_concern, {"AC2", {"housing"}, {}}}, ids),
             StatusChanged(2, dropped, ids)};
       },
       {{"housing", {kAddressed, {Responder("AC1")}}}},
       {}},
      {"CancelledPlanWithdrawsEveryResponderItHad",
       nullptr,
       [=](const Ids& ids) {
         return std::vector<Event>{
             Approved(1, {housing_and_concern, {"AC2", {"housing"}, {}}, work},
                      ids),
             Cancelled(2, {housing_and_concern, work}, ids)};
       },
       {{"housing", {kOpen, {}}},
        {"work", {kOpen, {}}},
        {"trafficking", {kOpen, {}}}},
       {}},
      {"DoneActivityLeavesTheNeedBeingAddressed",
       nullptr,
       [=](const Ids& ids) {
         ActivitySpec done = work;
         done.status = homeward::v1::ACTIVITY_STATUS_DONE;
         return std::vector<Event>{Approved(1, {work}, ids),
                                   StatusChanged(2, done, ids)};
       },
       {{"work", {kAddressed, {Responder("AC2")}}}},
       {}},
      {"UnknownIdsAreSkippedAndCounted",
       nullptr,
       [=](const Ids& ids) {
         return std::vector<Event>{Approved(
             1, {{"AC1", {"housing", "N-missing", "other"}, {"PC-missing"}}},
             ids)};
       },
       {{"housing", {kAddressed, {Responder("AC1")}}},
        // The other case's need is not touched through this case's plan.
        {"other", {kOpen, {}}}},
       {.unknown = 3, .not_open = 0}},
      {"ClosedRecordsAreLeftAlone",
       [](NeedStore& needs, const Ids& ids) {
         auto need = needs.GetNeed(kPartition, kCase, ids.at("housing"));
         ASSERT_TRUE(need.ok());
         ASSERT_THAT(needs
                         .SetNeedStatus(Manager(), kPartition, kCase,
                                        ids.at("housing"), 0, kResolved, "")
                         .status(),
                     IsOk());
       },
       [=](const Ids& ids) {
         return std::vector<Event>{
             Approved(1, {housing_and_concern, work}, ids)};
       },
       {{"housing", {kResolved, {}}},
        {"work", {kAddressed, {Responder("AC2")}}},
        {"trafficking", {kAddressed, {Responder("AC1")}}}},
       {.unknown = 0, .not_open = 1}},
  };
}

TEST_F(PlanResponsesTest, EventsSetStatusesAndResponders) {
  for (const Scenario& scenario : Scenarios()) {
    SCOPED_TRACE(scenario.name);
    Init(scenario.name);
    if (scenario.before) scenario.before(*needs_, ids_);
    for (const Event& e : scenario.events(ids_)) {
      ASSERT_THAT(ApplyAndCommit(*responses_, *store_, e), IsOk());
    }
    for (const auto& [name, expected] : scenario.expected) {
      SCOPED_TRACE(name);
      const Expected read = Read(name);
      EXPECT_EQ(read.status, expected.status);
      EXPECT_THAT(read.responders, ElementsAreArray(expected.responders));
    }
    EXPECT_EQ(responses_->skipped().unknown, scenario.skipped.unknown);
    EXPECT_EQ(responses_->skipped().not_open, scenario.skipped.not_open);
  }
}

TEST_F(PlanResponsesTest, EachChangeAppendsItsEventAndAuditEntry) {
  const size_t events_before = Events().size();
  ASSERT_THAT(ApplyAndCommit(*responses_, *store_,
                             Approved(1,
                                      {{"AC1", {"housing"}, {"trafficking"}},
                                       {"AC2", {"work"}, {}}},
                                      ids_)),
              IsOk());
  std::vector<Event> events = Events();
  ASSERT_EQ(events.size(), events_before + 3);
  int needs_changed = 0, concerns_changed = 0;
  for (size_t i = events_before; i < events.size(); ++i) {
    const Event& e = events[i];
    EXPECT_EQ(e.subject_id(), kCase);
    EXPECT_EQ(e.actor_user_id(), "sup-1");
    if (e.has_need_changed()) {
      ++needs_changed;
      EXPECT_EQ(e.need_changed().need().status(), kAddressed);
    } else if (e.has_protection_concern_changed()) {
      ++concerns_changed;
      EXPECT_EQ(e.protection_concern_changed().concern().status(), kAddressed);
    }
  }
  EXPECT_EQ(needs_changed, 2);
  EXPECT_EQ(concerns_changed, 1);
  auto audit = FeedAudit();
  ASSERT_EQ(audit.size(), 3u);
  for (const auto& entry : audit) {
    EXPECT_EQ(entry.user_id(), "sup-1");
    EXPECT_EQ(entry.subject_id(), kCase);
    EXPECT_EQ(entry.role(), "ROLE_SERVICE");
  }
  // The status history names no user: an event changed it.
  auto housing = needs_->GetNeed(kPartition, kCase, ids_.at("housing"));
  ASSERT_TRUE(housing.ok());
  ASSERT_GE(housing->history_size(), 1);
  EXPECT_EQ(housing->history().rbegin()->status(), kAddressed);
}

TEST_F(PlanResponsesTest, RedeliveryChangesNothing) {
  const std::vector<Event> sequence = {
      Approved(1,
               {{"AC1", {"housing"}, {"trafficking"}}, {"AC2", {"work"}, {}}},
               ids_),
      Revised(2, {{"AC1", {"housing"}, {}}}, ids_),
      StatusChanged(
          3, {"AC1", {"housing"}, {}, homeward::v1::ACTIVITY_STATUS_DROPPED},
          ids_)};
  for (const Event& e : sequence) {
    SCOPED_TRACE(e.sequence());
    ASSERT_THAT(ApplyAndCommit(*responses_, *store_, e), IsOk());
    const auto housing = needs_->GetNeed(kPartition, kCase, ids_.at("housing"));
    const auto work = needs_->GetNeed(kPartition, kCase, ids_.at("work"));
    const auto concern =
        needs_->GetConcern(kPartition, kCase, ids_.at("trafficking"));
    ASSERT_TRUE(housing.ok() && work.ok() && concern.ok());
    const size_t events = Events().size();
    const size_t audit = FeedAudit().size();
    ASSERT_THAT(ApplyAndCommit(*responses_, *store_, e), IsOk());
    EXPECT_EQ(Events().size(), events);
    EXPECT_EQ(FeedAudit().size(), audit);
    EXPECT_EQ(needs_->GetNeed(kPartition, kCase, ids_.at("housing"))->etag(),
              housing->etag());
    EXPECT_EQ(needs_->GetNeed(kPartition, kCase, ids_.at("work"))->etag(),
              work->etag());
    EXPECT_EQ(
        needs_->GetConcern(kPartition, kCase, ids_.at("trafficking"))->etag(),
        concern->etag());
  }
  EXPECT_EQ(Read("housing").status, kOpen);
  EXPECT_EQ(Read("work").status, kOpen);
}

TEST_F(PlanResponsesTest, OtherEventsWriteOnlyTheCursor) {
  Event completed = Planning(1);
  *completed.mutable_plan_completed()->mutable_plan() =
      PlanOf(1, {{"AC1", {"housing"}, {}}}, ids_);
  Event in_progress = StatusChanged(
      2, {"AC1", {"housing"}, {}, homeward::v1::ACTIVITY_STATUS_IN_PROGRESS},
      ids_);
  const size_t events = Events().size();
  for (const Event& e : {completed, in_progress}) {
    ASSERT_THAT(ApplyAndCommit(*responses_, *store_, e), IsOk());
  }
  EXPECT_EQ(Events().size(), events);
  EXPECT_EQ(Read("housing").status, kOpen);
  EXPECT_THAT(store_->GetCursor(PlanResponses::kName, kPartition),
              ::homeward::testing::IsOkAndHolds(2u));
}

}  // namespace
}  // namespace homeward::assessment
