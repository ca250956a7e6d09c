// homeward.internal.v1.FollowUpCaseRecordsPart/GetCaseRecordsPart: the
// follow-up service's part of a subject-access export
// (homeward/v1/subject_access.proto, docs/SUBJECT_ACCESS.md): the case's
// monitoring schedule and every contact (scheduled, done, missed,
// cancelled), its W-model trajectory, every closure (closed, declined,
// reopened) and the case's entries in this service's audit trail. What it
// keeps from other services' feeds (the case's scope, return date and RSS
// points, its concerns, its plan's and referrals' progress) is exported by
// those services' parts. The gateway calls it with the caller's principal;
// supervisors of the case's office only; the export is recorded in this
// service's audit trail with the reason "subject-access export".
//
//   parts.AddService<homeward::internal::v1::FollowUpCaseRecordsPart>(
//       std::make_unique<FollowUpCaseRecordsPartImpl>(follow_up_parts,
//                                                     parts.store()));
#ifndef HOMEWARD_SERVICES_FOLLOW_UP_FOLLOW_UP_CASE_RECORDS_PART_SERVICE_H_
#define HOMEWARD_SERVICES_FOLLOW_UP_FOLLOW_UP_CASE_RECORDS_PART_SERVICE_H_

#include "absl/status/status.h"
#include "common/storage/store.h"
#include "homeward/internal/v1/case_records_parts.grpc.pb.h"
#include "services/follow_up/follow_up_parts.h"

namespace homeward::follow_up {

class FollowUpCaseRecordsPartImpl final
    : public homeward::internal::v1::FollowUpCaseRecordsPart::Service {
 public:
  // `parts`' pointees and `store` must outlive this.
  FollowUpCaseRecordsPartImpl(const FollowUpParts& parts, storage::Store* store)
      : parts_(parts), store_(store) {}

  // Synchronous: whole lists are read, on the server's sync pool.
  grpc::Status GetCaseRecordsPart(
      grpc::ServerContext* context,
      const homeward::internal::v1::CaseRecordsPartRequest* request,
      homeward::v1::FollowUpCaseRecords* response) override;

 private:
  absl::Status Get(
      const grpc::ServerContext& context,
      const homeward::internal::v1::CaseRecordsPartRequest& request,
      homeward::v1::FollowUpCaseRecords* response) const;

  const FollowUpParts parts_;
  storage::Store* store_;
};

}  // namespace homeward::follow_up

#endif  // HOMEWARD_SERVICES_FOLLOW_UP_FOLLOW_UP_CASE_RECORDS_PART_SERVICE_H_
