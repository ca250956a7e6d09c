// The gateway's routing table and its checks; see method_table.h.
#include "services/gateway/method_table.h"

#include <algorithm>
#include <map>
#include <set>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "common/status/errors.h"
#include "common/storage/ids.h"
#include "homeward/v1/assessments.pb.h"
#include "homeward/v1/audit.pb.h"
#include "homeward/v1/cases.pb.h"
#include "homeward/v1/common.pb.h"
#include "homeward/v1/consent.pb.h"
#include "homeward/v1/counselling.pb.h"
#include "homeward/v1/directory.pb.h"
#include "homeward/v1/follow_up.pb.h"
#include "homeward/v1/instruments.pb.h"
#include "homeward/v1/needs.pb.h"
#include "homeward/v1/overview.pb.h"
#include "homeward/v1/planning.pb.h"
#include "homeward/v1/referral.pb.h"
#include "homeward/v1/retention.pb.h"
#include "homeward/v1/taxonomy.pb.h"
#include "services/gateway/case_overview.h"

namespace homeward::gateway {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;

// A singular field of `type` named `name` with the given C++ type, or
// nullptr (and a problem noted) when there is none.
const FieldDescriptor* SingularField(const Descriptor* type,
                                     absl::string_view name,
                                     FieldDescriptor::CppType cpp_type,
                                     absl::string_view context,
                                     std::vector<std::string>* problems) {
  const FieldDescriptor* field = type->FindFieldByName(std::string(name));
  if (field == nullptr || field->is_repeated() ||
      field->cpp_type() != cpp_type) {
    problems->push_back(absl::StrCat(
        context, ": ", type->full_name(), " has no singular ",
        FieldDescriptor::CppTypeName(cpp_type), " field '", name, "'"));
    return nullptr;
  }
  return field;
}

// The fields from `type` down to the string field at the dotted `path`
// (e.g. "consent.case_id"); empty (and a problem noted) when there is none.
std::vector<const FieldDescriptor*> StringPath(
    const Descriptor* type, const std::string& path, const std::string& context,
    std::vector<std::string>* problems) {
  std::vector<const FieldDescriptor*> fields;
  const std::vector<std::string> parts = absl::StrSplit(path, '.');
  for (size_t i = 0; i < parts.size(); ++i) {
    const bool last = i + 1 == parts.size();
    const FieldDescriptor* field =
        SingularField(type, parts[i],
                      last ? FieldDescriptor::CPPTYPE_STRING
                           : FieldDescriptor::CPPTYPE_MESSAGE,
                      context, problems);
    if (field == nullptr) return {};
    fields.push_back(field);
    if (!last) type = field->message_type();
  }
  return fields;
}

// The string at the end of `path` in `message`; an unset message on the way
// reads as its default instance, so the answer is then empty.
std::string ReadStringPath(const google::protobuf::Message& message,
                           const std::vector<const FieldDescriptor*>& path) {
  const google::protobuf::Message* at = &message;
  for (size_t i = 0; i + 1 < path.size(); ++i) {
    at = &at->GetReflection()->GetMessage(*at, path[i]);
  }
  if (path.empty()) return "";
  return at->GetReflection()->GetString(*at, path.back());
}

// Resolves what the method's routing reads from its messages.
void ResolveRouteFields(MethodRoute* m, std::vector<std::string>* problems) {
  const Descriptor* request = m->request_prototype->GetDescriptor();
  const Descriptor* response = m->response_prototype->GetDescriptor();
  const std::string& at = m->full_name;
  switch (m->route.kind) {
    case Routing::kByCaseId:
      m->case_id_path = StringPath(
          request, m->route.field,
          absl::StrCat(at, " case id '", m->route.field, "'"), problems);
      return;
    case Routing::kByRegistration:
      m->request_id_field = SingularField(
          request, "request_id", FieldDescriptor::CPPTYPE_STRING, at, problems);
      m->office_id_path = StringPath(
          request, m->route.field,
          absl::StrCat(at, " office id '", m->route.field, "'"), problems);
      return;
    case Routing::kFanOut: {
      m->page_field = SingularField(
          request, "page", FieldDescriptor::CPPTYPE_MESSAGE, at, problems);
      if (m->page_field != nullptr &&
          m->page_field->message_type() !=
              homeward::v1::PageRequest::descriptor()) {
        problems->push_back(
            absl::StrCat(at, ": 'page' must be a homeward.v1.PageRequest"));
      }
      m->next_page_token_field =
          SingularField(response, "next_page_token",
                        FieldDescriptor::CPPTYPE_STRING, at, problems);
      const FieldDescriptor* items = response->FindFieldByName(m->route.field);
      if (items == nullptr || !items->is_repeated() ||
          items->cpp_type() != FieldDescriptor::CPPTYPE_MESSAGE) {
        problems->push_back(absl::StrCat(at, ": ", response->full_name(),
                                         " has no repeated message field '",
                                         m->route.field, "'"));
      } else {
        m->items_field = items;
      }
      return;
    }
    case Routing::kGather: {
      const FieldDescriptor* items = response->FindFieldByName(m->route.field);
      if (items == nullptr || !items->is_repeated() ||
          items->cpp_type() != FieldDescriptor::CPPTYPE_MESSAGE) {
        problems->push_back(absl::StrCat(at, ": ", response->full_name(),
                                         " has no repeated message field '",
                                         m->route.field, "'"));
      } else if (response->field_count() != 1) {
        problems->push_back(absl::StrCat(
            at, ": a gathered response must hold only '", m->route.field,
            "', because another field would be one replica's alone"));
      } else {
        m->items_field = items;
      }
      return;
    }
    case Routing::kBroadcast:
    case Routing::kAnyReplica:
    case Routing::kComposed:
      return;
  }
}

// A composed method is answered by the gateway and nothing else is: the
// declaration's backend, routing and compose function must agree.
void CheckComposition(const MethodRoute& m,
                      std::vector<std::string>* problems) {
  const bool composed = m.route.kind == Routing::kComposed;
  if (composed != static_cast<bool>(m.compose)) {
    problems->push_back(absl::StrCat(
        m.full_name, composed ? " is composed but has no compose function"
                              : " has a compose function but is not composed"));
  }
  if (composed != (m.backend == kGatewayItself)) {
    problems->push_back(absl::StrCat(
        m.full_name,
        composed ? absl::StrCat(" is composed, so its backend must be '",
                                kGatewayItself, "', not '", m.backend, "'")
                 : absl::StrCat(" names backend '", kGatewayItself,
                                "', which only composed methods may")));
  }
}

}  // namespace

