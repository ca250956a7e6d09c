// Bulk loading of cases through the assessment service's CaseStore; see
// case_bulk_load.h.
#include "tools/bulk_load/case_bulk_load.h"

#include <filesystem>
#include <memory>
#include <optional>
#include <system_error>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "common/api/field_checks.h"
#include "common/service/actor.h"
#include "common/status/status_macros.h"
#include "common/storage/deployment_settings.h"
#include "common/storage/encryption_key.h"
#include "common/storage/partitions.h"
#include "common/storage/store.h"
#include "homeward/internal/v1/config.pb.h"
#include "services/assessment/case_store.h"

namespace homeward::bulk_load {
namespace {

// Who the loaded cases' history, events and audit entries name: the tool,
// not a person.
constexpr char kLoaderUser[] = "homeward-bulk-load";
constexpr char kLoaderMethod[] = "homeward-bulk-load/LoadCases";

absl::Status Validate(const BulkLoadOptions& options) {
  if (options.data_dir.empty()) {
    return absl::InvalidArgumentError("data_dir is required");
  }
  if (options.office_id.empty()) {
    return absl::InvalidArgumentError("office_id is required");
  }
  if (options.case_manager_id.empty()) {
    return absl::InvalidArgumentError("case_manager_id is required");
  }
  if (options.cases < 1) {
    return absl::InvalidArgumentError("cases must be at least 1");
  }
  if (options.in_flight < 1) {
    return absl::InvalidArgumentError("in_flight must be at least 1");
  }
  if (options.partition_count < 1) {
    return absl::InvalidArgumentError("partition_count must be at least 1");
  }
  return absl::OkStatus();
}

// Counts the registrations in flight and what came back; the loading
// thread waits on it, the store's completion thread reports to it.
class Outstanding {
 public:
  explicit Outstanding(int limit) : limit_(limit) {}

  // Blocks while `limit` registrations are in flight; false once one failed.
  bool Reserve() {
    absl::MutexLock lock(&mu_);
    mu_.Await(absl::Condition(
        +[](Outstanding* o) { return o->in_flight_ < o->limit_; }, this));
    if (!first_error_.ok()) return false;
    ++in_flight_;
    return true;
  }
  void Done(const absl::Status& status) {
    absl::MutexLock lock(&mu_);
    --in_flight_;
    if (!status.ok() && first_error_.ok()) first_error_ = status;
  }
  // Waits until nothing is in flight; the first error, if any.
  absl::Status Drain() {
    absl::MutexLock lock(&mu_);
    mu_.Await(absl::Condition(
        +[](Outstanding* o) { return o->in_flight_ == 0; }, this));
    return first_error_;
  }

 private:
  const int limit_;
  absl::Mutex mu_;
  int in_flight_ ABSL_GUARDED_BY(mu_) = 0;
  absl::Status first_error_ ABSL_GUARDED_BY(mu_);
};

}  // namespace

homeward::v1::Case BulkCase(const BulkLoadOptions& options, int64_t index) {
  homeward::v1::Case c;
  homeward::v1::Returnee& returnee = *c.mutable_returnee();
  returnee.set_given_name("Returnee");
  returnee.set_family_name(absl::StrCat(index));
  returnee.set_sex(index % 2 == 0 ? homeward::v1::SEX_FEMALE
                                  : homeward::v1::SEX_MALE);
  *returnee.mutable_date_of_birth() = api::ToDate(absl::CivilDay(
      1970 + static_cast<int>(index % 35), 1 + static_cast<int>(index % 12),
      1 + static_cast<int>(index % 28)));
  returnee.set_nationality("SN");
  returnee.add_languages("wo");
  returnee.add_languages("fr");
  homeward::v1::ReturnInfo& info = *c.mutable_return_info();
  info.set_country("SN");
  info.set_region("Dakar");
  info.set_locality("Pikine");
  *info.mutable_return_date() = api::ToDate(options.return_date);
  info.set_return_type(homeward::v1::RETURN_TYPE_ASSISTED_VOLUNTARY);
  c.set_office_id(options.office_id);
  c.set_case_manager_id(options.case_manager_id);
  c.set_programme_id(options.programme_id);
  return c;
}

absl::StatusOr<BulkLoadResult> LoadCases(const BulkLoadOptions& options) {
  RETURN_IF_ERROR(Validate(options));
  std::optional<storage::EncryptionKey> encryption_key;
  if (!options.encryption_key_file.empty()) {
    ASSIGN_OR_RETURN(encryption_key,
                     storage::EncryptionKey::ReadFile(
                         options.encryption_key_file, "encryption_key_file"));
  }
  std::error_code error;
  std::filesystem::create_directories(options.data_dir, error);
  if (error) {
    return absl::InternalError(absl::StrCat("cannot create ", options.data_dir,
                                            ": ", error.message()));
  }
  const absl::Time start = absl::Now();
  BulkLoadResult result;
  {
    // Opened as ServiceHost opens a service's store, but without the WAL
    // sync per commit: a crash mid-load loses the load, which is rerun.
    ASSIGN_OR_RETURN(
        std::unique_ptr<storage::Store> store,
        storage::Store::Open({.path = options.data_dir + "/rocksdb",
                              .sync_writes = false,
                              .record_cache_bytes = 0,
                              .partition_count = options.partition_count,
                              .encryption_key = encryption_key}));
    // The same check the service makes at start, so that a directory of
    // another deployment is refused, and a new one records its count.
    homeward::internal::v1::ServiceConfig fixed;
    fixed.set_partition_count(options.partition_count);
    RETURN_IF_ERROR(
        storage::KeepDeploymentSettings(*store, fixed, options.data_dir)
            .status());
    assessment::CaseStore cases(
        store.get(), storage::PartitionSet::All(options.partition_count));
    service::Actor actor;
    actor.principal.set_user_id(kLoaderUser);
    actor.principal.set_role(homeward::v1::ROLE_ADMINISTRATOR);
    actor.principal.add_office_ids(options.office_id);
    actor.method = kLoaderMethod;

    if (options.keep_ids) result.case_ids.resize(options.cases);
    Outstanding outstanding(options.in_flight);
    for (int64_t i = 0; i < options.cases; ++i) {
      if (!outstanding.Reserve()) break;
      actor.request_id = absl::StrCat(options.request_id_prefix, i);
      std::string* id = options.keep_ids ? &result.case_ids[i] : nullptr;
      cases.Register(actor, actor.request_id, BulkCase(options, i),
                     [&outstanding, id](absl::StatusOr<homeward::v1::Case> c) {
                       if (c.ok() && id != nullptr) *id = c->case_id();
                       outstanding.Done(c.status());
                     });
      if (options.progress && (i + 1) % options.progress_every == 0) {
        options.progress(i + 1);
      }
    }
    RETURN_IF_ERROR(outstanding.Drain());
    // Closing the store drains its committer and closes RocksDB cleanly.
  }
  result.cases = options.cases;
  result.seconds = absl::ToDoubleSeconds(absl::Now() - start);
  return result;
}

}  // namespace homeward::bulk_load
