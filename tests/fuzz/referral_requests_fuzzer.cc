// Fuzzes the request checks the referral service runs before any write:
// referrals (every request of ReferralService and PartnerReferralService
// that has its own check) and the service directory's entries (against the
// shipped taxonomy and a directory holding one organization, location and
// service). See request_checks.h for the input's shape; the table's order
// is the corpus's (append only).
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "services/referral/directory_rules.h"
#include "services/referral/referral_requests.h"
#include "tests/fuzz/request_checks.h"
#include "tests/fuzz/shipped_definitions.h"

namespace homeward::fuzz {
namespace {

namespace v1 = homeward::v1;
using namespace homeward::referral;  // NOLINT: the rules under test

std::optional<std::string> OwnerIn(absl::string_view id,
                                   absl::string_view known) {
  if (id == known) return std::string("org-1");
  return std::nullopt;
}

const DirectoryFacts& Facts() {
  static const DirectoryFacts* facts = [] {
    static const ComponentTerms* components =
        new ComponentTerms(ComponentTermsOf({ShippedTaxonomy()}));
    auto* made = new DirectoryFacts();
    made->components = components;
    made->organization_exists = [](absl::string_view id) {
      return id == "org-1";
    };
    made->location_organization = [](absl::string_view id) {
      return OwnerIn(id, "loc-1");
    };
    made->service_organization = [](absl::string_view id) {
      return OwnerIn(id, "svc-1");
    };
    return made;
  }();
  return *facts;
}

const std::vector<RequestCheck>& Checks() {
  static const auto* checks = new std::vector<RequestCheck>{
      ViolationsOnDay(&ValidateCreateReferral),                  // 0
      Violations(&ValidateGetReferral),                          // 1
      Violations(&ValidateListCaseReferrals),                    // 2
      Violations(&ValidateChangeReferralStatus),                 // 3
      Violations(&ValidateClaimReferral),                        // 4
      Violations(&ValidateListInbox),                            // 5
      Violations(&ValidateListReferralsToMake),                  // 6
      Violations(&ValidateListOverdueReferrals),                 // 7
      CheckOf<v1::Organization>([](const v1::Organization& o) {  // 8
        CheckViolations(CheckOrganization(o, IdPolicy::kDerivedWhenEmpty));
        CheckViolations(CheckOrganization(o, IdPolicy::kRequired));
      }),
      CheckOf<v1::Location>([](const v1::Location& l) {  // 9
        CheckViolations(CheckLocation(l, IdPolicy::kDerivedWhenEmpty, Facts()));
        CheckViolations(CheckLocation(l, IdPolicy::kRequired, Facts()));
      }),
      CheckOf<v1::HumanService>([](const v1::HumanService& s) {  // 10
        CheckViolations(CheckService(s, IdPolicy::kDerivedWhenEmpty, Facts()));
        CheckViolations(CheckService(s, IdPolicy::kRequired, Facts()));
      }),
      Violations(&CheckCapacity),          // 11
      CheckOf<v1::SearchServicesRequest>(  // 12
          [](const v1::SearchServicesRequest& request) {
            CheckViolations(CheckSearch(request));
          }),
  };
  return *checks;
}

}  // namespace
}  // namespace homeward::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return homeward::fuzz::FuzzRequestChecks(homeward::fuzz::Checks(), data,
                                           size);
}
