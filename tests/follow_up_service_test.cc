// FollowUpService end to end: a real gRPC server on a loopback port (a
// test-local ServiceHost composition of the follow-up parts over a real
// RocksDB), the other services' events handed to its views as the feed
// followers would, and signed callers. Covers the form GetContact gives,
// recording a scheduled and an extra contact (filled from the plan and
// referral feeds, FollowUpRecorded without the notes, a retry answering the
// first result, a stale etag, a rejected call changing nothing), missed
// contacts and their next attempt, the due and overdue lists (windows,
// paging across partitions, office and case-manager filters, a
// reassignment moving entries), ListContacts, the trajectory, roles, and a
// closed case refusing every change.
#include "services/follow_up/follow_up_service.h"

#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/api/field_checks.h"
#include "common/service/service_host.h"
#include "common/status/errors.h"
#include "common/status/grpc_status.h"
#include "common/status/status_matchers.h"
#include "gmock/gmock.h"
#include "grpcpp/client_context.h"
#include "gtest/gtest.h"
#include "homeward/v1/follow_up.grpc.pb.h"
#include "services/follow_up/closure_store.h"
#include "services/follow_up/follow_up_parts.h"
#include "tests/fixtures/assessment_server.h"
#include "tests/fixtures/case_fixtures.h"
#include "tests/fixtures/consumer_loop.h"
#include "tests/fixtures/follow_up_parts.h"
#include "tests/fixtures/temp_dir.h"

namespace homeward::follow_up {
namespace {

using ::homeward::testing::ApplyAndCommit;
using ::homeward::testing::FollowUpTestParts;
using ::homeward::testing::IsOk;
using ::homeward::testing::MakePrincipal;
using ::homeward::testing::SignAs;
using ::homeward::v1::FollowUpContact;
using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::UnorderedElementsAre;

const auto kManager =
    MakePrincipal("cm-1", homeward::v1::ROLE_CASE_MANAGER, {"office-1"});
const auto kOtherManager =
    MakePrincipal("cm-2", homeward::v1::ROLE_CASE_MANAGER, {"office-1"});
const auto kSupervisor =
    MakePrincipal("sup-1", homeward::v1::ROLE_SUPERVISOR, {"office-1"});
const auto kElsewhere =
    MakePrincipal("cm-9", homeward::v1::ROLE_CASE_MANAGER, {"office-9"});
const auto kMonitoring =
    MakePrincipal("mo-1", homeward::v1::ROLE_MONITORING_OFFICER, {"office-1"});

std::vector<std::string> FieldsOf(const grpc::Status& status) {
  std::vector<std::string> fields;
  for (const auto& v : errors::FieldViolationsOf(FromGrpcStatus(status))) {
    fields.push_back(v.field);
  }
  return fields;
}

std::vector<std::string> Ids(
    const google::protobuf::RepeatedPtrField<FollowUpContact>& contacts) {
  std::vector<std::string> ids;
  for (const auto& c : contacts) {
    ids.push_back(absl::StrCat(c.case_id(), "/", c.contact_id()));
  }
  return ids;
}

// The follow-up parts and FollowUpService on a ServiceHost.
class FollowUpServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    service::ServiceDefinition definition{
        "follow_up", [this](service::ServiceParts& parts) -> absl::Status {
          store_ = parts.store();
          programmes_ = parts.Own(std::make_unique<programme::ProgrammeCatalog>(
              parts.store(), programme::kProgrammeSchema));
          taxonomies_ = parts.Own(std::make_unique<programme::TaxonomyCatalog>(
              parts.store(), programme::kTaxonomySchema));
          contacts_ = parts.Own(
              std::make_unique<ContactStore>(parts.store(), programmes_));
          closures_ = parts.Own(std::make_unique<ClosureStore>(parts.store()));
          cases_ = parts.Own(std::make_unique<FollowUpCases>(
              parts.store(), *parts.owned(), contacts_));
          plans_ = parts.Own(std::make_unique<PlanView>(
              parts.store(), *parts.owned(), cases_, contacts_, programmes_));
          referrals_ = parts.Own(
              std::make_unique<ReferralView>(parts.store(), *parts.owned()));
          FollowUpParts p;
          p.contacts = contacts_;
          p.closures = closures_;
          p.cases = cases_;
          p.plans = plans_;
          p.referrals = referrals_;
          p.programmes = programmes_;
          p.taxonomies = taxonomies_;
          p.verifier = parts.verifier();
          parts.AddService<homeward::v1::FollowUpService>(
              std::make_unique<FollowUpServiceImpl>(p));
          return absl::OkStatus();
        }};
    auto host = service::ServiceHost::Start(
        definition, testing::LoopbackServiceConfig(dir_.path()),
        testing::kTestSecret);
    ASSERT_THAT(host.status(), IsOk());
    host_ = std::move(*host);
    stub_ = homeward::v1::FollowUpService::NewStub(
        testing::LoopbackChannel(host_->port()));

