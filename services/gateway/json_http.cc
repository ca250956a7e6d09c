// Public JSON face over cpp-httplib; see json_http.h.
#include "services/gateway/json_http.h"

#include <sys/socket.h>

#include <chrono>
#include <future>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "common/auth/principal_token.h"
#include "common/status/errors.h"
#include "google/protobuf/util/json_util.h"
#include "google/rpc/error_details.pb.h"
#include "httplib.h"

namespace homeward::gateway {
namespace {

namespace pbutil = google::protobuf::util;

constexpr absl::string_view kHealthPath = "/healthz";
constexpr char kJson[] = "application/json";
constexpr absl::string_view kTypeUrlPrefix = "type.googleapis.com/";
// Handler threads mostly wait for a replica, not compute, so there can be
// more of them than cores.
constexpr size_t kHandlerThreads = 16;
// Same limit as the gRPC face (server::PrepareServerBuilder).
constexpr size_t kMaxBodyBytes = 16 * 1024 * 1024;
constexpr absl::Duration kStartTimeout = absl::Seconds(5);

std::string ToStdString(google::protobuf::StringPiece s) {
  return std::string(s.data(), s.size());
}

// Length of the well-formed UTF-8 sequence at s[i], or 0 if there is none.
size_t Utf8SequenceLength(absl::string_view s, size_t i) {
  const unsigned char lead = static_cast<unsigned char>(s[i]);
  if (lead < 0x80) return 1;
  // Sequence length, payload bits of the lead byte, and the smallest code
  // point that needs this length (shorter encodings are invalid).
  struct Form {
    unsigned char mask, value;
    size_t length;
    uint32_t smallest;
  };
  static constexpr Form kForms[] = {
      {0xe0, 0xc0, 2, 0x80}, {0xf0, 0xe0, 3, 0x800}, {0xf8, 0xf0, 4, 0x10000}};
  size_t length = 0;
  uint32_t code_point = 0;
  uint32_t smallest = 0;
  for (const Form& form : kForms) {
    if ((lead & form.mask) == form.value) {
      length = form.length;
      code_point = lead & static_cast<unsigned char>(~form.mask);
      smallest = form.smallest;
    }
  }
  if (length == 0) return 0;
  if (i + length > s.size()) return 0;
  for (size_t k = 1; k < length; ++k) {
    const unsigned char next = static_cast<unsigned char>(s[i + k]);
    if ((next & 0xc0) != 0x80) return 0;
    code_point = (code_point << 6) | (next & 0x3f);
  }
  if (code_point < smallest || code_point > 0x10ffff ||
      (code_point >= 0xd800 && code_point <= 0xdfff)) {
    return 0;
  }
  return length;
}

// `s` as a JSON string literal. Messages can quote caller input that is not
// valid UTF-8; such bytes become \u00XX escapes so the body is always JSON.
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
    } else if (size_t n = c >= 0x80 ? Utf8SequenceLength(s, i) : 0; n > 0) {
      json.append(s.data() + i, n);
      i += n;
    } else {
      absl::StrAppend(&json, "\\u00", absl::Hex(c, absl::kZeroPad2));
      ++i;
    }
  }
  json.push_back('"');
  return json;
}

// Transport-level refusals (no such method, wrong verb or media type) happen
// before a call exists, so they are written directly rather than made into a
// Status: there is no field to name and nothing to forward.
void WriteTransportError(httplib::Response& res, int http_status,
                         absl::string_view code, absl::string_view message) {
  res.status = http_status;
  res.set_content(absl::StrCat("{\"code\":", JsonString(code),
                               ",\"message\":", JsonString(message), "}"),
                  kJson);
}

std::optional<absl::string_view> Header(const httplib::Request& req,
                                        const char* name) {
  auto it = req.headers.find(name);  // case-insensitive in cpp-httplib
  if (it == req.headers.end()) return std::nullopt;
  return absl::string_view(it->second);
}

// Connect's timeout header, if the client sent a usable one.
absl::Time ClientDeadline(const httplib::Request& req, absl::Time now) {
  std::optional<absl::string_view> value = Header(req, "connect-timeout-ms");
  int64_t ms = 0;
  if (!value.has_value() || value->size() > 10 ||
      !absl::SimpleAtoi(*value, &ms) || ms <= 0) {
    return absl::InfiniteFuture();
  }
  return now + absl::Milliseconds(ms);
}

