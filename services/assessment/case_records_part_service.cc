// The assessment service's part of a subject-access export; see
// case_records_part_service.h.
#include "services/assessment/case_records_part_service.h"

#include <string>
#include <utility>
#include <vector>

#include "common/cases/subject_access.h"
#include "common/service/rpc_method.h"
#include "common/status/status_macros.h"
#include "services/assessment/case_scope.h"

namespace homeward::assessment {
namespace {

namespace v1 = ::homeward::v1;

constexpr service::RpcMethod kGetCaseRecordsPart{
    "homeward.internal.v1.AssessmentCaseRecordsPart/GetCaseRecordsPart"};

template <typename T>
void AddAll(std::vector<T> items, google::protobuf::RepeatedPtrField<T>* to) {
  for (T& item : items) *to->Add() = std::move(item);
}

}  // namespace

grpc::Status AssessmentCaseRecordsPartImpl::GetCaseRecordsPart(
    grpc::ServerContext* context,
    const homeward::internal::v1::CaseRecordsPartRequest* request,
    v1::AssessmentCaseRecords* response) {
  return kGetCaseRecordsPart.Finish(*context,
                                    Get(*context, *request, response));
}

absl::Status AssessmentCaseRecordsPartImpl::Get(
    const grpc::ServerContext& context,
    const homeward::internal::v1::CaseRecordsPartRequest& request,
    v1::AssessmentCaseRecords* response) {
  ASSIGN_OR_RETURN(service::Actor actor,
                   kGetCaseRecordsPart.ActorOf(context, *verifier_));
  RETURN_IF_ERROR(cases::CheckSubjectAccessRole(actor.principal));
  ASSIGN_OR_RETURN(v1::Case c, CaseInScope(*cases_, actor, request.case_id(),
                                           "case_id", CaseAction::kRead));
  const uint32_t partition = c.partition();
  const std::string& id = c.case_id();
  // Every list is read whole before anything is answered: a list past the
  // export's cap fails the part rather than cutting it short.
  ASSIGN_OR_RETURN(std::vector<v1::Assessment> assessments,
                   cases::ReadWholeList<v1::Assessment>(
                       "assessments", [&](int size, const std::string& token) {
                         return assessments_->List(
                             partition, id, v1::INSTRUMENT_KIND_UNSPECIFIED,
                             size, token);
                       }));
  ASSIGN_OR_RETURN(std::vector<v1::Need> needs,
                   cases::ReadWholeList<v1::Need>(
                       "needs", [&](int size, const std::string& token) {
                         return needs_->ListNeeds(partition, id,
                                                  v1::DIMENSION_UNSPECIFIED, {},
                                                  size, token);
                       }));
  ASSIGN_OR_RETURN(
      std::vector<v1::ProtectionConcern> concerns,
      cases::ReadWholeList<v1::ProtectionConcern>(
          "protection_concerns", [&](int size, const std::string& token) {
            return needs_->ListConcerns(partition, id, {}, size, token);
          }));
  ASSIGN_OR_RETURN(std::vector<v1::ConsentRecord> consents,
                   cases::ReadWholeList<v1::ConsentRecord>(
                       "consents", [&](int size, const std::string& token) {
                         return consents_.List(c, size, token);
                       }));
  ASSIGN_OR_RETURN(
      std::vector<v1::CounsellingSession> sessions,
      cases::ReadWholeList<v1::CounsellingSession>(
          "counselling_sessions", [&](int size, const std::string& token) {
            return counselling_.List(c, size, token);
          }));
  ASSIGN_OR_RETURN(std::vector<v1::AuditTrailEntry> audit,
                   cases::CaseAuditTrail(*store_, id));
  // An export is an access to the case, recorded as one.
  store_->AuditRead(cases::SubjectAccessAuditEntry(actor, id));
  *response->mutable_case_() = std::move(c);
  AddAll(std::move(assessments), response->mutable_assessments());
  AddAll(std::move(needs), response->mutable_needs());
  AddAll(std::move(concerns), response->mutable_protection_concerns());
  AddAll(std::move(consents), response->mutable_consents());
  AddAll(std::move(sessions), response->mutable_counselling_sessions());
  AddAll(std::move(audit), response->mutable_audit_entries());
  return absl::OkStatus();
}

}  // namespace homeward::assessment
