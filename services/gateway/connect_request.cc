// Decoding Connect request bodies; see connect_request.h.
#include "services/gateway/connect_request.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/status/errors.h"
#include "google/protobuf/util/json_util.h"

namespace homeward::gateway {
namespace {

namespace pbutil = google::protobuf::util;

absl::Status ParseJson(const std::string& body,
                       google::protobuf::Message* request) {
  // An empty body is the empty message (Connect clients may send none).
  if (absl::StripAsciiWhitespace(body).empty()) return absl::OkStatus();
  pbutil::JsonParseOptions options;
  // Connect servers ignore fields they do not know, so that a client built
  // from a newer contract keeps working against an older gateway.
  options.ignore_unknown_fields = true;
  pbutil::Status parsed = pbutil::JsonStringToMessage(body, request, options);
  if (parsed.ok()) return absl::OkStatus();
  // The parser's first line names the offending field or token; later lines
  // quote the body around it, which the caller has no need to see again.
  const std::string message(parsed.message().data(), parsed.message().size());
  absl::string_view first_line = absl::StripAsciiWhitespace(
      absl::string_view(message).substr(0, message.find('\n')));
  return errors::InvalidField(
      "body", absl::StrCat("is not valid JSON for ", request->GetTypeName(),
                           ": ", first_line));
}

}  // namespace

std::optional<ConnectCodec> ConnectCodecOf(
    std::optional<absl::string_view> content_type) {
  if (!content_type.has_value()) return std::nullopt;
  absl::string_view media = *content_type;
  media = absl::StripAsciiWhitespace(media.substr(0, media.find(';')));
  if (absl::EqualsIgnoreCase(media, kJsonMediaType)) return ConnectCodec::kJson;
  if (absl::EqualsIgnoreCase(media, kProtoMediaType)) {
    return ConnectCodec::kProto;
  }
  return std::nullopt;
}

absl::Status DecodeConnectRequest(ConnectCodec codec, const std::string& body,
                                  google::protobuf::Message* request) {
  if (codec == ConnectCodec::kJson) return ParseJson(body, request);
  if (request->ParseFromString(body)) return absl::OkStatus();
  return errors::InvalidField(
      "body", absl::StrCat("is not a valid encoded ", request->GetTypeName()));
}

}  // namespace homeward::gateway
