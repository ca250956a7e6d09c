// The audit trail through the public API: two real assessment replicas
// (RocksDB in temp dirs, loopback ports), each owning half of the
// partitions, behind one gateway. A case's entries are listed through the
// gateway in order, page by page, to the roles that may read them; the
// verification covers both replicas; and an entry edited or deleted in
// RocksDB while a replica is stopped is named by VerifyAuditTrail once it is
// back. The tampering opens the RocksDB directory raw, as an intruder would;
// the detection is observed only through the API.

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/status/status_matchers.h"
#include "common/storage/columns.h"
#include "common/storage/ids.h"
#include "common/storage/partitions.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/json_util.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "gtest/gtest.h"
#include "homeward/internal/v1/storage.pb.h"
#include "homeward/v1/audit.grpc.pb.h"
#include "homeward/v1/cases.grpc.pb.h"
#include "httplib.h"
#include "services/assessment/assessment_server.h"
#include "services/gateway/api_keys.h"
#include "services/gateway/gateway_server.h"
#include "tests/fixtures/assessment_server.h"
#include "tests/fixtures/case_fixtures.h"
#include "tests/fixtures/raw_rocksdb.h"
#include "tests/fixtures/temp_dir.h"

namespace homeward {
namespace {

using ::homeward::testing::IsOk;
using ::homeward::testing::MakePrincipal;
using ::homeward::testing::SignAs;
using ::homeward::testing::StatusIs;
using ::homeward::testing::TempDir;
using ::homeward::testing::ValidRegistration;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::SizeIs;

namespace v1 = ::homeward::v1;

constexpr uint32_t kPartitions = 64;

// Each replica's trail starts with the publication of the shipped programme
// data (WithShippedProgrammeData): one entry per taxonomy and programme file,
// before any case entry.
uint64_t StartupEntries() {
  uint64_t count = 0;
  for (const char* dir : {"/deploy/taxonomy", "/deploy/programmes"}) {
    for (const auto& file : std::filesystem::directory_iterator(
             std::string(HOMEWARD_SOURCE_DIR) + dir)) {
      count += file.path().extension() == ".textproto";
    }
  }
  return count;
}
const uint64_t kStartup = StartupEntries();
constexpr char kAdminKey[] = "hw_audit_administrator_key";
constexpr char kSupervisorKey[] = "hw_audit_supervisor_dakar_key";
constexpr char kOtherSupervisorKey[] = "hw_audit_supervisor_thies_key";
constexpr char kManagerKey[] = "hw_audit_case_manager_key";
constexpr char kAgencyKey[] = "hw_audit_partner_agency_key";
constexpr char kMonitorKey[] = "hw_audit_monitoring_officer_key";

const homeward::internal::v1::Principal kAdmin =
    MakePrincipal("admin-1", v1::ROLE_ADMINISTRATOR, {});
const homeward::internal::v1::Principal kSupervisor =
    MakePrincipal("sup-dakar", v1::ROLE_SUPERVISOR, {"office-dakar"});
const homeward::internal::v1::Principal kOtherSupervisor =
    MakePrincipal("sup-thies", v1::ROLE_SUPERVISOR, {"office-thies"});
const homeward::internal::v1::Principal kManager =
    MakePrincipal("cm-1", v1::ROLE_CASE_MANAGER, {"office-dakar"});
// A partner agency's key names its agency (api_keys.h).
const homeward::internal::v1::Principal kAgency = [] {
  homeward::internal::v1::Principal p =
      MakePrincipal("pa-1", v1::ROLE_PARTNER_AGENCY, {"office-dakar"});
  p.set_agency_id("agency-health");
  return p;
}();
const homeward::internal::v1::Principal kMonitor =
    MakePrincipal("mo-1", v1::ROLE_MONITORING_OFFICER, {"office-dakar"});

constexpr char kRegister[] = "homeward.v1.CaseService/RegisterCase";
constexpr char kGet[] = "homeward.v1.CaseService/GetCase";
constexpr char kUpdate[] = "homeward.v1.CaseService/UpdateCase";
constexpr char kListAudit[] = "homeward.v1.AuditService/ListCaseAuditEntries";

std::unique_ptr<grpc::ClientContext> WithKey(
    const std::string& key, const std::string& request_id = "") {
  auto context = std::make_unique<grpc::ClientContext>();
  context->AddMetadata("authorization", absl::StrCat("Bearer ", key));
  if (!request_id.empty()) context->AddMetadata("x-request-id", request_id);
  context->set_deadline(std::chrono::system_clock::now() +
                        std::chrono::seconds(10));
  return context;
}

std::vector<std::string> MethodsOf(
    const std::vector<v1::AuditTrailEntry>& entries) {
  std::vector<std::string> methods;
  for (const auto& e : entries) methods.push_back(e.method());
  return methods;
}

class AuditTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (int r = 0; r < 2; ++r) {
      StartReplica(r);
      if (replicas_[r] == nullptr) return;
    }
    StartGateway();
  }