absl::Status ParseBody(const std::string& body,
                       google::protobuf::Message* request) {
  // An empty body is the empty message (Connect clients may send none).
  if (absl::StripAsciiWhitespace(body).empty()) return absl::OkStatus();
  pbutil::JsonParseOptions options;
  options.ignore_unknown_fields = false;
  pbutil::Status parsed = pbutil::JsonStringToMessage(body, request, options);
  if (parsed.ok()) return absl::OkStatus();
  // The parser's first line names the offending field or token; later lines
  // quote the body around it, which the caller has no need to see again.
  const std::string message = ToStdString(parsed.message());
  absl::string_view first_line = absl::StripAsciiWhitespace(
      absl::string_view(message).substr(0, message.find('\n')));
  return errors::InvalidField(
      "body", absl::StrCat("is not valid JSON for ", request->GetTypeName(),
                           ": ", first_line));
}

absl::StatusOr<std::string> PrintJson(
    const google::protobuf::Message& response) {
  pbutil::JsonPrintOptions options;
  options.preserve_proto_field_names = false;
  options.always_print_primitive_fields = false;
  std::string json;
  pbutil::Status printed =
      pbutil::MessageToJsonString(response, &json, options);
  if (!printed.ok()) {
    return errors::Internal(absl::StrCat("cannot write the response as JSON: ",
                                         ToStdString(printed.message())));
  }
  return json;
}

// Runs one forwarded call and waits for it: httplib gives each request its
// own pool thread, so blocking here blocks nobody else.
absl::StatusOr<std::string> Invoke(Forwarder* forwarder,
                                   const MethodRoute& method,
                                   const CallInfo& call,
                                   const std::string& body) {
  std::unique_ptr<google::protobuf::Message> request(
      method.request_prototype->New());
  if (absl::Status s = ParseBody(body, request.get()); !s.ok()) return s;
  std::unique_ptr<google::protobuf::Message> response(
      method.response_prototype->New());
  // Shared with the callback so that the promise outlives set_value even if
  // this thread wakes and returns first.
  auto result = std::make_shared<std::promise<absl::Status>>();
  std::future<absl::Status> future = result->get_future();
  forwarder->Forward(
      method, call, *request, response.get(),
      [result](absl::Status status) { result->set_value(std::move(status)); });
  absl::Status status = future.get();
  if (!status.ok()) return status;
  return PrintJson(*response);
}

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

// The method served at an HTTP path ("/homeward.v1.CaseService/GetCase"),
// or nullptr.
const MethodRoute* MethodAt(const Forwarder& forwarder,
                            absl::string_view path) {
  if (!absl::ConsumePrefix(&path, "/")) return nullptr;
  return forwarder.methods().Find(path);
}