    service::Actor admin;
    admin.principal =
        MakePrincipal("admin-1", homeward::v1::ROLE_ADMINISTRATOR, {});
    admin.method = "test";
    homeward::v1::Programme programme;
    programme.set_programme_id(FollowUpTestParts::kProgramme);
    programme.set_version(1);
    programme.set_taxonomy_id("reintegration");
    programme.set_taxonomy_version(1);
    for (int m : {1, 2, 3, 6, 9, 12}) {
      programme.mutable_follow_up()->add_months_after_return(m);
    }
    programme.mutable_follow_up()->add_rss_at_months(3);
    ASSERT_THAT(programmes_->Publish(admin, programme).status(), IsOk());
    homeward::v1::Taxonomy taxonomy;
    taxonomy.set_taxonomy_id("reintegration");
    taxonomy.set_version(1);
    auto* housing = taxonomy.add_components();
    housing->set_component_id("housing");
    housing->set_dimension(homeward::v1::DIMENSION_SOCIAL);
    (*housing->mutable_label())["en"] = "Housing";
    ASSERT_THAT(taxonomies_->Publish(admin, taxonomy).status(), IsOk());
  }

  void TearDown() override {
    stub_.reset();
    if (host_ != nullptr) host_->Shutdown(absl::Seconds(5));
  }

  void Deliver(feeds::EventConsumer& view, homeward::v1::Event e) {
    e.set_sequence(++sequences_[{view.name(), e.partition()}]);
    ASSERT_THAT(ApplyAndCommit(view, *store_, e), IsOk());
  }

  // A case of office-1 returned on 31 January 2026 with a plan approved on
  // 10 February (contacts M01..M12 scheduled), referral R1 completed.
  void ScheduledCase(const std::string& id, const std::string& manager = "cm-1",
                     const std::string& office = "office-1") {
    Deliver(*cases_,
            FollowUpTestParts::CaseRegistered(FollowUpTestParts::CaseAt(
                id, 1, testing::Day(2026, 1, 31), office, manager)));
    Deliver(*plans_,
            FollowUpTestParts::PlanApproved(id, absl::CivilDay(2026, 2, 10)));
    Deliver(*referrals_,
            FollowUpTestParts::ReferralChanged(
                id, "R1", homeward::v1::REFERRAL_STATUS_COMPLETED));
  }

  grpc::Status GetContact(const internal::v1::Principal& who,
                          const std::string& case_id, const std::string& id,
                          FollowUpContact* out) {
    grpc::ClientContext ctx;
    SignAs(who, &ctx);
    homeward::v1::GetContactRequest r;
    r.set_case_id(case_id);
    r.set_contact_id(id);
    return stub_->GetContact(&ctx, r, out);
  }

