// Error factories; see errors.h.
#include "common/status/errors.h"

#include "absl/strings/cord.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/status/utf8.h"
#include "google/rpc/error_details.pb.h"

namespace homeward::errors {
namespace {

// `text` with every byte that does not start a well-formed UTF-8 sequence
// replaced by U+FFFD. A violation may quote an id read from an operator's
// text file, which nothing forces to be UTF-8, and it travels in a proto3
// string (google.rpc.BadRequest) that a client cannot parse otherwise.
std::string WellFormedUtf8(std::string text) {
  size_t i = 0;
  while (i < text.size() && static_cast<unsigned char>(text[i]) < 0x80) ++i;
  if (i == text.size()) return text;  // ASCII: the common case, no copy
  std::string out = text.substr(0, i);
  while (i < text.size()) {
    const size_t at = i;
    if (NextCodePoint(text, &i) < 0) {
      out.append("\xef\xbf\xbd");
      i = at + 1;
    } else {
      out.append(text, at, i - at);
    }
  }
  return out;
}

}  // namespace

void FieldViolations::Add(std::string field, std::string description) {
  violations_.push_back({WellFormedUtf8(std::move(field)),
                         WellFormedUtf8(std::move(description))});
}

void FieldViolations::AddAll(const FieldViolations& other,
                             absl::string_view prefix) {
  for (const auto& v : other.violations_) {
    violations_.push_back(
        {WellFormedUtf8(absl::StrCat(prefix, v.field)), v.description});
  }
}

absl::Status FieldViolations::ToStatus() const {
  if (violations_.empty()) return absl::OkStatus();
  return InvalidFields(violations_);
}

absl::Status InvalidField(absl::string_view field,
                          absl::string_view description) {
  return InvalidFields({{std::string(field), std::string(description)}});
}

absl::Status InvalidFields(const std::vector<FieldViolation>& violations) {
  google::rpc::BadRequest detail;
  std::vector<std::string> parts;
  for (const FieldViolation& v : violations) {
    auto* fv = detail.add_field_violations();
    fv->set_field(WellFormedUtf8(v.field));
    fv->set_description(WellFormedUtf8(v.description));
    parts.push_back(absl::StrCat(fv->field(), ": ", fv->description()));
  }
  absl::Status status(
      absl::StatusCode::kInvalidArgument,
      absl::StrCat("invalid request: ", absl::StrJoin(parts, "; ")));
  status.SetPayload(kBadRequestTypeUrl, absl::Cord(detail.SerializeAsString()));
  return status;
}

std::vector<FieldViolation> FieldViolationsOf(const absl::Status& status) {
  std::vector<FieldViolation> out;
  auto payload = status.GetPayload(kBadRequestTypeUrl);
  if (!payload.has_value()) return out;
  google::rpc::BadRequest detail;
  if (!detail.ParseFromString(std::string(*payload))) return out;
  for (const auto& fv : detail.field_violations()) {
    out.push_back({fv.field(), fv.description()});
  }
  return out;
}

absl::Status NotFound(absl::string_view kind, absl::string_view id) {
  return absl::NotFoundError(absl::StrCat(kind, " '", id, "' was not found"));
}

absl::Status AlreadyExists(absl::string_view kind, absl::string_view id) {
  return absl::AlreadyExistsError(
      absl::StrCat(kind, " '", id, "' already exists"));
}

absl::Status EtagMismatch(absl::string_view kind, absl::string_view id,
                          absl::string_view given_etag,
                          absl::string_view current_etag) {
  return absl::AbortedError(absl::StrCat(
      kind, " '", id, "' was changed by someone else (etag given '", given_etag,
      "', current '", current_etag,
      "'): read it again and reapply your change"));
}

absl::Status FailedPrecondition(absl::string_view type,
                                absl::string_view subject,
                                absl::string_view description) {
  google::rpc::PreconditionFailure detail;
  auto* v = detail.add_violations();
  v->set_type(std::string(type));
  v->set_subject(std::string(subject));
  v->set_description(std::string(description));
  absl::Status status(absl::StatusCode::kFailedPrecondition, description);
  status.SetPayload(kPreconditionFailureTypeUrl,
                    absl::Cord(detail.SerializeAsString()));
  return status;
}

absl::Status EventsTrimmed(uint32_t partition, uint64_t cursor,
                           uint64_t oldest_retained) {
  return FailedPrecondition(
      "EVENTS_TRIMMED", absl::StrCat("partition ", partition),
      absl::StrCat("partition ", partition, ": cursor ", cursor,
                   " is below the events this producer keeps (the oldest is ",
                   oldest_retained, "); events ", cursor + 1, " to ",
                   oldest_retained - 1,
                   " were trimmed after every registered consumer had "
                   "applied them: rebuild this consumer's projection or "
                   "restore the producer from a backup that still holds them "
                   "(docs/OPERATIONS.md)"));
}

absl::Status FailedPreconditions(
    const std::vector<PreconditionViolation>& violations,
    absl::string_view description) {
  google::rpc::PreconditionFailure detail;
  for (const PreconditionViolation& violation : violations) {
    auto* v = detail.add_violations();
    v->set_type(violation.type);
    v->set_subject(violation.subject);
    v->set_description(violation.description);
  }
  absl::Status status(absl::StatusCode::kFailedPrecondition, description);
  status.SetPayload(kPreconditionFailureTypeUrl,
                    absl::Cord(detail.SerializeAsString()));
  return status;
}

absl::Status PermissionDenied(absl::string_view description) {
  return absl::PermissionDeniedError(description);
}

absl::Status Unauthenticated(absl::string_view description) {
  return absl::UnauthenticatedError(description);
}

absl::Status ConcurrentChange(absl::string_view description) {
  return absl::AbortedError(description);
}

absl::Status Unavailable(absl::string_view description) {
  return absl::UnavailableError(description);
}

absl::Status PartitionMoving(uint32_t partition) {
  return absl::UnavailableError(
      absl::StrCat("partition ", partition, " is moving; retry"));
}

absl::Status Unimplemented(absl::string_view description) {
  return absl::UnimplementedError(description);
}

absl::Status Internal(absl::string_view description) {
  return absl::InternalError(description);
}

absl::Status StorageError(absl::string_view what, absl::string_view detail) {
  return absl::InternalError(
      absl::StrCat("storage failure while ", what, ": ", detail));
}

absl::Status DataLoss(absl::string_view description) {
  return absl::DataLossError(description);
}

}  // namespace homeward::errors
