// Needs and protection concerns rules; see need_rules.h.
#include "services/assessment/need_rules.h"

#include <algorithm>
#include <map>
#include <set>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/api/field_checks.h"
#include "common/api/paging.h"
#include "common/status/status_macros.h"
#include "services/assessment/field_values.h"

namespace homeward::assessment {
namespace {

using homeward::v1::Need;
using homeward::v1::NeedStatus;
using homeward::v1::ProtectionConcern;
using homeward::v1::RaisedFlag;
using homeward::v1::Responder;

constexpr size_t kMaxDescription = 2000;
constexpr size_t kMaxLabel = 200;

// One allowed change: from, to, and who may make it.
struct Transition {
  NeedStatus from;
  NeedStatus to;
  StatusChanger who;
  bool needs_reason;
};

// The table of homeward/v1/needs.proto's NeedStatus comment.
constexpr Transition kTransitions[] = {
    {homeward::v1::NEED_STATUS_OPEN, homeward::v1::NEED_STATUS_BEING_ADDRESSED,
     StatusChanger::kResponder, false},
    {homeward::v1::NEED_STATUS_OPEN, homeward::v1::NEED_STATUS_RESOLVED,
     StatusChanger::kCaseManager, false},
    {homeward::v1::NEED_STATUS_OPEN, homeward::v1::NEED_STATUS_RESOLVED,
     StatusChanger::kResponder, false},
    {homeward::v1::NEED_STATUS_BEING_ADDRESSED,
     homeward::v1::NEED_STATUS_RESOLVED, StatusChanger::kCaseManager, false},
    {homeward::v1::NEED_STATUS_BEING_ADDRESSED,
     homeward::v1::NEED_STATUS_RESOLVED, StatusChanger::kResponder, false},
    {homeward::v1::NEED_STATUS_OPEN, homeward::v1::NEED_STATUS_NOT_APPLICABLE,
     StatusChanger::kCaseManager, true},
    {homeward::v1::NEED_STATUS_BEING_ADDRESSED,
     homeward::v1::NEED_STATUS_NOT_APPLICABLE, StatusChanger::kCaseManager,
     true},
    {homeward::v1::NEED_STATUS_OPEN, homeward::v1::NEED_STATUS_SUPERSEDED,
     StatusChanger::kSubmission, false},
    {homeward::v1::NEED_STATUS_BEING_ADDRESSED, homeward::v1::NEED_STATUS_OPEN,
     StatusChanger::kResponder, false},
    {homeward::v1::NEED_STATUS_RESOLVED, homeward::v1::NEED_STATUS_OPEN,
     StatusChanger::kCaseManager, true},
    {homeward::v1::NEED_STATUS_NOT_APPLICABLE, homeward::v1::NEED_STATUS_OPEN,
     StatusChanger::kCaseManager, true},
};

const char* ChangerName(StatusChanger who) {
  switch (who) {
    case StatusChanger::kCaseManager:
      return "the case manager";
    case StatusChanger::kSubmission:
      return "a submission";
    case StatusChanger::kResponder:
      return "a plan activity or referral";
  }
  return "?";
}

template <typename Record>
void SetStatusOf(Record& record, NeedStatus to, absl::string_view reason,
                 absl::string_view user_id,
                 const google::protobuf::Timestamp& time) {
  record.set_status(to);
  record.set_status_reason(std::string(reason));
  *record.mutable_update_time() = time;
  auto* change = record.add_history();
  change->set_status(to);
  change->set_reason(std::string(reason));
  change->set_user_id(std::string(user_id));
  *change->mutable_time() = time;
}

bool SameResponder(const Responder& a, const Responder& b) {
  return a.kind() == b.kind() && a.id() == b.id();
}

template <typename Record>
absl::Status AddResponderTo(Record& record, absl::string_view id,
                            const Responder& responder,
                            const google::protobuf::Timestamp& time) {
  if (record.status() == homeward::v1::NEED_STATUS_BEING_ADDRESSED) {
    for (const Responder& r : record.addressed_by()) {
      if (SameResponder(r, responder)) return absl::OkStatus();
    }
    *record.add_addressed_by() = responder;
    *record.mutable_update_time() = time;
    return absl::OkStatus();
  }
  RETURN_IF_ERROR(CheckStatusChange(record.status(),
                                    homeward::v1::NEED_STATUS_BEING_ADDRESSED,
                                    StatusChanger::kResponder, "", id));
  *record.add_addressed_by() = responder;
  SetStatusOf(record, homeward::v1::NEED_STATUS_BEING_ADDRESSED, "", "", time);
  return absl::OkStatus();
}

template <typename Record>
absl::Status WithdrawResponderFrom(Record& record, absl::string_view id,
                                   const Responder& responder,
                                   const google::protobuf::Timestamp& time) {
  auto* list = record.mutable_addressed_by();
  auto it = std::find_if(list->begin(), list->end(), [&](const Responder& r) {
    return SameResponder(r, responder);
  });
  if (it == list->end()) {
    return errors::NotFound("responder",
                            absl::StrCat(responder.id(), " of ", id));
  }
  list->erase(it);
  *record.mutable_update_time() = time;
  if (list->empty() &&
      record.status() == homeward::v1::NEED_STATUS_BEING_ADDRESSED) {
    SetStatusOf(record, homeward::v1::NEED_STATUS_OPEN,
                "its last responder was withdrawn", "", time);
  }
  return absl::OkStatus();
}

homeward::v1::FindingSource SourceFor(const RaiseOrigin& origin,
                                      absl::string_view rule_code) {
  homeward::v1::FindingSource source;
  source.set_assessment_id(origin.assessment_id);
  source.set_instrument_id(origin.instrument_id);
  source.set_instrument_version(origin.instrument_version);
  source.set_rule_code(std::string(rule_code));
  source.set_added_by(origin.user_id);
  *source.mutable_time() = origin.time;
  source.set_follow_up_contact_id(origin.follow_up_contact_id);
  return source;
}

// A source that a later submission of its instrument can supersede: raised
// by a rule of a submission, and still current.
bool Supersedable(const homeward::v1::FindingSource& source,
                  const RaiseOrigin& origin) {
  return !source.assessment_id().empty() && !source.rule_code().empty() &&
         source.superseded_by_assessment_id().empty() &&
         source.assessment_id() != origin.assessment_id &&
         source.instrument_id() == origin.instrument_id;
}

// What differs between needs and concerns for the merge.
struct NeedTraits {
  using Record = Need;
  using Raise = Need;
  static const std::string& Key(const Need& n) { return n.category(); }
  static const std::string& Id(const Need& n) { return n.need_id(); }
  static const std::string& RuleCode(const Need& raise) {
    return raise.rule_code();
  }
  static Need Create(const Need& raise, const std::string& id,
                     const RaiseOrigin& origin) {
    Need n;
    n.set_need_id(id);
    n.set_case_id(raise.case_id());
    n.set_dimension(raise.dimension());
    n.set_category(raise.category());
    n.set_description(raise.description());
    n.set_priority(raise.priority());
    n.set_source_assessment_id(origin.assessment_id);
    n.set_rule_code(raise.rule_code());
    *n.mutable_create_time() = origin.time;
    return n;
  }
};

struct ConcernTraits {
  using Record = ProtectionConcern;
  using Raise = RaisedFlag;
  static const std::string& Key(const ProtectionConcern& c) { return c.code(); }
  static const std::string& Key(const RaisedFlag& f) { return f.code(); }
  static const std::string& Id(const ProtectionConcern& c) {
    return c.concern_id();
  }
  static const std::string& RuleCode(const RaisedFlag& f) { return f.code(); }
  static ProtectionConcern Create(const RaisedFlag& flag, const std::string& id,
                                  const RaiseOrigin&) {
    ProtectionConcern c;
    c.set_concern_id(id);
    c.set_code(flag.code());
    c.set_label(flag.label());
    c.set_priority(flag.priority());
    c.set_response_category(flag.response_category());
    return c;
  }
};

template <typename Traits>
Merged<typename Traits::Record> Merge(
    const std::vector<typename Traits::Record>& existing,
    const std::vector<typename Traits::Raise>& raised,
    const RaiseOrigin& origin, const std::function<std::string()>& new_id) {
  using Record = typename Traits::Record;
  Merged<Record> merged;
  std::map<std::string, size_t> open_by_key;  // key -> index in records
  std::vector<bool> changed;
  std::vector<Record> work;
  for (const Record& r : existing) {
    if (!IsOpen(r.status())) continue;
    // The first open record of a key takes its raises (legacy stores may
    // hold several of one category).
    if (open_by_key.count(Traits::Key(r)) > 0) continue;
    open_by_key[Traits::Key(r)] = work.size();
    work.push_back(r);
    changed.push_back(false);
    merged.created.push_back(false);
  }
  const size_t pre_existing = work.size();
  std::set<std::string> raised_keys;
  for (const auto& raise : raised) {
    const std::string& key = Traits::Key(raise);
    raised_keys.insert(key);
    auto it = open_by_key.find(key);
    size_t index;
    if (it == open_by_key.end()) {
      index = work.size();
      Record record = Traits::Create(raise, new_id(), origin);
      record.set_case_id(origin.case_id);
      *record.mutable_create_time() = origin.time;
      SetStatusOf(record, homeward::v1::NEED_STATUS_OPEN, "",
                  origin.assessment_id.empty() ? origin.user_id : "",
                  origin.time);
      work.push_back(std::move(record));
      changed.push_back(true);
      merged.created.push_back(true);
      open_by_key[key] = index;
    } else {
      index = it->second;
      if (raise.priority() > work[index].priority()) {
        work[index].set_priority(raise.priority());
      }
      *work[index].mutable_update_time() = origin.time;
      changed[index] = true;
    }
    *work[index].add_sources() = SourceFor(origin, Traits::RuleCode(raise));
    merged.raised_into.push_back(Traits::Id(work[index]));
  }
  if (!origin.assessment_id.empty() && !origin.instrument_id.empty()) {
    for (size_t i = 0; i < pre_existing; ++i) {
      Record& r = work[i];
      if (raised_keys.count(Traits::Key(r)) > 0) continue;
      bool superseded_any = false;
      for (auto& source : *r.mutable_sources()) {
        if (!Supersedable(source, origin)) continue;
        source.set_superseded_by_assessment_id(origin.assessment_id);
        superseded_any = true;
      }
      if (!superseded_any) continue;
      changed[i] = true;
      *r.mutable_update_time() = origin.time;
      const bool all_superseded = std::all_of(
          r.sources().begin(), r.sources().end(), [](const auto& s) {
            return !s.superseded_by_assessment_id().empty();
          });
      if (all_superseded && r.status() == homeward::v1::NEED_STATUS_OPEN) {
        SetStatusOf(
            r, homeward::v1::NEED_STATUS_SUPERSEDED,
            absl::StrCat("superseded by assessment ", origin.assessment_id), "",
            origin.time);
      }
    }
  }
  std::vector<bool> created;
  for (size_t i = 0; i < work.size(); ++i) {
    if (!changed[i]) continue;
    merged.records.push_back(std::move(work[i]));
    created.push_back(merged.created[i]);
  }
  merged.created = std::move(created);
  return merged;
}

void CheckReason(errors::FieldViolations& bad, NeedStatus status,
                 const std::string& reason) {
  const bool required = status == homeward::v1::NEED_STATUS_NOT_APPLICABLE ||
                        status == homeward::v1::NEED_STATUS_OPEN;
  if (required && absl::StripAsciiWhitespace(reason).empty()) {
    bad.Add("reason", absl::StrCat("is required when status is ",
                                   homeward::v1::NeedStatus_Name(status)));
  } else if (reason.size() > kMaxReasonLength) {
    bad.Add("reason",
            absl::StrCat("must be at most ", kMaxReasonLength, " bytes"));
  }
}

void CheckSettableStatus(errors::FieldViolations& bad, NeedStatus status) {
  if (status != homeward::v1::NEED_STATUS_RESOLVED &&
      status != homeward::v1::NEED_STATUS_NOT_APPLICABLE &&
      status != homeward::v1::NEED_STATUS_OPEN) {
    bad.Add("status",
            "must be NEED_STATUS_RESOLVED, NEED_STATUS_NOT_APPLICABLE or "
            "NEED_STATUS_OPEN");
  }
}

void CheckStatuses(errors::FieldViolations& bad,
                   const google::protobuf::RepeatedField<int>& statuses) {
  for (int i = 0; i < statuses.size(); ++i) {
    if (statuses.Get(i) == homeward::v1::NEED_STATUS_UNSPECIFIED) {
      bad.Add(absl::StrCat("statuses[", i, "]"),
              "must name a status: NEED_STATUS_OPEN, "
              "NEED_STATUS_BEING_ADDRESSED, NEED_STATUS_RESOLVED, "
              "NEED_STATUS_NOT_APPLICABLE or NEED_STATUS_SUPERSEDED");
    }
  }
}

void CheckCaseId(errors::FieldViolations& bad, const std::string& case_id) {
  if (case_id.empty()) bad.Add("case_id", "is required");
}

void CheckPriority(errors::FieldViolations& bad, const std::string& field,
                   homeward::v1::NeedPriority priority) {
  if (priority == homeward::v1::NEED_PRIORITY_UNSPECIFIED) {
    bad.Add(field, RequiredEnumRule(homeward::v1::NeedPriority_descriptor()));
  }
}

bool IsFlagCode(absl::string_view code) {
  if (code.empty() || code.size() > api::kMaxIdentifierLength) return false;
  return std::all_of(code.begin(), code.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
  });
}

}  // namespace

