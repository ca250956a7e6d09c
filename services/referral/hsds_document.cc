// HSDS 3.0 documents <-> directory entries; see hsds_document.h.
#include "services/referral/hsds_document.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <map>
#include <set>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "services/referral/iso_currencies.h"

namespace homeward::referral {
namespace {

using errors::FieldViolations;
using google::protobuf::ListValue;
using google::protobuf::Struct;
using google::protobuf::Value;
using homeward::v1::HumanService;
using homeward::v1::Location;
using homeward::v1::Organization;

constexpr int64_t kMaxMinorUnits = 1000000000000000;  // 10^15

std::string Indexed(absl::string_view field, int i) {
  return absl::StrCat(field, "[", i, "]");
}

std::string Join(absl::string_view path, absl::string_view key) {
  return path.empty() ? std::string(key) : absl::StrCat(path, ".", key);
}

// Reads the properties of one JSON object, reporting each of the wrong
// type under its path. An absent property and null read as unset.
class ObjectReader {
 public:
  ObjectReader(const Struct& object, std::string path, FieldViolations& bad)
      : object_(object), path_(std::move(path)), bad_(bad) {}

  const std::string& path() const { return path_; }
  std::string Path(absl::string_view key) const { return Join(path_, key); }
  FieldViolations& bad() const { return bad_; }

  bool Has(absl::string_view key) const { return Find(key) != nullptr; }

  std::string Str(absl::string_view key) const {
    const Value* v = Find(key);
    if (v == nullptr) return "";
    if (v->kind_case() != Value::kStringValue) {
      bad_.Add(Path(key), "must be a string");
      return "";
    }
    return v->string_value();
  }

  std::optional<double> Number(absl::string_view key) const {
    const Value* v = Find(key);
    if (v == nullptr) return std::nullopt;
    if (v->kind_case() != Value::kNumberValue) {
      bad_.Add(Path(key), "must be a number");
      return std::nullopt;
    }
    return v->number_value();
  }

  // A whole number; values beyond +-10^6 read as +-10^6 so that the rules
  // report them as out of range.
  int Whole(absl::string_view key, absl::string_view what) const {
    std::optional<double> n = Number(key);
    if (!n.has_value()) return 0;
    if (!std::isfinite(*n) || *n != std::floor(*n)) {
      bad_.Add(Path(key), absl::StrCat("must be a whole number of ", what));
      return 0;
    }
    return static_cast<int>(std::max(-1e6, std::min(1e6, *n)));
  }

  const Struct* Object(absl::string_view key) const {
    const Value* v = Find(key);
    if (v == nullptr) return nullptr;
    if (v->kind_case() != Value::kStructValue) {
      bad_.Add(Path(key), "must be an object");
      return nullptr;
    }
    return &v->struct_value();
  }

  // Calls `each` with the index and a reader of every object of the array
  // `key`.
  void Objects(absl::string_view key,
               const std::function<void(int, const ObjectReader&)>& each)
      const {
    const Value* v = Find(key);
    if (v == nullptr) return;
    if (v->kind_case() != Value::kListValue) {
      bad_.Add(Path(key), "must be an array of objects");
      return;
    }
    const ListValue& list = v->list_value();
    for (int i = 0; i < list.values_size(); ++i) {
      const std::string path = Indexed(Path(key), i);
      if (list.values(i).kind_case() != Value::kStructValue) {
        bad_.Add(path, "must be an object");
        continue;
      }
      each(i, ObjectReader(list.values(i).struct_value(), path, bad_));
    }
  }

 private:
  const Value* Find(absl::string_view key) const {
    auto it = object_.fields().find(std::string(key));
    if (it == object_.fields().end() ||
        it->second.kind_case() == Value::kNullValue) {
      return nullptr;
    }
    return &it->second;
  }

