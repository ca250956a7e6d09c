// AuditService handlers; see audit_service.h.
#include "services/assessment/audit_service.h"

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/api/field_checks.h"
#include "common/api/paging.h"
#include "common/cases/subject_access.h"
#include "common/service/rpc_method.h"
#include "common/status/status_macros.h"
#include "services/assessment/audit_access.h"
#include "services/assessment/case_scope.h"
#include "services/assessment/field_values.h"

namespace homeward::assessment {
namespace {

constexpr service::RpcMethod kListCaseAuditEntries{
    "homeward.v1.AuditService/ListCaseAuditEntries"};
constexpr service::RpcMethod kVerifyAuditTrail{
    "homeward.v1.AuditService/VerifyAuditTrail"};

homeward::v1::AuditBreakKind ToPublic(storage::AuditBreak::Kind kind) {
  switch (kind) {
    case storage::AuditBreak::Kind::kAltered:
      return homeward::v1::AUDIT_BREAK_KIND_ENTRY_ALTERED;
    case storage::AuditBreak::Kind::kMissing:
      return homeward::v1::AUDIT_BREAK_KIND_ENTRY_MISSING;
    case storage::AuditBreak::Kind::kLinkBroken:
      return homeward::v1::AUDIT_BREAK_KIND_LINK_BROKEN;
    case storage::AuditBreak::Kind::kTailMissing:
      return homeward::v1::AUDIT_BREAK_KIND_TAIL_MISSING;
  }
  return homeward::v1::AUDIT_BREAK_KIND_UNSPECIFIED;
}

}  // namespace

std::string DescribeReplica(const storage::PartitionSet& owned) {
  std::vector<std::string> ranges;
  const std::vector<uint32_t>& partitions = owned.partitions();
  for (size_t i = 0; i < partitions.size();) {
    size_t j = i;
    while (j + 1 < partitions.size() && partitions[j + 1] == partitions[j] + 1)
      ++j;
    ranges.push_back(i == j ? absl::StrCat(partitions[i])
                            : absl::StrCat(partitions[i], "-", partitions[j]));
    i = j + 1;
  }
  return absl::StrCat("partitions ", absl::StrJoin(ranges, ", "), " of ",
                      owned.count());
}

grpc::Status AuditServiceImpl::ListCaseAuditEntries(
    grpc::ServerContext* context,
    const homeward::v1::ListCaseAuditEntriesRequest* request,
    homeward::v1::ListCaseAuditEntriesResponse* response) {
  return kListCaseAuditEntries.Finish(*context,
                                      List(*context, *request, response));
}

grpc::Status AuditServiceImpl::VerifyAuditTrail(
    grpc::ServerContext* context,
    const homeward::v1::VerifyAuditTrailRequest* /*request*/,
    homeward::v1::VerifyAuditTrailResponse* response) {
  return kVerifyAuditTrail.Finish(*context, Verify(*context, response));
}

absl::Status AuditServiceImpl::List(
    const grpc::ServerContext& context,
    const homeward::v1::ListCaseAuditEntriesRequest& request,
    homeward::v1::ListCaseAuditEntriesResponse* response) {
  ASSIGN_OR_RETURN(service::Actor actor,
                   kListCaseAuditEntries.ActorOf(context, *verifier_));
  // The role first: other roles learn nothing, not even whether the request
  // is well formed or the case exists.
  RETURN_IF_ERROR(CheckAuditReader(actor.principal));
  errors::FieldViolations bad;
  if (request.case_id().empty()) bad.Add("case_id", "is required");
  api::CheckPageRequest(bad, request.page());
  RETURN_IF_ERROR(WithFieldValueChecks(request, std::move(bad)).ToStatus());
  ASSIGN_OR_RETURN(homeward::v1::Case c, cases_->Get(request.case_id()));
  RETURN_IF_ERROR(CheckCaseAuditAccess(actor.principal, c));
  ASSIGN_OR_RETURN(
      storage::AuditPage page,
      store_->ListAuditOf(c.case_id(), api::EffectivePageSize(request.page()),
                          request.page().page_token()));
  // Who looked at whose audit is as accountable as who looked at the case.
  store_->AuditRead(service::AuditEntryFor(actor, c.case_id()));
  for (homeward::internal::v1::AuditEntry& entry : page.entries) {
    *response->add_entries() = cases::AuditTrailEntryOf(std::move(entry));
  }
  response->set_next_page_token(std::move(page.next_page_token));
  return absl::OkStatus();
}

absl::Status AuditServiceImpl::Verify(
    const grpc::ServerContext& context,
    homeward::v1::VerifyAuditTrailResponse* response) {
  ASSIGN_OR_RETURN(service::Actor actor,
                   kVerifyAuditTrail.ActorOf(context, *verifier_));
  RETURN_IF_ERROR(CheckAuditVerifier(actor.principal));
  ASSIGN_OR_RETURN(storage::AuditVerification verification,
                   store_->VerifyAudit());
  // About the whole trail, not a case: no subject, so it is in the trail
  // but in no case's list.
  store_->AuditRead(service::AuditEntryFor(actor, ""));
  homeward::v1::AuditChainReport* report = response->add_chains();
  report->set_replica(DescribeReplica(*owned_));
  report->set_intact(!verification.first_break.has_value());
  report->set_entries_checked(verification.entries_checked);
  if (verification.first_break.has_value()) {
    homeward::v1::AuditBreak* first = report->mutable_first_break();
    first->set_sequence(verification.first_break->sequence);
    first->set_kind(ToPublic(verification.first_break->kind));
    first->set_description(std::move(verification.first_break->description));
  }
  return absl::OkStatus();
}

}  // namespace homeward::assessment
