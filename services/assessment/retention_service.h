// The RetentionService RPC handler (protos/homeward/v1/retention.proto): an
// administrator runs this replica's retention job now (retention_job.h),
// dry or for real, and gets its report. The call itself is in the audit
// trail (no case), and so is every case it anonymises (with that case).
//
//   parts.AddService<homeward::v1::RetentionService>(
//       std::make_unique<RetentionServiceImpl>(job, parts.store(),
//                                              parts.verifier()));
#ifndef HOMEWARD_SERVICES_ASSESSMENT_RETENTION_SERVICE_H_
#define HOMEWARD_SERVICES_ASSESSMENT_RETENTION_SERVICE_H_

#include "absl/status/status.h"
#include "common/auth/principal_token.h"
#include "common/storage/store.h"
#include "homeward/internal/v1/principal.pb.h"
#include "homeward/v1/retention.grpc.pb.h"
#include "services/assessment/retention_job.h"

namespace homeward::assessment {

// OK for administrators, who alone may run the retention job;
// PERMISSION_DENIED naming the role otherwise.
absl::Status CheckRetentionRunner(
    const homeward::internal::v1::Principal& principal);

class RetentionServiceImpl final
    : public homeward::v1::RetentionService::Service {
 public:
  // None owned; all must outlive this.
  RetentionServiceImpl(RetentionJob* job, storage::Store* store,
                       const auth::PrincipalVerifier* verifier)
      : job_(job), store_(store), verifier_(verifier) {}

  grpc::Status RunRetention(
      grpc::ServerContext* context,
      const homeward::v1::RunRetentionRequest* request,
      homeward::v1::RunRetentionResponse* response) override;

 private:
  absl::Status Run(const grpc::ServerContext& context,
                   const homeward::v1::RunRetentionRequest& request,
                   homeward::v1::RunRetentionResponse* response);

  RetentionJob* job_;
  storage::Store* store_;
  const auth::PrincipalVerifier* verifier_;
};

}  // namespace homeward::assessment

#endif  // HOMEWARD_SERVICES_ASSESSMENT_RETENTION_SERVICE_H_
