// Fuzzes the JSON face's reading of a call (services/gateway/connect_request.h)
// for every public method of the gateway's method table, and what the
// gateway reads from the decoded request before forwarding it: the case id
// it routes by (method_table.h), the replica that owns it
// (common/routing/route_table.h) and the programme indicators' own check.
//
// Input: the request-target (e.g. "/homeward.v1.CaseService/GetCase") up to
// the first '\n', the Content-Type up to the next, then the body; the
// corpus holds a call of every public method (make-corpus.py). A body that does
// not decode is INVALID_ARGUMENT on "body"; one that decodes re-encodes to a
// message that encodes the same.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/string_view.h"
#include "absl/strings/strip.h"
#include "common/routing/route_table.h"
#include "google/protobuf/message.h"
#include "homeward/internal/v1/config.pb.h"
#include "homeward/internal/v1/principal.pb.h"
#include "homeward/v1/indicators.pb.h"
#include "services/gateway/connect_request.h"
#include "services/gateway/method_table.h"
#include "services/gateway/programme_indicators.h"
#include "tests/fuzz/fuzz_checks.h"
#include "tests/fuzz/served_methods.h"

namespace homeward::fuzz {
namespace {

using gateway::MethodRoute;
using gateway::Routing;

struct Face {
  gateway::MethodTable table;
  routing::RouteTable routes;
};

const Face& TheFace() {
  static const Face* face = [] {
    absl::StatusOr<gateway::MethodTable> table = ServedMethodTable();
    FUZZ_CHECK(table.ok());
    google::protobuf::RepeatedPtrField<homeward::internal::v1::ServiceRoute>
        routes;
    homeward::internal::v1::ServiceRoute* route = routes.Add();
    route->set_service("assessment");
    for (const char* address : {"a0:7001", "a1:7001", "a2:7001"}) {
      route->add_replicas()->set_address(address);
    }
    absl::StatusOr<routing::RouteTable> route_table =
        routing::RouteTable::Create(routes, 0, "assessment");
    FUZZ_CHECK(route_table.ok());
    return new Face{*std::move(table), *std::move(route_table)};
  }();
  return *face;
}

// What the Forwarder reads from a decoded request to route it.
void CheckRouting(const Face& face, const MethodRoute& method,
                  const google::protobuf::Message& request) {
  if (method.route.kind == Routing::kByCaseId) {
    absl::StatusOr<std::string> case_id = gateway::CaseIdOf(method, request);
    if (!case_id.ok()) {
      FUZZ_CHECK(case_id.status().code() == absl::StatusCode::kInvalidArgument);
      CheckRefusal(case_id.status());
      return;
    }
    FUZZ_CHECK(!case_id->empty());
    FUZZ_CHECK(face.routes.ReplicaOfCase(*case_id) <
               face.routes.replica_count());
  } else if (method.route.kind == Routing::kByRegistration) {
    std::optional<std::string> case_id =
        gateway::RegistrationCaseIdOf(method, request);
    if (case_id.has_value()) {
      FUZZ_CHECK(!case_id->empty());
      FUZZ_CHECK(face.routes.ReplicaOfCase(*case_id) <
                 face.routes.replica_count());
    }
  }
  if (method.full_name == gateway::kGetProgrammeIndicators) {
    homeward::internal::v1::Principal supervisor;
    supervisor.set_user_id("u-1");
    supervisor.set_role(homeward::v1::ROLE_SUPERVISOR);
    supervisor.add_office_ids("DKR");
    absl::Status checked = gateway::CheckProgrammeIndicatorsRequest(
        static_cast<const homeward::v1::GetProgrammeIndicatorsRequest&>(
            request),
        supervisor);
    if (!checked.ok()) CheckRefusal(checked);
  }
}

void FuzzCall(const Face& face, const MethodRoute& method,
              absl::string_view content_type, const std::string& body) {
  std::optional<gateway::ConnectCodec> codec =
      gateway::ConnectCodecOf(content_type);
  if (!codec.has_value()) return;
  std::unique_ptr<google::protobuf::Message> request(
      method.request_prototype->New());
  absl::Status decoded =
      gateway::DecodeConnectRequest(*codec, body, request.get());
  if (!decoded.ok()) {
    FUZZ_CHECK(decoded.code() == absl::StatusCode::kInvalidArgument);
    std::vector<errors::FieldViolation> bad =
        errors::FieldViolationsOf(decoded);
    FUZZ_CHECK(bad.size() == 1 && bad[0].field == "body");
    CheckRefusal(decoded);
    return;
  }
  // The request forwarded (the proto codec forwards the body as received,
  // the JSON codec this encoding) reads back as the same message.
  const std::string bytes = DeterministicBytes(*request);
  std::unique_ptr<google::protobuf::Message> again(
      method.request_prototype->New());
  FUZZ_CHECK(again->ParseFromString(bytes));
  FUZZ_CHECK(DeterministicBytes(*again) == bytes);
  CheckRouting(face, method, *request);
}

}  // namespace
}  // namespace homeward::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const homeward::fuzz::Face& face = homeward::fuzz::TheFace();
  absl::string_view rest(reinterpret_cast<const char*>(data), size);
  // Request-target and Content-Type, each up to a '\n'; the body is the rest.
  const size_t target_end = rest.find('\n');
  if (target_end == absl::string_view::npos) return 0;
  absl::string_view target = rest.substr(0, target_end);
  rest.remove_prefix(target_end + 1);
  const size_t type_end = rest.find('\n');
  if (type_end == absl::string_view::npos) return 0;
  const absl::string_view content_type = rest.substr(0, type_end);
  rest.remove_prefix(type_end + 1);
  // As ConnectUnary::Serve finds the method: the path byte for byte.
  const homeward::gateway::MethodRoute* method =
      absl::ConsumePrefix(&target, "/") ? face.table.FindPublic(target)
                                        : nullptr;
  if (method == nullptr) return 0;
  FUZZ_CHECK(!method->internal && method->full_name == target);
  homeward::fuzz::FuzzCall(face, *method, content_type, std::string(rest));
  return 0;
}
