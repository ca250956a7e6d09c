// Retention end to end (docs/RETENTION.md): every service in one process
// (the embedded suite: assessment, planning, referral, follow-up and the
// gateway, following each other's feeds in-process), under a copy of the
// example programme whose retention is 0 years, so that a case is past its
// retention on the day it closes. Five cases are registered, shared with the
// partner agency by a referral whose summary names the returnee, and
// closed; a sixth stays open. An administrator's dry run changes nothing;
// the real run anonymises the five closed cases: their names are gone from
// the case, the partner's view of the referral no longer shows the summary,
// the follow-up service's closure no longer holds its free text, the case
// refuses changes, the audit trail names the administrator, and
// the programme indicators answer exactly as before. A second run changes
// nothing; every other role is refused.
#include <sys/stat.h>

#include <chrono>
#include <fstream>
#include <functional>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/api/field_checks.h"
#include "common/status/status_matchers.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/json_util.h"
#include "google/protobuf/util/message_differencer.h"
#include "grpcpp/create_channel.h"
#include "gtest/gtest.h"
#include "homeward/v1/audit.grpc.pb.h"
#include "homeward/v1/cases.grpc.pb.h"
#include "homeward/v1/consent.grpc.pb.h"
#include "homeward/v1/directory.grpc.pb.h"
#include "homeward/v1/follow_up.grpc.pb.h"
#include "homeward/v1/indicators.grpc.pb.h"
#include "homeward/v1/referral.grpc.pb.h"
#include "homeward/v1/retention.grpc.pb.h"
#include "services/all_in_one/embedded_suite.h"
#include "tests/fixtures/case_fixtures.h"
#include "tests/fixtures/temp_dir.h"

namespace homeward::all_in_one {
namespace {

using ::homeward::testing::IsOk;
using ::homeward::testing::TempDir;
using ::testing::IsEmpty;
using ::testing::UnorderedElementsAreArray;
namespace v1 = ::homeward::v1;

constexpr int kClosedCases = 5;  // the default suppression threshold
constexpr char kName[] = "Ndiaye";
constexpr char kPhone[] = "+221770001122";

v1::Date DaysFromToday(int days) { return api::ToDate(api::TodayUtc() + days); }

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

bool Same(const google::protobuf::Message& a,
          const google::protobuf::Message& b) {
  return google::protobuf::util::MessageDifferencer::Equals(a, b);
}

class RetentionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // The example programme with a retention of 0 years.
    const std::string deploy = std::string(HOMEWARD_SOURCE_DIR) + "/deploy/";
    const std::string programmes = dir_.path() + "/programmes";
    ASSERT_EQ(mkdir(programmes.c_str(), 0700), 0);
    std::ofstream(programmes + "/sn_reintegration.textproto")
        << ReadFile(deploy + "programmes/sn_reintegration.textproto")
        << "\nretention_years: 0\n";
    EmbeddedOptions options;
    options.data_dir = dir_.path() + "/data";
    options.grpc_listen = "127.0.0.1:0";
    options.http_listen = "127.0.0.1:0";
    options.taxonomy_dir = deploy + "taxonomy";
    options.programmes_dir = programmes;
    options.instruments_dir = deploy + "instruments";
    options.feasibility_dir = deploy + "feasibility";
    // Only on request: the test decides when the job runs.
    options.retention_interval_seconds = 0;
    auto suite = EmbeddedSuite::Start(options);
    ASSERT_THAT(suite.status(), IsOk());
    suite_ = *std::move(suite);
    channel_ =
        grpc::CreateChannel(absl::StrCat("127.0.0.1:", suite_->grpc_port()),
                            grpc::InsecureChannelCredentials());
  }

  void TearDown() override {
    if (suite_ != nullptr) suite_->Shutdown(absl::Seconds(5));
  }

  template <typename Stub, typename Request, typename Response>
  grpc::Status Call(grpc::Status (Stub::*method)(grpc::ClientContext*,
                                                 const Request&, Response*),
                    const Request& request, Response* response,
                    const std::string& key) {
    auto stub = std::make_unique<Stub>(channel_);
    grpc::ClientContext context;
    context.AddMetadata("authorization", absl::StrCat("Bearer ", key));
    context.set_deadline(std::chrono::system_clock::now() +
                         std::chrono::seconds(60));
    return (stub.get()->*method)(&context, request, response);
  }