  // What a case manager records at a contact of C1 (valid).
  static FollowUpContact Recorded(const std::string& case_id,
                                  const std::string& contact_id) {
    FollowUpContact c;
    c.set_case_id(case_id);
    c.set_contact_id(contact_id);
    *c.mutable_contact_date() = api::ToDate(api::TodayUtc() - 1);
    c.set_mode(homeward::v1::FOLLOW_UP_MODE_PHONE);
    c.add_participants()->set_kind(homeward::v1::PARTICIPANT_KIND_RETURNEE);
    auto* p = c.add_activity_progress();
    p->set_activity_id("AC1");
    p->set_rating(homeward::v1::ACTIVITY_PROGRESS_RATING_DELAYED);
    auto* r = c.add_referral_outcomes();
    r->set_referral_id("R1");
    r->set_returnee_feedback("got the certificate");
    auto* need = c.add_new_needs();
    need->set_dimension(homeward::v1::DIMENSION_SOCIAL);
    need->set_category("housing");
    need->set_description("eviction notice");
    need->set_priority(homeward::v1::NEED_PRIORITY_HIGH);
    c.set_wellbeing(2);
    c.set_satisfaction(4);
    c.set_w_phase(homeward::v1::W_PHASE_REENTRY_SHOCK);
    c.set_distress_signs_observed(true);
    c.set_distress_notes("crying about debts");
    c.set_notes("private notes");
    c.set_plan_revision_needed(true);
    c.set_plan_revision_reason("the workshop plan no longer fits");
    return c;
  }

  grpc::Status Record(const internal::v1::Principal& who,
                      const std::string& request_id, FollowUpContact contact,
                      const std::string& etag, FollowUpContact* out) {
    grpc::ClientContext ctx;
    SignAs(who, &ctx);
    homeward::v1::RecordContactRequest r;
    r.set_request_id(request_id);
    *r.mutable_contact() = std::move(contact);
    r.set_etag(etag);
    return stub_->RecordContact(&ctx, r, out);
  }

  grpc::Status Missed(const internal::v1::Principal& who,
                      const std::string& case_id, const std::string& id,
                      const std::string& etag,
                      homeward::v1::MissedContact missed,
                      FollowUpContact* out) {
    grpc::ClientContext ctx;
    SignAs(who, &ctx);
    homeward::v1::RecordMissedContactRequest r;
    r.set_case_id(case_id);
    r.set_contact_id(id);
    r.set_etag(etag);
    *r.mutable_missed() = std::move(missed);
    return stub_->RecordMissedContact(&ctx, r, out);
  }

  homeward::v1::ListContactsDueResponse Due(const internal::v1::Principal& who,
                                            const std::string& manager,
                                            absl::CivilDay as_of, int within,
                                            int page_size,
                                            const std::string& token = "",
                                            grpc::Status* status = nullptr) {
    grpc::ClientContext ctx;
    SignAs(who, &ctx);
    homeward::v1::ListDueContactsRequest r;
    r.set_office_id("office-1");
    r.set_case_manager_id(manager);
    *r.mutable_as_of() = api::ToDate(as_of);
    r.set_within_days(within);
    r.mutable_page()->set_page_size(page_size);
    r.mutable_page()->set_page_token(token);
    homeward::v1::ListContactsDueResponse out;
    grpc::Status s = stub_->ListDueContacts(&ctx, r, &out);
    if (status != nullptr) {
      *status = s;
    } else {
      EXPECT_TRUE(s.ok()) << s.error_message();
    }
    return out;
  }

  homeward::v1::ListContactsDueResponse Overdue(
      const internal::v1::Principal& who, const std::string& manager,
      absl::CivilDay as_of, int page_size, const std::string& token = "") {
    grpc::ClientContext ctx;
    SignAs(who, &ctx);
    homeward::v1::ListOverdueContactsRequest r;
    r.set_office_id("office-1");
    r.set_case_manager_id(manager);
    *r.mutable_as_of() = api::ToDate(as_of);
    r.mutable_page()->set_page_size(page_size);
    r.mutable_page()->set_page_token(token);
    homeward::v1::ListContactsDueResponse out;
    grpc::Status s = stub_->ListOverdueContacts(&ctx, r, &out);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return out;
  }

  // Every event of the case's partition.
  std::vector<homeward::v1::Event> EventsOf(const std::string& case_id) {
    auto events =
        store_->ReadEvents(FollowUpTestParts::PartitionOf(case_id), 0, 1000);
    EXPECT_THAT(events.status(), IsOk());
    return events.ok() ? *events : std::vector<homeward::v1::Event>();
  }

