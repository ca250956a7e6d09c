// The overdue queues on a real RocksDB in a temp dir: cases fed to the
// case-context projection as the feed follower would, plans written through
// PlanStore, queue entries kept by the index functions in their own commits
// (the handlers add them to the plan's write). Covers the deadline rules
// (default, programme, vulnerable, exactly on the deadline, each plan
// status), the office and case-manager filters, paging across partitions,
// moved return dates, entries left behind by a race, and the activity queue.
#include "services/planning/plan_queues.h"

#include <algorithm>
#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/api/field_checks.h"
#include "common/programme/programme_catalogs.h"
#include "common/status/status_matchers.h"
#include "common/storage/partitions.h"
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

using ::homeward::internal::v1::Principal;
using ::homeward::testing::ApplyAndCommit;
using ::homeward::testing::IsOk;
using ::homeward::testing::StatusIs;
using ::homeward::testing::TempDir;
using ::homeward::v1::Case;
using ::homeward::v1::Date;
using ::homeward::v1::Event;
using ::homeward::v1::Plan;
using ::homeward::v1::PlanStatus;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::UnorderedElementsAreArray;

constexpr uint32_t kPartitions = 8;
const absl::CivilDay kReturned(2026, 1, 10);

std::string Text(const Date& d) {
  return absl::FormatCivilTime(absl::CivilDay(d.year(), d.month(), d.day()));
}

Principal Staff(std::vector<std::string> offices,
                homeward::v1::Role role = homeward::v1::ROLE_SUPERVISOR) {
  Principal p;
  p.set_user_id("sup-1");
  p.set_role(role);
  for (std::string& o : offices) p.add_office_ids(std::move(o));
  return p;
}

// How far a case's plan has gone; the "...EntryLeft" steps skip
// LeavePlanQueue, as a race with a case event would leave the entry, so
// that only the reader's check keeps the case out.
enum class PlanStep {
  kNone,
  kDraft,
  kAgreed,
  kSubmitted,
  kReturned,
  kApproved,
  kApprovedEntryLeft,
  kActiveEntryLeft,
  kCompletedEntryLeft,
  kCancelledEntryLeft,
  kRevisedEntryLeft,  // version 2 DRAFT, version 1 ACTIVE
};

class PlanQueuesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto store = storage::Store::Open(
        {.path = dir_.path() + "/planning", .partition_count = kPartitions});
    ASSERT_THAT(store.status(), IsOk());
    store_ = std::move(*store);
    projection_ = std::make_unique<CaseContextProjection>(store_.get(), owned_);
    plans_ = std::make_unique<PlanStore>(store_.get());
    programmes_ = std::make_unique<programme::ProgrammeCatalog>(
        store_.get(), programme::kProgrammeSchema);
    queues_ =
        std::make_unique<PlanQueues>(store_.get(), &owned_, projection_.get(),
                                     plans_.get(), programmes_.get());
    actor_.principal.set_user_id("cm-1");
    actor_.principal.set_role(homeward::v1::ROLE_CASE_MANAGER);
    // "prog_default" sets no deadline. "prog_long" v1 is superseded by v2:
    // the latest version's deadlines apply (45 days, 90 when vulnerable).
    Publish("prog_default", 1, 0, 0);
    Publish("prog_long", 1, 20, 25);
    Publish("prog_long", 2, 45, 90);
  }

  void Publish(const std::string& id, int version, int days,
               int vulnerable_days) {
    homeward::v1::Programme p;
    p.set_programme_id(id);
    p.set_version(version);
    p.set_plan_deadline_days(days);
    p.set_plan_deadline_days_vulnerable(vulnerable_days);
    ASSERT_THAT(programmes_->Publish(actor_, p).status(), IsOk());
  }

  static uint32_t PartitionOf(const std::string& case_id) {
    return storage::PartitionOf(case_id, kPartitions);
  }

  void Deliver(Event e) {
    e.set_sequence(++sequences_[e.partition()]);
    ASSERT_THAT(ApplyAndCommit(*projection_, *store_, e), IsOk())
        << e.ShortDebugString();
  }

  // The case as the assessment service last announced it, at its next
  // version.
  Case& NextVersion(const std::string& id) {
    Case& c = cases_[id];
    c.set_etag(absl::StrCat(++versions_[id]));
    return c;
  }

  Event About(const Case& c) {
    Event e;
    e.set_subject_id(c.case_id());
    e.set_partition(PartitionOf(c.case_id()));
    return e;
  }

  void Register(const std::string& id, absl::CivilDay returned,
                const std::string& office = "office-dakar",
                const std::string& manager = "cm-1",
                const std::string& programme = "prog_default") {
    Case& c = NextVersion(id);
    c.set_case_id(id);
    c.set_partition(PartitionOf(id));
    c.set_office_id(office);
    c.set_case_manager_id(manager);
    c.set_programme_id(programme);
    c.set_stage(homeward::v1::CASE_STAGE_INTAKE);
    *c.mutable_return_info()->mutable_return_date() = api::ToDate(returned);
    Event e = About(c);
    *e.mutable_case_registered()->mutable_case_() = c;
    Deliver(std::move(e));
  }

  void MoveReturnDate(const std::string& id, absl::CivilDay returned) {
    Case& c = NextVersion(id);
    *c.mutable_return_info()->mutable_return_date() = api::ToDate(returned);
    Event e = About(c);
    *e.mutable_case_updated()->mutable_case_() = c;
    Deliver(std::move(e));
  }

  void Assign(const std::string& id, const std::string& office,
              const std::string& manager) {
    Case& c = NextVersion(id);
    c.set_office_id(office);
    c.set_case_manager_id(manager);
    Event e = About(c);
    e.mutable_case_assigned()->set_case_id(id);
    e.mutable_case_assigned()->set_to_office_id(office);
    e.mutable_case_assigned()->set_to_case_manager_id(manager);
    *e.mutable_case_assigned()->mutable_case_() = c;
    Deliver(std::move(e));
  }

  void Close(const std::string& id) {
    Case& c = NextVersion(id);
    c.set_stage(homeward::v1::CASE_STAGE_CLOSED);
    Event e = About(c);
    e.mutable_case_stage_changed()->set_case_id(id);
    *e.mutable_case_stage_changed()->mutable_case_() = c;
    Deliver(std::move(e));
  }

  void ScreenedHighlyVulnerable(const std::string& id) {
    Event e = About(cases_[id]);
    auto& a = *e.mutable_assessment_completed();
    a.set_assessment_id(absl::StrCat("S-", id));
    a.set_case_id(id);
    a.set_kind(homeward::v1::INSTRUMENT_KIND_VULNERABILITY_SCREENING);
    a.set_occasion(homeward::v1::ASSESSMENT_OCCASION_ON_ARRIVAL);
    *a.mutable_assessment_date() = api::ToDate(kReturned);
    a.mutable_vulnerability()->set_level(
        homeward::v1::VULNERABILITY_LEVEL_HIGH);
    Deliver(std::move(e));
  }

  void Commit(storage::WriteSet set) {
    ASSERT_THAT(store_->Commit(std::move(set)).status(), IsOk());
  }

  Plan Latest(const std::string& id) {
    auto plan = plans_->Get(PartitionOf(id), id, 0);
    EXPECT_THAT(plan.status(), IsOk());
    return plan.ok() ? *plan : Plan();
  }

  Plan CreatePlan(const std::string& id, const Plan& content = Plan()) {
    Plan draft = content;
    draft.set_case_id(id);
    auto created = plans_->Create(actor_, PartitionOf(id), "", draft);
    EXPECT_THAT(created.status(), IsOk());
    return created.ok() ? *created : Plan();
  }

  // Writes `next` over the latest version (the store checks no workflow).
  Plan Write(const Plan& next) {
    auto written = plans_->Write(actor_, PartitionOf(next.case_id()), next,
                                 Latest(next.case_id()).etag(), {});
    EXPECT_THAT(written.status(), IsOk());
    return written.ok() ? *written : Plan();
  }

  Plan SetStatus(const std::string& id, PlanStatus status) {
    Plan p = Latest(id);
    p.set_status(status);
    return Write(p);
  }

  void Leave(const std::string& id) {
    storage::WriteSet set;
    LeavePlanQueue(PartitionOf(id), cases_[id].return_info().return_date(), id,
                   set);
    Commit(std::move(set));
  }

  // Version 2 of the case's plan, a DRAFT copy of `from`.
  Plan Revise(const Plan& from) {
    Plan next = from;
    next.set_status(homeward::v1::PLAN_STATUS_DRAFT);
    auto added = plans_->AddVersion(actor_, PartitionOf(from.case_id()), next,
                                    Latest(from.case_id()).etag(), {});
    EXPECT_THAT(added.status(), IsOk());
    return added.ok() ? *added : Plan();
  }

  void TakePlanTo(const std::string& id, PlanStep step) {
    if (step == PlanStep::kNone) return;
    CreatePlan(id);
    switch (step) {
      case PlanStep::kNone:
      case PlanStep::kDraft:
        return;
      case PlanStep::kAgreed:
        SetStatus(id, homeward::v1::PLAN_STATUS_AGREED);
        return;
      case PlanStep::kSubmitted:
        SetStatus(id, homeward::v1::PLAN_STATUS_SUBMITTED);
        return;
      case PlanStep::kReturned:
        SetStatus(id, homeward::v1::PLAN_STATUS_RETURNED);
        return;
      case PlanStep::kApproved:
        SetStatus(id, homeward::v1::PLAN_STATUS_APPROVED);
        Leave(id);
        return;
      case PlanStep::kApprovedEntryLeft:
        SetStatus(id, homeward::v1::PLAN_STATUS_APPROVED);
        return;
      case PlanStep::kActiveEntryLeft:
        SetStatus(id, homeward::v1::PLAN_STATUS_ACTIVE);
        return;
      case PlanStep::kCompletedEntryLeft:
        SetStatus(id, homeward::v1::PLAN_STATUS_COMPLETED);
        return;
      case PlanStep::kCancelledEntryLeft:
        SetStatus(id, homeward::v1::PLAN_STATUS_CANCELLED);
        return;
      case PlanStep::kRevisedEntryLeft:
        Revise(SetStatus(id, homeward::v1::PLAN_STATUS_ACTIVE));
        return;
    }
  }

  // Every page of the overdue plans, `page_size` at a time; each item
  // "case=STATUS deadline".
  std::vector<std::string> AllOverduePlans(
      const Principal& who, homeward::v1::ListOverduePlansRequest request,
      absl::CivilDay today, int* pages = nullptr) {
    std::vector<std::string> out;
    int n = 0;
    do {
      auto page = queues_->OverduePlans(who, request, today);
      EXPECT_THAT(page.status(), IsOk());
      if (!page.ok() || ++n > 100) break;
      for (const auto& p : page->plans()) {
        out.push_back(absl::StrCat(p.case_id(), "=",
                                   homeward::v1::PlanStatus_Name(p.status()),
                                   " ", Text(p.deadline())));
      }
      request.mutable_page()->set_page_token(page->next_page_token());
    } while (!request.page().page_token().empty());
    if (pages != nullptr) *pages = n;
    return out;
  }

  std::vector<std::string> OverduePlanCases(const Principal& who,
                                            const std::string& office,
                                            const std::string& manager,
                                            absl::CivilDay as_of) {
    homeward::v1::ListOverduePlansRequest request;
    request.set_office_id(office);
    request.set_case_manager_id(manager);
    *request.mutable_as_of() = api::ToDate(as_of);
    auto page = queues_->OverduePlans(who, request, kReturned);
    EXPECT_THAT(page.status(), IsOk());
    std::vector<std::string> out;
    if (!page.ok()) return out;
    for (const auto& p : page->plans()) {
      out.push_back(absl::StrCat(p.case_id(), "@", p.case_manager_id(), " ",
                                 Text(p.return_date())));
    }
    return out;
  }

  // Every overdue activity, "case/activity STATUS due".
  std::vector<std::string> OverdueActivityList(
      absl::CivilDay as_of, const std::string& office = "office-dakar") {
    homeward::v1::ListOverdueActivitiesRequest request;
    request.set_office_id(office);
    *request.mutable_as_of() = api::ToDate(as_of);
    auto page = queues_->OverdueActivities(Staff({office}), request, kReturned);
    EXPECT_THAT(page.status(), IsOk());
    std::vector<std::string> out;
    if (!page.ok()) return out;
    EXPECT_THAT(page->next_page_token(), IsEmpty());
    for (const auto& a : page->activities()) {
      out.push_back(absl::StrCat(a.case_id(), "/", a.activity_id(), " ",
                                 homeward::v1::ActivityStatus_Name(a.status()),
                                 " ", Text(a.due_date())));
    }
    return out;
  }

  // The ids under a queue index, padding stripped, in store order.
  std::vector<std::string> Entries(absl::string_view index) {
    auto page = store_->ListIndex(owned_.partitions(), index, kQueueIndexValue,
                                  1000, "");
    EXPECT_THAT(page.status(), IsOk());
    std::vector<std::string> out;
    if (!page.ok()) return out;
    for (const auto& e : page->entries) {
      out.push_back(std::string(absl::StripTrailingAsciiWhitespace(e.id)));
    }
    return out;
  }

  TempDir dir_;
  storage::PartitionSet owned_ = storage::PartitionSet::All(kPartitions);
  std::unique_ptr<storage::Store> store_;
  std::unique_ptr<CaseContextProjection> projection_;
  std::unique_ptr<PlanStore> plans_;
  std::unique_ptr<programme::ProgrammeCatalog> programmes_;
  std::unique_ptr<PlanQueues> queues_;
  service::Actor actor_;
  std::map<uint32_t, uint64_t> sequences_;
  std::map<std::string, Case> cases_;
  std::map<std::string, uint64_t> versions_;
};

