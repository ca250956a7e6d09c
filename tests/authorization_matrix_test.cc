// The authorisation matrix (issue 16 point 6): every public method of the
// gateway's table, called by every role from the resource's own office (or
// agency) and from another, against the expected outcomes written once in
// tests/authorization_matrix.txt (tests/fixtures/authorization_matrix.h
// parses it; docs/AUTHORIZATION.md explains it).
//
// The whole suite runs in-process (the all-in-one's EmbeddedSuite: every
// service behind the real gateway) with one API key per role and scope. The
// fixture's resources (a case of office-dakar with needs, assessments, a
// plan, scheduled contacts, a referral addressed to org-atelier-pikine, and a
// second case with a closure asked for) are made once per binary through the
// gateway. Every cell is played on the JSON face; every refused cell is
// played on the gRPC face too (a refusal changes nothing, so the second call
// sees the same state), which shows both faces enforce the same. Within a
// method the refused cells run first, so the allowed ones that change
// something come after them.

#include "tests/fixtures/authorization_matrix.h"

#include <array>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "common/api/field_checks.h"
#include "common/server/config_file.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/json_util.h"
#include "grpcpp/impl/codegen/proto_utils.h"
#include "gtest/gtest.h"
#include "homeward/v1/assessments.pb.h"
#include "homeward/v1/cases.pb.h"
#include "homeward/v1/consent.pb.h"
#include "homeward/v1/directory.pb.h"
#include "homeward/v1/follow_up.pb.h"
#include "homeward/v1/needs.pb.h"
#include "homeward/v1/planning.pb.h"
#include "homeward/v1/referral.pb.h"
#include "services/all_in_one/embedded_suite.h"
#include "services/gateway/api_keys.h"
#include "services/gateway/connect_error.h"
#include "services/gateway/gateway_server.h"
#include "services/gateway/method_table.h"
#include "tests/fixtures/case_fixtures.h"
#include "tests/fixtures/gateway_client.h"
#include "tests/fixtures/temp_dir.h"

