// Enum and text checks over a whole request; see field_values.h.
#include "services/assessment/field_values.h"

#include <map>
#include <set>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/status/utf8.h"

namespace homeward::assessment {
namespace {

using google::protobuf::EnumDescriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;

// The free-text fields written as paragraphs: they may hold line breaks and
// tabs. Every other string (names, ids, codes, places, labels) is one line.
// Map fields are named by the map: their values follow it.
bool IsMultiLine(const FieldDescriptor* field) {
  static const auto* const kMultiLine = new absl::flat_hash_set<std::string>{
      "homeward.v1.CounsellingSession.observations",
      "homeward.v1.CounsellingSession.distress_notes",
      "homeward.v1.ConsentRecord.notes",
      "homeward.v1.NeedInput.description",
      "homeward.v1.Need.description",
      "homeward.v1.Answer.text",
      "homeward.v1.AssignCaseRequest.reason",
      "homeward.v1.InstrumentDefinition.provenance",
      "homeward.v1.NeedRule.description",
  };
  return kMultiLine->contains(field->full_name());
}

std::string KnownValues(const EnumDescriptor* type) {
  std::vector<std::string> names;
  for (int i = 0; i < type->value_count(); ++i) {
    if (type->value(i)->number() != 0) names.push_back(type->value(i)->name());
  }
  std::string text;
  for (size_t i = 0; i < names.size(); ++i) {
    if (i > 0) absl::StrAppend(&text, i + 1 == names.size() ? " or " : ", ");
    absl::StrAppend(&text, names[i]);
  }
  return text;
}

void CheckEnum(errors::FieldViolations& bad, const std::string& path,
               const EnumDescriptor* type, int number) {
  if (type->FindValueByNumber(number) != nullptr) return;
  bad.Add(path, absl::StrCat(number, " is not a defined value: one of ",
                             KnownValues(type)));
}

void CheckText(errors::FieldViolations& bad, const std::string& path,
               const std::string& text, bool multi_line) {
  std::string problem = TextProblem(text, multi_line);
  if (!problem.empty()) bad.Add(path, std::move(problem));
}

// Map keys are strings or integers; a string key names the entry in paths.
std::string MapKeyText(const Message& entry) {
  const FieldDescriptor* key = entry.GetDescriptor()->map_key();
  const Reflection* r = entry.GetReflection();
  switch (key->cpp_type()) {
    case FieldDescriptor::CPPTYPE_STRING:
      return r->GetString(entry, key);
    case FieldDescriptor::CPPTYPE_INT32:
      return absl::StrCat(r->GetInt32(entry, key));
    case FieldDescriptor::CPPTYPE_INT64:
      return absl::StrCat(r->GetInt64(entry, key));
    case FieldDescriptor::CPPTYPE_UINT32:
      return absl::StrCat(r->GetUInt32(entry, key));
    case FieldDescriptor::CPPTYPE_UINT64:
      return absl::StrCat(r->GetUInt64(entry, key));
    case FieldDescriptor::CPPTYPE_BOOL:
      return r->GetBool(entry, key) ? "true" : "false";
    default:
      return "?";
  }
}

void CheckMapEntry(errors::FieldViolations& bad, const std::string& field_path,
                   const FieldDescriptor* map_field, const Message& entry) {
  const auto* type = entry.GetDescriptor();
  const Reflection* r = entry.GetReflection();
  const FieldDescriptor* key = type->map_key();
  const FieldDescriptor* value = type->map_value();
  if (key->cpp_type() == FieldDescriptor::CPPTYPE_STRING) {
    std::string problem = TextProblem(r->GetString(entry, key), false);
    if (!problem.empty()) {
      // The key itself is unprintable: name the map, not the entry.
      bad.Add(field_path, absl::StrCat("has a key that ", problem));
      return;
    }
  }
  const std::string path =
      absl::StrCat(field_path, "[", MapKeyText(entry), "]");
  switch (value->cpp_type()) {
    case FieldDescriptor::CPPTYPE_STRING:
      if (value->type() == FieldDescriptor::TYPE_STRING) {
        CheckText(bad, path, r->GetString(entry, value),
                  IsMultiLine(map_field));
      }
      return;
    case FieldDescriptor::CPPTYPE_ENUM:
      CheckEnum(bad, path, value->enum_type(), r->GetEnumValue(entry, value));
      return;
    case FieldDescriptor::CPPTYPE_MESSAGE:
      CheckFieldValues(bad, r->GetMessage(entry, value), path);
      return;
    default:
      return;
  }
}

void CheckField(errors::FieldViolations& bad, const std::string& path,
                const Message& message, const FieldDescriptor* field) {
  const Reflection* r = message.GetReflection();
  if (field->is_map()) {
    for (int i = 0; i < r->FieldSize(message, field); ++i) {
      CheckMapEntry(bad, path, field, r->GetRepeatedMessage(message, field, i));
    }
    return;
  }
  if (field->is_repeated()) {
    for (int i = 0; i < r->FieldSize(message, field); ++i) {
      const std::string item = absl::StrCat(path, "[", i, "]");
      switch (field->cpp_type()) {
        case FieldDescriptor::CPPTYPE_ENUM:
          CheckEnum(bad, item, field->enum_type(),
                    r->GetRepeatedEnumValue(message, field, i));
          break;
        case FieldDescriptor::CPPTYPE_STRING:
          if (field->type() == FieldDescriptor::TYPE_STRING) {
            CheckText(bad, item, r->GetRepeatedString(message, field, i),
                      IsMultiLine(field));
          }
          break;
        case FieldDescriptor::CPPTYPE_MESSAGE:
          CheckFieldValues(bad, r->GetRepeatedMessage(message, field, i), item);
          break;
        default:
          break;
      }
    }
    return;
  }
  switch (field->cpp_type()) {
    case FieldDescriptor::CPPTYPE_ENUM:
      CheckEnum(bad, path, field->enum_type(), r->GetEnumValue(message, field));
      return;
    case FieldDescriptor::CPPTYPE_STRING:
      if (field->type() == FieldDescriptor::TYPE_STRING) {
        CheckText(bad, path, r->GetString(message, field), IsMultiLine(field));
      }
      return;
    case FieldDescriptor::CPPTYPE_MESSAGE:
      CheckFieldValues(bad, r->GetMessage(message, field), path);
      return;
    default:
      return;
  }
}

}  // namespace

std::string TextProblem(absl::string_view text, bool multi_line) {
  for (size_t i = 0; i < text.size();) {
    const size_t at = i;
    const int32_t cp = NextCodePoint(text, &i);
    if (cp < 0) {
      return absl::StrCat("is not valid UTF-8 (at byte ", at, ")");
    }
    const bool control = cp < 0x20 || (cp >= 0x7F && cp <= 0x9F);
    if (!control) continue;
    if (multi_line && (cp == '\n' || cp == '\t')) continue;
    return absl::StrFormat(
        "must not contain control characters (U+%04X at byte %d); %s", cp, at,
        multi_line ? "line breaks (\\n) and tabs are allowed here"
                   : "it is a single line of text");
  }
  return "";
}

void CheckFieldValues(errors::FieldViolations& bad, const Message& message,
                      const std::string& prefix) {
  std::vector<const FieldDescriptor*> fields;
  // Only fields that are set: unset enums read 0, which every proto3 enum
  // defines, and unset strings are empty.
  message.GetReflection()->ListFields(message, &fields);
  for (const FieldDescriptor* field : fields) {
    const std::string path = prefix.empty()
                                 ? field->name()
                                 : absl::StrCat(prefix, ".", field->name());
    CheckField(bad, path, message, field);
  }
}

errors::FieldViolations WithFieldValueChecks(const Message& request,
                                             errors::FieldViolations rules) {
  errors::FieldViolations values;
  CheckFieldValues(values, request);
  if (values.empty()) return rules;
  // The method's own order first; a field refused by both keeps the value
  // check's description (an unprintable or undefined value says more than
  // what follows from it), and the rest of the value checks come after.
  std::map<std::string, std::string> refused;
  for (const auto& v : values.violations()) {
    refused.emplace(v.field, v.description);
  }
  errors::FieldViolations bad;
  std::set<std::string> reported;
  for (const auto& v : rules.violations()) {
    auto it = refused.find(v.field);
    if (it == refused.end()) {
      bad.Add(v.field, v.description);
    } else if (reported.insert(v.field).second) {
      bad.Add(v.field, it->second);
    }
  }
  for (const auto& v : values.violations()) {
    if (reported.insert(v.field).second) bad.Add(v.field, v.description);
  }
  return bad;
}

std::string RequiredEnumRule(const EnumDescriptor* type) {
  return absl::StrCat("is required: ", KnownValues(type));
}

}  // namespace homeward::assessment