// Each row is one case returned on kReturned, alone in its office, queried
// `as_of_days` after its return. The deadline counts from the return date:
// the programme's days (latest version), the vulnerable days for a highly
// vulnerable returnee when the programme sets them, else 30. Overdue means
// after the deadline, with no plan or version 1 still waiting.
TEST_F(PlanQueuesTest, OverduePlansFollowTheDeadlineAndThePlanStatus) {
  struct Row {
    std::string name;
    std::string programme = "prog_default";
    bool vulnerable = false;
    int as_of_days = 31;
    PlanStep step = PlanStep::kNone;
    bool closed = false;
    // Empty: not overdue; else "STATUS deadline-days".
    std::string expected = "";
  };
  const std::vector<Row> rows = {
      {.name = "no plan, a day after the default 30 days",
       .expected = "PLAN_STATUS_UNSPECIFIED 30"},
      {.name = "no plan, exactly on the deadline", .as_of_days = 30},
      {.name = "a programme the catalog does not know: 30 days",
       .programme = "prog_unknown",
       .expected = "PLAN_STATUS_UNSPECIFIED 30"},
      {.name = "the programme's own deadline (latest version): not yet",
       .programme = "prog_long",
       .as_of_days = 45},
      {.name = "the programme's own deadline (latest version): passed",
       .programme = "prog_long",
       .as_of_days = 46,
       .expected = "PLAN_STATUS_UNSPECIFIED 45"},
      {.name = "highly vulnerable: the longer deadline not yet passed",
       .programme = "prog_long",
       .vulnerable = true,
       .as_of_days = 90},
      {.name = "highly vulnerable: the longer deadline passed",
       .programme = "prog_long",
       .vulnerable = true,
       .as_of_days = 91,
       .expected = "PLAN_STATUS_UNSPECIFIED 90"},
      {.name = "highly vulnerable, the programme sets no longer deadline",
       .vulnerable = true,
       .expected = "PLAN_STATUS_UNSPECIFIED 30"},
      {.name = "draft",
       .step = PlanStep::kDraft,
       .expected = "PLAN_STATUS_DRAFT 30"},
      {.name = "agreed",
       .step = PlanStep::kAgreed,
       .expected = "PLAN_STATUS_AGREED 30"},
      {.name = "submitted",
       .step = PlanStep::kSubmitted,
       .expected = "PLAN_STATUS_SUBMITTED 30"},
      {.name = "returned",
       .step = PlanStep::kReturned,
       .expected = "PLAN_STATUS_RETURNED 30"},
      {.name = "approved, left the queue", .step = PlanStep::kApproved},
      {.name = "approved, entry left behind",
       .step = PlanStep::kApprovedEntryLeft},
      {.name = "active, entry left behind", .step = PlanStep::kActiveEntryLeft},
      {.name = "completed, entry left behind",
       .step = PlanStep::kCompletedEntryLeft},
      {.name = "cancelled, entry left behind",
       .step = PlanStep::kCancelledEntryLeft},
      {.name = "revised (version 2 draft), entry left behind",
       .step = PlanStep::kRevisedEntryLeft},
      {.name = "closed case without a plan", .closed = true},
  };
  for (size_t i = 0; i < rows.size(); ++i) {
    const Row& row = rows[i];
    SCOPED_TRACE(row.name);
    const std::string id = absl::StrCat("case-", i);
    const std::string office = absl::StrCat("office-", i);
    Register(id, kReturned, office, "cm-1", row.programme);
    if (row.vulnerable) ScreenedHighlyVulnerable(id);
    if (row.closed) Close(id);
    TakePlanTo(id, row.step);
    homeward::v1::ListOverduePlansRequest request;
    request.set_office_id(office);
    *request.mutable_as_of() = api::ToDate(kReturned + row.as_of_days);
    std::vector<std::string> expected;
    if (!row.expected.empty()) {
      const std::string status = row.expected.substr(0, row.expected.find(' '));
      int days = 0;
      ASSERT_TRUE(absl::SimpleAtoi(
          row.expected.substr(row.expected.find(' ') + 1), &days));
      expected.push_back(absl::StrCat(id, "=", status, " ",
                                      absl::FormatCivilTime(kReturned + days)));
    }
    EXPECT_EQ(AllOverduePlans(Staff({office}), request, kReturned), expected);
  }
}

