// The needs and protection concerns of cases, in the case's partition:
// versioned records (kind "need", indexed under need_by_case and
// need_by_case_dimension as before needs had a life; kind "concern",
// indexed under concern_by_case), each change with its NeedChanged or
// ProtectionConcernChanged event and its audit entry in one WriteSet.
//
// One open record per (case, category) or (case, code): every write that
// opens a record (a create, a reopen) also moves a per-key "open slot"
// record under ExpectVersion, read before the case's records are listed, so
// that of two writers racing to open the same key one commit fails ABORTED
// and its retry merges into the other's record. Changes to an existing
// record expect its version (the etag the caller read, or the version the
// merge read).
//
//   NeedStore needs(store);
//   storage::WriteSet set;
//   RETURN_IF_ERROR(needs.MergeSubmission(p, assessment, request_id, set));
//   ...commit `set` with the submission...
//   ASSIGN_OR_RETURN(Need n, needs.SetNeedStatus(actor, p, case_id, need_id,
//                                                version, RESOLVED, ""));
//   // A feed consumer, whose follower commits the set with its cursor:
//   ASSIGN_OR_RETURN(auto outcome, needs.PlanNeedResponders(
//                                      actor, p, case_id, need_id,
//                                      {.add = {responder}}, set));
#ifndef HOMEWARD_SERVICES_ASSESSMENT_NEED_STORE_H_
#define HOMEWARD_SERVICES_ASSESSMENT_NEED_STORE_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/service/actor.h"
#include "common/storage/page.h"
#include "common/storage/store.h"
#include "common/storage/write_set.h"
#include "google/protobuf/timestamp.pb.h"
#include "homeward/v1/assessments.pb.h"
#include "homeward/v1/needs.pb.h"

namespace homeward::assessment {

class NeedStore {
 public:
  // How many times a write that lost a race (ABORTED) is replanned.
  static constexpr int kAttempts = 4;

  explicit NeedStore(storage::Store* store) : store_(store) {}

  // Whether a failed commit of a planned merge lost a race (an open slot or
  // record written meanwhile: ABORTED or ALREADY_EXISTS), so that planning
  // again may succeed; nothing was applied.
  static bool LostRace(const absl::Status& status);
  // What a write that lost every replan answers: ABORTED, retry. `last` is
  // the last commit's failure: an ABORTED one (it names the record that
  // moved, e.g. the case for a stage move) is answered as it is.
  static absl::Status GaveUp(const absl::Status& last,
                             absl::string_view case_id);

  // Adds to `set` what merging the needs and flags of `assessment` (its id,
  // case, instrument, assessed_by and create_time set) into its case's
  // records writes, and sets assessment.needs[i].need_id to the need each
  // went into. The caller commits `set`; a commit failing with LostRace means
  // another writer changed the same records meanwhile: plan again.
  absl::Status MergeSubmission(uint32_t partition,
                               homeward::v1::Assessment& assessment,
                               absl::string_view request_id,
                               storage::WriteSet& set) const;

  // What a follow-up contact found (the follow-up feed's FollowUpRecorded,
  // follow_up_outcomes.h): new needs, and a concern its distress signs
  // raise.
  struct FollowUpFindings {
    std::string case_id;
    std::string contact_id;
    std::string user_id;  // who recorded the contact
    google::protobuf::Timestamp time;
    std::vector<homeward::v1::NeedInput> needs;
    std::vector<homeward::v1::RaisedFlag> concerns;
  };
  // Adds to `set` what merging `findings` into the case's records writes
  // (as MergeSubmission, each source naming the contact), with an audit
  // entry by `actor`; false, adding nothing, when a record of the case
  // already has a source naming the contact (it was merged before) or
  // there is nothing to merge. The caller commits `set`.
  absl::StatusOr<bool> MergeFollowUp(const service::Actor& actor,
                                     uint32_t partition,
                                     const FollowUpFindings& findings,
                                     storage::WriteSet& set) const;

