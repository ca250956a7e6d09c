// PlanStore on a real RocksDB in a temporary directory: create, read and
// list versions, idempotent create, one plan per case, etag checks that
// write nothing when stale, revisions that keep earlier versions, and the
// events a write appends to the outbox.
#include "services/planning/plan_store.h"

#include <memory>
#include <string>
#include <vector>

#include "common/status/status_matchers.h"
#include "common/storage/store.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/fixtures/temp_dir.h"

namespace homeward::planning {
namespace {

using ::homeward::testing::StatusIs;
using ::homeward::testing::TempDir;
using ::homeward::v1::Event;
using ::homeward::v1::Plan;

constexpr uint32_t kPartition = 2;
constexpr char kCase[] = "case-1";

service::Actor Manager() {
  service::Actor actor;
  actor.principal.set_user_id("cm-1");
  actor.principal.set_role(homeward::v1::ROLE_CASE_MANAGER);
  actor.request_id = "req";
  actor.method = "test";
  return actor;
}

Plan Draft(const std::string& objectives) {
  Plan plan;
  plan.set_case_id(kCase);
  plan.set_returnee_objectives(objectives);
  auto* activity = plan.add_activities();
  activity->set_activity_id("AC1");
  activity->set_description("vocational training");
  activity->set_status(homeward::v1::ACTIVITY_STATUS_DONE);  // replaced
  plan.set_status(homeward::v1::PLAN_STATUS_ACTIVE);         // replaced
  return plan;
}

Event Approved(const Plan& plan) {
  Event event;
  *event.mutable_plan_approved()->mutable_plan() = plan;
  return event;
}

class PlanStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto opened = storage::Store::Open({.path = dir_.path() + "/db"});
    ASSERT_TRUE(opened.ok()) << opened.status();
    store_ = std::move(opened).value();
    plans_ = std::make_unique<PlanStore>(store_.get());
  }

  std::vector<Event> Events() {
    auto events = store_->ReadEvents(kPartition, 0, 1000);
    EXPECT_TRUE(events.ok()) << events.status();
    return events.ok() ? *events : std::vector<Event>{};
  }

  size_t AuditEntries() {
    auto audit = store_->ReadAudit(0, 1000);
    EXPECT_TRUE(audit.ok()) << audit.status();
    return audit.ok() ? audit->size() : 0;
  }

  TempDir dir_;
  std::unique_ptr<storage::Store> store_;
  std::unique_ptr<PlanStore> plans_;
};

TEST_F(PlanStoreTest, CreateStoresADraftVersionOneThatGetAndListReturn) {
  auto created = plans_->Create(Manager(), kPartition, "r1", Draft("a shop"));
  ASSERT_TRUE(created.ok()) << created.status();
  EXPECT_EQ(created->plan_id().substr(0, 2), "PL");
  EXPECT_EQ(created->version(), 1);
  EXPECT_EQ(created->status(), homeward::v1::PLAN_STATUS_DRAFT);
  EXPECT_EQ(created->activities(0).status(),
            homeward::v1::ACTIVITY_STATUS_PLANNED);
  EXPECT_TRUE(created->has_create_time());
  EXPECT_TRUE(created->has_update_time());
  ASSERT_EQ(created->history_size(), 1);
  EXPECT_EQ(created->history(0).status(), homeward::v1::PLAN_STATUS_DRAFT);
  EXPECT_EQ(created->history(0).user_id(), "cm-1");
  EXPECT_FALSE(created->etag().empty());

  auto latest = plans_->Get(kPartition, kCase, 0);
  ASSERT_TRUE(latest.ok()) << latest.status();
  EXPECT_EQ(latest->plan_id(), created->plan_id());
  EXPECT_EQ(latest->returnee_objectives(), "a shop");
  EXPECT_EQ(latest->etag(), created->etag());
  auto first = plans_->Get(kPartition, kCase, 1);
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ(first->version(), 1);

  auto page = plans_->ListVersions(kPartition, kCase, 10, "");
  ASSERT_TRUE(page.ok()) << page.status();
  ASSERT_EQ(page->items.size(), 1u);
  EXPECT_EQ(page->items[0].plan_id(), created->plan_id());
  EXPECT_EQ(AuditEntries(), 1u);
}

TEST_F(PlanStoreTest, MissingPlansAndVersionsAreNotFound) {
  EXPECT_THAT(plans_->Get(kPartition, kCase, 0),
              StatusIs(absl::StatusCode::kNotFound));
  EXPECT_THAT(plans_->ListVersions(kPartition, kCase, 10, ""),
              StatusIs(absl::StatusCode::kNotFound));
  ASSERT_TRUE(plans_->Create(Manager(), kPartition, "r1", Draft("x")).ok());
  EXPECT_THAT(plans_->Get(kPartition, kCase, 2),
              StatusIs(absl::StatusCode::kNotFound));
}