bool IsOpen(NeedStatus status) {
  return status == homeward::v1::NEED_STATUS_OPEN ||
         status == homeward::v1::NEED_STATUS_BEING_ADDRESSED;
}

absl::Status CheckStatusChange(NeedStatus from, NeedStatus to,
                               StatusChanger who, absl::string_view reason,
                               absl::string_view subject) {
  for (const Transition& t : kTransitions) {
    if (t.from != from || t.to != to || t.who != who) continue;
    if (t.needs_reason && absl::StripAsciiWhitespace(reason).empty()) {
      return errors::InvalidField(
          "reason", absl::StrCat("is required when status is ",
                                 homeward::v1::NeedStatus_Name(to)));
    }
    return absl::OkStatus();
  }
  return errors::FailedPrecondition(
      "STATUS_CHANGE", subject,
      absl::StrCat(ChangerName(who), " cannot change '", subject, "' from ",
                   homeward::v1::NeedStatus_Name(from), " to ",
                   homeward::v1::NeedStatus_Name(to)));
}

void SetStatus(Need& need, NeedStatus to, absl::string_view reason,
               absl::string_view user_id,
               const google::protobuf::Timestamp& time) {
  SetStatusOf(need, to, reason, user_id, time);
}

void SetStatus(ProtectionConcern& concern, NeedStatus to,
               absl::string_view reason, absl::string_view user_id,
               const google::protobuf::Timestamp& time) {
  SetStatusOf(concern, to, reason, user_id, time);
}

