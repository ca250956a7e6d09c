// Fuzzes the request checks the follow-up service runs before any write:
// recorded and missed contacts (against the facts of a plausible case: a
// return date, two household members and the shipped taxonomy) and the
// closure requests. See request_checks.h for the input's shape; the table's
// order is the corpus's (append only).
#include <cstddef>
#include <cstdint>
#include <vector>

#include "common/api/field_checks.h"
#include "services/follow_up/closure_rules.h"
#include "services/follow_up/contact_checks.h"
#include "tests/fuzz/request_checks.h"
#include "tests/fuzz/shipped_definitions.h"

namespace homeward::fuzz {
namespace {

namespace v1 = homeward::v1;
using namespace homeward::follow_up;  // NOLINT: the rules under test

const ContactFacts& Facts() {
  static const ContactFacts* facts = [] {
    auto* made = new ContactFacts();
    made->today = kToday;
    made->has_return_day = true;
    made->return_day = kToday - 120;
    made->member_ids = {"M1", "M2"};
    made->taxonomy = &ShippedTaxonomy();
    return made;
  }();
  return *facts;
}

const std::vector<RequestCheck>& Checks() {
  static const auto* checks = new std::vector<RequestCheck>{
      CheckOf<v1::FollowUpContact>(
          [](const v1::FollowUpContact& contact) {  // 0
            CheckViolations(CheckRecordedContact(contact, Facts()));
          }),
      CheckOf<v1::RecordMissedContactRequest>(  // 1
          [](const v1::RecordMissedContactRequest& request) {
            absl::CivilDay next_attempt;
            const errors::FieldViolations bad =
                CheckMissedContact(request.missed(), kToday, &next_attempt);
            CheckViolations(bad);
            absl::CivilDay attempted;
            if (bad.empty()) {
              FUZZ_CHECK(api::ToCivilDay(request.missed().attempted_date(),
                                         &attempted));
              FUZZ_CHECK(attempted <= kToday && next_attempt >= attempted);
            }
          }),
      CheckOf<v1::CloseCaseRequest>(
          [](const v1::CloseCaseRequest& request) {  // 2
            CheckViolations(ValidateCloseCase(request, {"A1", "A2"}, kToday));
          }),
      CheckOf<v1::ClosureStepRequest>(
          [](const v1::ClosureStepRequest& r) {  // 3
            CheckViolations(ValidateClosureStep(r, /*reason_required=*/false));
            CheckViolations(ValidateClosureStep(r, /*reason_required=*/true));
          }),
      Violations(&ValidateReopenCase),  // 4
  };
  return *checks;
}

}  // namespace
}  // namespace homeward::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return homeward::fuzz::FuzzRequestChecks(homeward::fuzz::Checks(), data,
                                           size);
}
