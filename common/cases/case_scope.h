// The scope of a case: the few fields that decide who may touch it (office,
// case manager, stage) and where its records live (partition), with the
// version of the case they were taken from. Every service answers "may this
// caller touch this case" over a CaseScope (case_access.h): the assessment
// service derives it from the case it stores, other services read it from
// their case directory (case_directory.h).
//
//   cases::CaseScope scope = cases::ScopeOf(c);  // c: a homeward::v1::Case
//   RETURN_IF_ERROR(cases::CheckCaseAccess(principal, scope,
//                                          cases::CaseAction::kRead));
#ifndef HOMEWARD_COMMON_CASES_CASE_SCOPE_H_
#define HOMEWARD_COMMON_CASES_CASE_SCOPE_H_

#include "homeward/internal/v1/storage.pb.h"
#include "homeward/v1/cases.pb.h"

namespace homeward::cases {

// A proto message so that a projection can store it as a record.
using CaseScope = homeward::internal::v1::CaseScope;

// The scope of `c`. Its version is the number c.etag() names, 0 when the
// etag names none (a case not stored yet, such as one being registered).
CaseScope ScopeOf(const homeward::v1::Case& c);

}  // namespace homeward::cases

#endif  // HOMEWARD_COMMON_CASES_CASE_SCOPE_H_
