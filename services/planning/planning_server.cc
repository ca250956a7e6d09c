// The planning service composed on the service host; see planning_server.h.
#include "services/planning/planning_server.h"

#include <utility>

#include "common/programme/programme_catalogs.h"
#include "common/programme/programme_files.h"
#include "common/status/status_macros.h"
#include "services/planning/case_context.h"
#include "services/planning/feasibility_grid_service.h"
#include "services/planning/plan_case_records_part_service.h"
#include "services/planning/plan_follow_up.h"
#include "services/planning/plan_indicators_service.h"
#include "services/planning/plan_service.h"
#include "services/planning/plan_store.h"
#include "services/planning/referral_progress.h"

namespace homeward::planning {
namespace {

absl::Status BuildPlanning(const homeward::internal::v1::PlanningConfig& config,
                           service::UpstreamChannels channels,
                           service::ServiceParts& parts) {
  auto* taxonomies = parts.Own(std::make_unique<programme::TaxonomyCatalog>(
      parts.store(), programme::kTaxonomySchema));
  auto* grids = parts.Own(std::make_unique<programme::FeasibilityGridCatalog>(
      parts.store(), programme::kFeasibilityGridSchema));
  auto* programmes = parts.Own(std::make_unique<programme::ProgrammeCatalog>(
      parts.store(), programme::kProgrammeSchema));
  RETURN_IF_ERROR(programme::PublishProgrammeData(
      {.taxonomy_dir = config.taxonomy_dir(),
       .feasibility_dir = config.feasibility_dir(),
       .programmes_dir = config.programmes_dir(),
       .taxonomies = taxonomies,
       .programmes = programmes,
       .grids = grids}));
  auto* plans = parts.Own(std::make_unique<PlanStore>(parts.store()));
  auto* context = parts.Own(
      std::make_unique<CaseContextProjection>(parts.store(), *parts.owned()));
  RETURN_IF_ERROR(
      service::FollowUpstream(parts, "assessment", context, channels).status());
  // Activities delivered by referral follow their referrals when the
  // deployment has the referral service (referral_progress.h).
  if (service::RoutesUpstream(config.service(), "referral")) {
    auto* progress = parts.Own(std::make_unique<ReferralProgress>(plans));
    RETURN_IF_ERROR(
        service::FollowUpstream(parts, "referral", progress, channels)
            .status());
  }
  // Closing a case ends its plan, and a follow-up contact may ask for a
  // revision, when the deployment has the follow-up service
  // (plan_follow_up.h).
  if (service::RoutesUpstream(config.service(), "follow_up")) {
    auto* follow_up = parts.Own(std::make_unique<PlanFollowUp>(plans, context));
    RETURN_IF_ERROR(
        service::FollowUpstream(parts, "follow_up", follow_up, channels)
            .status());
  }
  auto* queues = parts.Own(std::make_unique<PlanQueues>(
      parts.store(), parts.owned(), context, plans, programmes));
  parts.AddService<homeward::v1::PlanService>(std::make_unique<PlanServiceImpl>(
      PlanServiceImpl::Parts{.plans = plans,
                             .cases = context,
                             .taxonomies = taxonomies,
                             .programmes = programmes,
                             .grids = grids,
                             .queues = queues,
                             .verifier = parts.verifier()}));
  // Grids published while the deployment runs (the gateway sends each
  // publication to every planning replica).
  parts.AddService<homeward::v1::FeasibilityGridService>(
      std::make_unique<FeasibilityGridServiceImpl>(grids, taxonomies,
                                                   parts.verifier()));
  // The programme indicators' plan timeliness table (internal: only the
  // gateway calls it, to compose ProgrammeIndicatorService).
  parts.AddService<homeward::internal::v1::PlanningIndicators>(
      std::make_unique<PlanIndicatorsImpl>(context, plans, programmes,
                                           parts.verifier()));
  // Its part of a subject-access export (internal: only the gateway calls
  // it, to compose SubjectAccessService/ExportCaseRecords).
  parts.AddService<homeward::internal::v1::PlanningCaseRecordsPart>(
      std::make_unique<PlanCaseRecordsPartImpl>(context, plans, parts.store(),
                                                parts.verifier()));
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::unique_ptr<PlanningServer>> PlanningServer::Start(
    const homeward::internal::v1::PlanningConfig& config,
    const std::string& principal_secret, service::UpstreamChannels channels) {
  const service::ServiceDefinition definition{
      .name = kPlanningBackend,
      .build = [&config, &channels](service::ServiceParts& parts) {
        return BuildPlanning(config, std::move(channels), parts);
      }};
  ASSIGN_OR_RETURN(std::unique_ptr<service::ServiceHost> host,
                   service::ServiceHost::Start(definition, config.service(),
                                               principal_secret));
  return std::unique_ptr<PlanningServer>(new PlanningServer(std::move(host)));
}

}  // namespace homeward::planning