namespace homeward::testing::authz {
namespace {

namespace v1 = ::homeward::v1;
using gateway::MethodRoute;
using gateway::MethodTable;

const std::string kDataFile =
    std::string(HOMEWARD_SOURCE_DIR) + "/tests/authorization_matrix.txt";
constexpr char kDataFileName[] = "tests/authorization_matrix.txt";

constexpr char kOwnOffice[] = "office-dakar";
constexpr char kOtherOffice[] = "office-thies";
// Example directory organizations (deploy/directory/example_directory.json):
// the referral is addressed to the first.
constexpr char kOwnAgency[] = "org-atelier-pikine";
constexpr char kOtherAgency[] = "org-teranga-accueil";

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

v1::Role RoleOf(size_t role_index) {
  static constexpr std::array<v1::Role, kRoleNames.size()> kRoles = {
      v1::ROLE_CASE_MANAGER,       v1::ROLE_SUPERVISOR,
      v1::ROLE_MONITORING_OFFICER, v1::ROLE_ADMINISTRATOR,
      v1::ROLE_PARTNER_AGENCY,     v1::ROLE_SERVICE};
  return kRoles[role_index];
}

// The test key of a role and scope (never used outside this test).
std::string KeyOf(size_t role_index, Scope scope) {
  return absl::StrCat("hw_authz_", kRoleNames[role_index], "_",
                      ScopeName(scope), "_0123456789abcdef");
}

// Who the key stands for: the own scope in office-dakar (the agency the
// referral is addressed to), the other in office-thies (another agency).
homeward::internal::v1::Principal PrincipalOf(size_t role_index, Scope scope) {
  const bool own = scope == Scope::kOwn;
  homeward::internal::v1::Principal p;
  p.set_user_id(absl::StrCat(kRoleNames[role_index], own ? "-a" : "-b"));
  p.set_role(RoleOf(role_index));
  if (p.role() == v1::ROLE_PARTNER_AGENCY) {
    p.set_agency_id(own ? kOwnAgency : kOtherAgency);
  } else {
    p.add_office_ids(own ? kOwnOffice : kOtherOffice);
  }
  return p;
}

// Every method the gateway builds its table from, checked.
const MethodTable& Table() {
  static const MethodTable* const table = [] {
    absl::StatusOr<MethodTable> created =
        MethodTable::Create(gateway::GatewayMethods(5));
    EXPECT_TRUE(created.ok()) << created.status();
    return new MethodTable(*std::move(created));
  }();
  return *table;
}

// A public method as the missing-row message needs it.
TableMethod Describe(const MethodRoute& m) {
  TableMethod t;
  t.name = m.full_name;
  for (size_t r = 0; r < kRoleNames.size(); ++r) {
    t.gateway_allows[r] = m.callers.Allows(RoleOf(r));
  }
  t.case_scoped = m.route.kind == gateway::Routing::kByCaseId;
  // The case id at its JSON path, e.g. {"consent": {"caseId": "$CASE"}}.
  std::string json = R"("$CASE")";
  for (auto it = m.case_id_path.rbegin(); it != m.case_id_path.rend(); ++it) {
    json = absl::StrCat("{\"", (*it)->json_name(), "\": ", json, "}");
  }
  // A composed method about one case (the overview) names it at the top.
  const google::protobuf::FieldDescriptor* case_id =
      m.request_prototype->GetDescriptor()->FindFieldByName("case_id");
  if (!t.case_scoped && case_id != nullptr &&
      case_id->type() == google::protobuf::FieldDescriptor::TYPE_STRING) {
    t.case_scoped = true;
    json = R"({"caseId": "$CASE"})";
  }
  t.request_template = t.case_scoped ? json : "{}";
  return t;
}

std::vector<TableMethod> PublicTableMethods() {
  std::vector<TableMethod> methods;
  for (const MethodRoute& m : Table().methods()) {
    if (!m.internal) methods.push_back(Describe(m));
  }
  return methods;
}

// ---------------------------------------------------------------------------
// The data file's format, on small made-up files.

constexpr char kGoodRow[] = R"(
# a comment
method homeward.v1.CaseService/GetCase
request {"caseId": "$CASE"}
hides $CASE
case_manager        OK       HIDDEN
supervisor          OK       HIDDEN
monitoring_officer  DENIED   DENIED
administrator       DENIED   DENIED
partner_agency      DENIED   DENIED
service             ALLOWED  DENIED
)";

TEST(MatrixDataTest, ParsesARow) {
  const MatrixData data = ParseMatrix(kGoodRow);
  EXPECT_THAT(data.problems, ::testing::IsEmpty());
  ASSERT_EQ(data.rows.size(), 1u);
  const MethodRow& row = data.rows[0];
  EXPECT_EQ(row.method, "homeward.v1.CaseService/GetCase");
  EXPECT_EQ(row.line, 3);
  EXPECT_EQ(row.request, R"({"caseId": "$CASE"})");
  EXPECT_THAT(row.hides, ::testing::ElementsAre("$CASE"));
  EXPECT_EQ(row.Expected("case_manager", Scope::kOwn), Outcome::kOk);
  EXPECT_EQ(row.Expected("case_manager", Scope::kOther), Outcome::kHidden);
  EXPECT_EQ(row.Expected("service", Scope::kOwn), Outcome::kAllowed);
  EXPECT_EQ(row.Expected("service", Scope::kOther), Outcome::kDenied);
}

TEST(MatrixDataTest, NamesEveryProblemWithItsLine) {
  struct Case {
    std::string name;
    std::string text;
    std::string problem;  // a substring of one of the problems
  };
  const std::string cells =
      "case_manager OK HIDDEN\nsupervisor OK HIDDEN\n"
      "monitoring_officer DENIED DENIED\nadministrator DENIED DENIED\n"
      "partner_agency DENIED DENIED\n";
  const std::string complete = cells + "service DENIED DENIED\n";
  const std::vector<Case> cases = {
      {"missing role", "method a.B/C\nrequest {}\n" + cells,
       "line 1: a.B/C has no cells for role 'service'"},
      {"missing scope", "method a.B/C\nrequest {}\n" + cells + "service OK\n",
       "line 8: a role line is 'service <own> <other>'"},
      {"unknown outcome",
       "method a.B/C\nrequest {}\n" + cells + "service OK MAYBE\n",
       "each one of OK, ALLOWED, DENIED, HIDDEN"},
      {"unknown role",
       "method a.B/C\nrequest {}\n" + complete + "auditor OK OK\n",
       "line 9: 'auditor' is neither method, request, hides nor a role"},
      {"no request", "method a.B/C\n" + complete,
       "line 1: a.B/C has no 'request' line"},
      {"twice",
       "method a.B/C\nrequest {}\n" + complete + "method a.B/C\nrequest {}\n" +
           complete,
       "line 9: a.B/C already has a row at line 1"},
      {"role twice",
       "method a.B/C\nrequest {}\n" + complete + "service OK OK\n",
       "a.B/C lists 'service' twice"},
      {"cells before a method", "service OK OK\n",
       "line 1: expected 'method <full name>' first"},
      {"hides without a placeholder",
       "method a.B/C\nrequest {}\nhides CASE\n" + complete,
       "line 3: 'hides' takes one $PLACEHOLDER"},
  };
  for (const Case& c : cases) {
    const MatrixData data = ParseMatrix(c.text);
    EXPECT_THAT(data.problems,
                ::testing::Contains(::testing::HasSubstr(c.problem)))
        << c.name;
  }
}

TEST(MatrixDataTest, AMissingRowSaysWhatToAddAndAStrayRowIsNamed) {
  TableMethod added;
  added.name = "homeward.v1.CaseService/ExportCase";
  added.request_template = R"({"caseId": "$CASE"})";
  added.gateway_allows = {false, true, false, false, false, false};
  added.case_scoped = true;
  const MatrixData data = ParseMatrix(kGoodRow);
  const std::vector<std::string> problems =
      CheckRowsAgainst(data, {added}, "matrix.txt");
  ASSERT_EQ(problems.size(), 2u) << ::testing::PrintToString(problems);
  EXPECT_THAT(problems[0],
              ::testing::HasSubstr(
                  "homeward.v1.CaseService/ExportCase is served by the "
                  "gateway but has no row in matrix.txt: append this block"));
  EXPECT_THAT(problems[0],
              ::testing::HasSubstr("method homeward.v1.CaseService/ExportCase\n"
                                   "request {\"caseId\": \"$CASE\"}\n"
                                   "case_manager        DENIED   DENIED\n"
                                   "supervisor          OK       DENIED   # "
                                   "check\n"
                                   "monitoring_officer  DENIED   DENIED\n"));
  // The block parses once its "# check" cells are decided.
  std::string block = MissingRowBlock(added);
  block = absl::StrReplaceAll(block, {{"# check", ""}});
  EXPECT_THAT(ParseMatrix(block).problems, ::testing::IsEmpty());
  EXPECT_EQ(problems[1],
            "matrix.txt line 3: homeward.v1.CaseService/GetCase is not a "
            "public method of the gateway's table (renamed, removed or "
            "internal?): remove or rename its row");
}

// ---------------------------------------------------------------------------
// The data file against the gateway's table.

TEST(AuthorizationMatrixDataTest, EveryPublicMethodHasACompleteRowAndNoMore) {
  const std::string text = ReadFile(kDataFile);
  ASSERT_FALSE(text.empty()) << "cannot read " << kDataFile;
  const MatrixData data = ParseMatrix(text);
  for (const std::string& p : data.problems) {
    ADD_FAILURE() << kDataFileName << " " << p;
  }
  for (const std::string& p :
       CheckRowsAgainst(data, PublicTableMethods(), kDataFileName)) {
    ADD_FAILURE() << p;
  }
}

// ---------------------------------------------------------------------------
// The suite and its resources, made once per binary.

// The gRPC code a JSON-face answer stands for: 200 is OK, an error body is
// {"code":"not_found",...} (Connect's names, connect_error.h).
grpc::StatusCode CodeOfJsonAnswer(const httplib::Result& result,
                                  std::string* body) {
  if (!result) {
    *body = "no HTTP answer";
    return grpc::StatusCode::UNAVAILABLE;
  }
  *body = result->body;
  if (result->status == 200) return grpc::StatusCode::OK;
  std::smatch match;
  if (std::regex_search(result->body, match,
                        std::regex(R"re("code":"([a-z_]+)")re"))) {
    for (int c = 0; c <= grpc::StatusCode::UNAUTHENTICATED; ++c) {
      const auto code = static_cast<absl::StatusCode>(c);
      if (gateway::ConnectCodeName(code) == match[1]) {
        return static_cast<grpc::StatusCode>(c);
      }
    }
  }
  return grpc::StatusCode::UNKNOWN;
}

std::string CodeName(grpc::StatusCode code) {
  return absl::StatusCodeToString(static_cast<absl::StatusCode>(code));
}

// Whether `code` is what `expected` allows. ALLOWED admits OK and the
// domain errors a service answers only once the caller may act on the
// resource (a stale etag, a step the resource's state does not allow, a
// request id already used, a field the current state makes invalid).
bool Matches(Outcome expected, grpc::StatusCode code) {
  switch (expected) {
    case Outcome::kOk:
      return code == grpc::StatusCode::OK;
    case Outcome::kAllowed:
      return code == grpc::StatusCode::OK ||
             code == grpc::StatusCode::INVALID_ARGUMENT ||
             code == grpc::StatusCode::FAILED_PRECONDITION ||
             code == grpc::StatusCode::ALREADY_EXISTS ||
             code == grpc::StatusCode::ABORTED;
    case Outcome::kDenied:
      return code == grpc::StatusCode::PERMISSION_DENIED;
    case Outcome::kHidden:
      return code == grpc::StatusCode::NOT_FOUND;
  }
  return false;
}

// The outcome class a code falls in, for the "actual row" of a failure.
std::string ClassOf(grpc::StatusCode code) {
  if (code == grpc::StatusCode::OK) return "OK";
  if (Matches(Outcome::kAllowed, code)) return "ALLOWED";
  if (code == grpc::StatusCode::PERMISSION_DENIED) return "DENIED";
  if (code == grpc::StatusCode::NOT_FOUND) return "HIDDEN";
  return CodeName(code);
}

v1::Date DaysFromToday(int days) { return api::ToDate(api::TodayUtc() + days); }

std::string DateJson(int days) {
  const v1::Date d = DaysFromToday(days);
  return absl::StrCat(R"({"year":)", d.year(), R"(,"month":)", d.month(),
                      R"(,"day":)", d.day(), "}");
}

// The RSS of docs/INSTRUMENTS.md's worked example.
v1::SubmitAssessmentRequest RssSubmission(const std::string& request_id,
                                          const std::string& case_id,
                                          v1::AssessmentOccasion occasion) {
  const std::map<std::string, std::string> options = {
      {"economic_satisfaction", "very_dissatisfied"},
      {"food_reduction", "often"},
      {"debt_and_borrowing", "high_debt_can_borrow"},
      {"work_and_income", "irregular"},
      {"assets_and_opportunities", "neither"},
      {"housing", "poor"},
      {"health_care", "with_difficulty"},
      {"documents_and_justice", "no_documents_justice"},
      {"drinking_water", "always"},
      {"social_ties", "support_only"},
      {"belonging_and_discrimination", "belonging_discriminated"},
      {"physical_safety", "somewhat_safe"},
      {"distress_and_support", "distress_wants_support"},
      {"able_to_stay", "unsure"}};
  v1::SubmitAssessmentRequest request;
  request.set_request_id(request_id);
  request.set_case_id(case_id);
  request.set_instrument_id("rss");
  request.set_instrument_version(2);
  request.set_occasion(occasion);
  request.set_assessor_role(v1::ASSESSOR_ROLE_CASE_MANAGER);
  request.set_mode(v1::CONTACT_MODE_IN_PERSON);
  *request.mutable_assessment_date() = DaysFromToday(0);
  for (const auto& [item, option] : options) {
    v1::Answer* answer = request.add_answers();
    answer->set_item_id(item);
    answer->set_option_id(option);
  }
  return request;
}

class Deployment {
 public:
  // Starts the suite and makes the resources; check ok() after.
  Deployment() {
    homeward::internal::v1::ApiKeyFile keys;
    for (size_t r = 0; r < kRoleNames.size(); ++r) {
      for (Scope scope : kScopes) {
        *keys.add_keys() = gateway::MakeApiKey(
            absl::StrCat(kRoleNames[r], "-", ScopeName(scope)), KeyOf(r, scope),
            PrincipalOf(r, scope));
      }
    }
    const std::string keys_file = dir_.path() + "/api_keys.textproto";
    const absl::Status written =
        server::WriteTextProtoFile(keys_file, keys, 0600);
    if (!written.ok()) {
      problem_ = written.ToString();
      return;
    }
    all_in_one::EmbeddedOptions options;
    options.data_dir = dir_.path() + "/data";
    options.grpc_listen = "127.0.0.1:0";
    options.http_listen = "127.0.0.1:0";
    options.api_keys_file = keys_file;
    const std::string deploy = std::string(HOMEWARD_SOURCE_DIR) + "/deploy";
    options.taxonomy_dir = deploy + "/taxonomy";
    options.programmes_dir = deploy + "/programmes";
    options.instruments_dir = deploy + "/instruments";
    options.feasibility_dir = deploy + "/feasibility";
    auto suite = all_in_one::EmbeddedSuite::Start(options);
    if (!suite.ok()) {
      problem_ = suite.status().ToString();
      return;
    }
    suite_ = *std::move(suite);
    client_ = std::make_unique<GatewayClient>(suite_->grpc_port(),
                                              suite_->http_port());
    MakeResources();
  }
  ~Deployment() {
    if (suite_ != nullptr) suite_->Shutdown(absl::Seconds(5));
  }

