// ReferralResponses on a real RocksDB in a temporary directory: needs and
// a concern created through NeedStore, then ReferralStatusChanged events
// constructed here applied and committed as the feed follower does
// (ApplyAndCommit), checking statuses, responders, events, audit entries,
// redelivery and skipped ids, for every referral status.
#include "services/assessment/referral_responses.h"

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "common/status/status_matchers.h"
#include "common/storage/store.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/assessment/need_store.h"
#include "services/assessment/plan_responses.h"
#include "tests/fixtures/consumer_loop.h"
#include "tests/fixtures/temp_dir.h"

namespace homeward::assessment {
namespace {

using ::homeward::testing::ApplyAndCommit;
using ::homeward::testing::IsOk;
using ::homeward::testing::TempDir;
using ::homeward::v1::Event;
using ::homeward::v1::NeedStatus;
using ::homeward::v1::ReferralStatus;
using ::testing::ElementsAre;
using ::testing::ElementsAreArray;

constexpr uint32_t kPartition = 7;
constexpr char kCase[] = "case-1";
constexpr char kOtherCase[] = "case-2";

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

enum class Link { kNeed, kConcern, kActivity, kNone };

// A ReferralStatusChanged of referral `referral_id` of kCase (or `case_id`)
// now in `status`, linked to record `record_id` as `link` says.
Event StatusChanged(uint64_t sequence, const std::string& referral_id,
                    ReferralStatus status, Link link,
                    const std::string& record_id,
                    const std::string& case_id = kCase) {
  Event e;
  e.set_partition(kPartition);
  e.set_sequence(sequence);
  e.set_subject_id(case_id);
  e.set_actor_user_id("partner-1");
  e.set_request_id("referral-req");
  auto* changed = e.mutable_referral_status_changed();
  auto* r = changed->mutable_referral();
  r->set_referral_id(referral_id);
  r->set_case_id(case_id);
  r->set_organization_id("org-tvet");
  r->set_status(status);
  switch (link) {
    case Link::kNeed:
      r->set_need_id(record_id);
      break;
    case Link::kConcern:
      r->set_concern_id(record_id);
      break;
    case Link::kActivity:
      r->mutable_activity()->set_plan_id("PL1");
      r->mutable_activity()->set_activity_id("AC1");
      break;
    case Link::kNone:
      break;
  }
  return e;
}

class ReferralResponsesTest : public ::testing::Test {
 protected:
  void SetUp() override { Init("db"); }

