// The ConsentService RPC handlers: resolve the caller and the case, validate,
// call the ConsentStore, and for CheckConsent apply the pure decision in
// consent_rules.h. Case managers and supervisors of the case's office record
// and read consent; other Homeward services (ROLE_SERVICE, e.g. referrals)
// may also ask CheckConsent about any case this replica holds.
//
//   parts->services.push_back(std::make_unique<ConsentServiceImpl>(
//       parts->cases.get(), parts->store.get(), parts->verifier.get()));
#ifndef HOMEWARD_SERVICES_ASSESSMENT_CONSENT_SERVICE_H_
#define HOMEWARD_SERVICES_ASSESSMENT_CONSENT_SERVICE_H_

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "common/auth/principal_token.h"
#include "common/storage/store.h"
#include "homeward/v1/consent.grpc.pb.h"
#include "services/assessment/case_store.h"
#include "services/assessment/consent_store.h"

namespace homeward::assessment {

class ConsentServiceImpl final : public homeward::v1::ConsentService::Service {
 public:
  ConsentServiceImpl(const CaseStore* cases, storage::Store* store,
                     const auth::PrincipalVerifier* verifier)
      : cases_(cases), consents_(store), verifier_(verifier) {}

  grpc::Status RecordConsent(grpc::ServerContext* context,
                             const homeward::v1::RecordConsentRequest* request,
                             homeward::v1::ConsentRecord* response) override;
  grpc::Status ListConsents(
      grpc::ServerContext* context,
      const homeward::v1::ListConsentsRequest* request,
      homeward::v1::ListConsentsResponse* response) override;
  grpc::Status CheckConsent(
      grpc::ServerContext* context,
      const homeward::v1::CheckConsentRequest* request,
      homeward::v1::CheckConsentResponse* response) override;

 private:
  absl::Status Record(const grpc::ServerContext& context,
                      const homeward::v1::RecordConsentRequest& request,
                      homeward::v1::ConsentRecord* response);
  absl::Status List(const grpc::ServerContext& context,
                    const homeward::v1::ListConsentsRequest& request,
                    homeward::v1::ListConsentsResponse* response);
  absl::Status Check(const grpc::ServerContext& context,
                     const homeward::v1::CheckConsentRequest& request,
                     homeward::v1::CheckConsentResponse* response);

  const CaseStore* cases_;
  ConsentStore consents_;
  const auth::PrincipalVerifier* verifier_;
};

}  // namespace homeward::assessment

#endif  // HOMEWARD_SERVICES_ASSESSMENT_CONSENT_SERVICE_H_