  void TearDown() override {
    if (gateway_ != nullptr) gateway_->Shutdown(absl::Seconds(1));
    for (auto& replica : replicas_) {
      if (replica != nullptr) replica->Shutdown(absl::Seconds(1));
    }
  }

  std::string DataDir(int replica) const {
    return absl::StrCat(dir_.path(), "/replica", replica);
  }

  // Starts replica `r` on its data directory (again, after StopReplica).
  void StartReplica(int r) {
    homeward::internal::v1::ServiceConfig config =
        testing::LoopbackServiceConfig(DataDir(r));
    config.set_partition_count(kPartitions);
    *config.add_owned_partitions() = testing::ShareOf(r, 2, kPartitions);
    auto server = assessment::AssessmentServer::Start(
        testing::WithShippedProgrammeData(config), testing::kTestSecret);
    ASSERT_THAT(server, IsOk());
    replicas_[r] = *std::move(server);
  }

  // Stops replica `r` and closes its store, so its RocksDB can be opened.
  void StopReplica(int r) {
    replicas_[r]->Shutdown(absl::Seconds(1));
    replicas_[r].reset();
  }

  // (Re)starts the gateway in front of the replicas as they are now.
  void StartGateway() {
    if (gateway_ != nullptr) gateway_->Shutdown(absl::Seconds(1));
    gateway_.reset();
    gateway::GatewayServer::Options options;
    options.config.set_grpc_listen_address("127.0.0.1:0");
    options.config.set_http_listen_address("127.0.0.1:0");
    options.config.set_forward_deadline_ms(5000);
    testing::RouteShares(options.config, kPartitions,
                         {replicas_[0]->port(), replicas_[1]->port()});
    options.principal_secret = testing::kTestSecret;
    auto& keys = options.api_keys;
    *keys.add_keys() = gateway::MakeApiKey("admin", kAdminKey, kAdmin);
    *keys.add_keys() = gateway::MakeApiKey("sup", kSupervisorKey, kSupervisor);
    *keys.add_keys() =
        gateway::MakeApiKey("sup2", kOtherSupervisorKey, kOtherSupervisor);
    *keys.add_keys() = gateway::MakeApiKey("cm", kManagerKey, kManager);
    *keys.add_keys() = gateway::MakeApiKey("pa", kAgencyKey, kAgency);
    *keys.add_keys() = gateway::MakeApiKey("mo", kMonitorKey, kMonitor);
    auto gateway = gateway::GatewayServer::Start(std::move(options));
    ASSERT_THAT(gateway, IsOk());
    gateway_ = *std::move(gateway);
    auto channel = testing::LoopbackChannel(gateway_->grpc_port());
    cases_ = v1::CaseService::NewStub(channel);
    audit_ = v1::AuditService::NewStub(channel);
    http_ =
        std::make_unique<httplib::Client>("127.0.0.1", gateway_->http_port());
    http_->set_read_timeout(10, 0);
  }

