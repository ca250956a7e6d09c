// CaseStore over a real RocksDB in a temp dir: the stage move a submission
// commits with it expects the case version it was built from, so that an
// update committed in between is not lost.
#include "services/assessment/case_store.h"

#include <future>
#include <memory>
#include <string>

#include "common/status/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/fixtures/case_fixtures.h"
#include "tests/fixtures/temp_dir.h"

namespace homeward::assessment {
namespace {

using ::homeward::testing::IsOk;
using ::homeward::testing::StatusIs;
using ::homeward::v1::Case;

constexpr uint32_t kPartitions = 4;

class CaseStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto store = storage::Store::Open(
        {.path = dir_.path() + "/db", .partition_count = kPartitions});
    ASSERT_THAT(store.status(), IsOk());
    store_ = std::move(*store);
    cases_ = std::make_unique<CaseStore>(
        store_.get(), storage::PartitionSet::All(kPartitions));
    actor_.principal =
        testing::MakePrincipal("cm-1", v1::ROLE_CASE_MANAGER, {"office-dakar"});
  }

  // Waits for a write's WriteDone.
  template <typename Start>
  absl::StatusOr<Case> Wait(Start start) {
    std::promise<absl::StatusOr<Case>> done;
    start([&done](absl::StatusOr<Case> c) { done.set_value(std::move(c)); });
    return done.get_future().get();
  }

  testing::TempDir dir_;
  std::unique_ptr<storage::Store> store_;
  std::unique_ptr<CaseStore> cases_;
  service::Actor actor_;
};

TEST_F(CaseStoreTest, AStageMoveBuiltBeforeAnUpdateDoesNotOverwriteIt) {
  absl::StatusOr<Case> created = Wait([&](auto done) {
    cases_->Register(actor_, "store-1",
                     testing::ValidRegistration("store-1").case_(), done);
  });
  ASSERT_THAT(created.status(), IsOk());
  ASSERT_EQ(created->stage(), v1::CASE_STAGE_INTAKE);

  // The submission read the case, then an update committed.
  absl::StatusOr<storage::WriteSet> move =
      cases_->StageMove(actor_, *created, "AssessmentCompleted");
  ASSERT_THAT(move.status(), IsOk());
  Case after = *created;
  after.mutable_return_info()->set_locality("Rufisque");
  v1::Event event;
  event.mutable_case_updated();
  absl::StatusOr<Case> updated = Wait([&](auto done) {
    cases_->Replace(actor_, *created, after, 1, event, done);
  });
  ASSERT_THAT(updated.status(), IsOk());

  EXPECT_THAT(store_->Commit(std::move(*move)).status(),
              StatusIs(absl::StatusCode::kAborted));
  absl::StatusOr<Case> read = cases_->Get(created->case_id());
  ASSERT_THAT(read.status(), IsOk());
  EXPECT_EQ(read->return_info().locality(), "Rufisque");
  EXPECT_EQ(read->stage(), v1::CASE_STAGE_INTAKE);

  // Built from the current version, it commits.
  move = cases_->StageMove(actor_, *read, "AssessmentCompleted");
  ASSERT_THAT(move.status(), IsOk());
  ASSERT_THAT(store_->Commit(std::move(*move)).status(), IsOk());
  read = cases_->Get(created->case_id());
  ASSERT_THAT(read.status(), IsOk());
  EXPECT_EQ(read->stage(), v1::CASE_STAGE_ASSESSMENT);
  EXPECT_EQ(read->etag(), "3");
  EXPECT_EQ(read->return_info().locality(), "Rufisque");
  // Listed under its new stage only.
  CaseQuery query;
  query.office_id = "office-dakar";
  query.stage = v1::CASE_STAGE_INTAKE;
  auto intake = cases_->List(query, 10, "");
  ASSERT_THAT(intake.status(), IsOk());
  EXPECT_TRUE(intake->items.empty());
  query.stage = v1::CASE_STAGE_ASSESSMENT;
  auto assessment = cases_->List(query, 10, "");
  ASSERT_THAT(assessment.status(), IsOk());
  ASSERT_EQ(assessment->items.size(), 1u);

  // Nothing more is due from there.
  move = cases_->StageMove(actor_, *read, "AssessmentCompleted");
  ASSERT_THAT(move.status(), IsOk());
  ASSERT_THAT(store_->Commit(std::move(*move)).status(), IsOk());
  EXPECT_EQ(cases_->Get(created->case_id())->etag(), "3");
}

}  // namespace
}  // namespace homeward::assessment
