// Counselling log validation; see counselling_rules.h.
#include "services/assessment/counselling_rules.h"

#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "common/api/field_checks.h"
#include "common/api/paging.h"
#include "google/protobuf/repeated_field.h"
#include "services/assessment/case_validation.h"
#include "services/assessment/field_values.h"

namespace homeward::assessment {
namespace {

using errors::FieldViolations;
using homeward::v1::CounsellingSession;
using homeward::v1::Date;

// The range google.protobuf.Timestamp allows: 0001-01-01 to 9999-12-31 UTC.
constexpr int64_t kMinTimestampSeconds = -62135596800;
constexpr int64_t kMaxTimestampSeconds = 253402300799;

void CheckSessionDate(FieldViolations& bad, const std::string& field,
                      const Date& date, bool has_date, absl::CivilDay today) {
  absl::CivilDay day;
  api::CheckPastDate(bad, field, date, has_date, today, /*earliest_year=*/0,
                     &day);
}

// A short free-text list (participants, topics, next steps): each item 1 to
// kMaxSessionItemBytes bytes and not only spaces, at most kMaxSessionListItems.
void CheckItems(FieldViolations& bad, const std::string& field,
                const google::protobuf::RepeatedPtrField<std::string>& items,
                bool required, absl::string_view what) {
  if (items.empty()) {
    if (required) bad.Add(field, absl::StrCat("must list at least one ", what));
    return;
  }
  if (items.size() > kMaxSessionListItems) {
    bad.Add(field, absl::StrCat("must list at most ", kMaxSessionListItems));
  }
  for (int i = 0; i < items.size(); ++i) {
    std::string item_field = absl::StrCat(field, "[", i, "]");
    if (absl::StripAsciiWhitespace(items[i]).empty()) {
      bad.Add(item_field, items[i].empty() ? "must not be empty"
                                           : "must not be only spaces");
    } else if (items[i].size() > kMaxSessionItemBytes) {
      bad.Add(item_field,
              absl::StrCat("must be at most ", kMaxSessionItemBytes, " bytes"));
    }
  }
}

void CheckNextAppointment(FieldViolations& bad, const CounsellingSession& s,
                          absl::Time now) {
  if (!s.has_next_appointment()) return;
  const auto& t = s.next_appointment();
  const std::string field = "session.next_appointment";
  if (t.seconds() < kMinTimestampSeconds ||
      t.seconds() > kMaxTimestampSeconds || t.nanos() < 0 ||
      t.nanos() > 999999999) {
    bad.Add(field, "is not a valid timestamp");
  } else if (absl::FromUnixSeconds(t.seconds()) +
                 absl::Nanoseconds(t.nanos()) <=
             now) {
    bad.Add(field,
            "must be in the future (leave it unset when no appointment was "
            "agreed)");
  }
}

}  // namespace

FieldViolations ValidateRecordCounsellingSession(
    const homeward::v1::RecordCounsellingSessionRequest& request,
    absl::Time now) {
  FieldViolations bad;
  api::CheckRequestId(bad, request.request_id());
  if (!request.has_session()) {
    bad.Add("session", "is required");
    return WithFieldValueChecks(request, std::move(bad));
  }
  const CounsellingSession& s = request.session();
  if (s.case_id().empty()) bad.Add("session.case_id", "is required");
  CheckSessionDate(bad, "session.session_date", s.session_date(),
                   s.has_session_date(),
                   absl::ToCivilDay(now, absl::UTCTimeZone()));
  if (s.mode() == homeward::v1::CONTACT_MODE_UNSPECIFIED) {
    bad.Add("session.mode",
            RequiredEnumRule(homeward::v1::ContactMode_descriptor()));
  }
  CheckItems(bad, "session.participants", s.participants(), true,
             "participant (e.g. \"returnee\")");
  CheckItems(bad, "session.topics", s.topics(), false, "topic");
  if (s.observations().size() > kMaxObservationsBytes) {
    bad.Add("session.observations",
            absl::StrCat("must be at most ", kMaxObservationsBytes, " bytes"));
  }
  if (!s.distress_notes().empty() && !s.distress_signs_observed()) {
    // Notes about distress without the flag would hide them from the
    // CounsellingSessionRecorded event that follow-up relies on.
    bad.Add("session.distress_notes",
            "must be empty unless distress_signs_observed is true");
  } else if (s.distress_notes().size() > kMaxDistressNotesBytes) {
    bad.Add("session.distress_notes",
            absl::StrCat("must be at most ", kMaxDistressNotesBytes, " bytes"));
  }
  CheckItems(bad, "session.agreed_next_steps", s.agreed_next_steps(), false,
             "next step");
  CheckNextAppointment(bad, s, now);
  return WithFieldValueChecks(request, std::move(bad));
}

FieldViolations ValidateListCounsellingSessions(
    const homeward::v1::ListCounsellingSessionsRequest& request) {
  FieldViolations bad;
  if (request.case_id().empty()) bad.Add("case_id", "is required");
  api::CheckPageRequest(bad, request.page());
  return WithFieldValueChecks(request, std::move(bad));
}

}  // namespace homeward::assessment
