// The CounsellingService RPC handlers: resolve the caller and the case,
// validate (counselling_rules.h), call the CounsellingStore. Case managers
// and supervisors of the case's office record and read the log; nobody else
// does, not even other services: session notes never leave this service.
//
//   parts->services.push_back(std::make_unique<CounsellingServiceImpl>(
//       parts->cases.get(), parts->store.get(), parts->verifier.get()));
#ifndef HOMEWARD_SERVICES_ASSESSMENT_COUNSELLING_SERVICE_H_
#define HOMEWARD_SERVICES_ASSESSMENT_COUNSELLING_SERVICE_H_

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "common/auth/principal_token.h"
#include "common/storage/store.h"
#include "homeward/v1/counselling.grpc.pb.h"
#include "services/assessment/case_store.h"
#include "services/assessment/counselling_store.h"

namespace homeward::assessment {

class CounsellingServiceImpl final
    : public homeward::v1::CounsellingService::Service {
 public:
  CounsellingServiceImpl(const CaseStore* cases, storage::Store* store,
                         const auth::PrincipalVerifier* verifier)
      : cases_(cases), sessions_(store), verifier_(verifier) {}

  grpc::Status RecordCounsellingSession(
      grpc::ServerContext* context,
      const homeward::v1::RecordCounsellingSessionRequest* request,
      homeward::v1::CounsellingSession* response) override;
  grpc::Status ListCounsellingSessions(
      grpc::ServerContext* context,
      const homeward::v1::ListCounsellingSessionsRequest* request,
      homeward::v1::ListCounsellingSessionsResponse* response) override;

 private:
  absl::Status Record(
      const grpc::ServerContext& context,
      const homeward::v1::RecordCounsellingSessionRequest& request,
      homeward::v1::CounsellingSession* response);
  absl::Status List(const grpc::ServerContext& context,
                    const homeward::v1::ListCounsellingSessionsRequest& request,
                    homeward::v1::ListCounsellingSessionsResponse* response);

  const CaseStore* cases_;
  CounsellingStore sessions_;
  const auth::PrincipalVerifier* verifier_;
};

}  // namespace homeward::assessment

#endif  // HOMEWARD_SERVICES_ASSESSMENT_COUNSELLING_SERVICE_H_
