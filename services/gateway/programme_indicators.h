// Programme indicators at the gateway (homeward/v1/indicators.proto):
// ProgrammeIndicatorService/GetProgrammeIndicators is a composed method the
// gateway answers itself. It checks the request and the caller's office,
// asks the four services for their parts at once (each service's internal
// GetIndicatorPart, gathered over every replica of that service), merges the
// cells and renders the tables with small groups suppressed
// (indicator_tables.h). A service whose part cannot be had (down, too slow,
// not deployed) is named in missing_services and its tables' values are
// absent; any other refusal fails the call with the service's status.
//
//   std::vector<MethodRoute> methods = PublicMethods();
//   for (MethodRoute& m : IndicatorMethods(/*suppression_threshold=*/5)) {
//     methods.push_back(std::move(m));
//   }
//   ASSIGN_OR_RETURN(MethodTable table, MethodTable::Create(methods));
#ifndef HOMEWARD_SERVICES_GATEWAY_PROGRAMME_INDICATORS_H_
#define HOMEWARD_SERVICES_GATEWAY_PROGRAMME_INDICATORS_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/civil_time.h"
#include "homeward/internal/v1/indicator_parts.pb.h"
#include "homeward/internal/v1/principal.pb.h"
#include "homeward/v1/indicators.pb.h"
#include "services/gateway/method_table.h"

namespace homeward::gateway {

inline constexpr char kGetProgrammeIndicators[] =
    "homeward.v1.ProgrammeIndicatorService/GetProgrammeIndicators";

// GatewayConfig.indicator_suppression_threshold when it is 0.
inline constexpr int kDefaultIndicatorSuppressionThreshold = 5;

// A service that computes a part of the indicators: its backend and the
// internal method that returns its part.
struct IndicatorSource {
  const char* backend;  // e.g. kReferralService
  const char* method;   // "homeward.internal.v1.ReferralIndicators/..."
};
// The four, in the order missing_services lists them.
const std::vector<IndicatorSource>& IndicatorSources();

// The public composed method (IndicatorReaders(); the gateway suppresses
// groups smaller than `suppression_threshold`, which must be at least 2),
// then the four internal part methods (internal: not on the public faces;
// gathered over every replica of their backend).
std::vector<MethodRoute> IndicatorMethods(int suppression_threshold);

// The request's check: INVALID_ARGUMENT with one violation per bad field
// (the office, the period and the caller's scope as every service checks
// its part, indicators::CheckIndicatorPartRequest; table a known
// IndicatorTableId or unset), then PERMISSION_DENIED when `caller` is not an
// administrator and the office is not one of its offices.
absl::Status CheckProgrammeIndicatorsRequest(
    const homeward::v1::GetProgrammeIndicatorsRequest& request,
    const homeward::internal::v1::Principal& caller);

// What each service is asked: the office and period, stocks counted on
// `today` (every service on the same day).
homeward::internal::v1::IndicatorPartRequest PartRequestOf(
    const homeward::v1::GetProgrammeIndicatorsRequest& request,
    absl::CivilDay today);

}  // namespace homeward::gateway

#endif  // HOMEWARD_SERVICES_GATEWAY_PROGRAMME_INDICATORS_H_