  void Close(const std::string& case_id) {
    service::Actor actor;
    actor.principal = kSupervisor;
    actor.method = "test";
    homeward::v1::Closure closure;
    closure.set_case_id(case_id);
    closure.set_status(homeward::v1::CLOSURE_STATUS_CLOSED);
    closure.set_reason(homeward::v1::CLOSURE_REASON_SUPPORT_COMPLETED);
    auto prepared = closures_->PrepareCreate(
        actor, FollowUpTestParts::PartitionOf(case_id), "", closure);
    ASSERT_THAT(prepared.status(), IsOk());
    ASSERT_THAT(closures_->Commit(std::move(*prepared)).status(), IsOk());
  }

  testing::TempDir dir_;
  std::unique_ptr<service::ServiceHost> host_;
  std::unique_ptr<homeward::v1::FollowUpService::Stub> stub_;
  storage::Store* store_ = nullptr;
  programme::ProgrammeCatalog* programmes_ = nullptr;
  programme::TaxonomyCatalog* taxonomies_ = nullptr;
  ContactStore* contacts_ = nullptr;
  ClosureStore* closures_ = nullptr;
  FollowUpCases* cases_ = nullptr;
  PlanView* plans_ = nullptr;
  ReferralView* referrals_ = nullptr;
  std::map<std::pair<std::string, uint32_t>, uint64_t> sequences_;
};

TEST_F(FollowUpServiceTest, GetContactGivesTheFormToRecord) {
  ASSERT_NO_FATAL_FAILURE(ScheduledCase("C1"));
  FollowUpContact form;
  ASSERT_TRUE(GetContact(kManager, "C1", "M03", &form).ok());
  EXPECT_EQ(form.status(), homeward::v1::FOLLOW_UP_CONTACT_STATUS_SCHEDULED);
  EXPECT_EQ(testing::DayText(form.due_date()), "2026-04-30");
  EXPECT_TRUE(form.rss_due());
  // AC1 is planned; AC2 is done and not asked for.
  ASSERT_EQ(form.activity_progress_size(), 1);
  EXPECT_EQ(form.activity_progress(0).activity_id(), "AC1");
  EXPECT_EQ(form.activity_progress(0).title(), "Start a tailoring business");
  ASSERT_EQ(form.referral_outcomes_size(), 1);
  EXPECT_EQ(form.referral_outcomes(0).status(),
            homeward::v1::REFERRAL_STATUS_COMPLETED);
  EXPECT_EQ(form.plan_id(), "P-C1");
  FollowUpContact none;
  EXPECT_EQ(GetContact(kManager, "C1", "M05", &none).error_code(),
            grpc::StatusCode::NOT_FOUND);
}

