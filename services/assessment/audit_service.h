// The AuditService RPC handlers (protos/homeward/v1/audit.proto): a case's
// audit entries, read from the store's per-case index, and the verification
// of this replica's hash chain. Who may call is decided by audit_access.h;
// every call is itself recorded in the trail.
//
//   parts->services.push_back(std::make_unique<AuditServiceImpl>(
//       parts->cases.get(), parts->store.get(), parts->owned.get(),
//       parts->verifier.get()));
#ifndef HOMEWARD_SERVICES_ASSESSMENT_AUDIT_SERVICE_H_
#define HOMEWARD_SERVICES_ASSESSMENT_AUDIT_SERVICE_H_

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "common/auth/principal_token.h"
#include "common/storage/partitions.h"
#include "common/storage/store.h"
#include "homeward/v1/audit.grpc.pb.h"
#include "services/assessment/case_store.h"

namespace homeward::assessment {

// "partitions 0-31, 40 of 64": which replica a report is about, in the terms
// of the deployment's configuration (no addresses). Also names the replica
// of a retention report (retention_job.h).
std::string DescribeReplica(const storage::PartitionSet& owned);

class AuditServiceImpl final : public homeward::v1::AuditService::Service {
 public:
  // `owned` names this replica in verification reports.
  AuditServiceImpl(const CaseStore* cases, storage::Store* store,
                   const storage::PartitionSet* owned,
                   const auth::PrincipalVerifier* verifier)
      : cases_(cases), store_(store), owned_(owned), verifier_(verifier) {}

  grpc::Status ListCaseAuditEntries(
      grpc::ServerContext* context,
      const homeward::v1::ListCaseAuditEntriesRequest* request,
      homeward::v1::ListCaseAuditEntriesResponse* response) override;
  grpc::Status VerifyAuditTrail(
      grpc::ServerContext* context,
      const homeward::v1::VerifyAuditTrailRequest* request,
      homeward::v1::VerifyAuditTrailResponse* response) override;

 private:
  absl::Status List(const grpc::ServerContext& context,
                    const homeward::v1::ListCaseAuditEntriesRequest& request,
                    homeward::v1::ListCaseAuditEntriesResponse* response);
  absl::Status Verify(const grpc::ServerContext& context,
                      homeward::v1::VerifyAuditTrailResponse* response);

  const CaseStore* cases_;
  storage::Store* store_;
  const storage::PartitionSet* owned_;
  const auth::PrincipalVerifier* verifier_;
};

}  // namespace homeward::assessment

#endif  // HOMEWARD_SERVICES_ASSESSMENT_AUDIT_SERVICE_H_