  // Empty when the suite runs and every resource was made.
  const std::string& problem() const { return problem_; }
  GatewayClient& client() { return *client_; }
  // $NAME -> its JSON text (the quotes are the template's).
  const std::map<std::string, std::string>& values() const { return values_; }

 private:
  // `request` as `role` of the own scope on the gRPC face; records a
  // problem (naming `what`) unless it answers OK.
  bool Make(const std::string& what, size_t role, const std::string& method,
            const google::protobuf::Message& request,
            google::protobuf::Message* response) {
    const grpc::Status status =
        client_->Call(method, request, response, KeyOf(role, Scope::kOwn));
    if (!status.ok()) {
      problem_ =
          absl::StrCat("making ", what, ": ", CodeName(status.error_code()),
                       " ", status.error_message());
    }
    return status.ok();
  }

  // The same, retried for up to a minute while the answer is one a service
  // gives until it has applied another's events (NOT_FOUND,
  // FAILED_PRECONDITION, INVALID_ARGUMENT naming a need it has not seen).
  bool MakeEventually(const std::string& what, size_t role,
                      const std::string& method,
                      const google::protobuf::Message& request,
                      google::protobuf::Message* response) {
    const absl::Time give_up = absl::Now() + absl::Seconds(60);
    while (true) {
      response->Clear();
      const grpc::Status status =
          client_->Call(method, request, response, KeyOf(role, Scope::kOwn));
      if (status.ok()) return true;
      const bool later =
          status.error_code() == grpc::StatusCode::NOT_FOUND ||
          status.error_code() == grpc::StatusCode::FAILED_PRECONDITION ||
          status.error_code() == grpc::StatusCode::INVALID_ARGUMENT;
      if (!later || absl::Now() > give_up) {
        problem_ =
            absl::StrCat("making ", what, ": ", CodeName(status.error_code()),
                         " ", status.error_message());
        return false;
      }
      absl::SleepFor(absl::Milliseconds(50));
    }
  }

