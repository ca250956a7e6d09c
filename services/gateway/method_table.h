// The gateway's routing table: one declaration per public method saying which
// backend service serves it, who may call it and how its calls find one of
// that backend's replicas. Both public faces look a call up here by its full
// name and hand it to the Forwarder, which does what the declaration says; no
// routing or authorisation code is written per method.
//
//   Unary<homeward::v1::RecordConsentRequest, homeward::v1::ConsentRecord>(
//       kAssessmentService, "homeward.v1.ConsentService/RecordConsent",
//       ByCaseId("consent.case_id"), CaseWorkers())
//
// Adding a method: one such line in PublicMethods() (method_table.cc); both
// faces serve whatever the table declares. Adding a backend service: its
// methods name it, and the gateway's config routes it (backends.h: a route
// for a backend no method names fails the start, and so does a backend
// named by the table without a route unless IsOptionalBackend says a
// deployment may leave it out). MethodTable::Create checks every declaration
// against the generated descriptors when the gateway starts: the method exists
// with these request and response types, the field paths name fields of the
// right kind, every method of a declared service is declared, and all of a
// service's methods name the same backend, so a typo fails the start instead
// of a call. gateway_routing_test calls every table method on both faces.
//
// A composed method (ComposedMethod) is answered by the gateway itself: its
// Compose function calls other table methods through the Forwarder with the
// caller's own principal and builds the answer from theirs (the case
// overview, case_overview.h). An internal method (MethodRoute::internal) is
// in the table so that composed methods can call it, but neither public face
// serves it (FindPublic).
#ifndef HOMEWARD_SERVICES_GATEWAY_METHOD_TABLE_H_
#define HOMEWARD_SERVICES_GATEWAY_METHOD_TABLE_H_

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/message.h"
#include "homeward/internal/v1/principal.pb.h"

