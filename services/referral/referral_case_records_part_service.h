// homeward.internal.v1.ReferralCaseRecordsPart/GetCaseRecordsPart: the
// referral service's part of a subject-access export
// (homeward/v1/subject_access.proto, docs/SUBJECT_ACCESS.md): every referral
// of the case, oldest first, each as the requester side reads it (with the
// summary shared with the receiving organization, the consent basis and the
// whole status history), and the case's entries in this service's audit
// trail. What it keeps from other services' feeds (the case's scope, the
// plan activities still to refer) is exported by those services' parts.
// The gateway calls it with the caller's principal; supervisors of the
// case's office only; the export is recorded in this service's audit trail
// with the reason "subject-access export".
//
//   parts.AddService<homeward::internal::v1::ReferralCaseRecordsPart>(
//       std::make_unique<ReferralCaseRecordsPartImpl>(
//           cases, referrals, parts.store(), parts.verifier()));
#ifndef HOMEWARD_SERVICES_REFERRAL_REFERRAL_CASE_RECORDS_PART_SERVICE_H_
#define HOMEWARD_SERVICES_REFERRAL_REFERRAL_CASE_RECORDS_PART_SERVICE_H_

#include "absl/status/status.h"
#include "common/auth/principal_token.h"
#include "common/storage/store.h"
#include "homeward/internal/v1/case_records_parts.grpc.pb.h"
#include "services/referral/case_events.h"
#include "services/referral/referral_store.h"

namespace homeward::referral {

class ReferralCaseRecordsPartImpl final
    : public homeward::internal::v1::ReferralCaseRecordsPart::Service {
 public:
  // None owned; all must outlive this.
  ReferralCaseRecordsPartImpl(const ReferralCaseEvents* cases,
                              const ReferralStore* referrals,
                              storage::Store* store,
                              const auth::PrincipalVerifier* verifier)
      : cases_(cases),
        referrals_(referrals),
        store_(store),
        verifier_(verifier) {}

  // Synchronous: whole lists are read, on the server's sync pool.
  grpc::Status GetCaseRecordsPart(
      grpc::ServerContext* context,
      const homeward::internal::v1::CaseRecordsPartRequest* request,
      homeward::v1::ReferralCaseRecords* response) override;

 private:
  absl::Status Get(
      const grpc::ServerContext& context,
      const homeward::internal::v1::CaseRecordsPartRequest& request,
      homeward::v1::ReferralCaseRecords* response) const;

  const ReferralCaseEvents* cases_;
  const ReferralStore* referrals_;
  storage::Store* store_;
  const auth::PrincipalVerifier* verifier_;
};

}  // namespace homeward::referral

#endif  // HOMEWARD_SERVICES_REFERRAL_REFERRAL_CASE_RECORDS_PART_SERVICE_H_
