// How the JSON face reads the body of a Connect unary call into the method's
// request message: the codec its Content-Type names, then protobuf's
// canonical JSON or the binary encoding. Pure, so the fuzz target
// (tests/fuzz/connect_request_fuzzer.cc) drives exactly what ConnectUnary
// (connect_unary.h) runs on a caller's bytes.
//
//   std::optional<ConnectCodec> codec =
//       ConnectCodecOf(request.Header("content-type"));   // nullopt: 415
//   std::unique_ptr<Message> message(method->request_prototype->New());
//   RETURN_IF_ERROR(DecodeConnectRequest(*codec, request.body, message.get()));
#ifndef HOMEWARD_SERVICES_GATEWAY_CONNECT_REQUEST_H_
#define HOMEWARD_SERVICES_GATEWAY_CONNECT_REQUEST_H_

#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/message.h"

namespace homeward::gateway {

inline constexpr char kJsonMediaType[] = "application/json";
inline constexpr char kProtoMediaType[] = "application/proto";

enum class ConnectCodec { kJson, kProto };

// The codec a Content-Type names (the media type before any ';' parameter,
// case-insensitive), if the face speaks it.
std::optional<ConnectCodec> ConnectCodecOf(
    std::optional<absl::string_view> content_type);

// Fills `request` (an empty message of the method's request type) from
// `body`. JSON: an empty or blank body is the empty message and unknown
// fields are ignored. A body that does not decode is INVALID_ARGUMENT on
// field "body", naming the message type and, for JSON, the parser's first
// complaint (never the body itself).
absl::Status DecodeConnectRequest(ConnectCodec codec, const std::string& body,
                                  google::protobuf::Message* request);

}  // namespace homeward::gateway

#endif  // HOMEWARD_SERVICES_GATEWAY_CONNECT_REQUEST_H_
