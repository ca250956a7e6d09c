#include "services/planning/plan_checks.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <map>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"
#include "common/api/field_checks.h"
#include "common/programme/taxonomy.h"

namespace homeward::planning {
namespace {

using homeward::v1::Date;
using homeward::v1::Dimension;
using homeward::v1::Money;
using homeward::v1::Plan;
using homeward::v1::PlanActivity;

bool IsBlank(absl::string_view text) {
  return absl::StripAsciiWhitespace(text).empty();
}

std::string Indexed(absl::string_view field, int i) {
  return absl::StrCat(field, "[", i, "]");
}

bool IsHighPriority(homeward::v1::NeedPriority p) {
  return p == homeward::v1::NEED_PRIORITY_HIGH ||
         p == homeward::v1::NEED_PRIORITY_URGENT;
}

// The n of "AC<n>" (n >= 1, digits only), or 0.
int64_t ActivityNumber(absl::string_view id) {
  if (!absl::ConsumePrefix(&id, "AC") || id.empty()) return 0;
  for (char c : id) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(c))) return 0;
  }
  int64_t n = 0;
  if (!absl::SimpleAtoi(id, &n)) return 0;
  return n;
}

std::string DayText(absl::CivilDay day) { return absl::FormatCivilTime(day); }

}  // namespace

errors::FieldViolations CheckCoverage(
    const Plan& plan, const std::vector<homeward::v1::Need>& needs,
    const std::vector<homeward::v1::ProtectionConcern>& concerns) {
  errors::FieldViolations bad;
  std::set<std::string> answered_needs, answered_concerns;
  for (const PlanActivity& a : plan.activities()) {
    answered_needs.insert(a.need_ids().begin(), a.need_ids().end());
    answered_concerns.insert(a.concern_ids().begin(), a.concern_ids().end());
  }
  std::set<std::string> known_needs, known_concerns;
  for (const auto& n : needs) known_needs.insert(n.need_id());
  for (const auto& c : concerns) known_concerns.insert(c.concern_id());

  std::set<std::string> noted_needs, noted_concerns;
  for (int i = 0; i < plan.coverage_notes_size(); ++i) {
    const homeward::v1::CoverageNote& note = plan.coverage_notes(i);
    if (note.has_need_id()) {
      if (!known_needs.count(note.need_id())) {
        bad.Add(
            absl::StrCat(Indexed("coverage_notes", i), ".need_id"),
            absl::StrCat("'", note.need_id(), "' is not a need of the case"));
      } else if (!IsBlank(note.reason())) {
        noted_needs.insert(note.need_id());
      }
    } else if (note.has_concern_id()) {
      if (!known_concerns.count(note.concern_id())) {
        bad.Add(absl::StrCat(Indexed("coverage_notes", i), ".concern_id"),
                absl::StrCat("'", note.concern_id(),
                             "' is not a protection concern of the case"));
      } else if (!IsBlank(note.reason())) {
        noted_concerns.insert(note.concern_id());
      }
    } else {
      bad.Add(Indexed("coverage_notes", i),
              "must name a need_id or a concern_id");
    }
  }

  for (const auto& n : needs) {
    if (n.status() != homeward::v1::NEED_STATUS_OPEN ||
        !IsHighPriority(n.priority()) || answered_needs.count(n.need_id()) ||
        noted_needs.count(n.need_id())) {
      continue;
    }
    bad.Add("activities",
            absl::StrCat("need '", n.need_id(), "' (", n.category(), ", ",
                         homeward::v1::NeedPriority_Name(n.priority()),
                         ") is open: answer it with an activity (need_ids) "
                         "or give a coverage note with a reason"));
  }
  for (const auto& c : concerns) {
    if (c.status() != homeward::v1::NEED_STATUS_OPEN ||
        answered_concerns.count(c.concern_id()) ||
        noted_concerns.count(c.concern_id())) {
      continue;
    }
    bad.Add(
        "activities",
        absl::StrCat("protection concern '", c.concern_id(), "' (", c.code(),
                     ", ", homeward::v1::NeedPriority_Name(c.priority()),
                     ") is open: answer it with an activity (concern_ids) "
                     "or give a coverage note with a reason"));
  }
  return bad;
}

Money TotalCost(const Plan& plan) {
  Money total;
  if (!plan.budget_ceiling().currency_code().empty()) {
    total.set_currency_code(plan.budget_ceiling().currency_code());
  } else if (plan.purchases_size() > 0) {
    total.set_currency_code(plan.purchases(0).estimated_cost().currency_code());
  }
  int64_t sum = 0;
  for (const auto& p : plan.purchases()) {
    const int64_t amount = p.estimated_cost().amount_minor();
    if (amount > 0 && sum > std::numeric_limits<int64_t>::max() - amount) {
      sum = std::numeric_limits<int64_t>::max();
      break;
    }
    sum += amount;
  }
  total.set_amount_minor(sum);
  return total;
}

