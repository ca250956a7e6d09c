// The follow-up service composed on the service host; see follow_up_server.h.
#include "services/follow_up/follow_up_server.h"

#include <utility>

#include "common/programme/programme_catalogs.h"
#include "common/programme/programme_files.h"
#include "common/service/upstream_route.h"
#include "common/status/status_macros.h"
#include "services/follow_up/closure_service.h"
#include "services/follow_up/closure_store.h"
#include "services/follow_up/contact_store.h"
#include "services/follow_up/follow_up_case_records_part_service.h"
#include "services/follow_up/follow_up_cases.h"
#include "services/follow_up/follow_up_indicator_service.h"
#include "services/follow_up/follow_up_parts.h"
#include "services/follow_up/follow_up_service.h"
#include "services/follow_up/plan_view.h"
#include "services/follow_up/referral_view.h"

namespace homeward::follow_up {
namespace {

absl::Status BuildFollowUp(const homeward::internal::v1::FollowUpConfig& config,
                           service::UpstreamChannels channels,
                           service::ServiceParts& parts) {
  auto* taxonomies = parts.Own(std::make_unique<programme::TaxonomyCatalog>(
      parts.store(), programme::kTaxonomySchema));
  auto* programmes = parts.Own(std::make_unique<programme::ProgrammeCatalog>(
      parts.store(), programme::kProgrammeSchema));
  RETURN_IF_ERROR(programme::PublishProgrammeData(
      {.taxonomy_dir = config.taxonomy_dir(),
       .programmes_dir = config.programmes_dir(),
       .taxonomies = taxonomies,
       .programmes = programmes}));
  auto* contacts =
      parts.Own(std::make_unique<ContactStore>(parts.store(), programmes));
  auto* closures = parts.Own(std::make_unique<ClosureStore>(parts.store()));
  auto* cases = parts.Own(
      std::make_unique<FollowUpCases>(parts.store(), *parts.owned(), contacts));
  RETURN_IF_ERROR(
      service::FollowUpstream(parts, "assessment", cases, channels).status());
  auto* plans = parts.Own(std::make_unique<PlanView>(
      parts.store(), *parts.owned(), cases, contacts, programmes));
  RETURN_IF_ERROR(
      service::FollowUpstream(parts, "planning", plans, channels).status());
  auto* referrals =
      parts.Own(std::make_unique<ReferralView>(parts.store(), *parts.owned()));
  // Without the referral service (a deployment that refers on paper), a
  // case has no referrals to review or to check before closing.
  if (service::RoutesUpstream(config.service(), "referral")) {
    RETURN_IF_ERROR(
        service::FollowUpstream(parts, "referral", referrals, channels)
            .status());
  }
  const FollowUpParts follow_up_parts{.contacts = contacts,
                                      .closures = closures,
                                      .cases = cases,
                                      .plans = plans,
                                      .referrals = referrals,
                                      .programmes = programmes,
                                      .taxonomies = taxonomies,
                                      .verifier = parts.verifier()};
  parts.AddService<homeward::v1::FollowUpService>(
      std::make_unique<FollowUpServiceImpl>(follow_up_parts));
  parts.AddService<homeward::v1::CaseClosureService>(
      std::make_unique<CaseClosureServiceImpl>(follow_up_parts));
  // The programme indicators' part, asked by the gateway only.
  parts.AddService<homeward::internal::v1::FollowUpIndicators>(
      std::make_unique<FollowUpIndicatorServiceImpl>(follow_up_parts));
  // Its part of a subject-access export, asked by the gateway only.
  parts.AddService<homeward::internal::v1::FollowUpCaseRecordsPart>(
      std::make_unique<FollowUpCaseRecordsPartImpl>(follow_up_parts,
                                                    parts.store()));
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::unique_ptr<FollowUpServer>> FollowUpServer::Start(
    const homeward::internal::v1::FollowUpConfig& config,
    const std::string& principal_secret, service::UpstreamChannels channels) {
  const service::ServiceDefinition definition{
      .name = kFollowUpBackend,
      .build = [&config, &channels](service::ServiceParts& parts) {
        return BuildFollowUp(config, std::move(channels), parts);
      }};
  ASSIGN_OR_RETURN(std::unique_ptr<service::ServiceHost> host,
                   service::ServiceHost::Start(definition, config.service(),
                                               principal_secret));
  return std::unique_ptr<FollowUpServer>(new FollowUpServer(std::move(host)));
}

}  // namespace homeward::follow_up
