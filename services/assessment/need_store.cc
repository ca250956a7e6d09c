// Needs and protection concerns storage; see need_store.h.
#include "services/assessment/need_store.h"

#include <algorithm>
#include <map>
#include <optional>
#include <set>
#include <utility>

#include "absl/strings/str_cat.h"
#include "common/api/etags.h"
#include "common/status/errors.h"
#include "common/status/status_macros.h"
#include "common/storage/clock.h"
#include "common/storage/ids.h"
#include "common/storage/indexed_records.h"
#include "common/storage/keys.h"
#include "google/protobuf/util/message_differencer.h"
#include "google/protobuf/wrappers.pb.h"
#include "services/assessment/need_rules.h"
#include "services/assessment/retention_rules.h"

namespace homeward::assessment {
namespace {

using homeward::v1::Event;
using homeward::v1::Need;
using homeward::v1::NeedStatus;
using homeward::v1::ProtectionConcern;
using storage::WriteSet;

// The kind of the submissions a legacy need names (assessment_store.cc).
constexpr char kAssessmentKind[] = "assessment";
// Listing a whole case's records for a merge reads this many ids a page.
constexpr int kCasePage = 200;

// What differs between needs and concerns in storage.
struct NeedRecords {
  using Record = Need;
  static constexpr char kKind[] = "need";
  static constexpr char kByCase[] = "need_by_case";
  static constexpr char kSlotKind[] = "need_open";
  static constexpr char kNoun[] = "need";
  static constexpr char kIdPrefix[] = "N";
  static const std::string& Id(const Need& n) { return n.need_id(); }
  static const std::string& Key(const Need& n) { return n.category(); }
  static void PutIndexes(WriteSet& set, uint32_t p, const Need& n) {
    set.PutIndex(p, kByCase, n.case_id(), n.need_id())
        .PutIndex(p, "need_by_case_dimension",
                  storage::KeyBuilder()
                      .Str(n.case_id())
                      .U32(static_cast<uint32_t>(n.dimension()))
                      .key(),
                  n.need_id());
  }
  static void Announce(Event& event, const Need& n) {
    *event.mutable_need_changed()->mutable_need() = n;
  }
  // Records written before needs had a life read as OPEN with one source,
  // completed from the submission that raised them when it is there.
  static void Complete(const storage::Store& store, uint32_t p, Need& n) {
    if (n.status() != homeward::v1::NEED_STATUS_UNSPECIFIED) return;
    homeward::v1::Assessment a;
    absl::StatusOr<bool> found =
        n.source_assessment_id().empty()
            ? absl::StatusOr<bool>(false)
            : store.GetRecord(p, kAssessmentKind, n.source_assessment_id(), &a,
                              nullptr);
    if (found.ok() && *found) {
      n = ReadAsCurrent(std::move(n), a.instrument_id(), a.instrument_version(),
                        a.assessed_by());
    } else {
      n = ReadAsCurrent(std::move(n));
    }
  }
};

struct ConcernRecords {
  using Record = ProtectionConcern;
  static constexpr char kKind[] = "concern";
  static constexpr char kByCase[] = "concern_by_case";
  static constexpr char kSlotKind[] = "concern_open";
  static constexpr char kNoun[] = "protection concern";
  static constexpr char kIdPrefix[] = "PC";
  static const std::string& Id(const ProtectionConcern& c) {
    return c.concern_id();
  }
  static const std::string& Key(const ProtectionConcern& c) { return c.code(); }
  static void PutIndexes(WriteSet& set, uint32_t p,
                         const ProtectionConcern& c) {
    set.PutIndex(p, kByCase, c.case_id(), c.concern_id());
  }
  static void Announce(Event& event, const ProtectionConcern& c) {
    *event.mutable_protection_concern_changed()->mutable_concern() = c;
  }
  static void Complete(const storage::Store&, uint32_t, ProtectionConcern&) {}
};

template <typename Record>
struct Versioned {
  Record record;
  uint64_t version = 0;
};

// Readable in error messages; neither part holds a '/'.
std::string SlotId(absl::string_view case_id, absl::string_view key) {
  return absl::StrCat(case_id, "/", key);
}

// The version of the open slot of (case, key): 0 when none was written.
template <typename R>
absl::StatusOr<uint64_t> SlotVersion(const storage::Store& store, uint32_t p,
                                     absl::string_view case_id,
                                     absl::string_view key) {
  google::protobuf::StringValue slot;
  uint64_t version = 0;
  ASSIGN_OR_RETURN(
      bool found,
      store.GetRecord(p, R::kSlotKind, SlotId(case_id, key), &slot, &version));
  return found ? version : 0;
}

// Every record of the case, current form, with its version.
template <typename R>
absl::StatusOr<std::vector<Versioned<typename R::Record>>> ReadCase(
    const storage::Store& store, uint32_t p, absl::string_view case_id) {
  std::vector<Versioned<typename R::Record>> all;
  std::string token;
  do {
    ASSIGN_OR_RETURN(
        storage::IndexPage ids,
        store.ListIndex({p}, R::kByCase, case_id, kCasePage, token));
    for (const storage::IndexEntry& entry : ids.entries) {
      Versioned<typename R::Record> v;
      ASSIGN_OR_RETURN(bool found, storage::ReadIndexedRecord(
                                       store, entry, R::kKind,
                                       storage::MissingRecord::kCorruption,
                                       &v.record, &v.version));
      if (!found) continue;
      R::Complete(store, p, v.record);
      all.push_back(std::move(v));
    }
    token = std::move(ids.next_page_token);
  } while (!token.empty());
  return all;
}

template <typename R>
absl::StatusOr<Versioned<typename R::Record>> ReadOne(
    const storage::Store& store, uint32_t p, absl::string_view case_id,
    absl::string_view id) {
  Versioned<typename R::Record> v;
  ASSIGN_OR_RETURN(bool found,
                   store.GetRecord(p, R::kKind, id, &v.record, &v.version));
  // An id of another case reads as missing, so ids cannot be probed across
  // cases.
  if (!found || v.record.case_id() != case_id) {
    return errors::NotFound(R::kNoun, id);
  }
  R::Complete(store, p, v.record);
  v.record.set_etag(api::EtagOf(v.version));
  return v;
}

Event EventFor(uint32_t p, absl::string_view case_id, absl::string_view user,
               absl::string_view request_id) {
  Event event;
  event.set_partition(p);
  event.set_subject_id(std::string(case_id));
  event.set_actor_user_id(std::string(user));
  event.set_request_id(std::string(request_id));
  return event;
}

// Adds the writes of one record's change (from `version`; 0 creates it) and
// its event; returns the record as a read will show it.
template <typename R>
typename R::Record PutChange(WriteSet& set, uint32_t p,
                             typename R::Record record, uint64_t version,
                             absl::string_view user,
                             absl::string_view request_id) {
  record.clear_etag();
  set.ExpectVersion(p, R::kKind, R::Id(record), version)
      .PutRecord(p, R::kKind, R::Id(record), version + 1, record);
  if (version == 0) R::PutIndexes(set, p, record);
  record.set_etag(api::EtagOf(version + 1));
  Event event = EventFor(p, record.case_id(), user, request_id);
  R::Announce(event, record);
  set.AppendEvent(std::move(event));
  return record;
}

// Adds the change of each of the case's records that holds free text,
// without it (RemoveFreeText), with its event.
template <typename R>
absl::Status RemoveCaseFreeText(const storage::Store& store,
                                const service::Actor& actor, uint32_t p,
                                absl::string_view case_id, WriteSet& set) {
  ASSIGN_OR_RETURN(auto all, ReadCase<R>(store, p, case_id));
  for (Versioned<typename R::Record>& v : all) {
    if (!RemoveFreeText(v.record)) continue;
    PutChange<R>(set, p, std::move(v.record), v.version,
                 actor.principal.user_id(), actor.request_id);
  }
  return absl::OkStatus();
}

// Moves the open slot of (case, key) on from `version`, naming `open_id`.
template <typename R>
void MoveSlot(WriteSet& set, uint32_t p, absl::string_view case_id,
              absl::string_view key, uint64_t version,
              const std::string& open_id) {
  google::protobuf::StringValue slot;
  slot.set_value(open_id);
  const std::string id = SlotId(case_id, key);
  set.ExpectVersion(p, R::kSlotKind, id, version)
      .PutRecord(p, R::kSlotKind, id, version + 1, slot);
}

// Plans the merge of `raised` into the case's records: reads the open slots
// of the raised keys, then the case's records (in that order, see
// need_store.h), and adds every write to `set`. Returns the records as
// written and the id each raise went into.
template <typename R, typename Raise, typename MergeFn>
absl::StatusOr<Merged<typename R::Record>> PlanMerge(
    const storage::Store& store, uint32_t p, const RaiseOrigin& origin,
    const std::vector<Raise>& raised, const std::vector<std::string>& keys,
    MergeFn merge, absl::string_view request_id, WriteSet& set) {
  using Record = typename R::Record;
  std::map<std::string, uint64_t> slots;
  for (const std::string& key : keys) {
    if (slots.count(key) > 0) continue;
    ASSIGN_OR_RETURN(slots[key], SlotVersion<R>(store, p, origin.case_id, key));
  }
  ASSIGN_OR_RETURN(std::vector<Versioned<Record>> all,
                   ReadCase<R>(store, p, origin.case_id));
  std::vector<Record> existing;
  std::map<std::string, uint64_t> versions;
  for (auto& v : all) {
    versions[R::Id(v.record)] = v.version;
    existing.push_back(std::move(v.record));
  }
  Merged<Record> merged = merge(existing, raised, origin, [] {
    return storage::TimeOrderedId(R::kIdPrefix);
  });
  for (size_t i = 0; i < merged.records.size(); ++i) {
    Record& record = merged.records[i];
    const uint64_t version = merged.created[i] ? 0 : versions[R::Id(record)];
    if (merged.created[i]) {
      MoveSlot<R>(set, p, origin.case_id, R::Key(record), slots[R::Key(record)],
                  R::Id(record));
    }
    record = PutChange<R>(set, p, std::move(record), version, origin.user_id,
                          request_id);
  }
  return merged;
}

template <typename R, typename Input, typename MergeFn>
absl::StatusOr<typename R::Record> AddByHand(
    storage::Store& store, const service::Actor& actor, uint32_t p,
    absl::string_view case_id, const std::string& request_id,
    const Input& raise, const std::string& key, MergeFn merge) {
  for (int attempt = 1;; ++attempt) {
    RaiseOrigin origin;
    origin.case_id = std::string(case_id);
    origin.user_id = actor.principal.user_id();
    origin.time = storage::NowTimestamp();
    WriteSet set;
    ASSIGN_OR_RETURN(Merged<typename R::Record> merged,
                     (PlanMerge<R>(store, p, origin, std::vector<Input>{raise},
                                   {key}, merge, request_id, set)));
    const std::string id = merged.raised_into.front();
    homeward::internal::v1::IdempotencyRecord claim;
    claim.set_subject_id(id);
    claim.set_partition(p);
    set.ClaimRequest(p, absl::StrCat("Add_", R::kKind), request_id, claim);
    auto audit = service::AuditEntryFor(actor, case_id);
    audit.set_reason(absl::StrCat(R::kKind, " ", id, " added"));
    set.Audit(std::move(audit));
    absl::StatusOr<storage::CommitResult> result = store.Commit(std::move(set));
    if (!result.ok() && NeedStore::LostRace(result.status())) {
      // Another writer opened or changed the same key: replan.
      if (attempt < NeedStore::kAttempts) continue;
      return NeedStore::GaveUp(result.status(), case_id);
    }
    RETURN_IF_ERROR(result.status());
    ASSIGN_OR_RETURN(
        auto stored,
        ReadOne<R>(store, p, case_id,
                   result->replayed ? result->original.subject_id() : id));
    return stored.record;
  }
}

// What PlanChange does with a change that leaves the record as it was.
enum class Unchanged { kWrite, kSkip };

// Adds to `set` the change `change` makes to the record, with its event and
// audit entry, expecting `expected_version` (0: whatever version is read).
// A change that reopens the record also moves its key's open slot. Returns
// the record as written, or nullopt when `change` left it as it was and
// `unchanged` is kSkip (nothing is added to `set` then).
template <typename R, typename ChangeFn>
absl::StatusOr<std::optional<typename R::Record>> PlanChange(
    const storage::Store& store, const service::Actor& actor, uint32_t p,
    absl::string_view case_id, absl::string_view id, uint64_t expected_version,
    absl::string_view what, ChangeFn change, Unchanged unchanged,
    WriteSet& set) {
  ASSIGN_OR_RETURN(auto current, ReadOne<R>(store, p, case_id, id));
  if (expected_version != 0 && current.version != expected_version) {
    return errors::EtagMismatch(R::kNoun, id, api::EtagOf(expected_version),
                                api::EtagOf(current.version));
  }
  std::optional<typename R::Record> before;
  if (unchanged == Unchanged::kSkip) before = current.record;
  const bool was_open = IsOpen(current.record.status());
  const auto now = storage::NowTimestamp();
  RETURN_IF_ERROR(change(current.record, now));
  if (before.has_value() && google::protobuf::util::MessageDifferencer::Equals(
                                *before, current.record)) {
    return std::optional<typename R::Record>();
  }
  if (!was_open && IsOpen(current.record.status())) {
    // Reopening: no other record of its key may be open, and none may be
    // opened meanwhile.
    const std::string& key = R::Key(current.record);
    ASSIGN_OR_RETURN(uint64_t slot, SlotVersion<R>(store, p, case_id, key));
    ASSIGN_OR_RETURN(auto all, ReadCase<R>(store, p, case_id));
    for (const auto& other : all) {
      if (R::Id(other.record) != id && R::Key(other.record) == key &&
          IsOpen(other.record.status())) {
        return errors::FailedPrecondition(
            "OPEN_RECORD_EXISTS", id,
            absl::StrCat(R::kNoun, " '", R::Id(other.record), "' of '", key,
                         "' is open: change that one instead of reopening '",
                         id, "'"));
      }
    }
    MoveSlot<R>(set, p, case_id, key, slot, std::string(id));
  }
  typename R::Record written =
      PutChange<R>(set, p, std::move(current.record), current.version,
                   actor.principal.user_id(), actor.request_id);
  auto audit = service::AuditEntryFor(actor, case_id);
  audit.set_reason(absl::StrCat(R::kKind, " ", id, " ", what));
  set.Audit(std::move(audit));
  return std::optional<typename R::Record>(std::move(written));
}

// Plans the change (PlanChange) and commits it, replanning when another
// writer wins the race. A change that leaves the record as it was is still
// written (a new version, event and audit entry): a caller asked for it.
template <typename R, typename ChangeFn>
absl::StatusOr<typename R::Record> ChangeRecord(
    storage::Store& store, const service::Actor& actor, uint32_t p,
    absl::string_view case_id, absl::string_view id, uint64_t expected_version,
    absl::string_view what, ChangeFn change) {
  for (int attempt = 1;; ++attempt) {
    WriteSet set;
    ASSIGN_OR_RETURN(
        std::optional<typename R::Record> written,
        PlanChange<R>(store, actor, p, case_id, id, expected_version, what,
                      change, Unchanged::kWrite, set));
    absl::StatusOr<storage::CommitResult> result = store.Commit(std::move(set));
    if (!result.ok() && NeedStore::LostRace(result.status())) {
      // A concurrent change: re-read (the etag check decides).
      if (attempt < NeedStore::kAttempts) continue;
      return NeedStore::GaveUp(result.status(), case_id);
    }
    RETURN_IF_ERROR(result.status());
    return *std::move(written);
  }
}

template <typename R>
absl::StatusOr<typename R::Record> SetStatusOf(
    storage::Store& store, const service::Actor& actor, uint32_t p,
    absl::string_view case_id, absl::string_view id, uint64_t expected_version,
    NeedStatus status, absl::string_view reason) {
  return ChangeRecord<R>(
      store, actor, p, case_id, id, expected_version,
      homeward::v1::NeedStatus_Name(status),
      [&](typename R::Record& record,
          const google::protobuf::Timestamp& now) -> absl::Status {
        RETURN_IF_ERROR(CheckStatusChange(
            record.status(), status, StatusChanger::kCaseManager, reason, id));
        SetStatus(record, status, reason, actor.principal.user_id(), now);
        return absl::OkStatus();
      });
}

template <typename R>
absl::StatusOr<typename R::Record> Respond(
    storage::Store& store, const service::Actor& actor, uint32_t p,
    absl::string_view case_id, absl::string_view id,
    const homeward::v1::Responder& responder, bool add) {
  return ChangeRecord<R>(
      store, actor, p, case_id, id, 0,
      absl::StrCat(add ? "addressed by " : "no longer addressed by ",
                   responder.id()),
      [&](typename R::Record& record,
          const google::protobuf::Timestamp& now) -> absl::Status {
        return add ? AddResponder(record, responder, now)
                   : WithdrawResponder(record, responder, now);
      });
}

std::string ResponderIds(const std::vector<homeward::v1::Responder>& list) {
  std::string ids;
  for (const auto& r : list)
    absl::StrAppend(&ids, ids.empty() ? "" : ",", r.id());
  return ids;
}

// The responder changes of a feed event on one record: added first, then
// withdrawn, so that a record that keeps a responder stays BEING_ADDRESSED
// without passing through OPEN. A record that is not open is left alone.
template <typename R>
absl::StatusOr<NeedStore::ResponseOutcome> PlanResponders(
    const storage::Store& store, const service::Actor& actor, uint32_t p,
    absl::string_view case_id, absl::string_view id,
    const NeedStore::ResponderChange& responders, WriteSet& set) {
  bool not_open = false;
  std::string what;
  if (!responders.add.empty()) {
    absl::StrAppend(&what, "addressed by ", ResponderIds(responders.add));
  }
  if (!responders.withdraw.empty()) {
    absl::StrAppend(&what, what.empty() ? "" : "; ", "no longer addressed by ",
                    ResponderIds(responders.withdraw));
  }
  ASSIGN_OR_RETURN(
      std::optional<typename R::Record> written,
      PlanChange<R>(
          store, actor, p, case_id, id, 0, what,
          [&](typename R::Record& record,
              const google::protobuf::Timestamp& now) -> absl::Status {
            if (!IsOpen(record.status())) {
              not_open = true;
              return absl::OkStatus();
            }
            for (const auto& r : responders.add) {
              RETURN_IF_ERROR(AddResponder(record, r, now));
            }
            for (const auto& r : responders.withdraw) {
              const bool listed = std::any_of(
                  record.addressed_by().begin(), record.addressed_by().end(),
                  [&r](const homeward::v1::Responder& l) {
                    return l.kind() == r.kind() && l.id() == r.id();
                  });
              if (listed) RETURN_IF_ERROR(WithdrawResponder(record, r, now));
            }
            return absl::OkStatus();
          },
          Unchanged::kSkip, set));
  if (not_open) return NeedStore::ResponseOutcome::kNotOpen;
  return written.has_value() ? NeedStore::ResponseOutcome::kChanged
                             : NeedStore::ResponseOutcome::kUnchanged;
}

template <typename R>
bool Admitted(const std::vector<NeedStatus>& statuses,
              const typename R::Record& record) {
  return statuses.empty() || std::find(statuses.begin(), statuses.end(),
                                       record.status()) != statuses.end();
}

template <typename R>
absl::StatusOr<storage::Page<typename R::Record>> ListOf(
    const storage::Store& store, uint32_t p, storage::IndexPage ids,
    const std::vector<NeedStatus>& statuses) {
  // Records are never deleted and are written with their index entries.
  return storage::ReadIndexedRecords<typename R::Record>(
      store, std::move(ids), R::kKind, storage::MissingRecord::kCorruption,
      [&](const storage::IndexEntry&, uint64_t version,
          typename R::Record& record) {
        R::Complete(store, p, record);
        record.set_etag(api::EtagOf(version));
        return Admitted<R>(statuses, record);
      });
}

}  // namespace

bool NeedStore::LostRace(const absl::Status& status) {
  return status.code() == absl::StatusCode::kAborted ||
         status.code() == absl::StatusCode::kAlreadyExists;
}

absl::Status NeedStore::GaveUp(const absl::Status& last,
                               absl::string_view case_id) {
  if (last.code() == absl::StatusCode::kAborted) return last;
  return errors::ConcurrentChange(
      absl::StrCat("the needs of case '", case_id,
                   "' kept changing while this change was written: try again"));
}

absl::Status NeedStore::MergeSubmission(uint32_t partition,
                                        homeward::v1::Assessment& assessment,
                                        absl::string_view request_id,
                                        WriteSet& set) const {
  RaiseOrigin origin;
  origin.case_id = assessment.case_id();
  origin.assessment_id = assessment.assessment_id();
  origin.instrument_id = assessment.instrument_id();
  origin.instrument_version = assessment.instrument_version();
  origin.user_id = assessment.assessed_by();
  origin.time = assessment.create_time();

  std::vector<Need> raised(assessment.needs().begin(),
                           assessment.needs().end());
  std::vector<std::string> categories;
  for (const Need& n : raised) categories.push_back(n.category());
  ASSIGN_OR_RETURN(
      Merged<Need> needs,
      (PlanMerge<NeedRecords>(*store_, partition, origin, raised, categories,
                              MergeNeeds, request_id, set)));
  for (int i = 0; i < assessment.needs_size(); ++i) {
    assessment.mutable_needs(i)->set_need_id(needs.raised_into[i]);
  }
  std::vector<homeward::v1::RaisedFlag> flags(assessment.flags().begin(),
                                              assessment.flags().end());
  std::vector<std::string> codes;
  for (const auto& f : flags) codes.push_back(f.code());
  return PlanMerge<ConcernRecords>(*store_, partition, origin, flags, codes,
                                   MergeConcerns, request_id, set)
      .status();
}

namespace {

// Whether a record of `all` has a source naming follow-up contact
// `contact_id`.
template <typename Record>
bool NamesContact(const std::vector<Versioned<Record>>& all,
                  const std::string& contact_id) {
  for (const auto& v : all) {
    for (const auto& source : v.record.sources()) {
      if (source.follow_up_contact_id() == contact_id) return true;
    }
  }
  return false;
}

}  // namespace

absl::StatusOr<bool> NeedStore::MergeFollowUp(const service::Actor& actor,
                                              uint32_t partition,
                                              const FollowUpFindings& findings,
                                              WriteSet& set) const {
  if (findings.contact_id.empty() ||
      (findings.needs.empty() && findings.concerns.empty())) {
    return false;
  }
  // Sources are never removed, so a source naming the contact means its
  // findings were merged (a redelivered event).
  ASSIGN_OR_RETURN(auto needs,
                   ReadCase<NeedRecords>(*store_, partition, findings.case_id));
  if (NamesContact(needs, findings.contact_id)) return false;
  ASSIGN_OR_RETURN(auto concerns, ReadCase<ConcernRecords>(*store_, partition,
                                                           findings.case_id));
  if (NamesContact(concerns, findings.contact_id)) return false;

  RaiseOrigin origin;
  origin.case_id = findings.case_id;
  origin.user_id = findings.user_id;
  origin.time = findings.time;
  origin.follow_up_contact_id = findings.contact_id;
  const std::string& request_id = actor.request_id;
  if (!findings.needs.empty()) {
    std::vector<Need> raised;
    std::vector<std::string> categories;
    for (const homeward::v1::NeedInput& input : findings.needs) {
      Need& raise = raised.emplace_back();
      raise.set_case_id(findings.case_id);
      raise.set_dimension(input.dimension());
      raise.set_category(input.category());
      raise.set_description(input.description());
      raise.set_priority(input.priority());
      categories.push_back(input.category());
    }
    RETURN_IF_ERROR(
        (PlanMerge<NeedRecords>(*store_, partition, origin, raised, categories,
                                MergeNeeds, request_id, set))
            .status());
  }
  if (!findings.concerns.empty()) {
    std::vector<std::string> codes;
    for (const auto& f : findings.concerns) codes.push_back(f.code());
    RETURN_IF_ERROR((PlanMerge<ConcernRecords>(*store_, partition, origin,
                                               findings.concerns, codes,
                                               MergeConcerns, request_id, set))
                        .status());
  }
  auto audit = service::AuditEntryFor(actor, findings.case_id);
  audit.set_reason(
      absl::StrCat("findings of follow-up contact ", findings.contact_id));
  set.Audit(std::move(audit));
  return true;
}

absl::StatusOr<Need> NeedStore::AddNeed(const service::Actor& actor,
                                        uint32_t partition,
                                        absl::string_view case_id,
                                        const std::string& request_id,
                                        const homeward::v1::NeedInput& input) {
  Need raise;
  raise.set_case_id(std::string(case_id));
  raise.set_dimension(input.dimension());
  raise.set_category(input.category());
  raise.set_description(input.description());
  raise.set_priority(input.priority());
  return AddByHand<NeedRecords>(*store_, actor, partition, case_id, request_id,
                                raise, input.category(), MergeNeeds);
}

absl::StatusOr<Need> NeedStore::GetNeed(uint32_t partition,
                                        absl::string_view case_id,
                                        absl::string_view need_id) const {
  ASSIGN_OR_RETURN(auto v,
                   ReadOne<NeedRecords>(*store_, partition, case_id, need_id));
  return std::move(v.record);
}

absl::StatusOr<storage::Page<Need>> NeedStore::ListNeeds(
    uint32_t partition, absl::string_view case_id,
    homeward::v1::Dimension dimension, const std::vector<NeedStatus>& statuses,
    int page_size, absl::string_view page_token) const {
  storage::IndexPage ids;
  if (dimension == homeward::v1::DIMENSION_UNSPECIFIED) {
    ASSIGN_OR_RETURN(ids, store_->ListIndex({partition}, NeedRecords::kByCase,
                                            case_id, page_size, page_token));
  } else {
    ASSIGN_OR_RETURN(
        ids, store_->ListIndex({partition}, "need_by_case_dimension",
                               storage::KeyBuilder()
                                   .Str(case_id)
                                   .U32(static_cast<uint32_t>(dimension))
                                   .key(),
                               page_size, page_token));
  }
  return ListOf<NeedRecords>(*store_, partition, std::move(ids), statuses);
}

absl::StatusOr<Need> NeedStore::SetNeedStatus(
    const service::Actor& actor, uint32_t partition, absl::string_view case_id,
    absl::string_view need_id, uint64_t expected_version, NeedStatus status,
    absl::string_view reason) {
  return SetStatusOf<NeedRecords>(*store_, actor, partition, case_id, need_id,
                                  expected_version, status, reason);
}

absl::StatusOr<Need> NeedStore::MarkNeedBeingAddressed(
    const service::Actor& actor, uint32_t partition, absl::string_view case_id,
    absl::string_view need_id, const homeward::v1::Responder& responder) {
  return Respond<NeedRecords>(*store_, actor, partition, case_id, need_id,
                              responder, true);
}

absl::StatusOr<Need> NeedStore::WithdrawNeedResponder(
    const service::Actor& actor, uint32_t partition, absl::string_view case_id,
    absl::string_view need_id, const homeward::v1::Responder& responder) {
  return Respond<NeedRecords>(*store_, actor, partition, case_id, need_id,
                              responder, false);
}

absl::StatusOr<ProtectionConcern> NeedStore::AddConcern(
    const service::Actor& actor, uint32_t partition, absl::string_view case_id,
    const std::string& request_id,
    const homeward::v1::ProtectionConcernInput& input) {
  homeward::v1::RaisedFlag raise;
  raise.set_code(input.code());
  raise.set_label(input.label());
  raise.set_priority(input.priority());
  raise.set_response_category(input.response_category());
  return AddByHand<ConcernRecords>(*store_, actor, partition, case_id,
                                   request_id, raise, input.code(),
                                   MergeConcerns);
}

absl::StatusOr<ProtectionConcern> NeedStore::GetConcern(
    uint32_t partition, absl::string_view case_id,
    absl::string_view concern_id) const {
  ASSIGN_OR_RETURN(
      auto v, ReadOne<ConcernRecords>(*store_, partition, case_id, concern_id));
  return std::move(v.record);
}

absl::StatusOr<storage::Page<ProtectionConcern>> NeedStore::ListConcerns(
    uint32_t partition, absl::string_view case_id,
    const std::vector<NeedStatus>& statuses, int page_size,
    absl::string_view page_token) const {
  ASSIGN_OR_RETURN(storage::IndexPage ids,
                   store_->ListIndex({partition}, ConcernRecords::kByCase,
                                     case_id, page_size, page_token));
  return ListOf<ConcernRecords>(*store_, partition, std::move(ids), statuses);
}

absl::StatusOr<ProtectionConcern> NeedStore::SetConcernStatus(
    const service::Actor& actor, uint32_t partition, absl::string_view case_id,
    absl::string_view concern_id, uint64_t expected_version, NeedStatus status,
    absl::string_view reason) {
  return SetStatusOf<ConcernRecords>(*store_, actor, partition, case_id,
                                     concern_id, expected_version, status,
                                     reason);
}

absl::StatusOr<ProtectionConcern> NeedStore::MarkConcernBeingAddressed(
    const service::Actor& actor, uint32_t partition, absl::string_view case_id,
    absl::string_view concern_id, const homeward::v1::Responder& responder) {
  return Respond<ConcernRecords>(*store_, actor, partition, case_id, concern_id,
                                 responder, true);
}

absl::StatusOr<ProtectionConcern> NeedStore::WithdrawConcernResponder(
    const service::Actor& actor, uint32_t partition, absl::string_view case_id,
    absl::string_view concern_id, const homeward::v1::Responder& responder) {
  return Respond<ConcernRecords>(*store_, actor, partition, case_id, concern_id,
                                 responder, false);
}

absl::StatusOr<NeedStore::ResponseOutcome> NeedStore::PlanNeedResponders(
    const service::Actor& actor, uint32_t partition, absl::string_view case_id,
    absl::string_view need_id, const ResponderChange& responders,
    WriteSet& set) const {
  return PlanResponders<NeedRecords>(*store_, actor, partition, case_id,
                                     need_id, responders, set);
}

absl::StatusOr<NeedStore::ResponseOutcome> NeedStore::PlanConcernResponders(
    const service::Actor& actor, uint32_t partition, absl::string_view case_id,
    absl::string_view concern_id, const ResponderChange& responders,
    WriteSet& set) const {
  return PlanResponders<ConcernRecords>(*store_, actor, partition, case_id,
                                        concern_id, responders, set);
}

absl::Status NeedStore::RemoveFreeTextOfCase(const service::Actor& actor,
                                             uint32_t partition,
                                             absl::string_view case_id,
                                             WriteSet& set) const {
  RETURN_IF_ERROR(
      RemoveCaseFreeText<NeedRecords>(*store_, actor, partition, case_id, set));
  return RemoveCaseFreeText<ConcernRecords>(*store_, actor, partition, case_id,
                                            set);
}

}  // namespace homeward::assessment
