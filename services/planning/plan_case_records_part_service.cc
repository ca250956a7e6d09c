// The planning service's part of a subject-access export; see
// plan_case_records_part_service.h.
#include "services/planning/plan_case_records_part_service.h"

#include <string>
#include <utility>
#include <vector>

#include "common/cases/subject_access.h"
#include "common/service/rpc_method.h"
#include "common/status/status_macros.h"

namespace homeward::planning {
namespace {

namespace v1 = ::homeward::v1;

constexpr service::RpcMethod kGetCaseRecordsPart{
    "homeward.internal.v1.PlanningCaseRecordsPart/GetCaseRecordsPart"};

}  // namespace

grpc::Status PlanCaseRecordsPartImpl::GetCaseRecordsPart(
    grpc::ServerContext* context,
    const homeward::internal::v1::CaseRecordsPartRequest* request,
    v1::PlanningCaseRecords* response) {
  return kGetCaseRecordsPart.Finish(*context,
                                    Get(*context, *request, response));
}

absl::Status PlanCaseRecordsPartImpl::Get(
    const grpc::ServerContext& context,
    const homeward::internal::v1::CaseRecordsPartRequest& request,
    v1::PlanningCaseRecords* response) const {
  ASSIGN_OR_RETURN(service::Actor actor,
                   kGetCaseRecordsPart.ActorOf(context, *verifier_));
  ASSIGN_OR_RETURN(cases::CaseScope scope,
                   cases::AuthorizeSubjectAccess(*cases_, actor.principal,
                                                 request.case_id()));
  const std::string& id = request.case_id();
  // A case without a plan yet has no versions (the store answers NOT_FOUND
  // for its plan): the part still carries the audit entries.
  absl::StatusOr<std::vector<v1::Plan>> versions =
      cases::ReadWholeList<v1::Plan>(
          "plan_versions", [&](int size, const std::string& token) {
            return plans_->ListVersions(scope.partition(), id, size, token);
          });
  if (absl::IsNotFound(versions.status())) versions.emplace();
  RETURN_IF_ERROR(versions.status());
  ASSIGN_OR_RETURN(std::vector<v1::AuditTrailEntry> audit,
                   cases::CaseAuditTrail(*store_, id));
  store_->AuditRead(cases::SubjectAccessAuditEntry(actor, id));
  for (v1::Plan& plan : *versions) {
    *response->add_plan_versions() = std::move(plan);
  }
  for (v1::AuditTrailEntry& entry : audit) {
    *response->add_audit_entries() = std::move(entry);
  }
  return absl::OkStatus();
}

}  // namespace homeward::planning