bool IsOptionalBackend(absl::string_view backend) {
  return backend == kPlanningService || backend == kReferralService ||
         backend == kFollowUpService;
}

bool Callers::Allows(homeward::v1::Role role) const {
  return any_role || std::find(roles.begin(), roles.end(), role) != roles.end();
}

Callers CaseWorkers() {
  return {false,
          {homeward::v1::ROLE_CASE_MANAGER, homeward::v1::ROLE_SUPERVISOR},
          "case managers and supervisors"};
}

Callers Administrators() {
  return {false, {homeward::v1::ROLE_ADMINISTRATOR}, "administrators"};
}

Callers PartnerAgencies() {
  return {false, {homeward::v1::ROLE_PARTNER_AGENCY}, "partner agencies"};
}

Callers AnyOf(const std::vector<Callers>& parts) {
  Callers all;
  std::vector<std::string> who;
  for (const Callers& part : parts) {
    all.any_role = all.any_role || part.any_role;
    all.roles.insert(all.roles.end(), part.roles.begin(), part.roles.end());
    who.push_back(part.who);
  }
  all.who = absl::StrJoin(who, " and ");
  return all;
}

Callers AnyRole() { return {true, {}, "any authenticated caller"}; }

Callers IndicatorReaders() {
  return {false,
          {homeward::v1::ROLE_MONITORING_OFFICER, homeward::v1::ROLE_SUPERVISOR,
           homeward::v1::ROLE_ADMINISTRATOR},
          "monitoring officers, supervisors and administrators"};
}

