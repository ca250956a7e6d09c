// homeward.internal.v1.FollowUpIndicators: the follow-up service's part of
// the programme indicators (indicator_parts.proto), the tables `follow_ups`
// and `closures` for one office and period, counted over the contacts and
// closures of the partitions this replica owns (the gateway adds up the
// replicas' parts). Monitoring officers, supervisors and administrators
// only, scoped to the caller's offices (common/indicators/
// indicator_request.h); nothing personal is read out, so no audit entry;
// the call is logged like every other.
//
//   parts.AddService<homeward::internal::v1::FollowUpIndicators>(
//       std::make_unique<FollowUpIndicatorServiceImpl>(follow_up_parts));
#ifndef HOMEWARD_SERVICES_FOLLOW_UP_FOLLOW_UP_INDICATOR_SERVICE_H_
#define HOMEWARD_SERVICES_FOLLOW_UP_FOLLOW_UP_INDICATOR_SERVICE_H_

#include "absl/status/status.h"
#include "common/service/actor.h"
#include "homeward/internal/v1/indicator_parts.grpc.pb.h"
#include "services/follow_up/follow_up_parts.h"

namespace homeward::follow_up {

class FollowUpIndicatorServiceImpl final
    : public homeward::internal::v1::FollowUpIndicators::Service {
 public:
  // Reads parts.contacts, parts.closures, parts.cases (the owned
  // partitions) and parts.verifier.
  explicit FollowUpIndicatorServiceImpl(FollowUpParts parts) : parts_(parts) {}

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

  FollowUpParts parts_;
};

}  // namespace homeward::follow_up

#endif  // HOMEWARD_SERVICES_FOLLOW_UP_FOLLOW_UP_INDICATOR_SERVICE_H_
