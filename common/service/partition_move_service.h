// The replica side of moving partitions between replicas of a service
// (PartitionMoveService in protos/homeward/internal/v1/operations.proto):
// fence, export, import, adopt, release, served by every service replica on
// its internal listener to ROLE_ADMINISTRATOR and ROLE_SERVICE principals
// only (PERMISSION_DENIED otherwise). The host adds it (service_host.cc); the
// moves tool (`homewardctl move`) calls it. docs/OPERATIONS.md
// partition-handover.md describes what each step guarantees.
//
//   parts.AddService<homeward::internal::v1::PartitionMoveService>(
//       std::make_unique<PartitionMoveServiceImpl>(&parts));
#ifndef HOMEWARD_COMMON_SERVICE_PARTITION_MOVE_SERVICE_H_
#define HOMEWARD_COMMON_SERVICE_PARTITION_MOVE_SERVICE_H_

#include <cstdint>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "common/service/service_host.h"
#include "homeward/internal/v1/operations.grpc.pb.h"

namespace homeward::service {

class PartitionMoveServiceImpl final
    : public homeward::internal::v1::PartitionMoveService::Service {
 public:
  // Keys per exported chunk.
  static constexpr size_t kChunkKeys = 512;

  // `parts` must outlive the service (the host's parts do).
  explicit PartitionMoveServiceImpl(ServiceParts* parts);

  // Owned partitions only. Writes to them are refused UNAVAILABLE from the
  // return on (storage::Store::FencePartitions); reads go on.
  grpc::Status FencePartitions(
      grpc::ServerContext* context,
      const homeward::internal::v1::PartitionsRequest* request,
      homeward::internal::v1::PartitionState* response) override;
  grpc::Status UnfencePartitions(
      grpc::ServerContext* context,
      const homeward::internal::v1::PartitionsRequest* request,
      homeward::internal::v1::PartitionState* response) override;
  // Owned and fenced partitions only (a write after the export would be
  // lost otherwise); then a last chunk with the total.
  grpc::Status ExportPartitions(
      grpc::ServerContext* context,
      const homeward::internal::v1::PartitionsRequest* request,
      grpc::ServerWriter<homeward::internal::v1::PartitionChunk>* writer)
      override;
  // Refused (FAILED_PRECONDITION) for a partition this replica owns or holds
  // a key of; a failed import deletes what it wrote.
  grpc::Status ImportPartitions(
      grpc::ServerContext* context,
      grpc::ServerReader<homeward::internal::v1::PartitionChunk>* reader,
      homeward::internal::v1::PartitionState* response) override;
  // Owns, serves and follows them (idempotent).
  grpc::Status AdoptPartitions(
      grpc::ServerContext* context,
      const homeward::internal::v1::PartitionsRequest* request,
      homeward::internal::v1::PartitionState* response) override;
  // Refused for a partition owned and not fenced. Stops owning and
  // following them, deletes their keys, unfences. Idempotent, and also
  // clears a partition not owned here that holds keys (an import that was
  // never adopted).
  grpc::Status ReleasePartitions(
      grpc::ServerContext* context,
      const homeward::internal::v1::PartitionsRequest* request,
      homeward::internal::v1::PartitionState* response) override;
  grpc::Status GetPartitionState(
      grpc::ServerContext* context,
      const homeward::internal::v1::GetPartitionStateRequest* request,
      homeward::internal::v1::PartitionState* response) override;

 private:
  absl::Status Authorize(const grpc::ServerContext& context) const;
  // The request's partitions: at least one, each a case partition, once.
  absl::StatusOr<std::vector<uint32_t>> PartitionsOf(
      const homeward::internal::v1::PartitionsRequest& request) const;
  homeward::internal::v1::PartitionState State(uint64_t imported_keys) const;
  absl::Status Fence(const grpc::ServerContext& context,
                     const homeward::internal::v1::PartitionsRequest& request);
  absl::Status Unfence(
      const grpc::ServerContext& context,
      const homeward::internal::v1::PartitionsRequest& request);
  absl::Status Export(
      const grpc::ServerContext& context,
      const homeward::internal::v1::PartitionsRequest& request,
      grpc::ServerWriter<homeward::internal::v1::PartitionChunk>* writer);
  absl::StatusOr<uint64_t> Import(
      grpc::ServerContext& context,
      grpc::ServerReader<homeward::internal::v1::PartitionChunk>* reader);
  absl::Status Adopt(const grpc::ServerContext& context,
                     const homeward::internal::v1::PartitionsRequest& request);
  absl::Status Release(
      const grpc::ServerContext& context,
      const homeward::internal::v1::PartitionsRequest& request);

  ServiceParts* const parts_;
  // One hand-over step at a time on this replica.
  absl::Mutex mu_;
};

}  // namespace homeward::service

#endif  // HOMEWARD_COMMON_SERVICE_PARTITION_MOVE_SERVICE_H_
