// homeward.internal.v1.ReferralIndicators: the referral service's part of
// the programme indicators (indicator_parts.proto), the tables `referrals`
// and `referral_declines` for one office and period, counted over the
// referrals of the partitions this replica owns (the gateway adds up the
// replicas' parts). Monitoring officers, supervisors and administrators
// only, scoped to the caller's offices (common/indicators/
// indicator_request.h); nothing personal is read out, so no audit entry;
// the call is logged like every other.
//
//   parts.AddService<homeward::internal::v1::ReferralIndicators>(
//       std::make_unique<ReferralIndicatorServiceImpl>(referrals,
//                                                      parts.verifier()));
#ifndef HOMEWARD_SERVICES_REFERRAL_REFERRAL_INDICATOR_SERVICE_H_
#define HOMEWARD_SERVICES_REFERRAL_REFERRAL_INDICATOR_SERVICE_H_

#include "absl/status/status.h"
#include "common/auth/principal_token.h"
#include "common/service/actor.h"
#include "homeward/internal/v1/indicator_parts.grpc.pb.h"
#include "services/referral/referral_store.h"

namespace homeward::referral {

class ReferralIndicatorServiceImpl final
    : public homeward::internal::v1::ReferralIndicators::Service {
 public:
  // Neither owned; both outlive the handler.
  ReferralIndicatorServiceImpl(const ReferralStore* referrals,
                               const auth::PrincipalVerifier* verifier)
      : referrals_(referrals), verifier_(verifier) {}

  // Synchronous on purpose: the part is a full scan, which runs on the
  // server's sync pool rather than holding a callback thread that other
  // calls need.
  grpc::Status GetIndicatorPart(
      grpc::ServerContext* context,
      const homeward::internal::v1::IndicatorPartRequest* request,
      homeward::internal::v1::IndicatorPart* response) override;

 private:
  absl::Status Part(const service::Actor& actor,
                    const homeward::internal::v1::IndicatorPartRequest& request,
                    homeward::internal::v1::IndicatorPart* response) const;

  const ReferralStore* referrals_;
  const auth::PrincipalVerifier* verifier_;
};

}  // namespace homeward::referral

#endif  // HOMEWARD_SERVICES_REFERRAL_REFERRAL_INDICATOR_SERVICE_H_
