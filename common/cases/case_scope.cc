// Deriving a case's scope; see case_scope.h.
#include "common/cases/case_scope.h"

#include "common/api/etags.h"

namespace homeward::cases {

CaseScope ScopeOf(const homeward::v1::Case& c) {
  CaseScope scope;
  scope.set_case_id(c.case_id());
  scope.set_partition(c.partition());
  scope.set_office_id(c.office_id());
  scope.set_case_manager_id(c.case_manager_id());
  scope.set_stage(c.stage());
  scope.set_closed(c.stage() == homeward::v1::CASE_STAGE_CLOSED);
  if (!c.etag().empty()) {
    absl::StatusOr<uint64_t> version = api::ParseEtag(c.etag(), "etag");
    if (version.ok()) scope.set_version(*version);
  }
  return scope;
}

}  // namespace homeward::cases
