// Case intake through a real assessment server on a loopback port, with a
// real RocksDB in a temporary directory.
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/auth/principal_token.h"
#include "common/status/errors.h"
#include "common/status/grpc_status.h"
#include "common/status/status_matchers.h"
#include "common/storage/ids.h"
#include "common/storage/partitions.h"
#include "gmock/gmock.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "grpcpp/create_channel.h"
#include "gtest/gtest.h"
#include "homeward/v1/cases.grpc.pb.h"
#include "homeward/v1/events.grpc.pb.h"
#include "services/assessment/assessment_server.h"
#include "tests/fixtures/assessment_server.h"
#include "tests/fixtures/case_fixtures.h"
#include "tests/fixtures/event_replay.h"
#include "tests/fixtures/temp_dir.h"

namespace homeward::assessment {
namespace {

using ::homeward::testing::MakePrincipal;
using ::homeward::testing::SignAs;
using ::homeward::testing::StatusIs;
using ::homeward::testing::TempDir;
using ::homeward::testing::ValidRegistration;
using ::homeward::v1::Case;
using ::homeward::v1::CaseService;
using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

const auto kManager =
    MakePrincipal("cm-1", homeward::v1::ROLE_CASE_MANAGER, {"office-dakar"});
const auto kOtherOffice =
    MakePrincipal("cm-9", homeward::v1::ROLE_CASE_MANAGER, {"office-thies"});
const auto kSupervisor =
    MakePrincipal("sup-1", homeward::v1::ROLE_SUPERVISOR, {"office-dakar"});
const auto kFeedReader =
    MakePrincipal("planning", homeward::v1::ROLE_SERVICE, {});

class CaseServiceTest : public ::testing::Test {
 protected:
  void SetUp() override { StartServer(); }

  void StartServer(std::vector<std::pair<uint32_t, uint32_t>> owned = {}) {
    homeward::internal::v1::ServiceConfig config =
        homeward::testing::LoopbackServiceConfig(dir_.path());
    for (auto [first, last] : owned) {
      homeward::testing::OwnPartitions(config, first, last);
    }
    auto server = AssessmentServer::Start(
        homeward::testing::WithShippedProgrammeData(config),
        homeward::testing::kTestSecret);
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = std::move(server).value();
    channel_ = homeward::testing::LoopbackChannel(server_->port());
    stub_ = CaseService::NewStub(channel_);
  }

  void RestartServer() {
    stub_.reset();
    channel_.reset();
    server_->Shutdown(absl::Seconds(1));
    server_.reset();
    StartServer();
  }

  grpc::Status Register(
      const homeward::v1::RegisterCaseRequest& req, Case* out,
      const homeward::internal::v1::Principal& who = kManager) {
    grpc::ClientContext ctx;
    SignAs(who, &ctx);
    return stub_->RegisterCase(&ctx, req, out);
  }

  grpc::Status Get(const std::string& id, Case* out,
                   const homeward::internal::v1::Principal& who = kManager) {
    grpc::ClientContext ctx;
    SignAs(who, &ctx);
    homeward::v1::GetCaseRequest req;
    req.set_case_id(id);
    return stub_->GetCase(&ctx, req, out);
  }

  grpc::Status List(const homeward::v1::ListCasesRequest& req,
                    homeward::v1::ListCasesResponse* out,
                    const homeward::internal::v1::Principal& who = kManager) {
    grpc::ClientContext ctx;
    SignAs(who, &ctx);
    return stub_->ListCases(&ctx, req, out);
  }

  grpc::Status Update(const Case& c, Case* out,
                      const homeward::internal::v1::Principal& who = kManager) {
    grpc::ClientContext ctx;
    SignAs(who, &ctx);
    homeward::v1::UpdateCaseRequest req;
    *req.mutable_case_() = c;
    return stub_->UpdateCase(&ctx, req, out);
  }

  grpc::Status Assign(
      const homeward::v1::AssignCaseRequest& req, Case* out,
      const homeward::internal::v1::Principal& who = kSupervisor) {
    grpc::ClientContext ctx;
    SignAs(who, &ctx);
    return stub_->AssignCase(&ctx, req, out);
  }

  // Every event of every partition, replayed through the real feed RPC.
  std::vector<homeward::v1::Event> AllEvents() {
    return homeward::testing::ReplayEvents(
        channel_, homeward::testing::AllPartitions(64));
  }

