// The referral handlers; see referral_service.h.
#include "services/referral/referral_service.h"

#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "common/api/field_checks.h"
#include "common/api/paging.h"
#include "common/cases/case_access.h"
#include "common/service/reactors.h"
#include "common/service/rpc_method.h"
#include "common/status/errors.h"
#include "common/status/status_macros.h"
#include "common/storage/clock.h"
#include "services/referral/referral_indexes.h"
#include "services/referral/referral_requests.h"
#include "services/referral/referral_transitions.h"
#include "services/referral/shared_view.h"

namespace homeward::referral {
namespace {

using cases::CaseAction;
using homeward::v1::Referral;
using homeward::v1::SharedReferral;

constexpr service::RpcMethod kCreateReferral{
    "homeward.v1.ReferralService/CreateReferral"};
constexpr service::RpcMethod kGetReferral{
    "homeward.v1.ReferralService/GetReferral"};
constexpr service::RpcMethod kListCaseReferrals{
    "homeward.v1.ReferralService/ListCaseReferrals"};
constexpr service::RpcMethod kChangeReferralStatus{
    "homeward.v1.ReferralService/ChangeReferralStatus"};
constexpr service::RpcMethod kListReferralsToMake{
    "homeward.v1.ReferralService/ListReferralsToMake"};
constexpr service::RpcMethod kListOverdueReferrals{
    "homeward.v1.ReferralService/ListOverdueReferrals"};
constexpr service::RpcMethod kListInbox{
    "homeward.v1.PartnerReferralService/ListInbox"};
constexpr service::RpcMethod kGetSharedReferral{
    "homeward.v1.PartnerReferralService/GetSharedReferral"};
constexpr service::RpcMethod kUpdateSharedReferral{
    "homeward.v1.PartnerReferralService/UpdateSharedReferral"};
constexpr service::RpcMethod kClaimReferral{
    "homeward.v1.PartnerReferralService/ClaimReferral"};
constexpr service::RpcMethod kListPartnerOverdueReferrals{
    "homeward.v1.PartnerReferralService/ListPartnerOverdueReferrals"};

// Finishes the call with what `read` says, run as the caller.
template <typename Read>
grpc::ServerUnaryReactor* Serve(const auth::PrincipalVerifier& verifier,
                                const service::RpcMethod& method,
                                grpc::CallbackServerContext* context,
                                Read read) {
  absl::StatusOr<service::Actor> actor = method.ActorOf(*context, verifier);
  return service::FinishNow(context, method,
                            actor.ok() ? read(*actor) : actor.status());
}

// Starts `write` as the caller; the call finishes when it is durable.
template <typename Response, typename Write>
grpc::ServerUnaryReactor* ServeWrite(const auth::PrincipalVerifier& verifier,
                                     const service::RpcMethod& method,
                                     grpc::CallbackServerContext* context,
                                     Response* response, Write write) {
  return service::FinishAfterWrite<Response>(
      context, method, response,
      [&](service::WriteDone<Response> done) -> absl::Status {
        ASSIGN_OR_RETURN(service::Actor actor,
                         method.ActorOf(*context, verifier));
        return write(actor, std::move(done));
      });
}

// A store answer of a referral turned into the partner's view.
service::WriteDone<Referral> AsShared(service::WriteDone<SharedReferral> done) {
  return [done = std::move(done)](absl::StatusOr<Referral> written) {
    if (!written.ok()) return done(written.status());
    done(SharedViewOf(*written));
  };
}

bool IsBlank(const std::string& text) {
  return absl::StripAsciiWhitespace(text).empty();
}

ReferralMove MoveOf(const homeward::v1::ChangeReferralStatusRequest& request,
                    homeward::v1::ReferralSide side,
                    const service::Actor& actor) {
  ReferralMove move;
  move.to = request.status();
  move.side = side;
  move.user_id = actor.principal.user_id();
  move.reason = request.reason();
  move.outcome = request.outcome();
  move.decline_reason = request.decline_reason();
  move.time = storage::NowTimestamp();
  return move;
}

// The queue a listing reads, and the day it is read as of.
struct OverdueQuery {
  const char* index;
  absl::CivilDay as_of;
};
OverdueQuery QueryOf(const homeward::v1::ListOverdueReferralsRequest& request) {
  OverdueQuery q;
  q.index = request.kind() == homeward::v1::OVERDUE_KIND_AWAITING_RESPONSE
                ? kAwaitingResponseIndex
                : kAwaitingCompletionIndex;
  q.as_of = api::TodayUtc();
  if (request.has_as_of() && api::IsSet(request.as_of())) {
    api::ToCivilDay(request.as_of(), &q.as_of);  // validated before
  }
  return q;
}

void FillOverdue(const ReferralStore::OverduePage& page, absl::CivilDay as_of,
                 bool with_office,
                 homeward::v1::ListOverdueReferralsResponse* response) {
  for (const ReferralStore::OverdueItem& item : page.items) {
    homeward::v1::OverdueReferral& out = *response->add_referrals();
    out.set_case_id(item.referral.case_id());
    out.set_referral_id(item.referral.referral_id());
    if (with_office) out.set_office_id(item.referral.office_id());
    out.set_organization_id(item.referral.organization_id());
    out.set_service_id(item.referral.service_id());
    out.set_status(item.referral.status());
    *out.mutable_due_date() = api::ToDate(item.due);
    out.set_days_overdue(static_cast<int32_t>(as_of - item.due));
  }
  response->set_next_page_token(page.next_page_token);
}

// Referrals that end the loop without the service delivered: an activity
// whose referral ended so may be referred again.
bool EndedUndelivered(homeward::v1::ReferralStatus status) {
  return status == homeward::v1::REFERRAL_STATUS_REJECTED ||
         status == homeward::v1::REFERRAL_STATUS_CANCELLED ||
         status == homeward::v1::REFERRAL_STATUS_FAILED ||
         status == homeward::v1::REFERRAL_STATUS_ENTERED_IN_ERROR;
}

}  // namespace

// ----------------------------------------------------- requester: edges

grpc::ServerUnaryReactor* ReferralServiceImpl::CreateReferral(
    grpc::CallbackServerContext* context,
    const homeward::v1::CreateReferralRequest* request, Referral* response) {
  return ServeWrite(
      *parts_.verifier, kCreateReferral, context, response,
      [&](auto& a, auto done) { return Create(a, *request, std::move(done)); });
}
grpc::ServerUnaryReactor* ReferralServiceImpl::GetReferral(
    grpc::CallbackServerContext* context,
    const homeward::v1::GetReferralRequest* request, Referral* response) {
  return Serve(*parts_.verifier, kGetReferral, context,
               [&](auto& a) { return Get(a, *request, response); });
}
grpc::ServerUnaryReactor* ReferralServiceImpl::ListCaseReferrals(
    grpc::CallbackServerContext* context,
    const homeward::v1::ListCaseReferralsRequest* request,
    homeward::v1::ListCaseReferralsResponse* response) {
  return Serve(*parts_.verifier, kListCaseReferrals, context,
               [&](auto& a) { return List(a, *request, response); });
}
grpc::ServerUnaryReactor* ReferralServiceImpl::ChangeReferralStatus(
    grpc::CallbackServerContext* context,
    const homeward::v1::ChangeReferralStatusRequest* request,
    Referral* response) {
  return ServeWrite(
      *parts_.verifier, kChangeReferralStatus, context, response,
      [&](auto& a, auto done) { return Change(a, *request, std::move(done)); });
}
grpc::ServerUnaryReactor* ReferralServiceImpl::ListReferralsToMake(
    grpc::CallbackServerContext* context,
    const homeward::v1::ListReferralsToMakeRequest* request,
    homeward::v1::ListReferralsToMakeResponse* response) {
  return Serve(*parts_.verifier, kListReferralsToMake, context,
               [&](auto& a) { return ToMake(a, *request, response); });
}
grpc::ServerUnaryReactor* ReferralServiceImpl::ListOverdueReferrals(
    grpc::CallbackServerContext* context,
    const homeward::v1::ListOverdueReferralsRequest* request,
    homeward::v1::ListOverdueReferralsResponse* response) {
  return Serve(*parts_.verifier, kListOverdueReferrals, context,
               [&](auto& a) { return Overdue(a, *request, response); });
}

// -------------------------------------------------- requester: handlers

absl::Status ReferralServiceImpl::Create(
    const service::Actor& actor,
    const homeward::v1::CreateReferralRequest& request,
    service::WriteDone<Referral> done) {
  RETURN_IF_ERROR(cases::CheckCaseRole(actor.principal, CaseAction::kUpdate));
  const bool overriding = !IsBlank(request.consent_override_reason());
  if (overriding && actor.principal.role() != homeward::v1::ROLE_SUPERVISOR) {
    return errors::PermissionDenied(
        "consent_override_reason: only a supervisor may create a referral "
        "without the returnee's consent");
  }
  RETURN_IF_ERROR(ValidateCreateReferral(request, api::TodayUtc()).ToStatus());
  const Referral& asked = request.referral();
  ASSIGN_OR_RETURN(
      cases::CaseScope scope,
      parts_.cases->Authorize(actor.principal, asked.case_id(),
                              "referral.case_id", CaseAction::kUpdate));
  RETURN_IF_ERROR(cases::CheckCaseOpen(scope));
  ASSIGN_OR_RETURN(homeward::v1::HumanService service,
                   parts_.directory->GetService(asked.service_id()));
  if (service.status() != homeward::v1::SERVICE_STATUS_ACTIVE) {
    return errors::FailedPrecondition(
        "SERVICE_NOT_ACTIVE", asked.service_id(),
        absl::StrCat("referral.service_id: service '", asked.service_id(),
                     "' is ",
                     homeward::v1::ServiceStatus_Name(service.status()),
                     "; referrals go to ACTIVE services only"));
  }
  const homeward::v1::CapacityStatus capacity = service.capacity().status();
  if (capacity != homeward::v1::CAPACITY_STATUS_AVAILABLE &&
      capacity != homeward::v1::CAPACITY_STATUS_WAITLIST) {
    return errors::FailedPrecondition(
        "SERVICE_NOT_ACCEPTING", asked.service_id(),
        absl::StrCat("referral.service_id: service '", asked.service_id(),
                     "' is not accepting referrals (capacity ",
                     homeward::v1::CapacityStatus_Name(capacity), ")"));
  }

  Referral referral = asked;
  referral.set_organization_id(service.organization_id());
  referral.set_office_id(scope.office_id());
  referral.set_requested_by(actor.principal.user_id());
  referral.set_status(request.send() ? homeward::v1::REFERRAL_STATUS_REQUESTED
                                     : homeward::v1::REFERRAL_STATUS_DRAFT);
  referral.clear_consent();
  const std::string organization_id = service.organization_id();
  const std::string case_id = asked.case_id();
  parts_.consent->Check(
      case_id, organization_id,
      [referrals = parts_.referrals, actor, partition = scope.partition(),
       request_id = request.request_id(),
       override_reason =
           overriding ? request.consent_override_reason() : std::string(),
       referral = std::move(referral), case_id, organization_id,
       done =
           std::move(done)](absl::StatusOr<ConsentDecision> decision) mutable {
        if (!decision.ok()) return done(decision.status());
        auto* basis = referral.mutable_consent();
        basis->set_consent_id(decision->consent_id);
        if (!decision->allowed) {
          if (override_reason.empty()) {
            return done(errors::FailedPrecondition(
                "CONSENT_REQUIRED", case_id,
                absl::StrCat("the returnee has not consented to sharing with "
                             "organization '",
                             organization_id, "' for purpose REFERRAL (",
                             decision->explanation,
                             "); record the consent first, or a supervisor may "
                             "override it with consent_override_reason")));
          }
          basis->set_overridden(true);
          basis->set_override_reason(override_reason);
          basis->set_override_by(actor.principal.user_id());
        }
        const std::string audit_reason =
            basis->overridden()
                ? absl::StrCat("consent override: ", override_reason)
                : std::string();
        referrals->CreateAsync(actor, partition, request_id,
                               std::move(referral), audit_reason,
                               std::move(done));
      });
  return absl::OkStatus();
}

absl::Status ReferralServiceImpl::Get(
    const service::Actor& actor,
    const homeward::v1::GetReferralRequest& request, Referral* response) {
  RETURN_IF_ERROR(cases::CheckCaseRole(actor.principal, CaseAction::kRead));
  RETURN_IF_ERROR(ValidateGetReferral(request).ToStatus());
  ASSIGN_OR_RETURN(cases::CaseScope scope,
                   parts_.cases->Authorize(actor.principal, request.case_id(),
                                           "case_id", CaseAction::kRead));
  ASSIGN_OR_RETURN(*response,
                   parts_.referrals->Get(scope.partition(), request.case_id(),
                                         request.referral_id()));
  parts_.referrals->AuditRead(actor, request.case_id());
  return absl::OkStatus();
}

absl::Status ReferralServiceImpl::List(
    const service::Actor& actor,
    const homeward::v1::ListCaseReferralsRequest& request,
    homeward::v1::ListCaseReferralsResponse* response) {
  RETURN_IF_ERROR(cases::CheckCaseRole(actor.principal, CaseAction::kRead));
  RETURN_IF_ERROR(ValidateListCaseReferrals(request).ToStatus());
  ASSIGN_OR_RETURN(cases::CaseScope scope,
                   parts_.cases->Authorize(actor.principal, request.case_id(),
                                           "case_id", CaseAction::kRead));
  ASSIGN_OR_RETURN(
      storage::Page<Referral> page,
      parts_.referrals->ListByCase(scope.partition(), request.case_id(),
                                   api::EffectivePageSize(request.page()),
                                   request.page().page_token()));
  for (auto& r : page.items) *response->add_referrals() = std::move(r);
  response->set_next_page_token(std::move(page.next_page_token));
  parts_.referrals->AuditRead(actor, request.case_id());
  return absl::OkStatus();
}

absl::Status ReferralServiceImpl::Change(
    const service::Actor& actor,
    const homeward::v1::ChangeReferralStatusRequest& request,
    service::WriteDone<Referral> done) {
  RETURN_IF_ERROR(cases::CheckCaseRole(actor.principal, CaseAction::kUpdate));
  RETURN_IF_ERROR(ValidateChangeReferralStatus(request).ToStatus());
  ASSIGN_OR_RETURN(cases::CaseScope scope,
                   parts_.cases->Authorize(actor.principal, request.case_id(),
                                           "case_id", CaseAction::kUpdate));
  RETURN_IF_ERROR(cases::CheckCaseOpen(scope));
  ASSIGN_OR_RETURN(Referral current,
                   parts_.referrals->Get(scope.partition(), request.case_id(),
                                         request.referral_id()));
  ASSIGN_OR_RETURN(
      Referral next,
      MoveReferral(
          current,
          MoveOf(request, homeward::v1::REFERRAL_SIDE_REQUESTER, actor)));
  return parts_.referrals->ChangeAsync(actor, current, std::move(next),
                                       request.etag(), std::move(done));
}

absl::Status ReferralServiceImpl::ToMake(
    const service::Actor& actor,
    const homeward::v1::ListReferralsToMakeRequest& request,
    homeward::v1::ListReferralsToMakeResponse* response) {
  RETURN_IF_ERROR(cases::CheckCaseRole(actor.principal, CaseAction::kRead));
  RETURN_IF_ERROR(ValidateListReferralsToMake(request).ToStatus());
  ASSIGN_OR_RETURN(cases::CaseScope scope,
                   parts_.cases->Authorize(actor.principal, request.case_id(),
                                           "case_id", CaseAction::kRead));
  ASSIGN_OR_RETURN(ReferralsToMakePage page,
                   parts_.to_make->List(request.case_id(),
                                        api::EffectivePageSize(request.page()),
                                        request.page().page_token()));
  // The activities that already have a live referral of the case are made.
  std::set<std::pair<std::string, std::string>> referred;
  std::string token;
  do {
    ASSIGN_OR_RETURN(
        storage::Page<Referral> referrals,
        parts_.referrals->ListByCase(scope.partition(), request.case_id(),
                                     api::kMaxPageSize, token));
    for (const Referral& r : referrals.items) {
      if (r.has_activity() && !EndedUndelivered(r.status())) {
        referred.emplace(r.activity().plan_id(), r.activity().activity_id());
      }
    }
    token = std::move(referrals.next_page_token);
  } while (!token.empty());
  for (auto& item : page.items) {
    if (referred.count({item.plan_id(), item.activity_id()}) > 0) continue;
    *response->add_referrals() = std::move(item);
  }
  response->set_next_page_token(std::move(page.next_page_token));
  parts_.referrals->AuditRead(actor, request.case_id());
  return absl::OkStatus();
}

absl::Status ReferralServiceImpl::Overdue(
    const service::Actor& actor,
    const homeward::v1::ListOverdueReferralsRequest& request,
    homeward::v1::ListOverdueReferralsResponse* response) {
  RETURN_IF_ERROR(cases::CheckCaseRole(actor.principal, CaseAction::kRead));
  RETURN_IF_ERROR(ValidateListOverdueReferrals(request).ToStatus());
  ASSIGN_OR_RETURN(std::string office,
                   cases::ListOffice(actor.principal, request.office_id()));
  const OverdueQuery q = QueryOf(request);
  ASSIGN_OR_RETURN(
      ReferralStore::OverduePage page,
      parts_.referrals->ListOverdue(
          q.index, OfficeQueue(office), request.organization_id(), q.as_of,
          api::EffectivePageSize(request.page()), request.page().page_token()));
  FillOverdue(page, q.as_of, /*with_office=*/true, response);
  return absl::OkStatus();
}

// ------------------------------------------------------- partner: edges

namespace {

// Partner agencies only, acting for their agency.
absl::Status CheckPartner(const homeward::internal::v1::Principal& principal) {
  if (principal.role() != homeward::v1::ROLE_PARTNER_AGENCY) {
    return errors::PermissionDenied(
        "only partner agencies (ROLE_PARTNER_AGENCY) work on referrals "
        "addressed to them");
  }
  if (principal.agency_id().empty()) {
    return errors::PermissionDenied(
        "the caller's principal names no agency (agency_id)");
  }
  return absl::OkStatus();
}

}  // namespace

grpc::ServerUnaryReactor* PartnerReferralServiceImpl::ListInbox(
    grpc::CallbackServerContext* context,
    const homeward::v1::ListInboxRequest* request,
    homeward::v1::ListInboxResponse* response) {
  return Serve(*parts_.verifier, kListInbox, context,
               [&](auto& a) { return Inbox(a, *request, response); });
}
grpc::ServerUnaryReactor* PartnerReferralServiceImpl::GetSharedReferral(
    grpc::CallbackServerContext* context,
    const homeward::v1::GetReferralRequest* request, SharedReferral* response) {
  return Serve(*parts_.verifier, kGetSharedReferral, context,
               [&](auto& a) { return Get(a, *request, response); });
}
grpc::ServerUnaryReactor* PartnerReferralServiceImpl::UpdateSharedReferral(
    grpc::CallbackServerContext* context,
    const homeward::v1::ChangeReferralStatusRequest* request,
    SharedReferral* response) {
  return ServeWrite(
      *parts_.verifier, kUpdateSharedReferral, context, response,
      [&](auto& a, auto done) { return Update(a, *request, std::move(done)); });
}
grpc::ServerUnaryReactor* PartnerReferralServiceImpl::ClaimReferral(
    grpc::CallbackServerContext* context,
    const homeward::v1::ClaimReferralRequest* request,
    SharedReferral* response) {
  return ServeWrite(
      *parts_.verifier, kClaimReferral, context, response,
      [&](auto& a, auto done) { return Claim(a, *request, std::move(done)); });
}
grpc::ServerUnaryReactor*
PartnerReferralServiceImpl::ListPartnerOverdueReferrals(
    grpc::CallbackServerContext* context,
    const homeward::v1::ListOverdueReferralsRequest* request,
    homeward::v1::ListOverdueReferralsResponse* response) {
  return Serve(*parts_.verifier, kListPartnerOverdueReferrals, context,
               [&](auto& a) { return Overdue(a, *request, response); });
}

// ---------------------------------------------------- partner: handlers

absl::StatusOr<Referral> PartnerReferralServiceImpl::Addressed(
    const service::Actor& actor, const std::string& case_id,
    const std::string& referral_id) const {
  absl::StatusOr<Referral> referral =
      parts_.referrals->Get(case_id, referral_id);
  // Another agency's referral, or a draft not sent, is none of this
  // agency's: the same answer as a referral that does not exist.
  if (referral.ok() &&
      (referral->organization_id() != actor.principal.agency_id() ||
       referral->status() == homeward::v1::REFERRAL_STATUS_DRAFT)) {
    return errors::NotFound("referral", referral_id);
  }
  return referral;
}

absl::Status PartnerReferralServiceImpl::CheckOpen(
    const std::string& case_id) const {
  absl::StatusOr<cases::CaseScope> scope = parts_.cases->Get(case_id);
  if (absl::IsNotFound(scope.status())) return absl::OkStatus();
  RETURN_IF_ERROR(scope.status());
  return cases::CheckCaseOpen(*scope);
}

absl::Status PartnerReferralServiceImpl::Inbox(
    const service::Actor& actor, const homeward::v1::ListInboxRequest& request,
    homeward::v1::ListInboxResponse* response) {
  RETURN_IF_ERROR(CheckPartner(actor.principal));
  RETURN_IF_ERROR(ValidateListInbox(request).ToStatus());
  std::vector<homeward::v1::ReferralStatus> statuses;
  for (int s : request.statuses()) {
    statuses.push_back(static_cast<homeward::v1::ReferralStatus>(s));
  }
  // Each referral's view written in place into the answer, which lives on
  // the call's arena.
  std::set<std::string> cases_shown;
  ASSIGN_OR_RETURN(
      std::string next_page_token,
      parts_.referrals->VisitForOrganization(
          actor.principal.agency_id(), statuses,
          api::EffectivePageSize(request.page()), request.page().page_token(),
          [response, &cases_shown](const Referral& r) {
            // Drafts are never in the organization's indexes; checked
            // again so that nothing unsent could ever show.
            if (r.status() == homeward::v1::REFERRAL_STATUS_DRAFT) return;
            WriteSharedView(r, response->add_referrals());
            cases_shown.insert(r.case_id());
          }));
  response->set_next_page_token(std::move(next_page_token));
  // The page shows each returnee's shared summary to another agency: one
  // read audit entry per case on it, as GetSharedReferral leaves for one.
  for (const std::string& case_id : cases_shown) {
    parts_.referrals->AuditRead(actor, case_id);
  }
  return absl::OkStatus();
}

absl::Status PartnerReferralServiceImpl::Get(
    const service::Actor& actor,
    const homeward::v1::GetReferralRequest& request, SharedReferral* response) {
  RETURN_IF_ERROR(CheckPartner(actor.principal));
  RETURN_IF_ERROR(ValidateGetReferral(request).ToStatus());
  ASSIGN_OR_RETURN(Referral referral,
                   Addressed(actor, request.case_id(), request.referral_id()));
  *response = SharedViewOf(referral);
  parts_.referrals->AuditRead(actor, request.case_id());
  return absl::OkStatus();
}

absl::Status PartnerReferralServiceImpl::Update(
    const service::Actor& actor,
    const homeward::v1::ChangeReferralStatusRequest& request,
    service::WriteDone<SharedReferral> done) {
  RETURN_IF_ERROR(CheckPartner(actor.principal));
  RETURN_IF_ERROR(ValidateChangeReferralStatus(request).ToStatus());
  ASSIGN_OR_RETURN(Referral current,
                   Addressed(actor, request.case_id(), request.referral_id()));
  RETURN_IF_ERROR(CheckOpen(request.case_id()));
  ASSIGN_OR_RETURN(
      Referral next,
      MoveReferral(
          current,
          MoveOf(request, homeward::v1::REFERRAL_SIDE_PERFORMER, actor)));
  return parts_.referrals->ChangeAsync(actor, current, std::move(next),
                                       request.etag(),
                                       AsShared(std::move(done)));
}

absl::Status PartnerReferralServiceImpl::Claim(
    const service::Actor& actor,
    const homeward::v1::ClaimReferralRequest& request,
    service::WriteDone<SharedReferral> done) {
  RETURN_IF_ERROR(CheckPartner(actor.principal));
  RETURN_IF_ERROR(ValidateClaimReferral(request).ToStatus());
  ASSIGN_OR_RETURN(Referral current,
                   Addressed(actor, request.case_id(), request.referral_id()));
  RETURN_IF_ERROR(CheckOpen(request.case_id()));
  return parts_.referrals->ClaimAsync(actor, current, actor.principal.user_id(),
                                      AsShared(std::move(done)));
}

absl::Status PartnerReferralServiceImpl::Overdue(
    const service::Actor& actor,
    const homeward::v1::ListOverdueReferralsRequest& request,
    homeward::v1::ListOverdueReferralsResponse* response) {
  RETURN_IF_ERROR(CheckPartner(actor.principal));
  RETURN_IF_ERROR(ValidateListOverdueReferrals(request).ToStatus());
  const std::string& agency = actor.principal.agency_id();
  if (!request.organization_id().empty() &&
      request.organization_id() != agency) {
    return errors::PermissionDenied(
        "organization_id: a partner agency lists its own organization's "
        "queue only; leave it empty or name the caller's agency");
  }
  if (!request.office_id().empty()) {
    return errors::InvalidField(
        "office_id",
        "must be empty: a partner agency's queue is its organization's");
  }
  const OverdueQuery q = QueryOf(request);
  ASSIGN_OR_RETURN(
      ReferralStore::OverduePage page,
      parts_.referrals->ListOverdue(
          q.index, OrganizationQueue(agency), "", q.as_of,
          api::EffectivePageSize(request.page()), request.page().page_token()));
  FillOverdue(page, q.as_of, /*with_office=*/false, response);
  return absl::OkStatus();
}

}  // namespace homeward::referral