absl::Status AddResponder(Need& need, const Responder& responder,
                          const google::protobuf::Timestamp& time) {
  return AddResponderTo(need, need.need_id(), responder, time);
}
absl::Status AddResponder(ProtectionConcern& concern,
                          const Responder& responder,
                          const google::protobuf::Timestamp& time) {
  return AddResponderTo(concern, concern.concern_id(), responder, time);
}
absl::Status WithdrawResponder(Need& need, const Responder& responder,
                               const google::protobuf::Timestamp& time) {
  return WithdrawResponderFrom(need, need.need_id(), responder, time);
}
absl::Status WithdrawResponder(ProtectionConcern& concern,
                               const Responder& responder,
                               const google::protobuf::Timestamp& time) {
  return WithdrawResponderFrom(concern, concern.concern_id(), responder, time);
}

Need ReadAsCurrent(Need need, absl::string_view instrument_id,
                   int32_t instrument_version, absl::string_view added_by) {
  if (need.status() != homeward::v1::NEED_STATUS_UNSPECIFIED) return need;
  need.set_status(homeward::v1::NEED_STATUS_OPEN);
  if (need.sources().empty()) {
    auto* source = need.add_sources();
    source->set_assessment_id(need.source_assessment_id());
    source->set_instrument_id(std::string(instrument_id));
    source->set_instrument_version(instrument_version);
    source->set_rule_code(need.rule_code());
    source->set_added_by(std::string(added_by));
    *source->mutable_time() = need.create_time();
  }
  if (!need.has_update_time()) *need.mutable_update_time() = need.create_time();
  return need;
}

