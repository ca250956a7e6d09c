// The case directory over a real store in a temporary directory, fed events
// built by hand the way the assessment service writes them: what each case
// event leaves in the directory, redelivered and out-of-date events, events
// it ignores or refuses, partitions it does not own, and Authorize's answers.
// tests/case_directory_test.cc checks the same against the real assessment
// service's feed and answers.
#include "common/cases/case_directory.h"

#include <memory>
#include <string>

#include "common/api/etags.h"
#include "common/status/status_matchers.h"
#include "common/storage/partitions.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/fixtures/case_fixtures.h"
#include "tests/fixtures/consumer_loop.h"
#include "tests/fixtures/temp_dir.h"

namespace homeward::cases {
namespace {

using ::homeward::testing::ApplyAndCommit;
using ::homeward::testing::IsOk;
using ::homeward::testing::MakePrincipal;
using ::homeward::testing::StatusIs;
using ::homeward::v1::Case;
using ::homeward::v1::Event;
using ::testing::HasSubstr;

constexpr uint32_t kPartitions = 64;

Case CaseOf(const std::string& id, const std::string& office,
            const std::string& manager, uint64_t version) {
  Case c;
  c.set_case_id(id);
  c.set_office_id(office);
  c.set_case_manager_id(manager);
  c.set_stage(homeward::v1::CASE_STAGE_INTAKE);
  c.set_etag(api::EtagOf(version));
  c.set_partition(storage::PartitionOf(id, kPartitions));
  c.mutable_returnee()->set_given_name("Awa");
  return c;
}

Event EventAbout(const Case& c, uint64_t sequence) {
  Event e;
  e.set_partition(storage::PartitionOf(c.case_id(), kPartitions));
  e.set_sequence(sequence);
  e.set_subject_id(c.case_id());
  return e;
}

Event Registered(const Case& c, uint64_t sequence) {
  Event e = EventAbout(c, sequence);
  *e.mutable_case_registered()->mutable_case_() = c;
  return e;
}

Event Updated(const Case& c, uint64_t sequence) {
  Event e = EventAbout(c, sequence);
  *e.mutable_case_updated()->mutable_case_() = c;
  return e;
}

Event Assigned(const Case& before, const Case& after, uint64_t sequence) {
  Event e = EventAbout(after, sequence);
  auto* assigned = e.mutable_case_assigned();
  assigned->set_case_id(after.case_id());
  assigned->set_from_office_id(before.office_id());
  assigned->set_to_office_id(after.office_id());
  assigned->set_from_case_manager_id(before.case_manager_id());
  assigned->set_to_case_manager_id(after.case_manager_id());
  *assigned->mutable_case_() = after;
  return e;
}

class CaseDirectoryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto store = storage::Store::Open(
        {.path = dir_.path() + "/db", .partition_count = kPartitions});
    ASSERT_THAT(store.status(), IsOk());
    store_ = std::move(*store);
    directory_ = std::make_unique<CaseDirectory>(
        store_.get(), storage::PartitionSet::All(kPartitions));
  }

  absl::Status Follow(const Event& e) {
    return ApplyAndCommit(*directory_, *store_, e);
  }

  testing::TempDir dir_;
  std::unique_ptr<storage::Store> store_;
  std::unique_ptr<CaseDirectory> directory_;
};

