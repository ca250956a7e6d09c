// Consent validation and the sharing decision; see consent_rules.h.
#include "services/assessment/consent_rules.h"

#include <string>
#include <tuple>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "common/api/field_checks.h"
#include "common/api/paging.h"
#include "google/protobuf/descriptor.h"
#include "services/assessment/case_validation.h"
#include "services/assessment/field_values.h"

namespace homeward::assessment {
namespace {

using errors::FieldViolations;
using homeward::v1::ConsentPurpose;
using homeward::v1::ConsentRecord;
using homeward::v1::Date;

// Whether the number is defined is checked for every field by
// CheckFieldValues; here only that a required enum was given.
void CheckRequiredEnum(FieldViolations& bad, const std::string& field,
                       int value,
                       const google::protobuf::EnumDescriptor* type) {
  if (value == 0) bad.Add(field, RequiredEnumRule(type));
}

void CheckDecisionDate(FieldViolations& bad, const std::string& field,
                       const Date& date, bool has_date, absl::CivilDay today) {
  absl::CivilDay day;
  api::CheckPastDate(bad, field, date, has_date, today, kEarliestConsentYear,
                     &day);
}

std::string DateText(const Date& d) {
  return absl::StrFormat("%04d-%02d-%02d", d.year(), d.month(), d.day());
}

// Orders records by when the decision was taken, then by when it was
// recorded: a correction entered later for the same day supersedes.
auto DecisionOrder(const ConsentRecord& r) {
  return std::make_tuple(r.decision_date().year(), r.decision_date().month(),
                         r.decision_date().day(), r.create_time().seconds(),
                         r.create_time().nanos());
}

std::string RecipientText(absl::string_view recipient) {
  return recipient.empty() ? "any agency"
                           : absl::StrCat("agency '", recipient, "'");
}

}  // namespace

FieldViolations ValidateRecordConsent(
    const homeward::v1::RecordConsentRequest& request, absl::CivilDay today) {
  FieldViolations bad;
  api::CheckRequestId(bad, request.request_id());
  if (!request.has_consent()) {
    bad.Add("consent", "is required");
    return WithFieldValueChecks(request, std::move(bad));
  }
  const ConsentRecord& c = request.consent();
  if (c.case_id().empty()) bad.Add("consent.case_id", "is required");
  CheckRequiredEnum(bad, "consent.purpose", c.purpose(),
                    homeward::v1::ConsentPurpose_descriptor());
  // Empty is meaningful: the decision is about every agency.
  if (!c.recipient_agency_id().empty()) {
    api::CheckIdentifier(bad, "consent.recipient_agency_id",
                         c.recipient_agency_id());
  }
  CheckDecisionDate(bad, "consent.decision_date", c.decision_date(),
                    c.has_decision_date(), today);
  CheckRequiredEnum(bad, "consent.method", c.method(),
                    homeward::v1::ConsentMethod_descriptor());
  if (c.notes().size() > kMaxConsentNotesBytes) {
    bad.Add("consent.notes",
            absl::StrCat("must be at most ", kMaxConsentNotesBytes, " bytes"));
  }
  return WithFieldValueChecks(request, std::move(bad));
}

FieldViolations ValidateListConsents(
    const homeward::v1::ListConsentsRequest& request) {
  FieldViolations bad;
  if (request.case_id().empty()) bad.Add("case_id", "is required");
  api::CheckPageRequest(bad, request.page());
  return WithFieldValueChecks(request, std::move(bad));
}

FieldViolations ValidateCheckConsent(
    const homeward::v1::CheckConsentRequest& request) {
  FieldViolations bad;
  if (request.case_id().empty()) bad.Add("case_id", "is required");
  if (request.agency_id().empty()) {
    bad.Add("agency_id",
            "is required: the agency the data would be shared with");
  } else {
    api::CheckIdentifier(bad, "agency_id", request.agency_id());
  }
  CheckRequiredEnum(bad, "purpose", request.purpose(),
                    homeward::v1::ConsentPurpose_descriptor());
  return WithFieldValueChecks(request, std::move(bad));
}

homeward::v1::CheckConsentResponse DecideConsent(
    const std::vector<ConsentRecord>& history, absl::string_view agency_id,
    ConsentPurpose purpose) {
  const ConsentRecord* deciding = nullptr;
  for (const ConsentRecord& r : history) {
    if (r.purpose() != purpose) continue;
    if (!r.recipient_agency_id().empty() &&
        r.recipient_agency_id() != agency_id)
      continue;
    // `>=` so that of two records with equal keys the later one in the
    // history (recording order) wins.
    if (deciding == nullptr || DecisionOrder(r) >= DecisionOrder(*deciding))
      deciding = &r;
  }
  homeward::v1::CheckConsentResponse response;
  std::string purpose_name = homeward::v1::ConsentPurpose_Name(purpose);
  if (deciding == nullptr) {
    response.set_allowed(false);
    response.set_explanation(absl::StrCat(
        "no consent was recorded for ", purpose_name, " with agency '",
        agency_id, "' or with any agency, so sharing is not allowed"));
    return response;
  }
  response.set_allowed(deciding->granted());
  *response.mutable_deciding_record() = *deciding;
  response.set_explanation(absl::StrCat(
      "consent ", deciding->consent_id(), " of ",
      DateText(deciding->decision_date()),
      deciding->granted() ? " granted " : " refused or withdrew ", purpose_name,
      " for ", RecipientText(deciding->recipient_agency_id()),
      ", and no later decision applies"));
  return response;
}

}  // namespace homeward::assessment
