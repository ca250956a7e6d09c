// The referral service composed on the service host; see referral_server.h.
#include "services/referral/referral_server.h"

#include <utility>

#include "common/programme/programme_catalogs.h"
#include "common/programme/programme_files.h"
#include "common/service/upstream_calls.h"
#include "common/service/upstream_route.h"
#include "common/status/status_macros.h"
#include "services/referral/assessment_consent.h"
#include "services/referral/case_closures.h"
#include "services/referral/case_events.h"
#include "services/referral/directory_service.h"
#include "services/referral/directory_store.h"
#include "services/referral/referral_case_records_part_service.h"
#include "services/referral/referral_indicator_service.h"
#include "services/referral/referral_service.h"
#include "services/referral/referral_store.h"
#include "services/referral/referrals_to_make.h"

namespace homeward::referral {
namespace {

absl::Status BuildReferral(const homeward::internal::v1::ReferralConfig& config,
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
  auto* directory = parts.Own(std::make_unique<DirectoryStore>(parts.store()));
  auto* referrals =
      parts.Own(std::make_unique<ReferralStore>(parts.store(), parts.owned()));
  auto* cases = parts.Own(std::make_unique<ReferralCaseEvents>(
      parts.store(), *parts.owned(), referrals));
  RETURN_IF_ERROR(
      service::FollowUpstream(parts, "assessment", cases, channels).status());
  // The follow-up service closes cases: their open referrals are
  // cancelled. Without it (a deployment without follow-up) cases are never
  // closed.
  if (service::RoutesUpstream(parts.config(), "follow_up")) {
    auto* closures =
        parts.Own(std::make_unique<ReferralCaseClosures>(referrals));
    RETURN_IF_ERROR(
        service::FollowUpstream(parts, "follow_up", closures, channels)
            .status());
  }
  auto* to_make = parts.Own(
      std::make_unique<ReferralsToMake>(parts.store(), *parts.owned()));
  // Without the planning service (a deployment that refers ad hoc), no
  // activity ever asks for a referral and the list stays empty.
  if (service::RoutesUpstream(parts.config(), "planning")) {
    RETURN_IF_ERROR(
        service::FollowUpstream(parts, "planning", to_make, channels).status());
  }
  ASSIGN_OR_RETURN(
      std::unique_ptr<service::UpstreamCalls> calls,
      service::UpstreamCalls::Create(parts, "assessment", std::move(channels)));
  auto* assessment = parts.Own(std::move(calls));
  auto* consent = parts.Own(std::make_unique<AssessmentConsent>(assessment));

  parts.AddService<homeward::v1::DirectoryService>(
      std::make_unique<DirectoryServiceImpl>(
          DirectoryServiceImpl::Parts{.directory = directory,
                                      .taxonomies = taxonomies,
                                      .verifier = parts.verifier()}));
  const ReferralParts referral_parts{.referrals = referrals,
                                     .cases = cases,
                                     .directory = directory,
                                     .consent = consent,
                                     .to_make = to_make,
                                     .verifier = parts.verifier()};
  parts.AddService<homeward::v1::ReferralService>(
      std::make_unique<ReferralServiceImpl>(referral_parts));
  parts.AddService<homeward::v1::PartnerReferralService>(
      std::make_unique<PartnerReferralServiceImpl>(referral_parts));
  // The programme indicators' part, asked by the gateway only.
  parts.AddService<homeward::internal::v1::ReferralIndicators>(
      std::make_unique<ReferralIndicatorServiceImpl>(referrals,
                                                     parts.verifier()));
  // Its part of a subject-access export, asked by the gateway only.
  parts.AddService<homeward::internal::v1::ReferralCaseRecordsPart>(
      std::make_unique<ReferralCaseRecordsPartImpl>(
          cases, referrals, parts.store(), parts.verifier()));
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::unique_ptr<ReferralServer>> ReferralServer::Start(
    const homeward::internal::v1::ReferralConfig& config,
    const std::string& principal_secret, service::UpstreamChannels channels) {
  const service::ServiceDefinition definition{
      .name = kReferralBackend,
      .build = [&config, &channels](service::ServiceParts& parts) {
        return BuildReferral(config, std::move(channels), parts);
      }};
  ASSIGN_OR_RETURN(std::unique_ptr<service::ServiceHost> host,
                   service::ServiceHost::Start(definition, config.service(),
                                               principal_secret));
  return std::unique_ptr<ReferralServer>(new ReferralServer(std::move(host)));
}

}  // namespace homeward::referral
