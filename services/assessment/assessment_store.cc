// Assessment submissions and needs; see assessment_store.h.
#include "services/assessment/assessment_store.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "common/api/paging.h"
#include "common/status/errors.h"
#include "common/status/status_macros.h"
#include "common/storage/clock.h"
#include "common/storage/ids.h"
#include "common/storage/indexed_records.h"
#include "common/storage/keys.h"

namespace homeward::assessment {
namespace {

using homeward::v1::Assessment;
using homeward::v1::Need;
using storage::KeyBuilder;

constexpr char kAssessmentKind[] = "assessment";
constexpr char kByCase[] = "assessment_by_case";
constexpr char kByCaseKind[] = "assessment_by_case_kind";

std::string CaseAndNumber(absl::string_view case_id, int number) {
  return KeyBuilder().Str(case_id).U32(static_cast<uint32_t>(number)).key();
}

// Assessments and needs are written once, each with its index entries in
// one WriteSet, and never deleted: an index entry without its record is lost
// data, which a history must not hide by coming back shorter.
constexpr storage::MissingRecord kMissing = storage::MissingRecord::kCorruption;

}  // namespace

absl::StatusOr<Assessment> AssessmentStore::Submit(
    const service::Actor& actor, uint32_t partition,
    const std::string& request_id, Assessment assessment,
    storage::WriteSet also) {
  const std::string id = storage::TimeOrderedId("A");
  const auto now = storage::NowTimestamp();
  assessment.set_assessment_id(id);
  assessment.set_assessed_by(actor.principal.user_id());
  *assessment.mutable_create_time() = now;
  for (Need& need : *assessment.mutable_needs()) {
    need.set_case_id(assessment.case_id());
    need.set_source_assessment_id(id);
    *need.mutable_create_time() = now;
  }

  for (int attempt = 1;; ++attempt) {
    storage::WriteSet set;
    homeward::internal::v1::IdempotencyRecord claim;
    claim.set_subject_id(id);
    claim.set_partition(partition);
    set.ClaimRequest(partition, "SubmitAssessment", request_id, claim);
    homeward::v1::Event event;
    event.set_partition(partition);
    event.set_subject_id(assessment.case_id());
    event.set_actor_user_id(actor.principal.user_id());
    event.set_request_id(request_id);
    // The submission's event first, then the needs and concerns it changed.
    storage::WriteSet merge;
    RETURN_IF_ERROR(
        needs_.MergeSubmission(partition, assessment, request_id, merge));
    set.ExpectVersion(partition, kAssessmentKind, id, 0)
        .PutRecord(partition, kAssessmentKind, id, 1, assessment)
        .PutIndex(partition, kByCase, assessment.case_id(), id)
        .PutIndex(partition, kByCaseKind,
                  CaseAndNumber(assessment.case_id(), assessment.kind()), id);

    auto* completed = event.mutable_assessment_completed();
    completed->set_assessment_id(id);
    completed->set_case_id(assessment.case_id());
    completed->set_kind(assessment.kind());
    completed->set_instrument_id(assessment.instrument_id());
    completed->set_instrument_version(assessment.instrument_version());
    *completed->mutable_scores() = assessment.scores();
    *completed->mutable_bands() = assessment.bands();
    *completed->mutable_flags() = assessment.flags();
    *completed->mutable_needs() = assessment.needs();
    completed->set_occasion(assessment.occasion());
    completed->set_subject_member_id(assessment.subject_member_id());
    if (assessment.has_assessment_date()) {
      *completed->mutable_assessment_date() = assessment.assessment_date();
    }
    if (assessment.has_vulnerability()) {
      *completed->mutable_vulnerability() = assessment.vulnerability();
    }
    set.AppendEvent(std::move(event));
    set.Append(std::move(merge));

    homeward::internal::v1::AuditEntry audit =
        service::AuditEntryFor(actor, assessment.case_id());
    audit.set_reason(absl::StrCat("assessment ", id));
    set.Audit(std::move(audit));

    // `also` is kept for a replan: a lost race commits nothing.
    set.Append(storage::WriteSet(also));
    absl::StatusOr<storage::CommitResult> result =
        store_->Commit(std::move(set));
    if (!result.ok() && NeedStore::LostRace(result.status())) {
      // Another writer changed the case's needs (or the records of `also`):
      // merge again.
      if (attempt < NeedStore::kAttempts) continue;
      return NeedStore::GaveUp(result.status(), assessment.case_id());
    }
    RETURN_IF_ERROR(result.status());
    if (result->replayed) {
      return Get(partition, assessment.case_id(),
                 result->original.subject_id());
    }
    return assessment;
  }
}

absl::StatusOr<Assessment> AssessmentStore::Get(
    uint32_t partition, absl::string_view case_id,
    absl::string_view assessment_id) const {
  Assessment assessment;
  ASSIGN_OR_RETURN(bool found,
                   store_->GetRecord(partition, kAssessmentKind, assessment_id,
                                     &assessment, nullptr));
  // An id of another case is reported exactly like a missing one, so that
  // ids cannot be probed across cases.
  if (!found || assessment.case_id() != case_id) {
    return errors::NotFound("assessment", assessment_id);
  }
  return assessment;
}

absl::StatusOr<storage::Page<Assessment>> AssessmentStore::List(
    uint32_t partition, absl::string_view case_id,
    homeward::v1::InstrumentKind kind, int page_size,
    absl::string_view page_token) const {
  storage::IndexPage ids;
  if (kind == homeward::v1::INSTRUMENT_KIND_UNSPECIFIED) {
    ASSIGN_OR_RETURN(ids, store_->ListIndex({partition}, kByCase, case_id,
                                            page_size, page_token));
  } else {
    ASSIGN_OR_RETURN(ids, store_->ListIndex({partition}, kByCaseKind,
                                            CaseAndNumber(case_id, kind),
                                            page_size, page_token));
  }
  return storage::ReadIndexedRecords<Assessment>(*store_, std::move(ids),
                                                 kAssessmentKind, kMissing);
}

absl::StatusOr<std::vector<Assessment>> AssessmentStore::ListAll(
    uint32_t partition, absl::string_view case_id,
    homeward::v1::InstrumentKind kind) const {
  std::vector<Assessment> all;
  std::string token;
  do {
    ASSIGN_OR_RETURN(storage::Page<Assessment> page,
                     List(partition, case_id, kind, api::kMaxPageSize, token));
    for (Assessment& a : page.items) all.push_back(std::move(a));
    token = std::move(page.next_page_token);
  } while (!token.empty());
  return all;
}

}  // namespace homeward::assessment