  void MakeResources() {
    constexpr size_t kCaseManager = 0, kSupervisor = 1, kAdministrator = 3;
    values_["$OFFICE"] = kOwnOffice;
    values_["$AGENCY"] = kOwnAgency;
    values_["$LOCATION"] = "loc-atelier-pikine";
    values_["$SERVICE"] = "svc-atelier-emploi";
    values_["$TODAY"] = DateJson(0);
    values_["$YESTERDAY"] = DateJson(-1);
    values_["$IN_30_DAYS"] = DateJson(30);
    values_["$IN_90_DAYS"] = DateJson(90);
    values_["$THIS_YEAR_START"] = absl::StrCat(
        R"({"year":)", DaysFromToday(0).year(), R"(,"month":1,"day":1})");

    // The example directory, whose organization the referral goes to.
    v1::ImportHsdsRequest import;
    import.set_request_id("authz-directory");
    if (!google::protobuf::util::JsonStringToMessage(
             ReadFile(std::string(HOMEWARD_SOURCE_DIR) +
                      "/deploy/directory/example_directory.json"),
             import.mutable_document())
             .ok()) {
      problem_ = "cannot read the example directory";
      return;
    }
    v1::ImportHsdsResponse imported;
    if (!Make("the directory", kAdministrator,
              "homeward.v1.DirectoryService/ImportHsds", import, &imported)) {
      return;
    }

    // The own agency's directory entries as imported, with their etags.
    v1::GetOrganizationRequest get_org;
    get_org.set_organization_id(kOwnAgency);
    v1::Organization org;
    v1::GetLocationRequest get_location;
    get_location.set_location_id(values_["$LOCATION"]);
    v1::Location location;
    v1::GetServiceRequest get_service;
    get_service.set_service_id(values_["$SERVICE"]);
    v1::HumanService service;
    if (!Make("$AGENCY_ETAG", kAdministrator,
              "homeward.v1.DirectoryService/GetOrganization", get_org, &org) ||
        !Make("$LOCATION_ETAG", kAdministrator,
              "homeward.v1.DirectoryService/GetLocation", get_location,
              &location) ||
        !Make("$SERVICE_ETAG", kAdministrator,
              "homeward.v1.DirectoryService/GetService", get_service,
              &service)) {
      return;
    }
    values_["$AGENCY_ETAG"] = org.etag();
    values_["$LOCATION_ETAG"] = location.etag();
    values_["$SERVICE_ETAG"] = service.etag();

    // The case, registered 20 days after its returnee came back, and a
    // second one whose closure is asked for.
    auto register_case = [&](const std::string& request_id,
                             const std::string& placeholder) {
      v1::RegisterCaseRequest registration =
          ValidRegistration(request_id, kOwnOffice, "case_manager-a");
      *registration.mutable_case_()
           ->mutable_return_info()
           ->mutable_return_date() = DaysFromToday(-20);
      v1::Case registered;
      if (!Make(placeholder, kCaseManager,
                "homeward.v1.CaseService/RegisterCase", registration,
                &registered)) {
        return false;
      }
      values_[placeholder] = registered.case_id();
      values_[placeholder + "_ETAG"] = registered.etag();
      return true;
    };
    if (!register_case("authz-case", "$CASE")) return;
    if (!register_case("authz-closing-case", "$CLOSING_CASE")) return;
    const std::string case_id = values_["$CASE"];

    v1::AddNeedRequest add;
    add.set_request_id("authz-need");
    add.set_case_id(case_id);
    add.mutable_need()->set_dimension(v1::DIMENSION_ECONOMIC);
    add.mutable_need()->set_category("employment");
    add.mutable_need()->set_description("paid work");
    add.mutable_need()->set_priority(v1::NEED_PRIORITY_HIGH);
    v1::Need need;
    if (!Make("$NEED", kCaseManager, "homeward.v1.NeedService/AddNeed", add,
              &need)) {
      return;
    }
    values_["$NEED"] = need.need_id();
    values_["$NEED_ETAG"] = need.etag();

    // The returnee's consent to a referral to the own agency.
    v1::RecordConsentRequest consent;
    consent.set_request_id("authz-consent");
    consent.mutable_consent()->set_case_id(case_id);
    consent.mutable_consent()->set_purpose(v1::CONSENT_PURPOSE_REFERRAL);
    consent.mutable_consent()->set_recipient_agency_id(kOwnAgency);
    consent.mutable_consent()->set_granted(true);
    *consent.mutable_consent()->mutable_decision_date() = DaysFromToday(0);
    consent.mutable_consent()->set_method(v1::CONSENT_METHOD_WRITTEN);
    v1::ConsentRecord recorded;
    if (!Make("the consent", kCaseManager,
              "homeward.v1.ConsentService/RecordConsent", consent, &recorded)) {
      return;
    }

    // A plan answering the need, agreed, submitted and approved: the
    // follow-up service schedules its contacts.
    v1::CreatePlanRequest create;
    create.set_request_id("authz-plan");
    create.mutable_plan()->set_case_id(case_id);
    create.mutable_plan()->set_returnee_objectives("Open a tailoring shop");
    v1::PlanActivity* activity = create.mutable_plan()->add_activities();
    activity->set_dimension(v1::DIMENSION_ECONOMIC);
    activity->set_component("employment");
    activity->set_level(v1::ASSISTANCE_LEVEL_INDIVIDUAL);
    activity->set_description("job placement");
    activity->set_delivery(v1::ACTIVITY_DELIVERY_DIRECT);
    activity->set_responsible_party("programme");
    *activity->mutable_start_date() = DaysFromToday(0);
    *activity->mutable_due_date() = DaysFromToday(90);
    activity->add_need_ids(need.need_id());
    v1::Plan plan;
    if (!MakeEventually("the plan", kCaseManager,
                        "homeward.v1.PlanService/CreatePlan", create, &plan)) {
      return;
    }
    for (const char* step : {"AgreePlan", "SubmitPlan", "ApprovePlan"}) {
      v1::PlanStepRequest request;
      request.set_case_id(case_id);
      request.set_etag(plan.etag());
      if (std::string(step) == "AgreePlan") {
        *request.mutable_agreement()->mutable_agreed_date() = DaysFromToday(0);
        request.mutable_agreement()->set_method(v1::AGREEMENT_METHOD_SIGNED);
      }
      if (!Make(step, kSupervisor,
                absl::StrCat("homeward.v1.PlanService/", step), request,
                &plan)) {
        return;
      }
    }
    values_["$ACTIVITY"] = plan.activities(0).activity_id();
    values_["$PLAN_ETAG"] = plan.etag();
    v1::ListContactsRequest list_contacts;
    list_contacts.set_case_id(case_id);
    v1::ListContactsResponse contacts;
    const absl::Time give_up = absl::Now() + absl::Seconds(60);
    while (contacts.contacts_size() == 0 && absl::Now() < give_up) {
      contacts.Clear();
      (void)client_->Call("homeward.v1.FollowUpService/ListContacts",
                          list_contacts, &contacts,
                          KeyOf(kCaseManager, Scope::kOwn));
      if (contacts.contacts_size() == 0) {
        absl::SleepFor(absl::Milliseconds(50));
      }
    }
    if (contacts.contacts_size() == 0) {
      problem_ = "the approved plan's contacts were never scheduled";
      return;
    }
    values_["$CONTACT"] = contacts.contacts(0).contact_id();
    values_["$CONTACT_ETAG"] = contacts.contacts(0).etag();

    // After the plan, so that what they raise needs no activity of it.
    v1::AddProtectionConcernRequest concern;
    concern.set_request_id("authz-concern");
    concern.set_case_id(case_id);
    concern.mutable_concern()->set_code("DEBT_BONDAGE_RISK");
    concern.mutable_concern()->set_label("debt bondage risk");
    concern.mutable_concern()->set_priority(v1::NEED_PRIORITY_HIGH);
    concern.mutable_concern()->set_response_category("counter_trafficking");
    v1::ProtectionConcern added_concern;
    if (!Make("$CONCERN", kCaseManager,
              "homeward.v1.NeedService/AddProtectionConcern", concern,
              &added_concern)) {
      return;
    }
    values_["$CONCERN"] = added_concern.concern_id();
    values_["$CONCERN_ETAG"] = added_concern.etag();

    v1::Assessment baseline, follow_up;
    if (!Make("$BASELINE", kCaseManager,
              "homeward.v1.AssessmentService/SubmitAssessment",
              RssSubmission("authz-rss-1", case_id,
                            v1::ASSESSMENT_OCCASION_BASELINE),
              &baseline) ||
        !Make("$ASSESSMENT", kCaseManager,
              "homeward.v1.AssessmentService/SubmitAssessment",
              RssSubmission("authz-rss-2", case_id,
                            v1::ASSESSMENT_OCCASION_FOLLOW_UP),
              &follow_up)) {
      return;
    }
    values_["$BASELINE"] = baseline.assessment_id();
    values_["$ASSESSMENT"] = follow_up.assessment_id();

    // The referral, sent to the own agency's service.
    v1::CreateReferralRequest refer;
    refer.set_request_id("authz-referral");
    refer.set_send(true);
    v1::Referral* r = refer.mutable_referral();
    r->set_case_id(case_id);
    r->set_need_id(need.need_id());
    r->set_service_id("svc-atelier-emploi");
    r->set_purpose("job placement");
    r->set_urgency(v1::REFERRAL_URGENCY_ROUTINE);
    *r->mutable_expected_response_date() = DaysFromToday(30);
    *r->mutable_expected_completion_date() = DaysFromToday(120);
    v1::Referral referral;
    if (!MakeEventually("$REFERRAL", kCaseManager,
                        "homeward.v1.ReferralService/CreateReferral", refer,
                        &referral)) {
      return;
    }
    values_["$REFERRAL"] = referral.referral_id();
    values_["$REFERRAL_ETAG"] = referral.etag();

    // The second case's closure, asked for by its case manager.
    v1::CloseCaseRequest close;
    close.set_request_id("authz-close");
    close.set_acknowledge_checks(true);
    v1::Closure* c = close.mutable_closure();
    c->set_case_id(values_["$CLOSING_CASE"]);
    c->set_reason(v1::CLOSURE_REASON_SUPPORT_COMPLETED);
    c->set_details("all activities delivered");
    c->set_no_final_rss_reason("returnee declined the survey");
    c->mutable_closing_session()->set_held(true);
    *c->mutable_closing_session()->mutable_date() = DaysFromToday(-1);
    c->mutable_closing_session()->set_mode(v1::FOLLOW_UP_MODE_PHONE);
    v1::Closure closure;
    if (!MakeEventually("$CLOSURE", kCaseManager,
                        "homeward.v1.CaseClosureService/CloseCase", close,
                        &closure)) {
      return;
    }
    values_["$CLOSURE"] = closure.closure_id();
    values_["$CLOSURE_ETAG"] = closure.etag();
  }