  const Struct& object_;
  std::string path_;
  FieldViolations& bad_;
};

// ------------------------------------------------------------ enum names

const std::map<std::string, homeward::v1::ServiceStatus>& ServiceStatuses() {
  static const auto* m = new std::map<std::string, homeward::v1::ServiceStatus>{
      {"active", homeward::v1::SERVICE_STATUS_ACTIVE},
      {"inactive", homeward::v1::SERVICE_STATUS_INACTIVE},
      {"defunct", homeward::v1::SERVICE_STATUS_DEFUNCT},
      {"temporarily closed", homeward::v1::SERVICE_STATUS_TEMPORARILY_CLOSED}};
  return *m;
}

const std::map<std::string, homeward::v1::CapacityStatus>& CapacityStatuses() {
  static const auto* m =
      new std::map<std::string, homeward::v1::CapacityStatus>{
          {"available", homeward::v1::CAPACITY_STATUS_AVAILABLE},
          {"waitlist", homeward::v1::CAPACITY_STATUS_WAITLIST},
          {"not_accepting", homeward::v1::CAPACITY_STATUS_NOT_ACCEPTING}};
  return *m;
}

template <typename Enum>
std::string NameOf(const std::map<std::string, Enum>& names, Enum value) {
  for (const auto& [name, v] : names) {
    if (v == value) return name;
  }
  return "";
}

template <typename Enum>
std::string NamesOf(const std::map<std::string, Enum>& names) {
  std::vector<std::string> quoted;
  for (const auto& [name, v] : names) quoted.push_back(absl::StrCat("\"", name, "\""));
  return absl::StrJoin(quoted, ", ");
}

// ------------------------------------------------------------------ read

void ReadContacts(
    const ObjectReader& r, HsdsPaths& paths,
    google::protobuf::RepeatedPtrField<homeward::v1::DirectoryContact>* out) {
  r.Objects("contacts", [&](int i, const ObjectReader& c) {
    auto* contact = out->Add();
    contact->set_name(c.Str("name"));
    contact->set_title(c.Str("title"));
    contact->set_email(c.Str("email"));
    c.Objects("phones", [&](int j, const ObjectReader& p) {
      contact->add_phones(p.Str("number"));
      paths.Rename(
          absl::StrCat(Indexed("contacts", i), ".", Indexed("phones", j)),
          p.Path("number"));
    });
  });
}

Organization ReadOrganization(const ObjectReader& r, HsdsPaths& paths) {
  Organization o;
  o.set_organization_id(r.Str("id"));
  paths.Rename("organization_id", r.Path("id"));
  o.set_name(r.Str("name"));
  o.set_alternate_name(r.Str("alternate_name"));
  o.set_description(r.Str("description"));
  o.set_email(r.Str("email"));
  o.set_website(r.Str("website"));
  ReadContacts(r, paths, o.mutable_contacts());
  return o;
}

Location ReadLocation(const ObjectReader& r, HsdsPaths& paths) {
  Location l;
  l.set_location_id(r.Str("id"));
  paths.Rename("location_id", r.Path("id"));
  const std::string type = r.Str("location_type");
  if (!type.empty() && type != "physical" && type != "postal" &&
      type != "virtual") {
    r.bad().Add(r.Path("location_type"),
                "must be \"physical\", \"postal\" or \"virtual\"");
  }
  l.set_organization_id(r.Str("organization_id"));
  l.set_name(r.Str("name"));
  l.set_alternate_name(r.Str("alternate_name"));
  l.set_description(r.Str("description"));
  l.set_latitude(r.Number("latitude").value_or(0));
  l.set_longitude(r.Number("longitude").value_or(0));
  r.Objects("addresses", [&](int, const ObjectReader& a) {
    auto* address = l.add_addresses();
    address->set_address_1(a.Str("address_1"));
    address->set_city(a.Str("city"));
    address->set_region(a.Str("region"));
    address->set_state_province(a.Str("state_province"));
    address->set_postal_code(a.Str("postal_code"));
    address->set_country(a.Str("country"));
  });
  return l;
}

homeward::v1::ServiceAtLocation ReadServiceAtLocation(const ObjectReader& r) {
  homeward::v1::ServiceAtLocation at;
  at.set_service_at_location_id(r.Str("id"));
  at.set_location_id(r.Str("location_id"));
  at.set_description(r.Str("description"));
  return at;
}

void ReadCostOptions(const ObjectReader& r, HsdsPaths& paths,
                     HumanService& s) {
  r.Objects("cost_options", [&](int i, const ObjectReader& c) {
    auto* option = s.add_cost_options();
    const std::string field = Indexed("cost_options", i);
    option->set_option(c.Str("option"));
    option->set_amount_description(c.Str("amount_description"));
    paths.Rename(field + ".amount.currency_code", c.Path("currency"));
    paths.Rename(field + ".amount.amount_minor", c.Path("amount"));
    const std::string currency = c.Str("currency");
    std::optional<double> amount = c.Number("amount");
    if (!amount.has_value()) {
      if (!currency.empty()) {
        c.bad().Add(c.Path("amount"),
                    "is required with a currency (leave both out for a "
                    "free option)");
      }
      return;
    }
    option->mutable_amount()->set_currency_code(currency);
    std::optional<int> exponent = CurrencyExponent(currency);
    if (!exponent.has_value()) return;  // the rules report the currency
    std::optional<int64_t> minor = ToMinorUnits(*amount, *exponent);
    if (!minor.has_value()) {
      c.bad().Add(c.Path("amount"),
                  absl::StrCat("must be 0 or more, below 10^15 minor units, "
                               "with at most ",
                               *exponent, " decimal", *exponent == 1 ? "" : "s",
                               " (the minor unit of ", currency, ")"));
      return;
    }
    option->mutable_amount()->set_amount_minor(*minor);
  });
}

HumanService ReadService(const ObjectReader& r, const ComponentTerms& terms,
                         HsdsPaths& paths) {
  std::set<std::string> taxonomies;
  for (const auto& [id, term] : terms) taxonomies.insert(term.taxonomy_id);

  HumanService s;
  s.set_service_id(r.Str("id"));
  paths.Rename("service_id", r.Path("id"));
  s.set_organization_id(r.Str("organization_id"));
  s.set_name(r.Str("name"));
  s.set_alternate_name(r.Str("alternate_name"));
  s.set_description(r.Str("description"));
  s.set_url(r.Str("url"));
  s.set_email(r.Str("email"));
  const std::string status = r.Str("status");
  if (!status.empty()) {
    auto it = ServiceStatuses().find(status);
    if (it == ServiceStatuses().end()) {
      r.bad().Add(r.Path("status"),
                  absl::StrCat("must be one of ", NamesOf(ServiceStatuses())));
    } else {
      s.set_status(it->second);
    }
  }
  s.set_eligibility_description(r.Str("eligibility_description"));
  s.set_minimum_age(r.Whole("minimum_age", "years"));
  s.set_maximum_age(r.Whole("maximum_age", "years"));
  r.Objects("languages", [&](int i, const ObjectReader& l) {
    s.add_languages(l.Str("code"));
    paths.Rename(Indexed("languages", i), l.Path("code"));
  });
  r.Objects("schedules", [&](int, const ObjectReader& o) {
    const std::string freq = o.Str("freq");
    if (!freq.empty() && freq != "WEEKLY") {
      o.bad().Add(o.Path("freq"),
                  "must be \"WEEKLY\" or absent: the directory keeps weekly "
                  "schedules (byday, opens_at, closes_at)");
    }
    auto* schedule = s.add_schedules();
    schedule->set_byday(o.Str("byday"));
    schedule->set_opens_at(o.Str("opens_at"));
    schedule->set_closes_at(o.Str("closes_at"));
    schedule->set_description(o.Str("description"));
  });
  r.Objects("service_areas", [&](int, const ObjectReader& a) {
    auto* area = s.add_service_areas();
    area->set_name(a.Str("name"));
    area->set_description(a.Str("description"));
  });
  ReadContacts(r, paths, s.mutable_contacts());
  ReadCostOptions(r, paths, s);
  s.set_fees_description(r.Str("fees_description"));
  paths.Rename("components", r.Path("attributes"));
  r.Objects("attributes", [&](int, const ObjectReader& a) {
    const Struct* term = a.Object("taxonomy_term");
    if (term == nullptr) return;
    ObjectReader t(*term, a.Path("taxonomy_term"), a.bad());
    // Attributes of other taxonomies (e.g. Open Eligibility) are not
    // components: they are left out.
    if (taxonomies.count(t.Str("taxonomy")) == 0) return;
    paths.Rename(Indexed("components", s.components_size()), t.Path("code"));
    s.add_components(t.Str("code"));
  });
  if (const Struct* capacity = r.Object(kCapacityProperty)) {
    ObjectReader c(*capacity, r.Path(kCapacityProperty), r.bad());
    paths.Rename("capacity", c.path());
    auto* out = s.mutable_capacity();
    const std::string name = c.Str("status");
    auto it = CapacityStatuses().find(name);
    if (it != CapacityStatuses().end()) {
      out->set_status(it->second);
    } else if (!name.empty()) {
      c.bad().Add(c.Path("status"), absl::StrCat("must be one of ",
                                                 NamesOf(CapacityStatuses())));
    }
    out->set_expected_wait_days(c.Whole("expected_wait_days", "days"));
    out->set_note(c.Str("note"));
  }
  paths.Rename("locations", r.Path("service_at_locations"));
  r.Objects("service_at_locations", [&](int, const ObjectReader& a) {
    const std::string service_id = a.Str("service_id");
    if (!service_id.empty() && service_id != s.service_id()) {
      a.bad().Add(a.Path("service_id"),
                  "must be the id of the service it is listed in, or absent");
    }
    paths.Rename(Indexed("locations", s.locations_size()), a.path());
    *s.add_locations() = ReadServiceAtLocation(a);
  });
  return s;
}

// Reports the second use of an id in one list.
void CheckUnique(FieldViolations& bad, std::map<std::string, std::string>& seen,
                 const std::string& id, const std::string& base) {
  if (id.empty()) return;
  auto [it, fresh] = seen.emplace(id, base);
  if (!fresh) {
    bad.Add(Join(base, "id"), absl::StrCat("'", id, "' is already used by ",
                                           it->second));
  }
}

// Adds `rules`' violations at their document paths, except on fields the
// reading already reported.
void AddAt(FieldViolations& bad, const FieldViolations& rules,
           const HsdsPaths& paths, absl::string_view prefix = "") {
  std::set<std::string> reported;
  for (const auto& v : bad.violations()) reported.insert(v.field);
  for (const auto& v : rules.violations()) {
    std::string path = paths.Of(absl::StrCat(prefix, v.field));
    if (reported.count(path) > 0) continue;
    reported.insert(path);
    bad.Add(std::move(path), v.description);
  }
}

// ----------------------------------------------------------------- write

Value StringValue(absl::string_view s) {
  Value v;
  v.set_string_value(std::string(s));
  return v;
}

Value NumberValue(double n) {
  Value v;
  v.set_number_value(n);
  return v;
}

class ObjectWriter {
 public:
  ObjectWriter& Str(absl::string_view key, absl::string_view value) {
    if (!value.empty()) Set(key, StringValue(value));
    return *this;
  }
  ObjectWriter& Number(absl::string_view key, double value) {
    Set(key, NumberValue(value));
    return *this;
  }
  ObjectWriter& Object(absl::string_view key, Struct value) {
    Value v;
    *v.mutable_struct_value() = std::move(value);
    Set(key, std::move(v));
    return *this;
  }
  // Leaves out an empty list.
  ObjectWriter& List(absl::string_view key, std::vector<Struct> items) {
    if (items.empty()) return *this;
    Value v;
    for (Struct& item : items) {
      *v.mutable_list_value()->add_values()->mutable_struct_value() =
          std::move(item);
    }
    Set(key, std::move(v));
    return *this;
  }
  Struct Done() { return std::move(object_); }