TEST_F(PlanQueuesTest, OverduePlansCarryIdsAndDatesOnly) {
  Register("case-a", kReturned, "office-dakar", "cm-7");
  CreatePlan("case-a");
  homeward::v1::ListOverduePlansRequest request;
  *request.mutable_as_of() = api::ToDate(kReturned + 40);
  auto page =
      queues_->OverduePlans(Staff({"office-dakar"}), request, kReturned);
  ASSERT_THAT(page.status(), IsOk());
  ASSERT_EQ(page->plans_size(), 1);
  const auto& p = page->plans(0);
  EXPECT_EQ(p.case_id(), "case-a");
  EXPECT_EQ(p.case_manager_id(), "cm-7");
  EXPECT_EQ(Text(p.return_date()), "2026-01-10");
  EXPECT_EQ(Text(p.deadline()), "2026-02-09");
  EXPECT_EQ(p.status(), homeward::v1::PLAN_STATUS_DRAFT);
  EXPECT_TRUE(page->next_page_token().empty());
}

// Without as_of the queue is as of `today`.
TEST_F(PlanQueuesTest, AsOfDefaultsToToday) {
  Register("case-a", kReturned);
  homeward::v1::ListOverduePlansRequest request;
  const Principal who = Staff({"office-dakar"});
  EXPECT_THAT(AllOverduePlans(who, request, kReturned + 30), IsEmpty());
  EXPECT_THAT(AllOverduePlans(who, request, kReturned + 31),
              ElementsAre("case-a=PLAN_STATUS_UNSPECIFIED 2026-02-09"));
}

