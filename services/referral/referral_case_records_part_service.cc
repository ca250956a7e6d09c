// The referral service's part of a subject-access export; see
// referral_case_records_part_service.h.
#include "services/referral/referral_case_records_part_service.h"

#include <string>
#include <utility>
#include <vector>

#include "common/cases/subject_access.h"
#include "common/service/rpc_method.h"
#include "common/status/status_macros.h"

namespace homeward::referral {
namespace {

namespace v1 = ::homeward::v1;

constexpr service::RpcMethod kGetCaseRecordsPart{
    "homeward.internal.v1.ReferralCaseRecordsPart/GetCaseRecordsPart"};

}  // namespace

grpc::Status ReferralCaseRecordsPartImpl::GetCaseRecordsPart(
    grpc::ServerContext* context,
    const homeward::internal::v1::CaseRecordsPartRequest* request,
    v1::ReferralCaseRecords* response) {
  return kGetCaseRecordsPart.Finish(*context,
                                    Get(*context, *request, response));
}

absl::Status ReferralCaseRecordsPartImpl::Get(
    const grpc::ServerContext& context,
    const homeward::internal::v1::CaseRecordsPartRequest& request,
    v1::ReferralCaseRecords* response) const {
  ASSIGN_OR_RETURN(service::Actor actor,
                   kGetCaseRecordsPart.ActorOf(context, *verifier_));
  ASSIGN_OR_RETURN(cases::CaseScope scope,
                   cases::AuthorizeSubjectAccess(*cases_, actor.principal,
                                                 request.case_id()));
  const std::string& id = request.case_id();
  ASSIGN_OR_RETURN(std::vector<v1::Referral> referrals,
                   cases::ReadWholeList<v1::Referral>(
                       "referrals", [&](int size, const std::string& token) {
                         return referrals_->ListByCase(scope.partition(), id,
                                                       size, token);
                       }));
  ASSIGN_OR_RETURN(std::vector<v1::AuditTrailEntry> audit,
                   cases::CaseAuditTrail(*store_, id));
  store_->AuditRead(cases::SubjectAccessAuditEntry(actor, id));
  for (v1::Referral& referral : referrals) {
    *response->add_referrals() = std::move(referral);
  }
  for (v1::AuditTrailEntry& entry : audit) {
    *response->add_audit_entries() = std::move(entry);
  }
  return absl::OkStatus();
}

}  // namespace homeward::referral
