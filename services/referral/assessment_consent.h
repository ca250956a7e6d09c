// The consent check of a referral's creation, asked of the assessment
// service (ConsentService.CheckConsent, purpose REFERRAL) at the replica
// owning the case's partition, over the gRPC callback API so that no thread
// waits for the answer. The call carries the referral service's signed
// ROLE_SERVICE principal (the assessment service answers services for
// cases of any office) and a deadline of a few seconds: an assessment
// service that does not answer in time is UNAVAILABLE, never a wait.
//
//   ASSIGN_OR_RETURN(auto assessment,
//                    service::UpstreamCalls::Create(parts, "assessment"));
//   auto* consent = parts.Own(
//       std::make_unique<AssessmentConsent>(assessment.get()));
//   consent->Check(case_id, organization_id,
//                  [](absl::StatusOr<ConsentDecision> decision) { ... });
#ifndef HOMEWARD_SERVICES_REFERRAL_ASSESSMENT_CONSENT_H_
#define HOMEWARD_SERVICES_REFERRAL_ASSESSMENT_CONSENT_H_

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "common/service/upstream_calls.h"
#include "services/referral/consent_checker.h"

namespace homeward::referral {

class AssessmentConsent : public ConsentChecker {
 public:
  // Long enough for a loaded replica's read and audit, short enough that a
  // case manager creating a referral is told soon that it cannot be done.
  static constexpr absl::Duration kDefaultDeadline = absl::Seconds(3);

  // `assessment` routes to the assessment replicas; not owned, must outlive
  // this checker (calls in flight keep nothing of it).
  explicit AssessmentConsent(const service::UpstreamCalls* assessment,
                             absl::Duration deadline = kDefaultDeadline)
      : assessment_(assessment), deadline_(deadline) {}

  // The decision, or: NOT_FOUND (the assessment service does not know the
  // case) and INVALID_ARGUMENT as the assessment service answered them;
  // UNAVAILABLE when it did not answer within the deadline, is down, or
  // refused the call for another reason (logged with its code: the
  // caller's credentials are not the cause).
  void Check(absl::string_view case_id, absl::string_view organization_id,
             Done done) override;

 private:
  const service::UpstreamCalls* assessment_;
  absl::Duration deadline_;
};

}  // namespace homeward::referral

#endif  // HOMEWARD_SERVICES_REFERRAL_ASSESSMENT_CONSENT_H_