  TempDir dir_;
  std::unique_ptr<all_in_one::EmbeddedSuite> suite_;
  std::unique_ptr<GatewayClient> client_;
  std::map<std::string, std::string> values_;
  std::string problem_;
};

class AuthorizationMatrixTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { deployment_ = new Deployment(); }
  static void TearDownTestSuite() {
    delete deployment_;
    deployment_ = nullptr;
  }
  void SetUp() override {
    ASSERT_TRUE(deployment_->problem().empty()) << deployment_->problem();
  }

  // The template with every placeholder replaced; $UNIQUE is a fresh
  // request id on each call. An unknown placeholder is a failure.
  static std::string Expand(const MethodRow& row) {
    static int calls = 0;
    std::map<std::string, std::string> values = deployment_->values();
    values["$UNIQUE"] = absl::StrCat("authz-call-", ++calls);
    std::string out;
    const std::regex placeholder(R"(\$[A-Z0-9_]+)");
    std::sregex_iterator it(row.request.begin(), row.request.end(),
                            placeholder),
        end;
    size_t at = 0;
    for (; it != end; ++it) {
      out.append(row.request, at, it->position() - at);
      auto value = values.find(it->str());
      if (value == values.end()) {
        ADD_FAILURE() << kDataFileName << " line " << row.line << ": "
                      << row.method << " names unknown placeholder "
                      << it->str();
      } else {
        out.append(value->second);
      }
      at = it->position() + it->length();
    }
    out.append(row.request, at, std::string::npos);
    return out;
  }

