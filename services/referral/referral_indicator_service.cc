// The referral service's indicator part; see referral_indicator_service.h.
#include "services/referral/referral_indicator_service.h"

#include "common/api/field_checks.h"
#include "common/indicators/indicator_cells.h"
#include "common/indicators/indicator_request.h"
#include "common/service/rpc_method.h"
#include "common/status/status_macros.h"
#include "services/referral/referral_indicators.h"

namespace homeward::referral {
namespace {

constexpr service::RpcMethod kGetIndicatorPart{
    "homeward.internal.v1.ReferralIndicators/GetIndicatorPart"};

}  // namespace

grpc::Status ReferralIndicatorServiceImpl::GetIndicatorPart(
    grpc::ServerContext* context,
    const homeward::internal::v1::IndicatorPartRequest* request,
    homeward::internal::v1::IndicatorPart* response) {
  absl::StatusOr<service::Actor> actor =
      kGetIndicatorPart.ActorOf(*context, *verifier_);
  return kGetIndicatorPart.Finish(
      *context, actor.ok() ? Part(*actor, *request, response) : actor.status());
}

absl::Status ReferralIndicatorServiceImpl::Part(
    const service::Actor& actor,
    const homeward::internal::v1::IndicatorPartRequest& request,
    homeward::internal::v1::IndicatorPart* response) const {
  ASSIGN_OR_RETURN(const indicators::IndicatorPeriod period,
                   indicators::CheckIndicatorPartRequest(
                       request, actor.principal, api::TodayUtc()));
  indicators::IndicatorCells cells;
  AddReferralIndicatorRows(cells);
  RETURN_IF_ERROR(referrals_->VisitAll([&](const homeward::v1::Referral& r) {
    CountReferral(r, request.office_id(), period, cells);
  }));
  *response = cells.ToPart();
  return absl::OkStatus();
}

}  // namespace homeward::referral
