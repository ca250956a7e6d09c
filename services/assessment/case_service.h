// The CaseService RPC handlers: verify the principal, validate the request,
// check access, call the CaseStore. Each handler is a few lines; the rules
// live in case_validation.h and case_access.h.
#ifndef HOMEWARD_SERVICES_ASSESSMENT_CASE_SERVICE_H_
#define HOMEWARD_SERVICES_ASSESSMENT_CASE_SERVICE_H_

#include "absl/status/status.h"
#include "common/auth/principal_token.h"
#include "homeward/v1/cases.grpc.pb.h"
#include "services/assessment/case_store.h"

namespace homeward::assessment {

class CaseServiceImpl final : public homeward::v1::CaseService::Service {
 public:
  CaseServiceImpl(CaseStore* cases, const auth::PrincipalVerifier* verifier)
      : cases_(cases), verifier_(verifier) {}

  grpc::Status RegisterCase(grpc::ServerContext* context,
                            const homeward::v1::RegisterCaseRequest* request,
                            homeward::v1::Case* response) override;
  grpc::Status GetCase(grpc::ServerContext* context,
                       const homeward::v1::GetCaseRequest* request,
                       homeward::v1::Case* response) override;
  grpc::Status ListCases(grpc::ServerContext* context,
                         const homeward::v1::ListCasesRequest* request,
                         homeward::v1::ListCasesResponse* response) override;
  grpc::Status UpdateCase(grpc::ServerContext* context,
                          const homeward::v1::UpdateCaseRequest* request,
                          homeward::v1::Case* response) override;
  grpc::Status AssignCase(grpc::ServerContext* context,
                          const homeward::v1::AssignCaseRequest* request,
                          homeward::v1::Case* response) override;

 private:
  absl::StatusOr<Actor> ActorOf(const grpc::ServerContext& context, const char* method) const;
  absl::Status Register(const grpc::ServerContext& context,
                        const homeward::v1::RegisterCaseRequest& request,
                        homeward::v1::Case* response);
  absl::Status Get(const grpc::ServerContext& context,
                   const homeward::v1::GetCaseRequest& request, homeward::v1::Case* response);
  absl::Status List(const grpc::ServerContext& context,
                    const homeward::v1::ListCasesRequest& request,
                    homeward::v1::ListCasesResponse* response);
  absl::Status Update(const grpc::ServerContext& context,
                      const homeward::v1::UpdateCaseRequest& request,
                      homeward::v1::Case* response);
  absl::Status Assign(const grpc::ServerContext& context,
                      const homeward::v1::AssignCaseRequest& request,
                      homeward::v1::Case* response);

  CaseStore* cases_;
  const auth::PrincipalVerifier* verifier_;
};

}  // namespace homeward::assessment

#endif  // HOMEWARD_SERVICES_ASSESSMENT_CASE_SERVICE_H_