  static Deployment* deployment_;
};

Deployment* AuthorizationMatrixTest::deployment_ = nullptr;

TEST_F(AuthorizationMatrixTest, EveryCellOfEveryMethodOnBothFaces) {
  const MatrixData data = ParseMatrix(ReadFile(kDataFile));
  ASSERT_THAT(data.problems, ::testing::IsEmpty());
  GatewayClient& client = deployment_->client();
  int calls = 0;
  const absl::Time start = absl::Now();
  // HOMEWARD_AUTHZ_VERBOSE=1 prints every cell's answer (to see what an
  // ALLOWED cell got).
  const bool verbose = std::getenv("HOMEWARD_AUTHZ_VERBOSE") != nullptr;
  for (const MethodRow& row : data.rows) {
    const MethodRoute* method = Table().FindPublic(row.method);
    if (method == nullptr) continue;  // the data test names it
    // Refusals first: they must change nothing, so the allowed calls after
    // them find the fixture's resources as made.
    std::vector<std::pair<size_t, Scope>> order;
    for (bool refusals : {true, false}) {
      for (size_t r = 0; r < kRoleNames.size(); ++r) {
        for (Scope scope : kScopes) {
          const Outcome e = row.Expected(kRoleNames[r], scope);
          const bool refusal = e == Outcome::kDenied || e == Outcome::kHidden;
          if (refusal == refusals) order.emplace_back(r, scope);
        }
      }
    }
    std::map<std::pair<size_t, Scope>, std::string> actual;
    bool row_failed = false;
    for (const auto& [r, scope] : order) {
      const Outcome expected = row.Expected(kRoleNames[r], scope);
      const std::string cell = absl::StrCat(row.method, " as ", kRoleNames[r],
                                            " (", ScopeName(scope), ")");
      std::unique_ptr<google::protobuf::Message> request(
          method->request_prototype->New());
      const std::string json = Expand(row);
      const auto parsed =
          google::protobuf::util::JsonStringToMessage(json, request.get());
      if (!parsed.ok()) {
        ADD_FAILURE() << kDataFileName << " line " << row.line << ": "
                      << row.method << "'s request is not a valid "
                      << method->request_prototype->GetTypeName() << ": "
                      << parsed.ToString();
        row_failed = true;
        break;
      }
      std::string body;
      const grpc::StatusCode code = CodeOfJsonAnswer(
          client.Json(row.method, *request, KeyOf(r, scope)), &body);
      ++calls;
      actual[{r, scope}] = ClassOf(code);
      if (!Matches(expected, code)) {
        row_failed = true;
        ADD_FAILURE() << cell << " on the JSON face: expected "
                      << OutcomeName(expected) << ", got " << CodeName(code)
                      << ": " << body.substr(0, 300);
        continue;
      }
      if (verbose) {
        std::cout << cell << ": " << CodeName(code) << " "
                  << (code == grpc::StatusCode::OK ? "" : body.substr(0, 200))
                  << "\n";
      }
      // A hidden value: the own scope's answer shows it (else the check
      // below would prove nothing), the other scope's does not.
      for (const std::string& hidden : row.hides) {
        if (code != grpc::StatusCode::OK) break;
        auto value = deployment_->values().find(hidden);
        if (value == deployment_->values().end()) {
          ADD_FAILURE() << kDataFileName << " line " << row.line
                        << ": unknown placeholder " << hidden;
          continue;
        }
        const bool shown = body.find(value->second) != std::string::npos;
        if (scope == Scope::kOther && shown) {
          row_failed = true;
          ADD_FAILURE() << cell << " shows " << hidden << " (" << value->second
                        << ") to a caller of another office or agency: "
                        << body.substr(0, 300);
        } else if (scope == Scope::kOwn && !shown) {
          row_failed = true;
          ADD_FAILURE() << cell << " does not show " << hidden << " ("
                        << value->second << ") to its own office or agency, "
                        << "so 'hides' proves nothing: make the request list "
                        << "it: " << body.substr(0, 300);
        }
      }
      if (expected == Outcome::kDenied || expected == Outcome::kHidden) {
        std::unique_ptr<google::protobuf::Message> response(
            method->response_prototype->New());
        const grpc::Status status =
            client.Call(row.method, *request, response.get(), KeyOf(r, scope));
        ++calls;
        EXPECT_TRUE(Matches(expected, status.error_code()))
            << cell << " on the gRPC face: expected " << OutcomeName(expected)
            << ", got " << CodeName(status.error_code()) << ": "
            << status.error_message();
      }
    }
    if (row_failed) {
      // What the suite answered, in the data's own form, to compare.
      std::string got = absl::StrCat("method ", row.method, "\n");
      for (size_t r = 0; r < kRoleNames.size(); ++r) {
        const std::string& own = actual[{r, Scope::kOwn}];
        absl::StrAppend(
            &got, kRoleNames[r],
            std::string(20 - std::string(kRoleNames[r]).size(), ' '), own,
            std::string(own.size() < 9 ? 9 - own.size() : 1, ' '),
            actual[{r, Scope::kOther}], "\n");
      }
      ADD_FAILURE() << "answered:\n" << got;
    }
  }
  std::cout << "authorization matrix: " << calls << " calls in "
            << absl::FormatDuration(absl::Now() - start) << "\n";
}