errors::FieldViolations CheckBudget(const Plan& plan, const Money& ceiling) {
  errors::FieldViolations bad;
  const std::string& currency = ceiling.currency_code();
  int64_t total = 0;
  bool overflow = false;
  for (int i = 0; i < plan.purchases_size(); ++i) {
    const Money& cost = plan.purchases(i).estimated_cost();
    const std::string field =
        absl::StrCat(Indexed("purchases", i), ".estimated_cost");
    bool counted = true;
    if (cost.currency_code() != currency) {
      bad.Add(absl::StrCat(field, ".currency_code"),
              absl::StrCat("must be ", currency,
                           ", the currency of the programme's budget "
                           "ceiling; got '",
                           cost.currency_code(), "'"));
      counted = false;
    }
    if (cost.amount_minor() < 0) {
      bad.Add(absl::StrCat(field, ".amount_minor"), "must be >= 0");
      counted = false;
    }
    if (!counted || overflow) continue;
    if (total > std::numeric_limits<int64_t>::max() - cost.amount_minor()) {
      overflow = true;
    } else {
      total += cost.amount_minor();
    }
  }
  if (overflow || total > ceiling.amount_minor()) {
    bad.Add("purchases",
            absl::StrCat("total estimated cost ",
                         overflow ? std::string("beyond 9223372036854775807")
                                  : absl::StrCat(total),
                         " exceeds the programme's budget ceiling ",
                         ceiling.amount_minor(), " (minor units of ", currency,
                         ")"));
  }
  return bad;
}

absl::StatusOr<homeward::v1::FeasibilityCheck> EvaluateFeasibility(
    const homeward::v1::FeasibilityGrid& grid,
    const homeward::v1::FeasibilityCheck& given, absl::string_view field) {
  errors::FieldViolations bad;
  const std::string prefix(field);
  if (given.grid_id() != grid.grid_id()) {
    bad.Add(absl::StrCat(prefix, ".grid_id"),
            absl::StrCat("must be '", grid.grid_id(),
                         "', the programme's feasibility grid; got '",
                         given.grid_id(), "'"));
  }
  if (given.grid_version() != grid.version()) {
    bad.Add(absl::StrCat(prefix, ".grid_version"),
            absl::StrCat("must be ", grid.version(), "; got ",
                         given.grid_version()));
  }
  const homeward::v1::FeasibilityRow* row = nullptr;
  std::vector<std::string> row_ids;
  for (const auto& r : grid.rows()) {
    row_ids.push_back(r.row_id());
    if (r.row_id() == given.row_id()) row = &r;
  }
  if (row == nullptr) {
    bad.Add(absl::StrCat(prefix, ".row_id"),
            absl::StrCat("'", given.row_id(), "' is not a row of grid '",
                         grid.grid_id(), "' version ", grid.version(),
                         "; known: ", absl::StrJoin(row_ids, ", ")));
    return bad.ToStatus();
  }
  std::vector<std::string> criteria;
  for (const auto& c : row->criteria()) criteria.push_back(c.criterion_id());
  const std::set<std::string> known(criteria.begin(), criteria.end());
  std::map<std::string, bool> met;
  for (int i = 0; i < given.answers_size(); ++i) {
    const std::string& id = given.answers(i).criterion_id();
    const std::string answer_field =
        absl::StrCat(prefix, ".", Indexed("answers", i), ".criterion_id");
    if (!known.count(id)) {
      bad.Add(
          answer_field,
          absl::StrCat("'", id, "' is not a criterion of row '", row->row_id(),
                       "'; known: ", absl::StrJoin(criteria, ", ")));
    } else if (!met.emplace(id, given.answers(i).met()).second) {
      bad.Add(answer_field, absl::StrCat("'", id, "' is answered twice"));
    }
  }
  std::vector<std::string> missing;
  for (const std::string& id : criteria) {
    if (!met.count(id)) missing.push_back(id);
  }
  if (!missing.empty()) {
    bad.Add(absl::StrCat(prefix, ".answers"),
            absl::StrCat("must answer every criterion of row '", row->row_id(),
                         "'; missing: ", absl::StrJoin(missing, ", ")));
  }
  if (!bad.empty()) return bad.ToStatus();

  homeward::v1::FeasibilityCheck out = given;
  out.clear_unmet_criteria();
  for (const std::string& id : criteria) {
    if (!met[id]) out.add_unmet_criteria(id);
  }
  out.set_all_met(out.unmet_criteria_size() == 0);
  return out;
}

