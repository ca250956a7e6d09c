// The gateway's public gRPC face, on the callback API. It serves every method
// of the method table (method_table.h) under its real service name, so
// clients and server reflection see CaseService, ConsentService and the rest
// exactly as the services define them, but each method is registered "raw":
// the request arrives as its wire bytes. GrpcCalls::Serve decodes it once (to
// route and authorise it), authenticates the call from its metadata and hands
// the call to the shared Forwarder, which passes a single replica's answer
// back as the bytes the replica sent; nothing is re-encoded on the way. The
// reactor finishes when the replica answers, so no gRPC thread waits on the
// network.
//
//   GrpcCalls calls(&keys, &forwarder);
//   std::vector<std::unique_ptr<grpc::Service>> services =
//       MakeGrpcServices(&calls);
//   for (auto& s : services) builder.RegisterService(s.get());
#ifndef HOMEWARD_SERVICES_GATEWAY_GRPC_FACE_H_
#define HOMEWARD_SERVICES_GATEWAY_GRPC_FACE_H_

#include <memory>
#include <vector>

#include "grpcpp/impl/service_type.h"
#include "grpcpp/server_context.h"
#include "grpcpp/support/byte_buffer.h"
#include "services/gateway/caller_authenticator.h"
#include "services/gateway/forwarder.h"
#include "services/gateway/method_table.h"

namespace homeward::gateway {

class GrpcCalls {
 public:
  // Both must outlive this object.
  GrpcCalls(const CallerAuthenticator* keys, Forwarder* forwarder)
      : keys_(keys), forwarder_(forwarder) {}

  // Serves one call of `method`; `request` and `response` are owned by gRPC
  // until the returned reactor finishes.
  grpc::ServerUnaryReactor* Serve(grpc::CallbackServerContext* context,
                                  const MethodRoute& method,
                                  const grpc::ByteBuffer* request,
                                  grpc::ByteBuffer* response) const;

  const MethodTable& methods() const { return forwarder_->methods(); }

 private:
  const CallerAuthenticator* keys_;
  Forwarder* forwarder_;
};

// One service per public contract named in the method table, all serving
// through `calls` (which must outlive them).
std::vector<std::unique_ptr<grpc::Service>> MakeGrpcServices(
    const GrpcCalls* calls);

}  // namespace homeward::gateway

#endif  // HOMEWARD_SERVICES_GATEWAY_GRPC_FACE_H_