  TempDir dir_;
  std::unique_ptr<AssessmentServer> server_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<CaseService::Stub> stub_;
};

TEST_F(CaseServiceTest, RegisterThenGetReturnsTheStoredCase) {
  Case created;
  ASSERT_TRUE(Register(ValidRegistration("r-1"), &created).ok());
  EXPECT_EQ(created.case_id(),
            storage::CaseIdForRequest("office-dakar", "r-1"));
  EXPECT_EQ(created.stage(), homeward::v1::CASE_STAGE_INTAKE);
  EXPECT_EQ(created.etag(), "1");
  EXPECT_EQ(created.partition(), storage::PartitionOf(created.case_id(), 64));
  EXPECT_TRUE(created.has_create_time());

  Case read;
  ASSERT_TRUE(Get(created.case_id(), &read).ok());
  EXPECT_EQ(read.returnee().given_name(), "Awa");
  EXPECT_EQ(read.return_info().locality(), "Pikine");
  EXPECT_THAT(read.returnee().languages(), ElementsAre("wo", "fr"));
  EXPECT_EQ(read.etag(), "1");
}

TEST_F(CaseServiceTest, RepeatedRequestIdReturnsTheFirstCaseAndEmitsOneEvent) {
  Case first, second;
  ASSERT_TRUE(Register(ValidRegistration("r-same"), &first).ok());
  auto again = ValidRegistration("r-same");
  again.mutable_case_()->mutable_returnee()->set_given_name("Someone else");
  ASSERT_TRUE(Register(again, &second).ok());
  EXPECT_EQ(second.case_id(), first.case_id());
  EXPECT_EQ(second.returnee().given_name(), "Awa");
  auto events = AllEvents();
  ASSERT_EQ(events.size(), 1u);
  EXPECT_TRUE(events[0].has_case_registered());
  EXPECT_EQ(events[0].subject_id(), first.case_id());
}

// Request ids are scoped by office: a simple id such as "demo-1" used by two
// offices makes two cases, and neither learns of the other's.
TEST_F(CaseServiceTest, RequestIdsAreScopedByOffice) {
  Case dakar, thies, replayed;
  ASSERT_TRUE(Register(ValidRegistration("demo-1"), &dakar).ok());
  grpc::Status status =
      Register(ValidRegistration("demo-1", "office-thies", "cm-9"), &thies,
               kOtherOffice);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_NE(thies.case_id(), dakar.case_id());
  EXPECT_EQ(thies.office_id(), "office-thies");
  EXPECT_EQ(dakar.case_id(),
            storage::CaseIdForRequest("office-dakar", "demo-1"));
  EXPECT_EQ(thies.case_id(),
            storage::CaseIdForRequest("office-thies", "demo-1"));
  // The same office replaying gets its own case back, unchanged.
  ASSERT_TRUE(Register(ValidRegistration("demo-1"), &replayed).ok());
  EXPECT_EQ(replayed.case_id(), dakar.case_id());
  EXPECT_EQ(AllEvents().size(), 2u);

  // A case that moved away since: the replay is refused without naming the
  // case or the office it is in now.
  Case moving, out;
  ASSERT_TRUE(Register(ValidRegistration("demo-move"), &moving).ok());
  homeward::v1::AssignCaseRequest transfer;
  transfer.set_case_id(moving.case_id());
  transfer.set_etag(moving.etag());
  transfer.set_office_id("office-thies");
  transfer.set_case_manager_id("cm-9");
  transfer.set_reason("moved");
  ASSERT_TRUE(Assign(transfer, &out).ok());
  status = Register(ValidRegistration("demo-move"), &out);
  EXPECT_THAT(status, StatusIs(absl::StatusCode::kPermissionDenied));
  EXPECT_THAT(status.error_message(),
              ::testing::Not(::testing::AnyOf(HasSubstr(moving.case_id()),
                                              HasSubstr("office-thies"))));
}

// CaseRegistered and CaseUpdated carry the case as a read returns it.
TEST_F(CaseServiceTest, CaseEventsCarryTheEtagAndPartition) {
  Case created, updated;
  ASSERT_TRUE(Register(ValidRegistration("r-event"), &created).ok());
  Case change = created;
  change.mutable_return_info()->set_locality("Guediawaye");
  ASSERT_TRUE(Update(change, &updated).ok());
  auto events = AllEvents();
  ASSERT_EQ(events.size(), 2u);
  ASSERT_TRUE(events[0].has_case_registered());
  const Case& registered = events[0].case_registered().case_();
  EXPECT_EQ(registered.etag(), "1");
  EXPECT_EQ(registered.partition(), created.partition());
  EXPECT_EQ(registered.case_id(), created.case_id());
  ASSERT_TRUE(events[1].has_case_updated());
  const Case& changed = events[1].case_updated().case_();
  EXPECT_EQ(changed.etag(), updated.etag());
  EXPECT_EQ(changed.etag(), "2");
  EXPECT_EQ(changed.partition(), created.partition());
}

// The rule cases.proto documents: 1 to 128 printable ASCII characters, no
// spaces; the same for the x-request-id a direct caller sends.
TEST_F(CaseServiceTest, RequestIdsAreAnyPrintableAsciiWithoutSpaces) {
  struct Row {
    std::string request_id;
    bool accepted;
  };
  const Row rows[] = {
      {"demo/7+base64==", true},      {"{\"json\":1}", true},
      {std::string(128, '~'), true},  {"with space", false},
      {std::string(129, 'x'), false}, {"caf\xc3\xa9", false},
  };
  for (const Row& row : rows) {
    Case out;
    grpc::Status status = Register(ValidRegistration(row.request_id), &out);
    if (row.accepted) {
      EXPECT_TRUE(status.ok())
          << row.request_id << ": " << status.error_message();
    } else {
      EXPECT_THAT(status, StatusIs(absl::StatusCode::kInvalidArgument,
                                   HasSubstr("request_id")))
          << row.request_id;
    }
  }

  Case created, out;
  ASSERT_TRUE(Register(ValidRegistration("r-trace"), &created).ok());
  const std::pair<std::string, bool> traces[] = {{"trace/1+x", true},
                                                 {"has space", false}};
  for (const auto& [trace, kept] : traces) {
    grpc::ClientContext ctx;
    SignAs(kManager, &ctx);
    ctx.AddMetadata("x-request-id", trace);
    homeward::v1::UpdateCaseRequest req;
    ASSERT_TRUE(Get(created.case_id(), req.mutable_case_()).ok());
    req.mutable_case_()->mutable_return_info()->set_locality(trace);
    ASSERT_TRUE(stub_->UpdateCase(&ctx, req, &out).ok());
    const auto events = AllEvents();
    ASSERT_FALSE(events.empty());
    EXPECT_EQ(events.back().request_id() == trace, kept) << trace;
    EXPECT_FALSE(events.back().request_id().empty());
  }
}

// Programmes open a case before the returnee comes back (pre-departure
// counselling): the return date is then a planned one.
TEST_F(CaseServiceTest, ACaseOpensBeforeReturnWithAPlannedReturnDate) {
  auto planned = ValidRegistration("r-planned");
  const absl::CivilDay day =
      absl::ToCivilDay(absl::Now(), absl::UTCTimeZone()) + 30;
  auto* date =
      planned.mutable_case_()->mutable_return_info()->mutable_return_date();
  date->set_year(static_cast<int32_t>(day.year()));
  date->set_month(day.month());
  date->set_day(day.day());
  Case out;
  grpc::Status status = Register(planned, &out);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(out.return_info().return_date().year(), day.year());
  EXPECT_EQ(out.return_info().return_date().month(), day.month());
  EXPECT_EQ(out.return_info().return_date().day(), day.day());
  EXPECT_EQ(out.stage(), homeward::v1::CASE_STAGE_INTAKE);
}

TEST_F(CaseServiceTest, InvalidRegistrationNamesEveryFieldAndStoresNothing) {
  auto bad = ValidRegistration("r-bad");
  bad.mutable_case_()->mutable_returnee()->set_nationality("Senegal");
  bad.mutable_case_()->mutable_return_info()->mutable_return_date()->set_year(
      2999);
  bad.mutable_case_()->clear_office_id();
  Case out;
  grpc::Status status = Register(bad, &out);
  EXPECT_THAT(status, StatusIs(absl::StatusCode::kInvalidArgument));
  std::vector<std::string> fields;
  for (const auto& v : errors::FieldViolationsOf(FromGrpcStatus(status))) {
    fields.push_back(v.field);
  }
  EXPECT_THAT(fields,
              ElementsAre("case.returnee.nationality",
                          "case.return_info.return_date", "case.office_id"));
  EXPECT_TRUE(AllEvents().empty());
  Case read;
  EXPECT_THAT(Get(storage::CaseIdForRequest("office-dakar", "r-bad"), &read),
              StatusIs(absl::StatusCode::kNotFound));
}

std::vector<std::string> FieldsOf(const grpc::Status& status) {
  std::vector<std::string> fields;
  for (const auto& v : errors::FieldViolationsOf(FromGrpcStatus(status))) {
    fields.push_back(v.field);
  }
  return fields;
}

TEST_F(CaseServiceTest, RegistrationNamesAPublishedProgrammeOfItsCountry) {
  Case created;
  ASSERT_TRUE(Register(ValidRegistration("r-prog"), &created).ok());
  EXPECT_EQ(created.programme_id(), "sn_reintegration");
  ASSERT_EQ(created.stage_history_size(), 1);
  EXPECT_EQ(created.stage_history(0).stage(), homeward::v1::CASE_STAGE_INTAKE);
  EXPECT_EQ(created.stage_history(0).cause(), "CaseRegistered");
  EXPECT_EQ(created.stage_history(0).actor_user_id(), "cm-1");
  EXPECT_EQ(created.stage_history(0).time().seconds(),
            created.create_time().seconds());

  // Unknown: the published ids are listed.
  auto unknown = ValidRegistration("r-prog-unknown");
  unknown.mutable_case_()->set_programme_id("fr_pilot");
  Case out;
  grpc::Status status = Register(unknown, &out);
  EXPECT_THAT(FieldsOf(status), ElementsAre("case.programme_id"));
  EXPECT_THAT(status.error_message(),
              AllOf(HasSubstr("fr_pilot"), HasSubstr("sn_reintegration")));
  // Another country: both are named.
  auto elsewhere = ValidRegistration("r-prog-elsewhere");
  elsewhere.mutable_case_()->mutable_return_info()->set_country("NG");
  status = Register(elsewhere, &out);
  EXPECT_THAT(FieldsOf(status), ElementsAre("case.programme_id"));
  EXPECT_THAT(status.error_message(),
              AllOf(HasSubstr("sn_reintegration"), HasSubstr("'NG'")));
  // Missing, together with another problem.
  auto missing = ValidRegistration("r-prog-missing");
  missing.mutable_case_()->clear_programme_id();
  missing.mutable_case_()->mutable_returnee()->set_nationality("Senegal");
  EXPECT_THAT(FieldsOf(Register(missing, &out)),
              ElementsAre("case.returnee.nationality", "case.programme_id"));
  // Refused registrations store nothing.
  for (const char* id :
       {"r-prog-unknown", "r-prog-elsewhere", "r-prog-missing"}) {
    EXPECT_THAT(Get(storage::CaseIdForRequest("office-dakar", id), &out),
                StatusIs(absl::StatusCode::kNotFound));
  }
  EXPECT_EQ(AllEvents().size(), 1u);
}

TEST_F(CaseServiceTest, UpdateKeepsOrChecksTheProgramme) {
  Case created, updated, out;
  ASSERT_TRUE(Register(ValidRegistration("r-upd-prog"), &created).ok());
  // Moving the return to another country of the programme is fine, and an
  // update that names no programme keeps the case's.
  Case change = created;
  change.clear_programme_id();
  change.mutable_return_info()->set_country("GM");
  ASSERT_TRUE(Update(change, &updated).ok());
  EXPECT_EQ(updated.programme_id(), "sn_reintegration");
  // A country the programme does not run in is refused on the programme.
  Case away = updated;
  away.mutable_return_info()->set_country("NG");
  EXPECT_THAT(FieldsOf(Update(away, &out)), ElementsAre("case.programme_id"));
  Case unknown = updated;
  unknown.set_programme_id("fr_pilot");
  EXPECT_THAT(FieldsOf(Update(unknown, &out)),
              ElementsAre("case.programme_id"));
  ASSERT_TRUE(Get(created.case_id(), &out).ok());
  EXPECT_EQ(out.etag(), updated.etag());
  EXPECT_EQ(out.return_info().country(), "GM");
}

TEST_F(CaseServiceTest, HouseholdMembersKeepTheirIdsAndIdsAreNeverReused) {
  auto reg = ValidRegistration("r-members");
  for (const char* name : {"Fatou", "Moussa", "Ibou"}) {
    auto* m = reg.mutable_case_()->mutable_returnee()->add_household_members();
    m->set_given_name(name);
    m->set_relationship("child");
  }
  Case created, out;
  ASSERT_TRUE(Register(reg, &created).ok());
  auto ids = [](const Case& c) {
    std::vector<std::string> out;
    for (const auto& m : c.returnee().household_members()) {
      out.push_back(m.member_id() + "=" + m.given_name());
    }
    return out;
  };
  EXPECT_THAT(ids(created), ElementsAre("M1=Fatou", "M2=Moussa", "M3=Ibou"));
  ASSERT_TRUE(Get(created.case_id(), &out).ok());
  EXPECT_THAT(ids(out), ElementsAre("M1=Fatou", "M2=Moussa", "M3=Ibou"));

  // Ibou (the highest) leaves, Awa joins: she gets M4, not M3.
  Case change = created;
  auto* members = change.mutable_returnee()->mutable_household_members();
  members->RemoveLast();
  auto* awa = members->Add();
  awa->set_given_name("Awa");
  awa->set_relationship("niece");
  Case updated;
  ASSERT_TRUE(Update(change, &updated).ok());
  EXPECT_THAT(ids(updated), ElementsAre("M1=Fatou", "M2=Moussa", "M4=Awa"));

  // Again after a restart: the highest number ever given is stored.
  RestartServer();
  change = updated;
  change.mutable_returnee()->mutable_household_members()->RemoveLast();
  ASSERT_TRUE(Update(change, &updated).ok());
  change = updated;
  auto* next = change.mutable_returnee()->add_household_members();
  next->set_given_name("Coumba");
  next->set_relationship("niece");
  ASSERT_TRUE(Update(change, &updated).ok());
  EXPECT_THAT(ids(updated), ElementsAre("M1=Fatou", "M2=Moussa", "M5=Coumba"));

  // An id the case does not have is refused, and nothing changes.
  Case stranger = updated;
  stranger.mutable_returnee()->mutable_household_members(0)->set_member_id(
      "M3");
  grpc::Status status = Update(stranger, &out);
  EXPECT_THAT(FieldsOf(status),
              ElementsAre("case.returnee.household_members[0].member_id"));
  EXPECT_THAT(status.error_message(), HasSubstr("M1, M2, M5"));
  // So is an id given at registration.
  auto given = ValidRegistration("r-members-given");
  auto* m = given.mutable_case_()->mutable_returnee()->add_household_members();
  m->set_given_name("Fatou");
  m->set_relationship("child");
  m->set_member_id("M1");
  EXPECT_THAT(FieldsOf(Register(given, &out)),
              ElementsAre("case.returnee.household_members[0].member_id"));
  ASSERT_TRUE(Get(created.case_id(), &out).ok());
  EXPECT_EQ(out.etag(), updated.etag());
}

TEST_F(CaseServiceTest, GetValidatesAndReportsMissingCases) {
  Case out;
  EXPECT_THAT(Get("", &out), StatusIs(absl::StatusCode::kInvalidArgument,
                                      HasSubstr("case_id")));
  EXPECT_THAT(Get("C-does-not-exist", &out),
              StatusIs(absl::StatusCode::kNotFound));
}

TEST_F(CaseServiceTest, AnotherOfficesCaseManagerIsRefused) {
  Case created, out;
  ASSERT_TRUE(Register(ValidRegistration("r-scope"), &created).ok());
  EXPECT_THAT(
      Get(created.case_id(), &out, kOtherOffice),
      StatusIs(absl::StatusCode::kPermissionDenied, HasSubstr("office-dakar")));
  EXPECT_THAT(Update(created, &out, kOtherOffice),
              StatusIs(absl::StatusCode::kPermissionDenied));
  EXPECT_THAT(Register(ValidRegistration("r-elsewhere"), &out, kOtherOffice),
              StatusIs(absl::StatusCode::kPermissionDenied));
  homeward::v1::ListCasesRequest list;
  list.set_office_id("office-dakar");
  homeward::v1::ListCasesResponse listed;
  EXPECT_THAT(List(list, &listed, kOtherOffice),
              StatusIs(absl::StatusCode::kPermissionDenied));
}

TEST_F(CaseServiceTest, CallsWithoutAValidPrincipalAreUnauthenticated) {
  homeward::v1::GetCaseRequest req;
  req.set_case_id("C1");
  Case out;
  grpc::ClientContext unsigned_ctx;
  EXPECT_THAT(stub_->GetCase(&unsigned_ctx, req, &out),
              StatusIs(absl::StatusCode::kUnauthenticated));
  grpc::ClientContext forged;
  SignAs(kManager, &forged, "a-different-secret-0123456789abcdef0123456789");
  EXPECT_THAT(
      stub_->GetCase(&forged, req, &out),
      StatusIs(absl::StatusCode::kUnauthenticated, HasSubstr("signature")));
}

TEST_F(CaseServiceTest, PrincipalsOlderThanTheAllowedAgeAreRefused) {
  // Signed correctly, but issued an hour ago: the default allows 300 s plus
  // the signer's one-minute rounding.
  auto stale = kManager;
  stale.set_issued_at_unix(absl::ToUnixSeconds(absl::Now()) - 3600);
  grpc::ClientContext ctx;
  ctx.AddMetadata(
      auth::kPrincipalMetadataKey,
      auth::EncodePrincipalToken(homeward::testing::kTestSecret, stale));
  homeward::v1::GetCaseRequest req;
  req.set_case_id("C1");
  Case out;
  EXPECT_THAT(
      stub_->GetCase(&ctx, req, &out),
      StatusIs(absl::StatusCode::kUnauthenticated, HasSubstr("expired")));
}

TEST_F(CaseServiceTest, UpdateNeedsTheCurrentEtag) {
  Case created, updated, out;
  ASSERT_TRUE(Register(ValidRegistration("r-upd"), &created).ok());
  Case change = created;
  change.mutable_return_info()->set_locality("Guediawaye");
  ASSERT_TRUE(Update(change, &updated).ok());
  EXPECT_EQ(updated.etag(), "2");
  EXPECT_EQ(updated.return_info().locality(), "Guediawaye");
  EXPECT_EQ(updated.stage(), homeward::v1::CASE_STAGE_INTAKE);

  // The same etag again is stale.
  change.mutable_return_info()->set_locality("Rufisque");
  EXPECT_THAT(Update(change, &out),
              StatusIs(absl::StatusCode::kAborted, HasSubstr("etag")));
  ASSERT_TRUE(Get(created.case_id(), &out).ok());
  EXPECT_EQ(out.return_info().locality(), "Guediawaye");

  // Office and case manager move only through AssignCase.
  Case move = updated;
  move.set_office_id("office-thies");
  EXPECT_THAT(Update(move, &out), StatusIs(absl::StatusCode::kInvalidArgument,
                                           HasSubstr("AssignCase")));
  Case invalid = updated;
  invalid.mutable_returnee()->clear_given_name();
  EXPECT_THAT(
      Update(invalid, &out),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("given_name")));
  Case missing = updated;
  missing.set_case_id("C-nope");
  EXPECT_THAT(Update(missing, &out), StatusIs(absl::StatusCode::kNotFound));
}

TEST_F(CaseServiceTest, SupervisorsAssignAndTransferCases) {
  Case created, out;
  ASSERT_TRUE(Register(ValidRegistration("r-assign"), &created).ok());
  homeward::v1::AssignCaseRequest req;
  req.set_case_id(created.case_id());
  req.set_etag(created.etag());
  req.set_case_manager_id("cm-2");
  EXPECT_THAT(Assign(req, &out, kManager),
              StatusIs(absl::StatusCode::kPermissionDenied));
  ASSERT_TRUE(Assign(req, &out).ok());
  EXPECT_EQ(out.case_manager_id(), "cm-2");
  EXPECT_EQ(out.etag(), "2");
  EXPECT_THAT(Assign(req, &out),
              StatusIs(absl::StatusCode::kAborted));  // stale etag

  req.set_etag("2");
  EXPECT_THAT(Assign(req, &out),
              StatusIs(absl::StatusCode::kFailedPrecondition));
  req.set_office_id("office-thies");
  req.set_case_manager_id("cm-9");
  EXPECT_THAT(Assign(req, &out), StatusIs(absl::StatusCode::kInvalidArgument,
                                          HasSubstr("reason")));
  req.set_reason("returnee moved to Thies");
  ASSERT_TRUE(Assign(req, &out).ok());
  EXPECT_EQ(out.office_id(), "office-thies");
  // Now the Thies case manager sees it and Dakar's does not.
  EXPECT_TRUE(Get(created.case_id(), &out, kOtherOffice).ok());
  EXPECT_THAT(Get(created.case_id(), &out, kManager),
              StatusIs(absl::StatusCode::kPermissionDenied));

  auto events = AllEvents();
  ASSERT_EQ(events.size(), 3u);
  EXPECT_TRUE(events[0].has_case_registered());
  EXPECT_EQ(events[1].case_assigned().to_case_manager_id(), "cm-2");
  EXPECT_EQ(events[2].case_assigned().to_office_id(), "office-thies");
  EXPECT_EQ(events[2].case_assigned().reason(), "returnee moved to Thies");
  EXPECT_EQ(events[2].sequence(), 3u);
  // Each assignment also carries the case as a read returns it afterwards,
  // so that a consumer needs no earlier state to apply it.
  const Case& reassigned = events[1].case_assigned().case_();
  EXPECT_EQ(reassigned.case_manager_id(), "cm-2");
  EXPECT_EQ(reassigned.office_id(), "office-dakar");
  EXPECT_EQ(reassigned.etag(), "2");
  const Case& transferred = events[2].case_assigned().case_();
  EXPECT_EQ(transferred.case_id(), created.case_id());
  EXPECT_EQ(transferred.office_id(), "office-thies");
  EXPECT_EQ(transferred.case_manager_id(), "cm-9");
  EXPECT_EQ(transferred.etag(), "3");
  EXPECT_EQ(transferred.partition(), created.partition());
  EXPECT_EQ(transferred.returnee().given_name(), "Awa");
  for (const auto& e : events) EXPECT_EQ(e.subject_id(), created.case_id());
}

TEST_F(CaseServiceTest, ListFiltersAndPagesWithoutDuplicates) {
  std::set<std::string> mine, all;
  for (int i = 0; i < 23; ++i) {
    std::string manager = i % 3 == 0 ? "cm-1" : "cm-2";
    Case c;
    ASSERT_TRUE(Register(ValidRegistration(absl::StrCat("r-list-", i),
                                           "office-dakar", manager),
                         &c)
                    .ok());
    all.insert(c.case_id());
    if (manager == "cm-1") mine.insert(c.case_id());
  }
  Case other;
  ASSERT_TRUE(Register(ValidRegistration("r-thies", "office-thies", "cm-9"),
                       &other, kOtherOffice)
                  .ok());

  auto collect = [this](homeward::v1::ListCasesRequest req, int* pages) {
    std::multiset<std::string> seen;
    *pages = 0;
    do {
      homeward::v1::ListCasesResponse resp;
      EXPECT_TRUE(List(req, &resp).ok());
      for (const auto& c : resp.cases()) seen.insert(c.case_id());
      req.mutable_page()->set_page_token(resp.next_page_token());
      ++*pages;
    } while (!req.page().page_token().empty() && *pages < 100);
    return seen;
  };
  homeward::v1::ListCasesRequest req;
  req.mutable_page()->set_page_size(5);
  int pages = 0;
  auto seen = collect(req, &pages);
  EXPECT_EQ(std::set<std::string>(seen.begin(), seen.end()), all);
  EXPECT_EQ(seen.size(), all.size());
  EXPECT_EQ(pages, 5);  // 23 cases in pages of 5

  req.set_case_manager_id("cm-1");
  seen = collect(req, &pages);
  EXPECT_EQ(std::set<std::string>(seen.begin(), seen.end()), mine);

  req.clear_case_manager_id();
  req.set_stage(homeward::v1::CASE_STAGE_INTAKE);
  EXPECT_EQ(collect(req, &pages).size(), all.size());
  req.set_stage(homeward::v1::CASE_STAGE_PLANNING);
  EXPECT_TRUE(collect(req, &pages).empty());

  homeward::v1::ListCasesRequest bad;
  bad.mutable_page()->set_page_token("garbage");
  homeward::v1::ListCasesResponse resp;
  EXPECT_THAT(List(bad, &resp), StatusIs(absl::StatusCode::kInvalidArgument,
                                         HasSubstr("page.page_token")));
}

TEST_F(CaseServiceTest, FeedReplaysThenTailsNewEvents) {
  Case c;
  ASSERT_TRUE(Register(ValidRegistration("r-feed-1"), &c).ok());
  uint32_t p = c.partition();
  auto feed = homeward::v1::EventFeedService::NewStub(channel_);
  grpc::ClientContext ctx;
  SignAs(kFeedReader, &ctx);
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
  homeward::v1::SubscribeRequest req;
  req.add_cursors()->set_partition(p);
  auto reader = feed->Subscribe(&ctx, req);
  homeward::v1::Event e;
  ASSERT_TRUE(reader->Read(&e));
  EXPECT_EQ(e.sequence(), 1u);
  EXPECT_EQ(e.subject_id(), c.case_id());

  // A change after the replay arrives on the open stream.
  Case changed = c, out;
  changed.mutable_returnee()->set_family_name("Diop");
  ASSERT_TRUE(Update(changed, &out).ok());
  ASSERT_TRUE(reader->Read(&e));
  EXPECT_EQ(e.sequence(), 2u);
  ASSERT_TRUE(e.has_case_updated());
  EXPECT_EQ(e.case_updated().case_().returnee().family_name(), "Diop");
  ctx.TryCancel();
  reader->Finish().ok();
}

TEST_F(CaseServiceTest, FeedRefusesCallersThatAreNotServices) {
  auto feed = homeward::v1::EventFeedService::NewStub(channel_);
  grpc::ClientContext ctx;
  SignAs(kManager, &ctx);
  homeward::v1::SubscribeRequest req;
  req.add_cursors()->set_partition(0);
  auto reader = feed->Subscribe(&ctx, req);
  homeward::v1::Event e;
  EXPECT_FALSE(reader->Read(&e));
  EXPECT_THAT(reader->Finish(), StatusIs(absl::StatusCode::kPermissionDenied));
}

TEST_F(CaseServiceTest, AcknowledgedCasesSurviveARestart) {
  Case created;
  ASSERT_TRUE(Register(ValidRegistration("r-durable"), &created).ok());
  RestartServer();
  Case read;
  ASSERT_TRUE(Get(created.case_id(), &read).ok());
  EXPECT_EQ(read.returnee().family_name(), "Ndiaye");
  EXPECT_EQ(read.etag(), "1");
}

TEST_F(CaseServiceTest, HealthCheckReportsServing) {
  auto health = grpc::health::v1::Health::NewStub(channel_);
  grpc::ClientContext ctx;
  grpc::health::v1::HealthCheckRequest req;
  grpc::health::v1::HealthCheckResponse resp;
  ASSERT_TRUE(health->Check(&ctx, req, &resp).ok());
  EXPECT_EQ(resp.status(), grpc::health::v1::HealthCheckResponse::SERVING);
}

TEST(CaseServicePartitionTest, ReplicaRefusesCasesOfPartitionsItDoesNotOwn) {
  TempDir dir;
  homeward::internal::v1::ServiceConfig config =
      homeward::testing::LoopbackServiceConfig(dir.path());
  homeward::testing::OwnPartitions(config, 0, 31);
  auto server = AssessmentServer::Start(
      homeward::testing::WithShippedProgrammeData(config),
      homeward::testing::kTestSecret);
  ASSERT_TRUE(server.ok()) << server.status();
  auto stub = CaseService::NewStub(
      homeward::testing::LoopbackChannel((*server)->port()));
  int owned = 0, refused = 0;
  for (int i = 0; i < 20; ++i) {
    std::string request_id = absl::StrCat("r-part-", i);
    uint32_t p = storage::PartitionOf(
        storage::CaseIdForRequest("office-dakar", request_id), 64);
    grpc::ClientContext ctx;
    SignAs(kManager, &ctx);
    Case out;
    grpc::Status status =
        stub->RegisterCase(&ctx, ValidRegistration(request_id), &out);
    if (p < 32) {
      EXPECT_TRUE(status.ok()) << status.error_message();
      ++owned;
    } else {
      EXPECT_THAT(status, StatusIs(absl::StatusCode::kFailedPrecondition,
                                   HasSubstr("does not own")));
      ++refused;
    }
  }
  EXPECT_GT(owned, 0);
  EXPECT_GT(refused, 0);
}

TEST(CaseServiceConfigTest, StartRefusesABadConfigNamingEachProblem) {
  homeward::internal::v1::ServiceConfig config;
  auto* r = config.add_owned_partitions();
  r->set_first(10);
  r->set_last(5);
  config.set_record_cache_mb(1 << 20);
  EXPECT_THAT(
      AssessmentServer::Start(config, "short"),
      StatusIs(absl::StatusCode::kInvalidArgument,
               AllOf(HasSubstr("data_dir"), HasSubstr("principal_secret_file"),
                     HasSubstr("record_cache_mb: must be at most "
                               "65536 (MiB)"))));
  config.set_record_cache_mb(0);
  config.set_data_dir("/tmp/unused");
  EXPECT_THAT(AssessmentServer::Start(config, homeward::testing::kTestSecret),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("owned_partitions[0]")));
}

}  // namespace
}  // namespace homeward::assessment