TEST_F(PlanQueuesTest, OfficeAndCaseManagerFiltersFollowTheCurrentScope) {
  Register("case-a", kReturned, "office-dakar", "cm-1");
  Register("case-b", kReturned + 1, "office-dakar", "cm-2");
  Register("case-c", kReturned + 2, "office-thies", "cm-3");
  const absl::CivilDay as_of = kReturned + 60;
  const Principal both = Staff({"office-dakar", "office-thies"});

  EXPECT_THAT(OverduePlanCases(both, "office-dakar", "", as_of),
              UnorderedElementsAreArray(
                  {"case-a@cm-1 2026-01-10", "case-b@cm-2 2026-01-11"}));
  EXPECT_THAT(OverduePlanCases(both, "office-dakar", "cm-2", as_of),
              ElementsAre("case-b@cm-2 2026-01-11"));
  EXPECT_THAT(OverduePlanCases(both, "office-thies", "", as_of),
              ElementsAre("case-c@cm-3 2026-01-12"));
  EXPECT_THAT(OverduePlanCases(both, "office-thies", "cm-1", as_of), IsEmpty());
  // One office: it is the default.
  EXPECT_THAT(
      OverduePlanCases(Staff({"office-thies"}, homeward::v1::ROLE_CASE_MANAGER),
                       "", "", as_of),
      ElementsAre("case-c@cm-3 2026-01-12"));

  // A transfer moves the case to the other office's queue at once.
  Assign("case-b", "office-thies", "cm-3");
  EXPECT_THAT(OverduePlanCases(both, "office-dakar", "", as_of),
              ElementsAre("case-a@cm-1 2026-01-10"));
  EXPECT_THAT(OverduePlanCases(both, "office-thies", "cm-3", as_of),
              UnorderedElementsAreArray(
                  {"case-b@cm-3 2026-01-11", "case-c@cm-3 2026-01-12"}));
}

TEST_F(PlanQueuesTest, RequestsAreCheckedBeforeAnythingIsRead) {
  Register("case-a", kReturned);
  const Principal both = Staff({"office-dakar", "office-thies"});
  homeward::v1::ListOverduePlansRequest request;
  EXPECT_THAT(queues_->OverduePlans(both, request, kReturned),
              StatusIs(absl::StatusCode::kInvalidArgument));  // which office?
  request.set_office_id("office-ziguinchor");
  EXPECT_THAT(queues_->OverduePlans(both, request, kReturned),
              StatusIs(absl::StatusCode::kPermissionDenied));
  EXPECT_THAT(
      queues_->OverduePlans(
          Staff({"office-dakar"}, homeward::v1::ROLE_MONITORING_OFFICER),
          homeward::v1::ListOverduePlansRequest(), kReturned),
      StatusIs(absl::StatusCode::kPermissionDenied));

  request.set_office_id("office-dakar");
  auto bad = request;
  bad.mutable_as_of()->set_year(2026);
  bad.mutable_as_of()->set_month(2);
  bad.mutable_as_of()->set_day(30);
  EXPECT_THAT(queues_->OverduePlans(both, bad, kReturned),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("as_of")));
  bad = request;
  bad.set_case_manager_id("cm 1");
  EXPECT_THAT(queues_->OverduePlans(both, bad, kReturned),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("case_manager_id")));
  bad = request;
  bad.mutable_page()->set_page_size(-1);
  EXPECT_THAT(queues_->OverduePlans(both, bad, kReturned),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("page.page_size")));
  bad = request;
  bad.mutable_page()->set_page_token("not-a-token");
  EXPECT_THAT(queues_->OverduePlans(both, bad, kReturned),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("page.page_token")));

  // A token of one queue is refused by the other.
  Register("case-b", kReturned);
  request.mutable_page()->set_page_size(1);
  *request.mutable_as_of() = api::ToDate(kReturned + 40);
  auto first = queues_->OverduePlans(both, request, kReturned);
  ASSERT_THAT(first.status(), IsOk());
  ASSERT_FALSE(first->next_page_token().empty());
  homeward::v1::ListOverdueActivitiesRequest activities;
  activities.set_office_id("office-dakar");
  activities.mutable_page()->set_page_token(first->next_page_token());
  EXPECT_THAT(queues_->OverdueActivities(both, activities, kReturned),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("page.page_token")));
}

