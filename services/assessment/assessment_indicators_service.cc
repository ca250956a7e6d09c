// The assessment service's indicator part; see
// assessment_indicators_service.h.
#include "services/assessment/assessment_indicators_service.h"

#include <vector>

#include "common/api/field_checks.h"
#include "common/indicators/indicator_cells.h"
#include "common/indicators/indicator_request.h"
#include "common/service/rpc_method.h"
#include "common/status/status_macros.h"
#include "services/assessment/assessment_indicators.h"

namespace homeward::assessment {
namespace {

constexpr service::RpcMethod kGetIndicatorPart{
    "homeward.internal.v1.AssessmentIndicators/GetIndicatorPart"};

}  // namespace

grpc::Status AssessmentIndicatorsImpl::GetIndicatorPart(
    grpc::ServerContext* context,
    const homeward::internal::v1::IndicatorPartRequest* request,
    homeward::internal::v1::IndicatorPart* response) {
  return kGetIndicatorPart.Finish(*context, Get(*context, *request, response));
}

absl::Status AssessmentIndicatorsImpl::Get(
    const grpc::ServerContext& context,
    const homeward::internal::v1::IndicatorPartRequest& request,
    homeward::internal::v1::IndicatorPart* response) const {
  ASSIGN_OR_RETURN(service::Actor actor,
                   kGetIndicatorPart.ActorOf(context, *verifier_));
  ASSIGN_OR_RETURN(const indicators::IndicatorPeriod period,
                   indicators::CheckIndicatorPartRequest(
                       request, actor.principal, api::TodayUtc()));
  indicators::IndicatorCells cells;
  StartAssessmentCells(&cells);
  RETURN_IF_ERROR(cases_->ForEachCaseOfOffice(
      request.office_id(), [&](const homeward::v1::Case& c) -> absl::Status {
        AddCaseloadCells(c, period, &cells);
        ASSIGN_OR_RETURN(
            std::vector<homeward::v1::Assessment> rss,
            assessments_->ListAll(c.partition(), c.case_id(),
                                  homeward::v1::INSTRUMENT_KIND_RSS));
        AddRssCells(rss, period, &cells);
        return absl::OkStatus();
      }));
  *response = cells.ToPart();
  return absl::OkStatus();
}

}  // namespace homeward::assessment
