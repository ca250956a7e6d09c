// `homewardctl backup`; see backup_command.h.
#include "tools/ctl/backup_command.h"

#include <filesystem>
#include <map>
#include <optional>
#include <set>
#include <system_error>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/time.h"
#include "common/status/errors.h"
#include "common/status/grpc_status.h"
#include "common/status/status_macros.h"
#include "common/storage/backup.h"
#include "common/storage/encryption_key.h"
#include "google/protobuf/util/time_util.h"
#include "homeward/internal/v1/operations.grpc.pb.h"

namespace homeward::ctl {
namespace {

using homeward::internal::v1::BackupInfo;
using homeward::internal::v1::BackupService;

// A backup of a large store copies gigabytes: generous.
constexpr absl::Duration kBackupDeadline = absl::Minutes(30);
constexpr absl::Duration kListDeadline = absl::Seconds(30);

// The flags of one subcommand: `--name value`, `--name=value`, and the
// boolean ones bare.
class Flags {
 public:
  // Refuses a flag not in `valued` or `booleans`, and a word that is not a
  // flag, naming it.
  static absl::StatusOr<Flags> Parse(const std::vector<std::string>& args,
                                     size_t from,
                                     const std::set<std::string>& valued,
                                     const std::set<std::string>& booleans) {
    Flags flags;
    for (size_t i = from; i < args.size(); ++i) {
      const std::string& arg = args[i];
      if (!absl::StartsWith(arg, "--")) {
        return errors::InvalidField(arg, "is not a flag of this command");
      }
      std::string name = arg.substr(2);
      std::optional<std::string> value;
      if (size_t eq = name.find('='); eq != std::string::npos) {
        value = name.substr(eq + 1);
        name = name.substr(0, eq);
      }
      const std::string field = absl::StrCat("--", name);
      if (booleans.count(name) > 0) {
        if (value.has_value() && *value != "true" && *value != "false") {
          return errors::InvalidField(field, "takes no value (or true/false)");
        }
        flags.values_[name] = value.value_or("true");
      } else if (valued.count(name) > 0) {
        if (!value.has_value()) {
          if (i + 1 >= args.size()) {
            return errors::InvalidField(field, "needs a value");
          }
          value = args[++i];
        }
        flags.values_[name] = *value;
      } else {
        return errors::InvalidField(
            field, absl::StrCat("is not a flag of this command; allowed: --",
                                absl::StrJoin(valued, ", --"),
                                booleans.empty() ? "" : ", --",
                                absl::StrJoin(booleans, ", --")));
      }
    }
    return flags;
  }

  std::string Get(const std::string& name) const {
    auto it = values_.find(name);
    return it == values_.end() ? "" : it->second;
  }
  bool Bool(const std::string& name) const { return Get(name) == "true"; }
  absl::StatusOr<std::string> Required(const std::string& name) const {
    std::string value = Get(name);
    if (value.empty()) {
      return errors::InvalidField(absl::StrCat("--", name), "is required");
    }
    return value;
  }
  // 0 when absent.
  absl::StatusOr<uint32_t> Id(const std::string& name) const {
    const std::string value = Get(name);
    if (value.empty()) return 0;
    uint32_t id = 0;
    if (!absl::SimpleAtoi(value, &id) || id == 0) {
      return errors::InvalidField(absl::StrCat("--", name),
                                  "must be a backup id (a positive number)");
    }
    return id;
  }