TEST_F(PlanStoreTest, RepeatedCreateReturnsTheFirstPlanAndWritesNothing) {
  auto first = plans_->Create(Manager(), kPartition, "r1", Draft("first"));
  ASSERT_TRUE(first.ok()) << first.status();
  const size_t audits = AuditEntries();
  const size_t events = Events().size();
  auto again = plans_->Create(Manager(), kPartition, "r1", Draft("second"));
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(again->plan_id(), first->plan_id());
  EXPECT_EQ(again->returnee_objectives(), "first");
  EXPECT_EQ(AuditEntries(), audits);
  EXPECT_EQ(Events().size(), events);
}

TEST_F(PlanStoreTest, ASecondPlanForTheCaseIsRefused) {
  ASSERT_TRUE(plans_->Create(Manager(), kPartition, "r1", Draft("one")).ok());
  EXPECT_THAT(plans_->Create(Manager(), kPartition, "r2", Draft("two")),
              StatusIs(absl::StatusCode::kAlreadyExists));
  auto latest = plans_->Get(kPartition, kCase, 0);
  ASSERT_TRUE(latest.ok());
  EXPECT_EQ(latest->returnee_objectives(), "one");
}

TEST_F(PlanStoreTest, WriteWithTheCurrentEtagStoresAndMovesTheEtag) {
  auto created = plans_->Create(Manager(), kPartition, "r1", Draft("one"));
  ASSERT_TRUE(created.ok());
  Plan next = *created;
  next.set_status(homeward::v1::PLAN_STATUS_APPROVED);
  auto written = plans_->Write(Manager(), kPartition, next, created->etag(),
                               {Approved(next)});
  ASSERT_TRUE(written.ok()) << written.status();
  EXPECT_NE(written->etag(), created->etag());
  auto latest = plans_->Get(kPartition, kCase, 0);
  ASSERT_TRUE(latest.ok());
  EXPECT_EQ(latest->status(), homeward::v1::PLAN_STATUS_APPROVED);
  EXPECT_EQ(latest->version(), 1);
  EXPECT_EQ(latest->plan_id(), created->plan_id());
  EXPECT_EQ(latest->etag(), written->etag());
}

TEST_F(PlanStoreTest, AStaleEtagIsAbortedAndWritesNothing) {
  auto created = plans_->Create(Manager(), kPartition, "r1", Draft("one"));
  ASSERT_TRUE(created.ok());
  Plan next = *created;
  next.set_returnee_objectives("two");
  ASSERT_TRUE(
      plans_->Write(Manager(), kPartition, next, created->etag(), {}).ok());
  const size_t audits = AuditEntries();

  Plan stale = *created;
  stale.set_returnee_objectives("three");
  EXPECT_THAT(plans_->Write(Manager(), kPartition, stale, created->etag(),
                            {Approved(stale)}),
              StatusIs(absl::StatusCode::kAborted));
  EXPECT_THAT(plans_->AddVersion(Manager(), kPartition, stale, created->etag(),
                                 {Approved(stale)}),
              StatusIs(absl::StatusCode::kAborted));
  auto latest = plans_->Get(kPartition, kCase, 0);
  ASSERT_TRUE(latest.ok());
  EXPECT_EQ(latest->returnee_objectives(), "two");
  EXPECT_EQ(latest->version(), 1);
  // Only the creation's event.
  ASSERT_EQ(Events().size(), 1u);
  EXPECT_EQ(Events()[0].payload_case(), Event::kPlanCreated);
  EXPECT_EQ(AuditEntries(), audits);
}

TEST_F(PlanStoreTest, ARevisionKeepsVersionOneReadable) {
  auto created = plans_->Create(Manager(), kPartition, "r1", Draft("one"));
  ASSERT_TRUE(created.ok());
  Plan revision = *created;
  revision.set_returnee_objectives("revised");
  revision.set_revision_reason("moved town");
  auto added =
      plans_->AddVersion(Manager(), kPartition, revision, created->etag(), {});
  ASSERT_TRUE(added.ok()) << added.status();
  EXPECT_EQ(added->version(), 2);
  EXPECT_EQ(added->plan_id(), created->plan_id());

  auto first = plans_->Get(kPartition, kCase, 1);
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(first->returnee_objectives(), "one");
  auto latest = plans_->Get(kPartition, kCase, 0);
  ASSERT_TRUE(latest.ok());
  EXPECT_EQ(latest->version(), 2);
  EXPECT_EQ(latest->returnee_objectives(), "revised");

  auto page = plans_->ListVersions(kPartition, kCase, 1, "");
  ASSERT_TRUE(page.ok()) << page.status();
  ASSERT_EQ(page->items.size(), 1u);
  EXPECT_EQ(page->items[0].version(), 1);
  auto next = plans_->ListVersions(kPartition, kCase, 1, page->next_page_token);
  ASSERT_TRUE(next.ok()) << next.status();
  ASSERT_EQ(next->items.size(), 1u);
  EXPECT_EQ(next->items[0].version(), 2);
}

