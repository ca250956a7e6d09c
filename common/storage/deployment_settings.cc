// Deployment-fixed settings kept with the data; see deployment_settings.h.
#include "common/storage/deployment_settings.h"

#include <algorithm>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/status/errors.h"
#include "common/status/status_macros.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/text_format.h"

namespace homeward::storage {
namespace {

using ::google::protobuf::FieldDescriptor;
using ::homeward::internal::v1::ServiceConfig;

// A field's value as the configuration file would spell it.
std::string ValueOf(const ServiceConfig& config, const FieldDescriptor* field) {
  std::string text;
  google::protobuf::TextFormat::PrintFieldValueToString(config, field, -1,
                                                        &text);
  return text;
}

// Without an audit entry: the audit trail records what callers did to
// records, and this is the store's own bookkeeping (an operator sees it in
// the start's log and in a refusal's message).
absl::Status RecordSettings(Store& store, const ServiceConfig& fixed) {
  WriteSet set;
  // Version 0: two processes racing on one directory cannot both record.
  set.ExpectVersion(kConfigurationPartition, kDeploymentSettingsKind,
                    kDeploymentSettingsId, 0)
      .PutRecord(kConfigurationPartition, kDeploymentSettingsKind,
                 kDeploymentSettingsId, 1, fixed);
  return store.Commit(std::move(set)).status();
}

}  // namespace

absl::StatusOr<SettingsCheck> KeepDeploymentSettings(
    Store& store, const ServiceConfig& fixed, absl::string_view data_dir) {
  ServiceConfig stored;
  uint64_t version = 0;
  ASSIGN_OR_RETURN(
      bool found,
      store.GetRecord(kConfigurationPartition, kDeploymentSettingsKind,
                      kDeploymentSettingsId, &stored, &version));
  if (!found) {
    // Every change to a store writes an audit entry, so an empty audit
    // trail means nothing was ever stored here.
    ASSIGN_OR_RETURN(std::vector<homeward::internal::v1::AuditEntry> earlier,
                     store.ReadAudit(0, 1));
    RETURN_IF_ERROR(RecordSettings(store, fixed));
    return earlier.empty() ? SettingsCheck::kRecorded : SettingsCheck::kAdopted;
  }
  // Reflection, so that a field added to the fixed settings later is
  // compared without code here.
  const auto* reflection = ServiceConfig::GetReflection();
  std::vector<const FieldDescriptor*> fields, in_fixed;
  reflection->ListFields(stored, &fields);
  reflection->ListFields(fixed, &in_fixed);
  for (const FieldDescriptor* field : in_fixed) {
    if (std::find(fields.begin(), fields.end(), field) == fields.end()) {
      fields.push_back(field);
    }
  }
  std::vector<std::string> changed;
  for (const FieldDescriptor* field : fields) {
    const std::string was = ValueOf(stored, field);
    const std::string now = ValueOf(fixed, field);
    if (was != now) {
      changed.push_back(absl::StrCat(field->name(), " ", was,
                                     ", but this start is configured with ",
                                     field->name(), " ", now));
    }
  }
  if (changed.empty()) return SettingsCheck::kMatched;
  return errors::FailedPrecondition(
      "DEPLOYMENT_SETTING_CHANGED", data_dir,
      absl::StrCat("the data directory '", data_dir, "' was created with ",
                   absl::StrJoin(changed, "; and with "),
                   ". These settings are fixed when a deployment is created: "
                   "start with the stored values, or with another data "
                   "directory"));
}

}  // namespace homeward::storage
