// Connect unary calls over the gateway's HTTP server; see connect_unary.h.
#include "services/gateway/connect_unary.h"

#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "common/auth/principal_token.h"
#include "common/status/errors.h"
#include "google/protobuf/util/json_util.h"
#include "grpcpp/support/byte_buffer.h"
#include "grpcpp/support/slice.h"
#include "homeward/v1/indicators.pb.h"
#include "services/gateway/connect_error.h"
#include "services/gateway/connect_request.h"
#include "services/gateway/indicator_csv.h"
#include "services/gateway/programme_indicators.h"

namespace homeward::gateway {
namespace {

namespace pbutil = google::protobuf::util;

constexpr absl::string_view kHealthPath = "/healthz";
// What a refusal of an unsupported codec lists (Connect: Accept-Post).
constexpr char kAcceptedMediaTypes[] = "application/json, application/proto";
// Request-targets longer than this are shortened when quoted in a message.
constexpr size_t kQuotedTargetBytes = 200;
// Lists the services whose part of a CSV answer is missing.
constexpr char kMissingServicesHeader[] = "X-Missing-Services";

using Codec = ConnectCodec;

// How a successful answer is written: in the request's codec, or (the
// programme indicators asked for with Accept: text/csv) as one table's CSV
// file.
enum class Answer { kCodec, kCsv };

std::string ToStdString(google::protobuf::StringPiece s) {
  return std::string(s.data(), s.size());
}

HttpResponse ErrorResponse(int http_status, std::string body) {
  HttpResponse response;
  response.status = http_status;
  response.content_type = kJsonMediaType;
  response.body = std::move(body);
  return response;
}

// A refusal made before any call exists: there is no field to name and
// nothing to forward, so a code and a message.
HttpResponse TransportError(int http_status, absl::StatusCode code,
                            absl::string_view message) {
  return ErrorResponse(http_status, ConnectErrorJson(code, message));
}

std::string Quoted(absl::string_view target) {
  if (target.size() <= kQuotedTargetBytes) return std::string(target);
  return absl::StrCat(target.substr(0, kQuotedTargetBytes), "...");
}

// Connect's timeout header, if the client sent a usable one.
absl::Time ClientDeadline(const HttpRequest& request, absl::Time now) {
  std::optional<absl::string_view> value = request.Header("connect-timeout-ms");
  int64_t ms = 0;
  if (!value.has_value() || value->size() > 10 ||
      !absl::SimpleAtoi(*value, &ms) || ms <= 0) {
    return absl::InfiniteFuture();
  }
  return now + absl::Milliseconds(ms);
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

std::string BytesOf(const grpc::ByteBuffer& buffer) {
  std::vector<grpc::Slice> slices;
  std::string bytes;
  if (!buffer.Dump(&slices).ok()) return bytes;
  bytes.reserve(buffer.Length());
  for (const grpc::Slice& slice : slices) {
    bytes.append(reinterpret_cast<const char*>(slice.begin()), slice.size());
  }
  return bytes;
}

// The CSV file of the one table `indicators` holds.
absl::StatusOr<HttpResponse> CsvAnswer(
    const homeward::v1::ProgrammeIndicators& indicators) {
  if (indicators.tables_size() != 1) {
    return errors::Internal(
        absl::StrCat("a CSV answer needs exactly one table, not ",
                     indicators.tables_size()));
  }
  const homeward::v1::IndicatorTable& table = indicators.tables(0);
  HttpResponse answer;
  answer.content_type = kCsvContentType;
  answer.body = IndicatorTableCsv(table, indicators.suppression_threshold());
  answer.headers.emplace_back("Content-Disposition",
                              CsvContentDisposition(table));
  // A CSV file has no room for them: the services whose part is missing
  // (their values are empty) ride in a header.
  if (indicators.missing_services_size() > 0) {
    answer.headers.emplace_back(
        kMissingServicesHeader,
        absl::StrJoin(indicators.missing_services(), ", "));
  }
  return answer;
}

// One call from its decoding to its answer: owns what the Forwarder reads
// and writes until its callback runs.
struct Call {
  const MethodRoute* method = nullptr;
  Codec codec = Codec::kJson;
  Answer form = Answer::kCodec;
  CallInfo info;
  absl::Time start;
  HttpResponder respond;
  std::unique_ptr<google::protobuf::Message> request;
  std::unique_ptr<google::protobuf::Message> response;  // JSON codec, CSV
  grpc::ByteBuffer request_bytes;                       // proto codec
  grpc::ByteBuffer response_bytes;                      // proto codec
  // Counts and times the call when the gateway serves metrics.
  std::optional<metrics::CallTimer> timer;

  // Logs the call and answers it with `status` or, when OK, the response.
  void Finish(absl::Status status) {
    HttpResponse answer;
    if (status.ok()) {
      if (form == Answer::kCsv) {
        absl::StatusOr<HttpResponse> csv = CsvAnswer(
            static_cast<const homeward::v1::ProgrammeIndicators&>(*response));
        if (csv.ok()) {
          answer = *std::move(csv);
        } else {
          status = csv.status();
        }
      } else if (codec == Codec::kJson) {
        absl::StatusOr<std::string> json = PrintJson(*response);
        if (json.ok()) {
          answer.content_type = kJsonMediaType;
          answer.body = *std::move(json);
        } else {
          status = json.status();
        }
      } else {
        answer.content_type = kProtoMediaType;
        answer.body = BytesOf(response_bytes);
      }
    }
    LogPublicCall("json", method->full_name, info.request_id, info.key_id,
                  status, start);
    if (timer.has_value()) timer->Finish(status.code());
    if (!status.ok()) {
      answer = ErrorResponse(HttpStatusForCode(status.code()),
                             ConnectErrorJson(status));
      if (status.code() == absl::StatusCode::kUnauthenticated) {
        answer.headers.emplace_back("WWW-Authenticate", "Bearer");
      }
    }
    answer.headers.emplace_back("X-Request-Id", info.request_id);
    HttpResponder reply = std::move(respond);
    reply(std::move(answer));
  }
};

// A CSV answer holds one table, so the request must name it; the call is
// forwarded as messages whatever the request's codec, since its answer is
// rewritten anyway.
void ForwardForCsv(Forwarder& forwarder, const std::string& body,
                   const std::shared_ptr<Call>& call) {
  if (absl::Status s =
          DecodeConnectRequest(call->codec, body, call->request.get());
      !s.ok()) {
    return call->Finish(std::move(s));
  }
  const auto& request =
      static_cast<const homeward::v1::GetProgrammeIndicatorsRequest&>(
          *call->request);
  if (request.table() == homeward::v1::INDICATOR_TABLE_UNSPECIFIED) {
    return call->Finish(errors::InvalidField(
        "table",
        "is required for a CSV answer (Accept: text/csv), which holds one "
        "table: name it, e.g. INDICATOR_TABLE_CASELOAD"));
  }
  call->response.reset(call->method->response_prototype->New());
  forwarder.Forward(
      *call->method, call->info, *call->request, call->response.get(),
      [call](absl::Status status) { call->Finish(std::move(status)); });
}

}  // namespace

ConnectUnary::ConnectUnary(const CallerAuthenticator* keys,
                           Forwarder* forwarder, std::function<bool()> ready,
                           std::shared_ptr<metrics::RpcMetrics> calls)
    : keys_(keys),
      forwarder_(forwarder),
      ready_(std::move(ready)),
      calls_(std::move(calls)) {}

void ConnectUnary::ServeHealth(const HttpRequest& request,
                               const HttpResponder& respond) const {
  if (request.method != "GET" && request.method != "HEAD") {
    HttpResponse refusal =
        TransportError(405, absl::StatusCode::kUnimplemented,
                       "only GET and HEAD are allowed on /healthz");
    refusal.headers.emplace_back("Allow", "GET, HEAD");
    return respond(std::move(refusal));
  }
  if (ready_ != nullptr && !ready_()) {
    return respond(TransportError(
        503, absl::StatusCode::kUnavailable,
        "the gateway is not ready: it cannot reach the replicas it routes to"));
  }
  HttpResponse ok;
  ok.content_type = "text/plain";
  ok.body = "ok";
  respond(std::move(ok));
}

void ConnectUnary::Serve(HttpRequest request, HttpResponder respond) const {
  if (request.target == kHealthPath) return ServeHealth(request, respond);
  const absl::Time start = absl::Now();
  const std::string request_id =
      RequestIdOrNew(request.Header(auth::kRequestIdKey));
  // Refusals before the call exists carry the request id too.
  auto refuse = [&](HttpResponse refusal) {
    refusal.headers.emplace_back("X-Request-Id", request_id);
    respond(std::move(refusal));
  };

  // The path as sent, byte for byte: decoding it would serve
  // /homeward.v1.CaseService%2FGetCase as GetCase.
  absl::string_view name = request.target;
  const MethodRoute* method = absl::ConsumePrefix(&name, "/")
                                  ? forwarder_->methods().FindPublic(name)
                                  : nullptr;
  if (method == nullptr) {
    return refuse(TransportError(
        404, absl::StatusCode::kUnimplemented,
        absl::StrCat("no method at '", Quoted(request.target),
                     "': methods are at POST /homeward.v1.<Service>/<Method>, "
                     "spelled exactly (not percent-encoded)")));
  }
  if (request.method != "POST") {
    HttpResponse refusal = TransportError(
        405, absl::StatusCode::kUnimplemented,
        absl::StrCat("only POST is allowed on ", request.target));
    refusal.headers.emplace_back("Allow", "POST");
    return refuse(std::move(refusal));
  }
  const std::optional<Codec> codec =
      ConnectCodecOf(request.Header("content-type"));
  if (!codec.has_value()) {
    HttpResponse refusal = TransportError(
        415, absl::StatusCode::kUnimplemented,
        absl::StrCat("Content-Type must be application/json or "
                     "application/proto, not '",
                     request.Header("content-type").value_or(""), "'"));
    refusal.headers.emplace_back("Accept-Post", kAcceptedMediaTypes);
    return refuse(std::move(refusal));
  }
  if (std::optional<absl::string_view> encoding =
          request.Header("content-encoding");
      encoding.has_value() && !absl::EqualsIgnoreCase(*encoding, "identity")) {
    HttpResponse refusal = TransportError(
        HttpStatusForCode(absl::StatusCode::kUnimplemented),
        absl::StatusCode::kUnimplemented,
        absl::StrCat("Content-Encoding '", *encoding,
                     "' is not supported: send the body uncompressed "
                     "(identity)"));
    refusal.headers.emplace_back("Accept-Encoding", "identity");
    return refuse(std::move(refusal));
  }

  auto call = std::make_shared<Call>();
  if (calls_ != nullptr) call->timer.emplace(calls_->Method(method->full_name));
  call->method = method;
  call->codec = *codec;
  // Other methods ignore Accept: they answer in the request's codec.
  if (method->full_name == kGetProgrammeIndicators &&
      AcceptsCsv(request.Header("accept"))) {
    call->form = Answer::kCsv;
  }
  call->start = start;
  call->respond = std::move(respond);
  call->info.request_id = request_id;
  call->info.client_deadline = ClientDeadline(request, start);

  absl::StatusOr<AuthenticatedCaller> caller = keys_->AuthenticateHeaders(
      request.Header(kAuthorizationHeader), request.Header(kApiKeyHeader));
  if (!caller.ok()) return call->Finish(caller.status());
  call->info.key_id = caller->key_id;
  call->info.principal = std::move(caller->principal);

  call->request.reset(method->request_prototype->New());
  if (call->form == Answer::kCsv) {
    return ForwardForCsv(*forwarder_, request.body, call);
  }
  if (call->codec == Codec::kJson) {
    if (absl::Status s =
            DecodeConnectRequest(*codec, request.body, call->request.get());
        !s.ok()) {
      return call->Finish(std::move(s));
    }
    call->response.reset(method->response_prototype->New());
    forwarder_->Forward(
        *method, call->info, *call->request, call->response.get(),
        [call](absl::Status status) { call->Finish(std::move(status)); });
    return;
  }
  // Binary: decoded for routing and authorisation, forwarded as received.
  if (absl::Status s =
          DecodeConnectRequest(*codec, request.body, call->request.get());
      !s.ok()) {
    return call->Finish(std::move(s));
  }
  grpc::Slice slice(request.body);
  call->request_bytes = grpc::ByteBuffer(&slice, 1);
  forwarder_->ForwardBytes(
      *method, call->info, *call->request, call->request_bytes,
      &call->response_bytes,
      [call](absl::Status status) { call->Finish(std::move(status)); });
}

}  // namespace homeward::gateway