errors::FieldViolations CheckFeasibilityJustifications(const Plan& plan) {
  errors::FieldViolations bad;
  for (int i = 0; i < plan.activities_size(); ++i) {
    const PlanActivity& a = plan.activities(i);
    if (a.feasibility().unmet_criteria_size() == 0 ||
        !IsBlank(a.feasibility_justification())) {
      continue;
    }
    bad.Add(
        absl::StrCat(Indexed("activities", i), ".feasibility_justification"),
        absl::StrCat("is required: the feasibility check found unmet "
                     "criteria: ",
                     absl::StrJoin(a.feasibility().unmet_criteria(), ", ")));
  }
  return bad;
}

Date PlanDeadline(const Date& return_date,
                  const homeward::v1::Programme& programme,
                  bool highly_vulnerable) {
  int days = programme.plan_deadline_days() > 0 ? programme.plan_deadline_days()
                                                : kDefaultPlanDeadlineDays;
  if (highly_vulnerable && programme.plan_deadline_days_vulnerable() > 0) {
    days = programme.plan_deadline_days_vulnerable();
  }
  const absl::CivilDay day(return_date.year(), return_date.month(),
                           return_date.day());
  return api::ToDate(day + days);
}

bool PlanIsOverdue(homeward::v1::PlanStatus status, const Date& deadline,
                   absl::CivilDay as_of) {
  switch (status) {
    case homeward::v1::PLAN_STATUS_UNSPECIFIED:
    case homeward::v1::PLAN_STATUS_DRAFT:
    case homeward::v1::PLAN_STATUS_AGREED:
    case homeward::v1::PLAN_STATUS_SUBMITTED:
    case homeward::v1::PLAN_STATUS_RETURNED:
      break;
    default:
      return false;
  }
  const absl::CivilDay due(deadline.year(), deadline.month(), deadline.day());
  return as_of > due;
}

std::vector<const PlanActivity*> OverdueActivities(const Plan& plan,
                                                   absl::CivilDay as_of) {
  std::vector<const PlanActivity*> overdue;
  for (const PlanActivity& a : plan.activities()) {
    if (a.status() != homeward::v1::ACTIVITY_STATUS_PLANNED &&
        a.status() != homeward::v1::ACTIVITY_STATUS_IN_PROGRESS) {
      continue;
    }
    absl::CivilDay due;
    if (!a.has_due_date() || !api::ToCivilDay(a.due_date(), &due)) continue;
    if (due < as_of) overdue.push_back(&a);
  }
  return overdue;
}

errors::FieldViolations AssignActivityIds(const Plan* previous, Plan& plan) {
  errors::FieldViolations bad;
  std::set<std::string> earlier;
  int64_t highest = 0;
  if (previous != nullptr) {
    for (const PlanActivity& a : previous->activities()) {
      earlier.insert(a.activity_id());
      highest = std::max(highest, ActivityNumber(a.activity_id()));
    }
  }
  std::set<std::string> seen;
  for (int i = 0; i < plan.activities_size(); ++i) {
    const std::string& id = plan.activities(i).activity_id();
    if (id.empty()) continue;
    const std::string field =
        absl::StrCat(Indexed("activities", i), ".activity_id");
    if (!earlier.count(id)) {
      bad.Add(field, absl::StrCat("'", id,
                                  "' is not an activity of the plan; leave "
                                  "it empty for a new activity"));
    } else if (!seen.insert(id).second) {
      bad.Add(field, absl::StrCat("'", id, "' is repeated"));
    }
    highest = std::max(highest, ActivityNumber(id));
  }
  if (!bad.empty()) return bad;
  for (PlanActivity& a : *plan.mutable_activities()) {
    if (a.activity_id().empty())
      a.set_activity_id(absl::StrCat("AC", ++highest));
  }
  return bad;
}