TEST_F(CaseDirectoryTest, KeepsTheScopeOfRegisteredUpdatedAndAssignedCases) {
  Case c = CaseOf("C-dir-1", "dakar", "cm-1", 1);
  ASSERT_THAT(Follow(Registered(c, 1)), IsOk());
  absl::StatusOr<CaseScope> scope = directory_->Get("C-dir-1");
  ASSERT_THAT(scope.status(), IsOk());
  EXPECT_EQ(scope->office_id(), "dakar");
  EXPECT_EQ(scope->case_manager_id(), "cm-1");
  EXPECT_EQ(scope->partition(), storage::PartitionOf("C-dir-1", kPartitions));
  EXPECT_EQ(scope->version(), 1u);

  Case updated = c;
  updated.set_stage(homeward::v1::CASE_STAGE_CLOSED);
  updated.set_etag(api::EtagOf(2));
  ASSERT_THAT(Follow(Updated(updated, 2)), IsOk());
  scope = directory_->Get("C-dir-1");
  ASSERT_THAT(scope.status(), IsOk());
  EXPECT_EQ(scope->stage(), homeward::v1::CASE_STAGE_CLOSED);
  EXPECT_TRUE(scope->closed());
  EXPECT_EQ(scope->version(), 2u);

  Case moved = updated;
  moved.set_office_id("thies");
  moved.set_case_manager_id("cm-9");
  moved.set_etag(api::EtagOf(3));
  ASSERT_THAT(Follow(Assigned(updated, moved, 3)), IsOk());
  scope = directory_->Get("C-dir-1");
  ASSERT_THAT(scope.status(), IsOk());
  EXPECT_EQ(scope->office_id(), "thies");
  EXPECT_EQ(scope->case_manager_id(), "cm-9");
  EXPECT_EQ(scope->version(), 3u);
  // The cursor moved with each effect.
  EXPECT_THAT(store_->GetCursor(directory_->name(),
                                storage::PartitionOf("C-dir-1", kPartitions)),
              testing::IsOkAndHolds(3u));
}

TEST_F(CaseDirectoryTest, RedeliveredAndOlderEventsChangeNothing) {
  Case v1 = CaseOf("C-dir-2", "dakar", "cm-1", 1);
  Case v2 = v1;
  v2.set_case_manager_id("cm-2");
  v2.set_etag(api::EtagOf(2));
  ASSERT_THAT(Follow(Registered(v1, 1)), IsOk());
  ASSERT_THAT(Follow(Assigned(v1, v2, 2)), IsOk());
  // The same event again, then the older one again.
  ASSERT_THAT(Follow(Assigned(v1, v2, 2)), IsOk());
  ASSERT_THAT(Follow(Registered(v1, 1)), IsOk());
  absl::StatusOr<CaseScope> scope = directory_->Get("C-dir-2");
  ASSERT_THAT(scope.status(), IsOk());
  EXPECT_EQ(scope->case_manager_id(), "cm-2");
  EXPECT_EQ(scope->version(), 2u);
}

// The follower may apply several events before committing any of them
// (ReadsOwnProjection() is false): the later event still wins.
TEST_F(CaseDirectoryTest, EventsAppliedBeforeEitherCommitsLeaveTheNewest) {
  ASSERT_FALSE(directory_->ReadsOwnProjection());
  Case v1 = CaseOf("C-dir-3", "dakar", "cm-1", 1);
  Case v2 = v1;
  v2.set_office_id("thies");
  v2.set_etag(api::EtagOf(2));
  absl::StatusOr<storage::WriteSet> first =
      directory_->Apply(Registered(v1, 1));
  absl::StatusOr<storage::WriteSet> second =
      directory_->Apply(Assigned(v1, v2, 2));
  ASSERT_THAT(first.status(), IsOk());
  ASSERT_THAT(second.status(), IsOk());
  ASSERT_THAT(store_->Commit(std::move(*first)).status(), IsOk());
  ASSERT_THAT(store_->Commit(std::move(*second)).status(), IsOk());
  absl::StatusOr<CaseScope> scope = directory_->Get("C-dir-3");
  ASSERT_THAT(scope.status(), IsOk());
  EXPECT_EQ(scope->office_id(), "thies");
  EXPECT_EQ(scope->version(), 2u);
}

TEST_F(CaseDirectoryTest, IgnoresEventsThatChangeNoScope) {
  Case c = CaseOf("C-dir-4", "dakar", "cm-1", 1);
  ASSERT_THAT(Follow(Registered(c, 1)), IsOk());
  Event consent = EventAbout(c, 2);
  consent.mutable_consent_changed()->mutable_consent()->set_case_id(
      c.case_id());
  Event session = EventAbout(c, 3);
  session.mutable_counselling_session_recorded()->set_case_id(c.case_id());
  Event assessed = EventAbout(c, 4);
  assessed.mutable_assessment_completed()->set_case_id(c.case_id());
  for (const Event& e : {consent, session, assessed}) {
    ASSERT_THAT(Follow(e), IsOk());
  }
  absl::StatusOr<CaseScope> scope = directory_->Get("C-dir-4");
  ASSERT_THAT(scope.status(), IsOk());
  EXPECT_EQ(scope->version(), 1u);
  EXPECT_THAT(store_->GetCursor(directory_->name(), consent.partition()),
              testing::IsOkAndHolds(4u));
}