TEST_F(FollowUpServiceTest, RecordContactMarksItDoneWithItsEvent) {
  ASSERT_NO_FATAL_FAILURE(ScheduledCase("C1"));
  FollowUpContact form;
  ASSERT_TRUE(GetContact(kManager, "C1", "M01", &form).ok());
  FollowUpContact done;
  grpc::Status s =
      Record(kManager, "rec-1", Recorded("C1", "M01"), form.etag(), &done);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(done.status(), homeward::v1::FOLLOW_UP_CONTACT_STATUS_DONE);
  EXPECT_EQ(done.contact_id(), "M01");
  EXPECT_EQ(done.recorded_by(), "cm-1");
  EXPECT_EQ(done.office_id(), "office-1");
  EXPECT_EQ(done.plan_id(), "P-C1");
  EXPECT_EQ(done.plan_version(), 1);
  EXPECT_EQ(done.activity_progress(0).status(),
            homeward::v1::ACTIVITY_STATUS_PLANNED);
  EXPECT_EQ(done.referral_outcomes(0).returnee_feedback(),
            "got the certificate");
  EXPECT_EQ(done.referral_outcomes(0).outcome(), "certificate obtained");
  EXPECT_NE(done.etag(), form.etag());

  int recorded = 0;
  for (const auto& e : EventsOf("C1")) {
    if (!e.has_follow_up_recorded()) continue;
    ++recorded;
    const FollowUpContact& c = e.follow_up_recorded().contact();
    EXPECT_EQ(e.subject_id(), "C1");
    EXPECT_EQ(e.actor_user_id(), "cm-1");
    EXPECT_EQ(c.contact_id(), "M01");
    EXPECT_TRUE(c.distress_signs_observed());
    EXPECT_TRUE(c.notes().empty());
    EXPECT_TRUE(c.distress_notes().empty());
    EXPECT_EQ(c.new_needs_size(), 1);
    EXPECT_TRUE(c.plan_revision_needed());
  }
  EXPECT_EQ(recorded, 1);

  // A retry answers the first result and appends nothing.
  FollowUpContact again;
  s = Record(kManager, "rec-1", Recorded("C1", "M01"), form.etag(), &again);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(again.etag(), done.etag());
  recorded = 0;
  for (const auto& e : EventsOf("C1")) recorded += e.has_follow_up_recorded();
  EXPECT_EQ(recorded, 1);
  // Another request on a DONE contact is refused.
  s = Record(kManager, "rec-2", Recorded("C1", "M01"), done.etag(), &again);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
}

