// A case record log over a real store in a temporary directory, named by a
// CaseScope as a service without a case store names a case: appends land in
// the case's partition in recording order, each with an event whose subject
// is the case and an audit entry naming the case, and a repeated request id
// hands back the first record.
#include "common/cases/case_record_log.h"

#include <memory>
#include <string>
#include <vector>

#include "common/status/status_matchers.h"
#include "common/storage/ids.h"
#include "common/storage/partitions.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "homeward/v1/consent.pb.h"
#include "tests/fixtures/case_fixtures.h"
#include "tests/fixtures/temp_dir.h"

namespace homeward::cases {
namespace {

using ::homeward::testing::IsOk;
using ::homeward::v1::ConsentRecord;
using ::homeward::v1::Event;

constexpr uint32_t kPartitions = 64;

class CaseRecordLogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto store = storage::Store::Open(
        {.path = dir_.path() + "/db", .partition_count = kPartitions});
    ASSERT_THAT(store.status(), IsOk());
    store_ = std::move(*store);
    log_ = std::make_unique<CaseRecordLog<ConsentRecord>>(
        store_.get(), "decision", "RecordDecision");
    scope_.set_case_id("C-log-1");
    scope_.set_partition(storage::PartitionOf("C-log-1", kPartitions));
    scope_.set_office_id("dakar");
    actor_.principal =
        testing::MakePrincipal("cm-1", homeward::v1::ROLE_CASE_MANAGER, {});
    actor_.request_id = "call-1";
    actor_.method = "homeward.v1.PlanningService/RecordDecision";
  }

  absl::StatusOr<ConsentRecord> Append(const std::string& request_id,
                                       const std::string& recipient) {
    const std::string id = storage::TimeOrderedId("K");
    ConsentRecord record;
    record.set_consent_id(id);
    record.set_case_id(scope_.case_id());
    record.set_recipient_agency_id(recipient);
    Event event;
    *event.mutable_consent_changed()->mutable_consent() = record;
    return log_->Append(actor_, scope_, id, request_id, record,
                        std::move(event));
  }

  testing::TempDir dir_;
  std::unique_ptr<storage::Store> store_;
  CaseScope scope_;
  service::Actor actor_;
  std::unique_ptr<CaseRecordLog<ConsentRecord>> log_;
};

TEST_F(CaseRecordLogTest, AppendsUnderTheCaseAndNamesTheCaseAsSubject) {
  absl::StatusOr<ConsentRecord> first = Append("req-1", "agency-a");
  ASSERT_THAT(first.status(), IsOk());
  absl::StatusOr<ConsentRecord> second = Append("", "agency-b");
  ASSERT_THAT(second.status(), IsOk());
  // The same request id again: the first record, nothing written.
  absl::StatusOr<ConsentRecord> replay = Append("req-1", "agency-c");
  ASSERT_THAT(replay.status(), IsOk());
  EXPECT_EQ(replay->consent_id(), first->consent_id());
  EXPECT_EQ(replay->recipient_agency_id(), "agency-a");

  absl::StatusOr<std::vector<ConsentRecord>> all = log_->All(scope_, 1);
  ASSERT_THAT(all.status(), IsOk());
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[0].consent_id(), first->consent_id());
  EXPECT_EQ((*all)[1].consent_id(), second->consent_id());

  auto events = store_->ReadEvents(scope_.partition(), 0, 10);
  ASSERT_THAT(events.status(), IsOk());
  ASSERT_EQ(events->size(), 2u);
  EXPECT_EQ((*events)[0].subject_id(), "C-log-1");
  EXPECT_EQ((*events)[0].consent_changed().consent().consent_id(),
            first->consent_id());
  EXPECT_EQ((*events)[0].request_id(), "req-1");
  EXPECT_EQ((*events)[1].subject_id(), "C-log-1");
  EXPECT_EQ((*events)[1].request_id(), "call-1");  // the call's own id

  auto audit = store_->ListAuditOf("C-log-1", 10, "");
  ASSERT_THAT(audit.status(), IsOk());
  EXPECT_EQ(audit->entries.size(), 2u);
}

}  // namespace
}  // namespace homeward::cases
