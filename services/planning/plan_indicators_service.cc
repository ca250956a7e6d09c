// The planning service's indicator part; see plan_indicators_service.h.
#include "services/planning/plan_indicators_service.h"

#include <map>
#include <string>
#include <utility>

#include "common/api/field_checks.h"
#include "common/indicators/indicator_cells.h"
#include "common/indicators/indicator_request.h"
#include "common/service/rpc_method.h"
#include "common/status/status_macros.h"
#include "services/planning/plan_indicators.h"
#include "services/planning/plan_queues.h"

namespace homeward::planning {
namespace {

constexpr service::RpcMethod kGetIndicatorPart{
    "homeward.internal.v1.PlanningIndicators/GetIndicatorPart"};

}  // namespace

grpc::Status PlanIndicatorsImpl::GetIndicatorPart(
    grpc::ServerContext* context,
    const homeward::internal::v1::IndicatorPartRequest* request,
    homeward::internal::v1::IndicatorPart* response) {
  return kGetIndicatorPart.Finish(*context, Get(*context, *request, response));
}

absl::Status PlanIndicatorsImpl::Get(
    const grpc::ServerContext& context,
    const homeward::internal::v1::IndicatorPartRequest& request,
    homeward::internal::v1::IndicatorPart* response) const {
  ASSIGN_OR_RETURN(service::Actor actor,
                   kGetIndicatorPart.ActorOf(context, *verifier_));
  ASSIGN_OR_RETURN(const indicators::IndicatorPeriod period,
                   indicators::CheckIndicatorPartRequest(
                       request, actor.principal, api::TodayUtc()));
  indicators::IndicatorCells cells;
  StartPlanTimelinessCells(&cells);
  // An office's cases share a few programmes: each is read once.
  std::map<std::string, homeward::v1::Programme, std::less<>> programmes;
  RETURN_IF_ERROR(cases_->ForEachCaseOfOffice(
      request.office_id(),
      [&](uint32_t partition, const CaseContext& c) -> absl::Status {
        homeward::v1::Plan first;
        homeward::v1::Plan latest;
        ASSIGN_OR_RETURN(bool has_plan,
                         plans_->GetFirstAndLatest(partition, c.scope.case_id(),
                                                   &first, &latest));
        const std::string& programme_id = c.context.programme_id();
        auto known = programmes.find(programme_id);
        if (known == programmes.end()) {
          ASSIGN_OR_RETURN(homeward::v1::Programme programme,
                           ProgrammeForDeadline(*programmes_, programme_id));
          known = programmes.emplace(programme_id, std::move(programme)).first;
        }
        AddPlanTimelinessCells(c, has_plan ? &first : nullptr,
                               has_plan ? &latest : nullptr, known->second,
                               period, &cells);
        return absl::OkStatus();
      }));
  *response = cells.ToPart();
  return absl::OkStatus();
}

}  // namespace homeward::planning
