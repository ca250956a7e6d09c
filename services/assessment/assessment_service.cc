// AssessmentService handlers; see assessment_service.h.
#include "services/assessment/assessment_service.h"

#include "absl/strings/str_cat.h"
#include "common/api/field_checks.h"
#include "common/api/paging.h"
#include "common/auth/crypto.h"
#include "common/service/rpc_method.h"
#include "common/status/errors.h"
#include "common/status/status_macros.h"
#include "services/assessment/assessment_rules.h"
#include "services/assessment/case_scope.h"
#include "services/assessment/case_stages.h"
#include "services/assessment/case_validation.h"
#include "services/assessment/instruments/scoring.h"
#include "services/assessment/need_service.h"

namespace homeward::assessment {
namespace {

using homeward::v1::Assessment;

constexpr service::RpcMethod kSubmitAssessment{
    "homeward.v1.AssessmentService/SubmitAssessment"};
constexpr service::RpcMethod kGetAssessment{
    "homeward.v1.AssessmentService/GetAssessment"};
constexpr service::RpcMethod kListAssessments{
    "homeward.v1.AssessmentService/ListAssessments"};
constexpr service::RpcMethod kCompareAssessments{
    "homeward.v1.AssessmentService/CompareAssessments"};
constexpr service::RpcMethod kListNeeds{
    "homeward.v1.AssessmentService/ListNeeds"};

}  // namespace

grpc::Status AssessmentServiceImpl::SubmitAssessment(
    grpc::ServerContext* context,
    const homeward::v1::SubmitAssessmentRequest* request,
    Assessment* response) {
  return kSubmitAssessment.Finish(*context,
                                  Submit(*context, *request, response));
}

grpc::Status AssessmentServiceImpl::GetAssessment(
    grpc::ServerContext* context,
    const homeward::v1::GetAssessmentRequest* request, Assessment* response) {
  return kGetAssessment.Finish(*context, Get(*context, *request, response));
}

grpc::Status AssessmentServiceImpl::ListAssessments(
    grpc::ServerContext* context,
    const homeward::v1::ListAssessmentsRequest* request,
    homeward::v1::ListAssessmentsResponse* response) {
  return kListAssessments.Finish(*context, List(*context, *request, response));
}

grpc::Status AssessmentServiceImpl::CompareAssessments(
    grpc::ServerContext* context,
    const homeward::v1::CompareAssessmentsRequest* request,
    homeward::v1::CompareAssessmentsResponse* response) {
  return kCompareAssessments.Finish(*context,
                                    Compare(*context, *request, response));
}

grpc::Status AssessmentServiceImpl::ListNeeds(
    grpc::ServerContext* context, const homeward::v1::ListNeedsRequest* request,
    homeward::v1::ListNeedsResponse* response) {
  return kListNeeds.Finish(*context, Needs(*context, *request, response));
}

absl::Status AssessmentServiceImpl::Submit(
    const grpc::ServerContext& context,
    const homeward::v1::SubmitAssessmentRequest& request,
    Assessment* response) {
  ASSIGN_OR_RETURN(service::Actor actor,
                   kSubmitAssessment.ActorOf(context, *verifier_));
  RETURN_IF_ERROR(CheckCaseRole(actor.principal, CaseAction::kUpdate));
  // One refusal lists every problem: the request's own fields and, when the
  // instrument version it names exists, the answers against it.
  errors::FieldViolations bad =
      ValidateSubmitAssessment(request, api::TodayUtc());
  homeward::v1::InstrumentDefinition instrument;
  if (!request.instrument_id().empty() && request.instrument_version() >= 1) {
    absl::StatusOr<homeward::v1::InstrumentDefinition> found =
        instruments_->Get(request.instrument_id(),
                          request.instrument_version());
    if (found.ok()) {
      instrument = *std::move(found);
      bad = ValidateSubmission(request, api::TodayUtc(), instrument);
    } else if (found.status().code() == absl::StatusCode::kNotFound &&
               !bad.empty()) {
      bad.Add("instrument_version", std::string(found.status().message()));
    } else {
      RETURN_IF_ERROR(bad.ToStatus());
      return found.status();
    }
  }
  RETURN_IF_ERROR(bad.ToStatus());
  ASSIGN_OR_RETURN(homeward::v1::Case c,
                   CaseInScope(*cases_, actor, request.case_id(), "case_id",
                               CaseAction::kUpdate));
  RETURN_IF_ERROR(CheckSubjectMember(c, request.subject_member_id()));

  // Scores, bands, flags and rule-raised needs come from the answers and this
  // exact version, so they can be recomputed from what is stored.
  ScoringResult scored = Score(instrument, request.answers());
  Assessment assessment;
  assessment.set_case_id(c.case_id());
  assessment.set_instrument_id(instrument.instrument_id());
  assessment.set_instrument_version(instrument.version());
  assessment.set_kind(instrument.kind());
  *assessment.mutable_assessment_date() = request.assessment_date();
  assessment.set_occasion(request.occasion());
  assessment.set_assessor_role(request.assessor_role());
  assessment.set_mode(request.mode());
  assessment.set_subject_member_id(request.subject_member_id());
  *assessment.mutable_answers() = request.answers();
  *assessment.mutable_scores() = scored.scores;
  for (auto& band : scored.bands) *assessment.add_bands() = std::move(band);
  for (auto& flag : scored.flags) *assessment.add_flags() = std::move(flag);
  for (auto& need : scored.needs) *assessment.add_needs() = std::move(need);
  if (auto& v = scored.vulnerability) *assessment.mutable_vulnerability() = *v;
  for (const auto& input : request.needs()) {
    auto* need = assessment.add_needs();
    need->set_dimension(input.dimension());
    need->set_category(input.category());
    need->set_description(input.description());
    need->set_priority(input.priority());
  }
  std::string request_id = request.request_id().empty() ? crypto::RandomHex(16)
                                                        : request.request_id();
  // The case's first assessment moves it from intake to assessment, in the
  // same commit: no submission without its move, no move without it.
  ASSIGN_OR_RETURN(storage::WriteSet stage_move,
                   cases_->StageMove(actor, c, kAssessmentCompleted));
  ASSIGN_OR_RETURN(
      *response,
      assessments_->Submit(actor, c.partition(), request_id,
                           std::move(assessment), std::move(stage_move)));
  return absl::OkStatus();
}

absl::Status AssessmentServiceImpl::Get(
    const grpc::ServerContext& context,
    const homeward::v1::GetAssessmentRequest& request, Assessment* response) {
  ASSIGN_OR_RETURN(service::Actor actor,
                   kGetAssessment.ActorOf(context, *verifier_));
  RETURN_IF_ERROR(CheckCaseRole(actor.principal, CaseAction::kRead));
  RETURN_IF_ERROR(ValidateGetAssessment(request).ToStatus());
  ASSIGN_OR_RETURN(homeward::v1::Case c,
                   CaseInScope(*cases_, actor, request.case_id(), "case_id",
                               CaseAction::kRead));
  ASSIGN_OR_RETURN(*response, assessments_->Get(c.partition(), c.case_id(),
                                                request.assessment_id()));
  cases_->AuditRead(actor, c.case_id());
  return absl::OkStatus();
}

absl::Status AssessmentServiceImpl::List(
    const grpc::ServerContext& context,
    const homeward::v1::ListAssessmentsRequest& request,
    homeward::v1::ListAssessmentsResponse* response) {
  ASSIGN_OR_RETURN(service::Actor actor,
                   kListAssessments.ActorOf(context, *verifier_));
  RETURN_IF_ERROR(CheckCaseRole(actor.principal, CaseAction::kRead));
  RETURN_IF_ERROR(ValidateListAssessments(request).ToStatus());
  ASSIGN_OR_RETURN(homeward::v1::Case c,
                   CaseInScope(*cases_, actor, request.case_id(), "case_id",
                               CaseAction::kRead));
  ASSIGN_OR_RETURN(
      storage::Page<homeward::v1::Assessment> page,
      assessments_->List(c.partition(), c.case_id(), request.kind(),
                         api::EffectivePageSize(request.page()),
                         request.page().page_token()));
  for (auto& a : page.items) *response->add_assessments() = std::move(a);
  response->set_next_page_token(std::move(page.next_page_token));
  cases_->AuditRead(actor, c.case_id());
  return absl::OkStatus();
}

absl::Status AssessmentServiceImpl::Compare(
    const grpc::ServerContext& context,
    const homeward::v1::CompareAssessmentsRequest& request,
    homeward::v1::CompareAssessmentsResponse* response) {
  ASSIGN_OR_RETURN(service::Actor actor,
                   kCompareAssessments.ActorOf(context, *verifier_));
  RETURN_IF_ERROR(CheckCaseRole(actor.principal, CaseAction::kRead));
  RETURN_IF_ERROR(ValidateCompareAssessments(request).ToStatus());
  ASSIGN_OR_RETURN(homeward::v1::Case c,
                   CaseInScope(*cases_, actor, request.case_id(), "case_id",
                               CaseAction::kRead));
  ASSIGN_OR_RETURN(Assessment base,
                   assessments_->Get(c.partition(), c.case_id(),
                                     request.base_assessment_id()));
  ASSIGN_OR_RETURN(Assessment target,
                   assessments_->Get(c.partition(), c.case_id(),
                                     request.target_assessment_id()));
  RETURN_IF_ERROR(
      CheckComparable(base, target, request.target_assessment_id()));
  *response = CompareSubmissions(base, target);
  cases_->AuditRead(actor, c.case_id());
  return absl::OkStatus();
}

absl::Status AssessmentServiceImpl::Needs(
    const grpc::ServerContext& context,
    const homeward::v1::ListNeedsRequest& request,
    homeward::v1::ListNeedsResponse* response) {
  ASSIGN_OR_RETURN(service::Actor actor,
                   kListNeeds.ActorOf(context, *verifier_));
  return ListCaseNeeds(actor, *cases_, assessments_->needs(), request,
                       response);
}

}  // namespace homeward::assessment