  void Init(const std::string& name) {
    responses_.reset();
    needs_.reset();
    store_.reset();
    auto opened = storage::Store::Open({.path = dir_.path() + "/" + name});
    ASSERT_TRUE(opened.ok()) << opened.status();
    store_ = std::move(opened).value();
    needs_ = std::make_unique<NeedStore>(store_.get());
    responses_ = std::make_unique<ReferralResponses>(needs_.get());
    housing_ = AddNeed(kCase, "housing", "n1");
    other_ = AddNeed(kOtherCase, "housing", "n2");
    homeward::v1::ProtectionConcernInput concern;
    concern.set_code("SUSPECTED_TRAFFICKING_VICTIM");
    concern.set_label("suspected trafficking victim");
    concern.set_priority(homeward::v1::NEED_PRIORITY_HIGH);
    concern.set_response_category("counter_trafficking");
    auto added =
        needs_->AddConcern(Manager(), kPartition, kCase, "c1", concern);
    ASSERT_TRUE(added.ok()) << added.status();
    trafficking_ = added->concern_id();
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

  struct Read {
    NeedStatus status;
    std::vector<std::string> responders;  // "<kind>:<id>"
    std::string etag;
  };
  static std::string Named(const homeward::v1::Responder& r) {
    return (r.kind() == homeward::v1::RESPONDER_KIND_REFERRAL ? "referral:"
                                                              : "other:") +
           r.id();
  }
  Read Need(const std::string& id, const std::string& case_id = kCase) {
    auto n = needs_->GetNeed(kPartition, case_id, id);
    EXPECT_TRUE(n.ok()) << n.status();
    Read read{n->status(), {}, n->etag()};
    for (const auto& r : n->addressed_by()) read.responders.push_back(Named(r));
    return read;
  }
  Read Concern(const std::string& id) {
    auto c = needs_->GetConcern(kPartition, kCase, id);
    EXPECT_TRUE(c.ok()) << c.status();
    Read read{c->status(), {}, c->etag()};
    for (const auto& r : c->addressed_by()) read.responders.push_back(Named(r));
    return read;
  }

  void ApplyAll(const std::vector<Event>& events) {
    for (const Event& e : events) {
      SCOPED_TRACE(e.sequence());
      ASSERT_THAT(ApplyAndCommit(*responses_, *store_, e), IsOk());
    }
  }

  size_t EventCount() {
    auto events = store_->ReadEvents(kPartition, 0, 1000);
    EXPECT_TRUE(events.ok()) << events.status();
    return events.ok() ? events->size() : 0;
  }

  std::vector<homeward::internal::v1::AuditEntry> FeedAudit() {
    std::vector<homeward::internal::v1::AuditEntry> out;
    auto trail = store_->ReadAudit(0, 1000);
    EXPECT_TRUE(trail.ok()) << trail.status();
    for (const auto& entry : *trail) {
      if (entry.action() == ReferralResponses::kMethod) out.push_back(entry);
    }
    return out;
  }

  TempDir dir_;
  std::unique_ptr<storage::Store> store_;
  std::unique_ptr<NeedStore> needs_;
  std::unique_ptr<ReferralResponses> responses_;
  std::string housing_;
  std::string other_;
  std::string trafficking_;
};

// Every status a referral reaches after REQUESTED, and what the need it
// answers reads as then.
TEST_F(ReferralResponsesTest, EachStatusAnswersOrWithdraws) {
  struct Row {
    ReferralStatus status;
    NeedStatus need;
    bool listed;
  };
  const std::vector<Row> table = {
      {homeward::v1::REFERRAL_STATUS_RECEIVED, kAddressed, true},
      {homeward::v1::REFERRAL_STATUS_ACCEPTED, kAddressed, true},
      {homeward::v1::REFERRAL_STATUS_READY, kAddressed, true},
      {homeward::v1::REFERRAL_STATUS_IN_PROGRESS, kAddressed, true},
      {homeward::v1::REFERRAL_STATUS_ON_HOLD, kAddressed, true},
      {homeward::v1::REFERRAL_STATUS_COMPLETED, kAddressed, true},
      {homeward::v1::REFERRAL_STATUS_REJECTED, kOpen, false},
      {homeward::v1::REFERRAL_STATUS_CANCELLED, kOpen, false},
      {homeward::v1::REFERRAL_STATUS_FAILED, kOpen, false},
      {homeward::v1::REFERRAL_STATUS_ENTERED_IN_ERROR, kOpen, false},
  };
  for (const Row& row : table) {
    SCOPED_TRACE(homeward::v1::ReferralStatus_Name(row.status));
    Init(homeward::v1::ReferralStatus_Name(row.status));
    ApplyAll({StatusChanged(1, "R1", homeward::v1::REFERRAL_STATUS_REQUESTED,
                            Link::kNeed, housing_)});
    EXPECT_EQ(Need(housing_).status, kAddressed);
    ApplyAll({StatusChanged(2, "R1", row.status, Link::kNeed, housing_)});
    const Read read = Need(housing_);
    EXPECT_EQ(read.status, row.need);
    if (row.listed) {
      EXPECT_THAT(read.responders, ElementsAre("referral:R1"));
    } else {
      EXPECT_THAT(read.responders, ElementsAre());
    }
  }
}

TEST_F(ReferralResponsesTest, ADraftAnswersNothing) {
  ApplyAll({StatusChanged(1, "R1", homeward::v1::REFERRAL_STATUS_DRAFT,
                          Link::kNeed, housing_)});
  EXPECT_EQ(Need(housing_).status, kOpen);
  EXPECT_THAT(Need(housing_).responders, ElementsAre());
}

TEST_F(ReferralResponsesTest, AConcernIsAnsweredAsANeedIs) {
  ApplyAll({StatusChanged(1, "R1", homeward::v1::REFERRAL_STATUS_REQUESTED,
                          Link::kConcern, trafficking_)});
  EXPECT_EQ(Concern(trafficking_).status, kAddressed);
  EXPECT_THAT(Concern(trafficking_).responders, ElementsAre("referral:R1"));
  ApplyAll({StatusChanged(2, "R1", homeward::v1::REFERRAL_STATUS_REJECTED,
                          Link::kConcern, trafficking_)});
  EXPECT_EQ(Concern(trafficking_).status, kOpen);
}

TEST_F(ReferralResponsesTest, TheLastReferralWithdrawnReopensTheNeed) {
  ApplyAll({StatusChanged(1, "R1", homeward::v1::REFERRAL_STATUS_REQUESTED,
                          Link::kNeed, housing_),
            StatusChanged(2, "R2", homeward::v1::REFERRAL_STATUS_REQUESTED,
                          Link::kNeed, housing_),
            StatusChanged(3, "R1", homeward::v1::REFERRAL_STATUS_CANCELLED,
                          Link::kNeed, housing_)});
  EXPECT_EQ(Need(housing_).status, kAddressed);
  EXPECT_THAT(Need(housing_).responders, ElementsAre("referral:R2"));
  ApplyAll({StatusChanged(4, "R2", homeward::v1::REFERRAL_STATUS_FAILED,
                          Link::kNeed, housing_)});
  EXPECT_EQ(Need(housing_).status, kOpen);
}

TEST_F(ReferralResponsesTest, ReferralsAndPlanActivitiesAnswerSideBySide) {
  // A plan activity answers the need too (the planning feed's consumer).
  // The case is not registered here: the plan moves no stage.
  const CaseStore cases(store_.get(), storage::PartitionSet::All(
                                          storage::kDefaultPartitionCount));
  PlanResponses plans(&cases, needs_.get());
  Event approved;
  approved.set_partition(kPartition);
  approved.set_sequence(1);
  auto* plan = approved.mutable_plan_approved()->mutable_plan();
  plan->set_plan_id("PL1");
  plan->set_case_id(kCase);
  plan->set_version(1);
  auto* activity = plan->add_activities();
  activity->set_activity_id("AC1");
  activity->add_need_ids(housing_);
  ASSERT_THAT(ApplyAndCommit(plans, *store_, approved), IsOk());
  ApplyAll({StatusChanged(1, "R1", homeward::v1::REFERRAL_STATUS_REQUESTED,
                          Link::kNeed, housing_),
            StatusChanged(2, "R1", homeward::v1::REFERRAL_STATUS_REJECTED,
                          Link::kNeed, housing_)});
  // The referral's withdrawal leaves the activity's responder.
  EXPECT_EQ(Need(housing_).status, kAddressed);
  EXPECT_THAT(Need(housing_).responders, ElementsAre("other:PL1/AC1"));
}

TEST_F(ReferralResponsesTest, EachChangeAppendsItsEventAndAuditEntry) {
  const size_t before = EventCount();
  ApplyAll({StatusChanged(1, "R1", homeward::v1::REFERRAL_STATUS_REQUESTED,
                          Link::kNeed, housing_)});
  auto events = store_->ReadEvents(kPartition, 0, 1000);
  ASSERT_TRUE(events.ok());
  ASSERT_EQ(events->size(), before + 1);
  const Event& e = events->back();
  ASSERT_TRUE(e.has_need_changed());
  EXPECT_EQ(e.need_changed().need().status(), kAddressed);
  EXPECT_EQ(e.subject_id(), kCase);
  EXPECT_EQ(e.actor_user_id(), "partner-1");
  auto audit = FeedAudit();
  ASSERT_EQ(audit.size(), 1u);
  EXPECT_EQ(audit[0].user_id(), "partner-1");
  EXPECT_EQ(audit[0].subject_id(), kCase);
  EXPECT_EQ(audit[0].role(), "ROLE_SERVICE");
}

TEST_F(ReferralResponsesTest, RedeliveryChangesNothing) {
  const std::vector<Event> sequence = {
      StatusChanged(1, "R1", homeward::v1::REFERRAL_STATUS_REQUESTED,
                    Link::kNeed, housing_),
      StatusChanged(2, "R1", homeward::v1::REFERRAL_STATUS_ACCEPTED,
                    Link::kNeed, housing_),
      StatusChanged(3, "R1", homeward::v1::REFERRAL_STATUS_COMPLETED,
                    Link::kNeed, housing_),
      StatusChanged(4, "R2", homeward::v1::REFERRAL_STATUS_REQUESTED,
                    Link::kConcern, trafficking_),
      StatusChanged(5, "R2", homeward::v1::REFERRAL_STATUS_CANCELLED,
                    Link::kConcern, trafficking_)};
  for (const Event& e : sequence) {
    SCOPED_TRACE(e.sequence());
    ASSERT_THAT(ApplyAndCommit(*responses_, *store_, e), IsOk());
    const std::string need_etag = Need(housing_).etag;
    const std::string concern_etag = Concern(trafficking_).etag;
    const size_t events = EventCount();
    const size_t audit = FeedAudit().size();
    ASSERT_THAT(ApplyAndCommit(*responses_, *store_, e), IsOk());
    EXPECT_EQ(EventCount(), events);
    EXPECT_EQ(FeedAudit().size(), audit);
    EXPECT_EQ(Need(housing_).etag, need_etag);
    EXPECT_EQ(Concern(trafficking_).etag, concern_etag);
  }
}

TEST_F(ReferralResponsesTest, OtherLinksAndEventsWriteOnlyTheCursor) {
  Event other;
  other.set_partition(kPartition);
  other.set_sequence(3);
  other.mutable_case_registered();
  const size_t events = EventCount();
  ApplyAll({StatusChanged(1, "R1", homeward::v1::REFERRAL_STATUS_REQUESTED,
                          Link::kActivity, ""),
            StatusChanged(2, "R2", homeward::v1::REFERRAL_STATUS_REQUESTED,
                          Link::kNone, ""),
            other});
  EXPECT_EQ(EventCount(), events);
  EXPECT_EQ(Need(housing_).status, kOpen);
  EXPECT_THAT(store_->GetCursor(ReferralResponses::kName, kPartition),
              ::homeward::testing::IsOkAndHolds(3u));
}

TEST_F(ReferralResponsesTest, UnknownAndClosedRecordsAreSkippedAndCounted) {
  ASSERT_THAT(needs_
                  ->SetNeedStatus(Manager(), kPartition, kCase, housing_, 0,
                                  kResolved, "")
                  .status(),
              IsOk());
  ApplyAll({StatusChanged(1, "R1", homeward::v1::REFERRAL_STATUS_REQUESTED,
                          Link::kNeed, "N-missing"),
            // Another case's need is not touched through this case.
            StatusChanged(2, "R2", homeward::v1::REFERRAL_STATUS_REQUESTED,
                          Link::kNeed, other_),
            StatusChanged(3, "R3", homeward::v1::REFERRAL_STATUS_REQUESTED,
                          Link::kNeed, housing_)});
  EXPECT_EQ(responses_->skipped().unknown, 2);
  EXPECT_EQ(responses_->skipped().not_open, 1);
  EXPECT_EQ(Need(housing_).status, kResolved);
  EXPECT_EQ(Need(other_, kOtherCase).status, kOpen);
}

}  // namespace
}  // namespace homeward::assessment