  // A need entered by hand: merged into the open need of its category, or
  // created. Idempotent by `request_id`.
  absl::StatusOr<homeward::v1::Need> AddNeed(
      const service::Actor& actor, uint32_t partition,
      absl::string_view case_id, const std::string& request_id,
      const homeward::v1::NeedInput& input);
  // NOT_FOUND unless `need_id` is a need of `case_id`.
  absl::StatusOr<homeward::v1::Need> GetNeed(uint32_t partition,
                                             absl::string_view case_id,
                                             absl::string_view need_id) const;
  // Oldest first; `dimension` UNSPECIFIED: every dimension; `statuses`
  // empty: every status (a filtered page may be shorter than asked).
  absl::StatusOr<storage::Page<homeward::v1::Need>> ListNeeds(
      uint32_t partition, absl::string_view case_id,
      homeward::v1::Dimension dimension,
      const std::vector<homeward::v1::NeedStatus>& statuses, int page_size,
      absl::string_view page_token) const;
  // The case manager's change (need_rules.h CheckStatusChange); ABORTED
  // when the need's version is not `expected_version`.
  absl::StatusOr<homeward::v1::Need> SetNeedStatus(
      const service::Actor& actor, uint32_t partition,
      absl::string_view case_id, absl::string_view need_id,
      uint64_t expected_version, homeward::v1::NeedStatus status,
      absl::string_view reason);
  // A plan activity or referral answers the need / no longer does, committed
  // at once (the planning feed's consumer plans the same change into its
  // WriteSet with PlanNeedResponders instead).
  absl::StatusOr<homeward::v1::Need> MarkNeedBeingAddressed(
      const service::Actor& actor, uint32_t partition,
      absl::string_view case_id, absl::string_view need_id,
      const homeward::v1::Responder& responder);
  absl::StatusOr<homeward::v1::Need> WithdrawNeedResponder(
      const service::Actor& actor, uint32_t partition,
      absl::string_view case_id, absl::string_view need_id,
      const homeward::v1::Responder& responder);

  // What a feed event asks of one need or concern: responders that now
  // answer it, and responders that no longer do (one not listed is skipped).
  struct ResponderChange {
    std::vector<homeward::v1::Responder> add;
    std::vector<homeward::v1::Responder> withdraw;
  };
  enum class ResponseOutcome {
    kChanged,    // the change, its event and audit entry are in the set
    kUnchanged,  // every responder already as asked: nothing to write
    kNotOpen,    // RESOLVED, NOT_APPLICABLE or SUPERSEDED: left alone
  };
  // For feed consumers, which commit a WriteSet with their cursor instead of
  // committing themselves (plan_responses.h): adds to `set` the responder
  // changes of one open need, as MarkNeedBeingAddressed and
  // WithdrawNeedResponder make them (the last withdrawal makes it OPEN
  // again), with its NeedChanged event and audit entry, expecting the version
  // read. NOT_FOUND when `need_id` is not a need of `case_id` here. Call it
  // once per record and set: a second change of the same record in one set
  // would expect the version the first replaces.
  absl::StatusOr<ResponseOutcome> PlanNeedResponders(
      const service::Actor& actor, uint32_t partition,
      absl::string_view case_id, absl::string_view need_id,
      const ResponderChange& responders, storage::WriteSet& set) const;
  absl::StatusOr<ResponseOutcome> PlanConcernResponders(
      const service::Actor& actor, uint32_t partition,
      absl::string_view case_id, absl::string_view concern_id,
      const ResponderChange& responders, storage::WriteSet& set) const;

  // The same for protection concerns, keyed by code.
  absl::StatusOr<homeward::v1::ProtectionConcern> AddConcern(
      const service::Actor& actor, uint32_t partition,
      absl::string_view case_id, const std::string& request_id,
      const homeward::v1::ProtectionConcernInput& input);
  absl::StatusOr<homeward::v1::ProtectionConcern> GetConcern(
      uint32_t partition, absl::string_view case_id,
      absl::string_view concern_id) const;
  absl::StatusOr<storage::Page<homeward::v1::ProtectionConcern>> ListConcerns(
      uint32_t partition, absl::string_view case_id,
      const std::vector<homeward::v1::NeedStatus>& statuses, int page_size,
      absl::string_view page_token) const;
  absl::StatusOr<homeward::v1::ProtectionConcern> SetConcernStatus(
      const service::Actor& actor, uint32_t partition,
      absl::string_view case_id, absl::string_view concern_id,
      uint64_t expected_version, homeward::v1::NeedStatus status,
      absl::string_view reason);
  absl::StatusOr<homeward::v1::ProtectionConcern> MarkConcernBeingAddressed(
      const service::Actor& actor, uint32_t partition,
      absl::string_view case_id, absl::string_view concern_id,
      const homeward::v1::Responder& responder);
  absl::StatusOr<homeward::v1::ProtectionConcern> WithdrawConcernResponder(
      const service::Actor& actor, uint32_t partition,
      absl::string_view case_id, absl::string_view concern_id,
      const homeward::v1::Responder& responder);

  // Adds to `set` the change of each of the case's needs and concerns that
  // holds free text, without it (RemoveFreeText, retention_rules.h), with
  // its NeedChanged or ProtectionConcernChanged event, so that the services
  // keeping copies drop the text too: for the retention job's anonymisation
  // of the case.
  absl::Status RemoveFreeTextOfCase(const service::Actor& actor,
                                    uint32_t partition,
                                    absl::string_view case_id,
                                    storage::WriteSet& set) const;

 private:
  storage::Store* store_;
};

}  // namespace homeward::assessment

#endif  // HOMEWARD_SERVICES_ASSESSMENT_NEED_STORE_H_
