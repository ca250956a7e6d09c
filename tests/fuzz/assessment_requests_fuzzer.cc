// Fuzzes the request checks the assessment service runs before any read or
// write: cases, assessments (with the RSS submission checked against the
// shipped RSS and, when valid, scored), consent, counselling, needs and
// protection concerns. See request_checks.h for the input's shape; the
// table's order is the corpus's (append only).
#include <cstddef>
#include <cstdint>
#include <vector>

#include "services/assessment/assessment_rules.h"
#include "services/assessment/case_validation.h"
#include "services/assessment/consent_rules.h"
#include "services/assessment/counselling_rules.h"
#include "services/assessment/instruments/scoring.h"
#include "services/assessment/need_rules.h"
#include "tests/fuzz/request_checks.h"
#include "tests/fuzz/shipped_definitions.h"

namespace homeward::fuzz {
namespace {

namespace v1 = homeward::v1;
using namespace homeward::assessment;  // NOLINT: the rules under test

// A submission of the shipped RSS: the answers are checked against it and,
// when they pass, scored as the service would before storing.
void CheckRssSubmission(const v1::SubmitAssessmentRequest& request) {
  const v1::InstrumentDefinition& rss = ShippedInstrument("rss");
  const errors::FieldViolations bad = ValidateSubmission(request, kToday, rss);
  CheckViolations(bad);
  if (!bad.empty()) return;
  const ScoringResult scored = Score(rss, request.answers());
  FUZZ_CHECK(scored.bands.size() <= static_cast<size_t>(rss.bands_size()));
}

const std::vector<RequestCheck>& Checks() {
  static const auto* checks = new std::vector<RequestCheck>{
      ViolationsOnDay(&ValidateRegisterCase),                     // 0
      ViolationsOnDay(&ValidateUpdateCase),                       // 1
      Violations(&ValidateAssignCase),                            // 2
      Violations(&ValidateGetCase),                               // 3
      Violations(&ValidateListCases),                             // 4
      ViolationsOnDay(&ValidateSubmitAssessment),                 // 5
      CheckOf<v1::SubmitAssessmentRequest>(&CheckRssSubmission),  // 6
      Violations(&ValidateGetAssessment),                         // 7
      Violations(&ValidateListAssessments),                       // 8
      Violations(&ValidateCompareAssessments),                    // 9
      ViolationsOnDay(&ValidateRecordConsent),                    // 10
      Violations(&ValidateListConsents),                          // 11
      Violations(&ValidateCheckConsent),                          // 12
      CheckOf<v1::RecordCounsellingSessionRequest>(               // 13
          [](const v1::RecordCounsellingSessionRequest& r) {
            CheckViolations(ValidateRecordCounsellingSession(r, Now()));
          }),
      Violations(&ValidateListCounsellingSessions),     // 14
      Violations(&ValidateAddNeed),                     // 15
      Violations(&ValidateGetNeed),                     // 16
      Violations(&ValidateNeedList),                    // 17
      Violations(&ValidateSetNeedStatus),               // 18
      Violations(&ValidateAddProtectionConcern),        // 19
      Violations(&ValidateGetProtectionConcern),        // 20
      Violations(&ValidateListProtectionConcerns),      // 21
      Violations(&ValidateSetProtectionConcernStatus),  // 22
  };
  return *checks;
}

}  // namespace
}  // namespace homeward::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return homeward::fuzz::FuzzRequestChecks(homeward::fuzz::Checks(), data,
                                           size);
}