  // Registers, through the gateway, a case whose partition `replica` owns,
  // with request id (and x-request-id) `prefix`-N, which `request_id` gets.
  v1::Case RegisterCaseOn(int replica, const std::string& prefix,
                          std::string* request_id_out = nullptr) {
    for (int i = 0;; ++i) {
      const std::string request_id = absl::StrCat(prefix, "-", i);
      const uint32_t partition = storage::PartitionOf(
          storage::CaseIdForRequest("office-dakar", request_id), kPartitions);
      if ((partition >= kPartitions / 2) != (replica == 1)) continue;
      if (request_id_out != nullptr) *request_id_out = request_id;
      v1::Case created;
      EXPECT_THAT(cases_->RegisterCase(WithKey(kManagerKey, request_id).get(),
                                       ValidRegistration(request_id), &created),
                  IsOk());
      return created;
    }
  }

  v1::Case Update(const v1::Case& c, const std::string& request_id) {
    v1::UpdateCaseRequest update;
    *update.mutable_case_() = c;
    update.mutable_case_()->mutable_return_info()->set_locality("Rufisque");
    v1::Case updated;
    EXPECT_THAT(cases_->UpdateCase(WithKey(kManagerKey, request_id).get(),
                                   update, &updated),
                IsOk());
    return updated;
  }

  grpc::Status ListAudit(const std::string& key, const std::string& case_id,
                         int page_size, const std::string& token,
                         v1::ListCaseAuditEntriesResponse* response) {
    v1::ListCaseAuditEntriesRequest request;
    request.set_case_id(case_id);
    request.mutable_page()->set_page_size(page_size);
    request.mutable_page()->set_page_token(token);
    return audit_->ListCaseAuditEntries(WithKey(key).get(), request, response);
  }

  // The entries of `case_id`, page by page, as the administrator: all of
  // them, or at least `limit` when it comes first. Each listing is audited
  // under the case and lands within a moment, so a reader of small pages
  // may never reach the end: the limit bounds it.
  std::vector<v1::AuditTrailEntry> AllEntries(const std::string& case_id,
                                              int page_size,
                                              size_t limit = 10000) {
    std::vector<v1::AuditTrailEntry> all;
    std::string token;
    do {
      v1::ListCaseAuditEntriesResponse page;
      EXPECT_THAT(ListAudit(kAdminKey, case_id, page_size, token, &page),
                  IsOk());
      EXPECT_LE(page.entries_size(), page_size);
      for (const auto& e : page.entries()) all.push_back(e);
      token = page.next_page_token();
    } while (!token.empty() && all.size() < limit && !HasFailure());
    return all;
  }

  v1::VerifyAuditTrailResponse Verify() {
    v1::VerifyAuditTrailResponse response;
    EXPECT_THAT(
        audit_->VerifyAuditTrail(WithKey(kAdminKey).get(),
                                 v1::VerifyAuditTrailRequest(), &response),
        IsOk());
    return response;
  }

  // A stopped replica's audit trail, opened raw.
  std::unique_ptr<testing::RawRocksDb> OpenRaw(int replica) {
    auto raw =
        std::make_unique<testing::RawRocksDb>(DataDir(replica) + "/rocksdb");
    EXPECT_TRUE(raw->ok()) << raw->error();
    return raw;
  }

  TempDir dir_;
  std::unique_ptr<assessment::AssessmentServer> replicas_[2];
  std::unique_ptr<gateway::GatewayServer> gateway_;
  std::unique_ptr<v1::CaseService::Stub> cases_;
  std::unique_ptr<v1::AuditService::Stub> audit_;
  std::unique_ptr<httplib::Client> http_;
};

