// Instrument definition rules and content hash; see instrument_rules.h.
#include "services/assessment/instruments/instrument_rules.h"

#include <cmath>
#include <cstdio>
#include <map>
#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "common/catalog/content_hash.h"
#include "common/programme/taxonomy.h"
#include "services/assessment/instruments/instrument_catalog.h"
#include "services/assessment/instruments/vulnerability_rules.h"

namespace homeward::assessment {
namespace {

using errors::FieldViolations;
using google::protobuf::Map;
using google::protobuf::RepeatedPtrField;
using homeward::v1::AnswerType;
using homeward::v1::Condition;
using homeward::v1::Dimension;
using homeward::v1::InstrumentDefinition;
using homeward::v1::Item;
using homeward::v1::ItemWeight;
using homeward::v1::ScoreKind;

constexpr char kIdRule[] =
    "must be 1 to 64 characters from a-z, 0-9 and _ (e.g. \"food_reduction\")";
constexpr char kCodeRule[] =
    "must be 1 to 64 characters from A-Z, 0-9 and _ (e.g. "
    "\"UNACCOMPANIED_CHILD\")";
// Scores exist only for the three dimensions of reintegration.
constexpr char kScoredDimensionRule[] =
    "is required: DIMENSION_ECONOMIC, DIMENSION_SOCIAL or "
    "DIMENSION_PSYCHOSOCIAL (only these are scored)";
constexpr char kDimensionRule[] =
    "is required: DIMENSION_ECONOMIC, DIMENSION_SOCIAL, "
    "DIMENSION_PSYCHOSOCIAL, DIMENSION_IMMEDIATE_ASSISTANCE or "
    "DIMENSION_PROTECTION";
constexpr char kPriorityRule[] =
    "is required: NEED_PRIORITY_LOW, NEED_PRIORITY_MEDIUM, "
    "NEED_PRIORITY_HIGH or NEED_PRIORITY_URGENT";

bool IsScoredDimension(Dimension d) {
  return d == homeward::v1::DIMENSION_ECONOMIC ||
         d == homeward::v1::DIMENSION_SOCIAL ||
         d == homeward::v1::DIMENSION_PSYCHOSOCIAL;
}

bool IsId(absl::string_view id, bool upper) {
  if (id.empty() || id.size() > kMaxInstrumentIdLength) return false;
  for (char c : id) {
    bool letter = upper ? absl::ascii_isupper(c) : absl::ascii_islower(c);
    if (!letter && !absl::ascii_isdigit(c) && c != '_') return false;
  }
  return true;
}

void CheckId(FieldViolations& bad, const std::string& field,
             absl::string_view id) {
  if (id.empty()) {
    bad.Add(field, absl::StrCat("is required: ", kIdRule));
  } else if (!IsId(id, /*upper=*/false)) {
    bad.Add(field, kIdRule);
  }
}

bool IsBlank(absl::string_view text) {
  return absl::StripAsciiWhitespace(text).empty();
}

// A wording map (language code -> text) needs at least one entry, and no
// entry may be blank. Keys are visited in order so violations are stable.
void CheckWording(FieldViolations& bad, const std::string& field,
                  const Map<std::string, std::string>& wording) {
  if (wording.empty()) {
    bad.Add(field,
            "is required: the wording in at least one language, e.g. { key: "
            "\"en\" value: \"...\" }");
    return;
  }
  std::map<std::string, std::string> sorted(wording.begin(), wording.end());
  for (const auto& [language, text] : sorted) {
    if (IsBlank(language)) {
      bad.Add(field, "has an empty language code; use e.g. \"en\" or \"fr\"");
    } else if (IsBlank(text)) {
      bad.Add(absl::StrCat(field, "[", language, "]"), "must not be blank");
    }
  }
}

bool IsChoice(AnswerType type) {
  return type == homeward::v1::ANSWER_TYPE_SINGLE_CHOICE ||
         type == homeward::v1::ANSWER_TYPE_MULTIPLE_CHOICE ||
         type == homeward::v1::ANSWER_TYPE_YES_NO;
}

bool IsScorable(AnswerType type) {
  return IsChoice(type) || type == homeward::v1::ANSWER_TYPE_NUMBER;
}

bool InUnitRange(double x) { return std::isfinite(x) && x >= 0 && x <= 1; }

// Ids of every item named in a weight list: these are the scored items.
std::set<std::string> ScoredItemIds(const InstrumentDefinition& d) {
  std::set<std::string> ids;
  for (const auto& dw : d.dimension_weights()) {
    for (const ItemWeight& w : dw.weights()) ids.insert(w.item_id());
  }
  for (const ItemWeight& w : d.composite_weights()) ids.insert(w.item_id());
  return ids;
}

void CheckOptions(FieldViolations& bad, const std::string& p, const Item& item,
                  bool scored) {
  const AnswerType type = item.answer_type();
  if (!IsChoice(type)) {
    if (item.options_size() > 0) {
      bad.Add(
          p + ".options",
          "only single-choice, multiple-choice and yes/no items have options");
    }
    return;
  }
  if (type == homeward::v1::ANSWER_TYPE_YES_NO) {
    std::set<std::string> ids;
    for (const auto& o : item.options()) ids.insert(o.id());
    if (item.options_size() != 2 || ids != std::set<std::string>{"yes", "no"}) {
      bad.Add(p + ".options",
              "a yes/no item has exactly the two options \"yes\" and \"no\"");
    }
  } else if (item.options_size() == 0) {
    bad.Add(p + ".options",
            "is required: a choice item needs at least one option");
  }
  std::map<std::string, int> seen;
  for (int j = 0; j < item.options_size(); ++j) {
    const auto& o = item.options(j);
    const std::string op = absl::StrCat(p, ".options[", j, "]");
    CheckId(bad, op + ".id", o.id());
    if (!o.id().empty()) {
      auto [it, fresh] = seen.emplace(o.id(), j);
      if (!fresh) {
        bad.Add(op + ".id",
                absl::StrCat("'", o.id(), "' is already the id of options[",
                             it->second, "]"));
      }
    }
    // The wording of "yes" and "no" is the form's to supply; other options
    // must say what they mean.
    if (type != homeward::v1::ANSWER_TYPE_YES_NO || !o.label().empty()) {
      CheckWording(bad, op + ".label", o.label());
    }
    // "None of these" excludes the other options; only a multiple-choice item
    // lets several be chosen, so elsewhere the mark would mean nothing.
    if (o.exclusive() && type != homeward::v1::ANSWER_TYPE_MULTIPLE_CHOICE) {
      bad.Add(op + ".exclusive",
              "only options of multiple-choice items can be exclusive");
    }
    if (o.has_value()) {
      if (!InUnitRange(o.value())) {
        bad.Add(op + ".value", "must be in 0..1 (0 worst, 1 best)");
      }
    } else if (scored) {
      bad.Add(op + ".value",
              "is required because the item is scored (listed in "
              "dimension_weights or composite_weights): a value in 0..1 (0 "
              "worst, 1 best)");
    }
  }
}

void CheckNumberRange(FieldViolations& bad, const std::string& p,
                      const Item& item) {
  const std::string field = p + ".number_range";
  if (item.answer_type() != homeward::v1::ANSWER_TYPE_NUMBER) {
    if (item.has_number_range())
      bad.Add(field, "only number items have a number_range");
    return;
  }
  const auto& r = item.number_range();
  if (!item.has_number_range()) {
    bad.Add(
        field,
        "is required for a number item: { min: ... max: ... } with min < max");
  } else if (!std::isfinite(r.min()) || !std::isfinite(r.max())) {
    bad.Add(field, "min and max must be finite numbers");
  } else if (r.min() >= r.max()) {
    bad.Add(field, absl::StrCat("min must be less than max (min is ",
                                FormatNumber(r.min()), ", max is ",
                                FormatNumber(r.max()), ")"));
  }
}

void CheckItem(FieldViolations& bad, int i, const Item& item,
               const std::set<std::string>& scored_ids, ItemIndex& index,
               std::map<std::string, int>& first_position) {
  const std::string p = absl::StrCat("items[", i, "]");
  CheckId(bad, p + ".id", item.id());
  if (!item.id().empty()) {
    auto [it, fresh] = first_position.emplace(item.id(), i);
    if (fresh) {
      index[item.id()] = &item;
    } else {
      bad.Add(p + ".id",
              absl::StrCat("'", item.id(), "' is already the id of items[",
                           it->second, "]"));
    }
  }
  CheckWording(bad, p + ".question", item.question());
  const AnswerType type = item.answer_type();
  const bool type_known = type != homeward::v1::ANSWER_TYPE_UNSPECIFIED &&
                          homeward::v1::AnswerType_IsValid(type);
  const bool scored = !item.id().empty() && scored_ids.count(item.id()) > 0;
  if (!type_known) {
    bad.Add(
        p + ".answer_type",
        "is required: ANSWER_TYPE_SINGLE_CHOICE, ANSWER_TYPE_MULTIPLE_CHOICE, "
        "ANSWER_TYPE_NUMBER, ANSWER_TYPE_YES_NO, ANSWER_TYPE_DATE or "
        "ANSWER_TYPE_TEXT");
  } else if (scored && !IsScorable(type)) {
    bad.Add(
        p + ".answer_type",
        "must be single-choice, multiple-choice, yes/no or number because "
        "the item is listed in dimension_weights or composite_weights; date "
        "and text items are never scored");
  }
  if (!homeward::v1::Dimension_IsValid(item.dimension())) {
    bad.Add(p + ".dimension", "is not a known dimension");
  }
  if (!homeward::v1::FactorLevel_IsValid(item.factor_level())) {
    bad.Add(p + ".factor_level", "is not a known factor level");
  }
  if (!homeward::v1::FactorType_IsValid(item.factor_type())) {
    bad.Add(p + ".factor_type", "is not a known factor type");
  }
  // A DoMV factor says both where it acts and which way it pushes.
  const bool has_level =
      item.factor_level() != homeward::v1::FACTOR_LEVEL_UNSPECIFIED;
  const bool has_type =
      item.factor_type() != homeward::v1::FACTOR_TYPE_UNSPECIFIED;
  if (has_level && !has_type) {
    bad.Add(p + ".factor_type",
            "is required when factor_level is set: FACTOR_TYPE_RISK or "
            "FACTOR_TYPE_PROTECTIVE");
  } else if (has_type && !has_level) {
    bad.Add(p + ".factor_level",
            "is required when factor_type is set: FACTOR_LEVEL_INDIVIDUAL, "
            "FACTOR_LEVEL_HOUSEHOLD, FACTOR_LEVEL_COMMUNITY or "
            "FACTOR_LEVEL_STRUCTURAL");
  }
  CheckOptions(bad, p, item, scored);
  CheckNumberRange(bad, p, item);
}

// Checks one weight list. `list` is its path ("composite_weights" or
// "dimension_weights[0].weights"); `dimension` is the dimension its items
// must have, or UNSPECIFIED for the composite (any scored item).
void CheckWeights(FieldViolations& bad, const std::string& list,
                  const RepeatedPtrField<ItemWeight>& weights,
                  const ItemIndex& index, Dimension dimension) {
  std::map<std::string, int> seen;
  bool weights_valid = true;
  double sum = 0;
  for (int j = 0; j < weights.size(); ++j) {
    const ItemWeight& w = weights.Get(j);
    const std::string wp = absl::StrCat(list, "[", j, "]");
    if (!std::isfinite(w.weight()) || w.weight() <= 0) {
      bad.Add(wp + ".weight", "must be greater than 0");
      weights_valid = false;
    }
    sum += w.weight();
    if (w.item_id().empty()) {
      bad.Add(wp + ".item_id", "is required: the id of a scored item");
      continue;
    }
    auto it = index.find(w.item_id());
    if (it == index.end()) {
      bad.Add(wp + ".item_id",
              absl::StrCat("no item has the id '", w.item_id(), "'"));
    } else if (dimension != homeward::v1::DIMENSION_UNSPECIFIED &&
               it->second->dimension() != dimension) {
      bad.Add(
          wp + ".item_id",
          absl::StrCat("item '", w.item_id(), "' has dimension ",
                       homeward::v1::Dimension_Name(it->second->dimension()),
                       "; only items whose dimension is ",
                       homeward::v1::Dimension_Name(dimension),
                       " are weighted here"));
    }
    auto [first, fresh] = seen.emplace(w.item_id(), j);
    if (!fresh) {
      bad.Add(wp + ".item_id",
              absl::StrCat("'", w.item_id(), "' is already listed in ", list,
                           "[", first->second, "]"));
    }
  }
  // A bad weight already explains a wrong sum; do not report it twice.
  if (weights_valid && !weights.empty() &&
      std::fabs(sum - 1.0) > kWeightSumTolerance) {
    bad.Add(list,
            absl::StrCat("weights must sum to 1 (within 1e-6); they sum to ",
                         FormatNumber(sum)));
  }
}

void CheckDimensionWeights(FieldViolations& bad, const InstrumentDefinition& d,
                           const ItemIndex& index) {
  std::map<Dimension, int> seen;
  for (int k = 0; k < d.dimension_weights_size(); ++k) {
    const auto& dw = d.dimension_weights(k);
    const std::string p = absl::StrCat("dimension_weights[", k, "]");
    Dimension dim = dw.dimension();
    if (!IsScoredDimension(dim)) {
      bad.Add(p + ".dimension", kScoredDimensionRule);
      dim = homeward::v1::DIMENSION_UNSPECIFIED;  // so items are not compared
                                                  // with it
    } else if (auto [it, fresh] = seen.emplace(dim, k); !fresh) {
      bad.Add(p + ".dimension",
              absl::StrCat(homeward::v1::Dimension_Name(dim),
                           " is already weighted in dimension_weights[",
                           it->second, "]; list each dimension once"));
    }
    if (dw.weights().empty()) {
      bad.Add(p + ".weights", "must list at least one item");
    }
    CheckWeights(bad, p + ".weights", dw.weights(), index, dim);
  }
}

std::string ScoreName(ScoreKind kind) {
  return homeward::v1::ScoreKind_Name(kind);
}

std::string NotComputed(ScoreKind kind) {
  if (kind == homeward::v1::SCORE_KIND_COMPOSITE) {
    return "the instrument computes no SCORE_KIND_COMPOSITE score "
           "(composite_weights is empty)";
  }
  return absl::StrCat("the instrument computes no ", ScoreName(kind),
                      " score (no dimension_weights for ",
                      homeward::v1::Dimension_Name(DimensionOf(kind)), ")");
}

bool IsKnownScore(ScoreKind kind) {
  return kind != homeward::v1::SCORE_KIND_UNSPECIFIED &&
         homeward::v1::ScoreKind_IsValid(kind);
}

void CheckBands(FieldViolations& bad, const InstrumentDefinition& d) {
  std::map<ScoreKind, int> seen;
  for (int k = 0; k < d.bands_size(); ++k) {
    const auto& sb = d.bands(k);
    const std::string p = absl::StrCat("bands[", k, "]");
    if (!IsKnownScore(sb.score())) {
      bad.Add(p + ".score",
              "is required: SCORE_KIND_ECONOMIC, SCORE_KIND_SOCIAL, "
              "SCORE_KIND_PSYCHOSOCIAL or SCORE_KIND_COMPOSITE");
    } else if (auto [it, fresh] = seen.emplace(sb.score(), k); !fresh) {
      bad.Add(
          p + ".score",
          absl::StrCat(ScoreName(sb.score()), " already has bands in bands[",
                       it->second, "]; give each score one list of bands"));
    } else if (!ComputesScore(d, sb.score())) {
      bad.Add(p + ".score", NotComputed(sb.score()));
    }
    if (sb.bands().empty())
      bad.Add(p + ".bands", "must list at least one band");
    // Bands are listed from low to high so that "the last band also takes
    // score == max" names the top band.
    int previous = -1;
    for (int j = 0; j < sb.bands_size(); ++j) {
      const auto& b = sb.bands(j);
      const std::string bp = absl::StrCat(p, ".bands[", j, "]");
      if (IsBlank(b.label()))
        bad.Add(bp + ".label", "is required, e.g. \"high\"");
      bool valid = true;
      if (!InUnitRange(b.min())) {
        bad.Add(bp + ".min", "must be in 0..1");
        valid = false;
      }
      if (!InUnitRange(b.max())) {
        bad.Add(bp + ".max", "must be in 0..1");
        valid = false;
      }
      if (valid && b.min() >= b.max()) {
        bad.Add(bp, absl::StrCat("min must be less than max (min is ",
                                 FormatNumber(b.min()), ", max is ",
                                 FormatNumber(b.max()), ")"));
        valid = false;
      }
      if (!valid) continue;
      if (previous >= 0 && b.min() < sb.bands(previous).max()) {
        bad.Add(
            bp + ".min",
            absl::StrCat(
                "must be at least bands[", previous, "].max (",
                FormatNumber(sb.bands(previous).max()),
                "): bands are listed from low to high and must not overlap"));
      }
      previous = j;
    }
  }
}

void CheckBound(FieldViolations& bad, const std::string& field, bool has,
                double x, bool unit) {
  if (!has) return;
  if (!std::isfinite(x)) {
    bad.Add(field, "must be a finite number");
  } else if (unit && (x < 0 || x > 1)) {
    bad.Add(field, "must be in 0..1: scores lie in 0..1");
  }
}

void CheckItemCondition(FieldViolations& bad, const std::string& p,
                        const Condition& c, const ItemIndex& index) {
  auto it = index.find(c.item_id());
  if (it == index.end()) {
    bad.Add(p + ".item_id",
            absl::StrCat("no item has the id '", c.item_id(), "'"));
    return;
  }
  const Item& item = *it->second;
  const bool has_bound = c.has_at_least() || c.has_at_most();
  if (IsChoice(item.answer_type())) {
    if (c.has_at_least()) {
      bad.Add(p + ".at_least",
              absl::StrCat("only number items and scores take at_least; use "
                           "any_of_options for item '",
                           item.id(), "'"));
    }
    if (c.has_at_most()) {
      bad.Add(p + ".at_most",
              absl::StrCat("only number items and scores take at_most; use "
                           "any_of_options for item '",
                           item.id(), "'"));
    }
    if (c.any_of_options().empty()) {
      bad.Add(p + ".any_of_options",
              absl::StrCat("is required: the ids of the options of item '",
                           item.id(), "' that satisfy the condition"));
    }
    std::set<std::string> options;
    for (const auto& o : item.options()) options.insert(o.id());
    for (int m = 0; m < c.any_of_options_size(); ++m) {
      if (options.count(c.any_of_options(m)) == 0) {
        bad.Add(absl::StrCat(p, ".any_of_options[", m, "]"),
                absl::StrCat("item '", item.id(), "' has no option '",
                             c.any_of_options(m), "'"));
      }
    }
  } else if (item.answer_type() == homeward::v1::ANSWER_TYPE_NUMBER) {
    if (!c.any_of_options().empty()) {
      bad.Add(p + ".any_of_options",
              absl::StrCat("only choice and yes/no items take any_of_options; "
                           "use at_least / at_most for number item '",
                           item.id(), "'"));
    }
    if (!has_bound) {
      bad.Add(p,
              absl::StrCat("needs at_least, at_most or both for number item '",
                           item.id(), "'"));
    }
  } else {
    bad.Add(p + ".item_id",
            absl::StrCat("item '", item.id(),
                         "' is not a choice, yes/no or number item; conditions "
                         "cannot test date or text answers"));
  }
}

void CheckScoreCondition(FieldViolations& bad, const std::string& p,
                         const Condition& c, const InstrumentDefinition& d) {
  if (!homeward::v1::ScoreKind_IsValid(c.score())) {
    bad.Add(p + ".score", "is not a known score kind");
  } else if (!ComputesScore(d, c.score())) {
    bad.Add(p + ".score", NotComputed(c.score()));
  }
  if (!c.any_of_options().empty()) {
    bad.Add(p + ".any_of_options",
            "only conditions on choice and yes/no items take any_of_options; "
            "use at_least / at_most for a score");
  }
  if (!c.has_at_least() && !c.has_at_most()) {
    bad.Add(p, "needs at_least, at_most or both for a score condition");
  }
}

void CheckCondition(FieldViolations& bad, const std::string& p,
                    const Condition& c, const InstrumentDefinition& d,
                    const ItemIndex& index) {
  const bool has_item = !c.item_id().empty();
  const bool has_score = c.score() != homeward::v1::SCORE_KIND_UNSPECIFIED;
  if (has_item == has_score) {
    bad.Add(p, "must name exactly one of item_id or score");
    return;
  }
  CheckBound(bad, p + ".at_least", c.has_at_least(), c.at_least(), has_score);
  CheckBound(bad, p + ".at_most", c.has_at_most(), c.at_most(), has_score);
  if (c.has_at_least() && c.has_at_most() && std::isfinite(c.at_least()) &&
      std::isfinite(c.at_most()) && c.at_least() > c.at_most()) {
    bad.Add(p, absl::StrCat("at_least (", FormatNumber(c.at_least()),
                            ") must not be greater than at_most (",
                            FormatNumber(c.at_most()), ")"));
  }
  if (has_item) {
    CheckItemCondition(bad, p, c, index);
  } else {
    CheckScoreCondition(bad, p, c, d);
  }
}

void CheckConditions(FieldViolations& bad, const std::string& p,
                     const RepeatedPtrField<Condition>& all_of,
                     const InstrumentDefinition& d, const ItemIndex& index) {
  if (all_of.empty()) {
    bad.Add(p + ".all_of", "must list at least one condition");
  }
  for (int m = 0; m < all_of.size(); ++m) {
    CheckCondition(bad, absl::StrCat(p, ".all_of[", m, "]"), all_of.Get(m), d,
                   index);
  }
}

void CheckCode(FieldViolations& bad, const std::string& field,
               absl::string_view code) {
  if (code.empty()) {
    bad.Add(field, absl::StrCat("is required: ", kCodeRule));
  } else if (!IsId(code, /*upper=*/true)) {
    bad.Add(field, kCodeRule);
  }
}

void CheckPriority(FieldViolations& bad, const std::string& field,
                   homeward::v1::NeedPriority priority) {
  if (priority == homeward::v1::NEED_PRIORITY_UNSPECIFIED ||
      !homeward::v1::NeedPriority_IsValid(priority)) {
    bad.Add(field, kPriorityRule);
  }
}

// Need categories and flag responses are components of the taxonomy the
// instrument names, so that needs, concerns, plans and referrals speak of the
// same things. `taxonomy` is null when that taxonomy is not published; the
// violation is then reported once, on taxonomy_version.
void CheckTaxonomy(FieldViolations& bad, const InstrumentDefinition& d,
                   const homeward::v1::Taxonomy* taxonomy) {
  if (d.flag_rules().empty() && d.need_rules().empty()) return;
  if (d.taxonomy_id().empty()) {
    bad.Add("taxonomy_id",
            "is required because the instrument has need or flag rules: the "
            "taxonomy whose components they name, e.g. \"reintegration\"");
  }
  if (d.taxonomy_version() < 1) {
    bad.Add("taxonomy_version",
            "is required because the instrument has need or flag rules: a "
            "published version of the taxonomy, 1 or more");
  } else if (!d.taxonomy_id().empty() &&
             (taxonomy == nullptr ||
              taxonomy->taxonomy_id() != d.taxonomy_id() ||
              taxonomy->version() != d.taxonomy_version())) {
    bad.Add("taxonomy_version",
            absl::StrCat("taxonomy '", d.taxonomy_id(), "' version ",
                         d.taxonomy_version(),
                         " is not published; publish it first or name a "
                         "published version"));
  }
}

// Whether need categories and flag responses can be checked against
// `taxonomy`: it is the one the definition names.
bool CanCheckComponents(const InstrumentDefinition& d,
                        const homeward::v1::Taxonomy* taxonomy) {
  return taxonomy != nullptr && taxonomy->taxonomy_id() == d.taxonomy_id() &&
         taxonomy->version() == d.taxonomy_version();
}

// Several rules may share a code: each is an alternative way to raise the
// same flag or need (conditions within a rule are all required).
void CheckRules(FieldViolations& bad, const InstrumentDefinition& d,
                const ItemIndex& index,
                const homeward::v1::Taxonomy* taxonomy) {
  const bool components = CanCheckComponents(d, taxonomy);
  for (int k = 0; k < d.flag_rules_size(); ++k) {
    const auto& r = d.flag_rules(k);
    const std::string p = absl::StrCat("flag_rules[", k, "]");
    CheckCode(bad, p + ".code", r.code());
    CheckWording(bad, p + ".label", r.label());
    CheckPriority(bad, p + ".priority", r.priority());
    if (IsBlank(r.response_category())) {
      bad.Add(p + ".response_category",
              "is required: the taxonomy component of the response the flag "
              "calls for, e.g. \"counter_trafficking\"");
    } else if (components) {
      programme::CheckComponent(*taxonomy, homeward::v1::DIMENSION_UNSPECIFIED,
                                r.response_category(), p, bad,
                                "response_category");
    }
    CheckConditions(bad, p, r.all_of(), d, index);
  }
  for (int k = 0; k < d.need_rules_size(); ++k) {
    const auto& r = d.need_rules(k);
    const std::string p = absl::StrCat("need_rules[", k, "]");
    CheckCode(bad, p + ".code", r.code());
    if (r.dimension() == homeward::v1::DIMENSION_UNSPECIFIED ||
        !homeward::v1::Dimension_IsValid(r.dimension())) {
      bad.Add(p + ".dimension", kDimensionRule);
    }
    if (IsBlank(r.category())) {
      bad.Add(p + ".category",
              "is required: a component of the instrument's taxonomy, e.g. "
              "\"housing\" or \"documentation\"");
    } else if (components) {
      // The dimension is compared only when it is itself valid, so that a
      // missing dimension is reported once.
      const Dimension dim = homeward::v1::Dimension_IsValid(r.dimension())
                                ? r.dimension()
                                : homeward::v1::DIMENSION_UNSPECIFIED;
      programme::CheckComponent(*taxonomy, dim, r.category(), p, bad);
    }
    CheckWording(bad, p + ".description", r.description());
    CheckPriority(bad, p + ".priority", r.priority());
    CheckConditions(bad, p, r.all_of(), d, index);
  }
}

}  // namespace

ScoreKind ScoreKindOf(Dimension dimension) {
  switch (dimension) {
    case homeward::v1::DIMENSION_ECONOMIC:
      return homeward::v1::SCORE_KIND_ECONOMIC;
    case homeward::v1::DIMENSION_SOCIAL:
      return homeward::v1::SCORE_KIND_SOCIAL;
    case homeward::v1::DIMENSION_PSYCHOSOCIAL:
      return homeward::v1::SCORE_KIND_PSYCHOSOCIAL;
    default:
      return homeward::v1::SCORE_KIND_UNSPECIFIED;
  }
}

Dimension DimensionOf(ScoreKind kind) {
  switch (kind) {
    case homeward::v1::SCORE_KIND_ECONOMIC:
      return homeward::v1::DIMENSION_ECONOMIC;
    case homeward::v1::SCORE_KIND_SOCIAL:
      return homeward::v1::DIMENSION_SOCIAL;
    case homeward::v1::SCORE_KIND_PSYCHOSOCIAL:
      return homeward::v1::DIMENSION_PSYCHOSOCIAL;
    default:
      return homeward::v1::DIMENSION_UNSPECIFIED;
  }
}

bool ComputesScore(const InstrumentDefinition& definition, ScoreKind kind) {
  if (kind == homeward::v1::SCORE_KIND_COMPOSITE) {
    return !definition.composite_weights().empty();
  }
  const Dimension dim = DimensionOf(kind);
  if (dim == homeward::v1::DIMENSION_UNSPECIFIED) return false;
  for (const auto& dw : definition.dimension_weights()) {
    if (dw.dimension() == dim && !dw.weights().empty()) return true;
  }
  return false;
}

FieldViolations ValidateInstrument(const InstrumentDefinition& d,
                                   const homeward::v1::Taxonomy* taxonomy) {
  FieldViolations bad;
  CheckId(bad, "instrument_id", d.instrument_id());
  if (d.version() < 1) bad.Add("version", "must be 1 or more");
  if (d.kind() == homeward::v1::INSTRUMENT_KIND_UNSPECIFIED ||
      !homeward::v1::InstrumentKind_IsValid(d.kind())) {
    bad.Add(
        "kind",
        "is required: INSTRUMENT_KIND_RSS, "
        "INSTRUMENT_KIND_VULNERABILITY_SCREENING, "
        "INSTRUMENT_KIND_NEEDS_AND_CAPACITIES, "
        "INSTRUMENT_KIND_RISK_ASSESSMENT, INSTRUMENT_KIND_FAMILY_ASSESSMENT "
        "or INSTRUMENT_KIND_PSYCHOSOCIAL_SCREENING");
  }
  if (d.items().empty()) bad.Add("items", "must list at least one item");

  const std::set<std::string> scored_ids = ScoredItemIds(d);
  ItemIndex index;
  std::map<std::string, int> first_position;
  for (int i = 0; i < d.items_size(); ++i) {
    CheckItem(bad, i, d.items(i), scored_ids, index, first_position);
  }
  CheckDimensionWeights(bad, d, index);
  CheckWeights(bad, "composite_weights", d.composite_weights(), index,
               homeward::v1::DIMENSION_UNSPECIFIED);
  CheckBands(bad, d);
  CheckTaxonomy(bad, d, taxonomy);
  CheckRules(bad, d, index, taxonomy);
  ValidateVulnerabilityRules(d, bad);
  return bad;
}

FieldViolations ValidateInstrumentWith(const InstrumentDefinition& d,
                                       const TaxonomyLookup& lookup) {
  if (d.taxonomy_id().empty() || d.taxonomy_version() < 1) {
    return ValidateInstrument(d, nullptr);
  }
  absl::StatusOr<homeward::v1::Taxonomy> taxonomy =
      lookup(d.taxonomy_id(), d.taxonomy_version());
  if (taxonomy.ok()) return ValidateInstrument(d, &*taxonomy);
  FieldViolations unchecked = ValidateInstrument(d, nullptr);
  if (absl::IsNotFound(taxonomy.status())) return unchecked;
  // The taxonomy may well be published: say that it could not be read
  // instead of that it is missing.
  FieldViolations bad;
  for (const errors::FieldViolation& v : unchecked.violations()) {
    if (v.field != "taxonomy_version") bad.Add(v.field, v.description);
  }
  bad.Add("taxonomy_version", absl::StrCat("could not read the taxonomy: ",
                                           taxonomy.status().message()));
  return bad;
}

std::string FormatNumber(double x) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.10g", x);
  return buf;
}

std::string InstrumentContentHash(const InstrumentDefinition& definition) {
  const catalog::CatalogSchema& schema = InstrumentCatalogSchema();
  return catalog::ContentSha256(
      definition, {schema.content_hash_field, schema.publish_time_field});
}

}  // namespace homeward::assessment
