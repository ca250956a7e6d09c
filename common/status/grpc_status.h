// The one place where absl::Status becomes grpc::Status (at the RPC edge) and
// back (in clients such as the gateway). Payloads such as field violations
// travel as google.rpc.Status details in grpc-status-details-bin.
#ifndef HOMEWARD_COMMON_STATUS_GRPC_STATUS_H_
#define HOMEWARD_COMMON_STATUS_GRPC_STATUS_H_

#include "absl/status/status.h"
#include "grpcpp/support/status.h"

namespace homeward {

grpc::Status ToGrpcStatus(const absl::Status& status);
absl::Status FromGrpcStatus(const grpc::Status& status);

}  // namespace homeward

#endif  // HOMEWARD_COMMON_STATUS_GRPC_STATUS_H_