TEST_F(AuditTest, ListReturnsTheCasesEntriesInOrderPageByPage) {
  std::string registration_id;
  const v1::Case c = RegisterCaseOn(1, "audit-list", &registration_id);
  // Another case of the same replica, whose entries must not show.
  const v1::Case other = RegisterCaseOn(1, "audit-other");
  {
    v1::GetCaseRequest get;
    get.set_case_id(c.case_id());
    v1::Case got;
    ASSERT_THAT(cases_->GetCase(WithKey(kManagerKey, "get-1").get(), get, &got),
                IsOk());
  }
  // A write after the read: read audits queued before it are stored before
  // it, so the three are in the trail when Update returns.
  Update(c, "update-1");

  for (int page_size : {1, 2, 50}) {
    const std::vector<v1::AuditTrailEntry> entries =
        AllEntries(c.case_id(), page_size, /*limit=*/3);
    ASSERT_GE(entries.size(), 3u) << page_size;
    const std::vector<std::string> methods = MethodsOf(entries);
    EXPECT_THAT(std::vector<std::string>(methods.begin(), methods.begin() + 3),
                ElementsAre(kRegister, kGet, kUpdate));
    const std::vector<std::string> request_ids = {registration_id, "get-1",
                                                  "update-1"};
    for (size_t i = 0; i < entries.size(); ++i) {
      const v1::AuditTrailEntry& e = entries[i];
      EXPECT_EQ(e.case_id(), c.case_id());
      EXPECT_THAT(e.hash(), SizeIs(64));
      EXPECT_TRUE(e.has_time());
      if (i > 0) {
        EXPECT_GT(e.sequence(), entries[i - 1].sequence());
      }
      if (i < 3) {
        EXPECT_EQ(e.user_id(), "cm-1");
        EXPECT_EQ(e.role(), "ROLE_CASE_MANAGER");
        EXPECT_EQ(e.request_id(), request_ids[i]);
      } else {
        // Later entries are the earlier listings of this test, audited.
        EXPECT_EQ(e.method(), kListAudit);
        EXPECT_EQ(e.user_id(), "admin-1");
        EXPECT_EQ(e.role(), "ROLE_ADMINISTRATOR");
      }
    }
    // The registration was the replica's first entry after the programme
    // data published at start, the other case's registration the second.
    EXPECT_EQ(entries[0].sequence(), kStartup + 1);
    EXPECT_EQ(entries[0].previous_hash().empty(), kStartup == 0);
    EXPECT_EQ(entries[1].sequence(), kStartup + 3);
  }
  // The other case's list holds its registration and nothing of `c`.
  const std::vector<v1::AuditTrailEntry> others =
      AllEntries(other.case_id(), 50);
  ASSERT_THAT(others, SizeIs(::testing::Ge(1u)));
  EXPECT_EQ(others[0].method(), kRegister);
  EXPECT_EQ(others[0].sequence(), kStartup + 2);
  for (const auto& e : others) EXPECT_EQ(e.case_id(), other.case_id());

  // Reading the audit is itself audited: the listings above appear, as the
  // administrator's, after the update (read audits are stored within a
  // moment, not before the call returns).
  const absl::Time deadline = absl::Now() + absl::Seconds(10);
  std::vector<v1::AuditTrailEntry> entries;
  do {
    absl::SleepFor(absl::Milliseconds(50));
    entries = AllEntries(c.case_id(), 50);
  } while (entries.size() < 4 && absl::Now() < deadline);
  ASSERT_GE(entries.size(), 4u);
  EXPECT_EQ(entries[3].method(), kListAudit);
  EXPECT_EQ(entries[3].user_id(), "admin-1");

  // The JSON face serves the same list.
  v1::ListCaseAuditEntriesRequest request;
  request.set_case_id(c.case_id());
  request.mutable_page()->set_page_size(2);
  std::string body;
  ASSERT_TRUE(google::protobuf::util::MessageToJsonString(request, &body).ok());
  auto res =
      http_->Post(absl::StrCat("/", kListAudit).c_str(),
                  {{"Authorization", absl::StrCat("Bearer ", kAdminKey)}}, body,
                  "application/json");
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200) << res->body;
  v1::ListCaseAuditEntriesResponse json;
  ASSERT_TRUE(
      google::protobuf::util::JsonStringToMessage(res->body, &json).ok());
  ASSERT_EQ(json.entries_size(), 2);
  EXPECT_EQ(json.entries(0).method(), kRegister);
  EXPECT_EQ(json.entries(1).method(), kGet);
  EXPECT_FALSE(json.next_page_token().empty());
}

