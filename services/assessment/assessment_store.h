// Assessment submissions, in the case's partition. A submission is written
// once, with its AssessmentCompleted event, its audit entry and the merge of
// the needs and flags it raised into the case's needs and protection
// concerns (need_store.h) in one WriteSet, and never changed afterwards: the
// history of a case's assessments is the list of its submissions.
//
//   AssessmentStore assessments(store.get());
//   ASSIGN_OR_RETURN(Assessment stored, assessments.Submit(actor, p,
//   request_id, a));
#ifndef HOMEWARD_SERVICES_ASSESSMENT_ASSESSMENT_STORE_H_
#define HOMEWARD_SERVICES_ASSESSMENT_ASSESSMENT_STORE_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/storage/page.h"
#include "common/storage/store.h"
#include "homeward/v1/assessments.pb.h"
#include "services/assessment/case_store.h"
#include "services/assessment/need_store.h"

namespace homeward::assessment {

class AssessmentStore {
 public:
  explicit AssessmentStore(storage::Store* store)
      : store_(store), needs_(store) {}

  // Assigns an id and time to the assessment and stores it, merging the
  // needs and flags it raised into the case's needs and concerns (each
  // assessment.needs[i].need_id names the need it went into), with `also`
  // (e.g. the case's stage move) in the same commit. A repeated request id
  // returns the assessment it first created and writes nothing. A merge that
  // lost a race with another writer of the same case's needs is replanned.
  absl::StatusOr<homeward::v1::Assessment> Submit(
      const service::Actor& actor, uint32_t partition,
      const std::string& request_id, homeward::v1::Assessment assessment,
      storage::WriteSet also = {});
  // NOT_FOUND unless `assessment_id` is an assessment of `case_id`.
  absl::StatusOr<homeward::v1::Assessment> Get(
      uint32_t partition, absl::string_view case_id,
      absl::string_view assessment_id) const;
  // Oldest first; `kind` UNSPECIFIED lists every kind.
  absl::StatusOr<storage::Page<homeward::v1::Assessment>> List(
      uint32_t partition, absl::string_view case_id,
      homeward::v1::InstrumentKind kind, int page_size,
      absl::string_view page_token) const;
  // Every assessment of `kind` of the case (UNSPECIFIED: every kind),
  // oldest first: all pages of List.
  absl::StatusOr<std::vector<homeward::v1::Assessment>> ListAll(
      uint32_t partition, absl::string_view case_id,
      homeward::v1::InstrumentKind kind) const;
  // The needs its submissions merge into (for listing them).
  const NeedStore& needs() const { return needs_; }

 private:
  storage::Store* store_;
  NeedStore needs_;
};

}  // namespace homeward::assessment

#endif  // HOMEWARD_SERVICES_ASSESSMENT_ASSESSMENT_STORE_H_