Callers AuditReaders() {
  return {false,
          {homeward::v1::ROLE_ADMINISTRATOR, homeward::v1::ROLE_SUPERVISOR},
          "administrators and supervisors"};
}

absl::StatusOr<MethodTable> MethodTable::Create(
    std::vector<MethodRoute> methods) {
  const google::protobuf::DescriptorPool* pool =
      google::protobuf::DescriptorPool::generated_pool();
  std::vector<std::string> problems;
  MethodTable table;
  std::set<const google::protobuf::ServiceDescriptor*> services;
  // A public service's health follows one backend's replicas, so all of its
  // methods must live in the same backend.
  std::map<std::string, std::string> backend_of_service;
  std::set<std::string> backends;
  for (size_t i = 0; i < methods.size(); ++i) {
    MethodRoute& m = methods[i];
    CheckComposition(m, &problems);
    if (m.backend.empty()) {
      problems.push_back(
          absl::StrCat(m.full_name, " names no backend service"));
    } else {
      if (m.backend != kGatewayItself) backends.insert(m.backend);
      const std::string service_name =
          m.full_name.substr(0, m.full_name.find('/'));
      auto [it, added] = backend_of_service.emplace(service_name, m.backend);
      if (!added && it->second != m.backend) {
        problems.push_back(absl::StrCat(m.full_name, " names backend '",
                                        m.backend, "' but other methods of ",
                                        service_name, " name '", it->second,
                                        "': a service lives in one backend"));
      }
    }
    m.path = absl::StrCat("/", m.full_name);
    const std::vector<std::string> names = absl::StrSplit(m.full_name, '/');
    const google::protobuf::ServiceDescriptor* service =
        names.size() == 2 ? pool->FindServiceByName(names[0]) : nullptr;
    const google::protobuf::MethodDescriptor* method =
        service != nullptr ? service->FindMethodByName(names[1]) : nullptr;
    if (method == nullptr) {
      problems.push_back(absl::StrCat("'", m.full_name,
                                      "' is not a method of a linked service "
                                      "(expected package.Service/Method)"));
      continue;
    }
    services.insert(service);
    if (method->client_streaming() || method->server_streaming()) {
      problems.push_back(absl::StrCat(m.full_name, " is streaming"));
    }
    if (method->input_type() != m.request_prototype->GetDescriptor() ||
        method->output_type() != m.response_prototype->GetDescriptor()) {
      problems.push_back(absl::StrCat(
          m.full_name, " takes ", method->input_type()->full_name(),
          " and returns ", method->output_type()->full_name(),
          ", not the declared ", m.request_prototype->GetTypeName(), " and ",
          m.response_prototype->GetTypeName()));
      continue;
    }
    ResolveRouteFields(&m, &problems);
    if (!table.by_name_.emplace(m.full_name, i).second) {
      problems.push_back(absl::StrCat(m.full_name, " is declared twice"));
    }
  }
  // A method left out would answer UNIMPLEMENTED from the gateway while the
  // service serves it.
  for (const google::protobuf::ServiceDescriptor* service : services) {
    for (int i = 0; i < service->method_count(); ++i) {
      const std::string name =
          absl::StrCat(service->full_name(), "/", service->method(i)->name());
      if (table.by_name_.find(name) == table.by_name_.end()) {
        problems.push_back(absl::StrCat(name, " has no route"));
      }
    }
  }
  if (!problems.empty()) {
    return errors::Internal(
        absl::StrCat("the gateway's method table is wrong: ",
                     absl::StrJoin(problems, "; ")));
  }
  table.methods_ = std::move(methods);
  table.backends_.assign(backends.begin(), backends.end());
  return table;
}