Merged<Need> MergeNeeds(const std::vector<Need>& existing,
                        const std::vector<Need>& raised,
                        const RaiseOrigin& origin,
                        const std::function<std::string()>& new_id) {
  return Merge<NeedTraits>(existing, raised, origin, new_id);
}

Merged<ProtectionConcern> MergeConcerns(
    const std::vector<ProtectionConcern>& existing,
    const std::vector<RaisedFlag>& raised, const RaiseOrigin& origin,
    const std::function<std::string()>& new_id) {
  return Merge<ConcernTraits>(existing, raised, origin, new_id);
}

errors::FieldViolations ValidateAddNeed(
    const homeward::v1::AddNeedRequest& request) {
  errors::FieldViolations bad;
  api::CheckRequestId(bad, request.request_id());
  CheckCaseId(bad, request.case_id());
  if (!request.has_need()) {
    bad.Add("need", "is required");
    return WithFieldValueChecks(request, std::move(bad));
  }
  const auto& need = request.need();
  if (need.dimension() == homeward::v1::DIMENSION_UNSPECIFIED) {
    bad.Add("need.dimension",
            RequiredEnumRule(homeward::v1::Dimension_descriptor()));
  }
  if (!api::IsIdentifier(need.category())) {
    bad.Add("need.category",
            absl::StrCat("is required: ", api::IdentifierRule(),
                         " (a taxonomy component, e.g. \"housing\")"));
  }
  if (absl::StripAsciiWhitespace(need.description()).empty()) {
    bad.Add("need.description", "is required");
  } else if (need.description().size() > kMaxDescription) {
    bad.Add("need.description",
            absl::StrCat("must be at most ", kMaxDescription, " bytes"));
  }
  CheckPriority(bad, "need.priority", need.priority());
  return WithFieldValueChecks(request, std::move(bad));
}

