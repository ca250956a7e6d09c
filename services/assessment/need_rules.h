// The rules of needs and protection concerns (homeward/v1/needs.proto),
// without I/O: who may move a record from which status to which, how a
// legacy need reads, and how the needs and flags a submission raises fold
// into the case's records (one open record per case and category, or code,
// whichever instrument raised it; earlier sources of the same instrument
// that a resubmission no longer raises are superseded). Times and new ids
// are passed in, so every rule is checked with fixed values in tests.
//
//   RETURN_IF_ERROR(CheckStatusChange(need.status(), NEED_STATUS_RESOLVED,
//                                     StatusChanger::kCaseManager, reason,
//                                     need.need_id()));
//   SetStatus(need, NEED_STATUS_RESOLVED, reason, "cm-1", now);
//
//   Merged<Need> merged = MergeNeeds(case_needs, assessment.needs(),
//                                    SourceOf(assessment), new_need_id);
//   for (const Need& changed : merged.records) ...store it...
#ifndef HOMEWARD_SERVICES_ASSESSMENT_NEED_RULES_H_
#define HOMEWARD_SERVICES_ASSESSMENT_NEED_RULES_H_

#include <functional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "common/status/errors.h"
#include "google/protobuf/timestamp.pb.h"
#include "homeward/v1/assessments.pb.h"
#include "homeward/v1/needs.pb.h"