  // `call` until it answers OK, for up to two minutes (a service that has
  // not applied the feed yet answers NOT_FOUND or FAILED_PRECONDITION).
  static grpc::Status UntilOk(const std::function<grpc::Status()>& call) {
    const absl::Time give_up = absl::Now() + absl::Minutes(2);
    grpc::Status status;
    do {
      status = call();
      if (status.ok()) break;
      absl::SleepFor(absl::Milliseconds(100));
    } while (absl::Now() < give_up);
    return status;
  }

  static bool Eventually(const std::function<bool()>& done) {
    const absl::Time give_up = absl::Now() + absl::Minutes(2);
    while (!done()) {
      if (absl::Now() > give_up) return false;
      absl::SleepFor(absl::Milliseconds(100));
    }
    return true;
  }

  const std::string& Supervisor() const { return suite_->dev_api_key(); }
  const std::string& Admin() const { return suite_->dev_admin_key(); }
  const std::string& Partner() const { return suite_->dev_partner_key(); }
  const std::string& Monitor() const { return suite_->dev_monitoring_key(); }

  std::string Register(const std::string& request_id) {
    v1::RegisterCaseRequest registration =
        testing::ValidRegistration(request_id, kDemoOffice, "dev-supervisor");
    v1::Contact* phone =
        registration.mutable_case_()->mutable_returnee()->add_contacts();
    phone->set_kind(v1::CONTACT_KIND_PHONE);
    phone->set_value(kPhone);
    *registration.mutable_case_()
         ->mutable_return_info()
         ->mutable_return_date() = DaysFromToday(-20);
    v1::Case registered;
    const grpc::Status status = Call(&v1::CaseService::Stub::RegisterCase,
                                     registration, &registered, Supervisor());
    EXPECT_TRUE(status.ok()) << status.error_message();
    return registered.case_id();
  }

  // A referral to the partner agency with its consent, its summary naming
  // the returnee.
  v1::Referral Refer(const std::string& case_id, const std::string& tag) {
    v1::RecordConsentRequest consent;
    consent.set_request_id(absl::StrCat(tag, "-consent"));
    consent.mutable_consent()->set_case_id(case_id);
    consent.mutable_consent()->set_purpose(v1::CONSENT_PURPOSE_REFERRAL);
    consent.mutable_consent()->set_recipient_agency_id(kDemoPartner);
    consent.mutable_consent()->set_granted(true);
    *consent.mutable_consent()->mutable_decision_date() = DaysFromToday(0);
    consent.mutable_consent()->set_method(v1::CONSENT_METHOD_WRITTEN);
    v1::ConsentRecord recorded;
    EXPECT_THAT(Call(&v1::ConsentService::Stub::RecordConsent, consent,
                     &recorded, Supervisor()),
                IsOk());
    v1::CreateReferralRequest refer;
    refer.set_request_id(absl::StrCat(tag, "-referral"));
    refer.set_send(true);
    v1::Referral* r = refer.mutable_referral();
    r->set_case_id(case_id);
    r->set_service_id("svc-atelier-emploi");
    r->set_purpose(absl::StrCat("job placement for Awa ", kName));
    r->set_urgency(v1::REFERRAL_URGENCY_ROUTINE);
    *r->mutable_expected_response_date() = DaysFromToday(30);
    *r->mutable_expected_completion_date() = DaysFromToday(120);
    r->mutable_summary()->set_returnee_name(absl::StrCat("Awa ", kName));
    r->mutable_summary()->set_contact_phone(kPhone);
    r->mutable_summary()->set_area("Pikine");
    v1::Referral referral;
    EXPECT_THAT(UntilOk([&] {
                  return Call(&v1::ReferralService::Stub::CreateReferral, refer,
                              &referral, Supervisor());
                }),
                IsOk());
    return referral;
  }

