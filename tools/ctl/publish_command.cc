#include "tools/ctl/publish_command.h"

#include "absl/strings/str_cat.h"
#include "common/server/config_file.h"
#include "common/status/grpc_status.h"
#include "common/status/status_macros.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"
#include "google/protobuf/wire_format_lite.h"
#include "grpcpp/impl/codegen/client_unary_call.h"
#include "grpcpp/impl/codegen/rpc_method.h"
#include "grpcpp/support/byte_buffer.h"
#include "homeward/v1/instruments.pb.h"
#include "homeward/v1/planning.pb.h"
#include "tools/ctl/usage_error.h"

namespace homeward::ctl {
namespace {

using homeward::v1::FeasibilityGrid;
using homeward::v1::InstrumentDefinition;

// The gateway publishes to every replica before it answers.
constexpr absl::Duration kPublishDeadline = absl::Seconds(60);

std::string Outcome(const absl::Status& status) {
  if (status.ok()) return "published";
  return absl::StrCat(absl::StatusCodeToString(status.code()), ": ",
                      status.message());
}

// What is published: its name for people, the id of a definition, and the
// method that publishes one (its request holds the definition as field 1,
// its answer is the stored definition).
template <typename Definition>
struct PublishKind {
  std::string label;  // "instruments"
  std::string (*id)(const Definition&);
  const char* method;  // "/homeward.v1.InstrumentService/PublishInstrument"
};

// Calls `method` by its path with a request whose only field (1) is
// `definition`, and reads the answer as a Definition. Both publishing
// methods have this shape (PublishInstrumentRequest { instrument = 1 },
// PublishFeasibilityGridRequest { grid = 1 }), so one path serves both and
// the instrument tests exercise the grid's too; and a client needs no more
// of the contract than the path and that field (the grid method came with
// the planning service's grid publishing, in another change).
template <typename Definition>
grpc::Status PublishByPath(const std::shared_ptr<grpc::Channel>& channel,
                           grpc::ClientContext& context, const char* method,
                           const Definition& definition) {
  using google::protobuf::internal::WireFormatLite;
  std::string request;
  {
    google::protobuf::io::StringOutputStream stream(&request);
    google::protobuf::io::CodedOutputStream out(&stream);
    const std::string body = definition.SerializeAsString();
    out.WriteTag(
        WireFormatLite::MakeTag(1, WireFormatLite::WIRETYPE_LENGTH_DELIMITED));
    out.WriteVarint32(static_cast<uint32_t>(body.size()));
    out.WriteString(body);
  }
  grpc::Slice slice(request);
  grpc::ByteBuffer request_bytes(&slice, 1);
  grpc::ByteBuffer response_bytes;
  const grpc::internal::RpcMethod rpc(
      method, grpc::internal::RpcMethod::NORMAL_RPC, channel);
  grpc::Status status =
      grpc::internal::BlockingUnaryCall<grpc::ByteBuffer, grpc::ByteBuffer>(
          channel.get(), rpc, &context, request_bytes, &response_bytes);
  if (!status.ok()) return status;
  std::vector<grpc::Slice> slices;
  std::string response;
  if (response_bytes.Dump(&slices).ok()) {
    for (const grpc::Slice& part : slices) {
      response.append(reinterpret_cast<const char*>(part.begin()), part.size());
    }
  }
  Definition published;
  if (!published.ParseFromString(response)) {
    return grpc::Status(grpc::StatusCode::INTERNAL,
                        "the answer is not the published definition");
  }
  return status;
}

// Parses every file, then publishes each in turn; one row per file.
template <typename Definition>
absl::Status PublishFiles(CtlContext& ctl, const PublishKind<Definition>& kind,
                          const std::vector<std::string>& files) {
  std::vector<Definition> definitions(files.size());
  for (size_t i = 0; i < files.size(); ++i) {
    RETURN_IF_ERROR(server::ParseTextProtoFile(files[i], &definitions[i]));
  }
  ASSIGN_OR_RETURN(std::shared_ptr<grpc::Channel> channel, ctl.DialGateway());
  Table table;
  table.columns = {"file", "id", "version", "outcome"};
  absl::Status first_error;
  auto progress =
      ctl.StartProgress(absl::StrCat("publishing ", kind.label), files.size());
  for (size_t i = 0; i < files.size(); ++i) {
    grpc::ClientContext context;
    RETURN_IF_ERROR(ctl.PrepareGatewayCall(context, kPublishDeadline));
    absl::Status status = FromGrpcStatus(
        PublishByPath(channel, context, kind.method, definitions[i]));
    table.rows.push_back({files[i], kind.id(definitions[i]),
                          absl::StrCat(definitions[i].version()),
                          Outcome(status)});
    if (first_error.ok() && !status.ok()) {
      first_error = absl::Status(
          status.code(), absl::StrCat(files[i], ": ", status.message()));
    }
    progress->Advance(1);
  }
  progress->Finish();
  ctl.Print(table);
  return first_error;
}

}  // namespace

absl::Status RunPublishCommand(CtlContext& ctl,
                               const std::vector<std::string>& args) {
  if (args.empty()) {
    return UsageError("publish",
                      "say `publish instrument FILE...` or "
                      "`publish grid FILE...`");
  }
  const std::vector<std::string> files(args.begin() + 1, args.end());
  if (files.empty()) {
    return UsageError("FILE", "at least one file to publish is required");
  }
  if (args[0] == "instrument") {
    return PublishFiles<InstrumentDefinition>(
        ctl,
        {"instruments",
         [](const InstrumentDefinition& d) { return d.instrument_id(); },
         "/homeward.v1.InstrumentService/PublishInstrument"},
        files);
  }
  if (args[0] == "grid") {
    return PublishFiles<FeasibilityGrid>(
        ctl,
        {"feasibility grids",
         [](const FeasibilityGrid& d) { return d.grid_id(); },
         "/homeward.v1.FeasibilityGridService/PublishFeasibilityGrid"},
        files);
  }
  return UsageError(args[0], "publish takes `instrument` or `grid`");
}

}  // namespace homeward::ctl
