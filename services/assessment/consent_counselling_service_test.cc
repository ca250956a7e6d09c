// Consent and the counselling log through a real assessment server on a
// loopback port, with a real RocksDB in a temporary directory. Every test
// registers its case through CaseService first, as a client would.
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/status/errors.h"
#include "common/status/grpc_status.h"
#include "common/status/status_matchers.h"
#include "common/storage/ids.h"
#include "common/storage/partitions.h"
#include "common/storage/store.h"
#include "gmock/gmock.h"
#include "grpcpp/create_channel.h"
#include "gtest/gtest.h"
#include "homeward/v1/cases.grpc.pb.h"
#include "homeward/v1/consent.grpc.pb.h"
#include "homeward/v1/counselling.grpc.pb.h"
#include "homeward/v1/events.grpc.pb.h"
#include "services/assessment/assessment_server.h"
#include "tests/fixtures/assessment_server.h"
#include "tests/fixtures/case_fixtures.h"
#include "tests/fixtures/event_replay.h"
#include "tests/fixtures/temp_dir.h"

namespace homeward::assessment {
namespace {

using ::homeward::internal::v1::Principal;
using ::homeward::testing::MakePrincipal;
using ::homeward::testing::SignAs;
using ::homeward::testing::StatusIs;
using ::homeward::testing::TempDir;
using ::homeward::testing::ValidRegistration;
using ::homeward::v1::CheckConsentResponse;
using ::homeward::v1::ConsentRecord;
using ::homeward::v1::CounsellingSession;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::StartsWith;

const Principal kManager =
    MakePrincipal("cm-1", homeward::v1::ROLE_CASE_MANAGER, {"office-dakar"});
const Principal kSupervisor =
    MakePrincipal("sup-1", homeward::v1::ROLE_SUPERVISOR, {"office-dakar"});
const Principal kOtherOffice =
    MakePrincipal("cm-9", homeward::v1::ROLE_CASE_MANAGER, {"office-thies"});
const Principal kReferrals =
    MakePrincipal("referral-svc", homeward::v1::ROLE_SERVICE, {});

Principal PartnerAgency() {
  Principal p =
      MakePrincipal("agency-user", homeward::v1::ROLE_PARTNER_AGENCY, {});
  p.set_agency_id("agency-health");
  return p;
}

constexpr auto kReferral = homeward::v1::CONSENT_PURPOSE_REFERRAL;

homeward::v1::RecordConsentRequest Consent(const std::string& case_id,
                                           const std::string& request_id,
                                           const std::string& recipient,
                                           bool granted, int month, int day) {
  homeward::v1::RecordConsentRequest r;
  r.set_request_id(request_id);
  auto* c = r.mutable_consent();
  c->set_case_id(case_id);
  c->set_purpose(kReferral);
  c->set_recipient_agency_id(recipient);
  c->set_granted(granted);
  c->mutable_decision_date()->set_year(2025);
  c->mutable_decision_date()->set_month(month);
  c->mutable_decision_date()->set_day(day);
  c->set_method(homeward::v1::CONSENT_METHOD_WRITTEN);
  c->set_notes("form in the paper file");
  return r;
}

homeward::v1::RecordCounsellingSessionRequest Session(
    const std::string& case_id, const std::string& request_id, int day,
    bool distress) {
  homeward::v1::RecordCounsellingSessionRequest r;
  r.set_request_id(request_id);
  auto* s = r.mutable_session();
  s->set_case_id(case_id);
  s->mutable_session_date()->set_year(2025);
  s->mutable_session_date()->set_month(10);
  s->mutable_session_date()->set_day(day);
  s->set_mode(homeward::v1::CONTACT_MODE_PHONE);
  s->add_participants("returnee");
  s->add_topics("housing");
  s->set_observations("worried about debts");
  s->set_distress_signs_observed(distress);
  if (distress) s->set_distress_notes("trouble sleeping");
  s->add_agreed_next_steps("call the microfinance partner");
  s->mutable_next_appointment()->set_seconds(absl::ToUnixSeconds(absl::Now()) +
                                             7 * 86400);
  return r;
}

std::vector<std::string> FieldsOf(const grpc::Status& status) {
  std::vector<std::string> fields;
  for (const auto& v : errors::FieldViolationsOf(FromGrpcStatus(status))) {
    fields.push_back(v.field);
  }
  return fields;
}

class ConsentCounsellingTest : public ::testing::Test {
 protected:
  void SetUp() override { StartServer(); }

