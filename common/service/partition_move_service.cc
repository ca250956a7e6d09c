// The replica side of partition moves; see partition_move_service.h.
#include "common/service/partition_move_service.h"

#include <algorithm>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "common/server/log.h"
#include "common/server/server_kit.h"
#include "common/service/owned_partitions.h"
#include "common/status/errors.h"
#include "common/status/status_macros.h"

namespace homeward::service {

using homeward::internal::v1::GetPartitionStateRequest;
using homeward::internal::v1::PartitionChunk;
using homeward::internal::v1::PartitionsRequest;
using homeward::internal::v1::PartitionState;

namespace {

absl::Status NotOwned(uint32_t partition, absl::string_view why) {
  return errors::FailedPrecondition(
      "PARTITION_NOT_OWNED", absl::StrCat("partition ", partition),
      absl::StrCat("partition ", partition,
                   " is not owned by this replica: ", why));
}

}  // namespace

PartitionMoveServiceImpl::PartitionMoveServiceImpl(ServiceParts* parts)
    : parts_(parts) {}

absl::Status PartitionMoveServiceImpl::Authorize(
    const grpc::ServerContext& context) const {
  ASSIGN_OR_RETURN(homeward::internal::v1::Principal principal,
                   parts_->verifier()->Verify(context));
  if (principal.role() != homeward::v1::ROLE_ADMINISTRATOR &&
      principal.role() != homeward::v1::ROLE_SERVICE) {
    return errors::PermissionDenied(
        "only administrators and Homeward services may move partitions");
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<uint32_t>> PartitionMoveServiceImpl::PartitionsOf(
    const PartitionsRequest& request) const {
  const uint32_t count = parts_->owned()->count();
  errors::FieldViolations bad;
  if (request.partitions().empty()) {
    bad.Add("partitions", "must name at least one partition");
  }
  absl::flat_hash_set<uint32_t> seen;
  std::vector<uint32_t> out;
  for (int i = 0; i < request.partitions_size(); ++i) {
    const uint32_t p = request.partitions(i);
    const std::string field = absl::StrCat("partitions[", i, "]");
    if (p >= count) {
      bad.Add(field,
              absl::StrCat("partition ", p,
                           " must be below the partition count ", count));
    } else if (!seen.insert(p).second) {
      bad.Add(field, absl::StrCat("partition ", p, " is named more than once"));
    } else {
      out.push_back(p);
    }
  }
  RETURN_IF_ERROR(bad.ToStatus());
  std::sort(out.begin(), out.end());
  return out;
}

PartitionState PartitionMoveServiceImpl::State(uint64_t imported_keys) const {
  PartitionState state;
  state.set_service(parts_->name());
  *state.mutable_owned() =
      storage::PartitionSet::ToRanges(parts_->owned()->partitions());
  for (uint32_t p : parts_->store()->FencedPartitions()) state.add_fenced(p);
  state.set_imported_keys(imported_keys);
  return state;
}

absl::Status PartitionMoveServiceImpl::Fence(const grpc::ServerContext& context,
                                             const PartitionsRequest& request) {
  RETURN_IF_ERROR(Authorize(context));
  ASSIGN_OR_RETURN(std::vector<uint32_t> partitions, PartitionsOf(request));
  absl::MutexLock lock(&mu_);
  for (uint32_t p : partitions) {
    if (!parts_->owned()->Contains(p)) {
      return NotOwned(p, "only its owner fences it");
    }
  }
  RETURN_IF_ERROR(parts_->store()->FencePartitions(partitions));
  server::Log("info", "partitions fenced: writes to them are refused",
              {{"service", parts_->name()},
               {"partitions", DescribePartitions(partitions)}});
  return absl::OkStatus();
}

absl::Status PartitionMoveServiceImpl::Unfence(
    const grpc::ServerContext& context, const PartitionsRequest& request) {
  RETURN_IF_ERROR(Authorize(context));
  ASSIGN_OR_RETURN(std::vector<uint32_t> partitions, PartitionsOf(request));
  absl::MutexLock lock(&mu_);
  RETURN_IF_ERROR(parts_->store()->UnfencePartitions(partitions));
  server::Log("info", "partitions unfenced",
              {{"service", parts_->name()},
               {"partitions", DescribePartitions(partitions)}});
  return absl::OkStatus();
}

absl::Status PartitionMoveServiceImpl::Export(
    const grpc::ServerContext& context, const PartitionsRequest& request,
    grpc::ServerWriter<PartitionChunk>* writer) {
  RETURN_IF_ERROR(Authorize(context));
  ASSIGN_OR_RETURN(std::vector<uint32_t> partitions, PartitionsOf(request));
  const std::vector<uint32_t> fenced = parts_->store()->FencedPartitions();
  for (uint32_t p : partitions) {
    if (!parts_->owned()->Contains(p)) {
      return NotOwned(p, "only its owner exports it");
    }
    if (!std::binary_search(fenced.begin(), fenced.end(), p)) {
      return errors::FailedPrecondition(
          "PARTITION_NOT_FENCED", absl::StrCat("partition ", p),
          absl::StrCat("partition ", p,
                       " must be fenced (FencePartitions) before it is "
                       "exported, or writes after the export would be lost"));
    }
  }
  uint64_t total = 0;
  for (uint32_t p : partitions) {
    ASSIGN_OR_RETURN(
        uint64_t keys,
        parts_->store()->ExportPartition(
            p, kChunkKeys,
            [&](storage::Store::PartitionKeys keys) -> absl::Status {
              PartitionChunk chunk;
              chunk.set_partition(p);
              chunk.set_column_family(keys.column);
              for (std::string& key : keys.keys) chunk.add_keys(std::move(key));
              for (std::string& value : keys.values) {
                chunk.add_values(std::move(value));
              }
              if (!writer->Write(chunk)) {
                return errors::Unavailable(
                    "the export's caller went away; export again");
              }
              return absl::OkStatus();
            }));
    total += keys;
  }
  PartitionChunk last;
  last.set_total_keys(total);
  last.set_last(true);
  if (!writer->Write(last)) {
    return errors::Unavailable("the export's caller went away; export again");
  }
  server::Log("info", "partitions exported",
              {{"service", parts_->name()},
               {"partitions", DescribePartitions(partitions)},
               {"keys", absl::StrCat(total)}});
  return absl::OkStatus();
}

absl::StatusOr<uint64_t> PartitionMoveServiceImpl::Import(
    grpc::ServerContext& context, grpc::ServerReader<PartitionChunk>* reader) {
  RETURN_IF_ERROR(Authorize(context));
  absl::MutexLock lock(&mu_);
  storage::Store* store = parts_->store();
  const uint32_t count = parts_->owned()->count();
  // Partitions checked empty and not owned: only these are written, and
  // only these are deleted again when the import fails.
  std::vector<uint32_t> written;
  uint64_t received = 0;
  bool ended = false;
  auto import_all = [&]() -> absl::Status {
    PartitionChunk chunk;
    while (reader->Read(&chunk)) {
      if (ended) {
        return errors::InvalidField("last",
                                    "no chunk may follow the last chunk");
      }
      if (chunk.last()) {
        ended = true;
        if (chunk.total_keys() != received + chunk.keys_size()) {
          return errors::InvalidField(
              "total_keys",
              absl::StrCat("says ", chunk.total_keys(), " keys but ",
                           received + chunk.keys_size(),
                           " arrived: the stream lost chunks; import again"));
        }
      }
      if (chunk.keys_size() == 0) continue;
      const uint32_t p = chunk.partition();
      if (p >= count) {
        return errors::InvalidField(
            "partition",
            absl::StrCat("partition ", p, " must be below the partition count ",
                         count));
      }
      if (std::find(written.begin(), written.end(), p) == written.end()) {
        if (parts_->owned()->Contains(p)) {
          return errors::FailedPrecondition(
              "PARTITION_OWNED", absl::StrCat("partition ", p),
              absl::StrCat("partition ", p,
                           " is owned by this replica: it cannot be imported "
                           "over its own data"));
        }
        ASSIGN_OR_RETURN(bool holds, store->HoldsPartitionKeys(p));
        if (holds) {
          return errors::FailedPrecondition(
              "PARTITION_NOT_EMPTY", absl::StrCat("partition ", p),
              absl::StrCat("this replica holds keys of partition ", p,
                           " (an earlier import or a release that did not "
                           "finish): release it here first"));
        }
        written.push_back(p);
      }
      storage::Store::PartitionKeys keys;
      keys.column = chunk.column_family();
      keys.keys.assign(chunk.keys().begin(), chunk.keys().end());
      keys.values.assign(chunk.values().begin(), chunk.values().end());
      RETURN_IF_ERROR(store->ImportPartitionKeys(p, keys));
      received += chunk.keys_size();
    }
    if (!ended) {
      return errors::InvalidField(
          "last", "the stream ended before its last chunk; import again");
    }
    return store->LoadImportedOutboxHeads(written);
  };
  absl::Status imported = import_all();
  if (!imported.ok()) {
    // Nothing of a failed import stays.
    absl::Status deleted = store->DeletePartitions(written);
    if (!deleted.ok()) {
      server::Log("error", "a failed import could not be deleted",
                  {{"service", parts_->name()},
                   {"partitions", DescribePartitions(written)},
                   {"code", absl::StatusCodeToString(deleted.code())}});
    }
    return imported;
  }
  std::sort(written.begin(), written.end());
  server::Log("info", "partitions imported",
              {{"service", parts_->name()},
               {"partitions", DescribePartitions(written)},
               {"keys", absl::StrCat(received)}});
  return received;
}

absl::Status PartitionMoveServiceImpl::Adopt(const grpc::ServerContext& context,
                                             const PartitionsRequest& request) {
  RETURN_IF_ERROR(Authorize(context));
  ASSIGN_OR_RETURN(std::vector<uint32_t> partitions, PartitionsOf(request));
  absl::MutexLock lock(&mu_);
  storage::PartitionSet owned = *parts_->owned();  // shares the replica's set
  std::vector<uint32_t> next = owned.partitions();
  next.insert(next.end(), partitions.begin(), partitions.end());
  RETURN_IF_ERROR(parts_->store()->WriteOwnedPartitions(next));
  // Heads again, in case events were imported outside ImportPartitions.
  RETURN_IF_ERROR(parts_->store()->LoadImportedOutboxHeads(partitions));
  owned.Add(partitions);
  parts_->OwnedPartitionsChanged();
  server::Log("info", "partitions adopted: owned and followed",
              {{"service", parts_->name()},
               {"partitions", DescribePartitions(partitions)},
               {"owned", DescribePartitions(owned.partitions())}});
  return absl::OkStatus();
}

absl::Status PartitionMoveServiceImpl::Release(
    const grpc::ServerContext& context, const PartitionsRequest& request) {
  RETURN_IF_ERROR(Authorize(context));
  ASSIGN_OR_RETURN(std::vector<uint32_t> partitions, PartitionsOf(request));
  absl::MutexLock lock(&mu_);
  storage::Store* store = parts_->store();
  storage::PartitionSet owned = *parts_->owned();  // shares the replica's set
  const std::vector<uint32_t> fenced = store->FencedPartitions();
  std::vector<uint32_t> release;
  for (uint32_t p : partitions) {
    const bool is_fenced = std::binary_search(fenced.begin(), fenced.end(), p);
    if (owned.Contains(p) && !is_fenced) {
      return errors::FailedPrecondition(
          "PARTITION_NOT_FENCED", absl::StrCat("partition ", p),
          absl::StrCat("partition ", p,
                       " must be fenced and exported before it is released, "
                       "or its writes would be lost"));
    }
    if (owned.Contains(p) || is_fenced) release.push_back(p);
  }
  if (release.empty()) return absl::OkStatus();  // released already
  std::vector<uint32_t> next;
  for (uint32_t p : owned.partitions()) {
    if (!std::binary_search(release.begin(), release.end(), p)) {
      next.push_back(p);
    }
  }
  RETURN_IF_ERROR(store->WriteOwnedPartitions(next));
  owned.Remove(release);
  // The followers stop following them before their cursors go.
  parts_->OwnedPartitionsChanged();
  RETURN_IF_ERROR(store->DeletePartitions(release));
  RETURN_IF_ERROR(store->UnfencePartitions(release));
  server::Log("info", "partitions released: deleted here",
              {{"service", parts_->name()},
               {"partitions", DescribePartitions(release)},
               {"owned", DescribePartitions(owned.partitions())}});
  return absl::OkStatus();
}

grpc::Status PartitionMoveServiceImpl::FencePartitions(
    grpc::ServerContext* context, const PartitionsRequest* request,
    PartitionState* response) {
  absl::Status status = Fence(*context, *request);
  if (status.ok()) *response = State(0);
  return server::Finish(*context, "PartitionMoveService/FencePartitions",
                        status);
}

grpc::Status PartitionMoveServiceImpl::UnfencePartitions(
    grpc::ServerContext* context, const PartitionsRequest* request,
    PartitionState* response) {
  absl::Status status = Unfence(*context, *request);
  if (status.ok()) *response = State(0);
  return server::Finish(*context, "PartitionMoveService/UnfencePartitions",
                        status);
}

grpc::Status PartitionMoveServiceImpl::ExportPartitions(
    grpc::ServerContext* context, const PartitionsRequest* request,
    grpc::ServerWriter<PartitionChunk>* writer) {
  return server::Finish(*context, "PartitionMoveService/ExportPartitions",
                        Export(*context, *request, writer));
}

grpc::Status PartitionMoveServiceImpl::ImportPartitions(
    grpc::ServerContext* context, grpc::ServerReader<PartitionChunk>* reader,
    PartitionState* response) {
  absl::StatusOr<uint64_t> imported = Import(*context, reader);
  if (imported.ok()) *response = State(*imported);
  return server::Finish(*context, "PartitionMoveService/ImportPartitions",
                        imported.status());
}

grpc::Status PartitionMoveServiceImpl::AdoptPartitions(
    grpc::ServerContext* context, const PartitionsRequest* request,
    PartitionState* response) {
  absl::Status status = Adopt(*context, *request);
  if (status.ok()) *response = State(0);
  return server::Finish(*context, "PartitionMoveService/AdoptPartitions",
                        status);
}

grpc::Status PartitionMoveServiceImpl::ReleasePartitions(
    grpc::ServerContext* context, const PartitionsRequest* request,
    PartitionState* response) {
  absl::Status status = Release(*context, *request);
  if (status.ok()) *response = State(0);
  return server::Finish(*context, "PartitionMoveService/ReleasePartitions",
                        status);
}

grpc::Status PartitionMoveServiceImpl::GetPartitionState(
    grpc::ServerContext* context, const GetPartitionStateRequest* /*request*/,
    PartitionState* response) {
  absl::Status status = Authorize(*context);
  if (status.ok()) *response = State(0);
  return server::Finish(*context, "PartitionMoveService/GetPartitionState",
                        status);
}

}  // namespace homeward::service
