// The follow-up service's indicator part; see follow_up_indicator_service.h.
#include "services/follow_up/follow_up_indicator_service.h"

#include <cstdint>
#include <vector>

#include "common/api/field_checks.h"
#include "common/auth/principal_token.h"
#include "common/indicators/indicator_cells.h"
#include "common/indicators/indicator_request.h"
#include "common/service/rpc_method.h"
#include "common/status/status_macros.h"
#include "services/follow_up/closure_store.h"
#include "services/follow_up/contact_store.h"
#include "services/follow_up/follow_up_cases.h"
#include "services/follow_up/follow_up_indicators.h"

namespace homeward::follow_up {
namespace {

constexpr service::RpcMethod kGetIndicatorPart{
    "homeward.internal.v1.FollowUpIndicators/GetIndicatorPart"};

}  // namespace

grpc::Status FollowUpIndicatorServiceImpl::GetIndicatorPart(
    grpc::ServerContext* context,
    const homeward::internal::v1::IndicatorPartRequest* request,
    homeward::internal::v1::IndicatorPart* response) {
  absl::StatusOr<service::Actor> actor =
      kGetIndicatorPart.ActorOf(*context, *parts_.verifier);
  return kGetIndicatorPart.Finish(
      *context, actor.ok() ? Part(*actor, *request, response) : actor.status());
}

absl::Status FollowUpIndicatorServiceImpl::Part(
    const service::Actor& actor,
    const homeward::internal::v1::IndicatorPartRequest& request,
    homeward::internal::v1::IndicatorPart* response) const {
  ASSIGN_OR_RETURN(const indicators::IndicatorPeriod period,
                   indicators::CheckIndicatorPartRequest(
                       request, actor.principal, api::TodayUtc()));
  const std::string& office = request.office_id();
  const std::vector<uint32_t>& partitions = parts_.cases->owned().partitions();
  indicators::IndicatorCells cells;
  AddFollowUpIndicatorRows(cells);
  RETURN_IF_ERROR(parts_.contacts->VisitAll(
      partitions, [&](const homeward::v1::FollowUpContact& contact) {
        CountRecordedContact(contact, office, period, cells);
      }));
  RETURN_IF_ERROR(parts_.contacts->VisitScheduledBefore(
      partitions, office, period.as_of,
      [&](const homeward::v1::FollowUpContact& contact) {
        CountOverdueContact(contact, office, period, cells);
      }));
  RETURN_IF_ERROR(parts_.closures->VisitAll(
      partitions, [&](const homeward::v1::Closure& closure) {
        CountClosure(closure, office, period, cells);
      }));
  *response = cells.ToPart();
  return absl::OkStatus();
}

}  // namespace homeward::follow_up