namespace homeward::assessment {

// Who asks for a status change.
enum class StatusChanger {
  kCaseManager,  // through NeedService (case managers and supervisors)
  kSubmission,   // an assessment submission (supersession)
  kResponder,    // a plan activity or referral event (later services)
};

// OPEN or BEING_ADDRESSED: the states planning must answer.
bool IsOpen(homeward::v1::NeedStatus status);

// OK when `who` may move a record from `from` to `to`. FAILED_PRECONDITION
// naming both statuses when the table does not allow it; INVALID_ARGUMENT on
// "reason" when the case manager sets NOT_APPLICABLE or reopens (OPEN)
// without one. `subject` (the record's id) names the record in the error.
//
//   from             to               who
//   OPEN             BEING_ADDRESSED  responder
//   OPEN, BEING_ADD. RESOLVED         case manager, responder
//   OPEN, BEING_ADD. NOT_APPLICABLE   case manager (reason)
//   OPEN             SUPERSEDED       submission
//   BEING_ADDRESSED  OPEN             responder (its last one withdrawn)
//   RESOLVED, N/A    OPEN             case manager (reason)
absl::Status CheckStatusChange(homeward::v1::NeedStatus from,
                               homeward::v1::NeedStatus to, StatusChanger who,
                               absl::string_view reason,
                               absl::string_view subject);

// Records a status change (already checked): status, reason, update time and
// one history entry. `user_id` is empty for a submission or an event.
void SetStatus(homeward::v1::Need& need, homeward::v1::NeedStatus to,
               absl::string_view reason, absl::string_view user_id,
               const google::protobuf::Timestamp& time);
void SetStatus(homeward::v1::ProtectionConcern& concern,
               homeward::v1::NeedStatus to, absl::string_view reason,
               absl::string_view user_id,
               const google::protobuf::Timestamp& time);

// A plan activity or referral answers the record: OPEN moves to
// BEING_ADDRESSED, BEING_ADDRESSED gains the responder (once). Refused
// (FAILED_PRECONDITION) from any other status.
absl::Status AddResponder(homeward::v1::Need& need,
                          const homeward::v1::Responder& responder,
                          const google::protobuf::Timestamp& time);
absl::Status AddResponder(homeward::v1::ProtectionConcern& concern,
                          const homeward::v1::Responder& responder,
                          const google::protobuf::Timestamp& time);
// The responder no longer answers it: removed; when it was the last one, a
// BEING_ADDRESSED record is OPEN again. NOT_FOUND when it is not listed.
absl::Status WithdrawResponder(homeward::v1::Need& need,
                               const homeward::v1::Responder& responder,
                               const google::protobuf::Timestamp& time);
absl::Status WithdrawResponder(homeward::v1::ProtectionConcern& concern,
                               const homeward::v1::Responder& responder,
                               const google::protobuf::Timestamp& time);

// A need as stored before needs had a life (status UNSPECIFIED, no
// sources) reads as OPEN with one source built from source_assessment_id,
// rule_code and create_time (and `instrument_id`, `instrument_version`,
// `added_by` when the caller knows them from the submission). A current
// record is returned unchanged.
homeward::v1::Need ReadAsCurrent(homeward::v1::Need need,
                                 absl::string_view instrument_id = "",
                                 int32_t instrument_version = 0,
                                 absl::string_view added_by = "");

// Where the raises being merged come from: a submission (assessment and
// instrument set) or a hand entry (both empty).
struct RaiseOrigin {
  std::string case_id;
  std::string assessment_id;
  std::string instrument_id;
  int32_t instrument_version = 0;
  std::string user_id;  // who submitted or entered it
  google::protobuf::Timestamp time;
  // The follow-up contact that raised it (the follow-up feed), if one did.
  std::string follow_up_contact_id;
};

// The records a merge creates or changes (final state, in the order first
// touched), and for each raise the id of the record it went into.
template <typename Record>
struct Merged {
  std::vector<Record> records;
  std::vector<bool> created;             // parallel to records
  std::vector<std::string> raised_into;  // parallel to the raises
};

// Folds `raised` (needs as a submission raised them, or one entered by
// hand) into `existing` (every record of the case, in current form):
// - a raise whose category has an open record adds a source to it and
//   raises its priority to the highest of its sources;
// - a raise with no open record creates one (id from `new_id`), OPEN;
// - when `origin` is a submission, every source of an open record that an
//   EARLIER submission of the SAME instrument raised by rule, and that this
//   submission did not raise again, is superseded by it; an OPEN record all
//   of whose sources are superseded becomes SUPERSEDED (hand-entered
//   sources, and needs entered with a submission, never are).
Merged<homeward::v1::Need> MergeNeeds(
    const std::vector<homeward::v1::Need>& existing,
    const std::vector<homeward::v1::Need>& raised, const RaiseOrigin& origin,
    const std::function<std::string()>& new_id);
// The same for protection concerns, keyed by flag code; a new concern takes
// the flag's label, priority and response category.
Merged<homeward::v1::ProtectionConcern> MergeConcerns(
    const std::vector<homeward::v1::ProtectionConcern>& existing,
    const std::vector<homeward::v1::RaisedFlag>& raised,
    const RaiseOrigin& origin, const std::function<std::string()>& new_id);

// Request rules of NeedService (the taxonomy check of categories is the
// handler's, against the latest published taxonomy).
inline constexpr size_t kMaxReasonLength = 1000;
errors::FieldViolations ValidateAddNeed(
    const homeward::v1::AddNeedRequest& request);
errors::FieldViolations ValidateGetNeed(
    const homeward::v1::GetNeedRequest& request);
errors::FieldViolations ValidateNeedList(
    const homeward::v1::ListNeedsRequest& request);
errors::FieldViolations ValidateSetNeedStatus(
    const homeward::v1::SetNeedStatusRequest& request);
errors::FieldViolations ValidateAddProtectionConcern(
    const homeward::v1::AddProtectionConcernRequest& request);
errors::FieldViolations ValidateGetProtectionConcern(
    const homeward::v1::GetProtectionConcernRequest& request);
errors::FieldViolations ValidateListProtectionConcerns(
    const homeward::v1::ListProtectionConcernsRequest& request);
errors::FieldViolations ValidateSetProtectionConcernStatus(
    const homeward::v1::SetProtectionConcernStatusRequest& request);

}  // namespace homeward::assessment

#endif  // HOMEWARD_SERVICES_ASSESSMENT_NEED_RULES_H_
