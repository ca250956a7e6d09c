// The rules every field of every request the assessment service takes is held
// to, whatever the method, checked by walking the message through its
// descriptor so that a field added to a contract is covered without edits:
// - an enum field holds a number its enum defines (proto3 keeps unknown
//   numbers, so `"sex": 99` would otherwise be stored);
// - a string field is valid UTF-8 without control characters (C0, DEL, C1);
//   the multi-line free-text fields (notes, observations, descriptions, text
//   answers, reasons) may also hold line breaks and tabs.
// Each bad field gets one violation naming its path, e.g.
// "case.returnee.sex" or "needs[2].priority" or "instrument.title[fr]".
// Whether a field is required stays with each method's rules; merge those
// with WithFieldValueChecks so that a field refused here is not reported
// twice.
//
//   errors::FieldViolations rules;
//   if (request.case_id().empty()) rules.Add("case_id", "is required");
//   return WithFieldValueChecks(request, std::move(rules));
#ifndef HOMEWARD_SERVICES_ASSESSMENT_FIELD_VALUES_H_
#define HOMEWARD_SERVICES_ASSESSMENT_FIELD_VALUES_H_

#include <string>

#include "absl/strings/string_view.h"
#include "common/status/errors.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/message.h"

namespace homeward::assessment {

// Adds a violation for every enum field of `message` (nested, repeated and
// map values included) holding an undefined number and every string field
// with control characters or invalid UTF-8. Paths start with `prefix`.
void CheckFieldValues(errors::FieldViolations& bad,
                      const google::protobuf::Message& message,
                      const std::string& prefix = "");

// `rules` (the method's own checks of `request`) merged with
// CheckFieldValues(request): one violation per bad field, in the rules'
// order, the value check's description winning for a field both refuse, and
// fields only the value checks refuse after them.
errors::FieldViolations WithFieldValueChecks(
    const google::protobuf::Message& request, errors::FieldViolations rules);

// "is required: A, B or C" for an enum field left at 0 (UNSPECIFIED), with
// the names read from the descriptor so that a new value shows up.
std::string RequiredEnumRule(const google::protobuf::EnumDescriptor* type);

// The problem with `text` for a field that does (`multi_line`) or does not
// allow line breaks and tabs; empty when there is none.
std::string TextProblem(absl::string_view text, bool multi_line);

}  // namespace homeward::assessment

#endif  // HOMEWARD_SERVICES_ASSESSMENT_FIELD_VALUES_H_
