// Case records in the assessment service's store: the record, its secondary
// indexes (office; office + case manager; office + stage), its events and its
// audit entries, always written together in one WriteSet.
//
//   CaseStore cases(store.get(), owned_partitions);
//   cases.Register(actor, request_id, c,
//                  [](absl::StatusOr<Case> created) { ... });
//   ASSIGN_OR_RETURN(Case current, cases.Get(case_id));
#ifndef HOMEWARD_SERVICES_ASSESSMENT_CASE_STORE_H_
#define HOMEWARD_SERVICES_ASSESSMENT_CASE_STORE_H_

#include <functional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/service/actor.h"
#include "common/storage/page.h"
#include "common/storage/partitions.h"
#include "common/storage/store.h"
#include "homeward/internal/v1/principal.pb.h"
#include "homeward/v1/cases.pb.h"
#include "homeward/v1/events.pb.h"

namespace homeward::assessment {

struct CaseQuery {
  std::string office_id;  // required: every list is confined to one office
  std::string case_manager_id;
  homeward::v1::CaseStage stage = homeward::v1::CASE_STAGE_UNSPECIFIED;
};

class CaseStore {
 public:
  CaseStore(storage::Store* store, storage::PartitionSet owned)
      : store_(store), owned_(std::move(owned)) {}

  // The partition of `case_id`; FAILED_PRECONDITION when this replica does
  // not own it (the caller bypassed the gateway's routing).
  absl::StatusOr<uint32_t> OwnedPartition(absl::string_view case_id) const;

  // Creates the case that `request_id` names in the case's office (see
  // storage::CaseIdForRequest) at stage INTAKE, its history starting there
  // (cause "CaseRegistered"), its household members numbered "M1", "M2"... A
  // repeated request id from the same office returns the case it first created.
  void Register(const service::Actor& actor, const std::string& request_id,
                homeward::v1::Case c,
                service::WriteDone<homeward::v1::Case> done);
  // The case with its etag; NOT_FOUND if absent. A case stored before
  // member ids and stage history reads with the ids of its members'
  // positions and one history entry (case_members.h, case_stages.h).
  absl::StatusOr<homeward::v1::Case> Get(absl::string_view case_id) const;
  // The same, decoded into `out` (which may live on an arena).
  absl::Status Get(absl::string_view case_id, homeward::v1::Case* out) const;
  absl::StatusOr<storage::Page<homeward::v1::Case>> List(
      const CaseQuery& query, int page_size,
      absl::string_view page_token) const;
  // Hands every case of `office_id` in this replica's partitions to `visit`
  // (read as List reads them, with partition and etag), walking the office
  // index a page at a time; stops at the first error `visit` returns. For
  // aggregate reports (programme indicators): it reads the whole office.
  absl::Status ForEachCaseOfOffice(
      absl::string_view office_id,
      const std::function<absl::Status(const homeward::v1::Case&)>& visit)
      const;
  // Hands every case of this replica's partitions to `visit` (read as List
  // reads them, with partition and etag), walking the records a page at a
  // time; stops at the first error `visit` returns. For the retention job
  // (retention_job.h), which looks at every closed case.
  absl::Status ForEachCase(
      const std::function<absl::Status(const homeward::v1::Case&)>& visit)
      const;
  // The write that replaces `current` (as read, its etag the version
  // expected at commit) with `anonymised` (retention_rules.h Anonymised of
  // it): the record at the next version, a CaseAnonymised event carrying it
  // and an audit entry by `actor`. No index changes: office, case manager
  // and stage stay.
  absl::StatusOr<storage::WriteSet> Anonymise(
      const service::Actor& actor, const homeward::v1::Case& current,
      homeward::v1::Case anonymised) const;
  // Writes `after` over `before` if the stored version is still
  // `expected_version`, moving index entries that changed, with `event`.
  void Replace(const service::Actor& actor, const homeward::v1::Case& before,
               homeward::v1::Case after, uint64_t expected_version,
               homeward::v1::Event event,
               service::WriteDone<homeward::v1::Case> done);
  // The highest household member number `current` (as read) has ever
  // given: its member ids may have been removed since.
  absl::StatusOr<int> HighestMemberNumber(
      const homeward::v1::Case& current) const;
  // The write that moves `current` (as read, its etag the version expected
  // at commit, so that a concurrent update is not lost) to the stage that
  // `cause` moves it to (case_stages.h StageAfter): the record with its stage
  // and history and a new etag, its stage index entry, and a CaseStageChanged
  // event carrying the case after the move. Empty when `cause` moves
  // nothing from the case's stage, and for an anonymised case, which never
  // moves again. For AssessmentStore::Submit's `also`.
  absl::StatusOr<storage::WriteSet> StageMove(const service::Actor& actor,
                                              const homeward::v1::Case& current,
                                              absl::string_view cause) const;
  // Records that `actor` read `case_id`.
  void AuditRead(const service::Actor& actor, absl::string_view case_id);

 private:
  storage::Store* store_;
  storage::PartitionSet owned_;
};

}  // namespace homeward::assessment

#endif  // HOMEWARD_SERVICES_ASSESSMENT_CASE_STORE_H_
