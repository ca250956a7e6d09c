// Answer validation and scoring; see scoring.h for the rules.
#include "services/assessment/instruments/scoring.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/api/scores.h"
#include "services/assessment/instruments/instrument_rules.h"
#include "services/assessment/instruments/vulnerability.h"

namespace homeward::assessment {
namespace {

using errors::FieldViolations;
using google::protobuf::RepeatedPtrField;
using homeward::v1::Answer;
using homeward::v1::AnswerType;
using homeward::v1::Condition;
using homeward::v1::InstrumentDefinition;
using homeward::v1::Item;
using homeward::v1::ItemWeight;
using homeward::v1::ScoreKind;
using homeward::v1::Scores;

using AnswerIndex = std::map<std::string, const Answer*>;

// The first item with each id (ids are unique in a valid definition).
ItemIndex IndexItems(const InstrumentDefinition& d) {
  ItemIndex index;
  for (const Item& item : d.items()) index.emplace(item.id(), &item);
  return index;
}

// The oneof field an item's answer must use.
Answer::ValueCase ExpectedValue(AnswerType type) {
  switch (type) {
    case homeward::v1::ANSWER_TYPE_SINGLE_CHOICE:
    case homeward::v1::ANSWER_TYPE_YES_NO:
      return Answer::kOptionId;
    case homeward::v1::ANSWER_TYPE_MULTIPLE_CHOICE:
      return Answer::kOptionIds;
    case homeward::v1::ANSWER_TYPE_NUMBER:
      return Answer::kNumber;
    case homeward::v1::ANSWER_TYPE_DATE:
      return Answer::kDate;
    case homeward::v1::ANSWER_TYPE_TEXT:
      return Answer::kText;
    default:
      return Answer::VALUE_NOT_SET;
  }
}

const char* ValueField(Answer::ValueCase value) {
  switch (value) {
    case Answer::kOptionId:
      return "option_id";
    case Answer::kOptionIds:
      return "option_ids";
    case Answer::kNumber:
      return "number";
    case Answer::kDate:
      return "date";
    case Answer::kText:
      return "text";
    default:
      return "value";
  }
}

const char* TypeWords(AnswerType type) {
  switch (type) {
    case homeward::v1::ANSWER_TYPE_SINGLE_CHOICE:
      return "a single-choice";
    case homeward::v1::ANSWER_TYPE_MULTIPLE_CHOICE:
      return "a multiple-choice";
    case homeward::v1::ANSWER_TYPE_NUMBER:
      return "a number";
    case homeward::v1::ANSWER_TYPE_YES_NO:
      return "a yes/no";
    case homeward::v1::ANSWER_TYPE_DATE:
      return "a date";
    case homeward::v1::ANSWER_TYPE_TEXT:
      return "a text";
    default:
      return "an untyped";
  }
}

const homeward::v1::AnswerOption* FindOption(const Item& item,
                                             const std::string& id) {
  for (const auto& o : item.options()) {
    if (o.id() == id) return &o;
  }
  return nullptr;
}

std::string UnknownOption(const Item& item, const std::string& id) {
  std::vector<std::string> allowed;
  for (const auto& o : item.options()) allowed.push_back(o.id());
  return absl::StrCat("item '", item.id(), "' has no option '", id,
                      "'; allowed: ", absl::StrJoin(allowed, ", "));
}

bool IsCalendarDate(int year, int month, int day) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30,
                                  31, 31, 30, 31, 30, 31};
  if (year < 1 || year > 9999 || month < 1 || month > 12 || day < 1)
    return false;
  const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  return day <= kDays[month - 1] + (month == 2 && leap ? 1 : 0);
}