TEST_F(FollowUpServiceTest, RejectedRecordsChangeNothing) {
  ASSERT_NO_FATAL_FAILURE(ScheduledCase("C1"));
  FollowUpContact form;
  ASSERT_TRUE(GetContact(kManager, "C1", "M01", &form).ok());
  FollowUpContact bad = Recorded("C1", "M01");
  bad.clear_w_phase();
  bad.set_wellbeing(0);
  bad.clear_activity_progress();
  FollowUpContact out;
  grpc::Status s = Record(kManager, "", bad, form.etag(), &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(FieldsOf(s),
              UnorderedElementsAre("contact.activity_progress",
                                   "contact.wellbeing", "contact.w_phase"));
  s = Record(kManager, "", Recorded("C1", "M01"), "999", &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::ABORTED);
  s = Record(kManager, "", Recorded("C1", "M01"), "", &out);
  EXPECT_THAT(FieldsOf(s), ElementsAre("etag"));
  FollowUpContact now;
  ASSERT_TRUE(GetContact(kManager, "C1", "M01", &now).ok());
  EXPECT_EQ(now.status(), homeward::v1::FOLLOW_UP_CONTACT_STATUS_SCHEDULED);
  EXPECT_EQ(now.etag(), form.etag());
  for (const auto& e : EventsOf("C1")) EXPECT_FALSE(e.has_follow_up_recorded());
}

TEST_F(FollowUpServiceTest, ExtraContactIsRecordedWithoutASchedule) {
  ASSERT_NO_FATAL_FAILURE(ScheduledCase("C1"));
  FollowUpContact extra;
  grpc::Status s = Record(kManager, "extra-1", Recorded("C1", ""), "", &extra);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(extra.contact_id().substr(0, 1), "X");
  EXPECT_EQ(extra.months_after_return(), 0);
  EXPECT_EQ(extra.status(), homeward::v1::FOLLOW_UP_CONTACT_STATUS_DONE);
  EXPECT_EQ(testing::DayText(extra.due_date()),
            testing::DayText(extra.contact_date()));
  FollowUpContact again;
  grpc::Status retried =
      Record(kManager, "extra-1", Recorded("C1", ""), "", &again);
  ASSERT_TRUE(retried.ok()) << retried.error_message();
  EXPECT_EQ(again.contact_id(), extra.contact_id());
}

TEST_F(FollowUpServiceTest, MissedContactSchedulesTheNextAttempt) {
  ASSERT_NO_FATAL_FAILURE(ScheduledCase("C1"));
  FollowUpContact form;
  ASSERT_TRUE(GetContact(kManager, "C1", "M03", &form).ok());
  homeward::v1::MissedContact missed;
  missed.set_reason(homeward::v1::MISSED_REASON_UNREACHABLE);
  *missed.mutable_attempted_date() = api::ToDate(api::TodayUtc() - 2);
  FollowUpContact out;
  homeward::v1::MissedContact no_reason = missed;
  no_reason.clear_reason();
  grpc::Status s = Missed(kManager, "C1", "M03", form.etag(), no_reason, &out);
  EXPECT_THAT(FieldsOf(s), ElementsAre("missed.reason"));

  s = Missed(kManager, "C1", "M03", form.etag(), missed, &out);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(out.status(), homeward::v1::FOLLOW_UP_CONTACT_STATUS_MISSED);
  EXPECT_EQ(out.missed().next_attempt_contact_id(), "M03-2");
  const std::string next_day =
      testing::DayText(api::ToDate(api::TodayUtc() + 5));
  EXPECT_EQ(testing::DayText(out.missed().next_attempt_date()), next_day);

  FollowUpContact next;
  ASSERT_TRUE(GetContact(kManager, "C1", "M03-2", &next).ok());
  EXPECT_EQ(next.status(), homeward::v1::FOLLOW_UP_CONTACT_STATUS_SCHEDULED);
  EXPECT_EQ(next.attempt_of_contact_id(), "M03");
  EXPECT_EQ(next.months_after_return(), 3);
  EXPECT_TRUE(next.rss_due());
  EXPECT_EQ(testing::DayText(next.due_date()), next_day);
  int events = 0;
  for (const auto& e : EventsOf("C1")) {
    if (!e.has_follow_up_missed()) continue;
    ++events;
    EXPECT_EQ(e.follow_up_missed().next_attempt().contact_id(), "M03-2");
  }
  EXPECT_EQ(events, 1);
  // The next attempt is due: it shows in the due list on its day.
  EXPECT_THAT(Ids(Due(kManager, "cm-1", api::TodayUtc() + 5, 1, 50).contacts()),
              ::testing::Contains("C1/M03-2"));
  // Missing it again is refused: it is MISSED now.
  s = Missed(kManager, "C1", "M03", out.etag(), missed, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
}

TEST_F(FollowUpServiceTest, DueAndOverdueListsPageAndFilter) {
  // Cases in several partitions: three of cm-1, one of cm-2, one of another
  // office.
  for (const std::string id : {"C1", "C2", "C3"}) {
    ASSERT_NO_FATAL_FAILURE(ScheduledCase(id));
  }
  ASSERT_NO_FATAL_FAILURE(ScheduledCase("C4", "cm-2"));
  ASSERT_NO_FATAL_FAILURE(ScheduledCase("C5", "cm-5", "office-9"));
  // Due from 1 to 30 April 2026: M03 (30 April) of each office-1 case.
  const absl::CivilDay april(2026, 4, 1);
  EXPECT_THAT(Ids(Due(kSupervisor, "", april, 29, 50).contacts()),
              UnorderedElementsAre("C1/M03", "C2/M03", "C3/M03", "C4/M03"));
  EXPECT_THAT(Ids(Due(kManager, "cm-1", april, 29, 50).contacts()),
              UnorderedElementsAre("C1/M03", "C2/M03", "C3/M03"));
  // 14 days by default: nothing from 1 to 15 April.
  EXPECT_THAT(Due(kManager, "cm-1", april, 0, 50).contacts(), IsEmpty());
  // Overdue on 1 April: M01 and M02 of each.
  EXPECT_THAT(Ids(Overdue(kManager, "cm-1", april, 50).contacts()),
              UnorderedElementsAre("C1/M01", "C1/M02", "C2/M01", "C2/M02",
                                   "C3/M01", "C3/M02"));
  // Pages of two walk the same list, oldest first within a partition.
  std::vector<std::string> paged;
  std::string token;
  int pages = 0;
  do {
    auto page = Overdue(kManager, "cm-1", april, 2, token);
    EXPECT_LE(page.contacts_size(), 2);
    for (const auto& id : Ids(page.contacts())) paged.push_back(id);
    token = page.next_page_token();
    ASSERT_LT(++pages, 10);
  } while (!token.empty());
  EXPECT_THAT(paged, UnorderedElementsAre("C1/M01", "C1/M02", "C2/M01",
                                          "C2/M02", "C3/M01", "C3/M02"));
  for (size_t i = 0; i + 1 < paged.size(); ++i) {
    if (paged[i].substr(0, 2) == paged[i + 1].substr(0, 2)) {
      EXPECT_LT(paged[i], paged[i + 1]);  // M01 before M02
    }
  }
  // The due list in pages of one: each partition stops at its first entry
  // after the window, and the token resumes in the next partition.
  std::vector<std::string> due;
  token.clear();
  pages = 0;
  do {
    auto page = Due(kSupervisor, "", april, 29, 1, token);
    EXPECT_LE(page.contacts_size(), 1);
    for (const auto& id : Ids(page.contacts())) due.push_back(id);
    token = page.next_page_token();
    ASSERT_LT(++pages, 100);
  } while (!token.empty());
  EXPECT_THAT(due,
              UnorderedElementsAre("C1/M03", "C2/M03", "C3/M03", "C4/M03"));
  grpc::Status bad_token;
  Due(kSupervisor, "", april, 29, 1, "99/x", &bad_token);
  EXPECT_THAT(FieldsOf(bad_token), ElementsAre("page.page_token"));

  // A listed contact shows its schedule, nothing recorded.
  auto one = Due(kManager, "cm-1", april, 29, 1);
  ASSERT_EQ(one.contacts_size(), 1);
  EXPECT_TRUE(one.contacts(0).rss_due());
  EXPECT_EQ(one.contacts(0).case_manager_id(), "cm-1");

  // Another office's list is not this manager's.
  grpc::Status s;
  Due(kElsewhere, "", april, 29, 50, "", &s);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  Due(kManager, "", april, 367, 50, "", &s);
  EXPECT_THAT(FieldsOf(s), ElementsAre("within_days"));
}

TEST_F(FollowUpServiceTest, ReassignmentMovesTheDueEntries) {
  ASSERT_NO_FATAL_FAILURE(ScheduledCase("C1"));
  const absl::CivilDay april(2026, 4, 1);
  ASSERT_EQ(Due(kManager, "cm-1", april, 29, 50).contacts_size(), 1);
  Deliver(*cases_,
          FollowUpTestParts::CaseAssigned(FollowUpTestParts::CaseAt(
              "C1", 2, testing::Day(2026, 1, 31), "office-1", "cm-2")));
  EXPECT_THAT(Due(kManager, "cm-1", april, 29, 50).contacts(), IsEmpty());
  auto moved = Due(kOtherManager, "cm-2", april, 29, 50);
  EXPECT_THAT(Ids(moved.contacts()), ElementsAre("C1/M03"));
  EXPECT_EQ(moved.contacts(0).case_manager_id(), "cm-2");
  EXPECT_THAT(Ids(Due(kSupervisor, "", april, 29, 50).contacts()),
              ElementsAre("C1/M03"));
  // Recording the contact takes it off every list.
  FollowUpContact form, done;
  ASSERT_TRUE(GetContact(kOtherManager, "C1", "M03", &form).ok());
  FollowUpContact recorded = Recorded("C1", "M03");
  ASSERT_TRUE(Record(kOtherManager, "", recorded, form.etag(), &done).ok());
  EXPECT_THAT(Due(kSupervisor, "", april, 29, 50).contacts(), IsEmpty());
}

TEST_F(FollowUpServiceTest, ListContactsFiltersAndPages) {
  ASSERT_NO_FATAL_FAILURE(ScheduledCase("C1"));
  FollowUpContact form, done;
  ASSERT_TRUE(GetContact(kManager, "C1", "M01", &form).ok());
  ASSERT_TRUE(
      Record(kManager, "", Recorded("C1", "M01"), form.etag(), &done).ok());
  std::vector<std::string> ids;
  std::string token;
  do {
    grpc::ClientContext ctx;
    SignAs(kManager, &ctx);
    homeward::v1::ListContactsRequest r;
    r.set_case_id("C1");
    r.set_status(homeward::v1::FOLLOW_UP_CONTACT_STATUS_SCHEDULED);
    r.mutable_page()->set_page_size(2);
    r.mutable_page()->set_page_token(token);
    homeward::v1::ListContactsResponse out;
    ASSERT_TRUE(stub_->ListContacts(&ctx, r, &out).ok());
    for (const auto& c : out.contacts()) ids.push_back(c.contact_id());
    token = out.next_page_token();
  } while (!token.empty());
  EXPECT_THAT(ids, ElementsAre("M02", "M03", "M06", "M09", "M12"));
}

TEST_F(FollowUpServiceTest, TrajectoryShowsContactsAndSurveys) {
  ASSERT_NO_FATAL_FAILURE(ScheduledCase("C1"));
  Deliver(*cases_, FollowUpTestParts::RssCompleted(
                       "C1", "A1", testing::Day(2026, 2, 2),
                       homeward::v1::ASSESSMENT_OCCASION_BASELINE, 0.3));
  FollowUpContact form, done;
  ASSERT_TRUE(GetContact(kManager, "C1", "M01", &form).ok());
  ASSERT_TRUE(
      Record(kManager, "", Recorded("C1", "M01"), form.etag(), &done).ok());
  grpc::ClientContext ctx;
  SignAs(kManager, &ctx);
  homeward::v1::GetTrajectoryRequest r;
  r.set_case_id("C1");
  homeward::v1::Trajectory t;
  ASSERT_TRUE(stub_->GetTrajectory(&ctx, r, &t).ok());
  EXPECT_EQ(testing::DayText(t.return_date()), "2026-01-31");
  ASSERT_EQ(t.contacts_size(), 1);
  EXPECT_EQ(t.contacts(0).contact_id(), "M01");
  EXPECT_EQ(t.contacts(0).w_phase(), homeward::v1::W_PHASE_REENTRY_SHOCK);
  EXPECT_EQ(t.contacts(0).wellbeing(), 2);
  ASSERT_EQ(t.surveys_size(), 1);
  EXPECT_EQ(t.surveys(0).assessment_id(), "A1");
}

TEST_F(FollowUpServiceTest, OnlyTheCasesOfficeStaffMayCall) {
  ASSERT_NO_FATAL_FAILURE(ScheduledCase("C1"));
  FollowUpContact out;
  EXPECT_EQ(GetContact(kMonitoring, "C1", "M01", &out).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(GetContact(kElsewhere, "C1", "M01", &out).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(Record(kMonitoring, "", Recorded("C1", ""), "", &out).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  grpc::ClientContext ctx;
  homeward::v1::GetContactRequest r;
  r.set_case_id("C1");
  r.set_contact_id("M01");
  EXPECT_EQ(stub_->GetContact(&ctx, r, &out).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
}

TEST_F(FollowUpServiceTest, ClosedCaseRefusesEveryChange) {
  ASSERT_NO_FATAL_FAILURE(ScheduledCase("C1"));
  FollowUpContact form;
  ASSERT_TRUE(GetContact(kManager, "C1", "M01", &form).ok());
  ASSERT_NO_FATAL_FAILURE(Close("C1"));
  FollowUpContact out;
  grpc::Status s =
      Record(kManager, "", Recorded("C1", "M01"), form.etag(), &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_NE(s.error_message().find("closed"), std::string::npos)
      << s.error_message();
  s = Record(kManager, "", Recorded("C1", ""), "", &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  homeward::v1::MissedContact missed;
  missed.set_reason(homeward::v1::MISSED_REASON_UNREACHABLE);
  *missed.mutable_attempted_date() = api::ToDate(api::TodayUtc());
  s = Missed(kManager, "C1", "M01", form.etag(), missed, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  // Reads still answer, and nothing changed.
  ASSERT_TRUE(GetContact(kManager, "C1", "M01", &out).ok());
  EXPECT_EQ(out.etag(), form.etag());
}

}  // namespace
}  // namespace homeward::follow_up