namespace homeward::gateway {

class Forwarder;
struct CallInfo;

// The backend of case intake, instruments, programme data, assessments,
// needs, counselling, consent and the audit trail. A backend name is the
// `service` of a route in the gateway's config (ServiceRoute.service).
inline constexpr char kAssessmentService[] = "assessment";

// The backend of reintegration plans (PlanService); the planning service's
// own name for it is planning::kPlanningBackend, which the gateway cannot
// include (services share no headers), so tests check the two agree.
inline constexpr char kPlanningService[] = "planning";

// The backend of the service directory and referrals (DirectoryService,
// ReferralService, PartnerReferralService); referral::kReferralBackend on
// the service's side.
inline constexpr char kReferralService[] = "referral";

// The backend of the monitoring schedule, follow-up contacts and case
// closure (FollowUpService, CaseClosureService); follow_up::kFollowUpBackend
// on the service's side.
inline constexpr char kFollowUpService[] = "follow_up";

// The "backend" of composed methods: the gateway answers them itself, so no
// route names it and MethodTable::backends() leaves it out.
inline constexpr char kGatewayItself[] = "gateway";

// Whether a deployment may leave `backend` out: the gateway then starts
// without a route for it, and its methods answer UNIMPLEMENTED naming the
// backend (a deployment without the planning, referral or follow-up service).
// Every other backend the table names needs a route.
bool IsOptionalBackend(absl::string_view backend);

// How the calls of one method find the replica(s) that serve them.
enum class Routing {
  // The replica owning the partition of the case named by a string field of
  // the request (`Route::field`, a dotted path such as "consent.case_id").
  // An empty case id is INVALID_ARGUMENT on that path: the call cannot be
  // routed without it.
  kByCaseId,
  // RegisterCase: the case id derives from the request's office
  // (`Route::field`, "case.office_id") and request_id
  // (storage::CaseIdForRequest), so a case is routed before it exists. A
  // request without a request id gets a fresh one.
  kByRegistration,
  // Cross-case list: every replica in turn, pages merged into the repeated
  // field `Route::field` of the response (see page_token.h). The request must
  // have `PageRequest page` and the response `string next_page_token`.
  kFanOut,
  // Data every replica keeps a copy of (programme configuration): the call
  // goes to every replica at once and succeeds only if every replica
  // succeeds, answering with replica 0's response. Only for idempotent
  // methods, because a partial failure is repaired by retrying.
  kBroadcast,
  // Reads of data every replica holds: replica 0, then the next replica
  // while the one asked is unreachable (UNAVAILABLE).
  kAnyReplica,
  // A question every replica answers about its own data (e.g. "is your audit
  // trail intact?"): the call goes to every replica at once, like kBroadcast,
  // and succeeds only if every replica answers; the answer is the repeated
  // field `Route::field` of every replica's response, concatenated in replica
  // order. The response must have no other field, since one replica's value
  // would not speak for the others.
  kGather,
  // Answered by the gateway itself (backend kGatewayItself): the method's
  // Compose function calls other methods through the Forwarder and fills the
  // response from their answers.
  kComposed,
};

struct Route {
  Routing kind;
  // kByCaseId: case id path; kByRegistration: office id path; kFanOut,
  // kGather: repeated field of the response items.
  std::string field;
};

inline Route ByCaseId(absl::string_view field_path) {
  return {Routing::kByCaseId, std::string(field_path)};
}
inline Route ByRegistration(absl::string_view office_id_path) {
  return {Routing::kByRegistration, std::string(office_id_path)};
}
inline Route FanOut(absl::string_view items_field) {
  return {Routing::kFanOut, std::string(items_field)};
}
inline Route Broadcast() { return {Routing::kBroadcast, ""}; }
inline Route AnyReplica() { return {Routing::kAnyReplica, ""}; }
inline Route Gather(absl::string_view items_field) {
  return {Routing::kGather, std::string(items_field)};
}

// How a composed method answers: it calls other methods of the table with
// `forwarder.Forward(...)` and the caller's `call` (each sub-call is
// authorised against its own method's callers and routed as usual), fills
// `response` (of the method's response type) from their answers and then
// calls `done` exactly once. It must keep whatever its sub-calls use (their
// requests, responses and its own state; shared_ptr) alive until every
// sub-call's done has run, and may return before `done` runs. `call` and
// `request` live until `done` runs; `call.client_deadline` is the composed
// call's deadline, which every sub-call inherits.
using Compose = std::function<void(Forwarder& forwarder, const CallInfo& call,
                                   const google::protobuf::Message& request,
                                   google::protobuf::Message* response,
                                   std::function<void(absl::Status)> done)>;

// Who may call a method: the gateway's first-line check (architecture brief
// section 6); services still enforce record-level scope themselves.
struct Callers {
  bool any_role = false;  // any authenticated caller
  std::vector<homeward::v1::Role> roles;
  // How a refusal names the allowed callers, e.g. "case managers and
  // supervisors".
  std::string who;

  bool Allows(homeward::v1::Role role) const;
};

// Case managers and supervisors: case records (architecture brief section 6).
Callers CaseWorkers();
// Administrators: programme configuration.
Callers Administrators();
// Any authenticated role: non-personal reference data.
Callers AnyRole();
// Administrators and supervisors: the audit trail (services check that a
// supervisor reads only their own offices' cases).
Callers AuditReaders();
// Partner agencies (ROLE_PARTNER_AGENCY): organisations outside the programme
// that receive referrals. Their API keys carry Principal.agency_id (required,
// api_keys.h), which services use to show an agency only what is addressed to
// it (referrals addressed to their organization, their directory entries).
Callers PartnerAgencies();
// Monitoring officers, supervisors and administrators: programme indicators,
// which hold no personal data (services check a supervisor's offices).
Callers IndicatorReaders();
// Callers allowed by any of `parts`, e.g. AnyOf({CaseWorkers(),
// PartnerAgencies()}); `who` joins theirs.
Callers AnyOf(const std::vector<Callers>& parts);

// One public method, as declared and as resolved by MethodTable::Create.
struct MethodRoute {
  // The backend service whose replicas serve the method: the `service` of a
  // route in the gateway's config, e.g. kAssessmentService.
  std::string backend;
  std::string full_name;  // "homeward.v1.ConsentService/RecordConsent"
  Route route;
  Callers callers;
  const google::protobuf::Message* request_prototype = nullptr;
  const google::protobuf::Message* response_prototype = nullptr;
  // kComposed only: how the gateway answers the method.
  Compose compose;
  // In the table so that composed methods can call it, but not served on the
  // public faces (they answer it like an unknown method).
  bool internal = false;