void CheckValue(FieldViolations& bad, const std::string& p, const Item& item,
                const Answer& a) {
  const Answer::ValueCase expected = ExpectedValue(item.answer_type());
  if (a.value_case() == Answer::VALUE_NOT_SET) {
    bad.Add(p, absl::StrCat("has no value: item '", item.id(), "' is ",
                            TypeWords(item.answer_type()), " item; give ",
                            ValueField(expected)));
    return;
  }
  const std::string field = absl::StrCat(p, ".", ValueField(a.value_case()));
  if (a.value_case() != expected) {
    bad.Add(field, absl::StrCat("item '", item.id(), "' is ",
                                TypeWords(item.answer_type()), " item; give ",
                                ValueField(expected), " instead"));
    return;
  }
  switch (expected) {
    case Answer::kOptionId:
      if (FindOption(item, a.option_id()) == nullptr) {
        bad.Add(field, UnknownOption(item, a.option_id()));
      }
      break;
    case Answer::kOptionIds: {
      const auto& ids = a.option_ids().ids();
      if (ids.empty()) {
        bad.Add(field + ".ids",
                absl::StrCat("must select at least one option of item '",
                             item.id(), "'"));
      }
      std::map<std::string, int> seen;
      for (int k = 0; k < ids.size(); ++k) {
        const std::string ip = absl::StrCat(field, ".ids[", k, "]");
        if (FindOption(item, ids.Get(k)) == nullptr) {
          bad.Add(ip, UnknownOption(item, ids.Get(k)));
        } else if (auto [it, fresh] = seen.emplace(ids.Get(k), k); !fresh) {
          bad.Add(ip,
                  absl::StrCat("'", ids.Get(k), "' is already selected in ids[",
                               it->second, "]"));
        }
      }
      // "None of these" and the like mean nothing else applies.
      if (seen.size() > 1) {
        for (const auto& [id, k] : seen) {
          const auto* o = FindOption(item, id);
          if (o == nullptr || !o->exclusive()) continue;
          bad.Add(field + ".ids",
                  absl::StrCat("option '", id, "' of item '", item.id(),
                               "' is exclusive: choose it alone, not together "
                               "with other options"));
        }
      }
      break;
    }
    case Answer::kNumber: {
      const auto& r = item.number_range();
      if (!std::isfinite(a.number())) {
        bad.Add(field, "must be a finite number");
      } else if (a.number() < r.min() || a.number() > r.max()) {
        bad.Add(field, absl::StrCat("must be between ", FormatNumber(r.min()),
                                    " and ", FormatNumber(r.max()),
                                    " for item '", item.id(), "'"));
      }
      break;
    }
    case Answer::kDate:
      if (!IsCalendarDate(a.date().year(), a.date().month(), a.date().day())) {
        bad.Add(field,
                absl::StrCat("is not a calendar date (", a.date().year(), "-",
                             a.date().month(), "-", a.date().day(), ")"));
      }
      break;
    case Answer::kText:
      if (a.text().size() > kMaxTextAnswerBytes) {
        bad.Add(field, absl::StrCat("must be at most ", kMaxTextAnswerBytes,
                                    " bytes"));
      } else if (item.required() &&
                 absl::StripAsciiWhitespace(a.text()).empty()) {
        bad.Add(field, absl::StrCat("must not be blank: item '", item.id(),
                                    "' is required"));
      }
      break;
    default:
      break;
  }
}

std::optional<double> WeightedScore(const RepeatedPtrField<ItemWeight>& weights,
                                    const ItemIndex& items,
                                    const AnswerIndex& answers) {
  double weight_sum = 0;
  double weighted = 0;
  for (const ItemWeight& w : weights) {
    auto item = items.find(w.item_id());
    auto answer = answers.find(w.item_id());
    if (item == items.end() || answer == answers.end()) continue;
    std::optional<double> v = ItemValue(*item->second, *answer->second);
    if (!v.has_value()) continue;
    weight_sum += w.weight();
    weighted += w.weight() * *v;
  }
  if (!(weight_sum > 0)) return std::nullopt;
  // Clamped because the ratio of two rounded sums can exceed 1 by an ulp.
  return api::RoundScore(std::clamp(weighted / weight_sum, 0.0, 1.0));
}