TEST_F(AuditTest, AdministratorsAndOwnOfficeSupervisorsMayReadOthersMayNot) {
  const v1::Case c = RegisterCaseOn(0, "audit-roles");
  v1::ListCaseAuditEntriesResponse page;
  EXPECT_THAT(ListAudit(kAdminKey, c.case_id(), 10, "", &page), IsOk());
  EXPECT_THAT(ListAudit(kSupervisorKey, c.case_id(), 10, "", &page), IsOk());
  EXPECT_EQ(page.entries(0).method(), kRegister);
  // Refused by the service: the gateway lets supervisors through.
  EXPECT_THAT(ListAudit(kOtherSupervisorKey, c.case_id(), 10, "", &page),
              StatusIs(absl::StatusCode::kPermissionDenied,
                       HasSubstr("not one of your offices")));
  for (const char* key : {kManagerKey, kAgencyKey, kMonitorKey}) {
    EXPECT_THAT(ListAudit(key, c.case_id(), 10, "", &page),
                StatusIs(absl::StatusCode::kPermissionDenied))
        << key;
  }
  // The service refuses them too when called directly.
  for (const homeward::internal::v1::Principal& principal :
       {kManager, kAgency, kMonitor}) {
    auto direct = v1::AuditService::NewStub(
        testing::LoopbackChannel(replicas_[0]->port()));
    grpc::ClientContext context;
    SignAs(principal, &context);
    v1::ListCaseAuditEntriesRequest request;
    request.set_case_id(c.case_id());
    EXPECT_THAT(direct->ListCaseAuditEntries(&context, request, &page),
                StatusIs(absl::StatusCode::kPermissionDenied,
                         HasSubstr("may not read the audit trail")))
        << principal.user_id();
  }
  // Only administrators verify.
  v1::VerifyAuditTrailResponse verified;
  for (const char* key :
       {kSupervisorKey, kManagerKey, kAgencyKey, kMonitorKey}) {
    EXPECT_THAT(
        audit_->VerifyAuditTrail(WithKey(key).get(),
                                 v1::VerifyAuditTrailRequest(), &verified),
        StatusIs(absl::StatusCode::kPermissionDenied))
        << key;
  }
  // An unknown case and a missing case id.
  EXPECT_THAT(ListAudit(kAdminKey, "C00000000000000000000", 10, "", &page),
              StatusIs(absl::StatusCode::kNotFound));
  EXPECT_THAT(ListAudit(kAdminKey, "", 10, "", &page),
              StatusIs(absl::StatusCode::kInvalidArgument));
  // A case id with a control character is refused like any field's.
  EXPECT_THAT(ListAudit(kAdminKey, "C0\x1b[31m", 10, "", &page),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("case_id: must not contain control")));
}

TEST_F(AuditTest, VerifyCoversEveryReplicaOfAnUntouchedTrail) {
  const v1::Case low = RegisterCaseOn(0, "audit-verify-low");
  Update(low, "update-low");
  RegisterCaseOn(1, "audit-verify-high");
  // Writes only, so the counts do not depend on when read audits land.
  const v1::VerifyAuditTrailResponse verified = Verify();
  ASSERT_THAT(verified.chains(), SizeIs(2));
  EXPECT_EQ(verified.chains(0).replica(), "partitions 0-31 of 64");
  EXPECT_EQ(verified.chains(1).replica(), "partitions 32-63 of 64");
  for (const auto& chain : verified.chains()) {
    EXPECT_TRUE(chain.intact()) << chain.replica();
    EXPECT_FALSE(chain.has_first_break()) << chain.replica();
  }
  EXPECT_EQ(verified.chains(0).entries_checked(), kStartup + 2);
  EXPECT_EQ(verified.chains(1).entries_checked(), kStartup + 1);

  // An answer must cover every replica: one down is UNAVAILABLE.
  StopReplica(1);
  v1::VerifyAuditTrailResponse partial;
  EXPECT_THAT(audit_->VerifyAuditTrail(WithKey(kAdminKey).get(),
                                       v1::VerifyAuditTrailRequest(), &partial),
              StatusIs(absl::StatusCode::kUnavailable,
                       HasSubstr("must cover every replica")));
}

