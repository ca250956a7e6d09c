// Deployment-fixed settings against a real RocksDB: recorded on the first
// start, matched on the next ones, a change refused with both values named.
#include "common/storage/deployment_settings.h"

#include "common/status/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/fixtures/temp_dir.h"

namespace homeward::storage {
namespace {

using ::homeward::internal::v1::ServiceConfig;
using ::homeward::testing::IsOkAndHolds;
using ::homeward::testing::StatusIs;
using ::homeward::testing::TempDir;
using ::testing::AllOf;
using ::testing::HasSubstr;

ServiceConfig Fixed(uint32_t partition_count) {
  ServiceConfig fixed;
  fixed.set_partition_count(partition_count);
  return fixed;
}

std::unique_ptr<Store> OpenStore(const TempDir& dir) {
  auto store = Store::Open({.path = dir.path() + "/db"});
  EXPECT_TRUE(store.ok()) << store.status();
  return std::move(store).value();
}

TEST(DeploymentSettingsTest, FirstStartRecordsAndLaterStartsMatch) {
  TempDir dir;
  {
    auto store = OpenStore(dir);
    EXPECT_THAT(KeepDeploymentSettings(*store, Fixed(64), dir.path()),
                IsOkAndHolds(SettingsCheck::kRecorded));
  }
  auto store = OpenStore(dir);
  EXPECT_THAT(KeepDeploymentSettings(*store, Fixed(64), dir.path()),
              IsOkAndHolds(SettingsCheck::kMatched));
  ServiceConfig stored;
  uint64_t version = 0;
  ASSERT_THAT(store->GetRecord(kConfigurationPartition, kDeploymentSettingsKind,
                               kDeploymentSettingsId, &stored, &version),
              IsOkAndHolds(true));
  EXPECT_EQ(stored.partition_count(), 64u);
}

TEST(DeploymentSettingsTest, ChangedPartitionCountIsRefusedNamingBothValues) {
  TempDir dir;
  {
    auto store = OpenStore(dir);
    ASSERT_OK(KeepDeploymentSettings(*store, Fixed(64), dir.path()).status());
  }
  auto store = OpenStore(dir);
  EXPECT_THAT(
      KeepDeploymentSettings(*store, Fixed(32), dir.path() + "/data").status(),
      StatusIs(absl::StatusCode::kFailedPrecondition,
               AllOf(HasSubstr("partition_count 64"),
                     HasSubstr("configured with partition_count 32"),
                     HasSubstr("'" + dir.path() + "/data'"))));
  // The refusal changed nothing: the stored value still rules.
  EXPECT_THAT(KeepDeploymentSettings(*store, Fixed(64), dir.path()),
              IsOkAndHolds(SettingsCheck::kMatched));
}

TEST(DeploymentSettingsTest, DatabaseWithEarlierDataAdoptsTheConfiguredValues) {
  TempDir dir;
  auto store = OpenStore(dir);
  homeward::internal::v1::AuditEntry earlier;
  earlier.set_action("earlier/Write");
  WriteSet set;
  set.Audit(earlier);
  ASSERT_OK(store->Commit(std::move(set)).status());
  EXPECT_THAT(KeepDeploymentSettings(*store, Fixed(16), dir.path()),
              IsOkAndHolds(SettingsCheck::kAdopted));
  EXPECT_THAT(KeepDeploymentSettings(*store, Fixed(64), dir.path()).status(),
              StatusIs(absl::StatusCode::kFailedPrecondition));
}

}  // namespace
}  // namespace homeward::storage