// The retention job anonymised the case (docs/RETENTION.md): every version
// loses its free text and keeps its ids, statuses and activities; a second
// pass finds nothing left to remove.
TEST_F(PlanStoreTest, AnonymiseCaseRemovesFreeTextFromEveryVersion) {
  auto created =
      plans_->Create(Manager(), kPartition, "r1", Draft("a shop for Awa"));
  ASSERT_TRUE(created.ok());
  Plan revision = *created;
  revision.set_returnee_objectives("a shop near Awa's mother");
  revision.set_revision_reason("Awa moved town");
  auto added =
      plans_->AddVersion(Manager(), kPartition, revision, created->etag(), {});
  ASSERT_TRUE(added.ok()) << added.status();
  const size_t audit_before = AuditEntries();
  const size_t events_before = Events().size();

  storage::WriteSet set;
  ASSERT_TRUE(plans_->AnonymiseCase(Manager(), kPartition, kCase, set).ok());
  ASSERT_TRUE(store_->Commit(std::move(set)).ok());
  for (int32_t version : {1, 2}) {
    auto plan = plans_->Get(kPartition, kCase, version);
    ASSERT_TRUE(plan.ok()) << plan.status();
    EXPECT_EQ(plan->DebugString().find("Awa"), std::string::npos)
        << plan->DebugString();
    EXPECT_TRUE(plan->activities(0).description().empty());
    EXPECT_EQ(plan->activities(0).activity_id(), "AC1");
    EXPECT_EQ(plan->plan_id(), created->plan_id());
  }
  EXPECT_EQ(AuditEntries(), audit_before + 1);
  EXPECT_EQ(Events().size(), events_before);

  // Again: nothing to remove, nothing written.
  const std::string etag = plans_->Get(kPartition, kCase, 0)->etag();
  storage::WriteSet again;
  ASSERT_TRUE(plans_->AnonymiseCase(Manager(), kPartition, kCase, again).ok());
  EXPECT_FALSE(again.AppendsEventsOrAudit());
  ASSERT_TRUE(store_->Commit(std::move(again)).ok());
  EXPECT_EQ(plans_->Get(kPartition, kCase, 0)->etag(), etag);
  // A case without a plan: nothing.
  storage::WriteSet none;
  EXPECT_TRUE(
      plans_->AnonymiseCase(Manager(), kPartition, "case-without", none).ok());
  EXPECT_FALSE(none.AppendsEventsOrAudit());
}

TEST_F(PlanStoreTest, VersionsListInVersionOrderPastNine) {
  auto plan = plans_->Create(Manager(), kPartition, "r1", Draft("one"));
  ASSERT_TRUE(plan.ok());
  for (int i = 0; i < 10; ++i) {
    plan = plans_->AddVersion(Manager(), kPartition, *plan, plan->etag(), {});
    ASSERT_TRUE(plan.ok()) << plan.status();
  }
  EXPECT_EQ(plan->version(), 11);
  auto page = plans_->ListVersions(kPartition, kCase, 100, "");
  ASSERT_TRUE(page.ok()) << page.status();
  ASSERT_EQ(page->items.size(), 11u);
  for (int i = 0; i < 11; ++i) EXPECT_EQ(page->items[i].version(), i + 1);
}

TEST_F(PlanStoreTest, WrittenEventsAreInTheOutboxWithTheCaseAsSubject) {
  auto created = plans_->Create(Manager(), kPartition, "r1", Draft("one"));
  ASSERT_TRUE(created.ok());
  Plan next = *created;
  next.set_status(homeward::v1::PLAN_STATUS_APPROVED);
  ASSERT_TRUE(plans_
                  ->Write(Manager(), kPartition, next, created->etag(),
                          {Approved(next)})
                  .ok());
  std::vector<Event> events = Events();
  ASSERT_EQ(events.size(), 2u);
  // The creation announces the plan: the assessment service moves the
  // case's stage on it.
  EXPECT_EQ(events[0].payload_case(), Event::kPlanCreated);
  EXPECT_EQ(events[0].plan_created().case_id(), kCase);
  EXPECT_EQ(events[0].plan_created().plan_id(), created->plan_id());
  EXPECT_EQ(events[0].request_id(), Manager().request_id);
  EXPECT_EQ(events[1].payload_case(), Event::kPlanApproved);
  for (const Event& e : events) {
    EXPECT_EQ(e.subject_id(), kCase);
    EXPECT_EQ(e.partition(), kPartition);
    EXPECT_EQ(e.actor_user_id(), "cm-1");
  }
  EXPECT_EQ(events[1].plan_approved().plan().plan_id(), created->plan_id());
}

}  // namespace
}  // namespace homeward::planning
