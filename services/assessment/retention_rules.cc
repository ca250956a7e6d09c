// The retention rules; see retention_rules.h.
#include "services/assessment/retention_rules.h"

#include <string>
#include <utility>

#include "absl/time/time.h"
#include "google/protobuf/util/message_differencer.h"
#include "google/protobuf/util/time_util.h"

namespace homeward::assessment {
namespace {

using homeward::v1::Case;

absl::CivilDay DayOf(const google::protobuf::Timestamp& time) {
  return absl::ToCivilDay(
      absl::FromUnixNanos(
          google::protobuf::util::TimeUtil::TimestampToNanoseconds(time)),
      absl::UTCTimeZone());
}

// Clears `text` if set; whether it was.
bool Clear(std::string* text) {
  if (text->empty()) return false;
  text->clear();
  return true;
}

// The status reasons of a need's or concern's history cleared.
template <typename Record>
bool ClearHistoryReasons(Record& record) {
  bool changed = false;
  for (homeward::v1::NeedStatusChange& change : *record.mutable_history()) {
    changed = Clear(change.mutable_reason()) || changed;
  }
  return changed;
}

// The copy of the case `event` carries, if it is a case event; nullptr
// otherwise (cases::CarriedCase, writable).
Case* CarriedCaseOf(homeward::v1::Event& event) {
  switch (event.payload_case()) {
    case homeward::v1::Event::kCaseRegistered:
      return event.mutable_case_registered()->mutable_case_();
    case homeward::v1::Event::kCaseUpdated:
      return event.mutable_case_updated()->mutable_case_();
    case homeward::v1::Event::kCaseAssigned:
      return event.case_assigned().has_case_()
                 ? event.mutable_case_assigned()->mutable_case_()
                 : nullptr;
    case homeward::v1::Event::kCaseStageChanged:
      return event.mutable_case_stage_changed()->mutable_case_();
    default:
      return nullptr;
  }
}

// Only the year of a date of birth is kept.
void KeepYearOnly(homeward::v1::Date* date) {
  date->set_month(0);
  date->set_day(0);
}

}  // namespace

int RetentionYearsOf(const homeward::v1::Programme& programme) {
  return programme.has_retention_years() ? programme.retention_years()
                                         : kDefaultRetentionYears;
}

std::optional<absl::CivilDay> ClosureDay(const Case& c) {
  if (c.stage() != homeward::v1::CASE_STAGE_CLOSED) return std::nullopt;
  for (int i = c.stage_history_size() - 1; i >= 0; --i) {
    const homeward::v1::StageChange& change = c.stage_history(i);
    if (change.stage() != homeward::v1::CASE_STAGE_CLOSED) continue;
    if (change.has_time()) return DayOf(change.time());
    break;
  }
  return DayOf(c.update_time());
}

bool IsPastRetention(absl::CivilDay closure_day, int retention_years,
                     absl::CivilDay today) {
  // CivilDay normalises 29 February of a year without one to 1 March.
  const absl::CivilDay anniversary(closure_day.year() + retention_years,
                                   closure_day.month(), closure_day.day());
  return today >= anniversary;
}

Case Anonymised(Case c, const google::protobuf::Timestamp& now) {
  c = WithoutIdentity(std::move(c));
  if (!c.has_anonymise_time()) *c.mutable_anonymise_time() = now;
  return c;
}

Case WithoutIdentity(Case c) {
  if (c.has_return_info()) c.mutable_return_info()->clear_locality();
  if (!c.has_returnee()) return c;
  homeward::v1::Returnee* returnee = c.mutable_returnee();
  returnee->clear_given_name();
  returnee->clear_family_name();
  returnee->clear_contacts();
  if (returnee->has_date_of_birth()) {
    KeepYearOnly(returnee->mutable_date_of_birth());
  }
  for (homeward::v1::HouseholdMember& member :
       *returnee->mutable_household_members()) {
    member.clear_given_name();
    member.clear_family_name();
    if (member.has_date_of_birth()) {
      KeepYearOnly(member.mutable_date_of_birth());
    }
  }
  return c;
}

bool RemoveFreeText(homeward::v1::Need& need) {
  bool changed = Clear(need.mutable_description());
  changed = Clear(need.mutable_status_reason()) || changed;
  return ClearHistoryReasons(need) || changed;
}

bool RemoveFreeText(homeward::v1::ProtectionConcern& concern) {
  bool changed = Clear(concern.mutable_label());
  changed = Clear(concern.mutable_status_reason()) || changed;
  return ClearHistoryReasons(concern) || changed;
}

bool RemoveFreeText(homeward::v1::ConsentRecord& consent) {
  return Clear(consent.mutable_notes());
}

bool RemoveFreeText(homeward::v1::CounsellingSession& session) {
  bool changed = Clear(session.mutable_observations());
  changed = Clear(session.mutable_distress_notes()) || changed;
  changed = session.agreed_next_steps_size() > 0 || changed;
  session.clear_agreed_next_steps();
  return changed;
}

bool ScrubPastEvent(homeward::v1::Event& event) {
  switch (event.payload_case()) {
    case homeward::v1::Event::kNeedChanged:
      return RemoveFreeText(*event.mutable_need_changed()->mutable_need());
    case homeward::v1::Event::kProtectionConcernChanged:
      return RemoveFreeText(
          *event.mutable_protection_concern_changed()->mutable_concern());
    default:
      break;
  }
  Case* carried = CarriedCaseOf(event);
  if (carried == nullptr) return false;
  Case scrubbed = WithoutIdentity(*carried);
  if (google::protobuf::util::MessageDifferencer::Equals(scrubbed, *carried)) {
    return false;
  }
  *carried = std::move(scrubbed);
  return true;
}

}  // namespace homeward::assessment
