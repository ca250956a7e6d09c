// The assessment service composed on the service host; see
// assessment_server.h.
#include "services/assessment/assessment_server.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "common/programme/programme_catalogs.h"
#include "common/programme/programme_files.h"
#include "common/service/upstream_feed.h"
#include "common/status/status_macros.h"
#include "services/assessment/assessment_indicators_service.h"
#include "services/assessment/assessment_service.h"
#include "services/assessment/assessment_store.h"
#include "services/assessment/audit_service.h"
#include "services/assessment/case_records_part_service.h"
#include "services/assessment/case_service.h"
#include "services/assessment/case_store.h"
#include "services/assessment/consent_service.h"
#include "services/assessment/counselling_service.h"
#include "services/assessment/follow_up_outcomes.h"
#include "services/assessment/instrument_service.h"
#include "services/assessment/instrument_store.h"
#include "services/assessment/instruments/instrument_files.h"
#include "services/assessment/need_service.h"
#include "services/assessment/need_store.h"
#include "services/assessment/plan_responses.h"
#include "services/assessment/programme_service.h"
#include "services/assessment/referral_responses.h"
#include "services/assessment/retention_job.h"
#include "services/assessment/retention_service.h"

namespace homeward::assessment {
namespace {

// Publishes the instrument files of `dir` that are not yet published, each
// checked against the published taxonomy it names. A file that would change a
// published version stops the start: scores must stay reproducible from the
// version they were made under.
absl::Status PublishInstrumentFiles(
    const std::string& dir, const programme::TaxonomyCatalog& taxonomies,
    InstrumentStore& instruments) {
  ASSIGN_OR_RETURN(
      std::vector<homeward::v1::InstrumentDefinition> definitions,
      LoadInstrumentDir(dir, [&taxonomies](absl::string_view id, int32_t v) {
        return taxonomies.Get(id, v);
      }));
  const service::Actor loader = programme::StartupLoader("instrument");
  for (auto& definition : definitions) {
    absl::Status published =
        instruments.Publish(loader, std::move(definition)).status();
    if (!published.ok()) {
      return absl::FailedPreconditionError(
          absl::StrCat("instruments_dir '", dir, "': ", published.message()));
    }
  }
  return absl::OkStatus();
}

// When the config routes the planning service, follows its feed so that
// the needs and concerns approved plans answer become BEING_ADDRESSED and
// the case's stage follows its plan (plan_responses.h); when it routes the
// referral service, follows its feed so that the needs and concerns
// referrals answer do (referral_responses.h); when it routes the follow-up
// service, follows its feed so that closures and reopenings move the case's
// stage and contacts' findings become needs and concerns
// (follow_up_outcomes.h). Without a route (deployments without that
// service) nothing is followed. `channels` holds the in-process channels of
// them all, by address.
absl::Status FollowResponders(
    const homeward::internal::v1::AssessmentConfig& config,
    const service::UpstreamChannels& channels, service::ServiceParts& parts,
    const CaseStore* cases, const NeedStore* needs) {
  if (service::RoutesUpstream(config.service(), "planning")) {
    auto* responses = parts.Own(std::make_unique<PlanResponses>(cases, needs));
    RETURN_IF_ERROR(
        service::FollowUpstream(parts, "planning", responses, channels)
            .status());
  }
  if (service::RoutesUpstream(config.service(), "referral")) {
    auto* responses = parts.Own(std::make_unique<ReferralResponses>(needs));
    RETURN_IF_ERROR(
        service::FollowUpstream(parts, "referral", responses, channels)
            .status());
  }
  if (service::RoutesUpstream(config.service(), "follow_up")) {
    auto* outcomes =
        parts.Own(std::make_unique<FollowUpOutcomes>(cases, needs));
    RETURN_IF_ERROR(
        service::FollowUpstream(parts, "follow_up", outcomes, channels)
            .status());
  }
  return absl::OkStatus();
}

// The retention job (docs/RETENTION.md): served to administrators through
// RetentionService, and run at the configured interval (daily when unset,
// never when 0) on a thread that stops before the stores close.
void StartRetention(const homeward::internal::v1::AssessmentConfig& config,
                    service::ServiceParts& parts, const CaseStore* cases,
                    const programme::ProgrammeCatalog* programmes) {
  constexpr uint32_t kDailySeconds = 24 * 60 * 60;
  auto* job = parts.Own(std::make_unique<RetentionJob>(
      parts.store(), cases, programmes, parts.owned()));
  parts.AddService<homeward::v1::RetentionService>(
      std::make_unique<RetentionServiceImpl>(job, parts.store(),
                                             parts.verifier()));
  const uint32_t interval = config.has_retention_interval_seconds()
                                ? config.retention_interval_seconds()
                                : kDailySeconds;
  if (interval == 0) return;
  auto* schedule = parts.Own(
      std::make_unique<RetentionSchedule>(job, absl::Seconds(interval)));
  parts.AddStop([schedule] { schedule->Stop(); });
}

// The stores and handlers of the assessment service, built on the host's
// store, verifier and partitions.
absl::Status BuildAssessment(
    const homeward::internal::v1::AssessmentConfig& config,
    service::UpstreamChannels channels, service::ServiceParts& parts) {
  auto* cases =
      parts.Own(std::make_unique<CaseStore>(parts.store(), *parts.owned()));
  auto* instruments =
      parts.Own(std::make_unique<InstrumentStore>(parts.store()));
  auto* assessments =
      parts.Own(std::make_unique<AssessmentStore>(parts.store()));
  auto* needs = parts.Own(std::make_unique<NeedStore>(parts.store()));
  // Programme data: the taxonomy instruments and needs name, and the
  // programmes cases belong to.
  auto* taxonomies = parts.Own(std::make_unique<programme::TaxonomyCatalog>(
      parts.store(), programme::kTaxonomySchema));
  auto* programmes = parts.Own(std::make_unique<programme::ProgrammeCatalog>(
      parts.store(), programme::kProgrammeSchema));
  // Taxonomy first: programmes and instruments name its components.
  RETURN_IF_ERROR(programme::PublishProgrammeData(
      {.taxonomy_dir = config.taxonomy_dir(),
       .programmes_dir = config.programmes_dir(),
       .taxonomies = taxonomies,
       .programmes = programmes}));
  if (!config.instruments_dir().empty()) {
    RETURN_IF_ERROR(PublishInstrumentFiles(config.instruments_dir(),
                                           *taxonomies, *instruments));
  }
  parts.AddService<homeward::v1::CaseService>(
      std::make_unique<CaseServiceImpl>(cases, programmes, parts.verifier()));
  parts.AddService<homeward::v1::InstrumentService>(
      std::make_unique<InstrumentServiceImpl>(instruments, taxonomies,
                                              parts.verifier()));
  parts.AddService<homeward::v1::ProgrammeService>(
      std::make_unique<ProgrammeServiceImpl>(taxonomies, programmes,
                                             parts.verifier()));
  parts.AddService<homeward::v1::AssessmentService>(
      std::make_unique<AssessmentServiceImpl>(cases, instruments, assessments,
                                              parts.verifier()));
  parts.AddService<homeward::v1::NeedService>(std::make_unique<NeedServiceImpl>(
      cases, needs, taxonomies, parts.verifier()));
  parts.AddService<homeward::v1::ConsentService>(
      std::make_unique<ConsentServiceImpl>(cases, parts.store(),
                                           parts.verifier()));
  parts.AddService<homeward::v1::CounsellingService>(
      std::make_unique<CounsellingServiceImpl>(cases, parts.store(),
                                               parts.verifier()));
  parts.AddService<homeward::v1::AuditService>(
      std::make_unique<AuditServiceImpl>(cases, parts.store(), parts.owned(),
                                         parts.verifier()));
  // The programme indicators' caseload and RSS tables (internal: only the
  // gateway calls it, to compose ProgrammeIndicatorService).
  parts.AddService<homeward::internal::v1::AssessmentIndicators>(
      std::make_unique<AssessmentIndicatorsImpl>(cases, assessments,
                                                 parts.verifier()));
  StartRetention(config, parts, cases, programmes);
  // Its part of a subject-access export (internal: only the gateway calls
  // it, to compose SubjectAccessService/ExportCaseRecords).
  parts.AddService<homeward::internal::v1::AssessmentCaseRecordsPart>(
      std::make_unique<AssessmentCaseRecordsPartImpl>(
          cases, assessments, needs, parts.store(), parts.verifier()));
  RETURN_IF_ERROR(FollowResponders(config, channels, parts, cases, needs));
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::unique_ptr<AssessmentServer>> AssessmentServer::Start(
    const homeward::internal::v1::AssessmentConfig& config,
    const std::string& principal_secret, service::UpstreamChannels channels) {
  const service::ServiceDefinition definition{
      .name = "assessment",
      .build = [&config, &channels](service::ServiceParts& parts) {
        return BuildAssessment(config, std::move(channels), parts);
      }};
  ASSIGN_OR_RETURN(std::unique_ptr<service::ServiceHost> host,
                   service::ServiceHost::Start(definition, config.service(),
                                               principal_secret));
  return std::unique_ptr<AssessmentServer>(
      new AssessmentServer(std::move(host)));
}

absl::StatusOr<std::unique_ptr<AssessmentServer>> AssessmentServer::Start(
    const homeward::internal::v1::ServiceConfig& config,
    const std::string& principal_secret) {
  homeward::internal::v1::AssessmentConfig assessment;
  *assessment.mutable_service() = config;
  return Start(assessment, principal_secret);
}

}  // namespace homeward::assessment