 private:
  void Set(absl::string_view key, Value value) {
    (*object_.mutable_fields())[std::string(key)] = std::move(value);
  }
  Struct object_;
};

std::vector<Struct> ContactsOf(
    absl::string_view owner,
    const google::protobuf::RepeatedPtrField<homeward::v1::DirectoryContact>&
        contacts) {
  std::vector<Struct> out;
  for (int i = 0; i < contacts.size(); ++i) {
    const auto& c = contacts[i];
    const std::string id = absl::StrCat(owner, ":contact:", i + 1);
    std::vector<Struct> phones;
    for (int j = 0; j < c.phones_size(); ++j) {
      phones.push_back(ObjectWriter()
                           .Str("id", absl::StrCat(id, ":phone:", j + 1))
                           .Str("number", c.phones(j))
                           .Done());
    }
    out.push_back(ObjectWriter()
                      .Str("id", id)
                      .Str("name", c.name())
                      .Str("title", c.title())
                      .Str("email", c.email())
                      .List("phones", std::move(phones))
                      .Done());
  }
  return out;
}

Struct OrganizationDocument(const Organization& o) {
  return ObjectWriter()
      .Str("id", o.organization_id())
      .Str("name", o.name())
      .Str("alternate_name", o.alternate_name())
      .Str("description", o.description())
      .Str("email", o.email())
      .Str("website", o.website())
      .List("contacts", ContactsOf(o.organization_id(), o.contacts()))
      .Done();
}

Struct LocationDocument(const Location& l) {
  ObjectWriter w;
  w.Str("id", l.location_id())
      .Str("location_type", "physical")
      .Str("organization_id", l.organization_id())
      .Str("name", l.name())
      .Str("alternate_name", l.alternate_name())
      .Str("description", l.description());
  if (l.latitude() != 0 || l.longitude() != 0) {
    w.Number("latitude", l.latitude()).Number("longitude", l.longitude());
  }
  std::vector<Struct> addresses;
  for (int i = 0; i < l.addresses_size(); ++i) {
    const auto& a = l.addresses(i);
    addresses.push_back(
        ObjectWriter()
            .Str("id", absl::StrCat(l.location_id(), ":address:", i + 1))
            .Str("address_type", "physical")
            .Str("address_1", a.address_1())
            .Str("city", a.city())
            .Str("region", a.region())
            .Str("state_province", a.state_province())
            .Str("postal_code", a.postal_code())
            .Str("country", a.country())
            .Done());
  }
  return w.List("addresses", std::move(addresses)).Done();
}

Struct ServiceDocument(const HumanService& s, const ComponentTerms& terms) {
  const std::string& id = s.service_id();
  ObjectWriter w;
  w.Str("id", id)
      .Str("organization_id", s.organization_id())
      .Str("name", s.name())
      .Str("alternate_name", s.alternate_name())
      .Str("description", s.description())
      .Str("url", s.url())
      .Str("email", s.email())
      .Str("status", NameOf(ServiceStatuses(), s.status()))
      .Str("eligibility_description", s.eligibility_description());
  if (s.minimum_age() != 0) w.Number("minimum_age", s.minimum_age());
  if (s.maximum_age() != 0) w.Number("maximum_age", s.maximum_age());
  std::vector<Struct> languages;
  for (const auto& code : s.languages()) {
    languages.push_back(ObjectWriter()
                            .Str("id", absl::StrCat(id, ":language:", code))
                            .Str("code", code)
                            .Done());
  }
  w.List("languages", std::move(languages));
  std::vector<Struct> schedules;
  for (int i = 0; i < s.schedules_size(); ++i) {
    const auto& o = s.schedules(i);
    schedules.push_back(
        ObjectWriter()
            .Str("id", absl::StrCat(id, ":schedule:", i + 1))
            .Str("freq", o.byday().empty() ? "" : "WEEKLY")
            .Str("byday", o.byday())
            .Str("opens_at", o.opens_at())
            .Str("closes_at", o.closes_at())
            .Str("description", o.description())
            .Done());
  }
  w.List("schedules", std::move(schedules));
  std::vector<Struct> areas;
  for (int i = 0; i < s.service_areas_size(); ++i) {
    areas.push_back(
        ObjectWriter()
            .Str("id", absl::StrCat(id, ":service_area:", i + 1))
            .Str("name", s.service_areas(i).name())
            .Str("description", s.service_areas(i).description())
            .Done());
  }
  w.List("service_areas", std::move(areas));
  w.List("contacts", ContactsOf(id, s.contacts()));
  std::vector<Struct> costs;
  for (int i = 0; i < s.cost_options_size(); ++i) {
    const auto& c = s.cost_options(i);
    ObjectWriter cost;
    cost.Str("id", absl::StrCat(id, ":cost_option:", i + 1))
        .Str("option", c.option());
    if (c.has_amount()) {
      cost.Number("amount",
                  FromMinorUnits(c.amount().amount_minor(),
                                 CurrencyExponent(c.amount().currency_code())
                                     .value_or(0)))
          .Str("currency", c.amount().currency_code());
    }
    costs.push_back(cost.Str("amount_description", c.amount_description())
                        .Done());
  }
  w.List("cost_options", std::move(costs));
  w.Str("fees_description", s.fees_description());
  std::vector<Struct> attributes;
  for (const auto& component : s.components()) {
    auto it = terms.find(component);
    ComponentTerm term = it != terms.end() ? it->second
                                           : ComponentTerm{"", component,
                                                           component};
    const std::string term_id = absl::StrCat(term.taxonomy_id, ":", component);
    attributes.push_back(
        ObjectWriter()
            .Str("id", absl::StrCat(id, ":attribute:", component))
            .Str("link_id", id)
            .Str("link_entity", "service")
            .Str("taxonomy_term_id", term_id)
            .Object("taxonomy_term",
                    ObjectWriter()
                        .Str("id", term_id)
                        .Str("code", component)
                        .Str("name", term.name)
                        .Str("description", term.description)
                        .Str("taxonomy", term.taxonomy_id)
                        .Done())
            .Done());
  }
  w.List("attributes", std::move(attributes));
  if (s.capacity().status() != homeward::v1::CAPACITY_STATUS_UNSPECIFIED) {
    ObjectWriter capacity;
    capacity.Str("status", NameOf(CapacityStatuses(), s.capacity().status()));
    if (s.capacity().expected_wait_days() != 0) {
      capacity.Number("expected_wait_days", s.capacity().expected_wait_days());
    }
    w.Object(kCapacityProperty, capacity.Str("note", s.capacity().note()).Done());
  }
  return w.Done();
}

}  // namespace

std::string HsdsPaths::Of(absl::string_view message_path) const {
  size_t end = message_path.size();
  while (end > 0) {
    auto it = renamed_.find(std::string(message_path.substr(0, end)));
    if (it != renamed_.end()) {
      return absl::StrCat(it->second, message_path.substr(end));
    }
    const size_t cut = message_path.find_last_of(".[", end - 1);
    if (cut == absl::string_view::npos) break;
    end = cut;
  }
  return Join(base_, message_path);
}

HsdsFile ReadHsds(const Struct& document, const ComponentTerms& terms,
                  FieldViolations& bad) {
  HsdsFile file;
  ObjectReader top(document, "", bad);
  std::map<std::string, std::string> organization_ids, location_ids,
      service_ids;
  top.Objects("organizations", [&](int, const ObjectReader& r) {
    HsdsPaths paths(r.path());
    file.entries.organizations.push_back(ReadOrganization(r, paths));
    CheckUnique(bad, organization_ids,
                file.entries.organizations.back().organization_id(), r.path());
    file.organization_paths.push_back(std::move(paths));
  });
  top.Objects("locations", [&](int, const ObjectReader& r) {
    HsdsPaths paths(r.path());
    file.entries.locations.push_back(ReadLocation(r, paths));
    CheckUnique(bad, location_ids, file.entries.locations.back().location_id(),
                r.path());
    file.location_paths.push_back(std::move(paths));
  });
  std::map<std::string, size_t> service_index;
  top.Objects("services", [&](int, const ObjectReader& r) {
    HsdsPaths paths(r.path());
    file.entries.services.push_back(ReadService(r, terms, paths));
    const std::string& id = file.entries.services.back().service_id();
    CheckUnique(bad, service_ids, id, r.path());
    service_index.emplace(id, file.entries.services.size() - 1);
    file.service_paths.push_back(std::move(paths));
  });
  // The top-level form links by service_id; the entries join their service.
  top.Objects("service_at_locations", [&](int, const ObjectReader& r) {
    const std::string service_id = r.Str("service_id");
    auto it = service_index.find(service_id);
    if (service_id.empty() || it == service_index.end()) {
      bad.Add(r.Path("service_id"),
              "must be the id of a service of this file (an import replaces "
              "each service with its locations)");
      return;
    }
    HumanService& s = file.entries.services[it->second];
    file.service_paths[it->second].Rename(
        Indexed("locations", s.locations_size()), r.path());
    *s.add_locations() = ReadServiceAtLocation(r);
  });
  return file;
}

FieldViolations CheckHsdsFile(const HsdsFile& file,
                              const DirectoryFacts& stored) {
  FieldViolations bad;
  std::map<std::string, std::string> file_locations;  // id -> organization
  std::set<std::string> file_organizations;
  for (const auto& o : file.entries.organizations) {
    file_organizations.insert(o.organization_id());
  }
  for (const auto& l : file.entries.locations) {
    file_locations.emplace(l.location_id(), l.organization_id());
  }
  DirectoryFacts facts;
  facts.components = stored.components;
  facts.organization_exists = [&](absl::string_view id) {
    return file_organizations.count(std::string(id)) > 0 ||
           (stored.organization_exists && stored.organization_exists(id));
  };
  facts.location_organization =
      [&](absl::string_view id) -> std::optional<std::string> {
    auto it = file_locations.find(std::string(id));
    if (it != file_locations.end()) return it->second;
    return stored.location_organization ? stored.location_organization(id)
                                        : std::nullopt;
  };

  auto check_move = [&](FieldViolations& out, const std::optional<std::string>&
                                                  was,
                        const std::string& now, absl::string_view what) {
    if (was.has_value() && *was != now) {
      out.Add("organization_id",
              absl::StrCat("cannot change: the ", what, " belongs to '", *was,
                           "' in the directory"));
    }
  };
  const auto& e = file.entries;
  for (size_t i = 0; i < e.organizations.size(); ++i) {
    AddAt(bad, CheckOrganization(e.organizations[i], IdPolicy::kRequired),
          file.organization_paths[i]);
  }
  for (size_t i = 0; i < e.locations.size(); ++i) {
    const Location& l = e.locations[i];
    FieldViolations rules = CheckLocation(l, IdPolicy::kRequired, facts);
    if (stored.location_organization && !l.location_id().empty()) {
      check_move(rules, stored.location_organization(l.location_id()),
                 l.organization_id(), "location");
    }
    AddAt(bad, rules, file.location_paths[i]);
  }
  for (size_t i = 0; i < e.services.size(); ++i) {
    const HumanService& s = e.services[i];
    FieldViolations rules = CheckService(s, IdPolicy::kRequired, facts);
    if (stored.service_organization && !s.service_id().empty()) {
      check_move(rules, stored.service_organization(s.service_id()),
                 s.organization_id(), "service");
    }
    AddAt(bad, rules, file.service_paths[i]);
    if (s.has_capacity()) {
      AddAt(bad, CheckCapacity(s.capacity()), file.service_paths[i],
            "capacity.");
    }
  }
  return bad;
}

Struct WriteHsds(const DirectoryEntries& entries, const ComponentTerms& terms) {
  std::vector<Struct> organizations, locations, services, at_locations;
  for (const auto& o : entries.organizations) {
    organizations.push_back(OrganizationDocument(o));
  }
  for (const auto& l : entries.locations) locations.push_back(LocationDocument(l));
  for (const auto& s : entries.services) {
    services.push_back(ServiceDocument(s, terms));
    for (const auto& at : s.locations()) {
      at_locations.push_back(ObjectWriter()
                                 .Str("id", at.service_at_location_id())
                                 .Str("service_id", s.service_id())
                                 .Str("location_id", at.location_id())
                                 .Str("description", at.description())
                                 .Done());
    }
  }
  // Every list is written, even empty, so that a reader sees the document's
  // shape.
  Struct document;
  auto set_list = [&document](const char* key, std::vector<Struct> items) {
    Value& v = (*document.mutable_fields())[key];
    v.mutable_list_value();
    for (Struct& item : items) {
      *v.mutable_list_value()->add_values()->mutable_struct_value() =
          std::move(item);
    }
  };
  set_list("organizations", std::move(organizations));
  set_list("locations", std::move(locations));
  set_list("services", std::move(services));
  set_list("service_at_locations", std::move(at_locations));
  return document;
}

std::optional<int64_t> ToMinorUnits(double amount, int exponent) {
  if (!std::isfinite(amount) || amount < 0) return std::nullopt;
  if (amount == 0) return 0;
  // The shortest decimal form that reads back as `amount`: what the file
  // said (12.5, not 12.4999999999999...).
  char text[64];
  int precision = 0;
  for (; precision <= 17; ++precision) {
    std::snprintf(text, sizeof text, "%.*e", precision, amount);
    if (std::strtod(text, nullptr) == amount) break;
  }
  // text is "d.ddde+XX": digits D (precision + 1 of them) times
  // 10^(XX - precision).
  std::string digits;
  const char* p = text;
  for (; *p != 'e'; ++p) {
    if (*p != '.') digits.push_back(*p);
  }
  int power = std::atoi(p + 1) - precision;
  while (digits.size() > 1 && digits.back() == '0') {
    digits.pop_back();
    ++power;
  }
  const int shift = power + exponent;  // minor = D * 10^shift
  if (shift < 0) return std::nullopt;  // more decimals than the currency
  if (static_cast<int>(digits.size()) + shift > 16) return std::nullopt;
  int64_t minor = std::stoll(digits);
  for (int i = 0; i < shift; ++i) minor *= 10;
  if (minor > kMaxMinorUnits) return std::nullopt;
  return minor;
}

double FromMinorUnits(int64_t minor, int exponent) {
  // Dividing by an exact power of ten gives the double nearest the decimal
  // value, whose shortest form is that decimal again.
  return static_cast<double>(minor) / std::pow(10.0, exponent);
}

}  // namespace homeward::referral