  // An extra follow-up contact whose notes name the returnee.
  v1::FollowUpContact RecordContact(const std::string& case_id,
                                    const std::string& tag) {
    v1::RecordContactRequest record;
    record.set_request_id(absl::StrCat(tag, "-contact"));
    v1::FollowUpContact* c = record.mutable_contact();
    c->set_case_id(case_id);
    *c->mutable_contact_date() = DaysFromToday(0);
    c->set_mode(v1::FOLLOW_UP_MODE_PHONE);
    c->add_participants()->set_kind(v1::PARTICIPANT_KIND_RETURNEE);
    c->set_w_phase(v1::W_PHASE_READJUSTMENT);
    c->set_wellbeing(3);
    c->set_satisfaction(4);
    c->set_notes(absl::StrCat("Awa ", kName, " is doing well"));
    v1::FollowUpContact recorded;
    EXPECT_THAT(UntilOk([&] {
                  return Call(&v1::FollowUpService::Stub::RecordContact, record,
                              &recorded, Supervisor());
                }),
                IsOk());
    return recorded;
  }

  void Close(const std::string& case_id, const std::string& tag) {
    v1::CloseCaseRequest close;
    close.set_request_id(absl::StrCat(tag, "-close"));
    // The open referral is a check to acknowledge.
    close.set_acknowledge_checks(true);
    v1::Closure* closure = close.mutable_closure();
    closure->set_case_id(case_id);
    closure->set_reason(v1::CLOSURE_REASON_SUPPORT_COMPLETED);
    closure->set_no_final_rss_reason(
        absl::StrCat("Awa ", kName, " declined the survey"));
    closure->mutable_closing_session()->set_held(false);
    closure->mutable_closing_session()->set_not_held_reason("a test");
    v1::Closure closed;
    ASSERT_THAT(UntilOk([&] {
                  return Call(&v1::CaseClosureService::Stub::CloseCase, close,
                              &closed, Supervisor());
                }),
                IsOk());
    ASSERT_EQ(closed.status(), v1::CLOSURE_STATUS_CLOSED);
  }

  v1::Case GetCase(const std::string& case_id) {
    v1::GetCaseRequest get;
    get.set_case_id(case_id);
    v1::Case c;
    EXPECT_THAT(Call(&v1::CaseService::Stub::GetCase, get, &c, Supervisor()),
                IsOk());
    return c;
  }

  v1::SharedReferral Shared(const v1::Referral& referral) {
    v1::GetReferralRequest get;
    get.set_case_id(referral.case_id());
    get.set_referral_id(referral.referral_id());
    v1::SharedReferral shared;
    EXPECT_THAT(Call(&v1::PartnerReferralService::Stub::GetSharedReferral, get,
                     &shared, Partner()),
                IsOk());
    return shared;
  }

  v1::ProgrammeIndicators Indicators() {
    v1::GetProgrammeIndicatorsRequest request;
    request.set_office_id(kDemoOffice);
    *request.mutable_period_start() = DaysFromToday(-30);
    *request.mutable_period_end() = DaysFromToday(0);
    v1::ProgrammeIndicators indicators;
    EXPECT_THAT(
        Call(&v1::ProgrammeIndicatorService::Stub::GetProgrammeIndicators,
             request, &indicators, Monitor()),
        IsOk());
    return indicators;
  }

  grpc::Status Run(bool dry_run, v1::RunRetentionResponse* response,
                   const std::string& key) {
    v1::RunRetentionRequest request;
    request.set_dry_run(dry_run);
    return Call(&v1::RetentionService::Stub::RunRetention, request, response,
                key);
  }

  TempDir dir_;
  std::unique_ptr<EmbeddedSuite> suite_;
  std::shared_ptr<grpc::Channel> channel_;
};

