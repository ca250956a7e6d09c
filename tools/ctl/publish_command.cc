#include "tools/ctl/publish_command.h"

#include "absl/strings/str_cat.h"
#include "common/server/config_file.h"
#include "common/status/grpc_status.h"
#include "common/status/status_macros.h"
#include "grpcpp/grpcpp.h"
#include "homeward/v1/instruments.grpc.pb.h"
#include "homeward/v1/planning.grpc.pb.h"
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
// call that publishes one through the gateway.
template <typename Definition>
struct PublishKind {
  std::string label;  // "instruments"
  std::string (*id)(const Definition&);
  grpc::Status (*publish)(const std::shared_ptr<grpc::Channel>& channel,
                          grpc::ClientContext& context,
                          const Definition& definition);
};

grpc::Status PublishInstrument(const std::shared_ptr<grpc::Channel>& channel,
                               grpc::ClientContext& context,
                               const InstrumentDefinition& instrument) {
  homeward::v1::PublishInstrumentRequest request;
  *request.mutable_instrument() = instrument;
  InstrumentDefinition published;
  return homeward::v1::InstrumentService::NewStub(channel)->PublishInstrument(
      &context, request, &published);
}

grpc::Status PublishGrid(const std::shared_ptr<grpc::Channel>& channel,
                         grpc::ClientContext& context,
                         const FeasibilityGrid& grid) {
  homeward::v1::PublishFeasibilityGridRequest request;
  *request.mutable_grid() = grid;
  FeasibilityGrid published;
  return homeward::v1::FeasibilityGridService::NewStub(channel)
      ->PublishFeasibilityGrid(&context, request, &published);
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
    absl::Status status =
        FromGrpcStatus(kind.publish(channel, context, definitions[i]));
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
         PublishInstrument},
        files);
  }
  if (args[0] == "grid") {
    return PublishFiles<FeasibilityGrid>(
        ctl,
        {"feasibility grids",
         [](const FeasibilityGrid& d) { return d.grid_id(); }, PublishGrid},
        files);
  }
  return UsageError(args[0], "publish takes `instrument` or `grid`");
}

}  // namespace homeward::ctl