// Before any role: a key the gateway does not know is UNAUTHENTICATED on
// every public method and both faces, whatever the request.
TEST_F(AuthorizationMatrixTest, EveryMethodRefusesAnUnknownKeyOnBothFaces) {
  GatewayClient& client = deployment_->client();
  const std::string unknown_key = "hw_authz_unknown_0123456789abcdef";
  for (const MethodRoute& method : Table().methods()) {
    if (method.internal) continue;
    std::unique_ptr<google::protobuf::Message> request(
        method.request_prototype->New());
    std::unique_ptr<google::protobuf::Message> response(
        method.response_prototype->New());
    const grpc::Status status =
        client.Call(method.full_name, *request, response.get(), unknown_key);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAUTHENTICATED)
        << method.full_name << ": " << status.error_message();
    std::string body;
    EXPECT_EQ(CodeOfJsonAnswer(
                  client.Json(method.full_name, *request, unknown_key), &body),
              grpc::StatusCode::UNAUTHENTICATED)
        << method.full_name << ": " << body;
  }
}

TEST_F(AuthorizationMatrixTest, InternalMethodsAreUnknownOnBothFaces) {
  GatewayClient& client = deployment_->client();
  int internal = 0;
  for (const MethodRoute& method : Table().methods()) {
    if (!method.internal) continue;
    ++internal;
    std::unique_ptr<google::protobuf::Message> request(
        method.request_prototype->New());
    std::unique_ptr<google::protobuf::Message> response(
        method.response_prototype->New());
    // Every role that may call it through a composed method, and others.
    for (size_t r = 0; r < kRoleNames.size(); ++r) {
      const std::string key = KeyOf(r, Scope::kOwn);
      const grpc::Status status =
          client.Call(method.full_name, *request, response.get(), key);
      EXPECT_EQ(status.error_code(), grpc::StatusCode::UNIMPLEMENTED)
          << method.full_name << " as " << kRoleNames[r] << ": "
          << status.error_message();
      std::string body;
      const httplib::Result result =
          client.Json(method.full_name, *request, key);
      ASSERT_TRUE(result) << method.full_name;
      EXPECT_EQ(result->status, 404)
          << method.full_name << ": " << result->body;
      EXPECT_EQ(CodeOfJsonAnswer(result, &body),
                grpc::StatusCode::UNIMPLEMENTED)
          << body;
    }
  }
  // The programme indicators' and the subject-access export's parts, one
  // per service each.
  EXPECT_EQ(internal, 8);
}

}  // namespace
}  // namespace homeward::testing::authz