TEST_F(RetentionTest, ClosedCasesPastRetentionAreAnonymisedEverywhere) {
  v1::ImportHsdsRequest import;
  import.set_request_id("retention-directory");
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(
                  ReadFile(std::string(HOMEWARD_SOURCE_DIR) +
                           "/deploy/directory/example_directory.json"),
                  import.mutable_document())
                  .ok());
  v1::ImportHsdsResponse imported;
  ASSERT_THAT(
      Call(&v1::DirectoryService::Stub::ImportHsds, import, &imported, Admin()),
      IsOk());

  std::vector<std::string> closed_ids;
  std::vector<v1::Referral> referrals;
  v1::FollowUpContact contact;
  for (int i = 0; i < kClosedCases; ++i) {
    const std::string tag = absl::StrCat("retention-", i);
    const std::string case_id = Register(tag);
    ASSERT_FALSE(case_id.empty());
    referrals.push_back(Refer(case_id, tag));
    ASSERT_FALSE(referrals.back().referral_id().empty());
    if (i == 0) contact = RecordContact(case_id, tag);
    Close(case_id, tag);
    closed_ids.push_back(case_id);
  }
  const std::string open_id = Register("retention-open");
  ASSERT_FALSE(open_id.empty());
  // The assessment service has moved every closed case to CLOSED (the
  // follow-up feed) before the job looks.
  for (const std::string& case_id : closed_ids) {
    ASSERT_TRUE(Eventually([&] {
      return GetCase(case_id).stage() == v1::CASE_STAGE_CLOSED;
    })) << case_id;
  }
  // The partner sees the summary, with the name, before.
  EXPECT_EQ(Shared(referrals[0]).summary().returnee_name(),
            absl::StrCat("Awa ", kName));
  // The referral service has cancelled the closed cases' referrals (the
  // follow-up feed): the indicators are read once everything has settled.
  for (const v1::Referral& referral : referrals) {
    v1::GetReferralRequest get;
    get.set_case_id(referral.case_id());
    get.set_referral_id(referral.referral_id());
    ASSERT_TRUE(Eventually([&] {
      v1::Referral read;
      return Call(&v1::ReferralService::Stub::GetReferral, get, &read,
                  Supervisor())
                 .ok() &&
             read.status() == v1::REFERRAL_STATUS_CANCELLED;
    })) << referral.referral_id();
  }
  const v1::Case open_before = GetCase(open_id);
  const v1::ProgrammeIndicators indicators_before = Indicators();
  ASSERT_THAT(indicators_before.missing_services(), IsEmpty());

  // Only administrators may run it.
  for (const std::string* key : {&Supervisor(), &Partner(), &Monitor()}) {
    v1::RunRetentionResponse refused;
    EXPECT_EQ(Run(/*dry_run=*/true, &refused, *key).error_code(),
              grpc::StatusCode::PERMISSION_DENIED);
  }

  // A dry run names the five and changes nothing.
  v1::RunRetentionResponse dry;
  ASSERT_THAT(Run(/*dry_run=*/true, &dry, Admin()), IsOk());
  ASSERT_EQ(dry.replicas_size(), 1);
  EXPECT_TRUE(dry.replicas(0).dry_run());
  EXPECT_THAT(dry.replicas(0).anonymised_case_ids(),
              UnorderedElementsAreArray(closed_ids));
  EXPECT_EQ(dry.replicas(0).closed_cases_checked(),
            static_cast<uint64_t>(kClosedCases));
  for (const std::string& case_id : closed_ids) {
    EXPECT_EQ(GetCase(case_id).returnee().family_name(), kName);
  }

  // The real run.
  v1::RunRetentionResponse run;
  ASSERT_THAT(Run(/*dry_run=*/false, &run, Admin()), IsOk());
  ASSERT_EQ(run.replicas_size(), 1);
  const v1::RetentionReport& report = run.replicas(0);
  EXPECT_FALSE(report.dry_run());
  EXPECT_THAT(report.anonymised_case_ids(),
              UnorderedElementsAreArray(closed_ids));
  EXPECT_THAT(report.skipped(), IsEmpty());
  EXPECT_EQ(report.replica(), "partitions 0-63 of 64");

  // The case: anonymised, no name or contact left, and changes refused.
  for (const std::string& case_id : closed_ids) {
    const v1::Case c = GetCase(case_id);
    EXPECT_TRUE(c.has_anonymise_time()) << case_id;
    EXPECT_EQ(c.DebugString().find(kName), std::string::npos) << case_id;
    EXPECT_EQ(c.DebugString().find(kPhone), std::string::npos) << case_id;
    EXPECT_EQ(c.stage(), v1::CASE_STAGE_CLOSED);
    // A valid update (the identity given again) is refused all the same.
    v1::UpdateCaseRequest update;
    *update.mutable_case_() = c;
    *update.mutable_case_()->mutable_returnee() =
        testing::ValidRegistration("unused").case_().returnee();
    *update.mutable_case_()->mutable_return_info() =
        testing::ValidRegistration("unused").case_().return_info();
    v1::Case updated;
    EXPECT_EQ(
        Call(&v1::CaseService::Stub::UpdateCase, update, &updated, Supervisor())
            .error_code(),
        grpc::StatusCode::FAILED_PRECONDITION);
  }
  EXPECT_TRUE(Same(GetCase(open_id), open_before));

  // The partner's view: the summary is gone once the referral service has
  // applied the CaseAnonymised event.
  for (const v1::Referral& referral : referrals) {
    EXPECT_TRUE(Eventually([&] {
      const v1::SharedReferral shared = Shared(referral);
      return !shared.has_summary() &&
             shared.DebugString().find(kName) == std::string::npos;
    })) << referral.referral_id();
  }
  // The follow-up service's closure loses its free text.
  for (const std::string& case_id : closed_ids) {
    v1::GetClosureRequest get_closure;
    get_closure.set_case_id(case_id);
    EXPECT_TRUE(Eventually([&] {
      v1::Closure closure;
      return Call(&v1::CaseClosureService::Stub::GetClosure, get_closure,
                  &closure, Supervisor())
                 .ok() &&
             closure.no_final_rss_reason().empty() &&
             closure.status() == v1::CLOSURE_STATUS_CLOSED &&
             closure.reason() == v1::CLOSURE_REASON_SUPPORT_COMPLETED;
    })) << case_id;
  }
  // And its contact's notes.
  ASSERT_FALSE(contact.contact_id().empty());
  v1::GetContactRequest get_contact;
  get_contact.set_case_id(contact.case_id());
  get_contact.set_contact_id(contact.contact_id());
  EXPECT_TRUE(Eventually([&] {
    v1::FollowUpContact read;
    return Call(&v1::FollowUpService::Stub::GetContact, get_contact, &read,
                Supervisor())
               .ok() &&
           read.notes().empty() && read.wellbeing() == 3 &&
           read.w_phase() == v1::W_PHASE_READJUSTMENT;
  }));
  // The requester's view too.
  v1::GetReferralRequest get_referral;
  get_referral.set_case_id(referrals[0].case_id());
  get_referral.set_referral_id(referrals[0].referral_id());
  v1::Referral requester_view;
  ASSERT_THAT(Call(&v1::ReferralService::Stub::GetReferral, get_referral,
                   &requester_view, Supervisor()),
              IsOk());
  EXPECT_EQ(requester_view.DebugString().find(kName), std::string::npos);
  EXPECT_EQ(requester_view.DebugString().find(kPhone), std::string::npos);

  // The audit trail: the administrator's run, on the case.
  v1::ListCaseAuditEntriesRequest list_audit;
  list_audit.set_case_id(closed_ids[0]);
  list_audit.mutable_page()->set_page_size(500);
  v1::ListCaseAuditEntriesResponse audit;
  ASSERT_THAT(Call(&v1::AuditService::Stub::ListCaseAuditEntries, list_audit,
                   &audit, Admin()),
              IsOk());
  int runs = 0;
  for (const v1::AuditTrailEntry& entry : audit.entries()) {
    if (entry.method() == "homeward.v1.RetentionService/RunRetention") {
      ++runs;
      EXPECT_EQ(entry.user_id(), "dev-admin");
      EXPECT_EQ(entry.role(), "ROLE_ADMINISTRATOR");
    }
  }
  EXPECT_EQ(runs, 1);

  // Aggregates kept: the indicators answer as before.
  const v1::ProgrammeIndicators indicators_after = Indicators();
  EXPECT_TRUE(Same(indicators_before, indicators_after))
      << indicators_before.ShortDebugString() << "\n\n"
      << indicators_after.ShortDebugString();

  // A second run anonymises nothing more.
  v1::RunRetentionResponse again;
  ASSERT_THAT(Run(/*dry_run=*/false, &again, Admin()), IsOk());
  ASSERT_EQ(again.replicas_size(), 1);
  EXPECT_THAT(again.replicas(0).anonymised_case_ids(), IsEmpty());
  EXPECT_EQ(again.replicas(0).already_anonymised(),
            static_cast<uint64_t>(kClosedCases));
}

}  // namespace
}  // namespace homeward::all_in_one