// Cases of two offices spread over the partitions: pages of 3 list each
// overdue case of the office once, partition after partition, each
// partition oldest first, and the same items as one large page.
TEST_F(PlanQueuesTest, PagesWalkThePartitionsOldestFirst) {
  std::vector<std::string> expected;
  for (int i = 0; i < 24; ++i) {
    const std::string id = absl::StrCat("case-p", i);
    const bool dakar = i % 3 != 0;
    // Later-registered cases returned earlier, so that index order is not
    // registration order; every fourth one is not due yet.
    const absl::CivilDay returned = kReturned + (i % 4 == 0 ? 100 : -i);
    Register(id, returned, dakar ? "office-dakar" : "office-thies");
    if (dakar && i % 4 != 0) expected.push_back(id);
  }
  homeward::v1::ListOverduePlansRequest request;
  request.set_office_id("office-dakar");
  *request.mutable_as_of() = api::ToDate(kReturned + 60);
  const Principal who = Staff({"office-dakar"});

  request.mutable_page()->set_page_size(500);
  int pages = 0;
  const std::vector<std::string> whole =
      AllOverduePlans(who, request, kReturned, &pages);
  EXPECT_EQ(pages, 1);
  request.mutable_page()->set_page_size(3);
  const std::vector<std::string> paged =
      AllOverduePlans(who, request, kReturned, &pages);
  EXPECT_EQ(paged, whole);
  EXPECT_GT(pages, 4);

  std::vector<std::string> ids;
  for (const std::string& item : paged)
    ids.push_back(item.substr(0, item.find('=')));
  EXPECT_THAT(ids, UnorderedElementsAreArray(expected));
  // Partition order, then return date order within a partition.
  std::vector<std::pair<uint32_t, absl::CivilDay>> order;
  for (const std::string& id : ids) {
    const Date& d = cases_[id].return_info().return_date();
    order.push_back(
        {PartitionOf(id), absl::CivilDay(d.year(), d.month(), d.day())});
  }
  EXPECT_TRUE(std::is_sorted(order.begin(), order.end()));
  std::set<uint32_t> partitions;
  for (const auto& [p, day] : order) partitions.insert(p);
  EXPECT_GT(partitions.size(), 2u);
}

// The store orders index ids by length first; padding makes the date decide
// even between case ids of different lengths.
TEST_F(PlanQueuesTest, EntriesSortByDateWhateverTheIdLength) {
  storage::WriteSet set;
  JoinPlanQueue(3, api::ToDate(kReturned + 2), "c", set);
  JoinPlanQueue(3, api::ToDate(kReturned + 1), "a-much-longer-case-id", set);
  JoinPlanQueue(3, api::ToDate(kReturned), "case-mid", set);
  UpdateActivityQueue(3, nullptr, nullptr, set);
  Commit(std::move(set));
  EXPECT_THAT(Entries(kAwaitingPlanIndex),
              ElementsAre("2026-01-10/case-mid",
                          "2026-01-11/a-much-longer-case-id", "2026-01-12/c"));
  QueueEntry entry;
  ASSERT_TRUE(ParseQueueEntry(
      ActivityDueEntry(api::ToDate(kReturned), "case-x", "AC12"), true,
      &entry));
  EXPECT_EQ(entry.date, kReturned);
  EXPECT_EQ(entry.case_id, "case-x");
  EXPECT_EQ(entry.activity_id, "AC12");
  EXPECT_FALSE(ParseQueueEntry("2026-02-30/case-x", false, &entry));
  EXPECT_EQ(AwaitingPlanEntry(Date(), "case-x"), "");
}

// A moved return date moves the case in the queue; an entry under an
// earlier date left by a race neither lists the case twice nor under the
// old date.
TEST_F(PlanQueuesTest, AMovedReturnDateMovesTheCase) {
  Register("case-a", kReturned);
  const Principal who = Staff({"office-dakar"});
  const absl::CivilDay as_of = kReturned + 40;
  EXPECT_THAT(OverduePlanCases(who, "", "", as_of),
              ElementsAre("case-a@cm-1 2026-01-10"));
  MoveReturnDate("case-a", kReturned + 20);
  EXPECT_THAT(Entries(kAwaitingPlanIndex), ElementsAre("2026-01-30/case-a"));
  EXPECT_THAT(OverduePlanCases(who, "", "", as_of), IsEmpty());
  MoveReturnDate("case-a", kReturned + 5);
  EXPECT_THAT(OverduePlanCases(who, "", "", as_of),
              ElementsAre("case-a@cm-1 2026-01-15"));

  storage::WriteSet stale;
  JoinPlanQueue(PartitionOf("case-a"), api::ToDate(kReturned), "case-a", stale);
  Commit(std::move(stale));
  EXPECT_THAT(OverduePlanCases(who, "", "", as_of),
              ElementsAre("case-a@cm-1 2026-01-15"));
}