  void StartServer() {
    auto server = AssessmentServer::Start(
        homeward::testing::WithShippedProgrammeData(
            homeward::testing::LoopbackServiceConfig(dir_.path())),
        homeward::testing::kTestSecret);
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = std::move(server).value();
    channel_ = homeward::testing::LoopbackChannel(server_->port());
    cases_ = homeward::v1::CaseService::NewStub(channel_);
    consent_ = homeward::v1::ConsentService::NewStub(channel_);
    counselling_ = homeward::v1::CounsellingService::NewStub(channel_);
  }

  void StopServer() {
    cases_.reset();
    consent_.reset();
    counselling_.reset();
    channel_.reset();
    server_->Shutdown(absl::Seconds(1));
    server_.reset();
  }

  // Registers a case of office-dakar (or `office`) and returns its id.
  std::string RegisterCase(const std::string& request_id,
                           const std::string& office = "office-dakar") {
    grpc::ClientContext ctx;
    SignAs(office == "office-dakar" ? kManager : kOtherOffice, &ctx);
    homeward::v1::Case created;
    grpc::Status status = cases_->RegisterCase(
        &ctx,
        ValidRegistration(request_id, office,
                          office == "office-dakar" ? "cm-1" : "cm-9"),
        &created);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return created.case_id();
  }

  grpc::Status Record(const homeward::v1::RecordConsentRequest& req,
                      ConsentRecord* out, const Principal& who = kManager) {
    grpc::ClientContext ctx;
    SignAs(who, &ctx);
    return consent_->RecordConsent(&ctx, req, out);
  }

  grpc::Status ListConsents(const std::string& case_id,
                            homeward::v1::ListConsentsResponse* out,
                            const Principal& who = kManager) {
    grpc::ClientContext ctx;
    SignAs(who, &ctx);
    homeward::v1::ListConsentsRequest req;
    req.set_case_id(case_id);
    return consent_->ListConsents(&ctx, req, out);
  }

  grpc::Status Check(const std::string& case_id, const std::string& agency,
                     CheckConsentResponse* out,
                     const Principal& who = kManager) {
    grpc::ClientContext ctx;
    SignAs(who, &ctx);
    homeward::v1::CheckConsentRequest req;
    req.set_case_id(case_id);
    req.set_agency_id(agency);
    req.set_purpose(kReferral);
    return consent_->CheckConsent(&ctx, req, out);
  }

  // Asserts the call succeeds and returns whether sharing is allowed.
  bool Allowed(const std::string& case_id, const std::string& agency) {
    CheckConsentResponse out;
    grpc::Status status = Check(case_id, agency, &out);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return out.allowed();
  }

  grpc::Status RecordSession(
      const homeward::v1::RecordCounsellingSessionRequest& req,
      CounsellingSession* out, const Principal& who = kManager) {
    grpc::ClientContext ctx;
    SignAs(who, &ctx);
    return counselling_->RecordCounsellingSession(&ctx, req, out);
  }

  grpc::Status ListSessions(
      const homeward::v1::ListCounsellingSessionsRequest& req,
      homeward::v1::ListCounsellingSessionsResponse* out,
      const Principal& who = kManager) {
    grpc::ClientContext ctx;
    SignAs(who, &ctx);
    return counselling_->ListCounsellingSessions(&ctx, req, out);
  }

  // Every event of every partition, replayed through the real feed RPC.
  std::vector<homeward::v1::Event> AllEvents() {
    return homeward::testing::ReplayEvents(
        channel_, homeward::testing::AllPartitions(64));
  }

  std::vector<homeward::v1::Event> EventsOf(
      homeward::v1::Event::PayloadCase payload) {
    std::vector<homeward::v1::Event> out;
    for (auto& e : AllEvents()) {
      if (e.payload_case() == payload) out.push_back(e);
    }
    return out;
  }

