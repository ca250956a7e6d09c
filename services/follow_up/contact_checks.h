// The checks of what a case manager records about a follow-up contact, as
// pure functions of the request and what the service knows of the case
// (passed in: today, the return date, household members, the delivered plan,
// the case's referrals, the programme's taxonomy). Every bad field is its
// own violation, naming the field path and what is allowed, so that a form
// can show them all at once:
// - contact.contact_date: a calendar day, not after today, not more than
//   365 days before the return date;
// - contact.mode, contact.w_phase: required;
// - contact.participants: at least the returnee or a household member; a
//   member's member_id one of the case's members; staff need user_id, a
//   partner organization_id;
// - contact.activity_progress: one per PLANNED or IN_PROGRESS activity of
//   the delivered plan (each missing one a violation), activity ids of that
//   plan only, a rating each; done and dropped ones may be added;
// - contact.referral_outcomes: referrals of the case only, once each;
// - contact.new_needs: a NeedInput each, its category a component of the
//   programme's taxonomy in the component's dimension;
// - contact.wellbeing, contact.satisfaction: 1 to 5;
// - contact.distress_notes only with distress_signs_observed;
// - contact.plan_revision_reason required exactly when
//   plan_revision_needed;
// - free text within the lengths below.
// And of a missed contact: the reason (details for OTHER), the attempted
// date (not in the future), the next attempt's date (not before it).
//
//   ContactFacts facts{.today = api::TodayUtc(), ...};
//   RETURN_IF_ERROR(CheckRecordedContact(request.contact(), facts).ToStatus());
#ifndef HOMEWARD_SERVICES_FOLLOW_UP_CONTACT_CHECKS_H_
#define HOMEWARD_SERVICES_FOLLOW_UP_CONTACT_CHECKS_H_

#include <cstddef>
#include <string>
#include <vector>

#include "absl/time/civil_time.h"
#include "common/status/errors.h"
#include "homeward/v1/follow_up.pb.h"
#include "homeward/v1/planning.pb.h"
#include "homeward/v1/referral.pb.h"
#include "homeward/v1/taxonomy.pb.h"

namespace homeward::follow_up {

inline constexpr size_t kMaxNotes = 8000;
inline constexpr size_t kMaxShortText = 2000;  // feedback, reasons, details
inline constexpr int kMaxParticipants = 20;
inline constexpr int kMaxNewNeeds = 20;
inline constexpr int kDaysBeforeReturn = 365;
inline constexpr int kDefaultNextAttemptDays = 7;

// What the checks compare a contact against.
struct ContactFacts {
  absl::CivilDay today;
  bool has_return_day = false;
  absl::CivilDay return_day;
  std::vector<std::string> member_ids;  // the case's household members
  // The plan being delivered; nullptr when there is none.
  const homeward::v1::Plan* delivered = nullptr;
  // The case's referrals as the referral feed told them.
  std::vector<homeward::v1::Referral> referrals;
  // The programme's taxonomy; nullptr when it is not known (no new need can
  // then be checked, and each is refused).
  const homeward::v1::Taxonomy* taxonomy = nullptr;
};

// Every problem with `contact` (the fields recorded at a contact; output-
// only fields are ignored), paths under "contact.".
errors::FieldViolations CheckRecordedContact(
    const homeward::v1::FollowUpContact& contact, const ContactFacts& facts);

// Every problem with a missed contact (paths under "missed."). Sets
// `*next_attempt` to the next attempt's day (next_attempt_date, or seven
// days after attempted_date) when valid.
errors::FieldViolations CheckMissedContact(
    const homeward::v1::MissedContact& missed, absl::CivilDay today,
    absl::CivilDay* next_attempt);

// The contact as recorded: the request's fields on `base` (the scheduled
// contact, or a new extra one), DONE, with the output-only fields of the
// activities (title, dimension, status) from the delivered plan, the
// referral outcomes from the referral feed (every referral of the case,
// with the returnee's feedback where given), and the plan's id and version.
homeward::v1::FollowUpContact RecordedContact(
    const homeward::v1::FollowUpContact& base,
    const homeward::v1::FollowUpContact& request, const ContactFacts& facts);

}  // namespace homeward::follow_up

#endif  // HOMEWARD_SERVICES_FOLLOW_UP_CONTACT_CHECKS_H_
