#include "tools/ctl/audit_command.h"

#include "absl/strings/str_cat.h"
#include "common/status/errors.h"
#include "common/status/grpc_status.h"
#include "common/status/status_macros.h"
#include "homeward/v1/audit.grpc.pb.h"
#include "tools/ctl/usage_error.h"

namespace homeward::ctl {
namespace {
// Every replica reads its whole chain: allow for a large one.
constexpr absl::Duration kVerifyDeadline = absl::Minutes(10);
}  // namespace

Table AuditTable(const homeward::v1::VerifyAuditTrailResponse& response) {
  Table table;
  table.columns = {"replica",        "intact",     "entries_checked",
                   "break_sequence", "break_kind", "break"};
  for (const auto& chain : response.chains()) {
    std::vector<std::string> row = {chain.replica(),
                                    chain.intact() ? "yes" : "NO",
                                    absl::StrCat(chain.entries_checked())};
    if (!chain.intact()) {
      const auto& first = chain.first_break();
      row.push_back(absl::StrCat(first.sequence()));
      row.push_back(homeward::v1::AuditBreakKind_Name(first.kind()));
      row.push_back(first.description());
    }
    table.rows.push_back(std::move(row));
  }
  return table;
}

absl::Status RunAuditCommand(CtlContext& ctl,
                             const std::vector<std::string>& args) {
  if (args.size() != 1 || args[0] != "verify") {
    return UsageError(args.empty() ? "audit" : args[0],
                      "the audit command is `audit verify`");
  }
  ASSIGN_OR_RETURN(std::shared_ptr<grpc::Channel> channel, ctl.DialGateway());
  grpc::ClientContext context;
  RETURN_IF_ERROR(ctl.PrepareGatewayCall(context, kVerifyDeadline));
  auto progress = ctl.StartProgress("verifying audit chains", 0);
  homeward::v1::VerifyAuditTrailResponse response;
  grpc::Status status =
      homeward::v1::AuditService::NewStub(channel)->VerifyAuditTrail(
          &context, homeward::v1::VerifyAuditTrailRequest(), &response);
  progress->Finish();
  if (!status.ok()) return FromGrpcStatus(status);

  const Table table = AuditTable(response);
  int broken = 0;
  for (const auto& chain : response.chains()) {
    if (!chain.intact()) ++broken;
  }
  if (ctl.output() == OutputFormat::kJson) {
    ctl.PrintMessage(response);
  } else {
    ctl.Print(table);
  }
  if (broken > 0) {
    return errors::FailedPrecondition(
        "AUDIT_CHAIN_BROKEN", "audit trail",
        absl::StrCat(broken, " of ", response.chains_size(),
                     " audit chains are broken"));
  }
  return absl::OkStatus();
}

}  // namespace homeward::ctl
