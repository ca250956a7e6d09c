// The gateway's public gRPC face: homeward.v1.CaseService on the callback
// API. Each handler authenticates the call from its metadata and hands it to
// the shared Forwarder; the reactor finishes when the replica answers, so no
// gRPC thread waits on the network.
#ifndef HOMEWARD_SERVICES_GATEWAY_GRPC_FACE_H_
#define HOMEWARD_SERVICES_GATEWAY_GRPC_FACE_H_

#include "absl/strings/string_view.h"
#include "grpcpp/server_context.h"
#include "homeward/v1/cases.grpc.pb.h"
#include "services/gateway/api_keys.h"
#include "services/gateway/forwarder.h"

namespace homeward::gateway {

class GrpcCaseService final
    : public homeward::v1::CaseService::CallbackService {
 public:
  // Both must outlive the service.
  GrpcCaseService(const ApiKeyAuthenticator* keys, Forwarder* forwarder)
      : keys_(keys), forwarder_(forwarder) {}

  grpc::ServerUnaryReactor* RegisterCase(
      grpc::CallbackServerContext* context,
      const homeward::v1::RegisterCaseRequest* request,
      homeward::v1::Case* response) override;
  grpc::ServerUnaryReactor* GetCase(grpc::CallbackServerContext* context,
                                    const homeward::v1::GetCaseRequest* request,
                                    homeward::v1::Case* response) override;
  grpc::ServerUnaryReactor* ListCases(
      grpc::CallbackServerContext* context,
      const homeward::v1::ListCasesRequest* request,
      homeward::v1::ListCasesResponse* response) override;
  grpc::ServerUnaryReactor* UpdateCase(
      grpc::CallbackServerContext* context,
      const homeward::v1::UpdateCaseRequest* request,
      homeward::v1::Case* response) override;
  grpc::ServerUnaryReactor* AssignCase(
      grpc::CallbackServerContext* context,
      const homeward::v1::AssignCaseRequest* request,
      homeward::v1::Case* response) override;

 private:
  template <typename Request, typename Response>
  grpc::ServerUnaryReactor* Handle(grpc::CallbackServerContext* context,
                                   absl::string_view method,
                                   const Request* request, Response* response,
                                   void (Forwarder::*forward)(const CallInfo&,
                                                              const Request&,
                                                              Response*, Done));

  const ApiKeyAuthenticator* keys_;
  Forwarder* forwarder_;
};

}  // namespace homeward::gateway

#endif  // HOMEWARD_SERVICES_GATEWAY_GRPC_FACE_H_
