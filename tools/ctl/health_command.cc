#include "tools/ctl/health_command.h"

#include <cstdint>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "common/status/errors.h"
#include "common/status/grpc_status.h"
#include "common/status/status_macros.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "tools/ctl/usage_error.h"

namespace homeward::ctl {
namespace {

using grpc::health::v1::Health;
using grpc::health::v1::HealthCheckRequest;
using grpc::health::v1::HealthCheckResponse;

constexpr absl::Duration kHealthDeadline = absl::Seconds(5);

// The services a Homeward process may register with its health service
// (homeward/v1 and homeward/internal/v1). A process answers NOT_FOUND for
// the ones it does not serve, and those are left out.
constexpr const char* kServiceNames[] = {
    "homeward.v1.AssessmentService",
    "homeward.v1.AuditService",
    "homeward.v1.CaseService",
    "homeward.v1.ConsentService",
    "homeward.v1.CounsellingService",
    "homeward.v1.DirectoryService",
    "homeward.v1.EventFeedService",
    "homeward.v1.FollowUpService",
    "homeward.v1.CaseClosureService",
    "homeward.v1.ProgrammeIndicatorService",
    "homeward.v1.InstrumentService",
    "homeward.v1.NeedService",
    "homeward.v1.CaseOverviewService",
    "homeward.v1.PlanService",
    "homeward.v1.ReferralService",
    "homeward.v1.PartnerReferralService",
    "homeward.v1.RetentionService",
    "homeward.v1.SubjectAccessService",
    "homeward.v1.ProgrammeService",
    "homeward.internal.v1.AssessmentCaseRecordsPart",
    "homeward.internal.v1.PlanningCaseRecordsPart",
    "homeward.internal.v1.ReferralCaseRecordsPart",
    "homeward.internal.v1.FollowUpCaseRecordsPart",
    "homeward.internal.v1.AssessmentIndicators",
    "homeward.internal.v1.PlanningIndicators",
    "homeward.internal.v1.ReferralIndicators",
    "homeward.internal.v1.FollowUpIndicators",
    "homeward.internal.v1.BackupService",
    "homeward.internal.v1.PartitionMoveService",
};

struct HealthAnswer {
  grpc::Status status;
  HealthCheckResponse::ServingStatus serving = HealthCheckResponse::UNKNOWN;
};

HealthAnswer Check(Health::Stub& stub, const std::string& service) {
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + kHealthDeadline));
  HealthCheckRequest request;
  request.set_service(service);
  HealthCheckResponse response;
  HealthAnswer answer;
  answer.status = stub.Check(&context, request, &response);
  answer.serving = response.status();
  return answer;
}

// One row: target, address, status, latency_ms, services, detail (the
// services not serving, or why the process could not be asked).
// Returns whether the process is serving overall.
bool CheckProcess(const std::string& target, const std::string& address,
                  absl::StatusOr<std::shared_ptr<grpc::Channel>> channel,
                  Table& table) {
  std::vector<std::string> row = {target, address};
  if (!channel.ok()) {
    row.push_back("ERROR");
    row.push_back("");
    row.push_back("");
    row.push_back(
        absl::StrCat(absl::StatusCodeToString(channel.status().code()), ": ",
                     channel.status().message()));
    table.rows.push_back(std::move(row));
    return false;
  }
  auto stub = Health::NewStub(*channel);
  const absl::Time start = absl::Now();
  HealthAnswer overall = Check(*stub, "");
  const absl::Duration latency = absl::Now() - start;
  if (!overall.status.ok()) {
    absl::Status status = FromGrpcStatus(overall.status);
    row.push_back("UNREACHABLE");
    row.push_back("");
    row.push_back("");
    row.push_back(absl::StrCat(absl::StatusCodeToString(status.code()), ": ",
                               status.message()));
    table.rows.push_back(std::move(row));
    return false;
  }
  row.push_back(HealthCheckResponse::ServingStatus_Name(overall.serving));
  row.push_back(absl::StrFormat("%.1f", absl::ToDoubleMilliseconds(latency)));
  int registered = 0;
  int serving = 0;
  std::vector<std::string> not_serving;
  for (const char* name : kServiceNames) {
    HealthAnswer answer = Check(*stub, name);
    if (answer.status.error_code() == grpc::StatusCode::NOT_FOUND) continue;
    ++registered;
    if (answer.status.ok() && answer.serving == HealthCheckResponse::SERVING) {
      ++serving;
    } else {
      not_serving.push_back(name);
    }
  }
  row.push_back(absl::StrCat(serving, "/", registered));
  row.push_back(
      not_serving.empty()
          ? ""
          : absl::StrCat("not serving: ", absl::StrJoin(not_serving, ",")));
  table.rows.push_back(std::move(row));
  return overall.serving == HealthCheckResponse::SERVING;
}

}  // namespace

absl::Status RunHealthCommand(CtlContext& ctl, const std::string& gateway,
                              const std::vector<std::string>& args) {
  if (!args.empty()) {
    return UsageError(args[0], "health takes no arguments");
  }
  if (ctl.routes().routes().empty() && gateway.empty()) {
    return UsageError("--gateway_config",
                      "health needs the routes (--gateway_config or "
                      "--routes_file) or --gateway, or both");
  }
  uint64_t total = gateway.empty() ? 0 : 1;
  for (const auto& route : ctl.routes().routes()) {
    total += route.replicas_size();
  }
  Table table;
  table.columns = {"target",     "address",  "status",
                   "latency_ms", "services", "detail"};
  auto progress = ctl.StartProgress("checking health", total);
  uint64_t down = 0;
  // A flag missing for the dial (TLS files) is the caller's mistake, not
  // the process's health.
  auto check = [&](const std::string& target, const std::string& address,
                   absl::StatusOr<std::shared_ptr<grpc::Channel>> channel)
      -> absl::Status {
    if (!channel.ok() && IsUsageError(channel.status())) {
      return channel.status();
    }
    if (!CheckProcess(target, address, std::move(channel), table)) ++down;
    progress->Advance(1);
    return absl::OkStatus();
  };
  if (!gateway.empty()) {
    RETURN_IF_ERROR(check("gateway", gateway, ctl.DialGateway()));
  }
  for (const auto& route : ctl.routes().routes()) {
    for (const auto& replica : route.replicas()) {
      RETURN_IF_ERROR(check(route.service(), replica.address(),
                            ctl.DialReplica(replica.address())));
    }
  }
  progress->Finish();
  ctl.Print(table);
  if (down > 0) {
    return errors::Unavailable(
        absl::StrCat(down, " of ", total, " processes are not serving"));
  }
  return absl::OkStatus();
}

}  // namespace homeward::ctl