TEST_F(AuditTest, AnEditedEntryIsNamedByVerify) {
  const v1::Case c = RegisterCaseOn(0, "audit-edit");
  Update(c, "update-edit");
  RegisterCaseOn(0, "audit-edit-other");
  RegisterCaseOn(1, "audit-edit-high");
  StopReplica(0);
  {
    auto raw = OpenRaw(0);
    ASSERT_TRUE(raw->ok());
    const std::string key = storage::internal::AuditKey(kStartup + 2);
    homeward::internal::v1::AuditEntry entry;
    ASSERT_TRUE(entry.ParseFromString(raw->Get("audit", key)));
    ASSERT_EQ(entry.action(), kUpdate);
    entry.set_user_id("someone-else");  // the hash stays as it was
    ASSERT_TRUE(raw->Put("audit", key, entry.SerializeAsString()));
  }
  StartReplica(0);
  StartGateway();

  const v1::VerifyAuditTrailResponse verified = Verify();
  ASSERT_THAT(verified.chains(), SizeIs(2));
  const v1::AuditChainReport& broken = verified.chains(0);
  EXPECT_FALSE(broken.intact());
  EXPECT_EQ(broken.entries_checked(), kStartup + 1);
  EXPECT_EQ(broken.first_break().sequence(), kStartup + 2);
  EXPECT_EQ(broken.first_break().kind(), v1::AUDIT_BREAK_KIND_ENTRY_ALTERED);
  EXPECT_THAT(broken.first_break().description(),
              HasSubstr(absl::StrCat("entry ", kStartup + 2)));
  EXPECT_TRUE(verified.chains(1).intact());
  EXPECT_EQ(verified.chains(1).entries_checked(), kStartup + 1);
}

TEST_F(AuditTest, ADeletedEntryIsNamedByVerify) {
  const v1::Case c = RegisterCaseOn(0, "audit-delete");
  Update(c, "update-delete");
  RegisterCaseOn(0, "audit-delete-other");
  StopReplica(0);
  {
    auto raw = OpenRaw(0);
    ASSERT_TRUE(raw->ok());
    ASSERT_TRUE(
        raw->Delete("audit", storage::internal::AuditKey(kStartup + 2)));
  }
  StartReplica(0);
  StartGateway();

  // Through the JSON face this time.
  auto res =
      http_->Post("/homeward.v1.AuditService/VerifyAuditTrail",
                  {{"Authorization", absl::StrCat("Bearer ", kAdminKey)}}, "{}",
                  "application/json");
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200) << res->body;
  v1::VerifyAuditTrailResponse verified;
  ASSERT_TRUE(
      google::protobuf::util::JsonStringToMessage(res->body, &verified).ok());
  ASSERT_THAT(verified.chains(), SizeIs(2));
  const v1::AuditChainReport& broken = verified.chains(0);
  EXPECT_FALSE(broken.intact());
  EXPECT_EQ(broken.entries_checked(), kStartup + 1);
  EXPECT_EQ(broken.first_break().sequence(), kStartup + 2);
  EXPECT_EQ(broken.first_break().kind(), v1::AUDIT_BREAK_KIND_ENTRY_MISSING);
  EXPECT_EQ(broken.first_break().description(),
            absl::StrCat("entry ", kStartup + 2, " is missing"));
  EXPECT_TRUE(verified.chains(1).intact());

  // The case's list no longer shows the deleted update.
  const std::vector<v1::AuditTrailEntry> entries = AllEntries(c.case_id(), 50);
  ASSERT_FALSE(entries.empty());
  EXPECT_EQ(entries[0].method(), kRegister);
  for (const auto& e : entries) EXPECT_NE(e.method(), kUpdate);
}

}  // namespace
}  // namespace homeward