void SetScore(Scores& scores, ScoreKind kind, double value) {
  switch (kind) {
    case homeward::v1::SCORE_KIND_ECONOMIC:
      scores.set_economic(value);
      break;
    case homeward::v1::SCORE_KIND_SOCIAL:
      scores.set_social(value);
      break;
    case homeward::v1::SCORE_KIND_PSYCHOSOCIAL:
      scores.set_psychosocial(value);
      break;
    case homeward::v1::SCORE_KIND_COMPOSITE:
      scores.set_composite(value);
      break;
    default:
      break;
  }
}

bool WithinBounds(const Condition& c, double x) {
  return (!c.has_at_least() || x >= c.at_least()) &&
         (!c.has_at_most() || x <= c.at_most());
}

bool Holds(const Condition& c, const AnswerIndex& answers,
           const Scores& scores) {
  if (c.item_id().empty()) {
    std::optional<double> score = api::ScoreOf(scores, c.score());
    return score.has_value() && WithinBounds(c, *score);
  }
  auto it = answers.find(c.item_id());
  if (it == answers.end()) return false;
  const Answer& a = *it->second;
  auto listed = [&c](const std::string& id) {
    return std::find(c.any_of_options().begin(), c.any_of_options().end(),
                     id) != c.any_of_options().end();
  };
  switch (a.value_case()) {
    case Answer::kOptionId:
      return listed(a.option_id());
    case Answer::kOptionIds:
      return std::any_of(a.option_ids().ids().begin(),
                         a.option_ids().ids().end(), listed);
    case Answer::kNumber:
      return (c.has_at_least() || c.has_at_most()) &&
             WithinBounds(c, a.number());
    default:
      return false;
  }
}

bool AllHold(const RepeatedPtrField<Condition>& all_of,
             const AnswerIndex& answers, const Scores& scores) {
  if (all_of.empty()) return false;
  return std::all_of(all_of.begin(), all_of.end(), [&](const Condition& c) {
    return Holds(c, answers, scores);
  });
}

const homeward::v1::Band* FindBand(const homeward::v1::ScoreBands& sb,
                                   double score) {
  for (int j = 0; j < sb.bands_size(); ++j) {
    const auto& b = sb.bands(j);
    const bool last = j == sb.bands_size() - 1;
    if (score >= b.min() && (score < b.max() || (last && score == b.max())))
      return &b;
  }
  return nullptr;
}

}  // namespace

std::optional<double> ItemValue(const Item& item, const Answer& answer) {
  switch (item.answer_type()) {
    case homeward::v1::ANSWER_TYPE_SINGLE_CHOICE:
    case homeward::v1::ANSWER_TYPE_YES_NO: {
      if (answer.value_case() != Answer::kOptionId) return std::nullopt;
      const auto* o = FindOption(item, answer.option_id());
      if (o == nullptr || !o->has_value()) return std::nullopt;
      return o->value();
    }
    case homeward::v1::ANSWER_TYPE_MULTIPLE_CHOICE: {
      if (answer.value_case() != Answer::kOptionIds) return std::nullopt;
      double sum = 0;
      int n = 0;
      for (const std::string& id : answer.option_ids().ids()) {
        const auto* o = FindOption(item, id);
        if (o == nullptr || !o->has_value()) return std::nullopt;
        sum += o->value();
        ++n;
      }
      if (n == 0) return std::nullopt;
      return sum / n;
    }
    case homeward::v1::ANSWER_TYPE_NUMBER: {
      if (answer.value_case() != Answer::kNumber) return std::nullopt;
      const auto& r = item.number_range();
      if (!std::isfinite(answer.number()) || !(r.max() > r.min()))
        return std::nullopt;
      double v = std::clamp((answer.number() - r.min()) / (r.max() - r.min()),
                            0.0, 1.0);
      return r.higher_is_better() ? v : 1.0 - v;
    }
    default:
      return std::nullopt;
  }
}

std::string PreferredWording(
    const google::protobuf::Map<std::string, std::string>& wording) {
  auto en = wording.find("en");
  if (en != wording.end()) return en->second;
  // Map iteration order is unspecified; pick the smallest key explicitly.
  const std::string* best_key = nullptr;
  const std::string* best = nullptr;
  for (const auto& [language, text] : wording) {
    if (best_key == nullptr || language < *best_key) {
      best_key = &language;
      best = &text;
    }
  }
  return best == nullptr ? std::string() : *best;
}

