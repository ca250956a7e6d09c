// Settings that are fixed when a deployment's data is created and must never
// change under existing data, kept in the data itself. The partition count is
// one: every case-scoped key starts with PartitionOf(case_id, P), so a replica
// restarted with another P looks for existing cases in the wrong partitions
// (NOT_FOUND) and a replayed registration creates the same case again.
//
// The first start on an empty database stores the settings; every later start
// compares them with what it is configured with and refuses to start on a
// difference, naming the stored and configured values and the data directory.
//
//   homeward::internal::v1::ServiceConfig fixed;
//   fixed.set_partition_count(partition_count);  // the effective value
//   ASSIGN_OR_RETURN(SettingsCheck check,
//                    KeepDeploymentSettings(*store, fixed, data_dir));
//   if (check == SettingsCheck::kAdopted) ... log a warning ...
#ifndef HOMEWARD_COMMON_STORAGE_DEPLOYMENT_SETTINGS_H_
#define HOMEWARD_COMMON_STORAGE_DEPLOYMENT_SETTINGS_H_

#include <cstdint>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/storage/partitions.h"
#include "common/storage/store.h"
#include "homeward/internal/v1/config.pb.h"

namespace homeward::storage {

// Where the settings record lives in kConfigurationPartition.
inline constexpr char kDeploymentSettingsKind[] = "deployment_settings";
inline constexpr char kDeploymentSettingsId[] = "service";

enum class SettingsCheck {
  kRecorded,  // a new database: `fixed` is now stored
  kMatched,   // the stored settings equal `fixed`
  // The database held data but no settings (it predates them): `fixed` is
  // now stored, trusting that the configuration did not change meanwhile.
  kAdopted,
};

// `fixed` holds exactly the deployment-fixed fields of the configuration,
// with their effective values (defaults applied). On a database without
// settings it stores `fixed` (one WriteSet); otherwise it
// compares every field set in either and returns FAILED_PRECONDITION
// (DEPLOYMENT_SETTING_CHANGED) naming each changed field with its stored and
// configured value and `data_dir`.
absl::StatusOr<SettingsCheck> KeepDeploymentSettings(
    Store& store, const homeward::internal::v1::ServiceConfig& fixed,
    absl::string_view data_dir);

}  // namespace homeward::storage

#endif  // HOMEWARD_COMMON_STORAGE_DEPLOYMENT_SETTINGS_H_
