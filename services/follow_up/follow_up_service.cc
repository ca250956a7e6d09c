// FollowUpService handlers; see follow_up_service.h.
#include "services/follow_up/follow_up_service.h"

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/api/etags.h"
#include "common/api/field_checks.h"
#include "common/api/paging.h"
#include "common/cases/case_access.h"
#include "common/status/errors.h"
#include "common/storage/ids.h"
#include "services/follow_up/closure_store.h"
#include "services/follow_up/contact_store.h"
#include "services/follow_up/follow_up_cases.h"
#include "services/follow_up/follow_up_schedule.h"
#include "services/follow_up/plan_view.h"
#include "services/follow_up/referral_view.h"
#include "services/follow_up/trajectory.h"

namespace homeward::follow_up {
namespace {

using cases::CaseAction;
using homeward::v1::FollowUpContact;

constexpr service::RpcMethod kListContacts{
    "homeward.v1.FollowUpService/ListContacts"};
constexpr service::RpcMethod kGetContact{
    "homeward.v1.FollowUpService/GetContact"};
constexpr service::RpcMethod kRecordContact{
    "homeward.v1.FollowUpService/RecordContact"};
constexpr service::RpcMethod kRecordMissedContact{
    "homeward.v1.FollowUpService/RecordMissedContact"};
constexpr service::RpcMethod kListDueContacts{
    "homeward.v1.FollowUpService/ListDueContacts"};
constexpr service::RpcMethod kListOverdueContacts{
    "homeward.v1.FollowUpService/ListOverdueContacts"};
constexpr service::RpcMethod kGetTrajectory{
    "homeward.v1.FollowUpService/GetTrajectory"};

constexpr char kPageTokenPrefix[] = "c";

// ListContacts pages a case's contacts (a few dozen at most) read whole:
// the token is the position of the next one.
absl::StatusOr<size_t> PageStart(const std::string& token) {
  if (token.empty()) return 0;
  size_t start = 0;
  if (token.rfind(kPageTokenPrefix, 0) != 0 ||
      !absl::SimpleAtoi(absl::string_view(token).substr(1), &start)) {
    return errors::InvalidField("page.page_token",
                                "is not a token returned by this list; start "
                                "again with an empty token");
  }
  return start;
}

bool IsSchedulable(homeward::v1::ActivityStatus status) {
  return status == homeward::v1::ACTIVITY_STATUS_PLANNED ||
         status == homeward::v1::ACTIVITY_STATUS_IN_PROGRESS;
}

}  // namespace

FollowUpServiceImpl::FollowUpServiceImpl(FollowUpParts parts)
    : parts_(parts),
      lists_(parts.contacts->store(), &parts.cases->owned(), parts.contacts) {}

// ------------------------------------------------------------- RPC edges

grpc::ServerUnaryReactor* FollowUpServiceImpl::ListContacts(
    grpc::CallbackServerContext* context,
    const homeward::v1::ListContactsRequest* request,
    homeward::v1::ListContactsResponse* response) {
  return Serve(kListContacts, context,
               [&](auto& a) { return List(a, *request, response); });
}
grpc::ServerUnaryReactor* FollowUpServiceImpl::GetContact(
    grpc::CallbackServerContext* context,
    const homeward::v1::GetContactRequest* request, FollowUpContact* response) {
  return Serve(kGetContact, context,
               [&](auto& a) { return Get(a, *request, response); });
}
grpc::ServerUnaryReactor* FollowUpServiceImpl::RecordContact(
    grpc::CallbackServerContext* context,
    const homeward::v1::RecordContactRequest* request,
    FollowUpContact* response) {
  return ServeWrite(kRecordContact, context, response, [&](auto& a, auto done) {
    return Record(a, *request, std::move(done));
  });
}
grpc::ServerUnaryReactor* FollowUpServiceImpl::RecordMissedContact(
    grpc::CallbackServerContext* context,
    const homeward::v1::RecordMissedContactRequest* request,
    FollowUpContact* response) {
  return ServeWrite(kRecordMissedContact, context, response,
                    [&](auto& a, auto done) {
                      return RecordMissed(a, *request, std::move(done));
                    });
}
grpc::ServerUnaryReactor* FollowUpServiceImpl::ListDueContacts(
    grpc::CallbackServerContext* context,
    const homeward::v1::ListDueContactsRequest* request,
    homeward::v1::ListContactsDueResponse* response) {
  return Serve(kListDueContacts, context, [&](auto& a) -> absl::Status {
    RETURN_IF_ERROR(cases::CheckCaseRole(a.principal, CaseAction::kRead));
    ASSIGN_OR_RETURN(*response,
                     lists_.Due(a.principal, *request, api::TodayUtc()));
    return absl::OkStatus();
  });
}
grpc::ServerUnaryReactor* FollowUpServiceImpl::ListOverdueContacts(
    grpc::CallbackServerContext* context,
    const homeward::v1::ListOverdueContactsRequest* request,
    homeward::v1::ListContactsDueResponse* response) {
  return Serve(kListOverdueContacts, context, [&](auto& a) -> absl::Status {
    RETURN_IF_ERROR(cases::CheckCaseRole(a.principal, CaseAction::kRead));
    ASSIGN_OR_RETURN(*response,
                     lists_.Overdue(a.principal, *request, api::TodayUtc()));
    return absl::OkStatus();
  });
}
grpc::ServerUnaryReactor* FollowUpServiceImpl::GetTrajectory(
    grpc::CallbackServerContext* context,
    const homeward::v1::GetTrajectoryRequest* request,
    homeward::v1::Trajectory* response) {
  return Serve(kGetTrajectory, context,
               [&](auto& a) { return Trajectory(a, *request, response); });
}

// -------------------------------------------------------------- handlers

absl::StatusOr<FollowUpCase> FollowUpServiceImpl::CaseToChange(
    const service::Actor& actor, absl::string_view case_id,
    absl::string_view field) const {
  ASSIGN_OR_RETURN(cases::CaseScope scope,
                   parts_.cases->Authorize(actor.principal, case_id, field,
                                           CaseAction::kUpdate));
  RETURN_IF_ERROR(parts_.closures->CheckOpen(scope.partition(), case_id));
  // A contact needs the case's fields, not its protection concerns.
  return parts_.cases->GetScopeAndRecord(scope.partition(), case_id);
}

absl::StatusOr<ContactFacts> FollowUpServiceImpl::FactsFor(
    const FollowUpCase& c, homeward::v1::Plan* plan,
    homeward::v1::Taxonomy* taxonomy) const {
  ContactFacts facts;
  facts.today = api::TodayUtc();
  facts.has_return_day =
      api::ToCivilDay(c.record.return_date(), &facts.return_day);
  facts.member_ids.assign(c.record.member_ids().begin(),
                          c.record.member_ids().end());
  const uint32_t partition = c.scope.partition();
  ASSIGN_OR_RETURN(std::optional<homeward::v1::Plan> delivered,
                   parts_.plans->Delivered(partition, c.record.case_id()));
  if (delivered.has_value()) {
    *plan = *std::move(delivered);
    facts.delivered = plan;
  }
  ASSIGN_OR_RETURN(facts.referrals,
                   parts_.referrals->ForCase(partition, c.record.case_id()));
  if (!c.record.programme_id().empty()) {
    absl::StatusOr<homeward::v1::Programme> programme =
        parts_.programmes->GetLatest(c.record.programme_id());
    if (programme.ok() && !programme->taxonomy_id().empty()) {
      absl::StatusOr<homeward::v1::Taxonomy> found = parts_.taxonomies->Get(
          programme->taxonomy_id(), programme->taxonomy_version());
      if (found.ok()) {
        *taxonomy = *std::move(found);
        facts.taxonomy = taxonomy;
      } else if (!absl::IsNotFound(found.status())) {
        return found.status();
      }
    } else if (!programme.ok() && !absl::IsNotFound(programme.status()) &&
               !absl::IsInvalidArgument(programme.status())) {
      return programme.status();
    }
  }
  return facts;
}

absl::Status FollowUpServiceImpl::List(
    const service::Actor& actor,
    const homeward::v1::ListContactsRequest& request,
    homeward::v1::ListContactsResponse* response) {
  RETURN_IF_ERROR(cases::CheckCaseRole(actor.principal, CaseAction::kRead));
  errors::FieldViolations bad;
  if (!homeward::v1::FollowUpContactStatus_IsValid(request.status())) {
    bad.Add("status", "must be SCHEDULED, DONE, MISSED, CANCELLED or unset");
  }
  api::CheckPageRequest(bad, request.page());
  RETURN_IF_ERROR(bad.ToStatus());
  ASSIGN_OR_RETURN(size_t start, PageStart(request.page().page_token()));
  ASSIGN_OR_RETURN(cases::CaseScope scope,
                   parts_.cases->Authorize(actor.principal, request.case_id(),
                                           "case_id", CaseAction::kRead));
  ASSIGN_OR_RETURN(
      std::vector<FollowUpContact> all,
      parts_.contacts->ListForCase(scope.partition(), request.case_id()));
  std::vector<FollowUpContact> kept;
  for (FollowUpContact& c : all) {
    if (request.status() ==
            homeward::v1::FOLLOW_UP_CONTACT_STATUS_UNSPECIFIED ||
        c.status() == request.status()) {
      kept.push_back(std::move(c));
    }
  }
  const size_t size = api::EffectivePageSize(request.page());
  for (size_t i = start; i < kept.size() && i < start + size; ++i) {
    *response->add_contacts() = std::move(kept[i]);
  }
  if (start + size < kept.size()) {
    response->set_next_page_token(absl::StrCat(kPageTokenPrefix, start + size));
  }
  parts_.contacts->AuditRead(actor, request.case_id());
  return absl::OkStatus();
}

absl::Status FollowUpServiceImpl::Get(
    const service::Actor& actor, const homeward::v1::GetContactRequest& request,
    FollowUpContact* response) {
  RETURN_IF_ERROR(cases::CheckCaseRole(actor.principal, CaseAction::kRead));
  errors::FieldViolations bad;
  api::CheckIdentifier(bad, "contact_id", request.contact_id());
  RETURN_IF_ERROR(bad.ToStatus());
  ASSIGN_OR_RETURN(cases::CaseScope scope,
                   parts_.cases->Authorize(actor.principal, request.case_id(),
                                           "case_id", CaseAction::kRead));
  ASSIGN_OR_RETURN(*response,
                   parts_.contacts->Get(scope.partition(), request.case_id(),
                                        request.contact_id()));
  if (response->status() == homeward::v1::FOLLOW_UP_CONTACT_STATUS_SCHEDULED) {
    // The form to record: an entry per activity to report on and per
    // referral of the case, as the feeds last told them.
    ASSIGN_OR_RETURN(FollowUpCase c, parts_.cases->GetScopeAndRecord(
                                         scope.partition(), request.case_id()));
    homeward::v1::Plan plan;
    homeward::v1::Taxonomy taxonomy;
    ASSIGN_OR_RETURN(ContactFacts facts, FactsFor(c, &plan, &taxonomy));
    response->clear_activity_progress();
    if (facts.delivered != nullptr) {
      for (const auto& a : facts.delivered->activities()) {
        if (!IsSchedulable(a.status())) continue;
        homeward::v1::ActivityProgress& p = *response->add_activity_progress();
        p.set_activity_id(a.activity_id());
        p.set_title(a.description());
        p.set_dimension(a.dimension());
        p.set_status(a.status());
      }
      response->set_plan_id(facts.delivered->plan_id());
      response->set_plan_version(facts.delivered->version());
    }
    FollowUpContact filled = RecordedContact(*response, *response, facts);
    *response->mutable_referral_outcomes() = filled.referral_outcomes();
  }
  parts_.contacts->AuditRead(actor, request.case_id());
  return absl::OkStatus();
}

absl::Status FollowUpServiceImpl::Trajectory(
    const service::Actor& actor,
    const homeward::v1::GetTrajectoryRequest& request,
    homeward::v1::Trajectory* response) {
  RETURN_IF_ERROR(cases::CheckCaseRole(actor.principal, CaseAction::kRead));
  ASSIGN_OR_RETURN(cases::CaseScope scope,
                   parts_.cases->Authorize(actor.principal, request.case_id(),
                                           "case_id", CaseAction::kRead));
  ASSIGN_OR_RETURN(FollowUpCase c, parts_.cases->GetScopeAndRecord(
                                       scope.partition(), request.case_id()));
  ASSIGN_OR_RETURN(
      std::vector<FollowUpContact> contacts,
      parts_.contacts->ListForCase(scope.partition(), request.case_id()));
  *response = BuildTrajectory(request.case_id(), c.record.return_date(),
                              contacts, FollowUpCases::RssPoints(c));
  parts_.contacts->AuditRead(actor, request.case_id());
  return absl::OkStatus();
}

absl::Status FollowUpServiceImpl::Record(
    const service::Actor& actor,
    const homeward::v1::RecordContactRequest& request,
    service::WriteDone<FollowUpContact> done) {
  RETURN_IF_ERROR(cases::CheckCaseRole(actor.principal, CaseAction::kUpdate));
  const FollowUpContact& given = request.contact();
  errors::FieldViolations bad;
  api::CheckRequestId(bad, request.request_id());
  if (!request.has_contact()) bad.Add("contact", "is required");
  api::CheckIdentifier(bad, "contact.contact_id", given.contact_id(),
                       /*required=*/false);
  const bool scheduled = !given.contact_id().empty();
  if (scheduled && request.etag().empty()) {
    bad.Add("etag",
            "is required to record a scheduled contact: the "
            "contact's etag as last read");
  }
  RETURN_IF_ERROR(bad.ToStatus());
  ASSIGN_OR_RETURN(FollowUpCase c,
                   CaseToChange(actor, given.case_id(), "contact.case_id"));
  const uint32_t partition = c.scope.partition();

  FollowUpContact base;
  if (scheduled) {
    homeward::internal::v1::FollowUpContactRecord record;
    uint64_t version = 0;
    ASSIGN_OR_RETURN(bool found, parts_.contacts->Read(
                                     partition, given.case_id(),
                                     given.contact_id(), &record, &version));
    if (!found) return errors::NotFound("contact", given.contact_id());
    base = std::move(*record.mutable_contact());
    base.set_etag(api::EtagOf(version));
    // A retry of the request that recorded it: the contact as it is.
    if (!request.request_id().empty() &&
        record.request_id() == request.request_id()) {
      done(std::move(base));
      return absl::OkStatus();
    }
    if (base.status() != homeward::v1::FOLLOW_UP_CONTACT_STATUS_SCHEDULED) {
      return errors::FailedPrecondition(
          "CONTACT_NOT_SCHEDULED", given.contact_id(),
          absl::StrCat("contact ", given.contact_id(), " is ",
                       homeward::v1::FollowUpContactStatus_Name(base.status()),
                       "; only a SCHEDULED contact can be recorded"));
    }
    RETURN_IF_ERROR(api::ParseEtag(request.etag(), "etag").status());
    if (request.etag() != base.etag()) {
      return errors::EtagMismatch("contact", given.contact_id(), request.etag(),
                                  base.etag());
    }
  }
  homeward::v1::Plan plan;
  homeward::v1::Taxonomy taxonomy;
  ASSIGN_OR_RETURN(ContactFacts facts, FactsFor(c, &plan, &taxonomy));
  RETURN_IF_ERROR(CheckRecordedContact(given, facts).ToStatus());
  if (!scheduled) {
    // An extra contact: not from the cadence, due the day it took place.
    base.set_contact_id(storage::TimeOrderedId("X"));
    base.set_case_id(given.case_id());
    *base.mutable_due_date() = given.contact_date();
  }
  FollowUpContact recorded = RecordedContact(base, given, facts);
  parts_.contacts->RecordAsync(actor, c, request.request_id(),
                               scheduled ? &base : nullptr, std::move(recorded),
                               std::move(done));
  return absl::OkStatus();
}

absl::Status FollowUpServiceImpl::RecordMissed(
    const service::Actor& actor,
    const homeward::v1::RecordMissedContactRequest& request,
    service::WriteDone<FollowUpContact> done) {
  RETURN_IF_ERROR(cases::CheckCaseRole(actor.principal, CaseAction::kUpdate));
  absl::CivilDay next_day;
  errors::FieldViolations bad =
      CheckMissedContact(request.missed(), api::TodayUtc(), &next_day);
  api::CheckIdentifier(bad, "contact_id", request.contact_id());
  if (request.etag().empty()) {
    bad.Add("etag", "is required: the contact's etag as last read");
  }
  RETURN_IF_ERROR(bad.ToStatus());
  ASSIGN_OR_RETURN(FollowUpCase c,
                   CaseToChange(actor, request.case_id(), "case_id"));
  ASSIGN_OR_RETURN(FollowUpContact current,
                   parts_.contacts->Get(c.scope.partition(), request.case_id(),
                                        request.contact_id()));
  if (current.status() != homeward::v1::FOLLOW_UP_CONTACT_STATUS_SCHEDULED) {
    return errors::FailedPrecondition(
        "CONTACT_NOT_SCHEDULED", request.contact_id(),
        absl::StrCat("contact ", request.contact_id(), " is ",
                     homeward::v1::FollowUpContactStatus_Name(current.status()),
                     "; only a SCHEDULED contact can be missed"));
  }
  RETURN_IF_ERROR(api::ParseEtag(request.etag(), "etag").status());
  if (request.etag() != current.etag()) {
    return errors::EtagMismatch("contact", request.contact_id(), request.etag(),
                                current.etag());
  }
  FollowUpContact missed = current;
  missed.set_status(homeward::v1::FOLLOW_UP_CONTACT_STATUS_MISSED);
  *missed.mutable_missed() = request.missed();
  *missed.mutable_missed()->mutable_next_attempt_date() = api::ToDate(next_day);
  missed.mutable_missed()->set_next_attempt_contact_id(
      NextAttemptId(current.contact_id()));
  FollowUpContact next = NextAttempt(missed, next_day);
  parts_.contacts->RecordMissedAsync(actor, c, "", current, std::move(missed),
                                     std::move(next), std::move(done));
  return absl::OkStatus();
}

}  // namespace homeward::follow_up
