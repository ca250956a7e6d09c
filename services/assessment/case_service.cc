// CaseService handlers; see case_service.h.
#include "services/assessment/case_service.h"

#include <functional>

#include "absl/strings/str_cat.h"
#include "common/auth/crypto.h"
#include "common/service/reactors.h"
#include "common/service/rpc_method.h"
#include "common/status/errors.h"
#include "common/status/status_macros.h"
#include "services/assessment/case_access.h"
#include "services/assessment/case_members.h"
#include "services/assessment/case_scope.h"
#include "services/assessment/case_validation.h"

namespace homeward::assessment {

using homeward::v1::Case;

namespace {

constexpr service::RpcMethod kGetCase{"homeward.v1.CaseService/GetCase"};
constexpr service::RpcMethod kListCases{"homeward.v1.CaseService/ListCases"};
constexpr service::RpcMethod kRegisterCase{
    "homeward.v1.CaseService/RegisterCase"};
constexpr service::RpcMethod kUpdateCase{"homeward.v1.CaseService/UpdateCase"};
constexpr service::RpcMethod kAssignCase{"homeward.v1.CaseService/AssignCase"};

// Checked before any rule that depends on the current state, so that a caller
// with a stale view learns that first.
absl::Status CheckFresh(const Case& current, uint64_t version,
                        absl::string_view etag) {
  if (api::EtagOf(version) == current.etag()) return absl::OkStatus();
  return errors::EtagMismatch("case", current.case_id(), etag, current.etag());
}

}  // namespace

absl::Status CaseServiceImpl::CheckProgramme(errors::FieldViolations& bad,
                                             const Case& c) const {
  if (c.programme_id().empty()) return absl::OkStatus();
  absl::StatusOr<homeward::v1::Programme> programme =
      programmes_->GetLatest(c.programme_id());
  if (programme.ok()) {
    CheckCaseProgramme(bad, c, &*programme, {});
    return absl::OkStatus();
  }
  // An id the catalog cannot even look up is as unknown as an absent one.
  if (programme.status().code() != absl::StatusCode::kNotFound &&
      programme.status().code() != absl::StatusCode::kInvalidArgument) {
    return programme.status();
  }
  // Unknown: the published ids, for CheckCaseProgramme to name when they
  // are few. Every version is listed, ordered by id; programmes are few.
  std::vector<std::string> ids;
  std::string token;
  do {
    ASSIGN_OR_RETURN(storage::Page<homeward::v1::Programme> published,
                     programmes_->List(100, token));
    for (const auto& p : published.items) {
      if (ids.empty() || ids.back() != p.programme_id()) {
        ids.push_back(p.programme_id());
      }
    }
    token = std::move(published.next_page_token);
  } while (!token.empty());
  CheckCaseProgramme(bad, c, nullptr, ids);
  return absl::OkStatus();
}

grpc::ServerUnaryReactor* CaseServiceImpl::RegisterCase(
    grpc::CallbackServerContext* context,
    const homeward::v1::RegisterCaseRequest* request, Case* response) {
  return service::FinishAfterWrite<Case>(
      context, kRegisterCase, response, [&](service::WriteDone<Case> done) {
        return Register(*context, *request, done);
      });
}

grpc::ServerUnaryReactor* CaseServiceImpl::GetCase(
    grpc::CallbackServerContext* context,
    const homeward::v1::GetCaseRequest* request, Case* response) {
  return service::FinishNow(context, kGetCase,
                            Get(*context, *request, response));
}

grpc::ServerUnaryReactor* CaseServiceImpl::ListCases(
    grpc::CallbackServerContext* context,
    const homeward::v1::ListCasesRequest* request,
    homeward::v1::ListCasesResponse* response) {
  return service::FinishNow(context, kListCases,
                            List(*context, *request, response));
}

grpc::ServerUnaryReactor* CaseServiceImpl::UpdateCase(
    grpc::CallbackServerContext* context,
    const homeward::v1::UpdateCaseRequest* request, Case* response) {
  return service::FinishAfterWrite<Case>(
      context, kUpdateCase, response, [&](service::WriteDone<Case> done) {
        return Update(*context, *request, done);
      });
}

grpc::ServerUnaryReactor* CaseServiceImpl::AssignCase(
    grpc::CallbackServerContext* context,
    const homeward::v1::AssignCaseRequest* request, Case* response) {
  return service::FinishAfterWrite<Case>(
      context, kAssignCase, response, [&](service::WriteDone<Case> done) {
        return Assign(*context, *request, done);
      });
}

absl::Status CaseServiceImpl::Register(
    const grpc::CallbackServerContext& context,
    const homeward::v1::RegisterCaseRequest& request,
    service::WriteDone<Case> done) {
  ASSIGN_OR_RETURN(service::Actor actor,
                   kRegisterCase.ActorOf(context, *verifier_));
  RETURN_IF_ERROR(CheckCaseRole(actor.principal, CaseAction::kRegister));
  errors::FieldViolations bad = ValidateRegisterCase(request, api::TodayUtc());
  if (request.has_case_()) {
    RETURN_IF_ERROR(CheckProgramme(bad, request.case_()));
  }
  RETURN_IF_ERROR(bad.ToStatus());
  RETURN_IF_ERROR(
      CheckCaseAccess(actor.principal, request.case_(), CaseAction::kRegister));
  // Without a client request id the call cannot be retried safely, but it
  // still gets a unique one so that the case id is unique.
  std::string request_id = request.request_id().empty() ? crypto::RandomHex(16)
                                                        : request.request_id();
  cases_->Register(
      actor, request_id, request.case_(),
      [principal = actor.principal, done](absl::StatusOr<Case> created) {
        // Request ids are scoped by office, so a replay finds a case this
        // office registered; it may since have moved to an office the
        // caller does not work in. The refusal names neither.
        if (created.ok() &&
            !CheckCaseAccess(principal, *created, CaseAction::kRead).ok()) {
          return done(errors::PermissionDenied(
              "this request_id already registered a case that is no longer "
              "in your offices"));
        }
        done(std::move(created));
      });
  return absl::OkStatus();
}

absl::Status CaseServiceImpl::Get(const grpc::CallbackServerContext& context,
                                  const homeward::v1::GetCaseRequest& request,
                                  Case* response) {
  ASSIGN_OR_RETURN(service::Actor actor, kGetCase.ActorOf(context, *verifier_));
  RETURN_IF_ERROR(CheckCaseRole(actor.principal, CaseAction::kRead));
  RETURN_IF_ERROR(ValidateGetCase(request).ToStatus());
  // Decoded straight into the response, on the call's arena. A refusal
  // below sends none of it: gRPC sends no message with an error status.
  RETURN_IF_ERROR(cases_->Get(request.case_id(), response));
  RETURN_IF_ERROR(
      CheckCaseAccess(actor.principal, *response, CaseAction::kRead));
  cases_->AuditRead(actor, response->case_id());
  return absl::OkStatus();
}

absl::Status CaseServiceImpl::List(
    const grpc::CallbackServerContext& context,
    const homeward::v1::ListCasesRequest& request,
    homeward::v1::ListCasesResponse* response) {
  ASSIGN_OR_RETURN(service::Actor actor,
                   kListCases.ActorOf(context, *verifier_));
  RETURN_IF_ERROR(CheckCaseRole(actor.principal, CaseAction::kRead));
  RETURN_IF_ERROR(ValidateListCases(request).ToStatus());
  CaseQuery query;
  ASSIGN_OR_RETURN(query.office_id, ListOffice(actor.principal, request));
  query.case_manager_id = request.case_manager_id();
  query.stage = request.stage();
  ASSIGN_OR_RETURN(storage::Page<Case> page,
                   cases_->List(query, api::EffectivePageSize(request.page()),
                                request.page().page_token()));
  for (Case& c : page.items) {
    cases_->AuditRead(actor, c.case_id());
    *response->add_cases() = std::move(c);
  }
  response->set_next_page_token(std::move(page.next_page_token));
  return absl::OkStatus();
}

absl::Status CaseServiceImpl::Update(
    const grpc::CallbackServerContext& context,
    const homeward::v1::UpdateCaseRequest& request,
    service::WriteDone<Case> done) {
  ASSIGN_OR_RETURN(service::Actor actor,
                   kUpdateCase.ActorOf(context, *verifier_));
  RETURN_IF_ERROR(CheckCaseRole(actor.principal, CaseAction::kUpdate));
  RETURN_IF_ERROR(ValidateUpdateCase(request, api::TodayUtc()).ToStatus());
  const Case& given = request.case_();
  ASSIGN_OR_RETURN(uint64_t version, api::ParseEtag(given.etag(), "case.etag"));
  ASSIGN_OR_RETURN(Case current, cases_->Get(given.case_id()));
  RETURN_IF_ERROR(
      CheckCaseAccess(actor.principal, current, CaseAction::kUpdate));
  RETURN_IF_ERROR(CheckOpenForChange(current, CaseAction::kUpdate));
  RETURN_IF_ERROR(CheckFresh(current, version, given.etag()));
  errors::FieldViolations moved;
  if (!given.office_id().empty() && given.office_id() != current.office_id()) {
    moved.Add("case.office_id",
              "cannot change here: transfer the case with AssignCase");
  }
  if (!given.case_manager_id().empty() &&
      given.case_manager_id() != current.case_manager_id()) {
    moved.Add("case.case_manager_id",
              "cannot change here: reassign the case with AssignCase");
  }
  RETURN_IF_ERROR(moved.ToStatus());

  Case after = current;
  *after.mutable_returnee() = given.returnee();
  *after.mutable_return_info() = given.return_info();
  // An update that names no programme keeps the case's own, which must
  // still run in the (possibly new) country of return.
  if (!given.programme_id().empty()) {
    after.set_programme_id(given.programme_id());
  }
  errors::FieldViolations bad;
  ASSIGN_OR_RETURN(int highest_member, cases_->HighestMemberNumber(current));
  KeepMemberIds(bad, current.returnee(), highest_member,
                *after.mutable_returnee());
  if (after.programme_id().empty()) {
    bad.Add("case.programme_id",
            "is required: the case has no programme yet (it was registered "
            "before programmes); name the published programme it belongs to");
  } else {
    RETURN_IF_ERROR(CheckProgramme(bad, after));
  }
  RETURN_IF_ERROR(bad.ToStatus());
  homeward::v1::Event event;
  event.mutable_case_updated();
  cases_->Replace(actor, current, std::move(after), version, std::move(event),
                  std::move(done));
  return absl::OkStatus();
}

absl::Status CaseServiceImpl::Assign(
    const grpc::CallbackServerContext& context,
    const homeward::v1::AssignCaseRequest& request,
    service::WriteDone<Case> done) {
  ASSIGN_OR_RETURN(service::Actor actor,
                   kAssignCase.ActorOf(context, *verifier_));
  RETURN_IF_ERROR(CheckCaseRole(actor.principal, CaseAction::kAssign));
  RETURN_IF_ERROR(ValidateAssignCase(request).ToStatus());
  ASSIGN_OR_RETURN(uint64_t version, api::ParseEtag(request.etag(), "etag"));
  ASSIGN_OR_RETURN(Case current, cases_->Get(request.case_id()));
  RETURN_IF_ERROR(
      CheckCaseAccess(actor.principal, current, CaseAction::kAssign));
  RETURN_IF_ERROR(CheckOpenForChange(current, CaseAction::kAssign));
  RETURN_IF_ERROR(CheckFresh(current, version, request.etag()));
  std::string office =
      request.office_id().empty() ? current.office_id() : request.office_id();
  if (office != current.office_id() && request.reason().empty()) {
    return errors::InvalidField(
        "reason", "is required when the case moves to another office");
  }
  if (office == current.office_id() &&
      request.case_manager_id() == current.case_manager_id()) {
    return errors::FailedPrecondition(
        "ALREADY_ASSIGNED", request.case_id(),
        "the case is already assigned to this case manager in this office");
  }
  Case after = current;
  after.set_office_id(office);
  after.set_case_manager_id(request.case_manager_id());
  homeward::v1::Event event;
  auto* assigned = event.mutable_case_assigned();
  assigned->set_case_id(current.case_id());
  assigned->set_from_office_id(current.office_id());
  assigned->set_to_office_id(office);
  assigned->set_from_case_manager_id(current.case_manager_id());
  assigned->set_to_case_manager_id(request.case_manager_id());
  assigned->set_reason(request.reason());
  cases_->Replace(actor, current, std::move(after), version, std::move(event),
                  std::move(done));
  return absl::OkStatus();
}

}  // namespace homeward::assessment