absl::StatusOr<std::pair<std::string, int>> SplitHostPort(
    const std::string& address) {
  const size_t colon = address.rfind(':');
  int port = -1;
  if (colon == std::string::npos ||
      !absl::SimpleAtoi(address.substr(colon + 1), &port) || port < 0 ||
      port > 65535) {
    return errors::InvalidField(
        "http_listen_address",
        absl::StrCat("'", address, "' must be host:port, e.g. 0.0.0.0:7080"));
  }
  std::string host = address.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  if (host.empty()) host = "0.0.0.0";
  return std::make_pair(host, port);
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

JsonHttpServer::JsonHttpServer(const ApiKeyAuthenticator* keys,
                               Forwarder* forwarder)
    : keys_(keys),
      forwarder_(forwarder),
      http_(std::make_unique<httplib::Server>()) {
  http_->new_task_queue = [] {
    return new httplib::ThreadPool(kHandlerThreads);
  };
  http_->set_payload_max_length(kMaxBodyBytes);
  // SO_REUSEADDR only: httplib's default adds SO_REUSEPORT, which would let a
  // second gateway bind the same port silently instead of failing to start.
  http_->set_socket_options([](int sock) {
    int yes = 1;
    setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
  });

  http_->Post(".*", [this](const httplib::Request& req,
                           httplib::Response& res) {
    const absl::Time start = absl::Now();
    const std::string request_id =
        RequestIdOrNew(Header(req, auth::kRequestIdKey));
    res.set_header("X-Request-Id", request_id);

    const MethodRoute* method = MethodAt(*forwarder_, req.path);
    if (method == nullptr) {
      return WriteTransportError(
          res, 404, "unimplemented",
          absl::StrCat("no method at '", req.path,
                       "': methods are POST /homeward.v1.<Service>/<Method>"));
    }
    std::string content_type =
        absl::AsciiStrToLower(req.get_header_value("Content-Type"));
    absl::string_view media = content_type;
    media = absl::StripAsciiWhitespace(media.substr(0, media.find(';')));
    if (media != kJson) {
      return WriteTransportError(res, 415, "invalid_argument",
                                 "Content-Type must be application/json");
    }

    CallInfo call;
    call.request_id = request_id;
    call.client_deadline = ClientDeadline(req, start);
    absl::StatusOr<std::string> reply = [&]() -> absl::StatusOr<std::string> {
      absl::StatusOr<AuthenticatedCaller> caller = keys_->AuthenticateHeaders(
          Header(req, kAuthorizationHeader), Header(req, kApiKeyHeader));
      if (!caller.ok()) return caller.status();
      call.key_id = caller->key_id;
      call.principal = std::move(caller->principal);
      return Invoke(forwarder_, *method, call, req.body);
    }();
    LogPublicCall("json", method->full_name, request_id, call.key_id,
                  reply.status(), start);
    if (reply.ok()) {
      res.status = 200;
      res.set_content(*std::move(reply), kJson);
      return;
    }
    if (reply.status().code() == absl::StatusCode::kUnauthenticated) {
      res.set_header("WWW-Authenticate", "Bearer");
    }
    res.status = HttpStatusForCode(reply.status().code());
    res.set_content(ConnectErrorJson(reply.status()), kJson);
  });

  // Every other verb: the health check, or a refusal that says what is
  // allowed where.
  auto other = [this](const httplib::Request& req, httplib::Response& res) {
    if (req.path == kHealthPath) {
      if (req.method == "GET" || req.method == "HEAD") {
        res.status = 200;
        res.set_content("ok", "text/plain");
        return;
      }
      res.set_header("Allow", "GET, HEAD");
      return WriteTransportError(res, 405, "unimplemented",
                                 "only GET is allowed on /healthz");
    }
    if (MethodAt(*forwarder_, req.path) != nullptr) {
      res.set_header("Allow", "POST");
      return WriteTransportError(res, 405, "unimplemented",
                                 absl::StrCat("use POST for ", req.path));
    }
    WriteTransportError(res, 404, "unimplemented",
                        absl::StrCat("no method at '", req.path, "'"));
  };
  http_->Get(".*", other);
  http_->Put(".*", other);
  http_->Patch(".*", other);
  http_->Delete(".*", other);
  http_->Options(".*", other);
}

JsonHttpServer::~JsonHttpServer() { Stop(); }

absl::StatusOr<int> JsonHttpServer::Start(const std::string& listen_address) {
  absl::StatusOr<std::pair<std::string, int>> host_port =
      SplitHostPort(listen_address);
  if (!host_port.ok()) return host_port.status();
  const auto& [host, port] = *host_port;
  int bound = port;
  if (port == 0) {
    bound = http_->bind_to_any_port(host);
  } else if (!http_->bind_to_port(host, port)) {
    bound = -1;
  }
  if (bound <= 0) {
    return errors::Unavailable(
        absl::StrCat("cannot listen for HTTP on '", listen_address,
                     "': is the address local and the port free?"));
  }
  listener_ = std::thread([this] { http_->listen_after_bind(); });
  // stop() is a no-op until the listener runs, so wait for it: otherwise a
  // Stop() right after Start() would leave the thread listening forever.
  const absl::Time give_up = absl::Now() + kStartTimeout;
  while (!http_->is_running() && absl::Now() < give_up) {
    absl::SleepFor(absl::Milliseconds(1));
  }
  if (!http_->is_running()) {
    Stop();
    return errors::Internal("the HTTP listener did not start");
  }
  return bound;
}

void JsonHttpServer::StopAccepting() {
  // httplib's stop() must run once: a second call would close the socket
  // handle again.
  if (stopped_accepting_.exchange(true)) return;
  http_->stop();
}

void JsonHttpServer::Stop() {
  if (!listener_.joinable()) return;
  StopAccepting();
  // The listener returns once its pool threads have finished their requests.
  listener_.join();
}

}  // namespace homeward::gateway
