#include "tools/ctl/publish_command.h"

#include "absl/strings/str_cat.h"
#include "common/server/config_file.h"
#include "common/status/errors.h"
#include "common/status/grpc_status.h"
#include "common/status/status_macros.h"
#include "homeward/v1/instruments.grpc.pb.h"
#include "tools/ctl/usage_error.h"

namespace homeward::ctl {
namespace {

using homeward::v1::InstrumentDefinition;
using homeward::v1::InstrumentService;
using homeward::v1::PublishInstrumentRequest;

// The gateway publishes to every replica before it answers.
constexpr absl::Duration kPublishDeadline = absl::Seconds(60);

std::string Outcome(const absl::Status& status) {
  if (status.ok()) return "published";
  return absl::StrCat(absl::StatusCodeToString(status.code()), ": ",
                      status.message());
}

absl::Status PublishInstruments(CtlContext& ctl,
                                const std::vector<std::string>& files) {
  std::vector<InstrumentDefinition> instruments(files.size());
  for (size_t i = 0; i < files.size(); ++i) {
    RETURN_IF_ERROR(server::ParseTextProtoFile(files[i], &instruments[i]));
  }
  ASSIGN_OR_RETURN(std::shared_ptr<grpc::Channel> channel, ctl.DialGateway());
  auto stub = InstrumentService::NewStub(channel);
  Table table;
  table.columns = {"file", "instrument_id", "version", "outcome"};
  absl::Status first_error;
  auto progress = ctl.StartProgress("publishing instruments", files.size());
  for (size_t i = 0; i < files.size(); ++i) {
    grpc::ClientContext context;
    RETURN_IF_ERROR(ctl.PrepareGatewayCall(context, kPublishDeadline));
    PublishInstrumentRequest request;
    *request.mutable_instrument() = instruments[i];
    InstrumentDefinition published;
    absl::Status status =
        FromGrpcStatus(stub->PublishInstrument(&context, request, &published));
    table.rows.push_back({files[i], instruments[i].instrument_id(),
                          absl::StrCat(instruments[i].version()),
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
  if (args[0] == "instrument") return PublishInstruments(ctl, files);
  if (args[0] == "grid") {
    return errors::Unimplemented(
        "publish grid: this homewardctl was built without "
        "PlanService/PublishFeasibilityGrid (homeward/v1/planning.proto)");
  }
  return UsageError(args[0], "publish takes `instrument` or `grid`");
}

}  // namespace homeward::ctl