 private:
  std::map<std::string, std::string> values_;
};

struct Replica {
  std::string service;
  std::string address;
};

// Every replica of `service` (empty: of every service) in the routes.
absl::StatusOr<std::vector<Replica>> ReplicasOf(CtlContext& ctl,
                                                const std::string& service) {
  std::vector<Replica> replicas;
  std::vector<std::string> known;
  for (const auto& route : ctl.routes().routes()) {
    known.push_back(route.service());
    if (!service.empty() && route.service() != service) continue;
    for (const auto& replica : route.replicas()) {
      replicas.push_back({route.service(), replica.address()});
    }
  }
  if (replicas.empty()) {
    return errors::InvalidField(
        "--service",
        service.empty()
            ? "the routes name no replica"
            : absl::StrCat("'", service, "' is not in the routes; known: ",
                           absl::StrJoin(known, ", ")));
  }
  return replicas;
}

std::string TimeOf(const google::protobuf::Timestamp& time) {
  return google::protobuf::util::TimeUtil::ToString(time);
}

std::string PartitionsOf(const BackupInfo& info) {
  std::vector<std::string> ranges;
  for (const auto& range : info.partitions()) {
    ranges.push_back(range.first() == range.last()
                         ? absl::StrCat(range.first())
                         : absl::StrCat(range.first(), "-", range.last()));
  }
  return absl::StrJoin(ranges, ",");
}

const std::vector<std::string> kBackupColumns = {
    "service",    "replica",    "backup_id", "created",
    "size_bytes", "file_count", "verified",  "partitions"};

std::vector<std::string> RowOf(const Replica& replica, const BackupInfo& info) {
  return {replica.service,
          replica.address,
          absl::StrCat(info.backup_id()),
          TimeOf(info.create_time()),
          absl::StrCat(info.size_bytes()),
          absl::StrCat(info.file_count()),
          info.verified() ? "true" : "false",
          PartitionsOf(info)};
}

// A stub for BackupService on `address`.
absl::StatusOr<std::unique_ptr<BackupService::Stub>> StubFor(
    CtlContext& ctl, const std::string& address) {
  ASSIGN_OR_RETURN(std::shared_ptr<grpc::Channel> channel,
                   ctl.DialReplica(address));
  return BackupService::NewStub(channel);
}

// The first error of many replicas' calls, naming the replica; the others
// are in the table's `error` column.
absl::Status Annotated(const Replica& replica, const absl::Status& status) {
  return absl::Status(
      status.code(), absl::StrCat(replica.service, " replica ", replica.address,
                                  ": ", status.message()));
}

absl::Status Create(CtlContext& ctl, const Flags& flags) {
  ASSIGN_OR_RETURN(std::vector<Replica> replicas,
                   ReplicasOf(ctl, flags.Get("service")));
  Table table;
  table.columns = kBackupColumns;
  table.columns.push_back("error");
  absl::Status first_error;
  std::unique_ptr<Progress> progress = ctl.StartProgress(
      absl::StrCat("backing up ", replicas.size(), " replicas"),
      replicas.size());
  for (const Replica& replica : replicas) {
    absl::Status status = [&]() -> absl::Status {
      ASSIGN_OR_RETURN(std::unique_ptr<BackupService::Stub> stub,
                       StubFor(ctl, replica.address));
      grpc::ClientContext context;
      RETURN_IF_ERROR(ctl.PrepareReplicaCall(context, kBackupDeadline));
      homeward::internal::v1::CreateBackupRequest request;
      request.set_verify(flags.Bool("verify"));
      BackupInfo info;
      RETURN_IF_ERROR(
          FromGrpcStatus(stub->CreateBackup(&context, request, &info)));
      std::vector<std::string> row = RowOf(replica, info);
      row.push_back("");
      table.rows.push_back(std::move(row));
      return absl::OkStatus();
    }();
    if (!status.ok()) {
      std::vector<std::string> row(kBackupColumns.size(), "");
      row[0] = replica.service;
      row[1] = replica.address;
      row.push_back(absl::StrCat(absl::StatusCodeToString(status.code()), ": ",
                                 status.message()));
      table.rows.push_back(std::move(row));
      if (first_error.ok()) first_error = Annotated(replica, status);
    }
    progress->Advance(1);
  }
  progress->Finish();
  ctl.Print(table);
  return first_error;
}

absl::Status List(CtlContext& ctl, const Flags& flags) {
  ASSIGN_OR_RETURN(std::vector<Replica> replicas,
                   ReplicasOf(ctl, flags.Get("service")));
  Table table;
  table.columns = kBackupColumns;
  absl::Status first_error;
  for (const Replica& replica : replicas) {
    absl::Status status = [&]() -> absl::Status {
      ASSIGN_OR_RETURN(std::unique_ptr<BackupService::Stub> stub,
                       StubFor(ctl, replica.address));
      grpc::ClientContext context;
      RETURN_IF_ERROR(ctl.PrepareReplicaCall(context, kListDeadline));
      homeward::internal::v1::ListBackupsResponse response;
      RETURN_IF_ERROR(FromGrpcStatus(stub->ListBackups(
          &context, homeward::internal::v1::ListBackupsRequest(), &response)));
      for (const BackupInfo& info : response.backups()) {
        table.rows.push_back(RowOf(replica, info));
      }
      return absl::OkStatus();
    }();
    if (!status.ok() && first_error.ok()) {
      first_error = Annotated(replica, status);
    }
  }
  ctl.Print(table);
  return first_error;
}

absl::Status Verify(CtlContext& ctl, const Flags& flags) {
  ASSIGN_OR_RETURN(std::string address, flags.Required("replica"));
  ASSIGN_OR_RETURN(uint32_t id, flags.Id("id"));
  if (id == 0) return errors::InvalidField("--id", "is required");
  Replica replica{"", address};
  for (const auto& route : ctl.routes().routes()) {
    for (const auto& r : route.replicas()) {
      if (r.address() == address) replica.service = route.service();
    }
  }
  ASSIGN_OR_RETURN(std::unique_ptr<BackupService::Stub> stub,
                   StubFor(ctl, address));
  grpc::ClientContext context;
  RETURN_IF_ERROR(ctl.PrepareReplicaCall(context, kBackupDeadline));
  homeward::internal::v1::VerifyBackupRequest request;
  request.set_backup_id(id);
  BackupInfo info;
  RETURN_IF_ERROR(FromGrpcStatus(stub->VerifyBackup(&context, request, &info)));
  if (replica.service.empty()) replica.service = info.service();
  Table table;
  table.columns = kBackupColumns;
  table.rows.push_back(RowOf(replica, info));
  ctl.Print(table);
  return absl::OkStatus();
}

absl::Status Restore(CtlContext& ctl, const Flags& flags) {
  ASSIGN_OR_RETURN(std::string backup_dir, flags.Required("backup_dir"));
  ASSIGN_OR_RETURN(std::string data_dir, flags.Required("data_dir"));
  ASSIGN_OR_RETURN(uint32_t id, flags.Id("id"));
  std::optional<storage::EncryptionKey> key;
  if (const std::string key_file = flags.Get("encryption_key_file");
      !key_file.empty()) {
    ASSIGN_OR_RETURN(key, storage::EncryptionKey::ReadFile(
                              key_file, "--encryption_key_file"));
  }
  // The whole service data directory must be empty, not only its rocksdb
  // subdirectory: a restore never mixes with what a replica left there.
  std::error_code error;
  if (std::filesystem::exists(data_dir, error) &&
      !std::filesystem::is_empty(data_dir, error)) {
    return errors::FailedPrecondition(
        "DATA_DIR_NOT_EMPTY", data_dir,
        absl::StrCat("--data_dir '", data_dir,
                     "' is not empty: restore into an empty or absent "
                     "directory (move the old one aside first)"));
  }
  std::unique_ptr<Progress> progress =
      ctl.StartProgress(absl::StrCat("restoring into ", data_dir), 1);
  ASSIGN_OR_RETURN(storage::RestoreResult restored,
                   storage::RestoreBackup({.backup_dir = backup_dir,
                                           .db_path = data_dir + "/rocksdb",
                                           .backup_id = id,
                                           .encryption_key = key}));
  progress->Advance(1);
  progress->Finish();
  Table table;
  table.columns = {"backup_id", "data_dir", "sequence_floor"};
  table.rows.push_back({absl::StrCat(restored.backup_id), data_dir,
                        absl::StrCat(restored.sequence_floor)});
  ctl.Print(table);
  return absl::OkStatus();
}

}  // namespace

absl::Status RunBackupCommand(CtlContext& ctl,
                              const std::vector<std::string>& args) {
  const std::string subcommand = args.empty() ? "" : args[0];
  if (subcommand == "create") {
    ASSIGN_OR_RETURN(Flags flags,
                     Flags::Parse(args, 1, {"service"}, {"verify"}));
    return Create(ctl, flags);
  }
  if (subcommand == "list") {
    ASSIGN_OR_RETURN(Flags flags, Flags::Parse(args, 1, {"service"}, {}));
    return List(ctl, flags);
  }
  if (subcommand == "verify") {
    ASSIGN_OR_RETURN(Flags flags, Flags::Parse(args, 1, {"replica", "id"}, {}));
    return Verify(ctl, flags);
  }
  if (subcommand == "restore") {
    ASSIGN_OR_RETURN(Flags flags, Flags::Parse(args, 1,
                                               {"backup_dir", "data_dir", "id",
                                                "encryption_key_file"},
                                               {}));
    return Restore(ctl, flags);
  }
  return errors::InvalidField(
      "backup", subcommand.empty()
                    ? "needs a subcommand: create, list, verify or restore"
                    : absl::StrCat("'", subcommand,
                                   "' is not one of create, list, verify, "
                                   "restore"));
}

}  // namespace homeward::ctl