TEST_F(CaseDirectoryTest, RefusesCaseEventsThatDoNotCarryTheirCase) {
  Case v1 = CaseOf("C-dir-5", "dakar", "cm-1", 1);
  Case no_etag = v1;
  no_etag.clear_etag();
  EXPECT_THAT(directory_->Apply(Registered(no_etag, 1)).status(),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("case_registered.case.etag")));
  Event elsewhere = Updated(v1, 1);
  elsewhere.set_partition((elsewhere.partition() + 1) % kPartitions);
  EXPECT_THAT(directory_->Apply(elsewhere).status(),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("case_updated.case.case_id")));
  EXPECT_THAT(directory_->Get("C-dir-5"),
              StatusIs(absl::StatusCode::kNotFound));
}

TEST_F(CaseDirectoryTest, KeepsOnlyThePartitionsItOwns) {
  Case mine = CaseOf("C-dir-6", "dakar", "cm-1", 1);
  const uint32_t p = mine.partition();
  google::protobuf::RepeatedPtrField<homeward::internal::v1::PartitionRange>
      ranges;
  ranges.Add()->set_first(p);
  ranges.Mutable(0)->set_last(p);
  absl::StatusOr<storage::PartitionSet> owned =
      storage::PartitionSet::FromRanges(ranges, kPartitions);
  ASSERT_THAT(owned.status(), IsOk());
  CaseDirectory narrow(store_.get(), *owned, "narrow_directory");
  ASSERT_THAT(ApplyAndCommit(narrow, *store_, Registered(mine, 1)), IsOk());
  EXPECT_THAT(narrow.Get("C-dir-6").status(), IsOk());

  std::string other_id = "C-dir-7";
  for (int i = 0; storage::PartitionOf(other_id, kPartitions) == p; ++i) {
    other_id = "C-dir-7-" + std::to_string(i);
  }
  Case other = CaseOf(other_id, "dakar", "cm-1", 1);
  absl::StatusOr<storage::WriteSet> ignored =
      narrow.Apply(Registered(other, 1));
  ASSERT_THAT(ignored.status(), IsOk());
  ASSERT_THAT(store_->Commit(std::move(*ignored)).status(), IsOk());
  EXPECT_THAT(directory_->Get(other_id), StatusIs(absl::StatusCode::kNotFound));
  EXPECT_THAT(narrow.Get(other_id),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       HasSubstr("does not own")));
}

TEST_F(CaseDirectoryTest, AuthorizesInTheAssessmentServicesOrder) {
  Case c = CaseOf("C-dir-8", "dakar", "cm-1", 1);
  ASSERT_THAT(Follow(Registered(c, 1)), IsOk());
  const auto manager =
      MakePrincipal("cm-1", homeward::v1::ROLE_CASE_MANAGER, {"dakar"});
  const auto elsewhere =
      MakePrincipal("cm-2", homeward::v1::ROLE_CASE_MANAGER, {"thies"});
  const auto monitor =
      MakePrincipal("mo-1", homeward::v1::ROLE_MONITORING_OFFICER, {"dakar"});
  auto partner = MakePrincipal("pa-1", homeward::v1::ROLE_PARTNER_AGENCY, {});
  partner.set_agency_id("caritas");

  absl::StatusOr<CaseScope> scope =
      directory_->Authorize(manager, "C-dir-8", "case_id", CaseAction::kUpdate);
  ASSERT_THAT(scope.status(), IsOk());
  EXPECT_EQ(scope->case_id(), "C-dir-8");
  EXPECT_THAT(
      directory_->Authorize(elsewhere, "C-dir-8", "case_id", CaseAction::kRead),
      StatusIs(absl::StatusCode::kPermissionDenied));
  EXPECT_THAT(
      directory_->Authorize(manager, "C-unknown", "case_id", CaseAction::kRead),
      StatusIs(absl::StatusCode::kNotFound));
  EXPECT_THAT(
      directory_->Authorize(manager, "", "plan.case_id", CaseAction::kRead),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("plan.case_id")));
  // The role comes first: a role that may never read learns that, whatever
  // the case id.
  EXPECT_THAT(directory_->Authorize(monitor, "", "case_id", CaseAction::kRead),
              StatusIs(absl::StatusCode::kPermissionDenied));
  EXPECT_THAT(
      directory_->Authorize(monitor, "C-unknown", "case_id", CaseAction::kRead),
      StatusIs(absl::StatusCode::kPermissionDenied));

  // A partner agency: nothing without a grant, read-only with one.
  EXPECT_THAT(
      directory_->Authorize(partner, "C-dir-8", "case_id", CaseAction::kRead),
      StatusIs(absl::StatusCode::kPermissionDenied));
  PartnerGrant shared({"caritas"});
  PartnerGrant not_shared({"red-cross"});
  EXPECT_THAT(
      directory_
          ->Authorize(partner, "C-dir-8", "case_id", CaseAction::kRead, &shared)
          .status(),
      IsOk());
  EXPECT_THAT(directory_->Authorize(partner, "C-dir-8", "case_id",
                                    CaseAction::kUpdate, &shared),
              StatusIs(absl::StatusCode::kPermissionDenied));
  EXPECT_THAT(directory_->Authorize(partner, "C-dir-8", "case_id",
                                    CaseAction::kRead, &not_shared),
              StatusIs(absl::StatusCode::kPermissionDenied));
  EXPECT_THAT(directory_->Authorize(partner, "C-unknown", "case_id",
                                    CaseAction::kRead, &shared),
              StatusIs(absl::StatusCode::kNotFound));
}