const MethodRoute* MethodTable::Find(absl::string_view full_name) const {
  auto it = by_name_.find(full_name);
  return it == by_name_.end() ? nullptr : &methods_[it->second];
}

const MethodRoute* MethodTable::FindPublic(absl::string_view full_name) const {
  const MethodRoute* method = Find(full_name);
  return method == nullptr || method->internal ? nullptr : method;
}

absl::StatusOr<MethodTable> PublicMethodTable() {
  return MethodTable::Create(PublicMethods());
}

std::vector<MethodRoute> PublicMethods() {
  using namespace homeward::v1;  // NOLINT: request and response type names
  const absl::string_view kAssessment = kAssessmentService;
  const absl::string_view kPlanning = kPlanningService;
  const absl::string_view kReferral = kReferralService;
  const absl::string_view kFollowUp = kFollowUpService;
  const Callers directory_writers =
      AnyOf({Administrators(), PartnerAgencies()});
  // A workflow step of PlanService: the same request, on the case's plan.
  auto plan_step = [kPlanning](absl::string_view step) {
    return Unary<PlanStepRequest, Plan>(
        kPlanning, absl::StrCat("homeward.v1.PlanService/", step),
        ByCaseId("case_id"), CaseWorkers());
  };
  return {
      // Case intake.
      Unary<RegisterCaseRequest, Case>(
          kAssessment, "homeward.v1.CaseService/RegisterCase",
          ByRegistration("case.office_id"), CaseWorkers()),
      Unary<GetCaseRequest, Case>(kAssessment,
                                  "homeward.v1.CaseService/GetCase",
                                  ByCaseId("case_id"), CaseWorkers()),
      Unary<ListCasesRequest, ListCasesResponse>(
          kAssessment, "homeward.v1.CaseService/ListCases", FanOut("cases"),
          CaseWorkers()),
      Unary<UpdateCaseRequest, Case>(kAssessment,
                                     "homeward.v1.CaseService/UpdateCase",
                                     ByCaseId("case.case_id"), CaseWorkers()),
      Unary<AssignCaseRequest, Case>(kAssessment,
                                     "homeward.v1.CaseService/AssignCase",
                                     ByCaseId("case_id"), CaseWorkers()),
      // Programme configuration: every replica keeps a copy.
      Unary<PublishInstrumentRequest, InstrumentDefinition>(
          kAssessment, "homeward.v1.InstrumentService/PublishInstrument",
          Broadcast(), Administrators()),
      Unary<GetInstrumentRequest, InstrumentDefinition>(
          kAssessment, "homeward.v1.InstrumentService/GetInstrument",
          AnyReplica(), AnyRole()),
      Unary<ListInstrumentsRequest, ListInstrumentsResponse>(
          kAssessment, "homeward.v1.InstrumentService/ListInstruments",
          AnyReplica(), AnyRole()),
      // Feasibility grids published while the deployment runs: every
      // planning replica keeps a copy.
      Unary<PublishFeasibilityGridRequest, FeasibilityGrid>(
          kPlanning,
          "homeward.v1.FeasibilityGridService/PublishFeasibilityGrid",
          Broadcast(), Administrators()),
      // Programme data (taxonomy, programmes): read-only, loaded from files
      // at start into every replica.
      Unary<GetTaxonomyRequest, Taxonomy>(
          kAssessment, "homeward.v1.ProgrammeService/GetTaxonomy", AnyReplica(),
          AnyRole()),
      Unary<GetProgrammeRequest, Programme>(
          kAssessment, "homeward.v1.ProgrammeService/GetProgramme",
          AnyReplica(), AnyRole()),
      Unary<ListProgrammesRequest, ListProgrammesResponse>(
          kAssessment, "homeward.v1.ProgrammeService/ListProgrammes",
          AnyReplica(), AnyRole()),
      // Assessments and needs of one case.
      Unary<SubmitAssessmentRequest, Assessment>(
          kAssessment, "homeward.v1.AssessmentService/SubmitAssessment",
          ByCaseId("case_id"), CaseWorkers()),
      Unary<GetAssessmentRequest, Assessment>(
          kAssessment, "homeward.v1.AssessmentService/GetAssessment",
          ByCaseId("case_id"), CaseWorkers()),
      Unary<ListAssessmentsRequest, ListAssessmentsResponse>(
          kAssessment, "homeward.v1.AssessmentService/ListAssessments",
          ByCaseId("case_id"), CaseWorkers()),
      Unary<CompareAssessmentsRequest, CompareAssessmentsResponse>(
          kAssessment, "homeward.v1.AssessmentService/CompareAssessments",
          ByCaseId("case_id"), CaseWorkers()),
      Unary<ListNeedsRequest, ListNeedsResponse>(
          kAssessment, "homeward.v1.AssessmentService/ListNeeds",
          ByCaseId("case_id"), CaseWorkers()),
      // Needs and protection concerns of one case.
      Unary<AddNeedRequest, Need>(kAssessment,
                                  "homeward.v1.NeedService/AddNeed",
                                  ByCaseId("case_id"), CaseWorkers()),
      Unary<GetNeedRequest, Need>(kAssessment,
                                  "homeward.v1.NeedService/GetNeed",
                                  ByCaseId("case_id"), CaseWorkers()),
      Unary<ListNeedsRequest, ListNeedsResponse>(
          kAssessment, "homeward.v1.NeedService/ListNeeds", ByCaseId("case_id"),
          CaseWorkers()),
      Unary<SetNeedStatusRequest, Need>(kAssessment,
                                        "homeward.v1.NeedService/SetNeedStatus",
                                        ByCaseId("case_id"), CaseWorkers()),
      Unary<AddProtectionConcernRequest, ProtectionConcern>(
          kAssessment, "homeward.v1.NeedService/AddProtectionConcern",
          ByCaseId("case_id"), CaseWorkers()),
      Unary<GetProtectionConcernRequest, ProtectionConcern>(
          kAssessment, "homeward.v1.NeedService/GetProtectionConcern",
          ByCaseId("case_id"), CaseWorkers()),
      Unary<ListProtectionConcernsRequest, ListProtectionConcernsResponse>(
          kAssessment, "homeward.v1.NeedService/ListProtectionConcerns",
          ByCaseId("case_id"), CaseWorkers()),
      Unary<SetProtectionConcernStatusRequest, ProtectionConcern>(
          kAssessment, "homeward.v1.NeedService/SetProtectionConcernStatus",
          ByCaseId("case_id"), CaseWorkers()),
      // Counselling log of one case.
      Unary<RecordCounsellingSessionRequest, CounsellingSession>(
          kAssessment,
          "homeward.v1.CounsellingService/RecordCounsellingSession",
          ByCaseId("session.case_id"), CaseWorkers()),
      Unary<ListCounsellingSessionsRequest, ListCounsellingSessionsResponse>(
          kAssessment, "homeward.v1.CounsellingService/ListCounsellingSessions",
          ByCaseId("case_id"), CaseWorkers()),
      // Consent of one case.
      Unary<RecordConsentRequest, ConsentRecord>(
          kAssessment, "homeward.v1.ConsentService/RecordConsent",
          ByCaseId("consent.case_id"), CaseWorkers()),
      Unary<ListConsentsRequest, ListConsentsResponse>(
          kAssessment, "homeward.v1.ConsentService/ListConsents",
          ByCaseId("case_id"), CaseWorkers()),
      Unary<CheckConsentRequest, CheckConsentResponse>(
          kAssessment, "homeward.v1.ConsentService/CheckConsent",
          ByCaseId("case_id"), CaseWorkers()),
      // The audit trail: a case's entries where the case lives; the
      // verification covers every replica's chain.
      Unary<ListCaseAuditEntriesRequest, ListCaseAuditEntriesResponse>(
          kAssessment, "homeward.v1.AuditService/ListCaseAuditEntries",
          ByCaseId("case_id"), AuditReaders()),
      Unary<VerifyAuditTrailRequest, VerifyAuditTrailResponse>(
          kAssessment, "homeward.v1.AuditService/VerifyAuditTrail",
          Gather("chains"), Administrators()),
      // Retention (docs/RETENTION.md): every replica runs the job over its
      // own cases and reports; the answer lists every replica's report.
      Unary<RunRetentionRequest, RunRetentionResponse>(
          kAssessment, "homeward.v1.RetentionService/RunRetention",
          Gather("replicas"), Administrators()),
      // Reintegration plans of one case, in the planning service; the
      // overdue queues are cross-case lists.
      Unary<CreatePlanRequest, Plan>(kPlanning,
                                     "homeward.v1.PlanService/CreatePlan",
                                     ByCaseId("plan.case_id"), CaseWorkers()),
      Unary<GetPlanRequest, Plan>(kPlanning, "homeward.v1.PlanService/GetPlan",
                                  ByCaseId("case_id"), CaseWorkers()),
      Unary<ListPlanVersionsRequest, ListPlanVersionsResponse>(
          kPlanning, "homeward.v1.PlanService/ListPlanVersions",
          ByCaseId("case_id"), CaseWorkers()),
      Unary<UpdatePlanRequest, Plan>(kPlanning,
                                     "homeward.v1.PlanService/UpdatePlan",
                                     ByCaseId("plan.case_id"), CaseWorkers()),
      plan_step("AgreePlan"),
      plan_step("SubmitPlan"),
      plan_step("ApprovePlan"),
      plan_step("ReturnPlan"),
      plan_step("ActivatePlan"),
      plan_step("CompletePlan"),
      plan_step("CancelPlan"),
      plan_step("RevisePlan"),
      Unary<SetActivityStatusRequest, Plan>(
          kPlanning, "homeward.v1.PlanService/SetActivityStatus",
          ByCaseId("case_id"), CaseWorkers()),
      Unary<ListOverduePlansRequest, ListOverduePlansResponse>(
          kPlanning, "homeward.v1.PlanService/ListOverduePlans",
          FanOut("plans"), CaseWorkers()),
      Unary<ListOverdueActivitiesRequest, ListOverdueActivitiesResponse>(
          kPlanning, "homeward.v1.PlanService/ListOverdueActivities",
          FanOut("activities"), CaseWorkers()),
      // The service directory, in the referral service: every replica keeps
      // all of it, so writes (idempotent by request id) go to every replica
      // and reads to any one. Partner agencies maintain their own
      // organization's entries (the service checks whose).
      Unary<CreateOrganizationRequest, Organization>(
          kReferral, "homeward.v1.DirectoryService/CreateOrganization",
          Broadcast(), Administrators()),
      Unary<UpdateOrganizationRequest, Organization>(
          kReferral, "homeward.v1.DirectoryService/UpdateOrganization",
          Broadcast(), directory_writers),
      Unary<GetOrganizationRequest, Organization>(
          kReferral, "homeward.v1.DirectoryService/GetOrganization",
          AnyReplica(), AnyRole()),
      Unary<ListOrganizationsRequest, ListOrganizationsResponse>(
          kReferral, "homeward.v1.DirectoryService/ListOrganizations",
          AnyReplica(), AnyRole()),
      Unary<CreateLocationRequest, Location>(
          kReferral, "homeward.v1.DirectoryService/CreateLocation", Broadcast(),
          directory_writers),
      Unary<UpdateLocationRequest, Location>(
          kReferral, "homeward.v1.DirectoryService/UpdateLocation", Broadcast(),
          directory_writers),
      Unary<GetLocationRequest, Location>(
          kReferral, "homeward.v1.DirectoryService/GetLocation", AnyReplica(),
          AnyRole()),
      Unary<CreateServiceRequest, HumanService>(
          kReferral, "homeward.v1.DirectoryService/CreateService", Broadcast(),
          directory_writers),
      Unary<UpdateServiceRequest, HumanService>(
          kReferral, "homeward.v1.DirectoryService/UpdateService", Broadcast(),
          directory_writers),
      Unary<GetServiceRequest, HumanService>(
          kReferral, "homeward.v1.DirectoryService/GetService", AnyReplica(),
          AnyRole()),
      Unary<SetServiceCapacityRequest, HumanService>(
          kReferral, "homeward.v1.DirectoryService/SetServiceCapacity",
          Broadcast(), directory_writers),
      Unary<SearchServicesRequest, SearchServicesResponse>(
          kReferral, "homeward.v1.DirectoryService/SearchServices",
          AnyReplica(), AnyRole()),
      Unary<ImportHsdsRequest, ImportHsdsResponse>(
          kReferral, "homeward.v1.DirectoryService/ImportHsds", Broadcast(),
          directory_writers),
      Unary<ExportHsdsRequest, ExportHsdsResponse>(
          kReferral, "homeward.v1.DirectoryService/ExportHsds", AnyReplica(),
          AnyRole()),
      // Referrals of one case (the requester side), and the cross-case
      // queues.
      Unary<CreateReferralRequest, Referral>(
          kReferral, "homeward.v1.ReferralService/CreateReferral",
          ByCaseId("referral.case_id"), CaseWorkers()),
      Unary<GetReferralRequest, Referral>(
          kReferral, "homeward.v1.ReferralService/GetReferral",
          ByCaseId("case_id"), CaseWorkers()),
      Unary<ListCaseReferralsRequest, ListCaseReferralsResponse>(
          kReferral, "homeward.v1.ReferralService/ListCaseReferrals",
          ByCaseId("case_id"), CaseWorkers()),
      Unary<ChangeReferralStatusRequest, Referral>(
          kReferral, "homeward.v1.ReferralService/ChangeReferralStatus",
          ByCaseId("case_id"), CaseWorkers()),
      Unary<ListReferralsToMakeRequest, ListReferralsToMakeResponse>(
          kReferral, "homeward.v1.ReferralService/ListReferralsToMake",
          ByCaseId("case_id"), CaseWorkers()),
      Unary<ListOverdueReferralsRequest, ListOverdueReferralsResponse>(
          kReferral, "homeward.v1.ReferralService/ListOverdueReferrals",
          FanOut("referrals"), CaseWorkers()),
      // The performer side: a partner agency's own referrals.
      Unary<ListInboxRequest, ListInboxResponse>(
          kReferral, "homeward.v1.PartnerReferralService/ListInbox",
          FanOut("referrals"), PartnerAgencies()),
      Unary<GetReferralRequest, SharedReferral>(
          kReferral, "homeward.v1.PartnerReferralService/GetSharedReferral",
          ByCaseId("case_id"), PartnerAgencies()),
      Unary<ChangeReferralStatusRequest, SharedReferral>(
          kReferral, "homeward.v1.PartnerReferralService/UpdateSharedReferral",
          ByCaseId("case_id"), PartnerAgencies()),
      Unary<ClaimReferralRequest, SharedReferral>(
          kReferral, "homeward.v1.PartnerReferralService/ClaimReferral",
          ByCaseId("case_id"), PartnerAgencies()),
      Unary<ListOverdueReferralsRequest, ListOverdueReferralsResponse>(
          kReferral,
          "homeward.v1.PartnerReferralService/ListPartnerOverdueReferrals",
          FanOut("referrals"), PartnerAgencies()),
      // Follow-up contacts of one case, and the cross-case due lists.
      Unary<ListContactsRequest, ListContactsResponse>(
          kFollowUp, "homeward.v1.FollowUpService/ListContacts",
          ByCaseId("case_id"), CaseWorkers()),
      Unary<GetContactRequest, FollowUpContact>(
          kFollowUp, "homeward.v1.FollowUpService/GetContact",
          ByCaseId("case_id"), CaseWorkers()),
      Unary<RecordContactRequest, FollowUpContact>(
          kFollowUp, "homeward.v1.FollowUpService/RecordContact",
          ByCaseId("contact.case_id"), CaseWorkers()),
      Unary<RecordMissedContactRequest, FollowUpContact>(
          kFollowUp, "homeward.v1.FollowUpService/RecordMissedContact",
          ByCaseId("case_id"), CaseWorkers()),
      Unary<ListDueContactsRequest, ListContactsDueResponse>(
          kFollowUp, "homeward.v1.FollowUpService/ListDueContacts",
          FanOut("contacts"), CaseWorkers()),
      Unary<ListOverdueContactsRequest, ListContactsDueResponse>(
          kFollowUp, "homeward.v1.FollowUpService/ListOverdueContacts",
          FanOut("contacts"), CaseWorkers()),
      Unary<GetTrajectoryRequest, Trajectory>(
          kFollowUp, "homeward.v1.FollowUpService/GetTrajectory",
          ByCaseId("case_id"), CaseWorkers()),
      // Closing and reopening a case.
      Unary<GetClosureChecksRequest, ClosureChecks>(
          kFollowUp, "homeward.v1.CaseClosureService/GetClosureChecks",
          ByCaseId("case_id"), CaseWorkers()),
      Unary<CloseCaseRequest, Closure>(
          kFollowUp, "homeward.v1.CaseClosureService/CloseCase",
          ByCaseId("closure.case_id"), CaseWorkers()),
      Unary<ClosureStepRequest, Closure>(
          kFollowUp, "homeward.v1.CaseClosureService/ApproveClosure",
          ByCaseId("case_id"), CaseWorkers()),
      Unary<ClosureStepRequest, Closure>(
          kFollowUp, "homeward.v1.CaseClosureService/DeclineClosure",
          ByCaseId("case_id"), CaseWorkers()),
      Unary<ReopenCaseRequest, Closure>(
          kFollowUp, "homeward.v1.CaseClosureService/ReopenCase",
          ByCaseId("case_id"), CaseWorkers()),
      Unary<GetClosureRequest, Closure>(
          kFollowUp, "homeward.v1.CaseClosureService/GetClosure",
          ByCaseId("case_id"), CaseWorkers()),
      // A case at a glance, answered by the gateway itself from the parts
      // above (case_overview.h).
      ComposedMethod<GetCaseOverviewRequest, CaseOverview>(
          kCaseOverviewMethod, CaseWorkers(), ComposeCaseOverview),
  };
}

absl::StatusOr<std::string> CaseIdOf(const MethodRoute& method,
                                     const google::protobuf::Message& request) {
  std::string case_id = ReadStringPath(request, method.case_id_path);
  if (case_id.empty()) {
    return errors::InvalidField(
        method.route.field,
        "is required: the gateway routes the call to the replica that holds "
        "the case");
  }
  return case_id;
}

std::optional<std::string> RegistrationCaseIdOf(
    const MethodRoute& method, const google::protobuf::Message& request) {
  const std::string& request_id =
      request.GetReflection()->GetString(request, method.request_id_field);
  if (request_id.empty()) return std::nullopt;
  // An empty office routes like any other: the replica it lands on refuses
  // the registration for want of an office.
  return storage::CaseIdForRequest(
      ReadStringPath(request, method.office_id_path), request_id);
}

}  // namespace homeward::gateway
