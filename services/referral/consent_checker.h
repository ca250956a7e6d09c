// The question a referral's creation asks the assessment service at that
// moment: may this case's data be shared with this organization for the
// purpose REFERRAL now? An interface so that the handlers do not depend on
// how the question travels; AssessmentConsent (assessment_consent.h) asks
// the assessment replica owning the case's partition over gRPC.
//
//   checker->Check(case_id, organization_id,
//                  [](absl::StatusOr<ConsentDecision> decision) {
//                    if (!decision.ok()) ...  // UNAVAILABLE: not answered
//                    if (!decision->allowed) ...  // CONSENT_REQUIRED
//                  });
#ifndef HOMEWARD_SERVICES_REFERRAL_CONSENT_CHECKER_H_
#define HOMEWARD_SERVICES_REFERRAL_CONSENT_CHECKER_H_

#include <functional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace homeward::referral {

struct ConsentDecision {
  bool allowed = false;
  // The deciding ConsentRecord's id; empty when no decision applies.
  std::string consent_id;
  // The assessment service's explanation (no personal data).
  std::string explanation;
};

class ConsentChecker {
 public:
  using Done = std::function<void(absl::StatusOr<ConsentDecision>)>;
  virtual ~ConsentChecker() = default;
  // Calls `done` once, on any thread, with the decision for case `case_id`
  // and agency `organization_id` (purpose REFERRAL), or an error: UNAVAILABLE
  // (or DEADLINE_EXCEEDED) when the assessment service did not answer,
  // NOT_FOUND when it does not know the case. `done` must be quick.
  virtual void Check(absl::string_view case_id,
                     absl::string_view organization_id, Done done) = 0;
};

}  // namespace homeward::referral

#endif  // HOMEWARD_SERVICES_REFERRAL_CONSENT_CHECKER_H_
