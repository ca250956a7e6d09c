// The gateway's public gRPC face, on the callback API: every public service
// (CaseService, InstrumentService, AssessmentService, CounsellingService,
// ConsentService). Each method's override is a one-line hand-off to
// GrpcCalls::Serve, which authenticates the call from its metadata, finds the
// method's route (method_table.h) and hands it to the shared Forwarder; the
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

#include "absl/strings/string_view.h"
#include "google/protobuf/message.h"
#include "grpcpp/impl/service_type.h"
#include "grpcpp/server_context.h"
#include "services/gateway/api_keys.h"
#include "services/gateway/forwarder.h"

namespace homeward::gateway {

class GrpcCalls {
 public:
  // Both must outlive this object.
  GrpcCalls(const ApiKeyAuthenticator* keys, Forwarder* forwarder)
      : keys_(keys), forwarder_(forwarder) {}

  // Serves one call of `method` (a full name such as
  // "homeward.v1.CaseService/GetCase"); `request` and `response` are the
  // method's messages, owned by gRPC until the returned reactor finishes.
  grpc::ServerUnaryReactor* Serve(grpc::CallbackServerContext* context,
                                  absl::string_view method,
                                  const google::protobuf::Message* request,
                                  google::protobuf::Message* response) const;

 private:
  const ApiKeyAuthenticator* keys_;
  Forwarder* forwarder_;
};

// One callback service per public contract, all serving through `calls`
// (which must outlive them).
std::vector<std::unique_ptr<grpc::Service>> MakeGrpcServices(
    const GrpcCalls* calls);

}  // namespace homeward::gateway

#endif  // HOMEWARD_SERVICES_GATEWAY_GRPC_FACE_H_