// A call reads at most kMaxEntriesPerCall entries: behind that many entries
// it cannot list (cases this replica has not heard of), the first page comes
// back short with a token, and the next one goes on from there.
TEST_F(PlanQueuesTest, ACallReadsABoundedNumberOfEntries) {
  storage::WriteSet set;
  for (int i = 0; i < PlanQueues::kMaxEntriesPerCall; ++i) {
    JoinPlanQueue(0, api::ToDate(kReturned - 1), absl::StrCat("unknown-", i),
                  set);
  }
  Commit(std::move(set));
  Register("case-a", kReturned);
  homeward::v1::ListOverduePlansRequest request;
  *request.mutable_as_of() = api::ToDate(kReturned + 40);
  const Principal who = Staff({"office-dakar"});
  auto first = queues_->OverduePlans(who, request, kReturned);
  ASSERT_THAT(first.status(), IsOk());
  EXPECT_EQ(first->plans_size(), 0);
  ASSERT_FALSE(first->next_page_token().empty());
  request.mutable_page()->set_page_token(first->next_page_token());
  int pages = 0;
  EXPECT_THAT(AllOverduePlans(who, request, kReturned, &pages),
              ElementsAre("case-a=PLAN_STATUS_UNSPECIFIED 2026-02-09"));
  EXPECT_EQ(pages, 1);
}

// An ACTIVE plan's activities: PLANNED or IN_PROGRESS with a due date before
// as_of are overdue, oldest first; DONE, DROPPED, due on as_of or later, or
// without a due date are not. Another office's are not listed.
TEST_F(PlanQueuesTest,
       OverdueActivitiesArePlannedOrInProgressPastTheirDueDate) {
  const absl::CivilDay as_of = kReturned + 60;
  struct Row {
    std::string id;
    homeward::v1::ActivityStatus status;
    bool has_due_date;
    int due_days_from_as_of;
  };
  const std::vector<Row> rows = {
      {"AC1", homeward::v1::ACTIVITY_STATUS_PLANNED, true, -1},
      {"AC2", homeward::v1::ACTIVITY_STATUS_IN_PROGRESS, true, -10},
      {"AC3", homeward::v1::ACTIVITY_STATUS_DONE, true, -10},
      {"AC4", homeward::v1::ACTIVITY_STATUS_DROPPED, true, -10},
      {"AC5", homeward::v1::ACTIVITY_STATUS_PLANNED, true, 0},
      {"AC6", homeward::v1::ACTIVITY_STATUS_PLANNED, false, 0},
      {"AC7", homeward::v1::ACTIVITY_STATUS_IN_PROGRESS, true, 5},
      {"AC8", homeward::v1::ACTIVITY_STATUS_PLANNED, true, -30},
  };
  Plan content;
  for (const Row& row : rows) {
    auto* a = content.add_activities();
    a->set_activity_id(row.id);
    a->set_description("activity");
    if (row.has_due_date) {
      *a->mutable_due_date() = api::ToDate(as_of + row.due_days_from_as_of);
    }
  }
  for (const std::string& id : {std::string("case-a"), std::string("case-t")}) {
    Register(id, kReturned, id == "case-a" ? "office-dakar" : "office-thies");
    CreatePlan(id, content);
    Plan active = Latest(id);
    active.set_status(homeward::v1::PLAN_STATUS_ACTIVE);
    for (size_t i = 0; i < rows.size(); ++i) {
      active.mutable_activities(i)->set_status(rows[i].status);
    }
    active = Write(active);
    storage::WriteSet set;
    UpdateActivityQueue(PartitionOf(id), nullptr, &active, set);
    Commit(std::move(set));
  }
  EXPECT_THAT(OverdueActivityList(as_of),
              ElementsAre("case-a/AC8 ACTIVITY_STATUS_PLANNED 2026-02-09",
                          "case-a/AC2 ACTIVITY_STATUS_IN_PROGRESS 2026-03-01",
                          "case-a/AC1 ACTIVITY_STATUS_PLANNED 2026-03-10"));
  EXPECT_THAT(OverdueActivityList(as_of, "office-thies"),
              ElementsAre("case-t/AC8 ACTIVITY_STATUS_PLANNED 2026-02-09",
                          "case-t/AC2 ACTIVITY_STATUS_IN_PROGRESS 2026-03-01",
                          "case-t/AC1 ACTIVITY_STATUS_PLANNED 2026-03-10"));
  // Only the activities still to deliver with a due date have entries.
  std::vector<std::string> entries;
  for (const std::string& e : Entries(kActivityDueIndex)) {
    if (e.find("case-a") != std::string::npos) entries.push_back(e);
  }
  EXPECT_THAT(entries, UnorderedElementsAreArray(
                           {"2026-02-09/case-a/AC8", "2026-03-01/case-a/AC2",
                            "2026-03-10/case-a/AC1", "2026-03-11/case-a/AC5",
                            "2026-03-16/case-a/AC7"}));
}