errors::FieldViolations ValidatePlanContent(const Plan& plan,
                                            const PlanContext& context) {
  errors::FieldViolations bad;
  if (plan.returnee_objectives().size() > kMaxReturneeObjectivesBytes) {
    bad.Add("returnee_objectives",
            absl::StrCat("must be at most ", kMaxReturneeObjectivesBytes,
                         " bytes; got ", plan.returnee_objectives().size()));
  }
  std::set<int> summarised;
  for (int i = 0; i < plan.summaries_size(); ++i) {
    const Dimension d = plan.summaries(i).dimension();
    const std::string field =
        absl::StrCat(Indexed("summaries", i), ".dimension");
    if (d == homeward::v1::DIMENSION_UNSPECIFIED ||
        !homeward::v1::Dimension_IsValid(d)) {
      bad.Add(field, "is required: a dimension of reintegration");
    } else if (!summarised.insert(d).second) {
      bad.Add(field, absl::StrCat(homeward::v1::Dimension_Name(d),
                                  " is summarised more than once"));
    }
  }
  std::set<int> improved;
  for (int i = 0; i < plan.expected_improvements_size(); ++i) {
    const auto& e = plan.expected_improvements(i);
    const std::string field = Indexed("expected_improvements", i);
    const Dimension d = e.dimension();
    if (d != homeward::v1::DIMENSION_ECONOMIC &&
        d != homeward::v1::DIMENSION_SOCIAL &&
        d != homeward::v1::DIMENSION_PSYCHOSOCIAL) {
      bad.Add(absl::StrCat(field, ".dimension"),
              "must be DIMENSION_ECONOMIC, DIMENSION_SOCIAL or "
              "DIMENSION_PSYCHOSOCIAL (the scored dimensions)");
    } else if (!improved.insert(d).second) {
      bad.Add(absl::StrCat(field, ".dimension"),
              absl::StrCat(homeward::v1::Dimension_Name(d),
                           " is given more than once"));
    }
    // NaN fails both comparisons, so it is refused too.
    if (!(e.expected_change() >= -1.0 && e.expected_change() <= 1.0)) {
      bad.Add(absl::StrCat(field, ".expected_change"),
              "must be between -1 and 1 (a change of the 0..1 score)");
    }
  }
  for (int i = 0; i < plan.activities_size(); ++i) {
    const PlanActivity& a = plan.activities(i);
    const std::string field = Indexed("activities", i);
    const auto path = [&field](absl::string_view name) {
      return absl::StrCat(field, ".", name);
    };
    if (a.dimension() == homeward::v1::DIMENSION_UNSPECIFIED ||
        !homeward::v1::Dimension_IsValid(a.dimension())) {
      bad.Add(path("dimension"), "is required");
    }
    if (a.component().empty()) {
      bad.Add(path("component"), "is required: a taxonomy component");
    } else {
      const Dimension d = homeward::v1::Dimension_IsValid(a.dimension())
                              ? a.dimension()
                              : homeward::v1::DIMENSION_UNSPECIFIED;
      programme::CheckComponent(*context.taxonomy, d, a.component(), field, bad,
                                "component");
    }
    if (a.level() == homeward::v1::ASSISTANCE_LEVEL_UNSPECIFIED ||
        !homeward::v1::AssistanceLevel_IsValid(a.level())) {
      bad.Add(path("level"),
              "is required: individual, household, community or structural");
    }
    if (IsBlank(a.description())) bad.Add(path("description"), "is required");
    if (!a.beneficiary_member_id().empty() &&
        !context.member_ids.count(a.beneficiary_member_id())) {
      bad.Add(path("beneficiary_member_id"),
              absl::StrCat("'", a.beneficiary_member_id(),
                           "' is not a member of the case's household; "
                           "leave it empty for the returnee"));
    }
    for (int j = 0; j < a.need_ids_size(); ++j) {
      if (!context.need_ids.count(a.need_ids(j))) {
        bad.Add(
            absl::StrCat(field, ".", Indexed("need_ids", j)),
            absl::StrCat("'", a.need_ids(j), "' is not a need of the case"));
      }
    }
    for (int j = 0; j < a.concern_ids_size(); ++j) {
      if (!context.concern_ids.count(a.concern_ids(j))) {
        bad.Add(absl::StrCat(field, ".", Indexed("concern_ids", j)),
                absl::StrCat("'", a.concern_ids(j),
                             "' is not a protection concern of the case"));
      }
    }
    const bool referral =
        a.delivery() == homeward::v1::ACTIVITY_DELIVERY_REFERRAL;
    if (a.delivery() == homeward::v1::ACTIVITY_DELIVERY_UNSPECIFIED ||
        !homeward::v1::ActivityDelivery_IsValid(a.delivery())) {
      bad.Add(path("delivery"),
              "is required: ACTIVITY_DELIVERY_DIRECT or "
              "ACTIVITY_DELIVERY_REFERRAL");
    }
    if (referral && a.referral_component().empty()) {
      bad.Add(path("referral_component"),
              "is required when delivery is ACTIVITY_DELIVERY_REFERRAL");
    } else if (referral) {
      programme::CheckComponent(
          *context.taxonomy, homeward::v1::DIMENSION_UNSPECIFIED,
          a.referral_component(), field, bad, "referral_component");
    } else if (!a.referral_component().empty()) {
      bad.Add(path("referral_component"),
              "must be empty unless delivery is ACTIVITY_DELIVERY_REFERRAL");
    }
    absl::CivilDay start, due;
    const bool start_ok = api::IsSet(a.start_date()) &&
                          api::CheckDate(bad, path("start_date"),
                                         a.start_date(), true, 0, &start);
    const bool due_ok =
        api::IsSet(a.due_date()) &&
        api::CheckDate(bad, path("due_date"), a.due_date(), true, 0, &due);
    if (start_ok && due_ok && due < start) {
      bad.Add(path("due_date"),
              absl::StrCat("must not be before start_date (", DayText(start),
                           "); got ", DayText(due)));
    }
  }
  return bad;
}

}  // namespace homeward::planning