  TempDir dir_;
  std::unique_ptr<AssessmentServer> server_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<homeward::v1::CaseService::Stub> cases_;
  std::unique_ptr<homeward::v1::ConsentService::Stub> consent_;
  std::unique_ptr<homeward::v1::CounsellingService::Stub> counselling_;
};

TEST_F(ConsentCounsellingTest, RecordsConsentsAndListsThemInRecordingOrder) {
  std::string case_id = RegisterCase("r-consent");
  auto first = Consent(case_id, "k-1", "", true, 10, 2);
  // Output-only fields in the request are replaced, not trusted.
  first.mutable_consent()->set_consent_id("K-chosen-by-client");
  first.mutable_consent()->set_recorded_by("someone-else");
  ConsentRecord a, b, c;
  ASSERT_TRUE(Record(first, &a).ok());
  EXPECT_THAT(a.consent_id(), StartsWith("K"));
  EXPECT_NE(a.consent_id(), "K-chosen-by-client");
  EXPECT_EQ(a.recorded_by(), "cm-1");
  EXPECT_EQ(a.case_id(), case_id);
  EXPECT_TRUE(a.has_create_time());
  EXPECT_TRUE(a.granted());
  ASSERT_TRUE(
      Record(Consent(case_id, "k-2", "agency-x", false, 10, 9), &b, kSupervisor)
          .ok());
  EXPECT_EQ(b.recorded_by(), "sup-1");
  // Dated before the others but recorded last, so listed last: the history
  // is in recording order.
  ASSERT_TRUE(Record(Consent(case_id, "", "agency-y", true, 10, 1), &c).ok());

  homeward::v1::ListConsentsResponse listed;
  ASSERT_TRUE(ListConsents(case_id, &listed, kSupervisor).ok());
  std::vector<std::string> ids;
  for (const auto& r : listed.consents()) ids.push_back(r.consent_id());
  EXPECT_THAT(ids, ElementsAre(a.consent_id(), b.consent_id(), c.consent_id()));
  EXPECT_EQ(listed.consents(1).recipient_agency_id(), "agency-x");
  EXPECT_EQ(listed.consents(0).notes(), "form in the paper file");
  EXPECT_TRUE(listed.next_page_token().empty());

  auto events = EventsOf(homeward::v1::Event::kConsentChanged);
  ASSERT_EQ(events.size(), 3u);
  EXPECT_EQ(events[0].consent_changed().consent().consent_id(), a.consent_id());
  // The subject is the case; the record's own id is in the payload.
  EXPECT_EQ(events[0].subject_id(), case_id);
  EXPECT_EQ(events[0].actor_user_id(), "cm-1");
  EXPECT_EQ(events[0].request_id(), "k-1");
  EXPECT_FALSE(events[1].consent_changed().consent().granted());
  // The feed carries the decision, never the free-text notes.
  EXPECT_TRUE(events[0].consent_changed().consent().notes().empty());

  // Acknowledged records survive a restart.
  StopServer();
  StartServer();
  listed.Clear();
  ASSERT_TRUE(ListConsents(case_id, &listed).ok());
  EXPECT_EQ(listed.consents_size(), 3);
}

TEST_F(ConsentCounsellingTest, CheckConsentFollowsGrantsAndWithdrawals) {
  std::string case_id = RegisterCase("r-check");
  CheckConsentResponse answer;
  ASSERT_TRUE(Check(case_id, "agency-x", &answer).ok());
  EXPECT_FALSE(answer.allowed());
  EXPECT_FALSE(answer.has_deciding_record());
  EXPECT_THAT(answer.explanation(), HasSubstr("no consent was recorded"));

  ConsentRecord grant, withdraw;
  ASSERT_TRUE(Record(Consent(case_id, "g", "", true, 10, 2), &grant).ok());
  ASSERT_TRUE(Check(case_id, "agency-x", &answer).ok());
  EXPECT_TRUE(answer.allowed());
  EXPECT_EQ(answer.deciding_record().consent_id(), grant.consent_id());
  EXPECT_TRUE(Allowed(case_id, "agency-y"));

  ASSERT_TRUE(
      Record(Consent(case_id, "w", "agency-x", false, 10, 20), &withdraw).ok());
  ASSERT_TRUE(Check(case_id, "agency-x", &answer).ok());
  EXPECT_FALSE(answer.allowed());
  EXPECT_EQ(answer.deciding_record().consent_id(), withdraw.consent_id());
  EXPECT_THAT(answer.explanation(), HasSubstr(withdraw.consent_id()));
  EXPECT_TRUE(Allowed(case_id, "agency-y"));

  // Consent for another purpose does not count.
  auto monitoring = Consent(case_id, "m", "agency-x", true, 11, 1);
  monitoring.mutable_consent()->set_purpose(
      homeward::v1::CONSENT_PURPOSE_MONITORING);
  ConsentRecord out;
  ASSERT_TRUE(Record(monitoring, &out).ok());
  EXPECT_FALSE(Allowed(case_id, "agency-x"));

  // A case's consent is its own: another case has none.
  EXPECT_FALSE(Allowed(RegisterCase("r-check-other"), "agency-y"));

  homeward::v1::CheckConsentRequest bad;
  bad.set_case_id(case_id);
  grpc::ClientContext ctx;
  SignAs(kManager, &ctx);
  EXPECT_THAT(consent_->CheckConsent(&ctx, bad, &answer),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST_F(ConsentCounsellingTest,
       RepeatedRequestIdReturnsTheFirstRecordAndEmitsOneEvent) {
  std::string case_id = RegisterCase("r-idem");
  ConsentRecord first, second;
  ASSERT_TRUE(Record(Consent(case_id, "same", "", true, 10, 2), &first).ok());
  auto again = Consent(case_id, "same", "agency-x", false, 10, 3);
  ASSERT_TRUE(Record(again, &second).ok());
  EXPECT_EQ(second.consent_id(), first.consent_id());
  EXPECT_TRUE(second.granted());
  EXPECT_TRUE(second.recipient_agency_id().empty());

  homeward::v1::ListConsentsResponse listed;
  ASSERT_TRUE(ListConsents(case_id, &listed).ok());
  EXPECT_EQ(listed.consents_size(), 1);
  auto events = EventsOf(homeward::v1::Event::kConsentChanged);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].consent_changed().consent().consent_id(),
            first.consent_id());

  // Request ids are scoped by case: the same id for another case is a new
  // request, never a replay of this case's record.
  std::string other = RegisterCase("r-idem-2");
  ConsentRecord third;
  ASSERT_TRUE(Record(Consent(other, "same", "", true, 10, 2), &third).ok());
  EXPECT_NE(third.consent_id(), first.consent_id());
  EXPECT_EQ(third.case_id(), other);
}

TEST_F(ConsentCounsellingTest, InvalidConsentNamesEveryFieldAndStoresNothing) {
  std::string case_id = RegisterCase("r-invalid");
  auto bad = Consent(case_id, "bad", "agency x", true, 10, 2);
  bad.mutable_consent()->clear_purpose();
  bad.mutable_consent()->mutable_decision_date()->set_year(2999);
  bad.mutable_consent()->clear_method();
  ConsentRecord out;
  grpc::Status status = Record(bad, &out);
  EXPECT_THAT(status, StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(FieldsOf(status),
              ElementsAre("consent.purpose", "consent.recipient_agency_id",
                          "consent.decision_date", "consent.method"));
  EXPECT_THAT(EventsOf(homeward::v1::Event::kConsentChanged), IsEmpty());
  homeward::v1::ListConsentsResponse listed;
  ASSERT_TRUE(ListConsents(case_id, &listed).ok());
  EXPECT_THAT(listed.consents(), IsEmpty());

  grpc::ClientContext ctx;
  SignAs(kManager, &ctx);
  homeward::v1::ListConsentsRequest page;
  page.set_case_id(case_id);
  page.mutable_page()->set_page_size(-1);
  EXPECT_THAT(FieldsOf(consent_->ListConsents(&ctx, page, &listed)),
              ElementsAre("page.page_size"));
}

TEST_F(ConsentCounsellingTest, OnlyTheCasesOfficeRecordsAndReadsConsent) {
  std::string case_id = RegisterCase("r-scope");
  ConsentRecord out;
  ASSERT_TRUE(Record(Consent(case_id, "k", "", true, 10, 2), &out).ok());
  homeward::v1::ListConsentsResponse listed;
  CheckConsentResponse answer;
  for (const Principal& who : {kOtherOffice, PartnerAgency()}) {
    SCOPED_TRACE(who.user_id());
    EXPECT_THAT(Record(Consent(case_id, "x", "", false, 10, 3), &out, who),
                StatusIs(absl::StatusCode::kPermissionDenied));
    EXPECT_THAT(ListConsents(case_id, &listed, who),
                StatusIs(absl::StatusCode::kPermissionDenied));
    EXPECT_THAT(Check(case_id, "agency-health", &answer, who),
                StatusIs(absl::StatusCode::kPermissionDenied));
  }
  EXPECT_THAT(
      ListConsents(case_id, &listed, kOtherOffice),
      StatusIs(absl::StatusCode::kPermissionDenied, HasSubstr("office-dakar")));
  // Services may check, but neither record nor read the records.
  EXPECT_THAT(Record(Consent(case_id, "s", "", false, 10, 3), &out, kReferrals),
              StatusIs(absl::StatusCode::kPermissionDenied));
  EXPECT_THAT(ListConsents(case_id, &listed, kReferrals),
              StatusIs(absl::StatusCode::kPermissionDenied));
  ASSERT_TRUE(ListConsents(case_id, &listed).ok());
  EXPECT_EQ(listed.consents_size(), 1);
}

TEST_F(ConsentCounsellingTest, ServicesCheckConsentWithoutOfficeScope) {
  std::string thies_case = RegisterCase("r-svc", "office-thies");
  ConsentRecord out;
  ASSERT_TRUE(Record(Consent(thies_case, "k", "agency-health", true, 10, 2),
                     &out, kOtherOffice)
                  .ok());
  CheckConsentResponse answer;
  ASSERT_TRUE(Check(thies_case, "agency-health", &answer, kReferrals).ok());
  EXPECT_TRUE(answer.allowed());
  EXPECT_EQ(answer.deciding_record().consent_id(), out.consent_id());
  // The case manager's notes stay with the case.
  EXPECT_FALSE(out.notes().empty());
  EXPECT_TRUE(answer.deciding_record().notes().empty());
  ASSERT_TRUE(Check(thies_case, "agency-other", &answer, kReferrals).ok());
  EXPECT_FALSE(answer.allowed());
  EXPECT_THAT(Check("C-no-such-case", "agency-health", &answer, kReferrals),
              StatusIs(absl::StatusCode::kNotFound));
}

TEST_F(ConsentCounsellingTest, MissingCaseIsNotFoundEverywhere) {
  const std::string missing =
      storage::CaseIdForRequest("office-dakar", "never-registered");
  ConsentRecord consent;
  EXPECT_THAT(Record(Consent(missing, "k", "", true, 10, 2), &consent),
              StatusIs(absl::StatusCode::kNotFound));
  homeward::v1::ListConsentsResponse consents;
  EXPECT_THAT(ListConsents(missing, &consents),
              StatusIs(absl::StatusCode::kNotFound));
  CheckConsentResponse answer;
  EXPECT_THAT(Check(missing, "agency-x", &answer),
              StatusIs(absl::StatusCode::kNotFound));
  CounsellingSession session;
  EXPECT_THAT(RecordSession(Session(missing, "s", 2, false), &session),
              StatusIs(absl::StatusCode::kNotFound));
  homeward::v1::ListCounsellingSessionsRequest list;
  list.set_case_id(missing);
  homeward::v1::ListCounsellingSessionsResponse sessions;
  EXPECT_THAT(ListSessions(list, &sessions),
              StatusIs(absl::StatusCode::kNotFound));
  EXPECT_THAT(AllEvents(), IsEmpty());
}

TEST_F(ConsentCounsellingTest, RecordsSessionsAndPagesThemInRecordingOrder) {
  std::string case_id = RegisterCase("r-sessions");
  std::vector<std::string> recorded;
  for (int i = 0; i < 7; ++i) {
    CounsellingSession s;
    ASSERT_TRUE(
        RecordSession(Session(case_id, absl::StrCat("s-", i), 2 + i, i == 4),
                      &s, i % 2 == 0 ? kManager : kSupervisor)
            .ok());
    EXPECT_THAT(s.session_id(), StartsWith("S"));
    EXPECT_EQ(s.case_id(), case_id);
    EXPECT_EQ(s.recorded_by(), i % 2 == 0 ? "cm-1" : "sup-1");
    EXPECT_TRUE(s.has_create_time());
    recorded.push_back(s.session_id());
  }
  // A retried request returns the first session and records nothing new.
  CounsellingSession replay;
  ASSERT_TRUE(RecordSession(Session(case_id, "s-0", 20, true), &replay).ok());
  EXPECT_EQ(replay.session_id(), recorded[0]);
  EXPECT_FALSE(replay.distress_signs_observed());

  homeward::v1::ListCounsellingSessionsRequest req;
  req.set_case_id(case_id);
  req.mutable_page()->set_page_size(3);
  std::vector<std::string> listed;
  std::vector<int> page_sizes;
  do {
    homeward::v1::ListCounsellingSessionsResponse resp;
    ASSERT_TRUE(ListSessions(req, &resp).ok());
    page_sizes.push_back(resp.sessions_size());
    for (const auto& s : resp.sessions()) listed.push_back(s.session_id());
    req.mutable_page()->set_page_token(resp.next_page_token());
  } while (!req.page().page_token().empty() && page_sizes.size() < 10);
  EXPECT_THAT(page_sizes, ElementsAre(3, 3, 1));
  EXPECT_EQ(listed, recorded);

  homeward::v1::ListCounsellingSessionsResponse all;
  req.clear_page();
  ASSERT_TRUE(ListSessions(req, &all, kSupervisor).ok());
  ASSERT_EQ(all.sessions_size(), 7);
  EXPECT_EQ(all.sessions(4).distress_notes(), "trouble sleeping");
  EXPECT_THAT(all.sessions(0).participants(), ElementsAre("returnee"));

  auto events = EventsOf(homeward::v1::Event::kCounsellingSessionRecorded);
  ASSERT_EQ(events.size(), 7u);  // one per session, none for the replay
  for (size_t i = 0; i < events.size(); ++i) {
    const auto& e = events[i].counselling_session_recorded();
    EXPECT_EQ(e.session_id(), recorded[i]);
    EXPECT_EQ(e.case_id(), case_id);
    EXPECT_EQ(e.distress_signs_observed(), i == 4);
    EXPECT_EQ(events[i].subject_id(), case_id);
  }
  // The event carries no notes at all: nothing of the session text leaks
  // into the feed other services consume.
  std::string wire = events[4].SerializeAsString();
  EXPECT_EQ(wire.find("trouble sleeping"), std::string::npos);
  EXPECT_EQ(wire.find("worried about debts"), std::string::npos);

  req.mutable_page()->set_page_token("garbage");
  homeward::v1::ListCounsellingSessionsResponse resp;
  EXPECT_THAT(ListSessions(req, &resp),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("page.page_token")));
}

TEST_F(ConsentCounsellingTest, InvalidSessionNamesEveryFieldAndStoresNothing) {
  std::string case_id = RegisterCase("r-bad-session");
  auto bad = Session(case_id, "s-bad", 2, false);
  bad.mutable_session()->clear_participants();
  bad.mutable_session()->mutable_session_date()->set_year(2999);
  bad.mutable_session()->set_distress_notes("notes without the flag");
  bad.mutable_session()->mutable_next_appointment()->set_seconds(1000);
  CounsellingSession out;
  grpc::Status status = RecordSession(bad, &out);
  EXPECT_THAT(status, StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(
      FieldsOf(status),
      ElementsAre("session.session_date", "session.participants",
                  "session.distress_notes", "session.next_appointment"));
  EXPECT_THAT(EventsOf(homeward::v1::Event::kCounsellingSessionRecorded),
              IsEmpty());
  homeward::v1::ListCounsellingSessionsRequest req;
  req.set_case_id(case_id);
  homeward::v1::ListCounsellingSessionsResponse resp;
  ASSERT_TRUE(ListSessions(req, &resp).ok());
  EXPECT_THAT(resp.sessions(), IsEmpty());
}

TEST_F(ConsentCounsellingTest, OnlyTheCasesOfficeRecordsAndReadsSessions) {
  std::string case_id = RegisterCase("r-session-scope");
  homeward::v1::ListCounsellingSessionsRequest req;
  req.set_case_id(case_id);
  for (const Principal& who : {kOtherOffice, PartnerAgency(), kReferrals}) {
    SCOPED_TRACE(who.user_id());
    CounsellingSession out;
    EXPECT_THAT(RecordSession(Session(case_id, "s", 2, false), &out, who),
                StatusIs(absl::StatusCode::kPermissionDenied));
    homeward::v1::ListCounsellingSessionsResponse resp;
    EXPECT_THAT(ListSessions(req, &resp, who),
                StatusIs(absl::StatusCode::kPermissionDenied));
  }
  EXPECT_THAT(EventsOf(homeward::v1::Event::kCounsellingSessionRecorded),
              IsEmpty());
}

TEST_F(ConsentCounsellingTest, ReadsAndWritesLeaveAuditEntriesNamingTheCase) {
  std::string case_id = RegisterCase("r-audit");
  ConsentRecord consent;
  ASSERT_TRUE(Record(Consent(case_id, "k", "", true, 10, 2), &consent).ok());
  homeward::v1::ListConsentsResponse consents;
  ASSERT_TRUE(ListConsents(case_id, &consents, kSupervisor).ok());
  CheckConsentResponse answer;
  ASSERT_TRUE(Check(case_id, "agency-x", &answer, kReferrals).ok());
  CounsellingSession session;
  ASSERT_TRUE(RecordSession(Session(case_id, "s", 2, true), &session).ok());
  homeward::v1::ListCounsellingSessionsRequest req;
  req.set_case_id(case_id);
  homeward::v1::ListCounsellingSessionsResponse sessions;
  ASSERT_TRUE(ListSessions(req, &sessions).ok());

  // Closing the server drains the store, queued read audits included; the
  // trail is then read straight from the database.
  StopServer();
  auto store = storage::Store::Open({.path = dir_.path() + "/rocksdb"});
  ASSERT_TRUE(store.ok()) << store.status();
  auto trail = (*store)->ReadAudit(0, 100);
  ASSERT_TRUE(trail.ok()) << trail.status();
  std::vector<std::string> seen;
  for (const auto& entry : *trail) {
    if (entry.action().find("CaseService") != std::string::npos) continue;
    // The programme data published at start is no case's.
    if (absl::StartsWith(entry.action(), "startup/")) continue;
    EXPECT_EQ(entry.subject_id(), case_id) << entry.action();
    seen.push_back(absl::StrCat(entry.action(), " by ", entry.user_id()));
  }
  EXPECT_THAT(
      seen,
      ElementsAre(
          "homeward.v1.ConsentService/RecordConsent by cm-1",
          "homeward.v1.ConsentService/ListConsents by sup-1",
          "homeward.v1.ConsentService/CheckConsent by referral-svc",
          "homeward.v1.CounsellingService/RecordCounsellingSession by cm-1",
          "homeward.v1.CounsellingService/ListCounsellingSessions by cm-1"));
  EXPECT_OK((*store)->VerifyAuditChain());
}

TEST(ConsentPartitionTest, ReplicaRefusesCasesOfPartitionsItDoesNotOwn) {
  TempDir dir;
  homeward::internal::v1::ServiceConfig config =
      homeward::testing::LoopbackServiceConfig(dir.path());
  homeward::testing::OwnPartitions(config, 0, 31);
  auto server = AssessmentServer::Start(
      homeward::testing::WithShippedProgrammeData(config),
      homeward::testing::kTestSecret);
  ASSERT_TRUE(server.ok()) << server.status();
  auto stub = homeward::v1::ConsentService::NewStub(
      homeward::testing::LoopbackChannel((*server)->port()));
  std::string foreign;
  for (int i = 0; foreign.empty(); ++i) {
    std::string id = storage::CaseIdForRequest("office-dakar",
                                               absl::StrCat("r-foreign-", i));
    if (storage::PartitionOf(id, 64) >= 32) foreign = id;
  }
  grpc::ClientContext ctx;
  SignAs(kReferrals, &ctx);
  homeward::v1::CheckConsentRequest req;
  req.set_case_id(foreign);
  req.set_agency_id("agency-x");
  req.set_purpose(kReferral);
  CheckConsentResponse out;
  EXPECT_THAT(stub->CheckConsent(&ctx, req, &out),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       HasSubstr("does not own")));
}

}  // namespace
}  // namespace homeward::assessment