  // Filled in by MethodTable::Create.
  std::string path;  // "/" + full_name: the gRPC method and the HTTP path
  // kByCaseId: the fields from the request down to the case id.
  std::vector<const google::protobuf::FieldDescriptor*> case_id_path;
  // kByRegistration: request_id, and the fields down to the office id.
  const google::protobuf::FieldDescriptor* request_id_field = nullptr;
  std::vector<const google::protobuf::FieldDescriptor*> office_id_path;
  // kFanOut: request page, response items and next_page_token; kGather:
  // response items.
  const google::protobuf::FieldDescriptor* page_field = nullptr;
  const google::protobuf::FieldDescriptor* items_field = nullptr;
  const google::protobuf::FieldDescriptor* next_page_token_field = nullptr;
};

// Declares `full_name` as a unary method of `backend` taking Request and
// returning Response.
template <typename Request, typename Response>
MethodRoute Unary(absl::string_view backend, absl::string_view full_name,
                  Route route, Callers callers) {
  MethodRoute method;
  method.backend = std::string(backend);
  method.full_name = std::string(full_name);
  method.route = std::move(route);
  method.callers = std::move(callers);
  method.request_prototype = &Request::default_instance();
  method.response_prototype = &Response::default_instance();
  return method;
}

// Declares `full_name` as a unary method the gateway answers itself with
// `compose` (Routing::kComposed, backend kGatewayItself).
template <typename Request, typename Response>
MethodRoute ComposedMethod(absl::string_view full_name, Callers callers,
                           Compose compose) {
  MethodRoute method = Unary<Request, Response>(kGatewayItself, full_name,
                                                Route{Routing::kComposed, ""},
                                                std::move(callers));
  method.compose = std::move(compose);
  return method;
}

class MethodTable {
 public:
  // Resolves and checks `methods` (see the file comment). The problems are
  // programming errors, reported together as INTERNAL.
  static absl::StatusOr<MethodTable> Create(std::vector<MethodRoute> methods);

  // nullptr when no method has that full name.
  const MethodRoute* Find(absl::string_view full_name) const;
  // The same for the public faces: nullptr for an internal method too.
  const MethodRoute* FindPublic(absl::string_view full_name) const;
  // In declaration order.
  const std::vector<MethodRoute>& methods() const { return methods_; }
  // The backends the methods name, sorted, each once; not kGatewayItself,
  // which needs no route.
  const std::vector<std::string>& backends() const { return backends_; }

 private:
  std::vector<MethodRoute> methods_;
  std::vector<std::string> backends_;
  std::map<std::string, size_t, std::less<>> by_name_;
};

// Every method the gateway serves, with its backend, callers and routing, as
// declared (not yet checked: MethodTable::Create does that).
std::vector<MethodRoute> PublicMethods();
// MethodTable::Create(PublicMethods()).
absl::StatusOr<MethodTable> PublicMethodTable();

// The case id a kByCaseId call is about; INVALID_ARGUMENT naming the field
// path when it is empty.
absl::StatusOr<std::string> CaseIdOf(const MethodRoute& method,
                                     const google::protobuf::Message& request);

// The case id a kByRegistration call creates (storage::CaseIdForRequest of
// its office and request id); nullopt without a request id.
std::optional<std::string> RegistrationCaseIdOf(
    const MethodRoute& method, const google::protobuf::Message& request);

}  // namespace homeward::gateway

#endif  // HOMEWARD_SERVICES_GATEWAY_METHOD_TABLE_H_
