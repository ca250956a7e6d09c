// Table-driven tests of the counselling log's validation rules. "Now" is
// fixed at 2026-06-15 10:00 UTC so that every expected violation is worked out
// by hand.
#include "services/assessment/counselling_rules.h"

#include <functional>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace homeward::assessment {
namespace {

using ::homeward::v1::CounsellingSession;
using ::homeward::v1::RecordCounsellingSessionRequest;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

const absl::Time kNow = absl::FromCivil(
    absl::CivilSecond(2026, 6, 15, 10, 0, 0), absl::UTCTimeZone());
const int64_t kNowSeconds = absl::ToUnixSeconds(kNow);

void SetDate(homeward::v1::Date* d, int y, int m, int day) {
  d->set_year(y);
  d->set_month(m);
  d->set_day(day);
}

RecordCounsellingSessionRequest ValidRequest() {
  RecordCounsellingSessionRequest r;
  r.set_request_id("session-001");
  auto* s = r.mutable_session();
  s->set_case_id("C0123456789abcdef0123");
  SetDate(s->mutable_session_date(), 2026, 6, 14);
  s->set_mode(homeward::v1::CONTACT_MODE_IN_PERSON);
  s->add_participants("returnee");
  s->add_participants("interpreter");
  s->add_topics("housing");
  s->set_observations("Calm, engaged; worried about debts.");
  s->set_distress_signs_observed(true);
  s->set_distress_notes("Trouble sleeping since return.");
  s->add_agreed_next_steps("visit the tailoring workshop");
  s->mutable_next_appointment()->set_seconds(kNowSeconds + 7 * 86400);
  return r;
}

std::vector<std::string> Fields(const errors::FieldViolations& v) {
  std::vector<std::string> out;
  for (const auto& fv : v.violations()) out.push_back(fv.field);
  return out;
}

TEST(ValidateRecordCounsellingSessionTest, AcceptsACompleteRequest) {
  EXPECT_THAT(Fields(ValidateRecordCounsellingSession(ValidRequest(), kNow)),
              IsEmpty());
}

struct SessionCase {
  std::string name;
  std::function<void(RecordCounsellingSessionRequest&)> mutate;
  std::vector<std::string> fields;  // every violation expected, in order
  friend void PrintTo(const SessionCase& c, std::ostream* os) { *os << c.name; }
};

class SessionRulesTest : public ::testing::TestWithParam<SessionCase> {};

TEST_P(SessionRulesTest, ReportsExactlyTheBadFields) {
  RecordCounsellingSessionRequest r = ValidRequest();
  GetParam().mutate(r);
  EXPECT_EQ(Fields(ValidateRecordCounsellingSession(r, kNow)),
            GetParam().fields);
}

CounsellingSession& S(RecordCounsellingSessionRequest& r) {
  return *r.mutable_session();
}

void Fill(google::protobuf::RepeatedPtrField<std::string>* items, int n) {
  items->Clear();
  for (int i = 0; i < n; ++i) *items->Add() = "item " + std::to_string(i);
}

INSTANTIATE_TEST_SUITE_P(
    Rules, SessionRulesTest,
    ::testing::Values(
        SessionCase{
            "MissingSession", [](auto& r) { r.clear_session(); }, {"session"}},
        SessionCase{
            "RequestIdIsOptional", [](auto& r) { r.clear_request_id(); }, {}},
        SessionCase{"RequestIdWithSpaces",
                    [](auto& r) { r.set_request_id("x y"); },
                    {"request_id"}},
        SessionCase{"MissingCaseId",
                    [](auto& r) { S(r).clear_case_id(); },
                    {"session.case_id"}},
        SessionCase{"MissingDate",
                    [](auto& r) { S(r).clear_session_date(); },
                    {"session.session_date"}},
        SessionCase{
            "NoSuchDay",
            [](auto& r) { SetDate(S(r).mutable_session_date(), 2026, 2, 29); },
            {"session.session_date"}},
        SessionCase{
            "TodayIsFine",
            [](auto& r) { SetDate(S(r).mutable_session_date(), 2026, 6, 15); },
            {}},
        SessionCase{
            "Tomorrow",
            [](auto& r) { SetDate(S(r).mutable_session_date(), 2026, 6, 16); },
            {"session.session_date"}},
        SessionCase{"MissingMode",
                    [](auto& r) { S(r).clear_mode(); },
                    {"session.mode"}},
        SessionCase{"UnknownMode",
                    [](auto& r) {
                      S(r).set_mode(static_cast<homeward::v1::ContactMode>(9));
                    },
                    {"session.mode"}},
        SessionCase{"NoParticipants",
                    [](auto& r) { S(r).clear_participants(); },
                    {"session.participants"}},
        SessionCase{"EmptyParticipant",
                    [](auto& r) { S(r).add_participants(""); },
                    {"session.participants[2]"}},
        SessionCase{"BlankParticipant",
                    [](auto& r) { S(r).set_participants(0, "  "); },
                    {"session.participants[0]"}},
        SessionCase{
            "ParticipantOf200BytesIsFine",
            [](auto& r) { S(r).set_participants(0, std::string(200, 'p')); },
            {}},
        SessionCase{
            "ParticipantTooLong",
            [](auto& r) { S(r).set_participants(1, std::string(201, 'p')); },
            {"session.participants[1]"}},
        SessionCase{"TwentyParticipantsAreFine",
                    [](auto& r) { Fill(S(r).mutable_participants(), 20); },
                    {}},
        SessionCase{"TooManyParticipants",
                    [](auto& r) { Fill(S(r).mutable_participants(), 21); },
                    {"session.participants"}},
        SessionCase{
            "TopicsAreOptional", [](auto& r) { S(r).clear_topics(); }, {}},
        SessionCase{"TooManyTopics",
                    [](auto& r) { Fill(S(r).mutable_topics(), 21); },
                    {"session.topics"}},
        SessionCase{"EmptyTopic",
                    [](auto& r) { S(r).add_topics(""); },
                    {"session.topics[1]"}},
        SessionCase{"TopicTooLong",
                    [](auto& r) { S(r).set_topics(0, std::string(201, 't')); },
                    {"session.topics[0]"}},
        SessionCase{
            "ObservationsOf8000BytesAreFine",
            [](auto& r) { S(r).set_observations(std::string(8000, 'o')); },
            {}},
        SessionCase{
            "ObservationsTooLong",
            [](auto& r) { S(r).set_observations(std::string(8001, 'o')); },
            {"session.observations"}},
        SessionCase{"DistressNotesWithoutTheFlag",
                    [](auto& r) { S(r).set_distress_signs_observed(false); },
                    {"session.distress_notes"}},
        SessionCase{"FlagWithoutNotesIsFine",
                    [](auto& r) { S(r).clear_distress_notes(); },
                    {}},
        SessionCase{"NoDistressNoNotes",
                    [](auto& r) {
                      S(r).set_distress_signs_observed(false);
                      S(r).clear_distress_notes();
                    },
                    {}},
        SessionCase{
            "DistressNotesOf4000BytesAreFine",
            [](auto& r) { S(r).set_distress_notes(std::string(4000, 'd')); },
            {}},
        SessionCase{
            "DistressNotesTooLong",
            [](auto& r) { S(r).set_distress_notes(std::string(4001, 'd')); },
            {"session.distress_notes"}},
        SessionCase{"NextStepsAreOptional",
                    [](auto& r) { S(r).clear_agreed_next_steps(); },
                    {}},
        SessionCase{"TooManyNextSteps",
                    [](auto& r) { Fill(S(r).mutable_agreed_next_steps(), 21); },
                    {"session.agreed_next_steps"}},
        SessionCase{"BlankNextStep",
                    [](auto& r) { S(r).add_agreed_next_steps(" "); },
                    {"session.agreed_next_steps[1]"}},
        SessionCase{"NextAppointmentIsOptional",
                    [](auto& r) { S(r).clear_next_appointment(); },
                    {}},
        SessionCase{"NextAppointmentOneSecondAheadIsFine",
                    [](auto& r) {
                      S(r).mutable_next_appointment()->set_seconds(kNowSeconds +
                                                                   1);
                    },
                    {}},
        SessionCase{"NextAppointmentNow",
                    [](auto& r) {
                      S(r).mutable_next_appointment()->set_seconds(kNowSeconds);
                    },
                    {"session.next_appointment"}},
        SessionCase{"NextAppointmentInThePast",
                    [](auto& r) {
                      S(r).mutable_next_appointment()->set_seconds(kNowSeconds -
                                                                   3600);
                    },
                    {"session.next_appointment"}},
        SessionCase{
            "NextAppointmentBadNanos",
            [](auto& r) { S(r).mutable_next_appointment()->set_nanos(-1); },
            {"session.next_appointment"}},
        SessionCase{"NextAppointmentAfterYear9999",
                    [](auto& r) {
                      S(r).mutable_next_appointment()->set_seconds(
                          253402300800);
                    },
                    {"session.next_appointment"}},
        SessionCase{"OutputOnlyFieldsAreIgnored",
                    [](auto& r) {
                      S(r).set_session_id("mine");
                      S(r).set_recorded_by("someone");
                      S(r).mutable_create_time()->set_seconds(1);
                    },
                    {}},
        SessionCase{
            "EveryProblemAtOnce",
            [](auto& r) {
              r.set_request_id("? ?");
              S(r).clear_case_id();
              SetDate(S(r).mutable_session_date(), 2030, 1, 1);
              S(r).clear_mode();
              S(r).clear_participants();
              S(r).add_topics("");
              S(r).set_observations(std::string(9000, 'o'));
              S(r).set_distress_signs_observed(false);
              S(r).add_agreed_next_steps(std::string(300, 's'));
              S(r).mutable_next_appointment()->set_seconds(0);
            },
            {"request_id", "session.case_id", "session.session_date",
             "session.mode", "session.participants", "session.topics[1]",
             "session.observations", "session.distress_notes",
             "session.agreed_next_steps[1]", "session.next_appointment"}}),
    [](const auto& info) { return info.param.name; });

TEST(ValidateListCounsellingSessionsTest, NeedsACaseAndANonNegativePageSize) {
  homeward::v1::ListCounsellingSessionsRequest r;
  r.mutable_page()->set_page_size(-3);
  EXPECT_THAT(Fields(ValidateListCounsellingSessions(r)),
              ElementsAre("case_id", "page.page_size"));
  r.set_case_id("C1");
  r.mutable_page()->set_page_size(7);
  EXPECT_THAT(Fields(ValidateListCounsellingSessions(r)), IsEmpty());
}

}  // namespace
}  // namespace homeward::assessment