// Feeds written before CaseAssigned carried the case: the assignment moves
// the stored scope to the case's next version, but only once every earlier
// event of the partition is committed (a batch-mate would be overwritten).
TEST_F(CaseDirectoryTest,
       AppliesAnAssignmentWithoutItsCaseAfterTheEventsBeforeIt) {
  Case c = CaseOf("C-dir-legacy", "dakar", "cm-1", 1);
  Case moved = CaseOf("C-dir-legacy", "thies", "cm-3", 2);
  Event legacy = Assigned(c, moved, 3);
  legacy.mutable_case_assigned()->clear_case_();

  // Before its registration (sequence 1) is applied: refused, retried later.
  EXPECT_THAT(directory_->Apply(legacy).status(),
              StatusIs(absl::StatusCode::kUnavailable));
  ASSERT_THAT(Follow(Registered(c, 1)), IsOk());
  // Sequence 2 (an event of another case, say) is not committed yet either.
  EXPECT_THAT(directory_->Apply(legacy).status(),
              StatusIs(absl::StatusCode::kUnavailable));
  Event other = Registered(CaseOf("C-dir-legacy", "dakar", "cm-1", 1), 2);
  ASSERT_THAT(Follow(other), IsOk());  // redelivered registration: no change

  ASSERT_THAT(Follow(legacy), IsOk());
  absl::StatusOr<CaseScope> scope = directory_->Get("C-dir-legacy");
  ASSERT_THAT(scope.status(), IsOk());
  EXPECT_EQ(scope->office_id(), "thies");
  EXPECT_EQ(scope->case_manager_id(), "cm-3");
  EXPECT_EQ(scope->stage(), homeward::v1::CASE_STAGE_INTAKE);
  EXPECT_EQ(scope->version(), 2u);

  // The next change, which carries its case at version 3, still applies.
  Case updated = moved;
  updated.set_etag(api::EtagOf(3));
  updated.set_stage(homeward::v1::CASE_STAGE_ASSESSMENT);
  ASSERT_THAT(Follow(Updated(updated, 4)), IsOk());
  EXPECT_EQ(directory_->Get("C-dir-legacy")->stage(),
            homeward::v1::CASE_STAGE_ASSESSMENT);
}

TEST_F(CaseDirectoryTest, RefusesAnAssignmentWithoutItsCaseOfAnUnknownCase) {
  Case c = CaseOf("C-dir-unknown", "dakar", "cm-1", 1);
  Event legacy = Assigned(c, c, 1);
  legacy.mutable_case_assigned()->clear_case_();
  EXPECT_THAT(directory_->Apply(legacy).status(),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       HasSubstr("not in the directory")));
}

}  // namespace
}  // namespace homeward::cases
