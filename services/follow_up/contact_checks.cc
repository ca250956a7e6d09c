// The checks of a recorded or missed contact; see contact_checks.h.
#include "services/follow_up/contact_checks.h"

#include <algorithm>
#include <set>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "common/api/field_checks.h"
#include "common/programme/taxonomy.h"

namespace homeward::follow_up {
namespace {

using homeward::v1::FollowUpContact;

void CheckLength(errors::FieldViolations& bad, const std::string& field,
                 const std::string& text, size_t max) {
  if (text.size() > max) {
    bad.Add(field, absl::StrCat("must be at most ", max, " bytes"));
  }
}

bool Blank(const std::string& text) {
  return absl::StripAsciiWhitespace(text).empty();
}

void CheckRating(errors::FieldViolations& bad, const std::string& field,
                 int value, absl::string_view low, absl::string_view high) {
  if (value == 0) {
    bad.Add(field,
            absl::StrCat("is required: 1 (", low, ") to 5 (", high, ")"));
  } else if (value < 1 || value > 5) {
    bad.Add(field, absl::StrCat("must be 1 (", low, ") to 5 (", high, "), not ",
                                value));
  }
}

bool OpenActivity(const homeward::v1::PlanActivity& a) {
  return a.status() == homeward::v1::ACTIVITY_STATUS_PLANNED ||
         a.status() == homeward::v1::ACTIVITY_STATUS_IN_PROGRESS;
}

const homeward::v1::PlanActivity* FindActivity(const homeward::v1::Plan* plan,
                                               absl::string_view id) {
  if (plan == nullptr) return nullptr;
  for (const auto& a : plan->activities()) {
    if (a.activity_id() == id) return &a;
  }
  return nullptr;
}

const homeward::v1::Referral* FindReferral(
    const std::vector<homeward::v1::Referral>& referrals,
    absl::string_view id) {
  for (const auto& r : referrals) {
    if (r.referral_id() == id) return &r;
  }
  return nullptr;
}

void CheckParticipants(errors::FieldViolations& bad,
                       const FollowUpContact& contact,
                       const ContactFacts& facts) {
  bool returnee_side = false;
  if (contact.participants_size() > kMaxParticipants) {
    bad.Add("contact.participants",
            absl::StrCat("must list at most ", kMaxParticipants));
  }
  for (int i = 0; i < contact.participants_size(); ++i) {
    const homeward::v1::Participant& p = contact.participants(i);
    const std::string at = absl::StrCat("contact.participants[", i, "]");
    switch (p.kind()) {
      case homeward::v1::PARTICIPANT_KIND_RETURNEE:
      case homeward::v1::PARTICIPANT_KIND_INTERPRETER:
        returnee_side |= p.kind() == homeward::v1::PARTICIPANT_KIND_RETURNEE;
        break;
      case homeward::v1::PARTICIPANT_KIND_HOUSEHOLD_MEMBER:
        if (std::find(facts.member_ids.begin(), facts.member_ids.end(),
                      p.member_id()) == facts.member_ids.end()) {
          bad.Add(at + ".member_id",
                  p.member_id().empty()
                      ? "is required for a household member"
                      : "must be a household member of the case");
        } else {
          returnee_side = true;
        }
        break;
      case homeward::v1::PARTICIPANT_KIND_STAFF:
        api::CheckIdentifier(bad, at + ".user_id", p.user_id());
        break;
      case homeward::v1::PARTICIPANT_KIND_PARTNER:
        api::CheckIdentifier(bad, at + ".organization_id", p.organization_id());
        break;
      default:
        bad.Add(at + ".kind",
                "is required: RETURNEE, HOUSEHOLD_MEMBER, STAFF, PARTNER or "
                "INTERPRETER");
        break;
    }
  }
  if (!returnee_side) {
    bad.Add("contact.participants",
            "must include the returnee or a household member of the case");
  }
}

void CheckActivities(errors::FieldViolations& bad,
                     const FollowUpContact& contact,
                     const ContactFacts& facts) {
  std::set<std::string> seen;
  for (int i = 0; i < contact.activity_progress_size(); ++i) {
    const homeward::v1::ActivityProgress& p = contact.activity_progress(i);
    const std::string at = absl::StrCat("contact.activity_progress[", i, "]");
    if (FindActivity(facts.delivered, p.activity_id()) == nullptr) {
      bad.Add(at + ".activity_id",
              facts.delivered == nullptr
                  ? "must be an activity of the plan being delivered; the "
                    "case has none"
                  : absl::StrCat("must be an activity of plan ",
                                 facts.delivered->plan_id(), " version ",
                                 facts.delivered->version()));
    } else if (!seen.insert(p.activity_id()).second) {
      bad.Add(at + ".activity_id", "must not repeat an activity");
    }
    if (p.rating() == homeward::v1::ACTIVITY_PROGRESS_RATING_UNSPECIFIED ||
        !homeward::v1::ActivityProgressRating_IsValid(p.rating())) {
      bad.Add(at + ".rating",
              "is required: NOT_STARTED, ON_TRACK, DELAYED, AT_RISK or "
              "COMPLETED");
    }
    CheckLength(bad, at + ".note", p.note(), kMaxShortText);
  }
  if (facts.delivered == nullptr) return;
  for (const auto& a : facts.delivered->activities()) {
    if (OpenActivity(a) && seen.count(a.activity_id()) == 0) {
      bad.Add("contact.activity_progress",
              absl::StrCat("must include activity ", a.activity_id(),
                           " (planned or in progress)"));
    }
  }
}

void CheckReferrals(errors::FieldViolations& bad,
                    const FollowUpContact& contact, const ContactFacts& facts) {
  std::set<std::string> seen;
  for (int i = 0; i < contact.referral_outcomes_size(); ++i) {
    const homeward::v1::ReferralOutcome& r = contact.referral_outcomes(i);
    const std::string at = absl::StrCat("contact.referral_outcomes[", i, "]");
    if (FindReferral(facts.referrals, r.referral_id()) == nullptr) {
      bad.Add(at + ".referral_id", "must be a referral of the case");
    } else if (!seen.insert(r.referral_id()).second) {
      bad.Add(at + ".referral_id", "must not repeat a referral");
    }
    CheckLength(bad, at + ".returnee_feedback", r.returnee_feedback(),
                kMaxShortText);
  }
}

void CheckNewNeeds(errors::FieldViolations& bad, const FollowUpContact& contact,
                   const ContactFacts& facts) {
  if (contact.new_needs_size() > kMaxNewNeeds) {
    bad.Add("contact.new_needs",
            absl::StrCat("must list at most ", kMaxNewNeeds));
  }
  for (int i = 0; i < contact.new_needs_size(); ++i) {
    const homeward::v1::NeedInput& need = contact.new_needs(i);
    const std::string at = absl::StrCat("contact.new_needs[", i, "]");
    if (need.dimension() == homeward::v1::DIMENSION_UNSPECIFIED ||
        !homeward::v1::Dimension_IsValid(need.dimension())) {
      bad.Add(at + ".dimension", "is required: the category's dimension");
    }
    if (!api::IsIdentifier(need.category())) {
      bad.Add(at + ".category",
              absl::StrCat("is required: ", api::IdentifierRule(),
                           " (a taxonomy component, e.g. \"housing\")"));
    } else if (facts.taxonomy == nullptr) {
      bad.Add(at + ".category",
              "cannot be checked: the case's programme has no known taxonomy");
    } else {
      programme::CheckComponent(*facts.taxonomy, need.dimension(),
                                need.category(), at, bad);
    }
    if (Blank(need.description())) {
      bad.Add(at + ".description", "is required");
    } else {
      CheckLength(bad, at + ".description", need.description(), kMaxShortText);
    }
    if (need.priority() == homeward::v1::NEED_PRIORITY_UNSPECIFIED ||
        !homeward::v1::NeedPriority_IsValid(need.priority())) {
      bad.Add(at + ".priority", "is required: LOW, MEDIUM, HIGH or URGENT");
    }
  }
}

}  // namespace

errors::FieldViolations CheckRecordedContact(const FollowUpContact& contact,
                                             const ContactFacts& facts) {
  errors::FieldViolations bad;
  absl::CivilDay day;
  if (api::CheckPastDate(bad, "contact.contact_date", contact.contact_date(),
                         contact.has_contact_date(), facts.today, 0, &day) &&
      facts.has_return_day && day < facts.return_day - kDaysBeforeReturn) {
    bad.Add("contact.contact_date",
            absl::StrCat(
                "must be on or after ",
                absl::FormatCivilTime(facts.return_day - kDaysBeforeReturn),
                " (365 days before the return date)"));
  }
  if (contact.mode() == homeward::v1::FOLLOW_UP_MODE_UNSPECIFIED ||
      !homeward::v1::FollowUpMode_IsValid(contact.mode())) {
    bad.Add("contact.mode", "is required: VISIT, OFFICE, PHONE or REMOTE");
  }
  CheckParticipants(bad, contact, facts);
  CheckActivities(bad, contact, facts);
  CheckReferrals(bad, contact, facts);
  CheckNewNeeds(bad, contact, facts);
  CheckRating(bad, "contact.wellbeing", contact.wellbeing(), "very poor",
              "very good");
  CheckRating(bad, "contact.satisfaction", contact.satisfaction(),
              "very unsatisfied", "very satisfied");
  if (contact.w_phase() == homeward::v1::W_PHASE_UNSPECIFIED ||
      !homeward::v1::WPhase_IsValid(contact.w_phase())) {
    bad.Add("contact.w_phase",
            "is required: a phase of the W model (W_PHASE_UNCLEAR when "
            "unsure)");
  }
  if (!contact.distress_signs_observed() && !contact.distress_notes().empty()) {
    bad.Add("contact.distress_notes",
            "is allowed only with distress_signs_observed");
  } else {
    CheckLength(bad, "contact.distress_notes", contact.distress_notes(),
                kMaxShortText);
  }
  CheckLength(bad, "contact.notes", contact.notes(), kMaxNotes);
  if (contact.plan_revision_needed() && Blank(contact.plan_revision_reason())) {
    bad.Add("contact.plan_revision_reason",
            "is required when plan_revision_needed");
  } else if (!contact.plan_revision_needed() &&
             !contact.plan_revision_reason().empty()) {
    bad.Add("contact.plan_revision_reason",
            "is allowed only with plan_revision_needed");
  } else {
    CheckLength(bad, "contact.plan_revision_reason",
                contact.plan_revision_reason(), kMaxShortText);
  }
  api::CheckIdentifier(bad, "contact.rss_assessment_id",
                       contact.rss_assessment_id(), /*required=*/false);
  return bad;
}

errors::FieldViolations CheckMissedContact(
    const homeward::v1::MissedContact& missed, absl::CivilDay today,
    absl::CivilDay* next_attempt) {
  errors::FieldViolations bad;
  if (missed.reason() == homeward::v1::MISSED_REASON_UNSPECIFIED ||
      !homeward::v1::MissedReason_IsValid(missed.reason())) {
    bad.Add("missed.reason",
            "is required: UNREACHABLE, RETURNEE_CANCELLED, RETURNEE_ABSENT, "
            "STAFF_UNAVAILABLE, ACCESS_OR_SECURITY or OTHER");
  }
  if (missed.reason() == homeward::v1::MISSED_REASON_OTHER &&
      Blank(missed.details())) {
    bad.Add("missed.details", "is required when the reason is OTHER");
  } else {
    CheckLength(bad, "missed.details", missed.details(), kMaxShortText);
  }
  absl::CivilDay attempted;
  const bool attempted_ok =
      api::CheckPastDate(bad, "missed.attempted_date", missed.attempted_date(),
                         missed.has_attempted_date(), today, 0, &attempted);
  absl::CivilDay next;
  if (missed.has_next_attempt_date() &&
      api::IsSet(missed.next_attempt_date())) {
    if (api::CheckDate(bad, "missed.next_attempt_date",
                       missed.next_attempt_date(), true, 0, &next) &&
        attempted_ok && next < attempted) {
      bad.Add("missed.next_attempt_date",
              "must not be before missed.attempted_date");
    }
  } else if (attempted_ok) {
    next = attempted + kDefaultNextAttemptDays;
  }
  if (bad.empty() && next_attempt != nullptr) *next_attempt = next;
  return bad;
}

FollowUpContact RecordedContact(const FollowUpContact& base,
                                const FollowUpContact& request,
                                const ContactFacts& facts) {
  FollowUpContact out = base;
  out.set_status(homeward::v1::FOLLOW_UP_CONTACT_STATUS_DONE);
  *out.mutable_contact_date() = request.contact_date();
  out.set_mode(request.mode());
  *out.mutable_participants() = request.participants();
  out.clear_activity_progress();
  for (const auto& given : request.activity_progress()) {
    homeward::v1::ActivityProgress& p = *out.add_activity_progress();
    p.set_activity_id(given.activity_id());
    p.set_rating(given.rating());
    p.set_note(given.note());
    if (const auto* a = FindActivity(facts.delivered, given.activity_id())) {
      p.set_title(a->description());
      p.set_dimension(a->dimension());
      p.set_status(a->status());
    }
  }
  out.clear_referral_outcomes();
  for (const auto& r : facts.referrals) {
    homeward::v1::ReferralOutcome& o = *out.add_referral_outcomes();
    o.set_referral_id(r.referral_id());
    o.set_status(r.status());
    o.set_outcome(r.outcome());
    o.set_organization_id(r.organization_id());
    o.set_service_id(r.service_id());
    o.set_status_reason(r.status_reason());
    for (const auto& given : request.referral_outcomes()) {
      if (given.referral_id() == r.referral_id()) {
        o.set_returnee_feedback(given.returnee_feedback());
      }
    }
  }
  *out.mutable_new_needs() = request.new_needs();
  out.set_wellbeing(request.wellbeing());
  out.set_distress_signs_observed(request.distress_signs_observed());
  out.set_distress_notes(request.distress_notes());
  out.set_satisfaction(request.satisfaction());
  out.set_w_phase(request.w_phase());
  out.set_notes(request.notes());
  out.set_plan_revision_needed(request.plan_revision_needed());
  out.set_plan_revision_reason(request.plan_revision_reason());
  out.set_rss_assessment_id(request.rss_assessment_id());
  out.clear_missed();
  if (facts.delivered != nullptr) {
    out.set_plan_id(facts.delivered->plan_id());
    out.set_plan_version(facts.delivered->version());
  } else {
    out.clear_plan_id();
    out.set_plan_version(0);
  }
  return out;
}

}  // namespace homeward::follow_up
