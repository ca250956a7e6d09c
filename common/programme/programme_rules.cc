// Programme configuration rules; see programme_rules.h.
#include "common/programme/programme_rules.h"

#include <algorithm>
#include <map>
#include <set>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "common/api/iso_codes.h"
#include "common/programme/taxonomy_rules.h"

namespace homeward::programme {
namespace {

using errors::FieldViolations;

// ISO 4217 codes are three upper-case letters; the list of assigned codes
// changes too often to pin here, so only the shape is checked.
bool IsCurrencyCode(absl::string_view code) {
  if (code.size() != 3) return false;
  for (char c : code) {
    if (!absl::ascii_isupper(c)) return false;
  }
  return true;
}

void CheckCountries(FieldViolations& bad, const homeward::v1::Programme& p) {
  if (p.countries().empty()) {
    bad.Add("countries",
            "must list at least one country of return, as an ISO 3166-1 "
            "alpha-2 code (e.g. \"SN\")");
  }
  std::map<std::string, int> first_position;
  for (int i = 0; i < p.countries_size(); ++i) {
    const std::string field = absl::StrCat("countries[", i, "]");
    const std::string& code = p.countries(i);
    if (!api::IsIsoCountryCode(code)) {
      bad.Add(field, absl::StrCat("'", code,
                                  "' is not an ISO 3166-1 alpha-2 country "
                                  "code in upper case (e.g. \"SN\")"));
      continue;
    }
    auto [first, fresh] = first_position.emplace(code, i);
    if (!fresh) {
      bad.Add(field,
              absl::StrCat("'", code, "' is already listed in countries[",
                           first->second, "]"));
    }
  }
}

void CheckBudgetCeiling(FieldViolations& bad,
                        const homeward::v1::Programme& p) {
  if (!p.has_budget_ceiling()) {
    bad.Add("budget_ceiling",
            "is required: { currency_code: \"XOF\" amount_minor: ... } with "
            "an amount greater than 0");
    return;
  }
  const homeward::v1::Money& ceiling = p.budget_ceiling();
  if (!IsCurrencyCode(ceiling.currency_code())) {
    bad.Add("budget_ceiling.currency_code",
            "must be an ISO 4217 currency code: three upper-case letters "
            "(e.g. \"XOF\", \"EUR\")");
  }
  if (ceiling.amount_minor() <= 0) {
    bad.Add("budget_ceiling.amount_minor",
            "must be greater than 0 (in the currency's minor unit)");
  }
}

void CheckFollowUp(FieldViolations& bad, const homeward::v1::Programme& p) {
  const homeward::v1::FollowUpCadence& f = p.follow_up();
  if (f.months_after_return().empty()) {
    bad.Add("follow_up.months_after_return",
            "must list at least one month, ascending, each greater than 0 "
            "(e.g. 1, 3, 6, 12)");
  }
  std::set<int> months;
  int previous = 0;
  for (int i = 0; i < f.months_after_return_size(); ++i) {
    const int month = f.months_after_return(i);
    const std::string field =
        absl::StrCat("follow_up.months_after_return[", i, "]");
    if (month <= 0) {
      bad.Add(field, "must be greater than 0");
    } else if (month <= previous) {
      bad.Add(field, absl::StrCat("must be greater than the month before it (",
                                  previous, "): months are ascending"));
    }
    if (month > 0) previous = std::max(previous, month);
    months.insert(month);
  }
  for (int i = 0; i < f.rss_at_months_size(); ++i) {
    const int month = f.rss_at_months(i);
    if (month <= 0 || months.count(month) == 0) {
      bad.Add(absl::StrCat("follow_up.rss_at_months[", i, "]"),
              absl::StrCat(month,
                           " must be one of follow_up.months_after_return: an "
                           "RSS is due at a follow-up contact"));
    }
  }
}

}  // namespace

FieldViolations ValidateProgramme(const homeward::v1::Programme& p) {
  FieldViolations bad;
  CheckProgrammeId(bad, "programme_id", p.programme_id());
  if (p.version() < 1) bad.Add("version", "must be 1 or more");
  if (absl::StripAsciiWhitespace(p.name()).empty()) {
    bad.Add("name", "is required: the programme's name as staff know it");
  }
  CheckCountries(bad, p);
  CheckBudgetCeiling(bad, p);
  if (p.plan_deadline_days() <= 0) {
    bad.Add("plan_deadline_days",
            "must be greater than 0: days from the return date by which a "
            "plan should be approved");
  }
  // Vulnerable returnees may be given longer to agree a plan, never less
  // (issue 12): 0 means the same deadline as everyone.
  const int vulnerable = p.plan_deadline_days_vulnerable();
  if (vulnerable < 0 ||
      (vulnerable > 0 && vulnerable < p.plan_deadline_days())) {
    bad.Add("plan_deadline_days_vulnerable",
            absl::StrCat("must be 0 (the same as plan_deadline_days) or at "
                         "least plan_deadline_days (",
                         p.plan_deadline_days(),
                         "): days from the return date for returnees "
                         "screened as highly vulnerable"));
  }
  CheckFollowUp(bad, p);
  if (p.has_retention_years() &&
      (p.retention_years() < 0 || p.retention_years() > 100)) {
    bad.Add("retention_years",
            "must be from 0 to 100 (or unset, 10): whole years a closed case "
            "keeps the returnee's identity after it closed");
  }
  CheckProgrammeId(bad, "taxonomy_id", p.taxonomy_id());
  if (p.taxonomy_version() < 1) {
    bad.Add("taxonomy_version",
            "must be 1 or more: the published version of the taxonomy the "
            "programme's plans and referrals use");
  }
  return bad;
}

}  // namespace homeward::programme