FieldViolations ValidateAnswers(const InstrumentDefinition& definition,
                                const RepeatedPtrField<Answer>& answers) {
  FieldViolations bad;
  const ItemIndex items = IndexItems(definition);
  std::map<std::string, int> answered;
  for (int i = 0; i < answers.size(); ++i) {
    const Answer& a = answers.Get(i);
    const std::string p = absl::StrCat("answers[", i, "]");
    if (a.item_id().empty()) {
      bad.Add(p + ".item_id", "is required: the id of the item answered");
      continue;
    }
    auto item = items.find(a.item_id());
    if (item == items.end()) {
      bad.Add(p + ".item_id",
              absl::StrCat("instrument '", definition.instrument_id(),
                           "' version ", definition.version(), " has no item '",
                           a.item_id(), "'"));
      continue;
    }
    if (auto [it, fresh] = answered.emplace(a.item_id(), i); !fresh) {
      bad.Add(p + ".item_id", absl::StrCat("item '", a.item_id(),
                                           "' is already answered in answers[",
                                           it->second, "]"));
      continue;
    }
    CheckValue(bad, p, *item->second, a);
  }
  for (const Item& item : definition.items()) {
    if (item.required() && answered.count(item.id()) == 0) {
      bad.Add("answers", absl::StrCat("item '", item.id(),
                                      "' is required but has no answer"));
    }
  }
  return bad;
}

ScoringResult Score(const InstrumentDefinition& definition,
                    const RepeatedPtrField<Answer>& answers) {
  ScoringResult result;
  const ItemIndex items = IndexItems(definition);
  AnswerIndex by_item;
  for (const Answer& a : answers) by_item.emplace(a.item_id(), &a);

  for (const auto& dw : definition.dimension_weights()) {
    std::optional<double> s = WeightedScore(dw.weights(), items, by_item);
    if (s.has_value()) SetScore(result.scores, ScoreKindOf(dw.dimension()), *s);
  }
  std::optional<double> composite =
      WeightedScore(definition.composite_weights(), items, by_item);
  if (composite.has_value()) {
    SetScore(result.scores, homeward::v1::SCORE_KIND_COMPOSITE, *composite);
  }

  for (const auto& sb : definition.bands()) {
    std::optional<double> s = api::ScoreOf(result.scores, sb.score());
    if (!s.has_value()) continue;
    if (const auto* band = FindBand(sb, *s)) {
      homeward::v1::ScoreBand& out = result.bands.emplace_back();
      out.set_score(sb.score());
      out.set_label(band->label());
    }
  }

  std::set<std::string> raised;
  for (const auto& rule : definition.flag_rules()) {
    if (raised.count(rule.code()) > 0 ||
        !AllHold(rule.all_of(), by_item, result.scores)) {
      continue;
    }
    raised.insert(rule.code());
    homeward::v1::RaisedFlag& flag = result.flags.emplace_back();
    flag.set_code(rule.code());
    flag.set_label(PreferredWording(rule.label()));
    flag.set_priority(rule.priority());
    flag.set_response_category(rule.response_category());
  }

  std::set<std::string> identified;
  for (const auto& rule : definition.need_rules()) {
    if (identified.count(rule.code()) > 0 ||
        !AllHold(rule.all_of(), by_item, result.scores)) {
      continue;
    }
    identified.insert(rule.code());
    homeward::v1::Need& need = result.needs.emplace_back();
    need.set_dimension(rule.dimension());
    need.set_category(rule.category());
    need.set_description(PreferredWording(rule.description()));
    need.set_priority(rule.priority());
    need.set_rule_code(rule.code());
  }

  if (definition.has_vulnerability_rules()) {
    result.vulnerability =
        VulnerabilityProfileOf(definition, answers, result.flags);
  }
  return result;
}

}  // namespace homeward::assessment
