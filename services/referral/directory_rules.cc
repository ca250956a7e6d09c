// The service directory's rules; see directory_rules.h.
#include "services/referral/directory_rules.h"

#include <algorithm>
#include <map>
#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "common/api/iso_codes.h"
#include "common/api/paging.h"
#include "services/referral/iso_currencies.h"

namespace homeward::referral {
namespace {

using errors::FieldViolations;
using homeward::v1::HumanService;

std::string Indexed(absl::string_view field, int i) {
  return absl::StrCat(field, "[", i, "]");
}

void CheckId(FieldViolations& bad, const std::string& field,
             absl::string_view id, bool required) {
  if (id.empty()) {
    if (required) bad.Add(field, absl::StrCat("is required; ", kDirectoryIdRule));
    return;
  }
  if (!IsDirectoryId(id)) bad.Add(field, std::string(kDirectoryIdRule));
}

void CheckName(FieldViolations& bad, const std::string& field,
               absl::string_view name, bool required) {
  if (absl::StripAsciiWhitespace(name).empty()) {
    if (required || !name.empty()) {
      bad.Add(field, absl::StrCat("is required: 1 to ", kMaxNameLength,
                                  " characters, not only spaces"));
    }
    return;
  }
  if (name.size() > kMaxNameLength) {
    bad.Add(field, absl::StrCat("must be at most ", kMaxNameLength,
                                " characters"));
  }
}

void CheckText(FieldViolations& bad, const std::string& field,
               absl::string_view text) {
  if (text.size() > kMaxTextLength) {
    bad.Add(field, absl::StrCat("must be at most ", kMaxTextLength,
                                " characters"));
  }
}

// Loose on purpose: a directory records what agencies publish; this only
// keeps out what cannot be an address at all.
void CheckEmail(FieldViolations& bad, const std::string& field,
                absl::string_view email) {
  if (email.empty()) return;
  const size_t at = email.find('@');
  const bool valid = email.size() <= 254 && at != 0 &&
                     at != absl::string_view::npos && at + 1 < email.size() &&
                     email.find('@', at + 1) == absl::string_view::npos &&
                     std::none_of(email.begin(), email.end(), [](char c) {
                       return absl::ascii_isspace(c) || absl::ascii_iscntrl(c);
                     });
  if (!valid) {
    bad.Add(field, "must be an email address (name@domain), at most 254 "
                   "characters, without spaces");
  }
}

void CheckUrl(FieldViolations& bad, const std::string& field,
              absl::string_view url) {
  if (url.empty()) return;
  const bool valid =
      url.size() <= 2000 &&
      (absl::StartsWith(url, "https://") || absl::StartsWith(url, "http://")) &&
      std::none_of(url.begin(), url.end(), [](char c) {
        return absl::ascii_isspace(c) || absl::ascii_iscntrl(c);
      });
  if (!valid) {
    bad.Add(field, "must be an http:// or https:// URL without spaces, at "
                   "most 2000 characters");
  }
}

void CheckPhone(FieldViolations& bad, const std::string& field,
                absl::string_view phone) {
  const bool valid =
      !phone.empty() && phone.size() <= 40 &&
      std::any_of(phone.begin(), phone.end(), absl::ascii_isdigit) &&
      std::all_of(phone.begin(), phone.end(), [](char c) {
        return absl::ascii_isdigit(c) || c == ' ' || c == '+' || c == '-' ||
               c == '(' || c == ')' || c == '.';
      });
  if (!valid) {
    bad.Add(field, "must be a phone number: 1 to 40 characters from digits, "
                   "spaces and + - ( ) .");
  }
}

void CheckContacts(
    FieldViolations& bad,
    const google::protobuf::RepeatedPtrField<homeward::v1::DirectoryContact>&
        contacts) {
  for (int i = 0; i < contacts.size(); ++i) {
    const auto& c = contacts[i];
    const std::string field = Indexed("contacts", i);
    CheckName(bad, field + ".name", c.name(), /*required=*/false);
    CheckName(bad, field + ".title", c.title(), /*required=*/false);
    CheckEmail(bad, field + ".email", c.email());
    for (int j = 0; j < c.phones_size(); ++j) {
      CheckPhone(bad, Indexed(field + ".phones", j), c.phones(j));
    }
    if (c.name().empty() && c.email().empty() && c.phones().empty()) {
      bad.Add(field, "must give at least a name, an email or a phone");
    }
  }
}

// "HH:MM" on a 24-hour clock; the minutes of the day, or -1.
int MinutesOf(absl::string_view time) {
  if (time.size() != 5 || time[2] != ':') return -1;
  for (int i : {0, 1, 3, 4}) {
    if (!absl::ascii_isdigit(time[i])) return -1;
  }
  const int hours = (time[0] - '0') * 10 + (time[1] - '0');
  const int minutes = (time[3] - '0') * 10 + (time[4] - '0');
  if (hours > 23 || minutes > 59) return -1;
  return hours * 60 + minutes;
}

void CheckSchedules(
    FieldViolations& bad,
    const google::protobuf::RepeatedPtrField<homeward::v1::DirectorySchedule>&
        schedules) {
  static const std::set<std::string> kDays = {"MO", "TU", "WE", "TH",
                                              "FR", "SA", "SU"};
  for (int i = 0; i < schedules.size(); ++i) {
    const auto& s = schedules[i];
    const std::string field = Indexed("schedules", i);
    if (!s.byday().empty()) {
      std::set<std::string> seen;
      bool valid = true;
      for (absl::string_view day : absl::StrSplit(s.byday(), ',')) {
        valid = valid && kDays.count(std::string(day)) > 0 &&
                seen.insert(std::string(day)).second;
      }
      if (!valid) {
        bad.Add(field + ".byday",
                "must list distinct RFC 5545 day codes separated by commas "
                "(MO,TU,WE,TH,FR,SA,SU), e.g. \"MO,WE,FR\"");
      }
    }
    const int opens = s.opens_at().empty() ? -2 : MinutesOf(s.opens_at());
    const int closes = s.closes_at().empty() ? -2 : MinutesOf(s.closes_at());
    if (opens == -1) {
      bad.Add(field + ".opens_at", "must be a time HH:MM from 00:00 to 23:59");
    }
    if (closes == -1) {
      bad.Add(field + ".closes_at", "must be a time HH:MM from 00:00 to 23:59");
    } else if (opens >= 0 && closes >= 0 && closes <= opens) {
      bad.Add(field + ".closes_at", "must be later than opens_at");
    }
    CheckText(bad, field + ".description", s.description());
    if (s.byday().empty() && s.opens_at().empty() && s.closes_at().empty() &&
        s.description().empty()) {
      bad.Add(field, "must give days, times or a description");
    }
  }
}

void CheckLanguages(FieldViolations& bad,
                    const google::protobuf::RepeatedPtrField<std::string>&
                        languages) {
  std::map<std::string, int> first;
  for (int i = 0; i < languages.size(); ++i) {
    const std::string field = Indexed("languages", i);
    if (!api::IsIsoLanguageCode(languages[i])) {
      bad.Add(field, absl::StrCat("'", languages[i],
                                  "' is not an ISO 639-1 language code in "
                                  "lower case (e.g. \"fr\", \"wo\")"));
      continue;
    }
    auto [it, fresh] = first.emplace(languages[i], i);
    if (!fresh) {
      bad.Add(field, absl::StrCat("'", languages[i],
                                  "' is already listed in languages[",
                                  it->second, "]"));
    }
  }
}

void CheckCostOptions(
    FieldViolations& bad,
    const google::protobuf::RepeatedPtrField<homeward::v1::CostOption>&
        options) {
  for (int i = 0; i < options.size(); ++i) {
    const auto& o = options[i];
    const std::string field = Indexed("cost_options", i);
    CheckName(bad, field + ".option", o.option(), /*required=*/false);
    CheckText(bad, field + ".amount_description", o.amount_description());
    if (!o.has_amount()) continue;
    if (!CurrencyExponent(o.amount().currency_code()).has_value()) {
      bad.Add(field + ".amount.currency_code",
              absl::StrCat("'", o.amount().currency_code(),
                           "' is not an active ISO 4217 currency code in "
                           "upper case (e.g. \"XOF\", \"EUR\")"));
    }
    if (o.amount().amount_minor() < 0) {
      bad.Add(field + ".amount.amount_minor",
              "must be 0 or more (in the currency's minor unit); leave the "
              "amount out for a free option");
    }
  }
}

void CheckComponents(FieldViolations& bad, const HumanService& service,
                     const ComponentTerms& terms) {
  if (service.components().empty()) {
    bad.Add("components",
            "must list at least one taxonomy component the service "
            "delivers (e.g. \"skills_training\")");
  }
  std::map<std::string, int> first;
  for (int i = 0; i < service.components_size(); ++i) {
    const std::string& c = service.components(i);
    const std::string field = Indexed("components", i);
    if (terms.find(c) == terms.end()) {
      bad.Add(field, absl::StrCat("'", c,
                                  "' is not a component of the published "
                                  "taxonomy (e.g. \"skills_training\", "
                                  "\"housing\", \"psychosocial_support\")"));
      continue;
    }
    auto [it, fresh] = first.emplace(c, i);
    if (!fresh) {
      bad.Add(field, absl::StrCat("'", c, "' is already listed in components[",
                                  it->second, "]"));
    }
  }
}

void CheckServiceLocations(FieldViolations& bad, const HumanService& service,
                           const DirectoryFacts& facts) {
  std::map<std::string, int> first_location;
  std::map<std::string, int> first_id;
  for (int i = 0; i < service.locations_size(); ++i) {
    const auto& at = service.locations(i);
    const std::string field = Indexed("locations", i);
    CheckId(bad, field + ".service_at_location_id", at.service_at_location_id(),
            /*required=*/false);
    if (!at.service_at_location_id().empty()) {
      auto [it, fresh] = first_id.emplace(at.service_at_location_id(), i);
      if (!fresh) {
        bad.Add(field + ".service_at_location_id",
                absl::StrCat("is already used by locations[", it->second,
                             "]"));
      }
    }
    CheckText(bad, field + ".description", at.description());
    if (!IsDirectoryId(at.location_id())) {
      bad.Add(field + ".location_id",
              absl::StrCat("is required: the id of a location of the "
                           "service's organization; ",
                           kDirectoryIdRule));
      continue;
    }
    auto [it, fresh] = first_location.emplace(at.location_id(), i);
    if (!fresh) {
      bad.Add(field + ".location_id",
              absl::StrCat("'", at.location_id(),
                           "' is already listed in locations[", it->second,
                           "]"));
      continue;
    }
    std::optional<std::string> owner =
        facts.location_organization ? facts.location_organization(at.location_id())
                                    : std::nullopt;
    if (!owner.has_value()) {
      bad.Add(field + ".location_id",
              absl::StrCat("location '", at.location_id(),
                           "' does not exist; create it first"));
    } else if (*owner != service.organization_id()) {
      bad.Add(field + ".location_id",
              absl::StrCat("location '", at.location_id(),
                           "' belongs to organization '", *owner,
                           "', not to the service's organization '",
                           service.organization_id(), "'"));
    }
  }
}

void CheckOrganizationRef(FieldViolations& bad, absl::string_view id,
                          const DirectoryFacts& facts) {
  if (id.empty()) {
    bad.Add("organization_id", "is required: the organization it belongs to");
  } else if (!IsDirectoryId(id)) {
    bad.Add("organization_id", std::string(kDirectoryIdRule));
  } else if (!facts.organization_exists || !facts.organization_exists(id)) {
    bad.Add("organization_id",
            absl::StrCat("organization '", id,
                         "' does not exist; create it first"));
  }
}

}  // namespace

bool IsDirectoryId(absl::string_view id) {
  return !id.empty() && id.size() <= kMaxDirectoryIdLength &&
         std::all_of(id.begin(), id.end(), [](char c) {
           return absl::ascii_isalnum(c) || c == '.' || c == '_' || c == ':' ||
                  c == '-';
         });
}

ComponentTerms ComponentTermsOf(
    const std::vector<homeward::v1::Taxonomy>& taxonomies) {
  std::map<std::string, const homeward::v1::Taxonomy*> latest;
  for (const auto& t : taxonomies) {
    const homeward::v1::Taxonomy*& slot = latest[t.taxonomy_id()];
    if (slot == nullptr || slot->version() < t.version()) slot = &t;
  }
  ComponentTerms terms;
  for (const auto& [id, taxonomy] : latest) {
    for (const auto& c : taxonomy->components()) {
      ComponentTerm term;
      term.taxonomy_id = id;
      auto label = c.label().find("en");
      term.name = label != c.label().end() ? label->second : c.component_id();
      auto description = c.description().find("en");
      term.description = description != c.description().end()
                             ? description->second
                             : term.name;
      terms.emplace(c.component_id(), std::move(term));
    }
  }
  return terms;
}

FieldViolations CheckOrganization(const homeward::v1::Organization& o,
                                  IdPolicy id_policy) {
  FieldViolations bad;
  CheckId(bad, "organization_id", o.organization_id(),
          id_policy == IdPolicy::kRequired);
  CheckName(bad, "name", o.name(), /*required=*/true);
  CheckName(bad, "alternate_name", o.alternate_name(), /*required=*/false);
  CheckText(bad, "description", o.description());
  CheckEmail(bad, "email", o.email());
  CheckUrl(bad, "website", o.website());
  CheckContacts(bad, o.contacts());
  return bad;
}

FieldViolations CheckLocation(const homeward::v1::Location& l,
                              IdPolicy id_policy,
                              const DirectoryFacts& facts) {
  FieldViolations bad;
  CheckId(bad, "location_id", l.location_id(),
          id_policy == IdPolicy::kRequired);
  CheckOrganizationRef(bad, l.organization_id(), facts);
  CheckName(bad, "name", l.name(), /*required=*/true);
  CheckName(bad, "alternate_name", l.alternate_name(), /*required=*/false);
  CheckText(bad, "description", l.description());
  for (int i = 0; i < l.addresses_size(); ++i) {
    const auto& a = l.addresses(i);
    const std::string field = Indexed("addresses", i);
    CheckName(bad, field + ".address_1", a.address_1(), /*required=*/false);
    CheckName(bad, field + ".city", a.city(), /*required=*/false);
    CheckName(bad, field + ".region", a.region(), /*required=*/false);
    CheckName(bad, field + ".state_province", a.state_province(),
              /*required=*/false);
    CheckName(bad, field + ".postal_code", a.postal_code(), /*required=*/false);
    if (!a.country().empty() && !api::IsIsoCountryCode(a.country())) {
      bad.Add(field + ".country",
              absl::StrCat("'", a.country(),
                           "' is not an ISO 3166-1 alpha-2 country code in "
                           "upper case (e.g. \"SN\")"));
    }
  }
  if (!(l.latitude() >= -90 && l.latitude() <= 90)) {
    bad.Add("latitude", "must be from -90 to 90 (decimal degrees, WGS84)");
  }
  if (!(l.longitude() >= -180 && l.longitude() <= 180)) {
    bad.Add("longitude", "must be from -180 to 180 (decimal degrees, WGS84)");
  }
  return bad;
}

FieldViolations CheckService(const HumanService& s, IdPolicy id_policy,
                             const DirectoryFacts& facts) {
  FieldViolations bad;
  CheckId(bad, "service_id", s.service_id(), id_policy == IdPolicy::kRequired);
  CheckOrganizationRef(bad, s.organization_id(), facts);
  CheckName(bad, "name", s.name(), /*required=*/true);
  CheckName(bad, "alternate_name", s.alternate_name(), /*required=*/false);
  CheckText(bad, "description", s.description());
  CheckUrl(bad, "url", s.url());
  CheckEmail(bad, "email", s.email());
  if (s.status() == homeward::v1::SERVICE_STATUS_UNSPECIFIED ||
      !homeward::v1::ServiceStatus_IsValid(s.status())) {
    bad.Add("status",
            "is required: SERVICE_STATUS_ACTIVE, SERVICE_STATUS_INACTIVE, "
            "SERVICE_STATUS_DEFUNCT or SERVICE_STATUS_TEMPORARILY_CLOSED");
  }
  CheckText(bad, "eligibility_description", s.eligibility_description());
  const bool minimum_valid = s.minimum_age() >= 0 && s.minimum_age() <= kMaxAge;
  if (!minimum_valid) {
    bad.Add("minimum_age", absl::StrCat("must be from 0 (no minimum) to ",
                                        kMaxAge, " years"));
  }
  if (s.maximum_age() < 0 || s.maximum_age() > kMaxAge) {
    bad.Add("maximum_age", absl::StrCat("must be from 0 (no maximum) to ",
                                        kMaxAge, " years"));
  } else if (minimum_valid && s.maximum_age() != 0 &&
             s.maximum_age() < s.minimum_age()) {
    bad.Add("maximum_age",
            absl::StrCat("must be at least minimum_age (", s.minimum_age(),
                         "), or 0 for no maximum"));
  }
  CheckLanguages(bad, s.languages());
  CheckSchedules(bad, s.schedules());
  for (int i = 0; i < s.service_areas_size(); ++i) {
    const std::string field = Indexed("service_areas", i);
    CheckName(bad, field + ".name", s.service_areas(i).name(),
              /*required=*/true);
    CheckText(bad, field + ".description", s.service_areas(i).description());
  }
  CheckContacts(bad, s.contacts());
  CheckCostOptions(bad, s.cost_options());
  CheckText(bad, "fees_description", s.fees_description());
  static const ComponentTerms kNone;
  CheckComponents(bad, s, facts.components != nullptr ? *facts.components
                                                      : kNone);
  CheckServiceLocations(bad, s, facts);
  return bad;
}

FieldViolations CheckCapacity(const homeward::v1::ServiceCapacity& c) {
  FieldViolations bad;
  const bool waitlist = c.status() == homeward::v1::CAPACITY_STATUS_WAITLIST;
  if (c.status() == homeward::v1::CAPACITY_STATUS_UNSPECIFIED ||
      !homeward::v1::CapacityStatus_IsValid(c.status())) {
    bad.Add("status",
            "is required: CAPACITY_STATUS_AVAILABLE, CAPACITY_STATUS_WAITLIST "
            "or CAPACITY_STATUS_NOT_ACCEPTING");
  } else if (waitlist && c.expected_wait_days() < 1) {
    bad.Add("expected_wait_days",
            "must be 1 or more when the status is CAPACITY_STATUS_WAITLIST");
  } else if (!waitlist && c.expected_wait_days() != 0) {
    bad.Add("expected_wait_days",
            "must be 0 (unset) unless the status is CAPACITY_STATUS_WAITLIST");
  }
  if (c.expected_wait_days() > 3650) {
    bad.Add("expected_wait_days", "must be at most 3650 days");
  }
  CheckText(bad, "note", c.note());
  return bad;
}

FieldViolations CheckSearch(const homeward::v1::SearchServicesRequest& r) {
  FieldViolations bad;
  if (!r.component().empty() && !IsDirectoryId(r.component())) {
    bad.Add("component", "must be a taxonomy component id (e.g. \"housing\")");
  }
  if (r.area().size() > kMaxNameLength) {
    bad.Add("area", absl::StrCat("must be at most ", kMaxNameLength,
                                 " characters"));
  }
  if (r.has_age() && (r.age() < 0 || r.age() > kMaxAge)) {
    bad.Add("age", absl::StrCat("must be from 0 to ", kMaxAge, " years"));
  }
  if (!r.language().empty() && !api::IsIsoLanguageCode(r.language())) {
    bad.Add("language",
            "must be an ISO 639-1 language code in lower case (e.g. \"wo\")");
  }
  if (!r.organization_id().empty() && !IsDirectoryId(r.organization_id())) {
    bad.Add("organization_id", std::string(kDirectoryIdRule));
  }
  api::CheckPageRequest(bad, r.page());
  return bad;
}

std::string AreaKey(absl::string_view name) {
  return absl::AsciiStrToLower(absl::StripAsciiWhitespace(name));
}

bool AcceptsReferrals(const HumanService& s) {
  return s.status() == homeward::v1::SERVICE_STATUS_ACTIVE &&
         (s.capacity().status() == homeward::v1::CAPACITY_STATUS_AVAILABLE ||
          s.capacity().status() == homeward::v1::CAPACITY_STATUS_WAITLIST);
}

bool MatchesSearch(const HumanService& s,
                   const homeward::v1::SearchServicesRequest& r) {
  if (!r.organization_id().empty() && s.organization_id() != r.organization_id())
    return false;
  if (!r.component().empty() &&
      std::find(s.components().begin(), s.components().end(), r.component()) ==
          s.components().end()) {
    return false;
  }
  if (!AreaKey(r.area()).empty()) {
    const std::string wanted = AreaKey(r.area());
    if (std::none_of(s.service_areas().begin(), s.service_areas().end(),
                     [&](const auto& a) { return AreaKey(a.name()) == wanted; }))
      return false;
  }
  if (r.has_age()) {
    if (r.age() < s.minimum_age()) return false;
    if (s.maximum_age() != 0 && r.age() > s.maximum_age()) return false;
  }
  if (!r.language().empty() &&
      std::find(s.languages().begin(), s.languages().end(), r.language()) ==
          s.languages().end()) {
    return false;
  }
  if (r.accepting_referrals() && !AcceptsReferrals(s)) return false;
  return true;
}

}  // namespace homeward::referral