// Entries follow the ACTIVE version through UpdateActivityQueue; an entry
// it has not removed yet (a race, or a write that changed the plan first)
// never shows an activity that is no longer overdue, and a revision in
// progress leaves the ACTIVE version's activities in the queue.
TEST_F(PlanQueuesTest, ActivityEntriesFollowTheActiveVersion) {
  const absl::CivilDay as_of = kReturned + 60;
  const std::string id = "case-a";
  const uint32_t p = PartitionOf(id);
  Register(id, kReturned);
  Plan content;
  for (const char* activity : {"AC1", "AC2"}) {
    auto* a = content.add_activities();
    a->set_activity_id(activity);
    a->set_description("activity");
    *a->mutable_due_date() = api::ToDate(kReturned + 30);
  }
  CreatePlan(id, content);
  const Plan v1 = SetStatus(id, homeward::v1::PLAN_STATUS_ACTIVE);
  {
    storage::WriteSet set;
    UpdateActivityQueue(p, nullptr, &v1, set);
    Commit(std::move(set));
  }
  EXPECT_THAT(OverdueActivityList(as_of),
              ElementsAre("case-a/AC1 ACTIVITY_STATUS_PLANNED 2026-02-09",
                          "case-a/AC2 ACTIVITY_STATUS_PLANNED 2026-02-09"));

  // AC1 done, the queue not updated yet: not shown anyway.
  Plan done = v1;
  done.mutable_activities(0)->set_status(homeward::v1::ACTIVITY_STATUS_DONE);
  done = Write(done);
  EXPECT_THAT(OverdueActivityList(as_of),
              ElementsAre("case-a/AC2 ACTIVITY_STATUS_PLANNED 2026-02-09"));
  {
    storage::WriteSet set;
    UpdateActivityQueue(p, &v1, &done, set);
    Commit(std::move(set));
  }
  EXPECT_THAT(Entries(kActivityDueIndex), ElementsAre("2026-02-09/case-a/AC2"));

  // A revision moves AC2's due date; until it is activated the ACTIVE
  // version 1 decides.
  Plan next = done;
  next.mutable_activities(1)->set_status(homeward::v1::ACTIVITY_STATUS_PLANNED);
  *next.mutable_activities(1)->mutable_due_date() = api::ToDate(kReturned + 50);
  Plan v2 = Revise(next);
  EXPECT_THAT(OverdueActivityList(as_of),
              ElementsAre("case-a/AC2 ACTIVITY_STATUS_PLANNED 2026-02-09"));

  // Version 2 activated, its entries not written yet: the old entry names a
  // due date the ACTIVE version no longer has.
  v2.set_status(homeward::v1::PLAN_STATUS_ACTIVE);
  v2 = Write(v2);
  EXPECT_THAT(OverdueActivityList(as_of), IsEmpty());
  {
    storage::WriteSet set;
    UpdateActivityQueue(p, &done, &v2, set);
    Commit(std::move(set));
  }
  EXPECT_THAT(Entries(kActivityDueIndex), ElementsAre("2026-03-01/case-a/AC2"));
  EXPECT_THAT(OverdueActivityList(as_of),
              ElementsAre("case-a/AC2 ACTIVITY_STATUS_PLANNED 2026-03-01"));

  // Completed: nothing is ACTIVE, whatever the index still holds.
  SetStatus(id, homeward::v1::PLAN_STATUS_COMPLETED);
  EXPECT_THAT(OverdueActivityList(as_of), IsEmpty());
  {
    storage::WriteSet set;
    UpdateActivityQueue(p, &v2, nullptr, set);
    Commit(std::move(set));
  }
  EXPECT_THAT(Entries(kActivityDueIndex), IsEmpty());
}

// A change of one activity's status (SetActivityStatus) moves that
// activity's entry alone: in while PLANNED or IN_PROGRESS with a due date,
// out once DONE or DROPPED.
TEST_F(PlanQueuesTest, ActivityEntryFollowsOneActivitysStatus) {
  const std::string id = "case-a";
  const uint32_t p = PartitionOf(id);
  homeward::v1::PlanActivity undated;
  undated.set_activity_id("AC1");
  undated.set_status(homeward::v1::ACTIVITY_STATUS_PLANNED);
  homeward::v1::PlanActivity planned = undated;
  *planned.mutable_due_date() = api::ToDate(kReturned + 30);
  homeward::v1::PlanActivity started = planned;
  started.set_status(homeward::v1::ACTIVITY_STATUS_IN_PROGRESS);
  homeward::v1::PlanActivity done = planned;
  done.set_status(homeward::v1::ACTIVITY_STATUS_DONE);
  auto move = [&](const homeward::v1::PlanActivity& before,
                  const homeward::v1::PlanActivity& after) {
    storage::WriteSet set;
    UpdateActivityQueueEntry(p, id, before, after, set);
    Commit(std::move(set));
    return Entries(kActivityDueIndex);
  };
  EXPECT_THAT(move(undated, planned), ElementsAre("2026-02-09/case-a/AC1"));
  EXPECT_THAT(move(planned, started), ElementsAre("2026-02-09/case-a/AC1"));
  EXPECT_THAT(move(started, done), IsEmpty());
  EXPECT_THAT(move(undated, started), ElementsAre("2026-02-09/case-a/AC1"));
  EXPECT_THAT(move(started, undated), IsEmpty());
}

}  // namespace
}  // namespace homeward::planning
