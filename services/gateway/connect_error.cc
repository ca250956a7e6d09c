// Connect error objects and code mapping; see connect_error.h.
#include "services/gateway/connect_error.h"

#include <cstdint>
#include <memory>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"
#include "common/status/utf8.h"
#include "google/protobuf/util/json_util.h"
#include "google/rpc/error_details.pb.h"

namespace homeward::gateway {
namespace {

namespace pbutil = google::protobuf::util;

constexpr absl::string_view kTypeUrlPrefix = "type.googleapis.com/";

}  // namespace

// Messages can quote caller input that is not valid UTF-8, hence the care.
std::string JsonString(absl::string_view s) {
  std::string json = "\"";
  for (size_t i = 0; i < s.size();) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    if (c == '"' || c == '\\') {
      json.push_back('\\');
      json.push_back(static_cast<char>(c));
      ++i;
    } else if (c >= 0x20 && c < 0x7f) {
      json.push_back(static_cast<char>(c));
      ++i;
    } else if (size_t next = i; c >= 0x80 && NextCodePoint(s, &next) >= 0) {
      json.append(s.data() + i, next - i);
      i = next;
    } else {
      absl::StrAppend(&json, "\\u00", absl::Hex(c, absl::kZeroPad2));
      ++i;
    }
  }
  json.push_back('"');
  return json;
}

namespace {

// A detail payload as Connect shows it: the type name, the encoded message
// and, for the kinds clients act on, the message's own fields inline:
//   {"type":"google.rpc.BadRequest","value":"...","fieldViolations":[...]}
std::string DetailJson(absl::string_view type_url, const absl::Cord& payload) {
  absl::string_view type = type_url;
  absl::ConsumePrefix(&type, kTypeUrlPrefix);
  const std::string bytes(payload);
  // Connect encodes detail values as base64 without padding.
  std::string encoded = absl::Base64Escape(bytes);
  while (!encoded.empty() && encoded.back() == '=') encoded.pop_back();
  std::string out = absl::StrCat("{\"type\":", JsonString(type),
                                 ",\"value\":", JsonString(encoded));

  std::unique_ptr<google::protobuf::Message> detail;
  if (type == "google.rpc.BadRequest") {
    detail = std::make_unique<google::rpc::BadRequest>();
  } else if (type == "google.rpc.PreconditionFailure") {
    detail = std::make_unique<google::rpc::PreconditionFailure>();
  }
  std::string fields;
  if (detail != nullptr && detail->ParseFromString(bytes) &&
      pbutil::MessageToJsonString(*detail, &fields).ok() && fields.size() > 2 &&
      fields.front() == '{') {
    // Splice the message's members ("fieldViolations":[...]) into the object.
    absl::StrAppend(&out, ",", absl::string_view(fields).substr(1));
  } else {
    out.push_back('}');
  }
  return out;
}

}  // namespace

std::string ConnectCodeName(absl::StatusCode code) {
  switch (code) {
    case absl::StatusCode::kOk:
      return "ok";
    case absl::StatusCode::kCancelled:
      return "canceled";
    case absl::StatusCode::kUnknown:
      return "unknown";
    case absl::StatusCode::kInvalidArgument:
      return "invalid_argument";
    case absl::StatusCode::kDeadlineExceeded:
      return "deadline_exceeded";
    case absl::StatusCode::kNotFound:
      return "not_found";
    case absl::StatusCode::kAlreadyExists:
      return "already_exists";
    case absl::StatusCode::kPermissionDenied:
      return "permission_denied";
    case absl::StatusCode::kResourceExhausted:
      return "resource_exhausted";
    case absl::StatusCode::kFailedPrecondition:
      return "failed_precondition";
    case absl::StatusCode::kAborted:
      return "aborted";
    case absl::StatusCode::kOutOfRange:
      return "out_of_range";
    case absl::StatusCode::kUnimplemented:
      return "unimplemented";
    case absl::StatusCode::kInternal:
      return "internal";
    case absl::StatusCode::kUnavailable:
      return "unavailable";
    case absl::StatusCode::kDataLoss:
      return "data_loss";
    case absl::StatusCode::kUnauthenticated:
      return "unauthenticated";
    default:
      return "unknown";
  }
}

int HttpStatusForCode(absl::StatusCode code) {
  switch (code) {
    case absl::StatusCode::kOk:
      return 200;
    case absl::StatusCode::kCancelled:
      return 499;
    case absl::StatusCode::kUnknown:
      return 500;
    case absl::StatusCode::kInvalidArgument:
      return 400;
    case absl::StatusCode::kDeadlineExceeded:
      return 504;
    case absl::StatusCode::kNotFound:
      return 404;
    case absl::StatusCode::kAlreadyExists:
      return 409;
    case absl::StatusCode::kPermissionDenied:
      return 403;
    case absl::StatusCode::kResourceExhausted:
      return 429;
    case absl::StatusCode::kFailedPrecondition:
      return 400;
    case absl::StatusCode::kAborted:
      return 409;
    case absl::StatusCode::kOutOfRange:
      return 400;
    case absl::StatusCode::kUnimplemented:
      return 501;
    case absl::StatusCode::kInternal:
      return 500;
    case absl::StatusCode::kUnavailable:
      return 503;
    case absl::StatusCode::kDataLoss:
      return 500;
    case absl::StatusCode::kUnauthenticated:
      return 401;
    default:
      return 500;
  }
}

std::string ConnectErrorJson(const absl::Status& status) {
  // Written member by member (not via a Struct, whose map has no order) so
  // that "code" comes first for people reading raw responses.
  std::string out =
      absl::StrCat("{\"code\":", JsonString(ConnectCodeName(status.code())),
                   ",\"message\":", JsonString(status.message()));
  std::vector<std::string> details;
  status.ForEachPayload(
      [&details](absl::string_view type_url, const absl::Cord& payload) {
        details.push_back(DetailJson(type_url, payload));
      });
  if (!details.empty()) {
    absl::StrAppend(&out, ",\"details\":[", absl::StrJoin(details, ","), "]");
  }
  out.push_back('}');
  return out;
}

std::string ConnectErrorJson(absl::StatusCode code, absl::string_view message) {
  return absl::StrCat("{\"code\":", JsonString(ConnectCodeName(code)),
                      ",\"message\":", JsonString(message), "}");
}

}  // namespace homeward::gateway
