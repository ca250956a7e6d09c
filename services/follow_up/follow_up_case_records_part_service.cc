// The follow-up service's part of a subject-access export; see
// follow_up_case_records_part_service.h.
#include "services/follow_up/follow_up_case_records_part_service.h"

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "common/cases/subject_access.h"
#include "common/service/rpc_method.h"
#include "common/status/status_macros.h"
#include "services/follow_up/closure_store.h"
#include "services/follow_up/contact_store.h"
#include "services/follow_up/follow_up_cases.h"
#include "services/follow_up/trajectory.h"

namespace homeward::follow_up {
namespace {

namespace v1 = ::homeward::v1;

constexpr service::RpcMethod kGetCaseRecordsPart{
    "homeward.internal.v1.FollowUpCaseRecordsPart/GetCaseRecordsPart"};

bool CreatedBefore(const v1::Closure& a, const v1::Closure& b) {
  if (a.create_time().seconds() != b.create_time().seconds()) {
    return a.create_time().seconds() < b.create_time().seconds();
  }
  return a.create_time().nanos() < b.create_time().nanos();
}

}  // namespace

grpc::Status FollowUpCaseRecordsPartImpl::GetCaseRecordsPart(
    grpc::ServerContext* context,
    const homeward::internal::v1::CaseRecordsPartRequest* request,
    v1::FollowUpCaseRecords* response) {
  return kGetCaseRecordsPart.Finish(*context,
                                    Get(*context, *request, response));
}

absl::Status FollowUpCaseRecordsPartImpl::Get(
    const grpc::ServerContext& context,
    const homeward::internal::v1::CaseRecordsPartRequest& request,
    v1::FollowUpCaseRecords* response) const {
  ASSIGN_OR_RETURN(service::Actor actor,
                   kGetCaseRecordsPart.ActorOf(context, *parts_.verifier));
  ASSIGN_OR_RETURN(cases::CaseScope scope,
                   cases::AuthorizeSubjectAccess(*parts_.cases, actor.principal,
                                                 request.case_id()));
  const uint32_t partition = scope.partition();
  const std::string& id = request.case_id();
  ASSIGN_OR_RETURN(FollowUpCase c,
                   parts_.cases->GetScopeAndRecord(partition, id));
  ASSIGN_OR_RETURN(std::vector<v1::FollowUpContact> contacts,
                   parts_.contacts->ListForCase(partition, id));
  ASSIGN_OR_RETURN(contacts,
                   cases::WithinExportCap("contacts", std::move(contacts)));
  // Closures have no per-case index: the case's partition is scanned, as
  // the indicators scan every partition (a partition holds a share of the
  // closures, and a case has a few at most).
  std::vector<v1::Closure> closures;
  RETURN_IF_ERROR(
      parts_.closures->VisitAll({partition}, [&](const v1::Closure& closure) {
        if (closure.case_id() == id) closures.push_back(closure);
      }));
  std::stable_sort(closures.begin(), closures.end(), CreatedBefore);
  ASSIGN_OR_RETURN(std::vector<v1::AuditTrailEntry> audit,
                   cases::CaseAuditTrail(*store_, id));
  store_->AuditRead(cases::SubjectAccessAuditEntry(actor, id));
  *response->mutable_trajectory() = BuildTrajectory(
      id, c.record.return_date(), contacts, FollowUpCases::RssPoints(c));
  for (v1::FollowUpContact& contact : contacts) {
    *response->add_contacts() = std::move(contact);
  }
  for (v1::Closure& closure : closures) {
    *response->add_closures() = std::move(closure);
  }
  for (v1::AuditTrailEntry& entry : audit) {
    *response->add_audit_entries() = std::move(entry);
  }
  return absl::OkStatus();
}

}  // namespace homeward::follow_up