errors::FieldViolations ValidateGetNeed(
    const homeward::v1::GetNeedRequest& request) {
  errors::FieldViolations bad;
  CheckCaseId(bad, request.case_id());
  api::CheckIdentifier(bad, "need_id", request.need_id());
  return WithFieldValueChecks(request, std::move(bad));
}

errors::FieldViolations ValidateNeedList(
    const homeward::v1::ListNeedsRequest& request) {
  errors::FieldViolations bad;
  CheckCaseId(bad, request.case_id());
  api::CheckPageRequest(bad, request.page());
  CheckStatuses(bad, request.statuses());
  return WithFieldValueChecks(request, std::move(bad));
}

errors::FieldViolations ValidateSetNeedStatus(
    const homeward::v1::SetNeedStatusRequest& request) {
  errors::FieldViolations bad;
  CheckCaseId(bad, request.case_id());
  api::CheckIdentifier(bad, "need_id", request.need_id());
  if (request.etag().empty()) bad.Add("etag", "is required: the need's etag");
  CheckSettableStatus(bad, request.status());
  CheckReason(bad, request.status(), request.reason());
  return WithFieldValueChecks(request, std::move(bad));
}

errors::FieldViolations ValidateAddProtectionConcern(
    const homeward::v1::AddProtectionConcernRequest& request) {
  errors::FieldViolations bad;
  api::CheckRequestId(bad, request.request_id());
  CheckCaseId(bad, request.case_id());
  if (!request.has_concern()) {
    bad.Add("concern", "is required");
    return WithFieldValueChecks(request, std::move(bad));
  }
  const auto& concern = request.concern();
  if (!IsFlagCode(concern.code())) {
    bad.Add("concern.code",
            absl::StrCat("is required: 1 to ", api::kMaxIdentifierLength,
                         " characters from A-Z, 0-9 and _ (e.g. "
                         "\"SUSPECTED_TRAFFICKING_VICTIM\")"));
  }
  if (absl::StripAsciiWhitespace(concern.label()).empty()) {
    bad.Add("concern.label", "is required");
  } else if (concern.label().size() > kMaxLabel) {
    bad.Add("concern.label",
            absl::StrCat("must be at most ", kMaxLabel, " bytes"));
  }
  CheckPriority(bad, "concern.priority", concern.priority());
  if (!api::IsIdentifier(concern.response_category())) {
    bad.Add("concern.response_category",
            absl::StrCat("is required: ", api::IdentifierRule(),
                         " (a taxonomy component, e.g. "
                         "\"counter_trafficking\")"));
  }
  return WithFieldValueChecks(request, std::move(bad));
}

errors::FieldViolations ValidateGetProtectionConcern(
    const homeward::v1::GetProtectionConcernRequest& request) {
  errors::FieldViolations bad;
  CheckCaseId(bad, request.case_id());
  api::CheckIdentifier(bad, "concern_id", request.concern_id());
  return WithFieldValueChecks(request, std::move(bad));
}

errors::FieldViolations ValidateListProtectionConcerns(
    const homeward::v1::ListProtectionConcernsRequest& request) {
  errors::FieldViolations bad;
  CheckCaseId(bad, request.case_id());
  api::CheckPageRequest(bad, request.page());
  CheckStatuses(bad, request.statuses());
  return WithFieldValueChecks(request, std::move(bad));
}

errors::FieldViolations ValidateSetProtectionConcernStatus(
    const homeward::v1::SetProtectionConcernStatusRequest& request) {
  errors::FieldViolations bad;
  CheckCaseId(bad, request.case_id());
  api::CheckIdentifier(bad, "concern_id", request.concern_id());
  if (request.etag().empty()) {
    bad.Add("etag", "is required: the concern's etag");
  }
  CheckSettableStatus(bad, request.status());
  CheckReason(bad, request.status(), request.reason());
  return WithFieldValueChecks(request, std::move(bad));
}

}  // namespace homeward::assessment
