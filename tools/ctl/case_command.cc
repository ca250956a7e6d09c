#include "tools/ctl/case_command.h"

#include <map>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/status/grpc_status.h"
#include "common/status/status_macros.h"
#include "homeward/v1/overview.grpc.pb.h"
#include "tools/ctl/usage_error.h"

namespace homeward::ctl {
namespace {

using homeward::v1::CaseOverview;
using homeward::v1::OverviewPart;

constexpr absl::Duration kOverviewDeadline = absl::Seconds(30);

// "OVERVIEW_PART_FOLLOW_UPS" -> "follow_ups".
std::string PartName(OverviewPart part) {
  std::string name = homeward::v1::OverviewPart_Name(part);
  constexpr absl::string_view kPrefix = "OVERVIEW_PART_";
  if (absl::StartsWith(name, kPrefix)) name = name.substr(kPrefix.size());
  return absl::AsciiStrToLower(name);
}

std::string EnumTail(const std::string& name, absl::string_view prefix) {
  return absl::StartsWith(name, prefix) ? name.substr(prefix.size()) : name;
}

}  // namespace

Table OverviewTable(const CaseOverview& overview) {
  std::map<OverviewPart, std::string> missing;
  for (const auto& part : overview.missing_parts()) {
    missing[part.part()] = absl::StrCat(
        EnumTail(homeward::v1::MissingReason_Name(part.reason()),
                 "MISSING_REASON_"),
        part.code().empty() ? "" : absl::StrCat(" (", part.code(), ")"));
  }
  Table table;
  table.columns = {"part", "state", "summary"};
  auto add = [&](OverviewPart part, bool present, std::string summary) {
    if (auto it = missing.find(part); it != missing.end()) {
      table.rows.push_back({PartName(part), "missing", it->second});
      return;
    }
    table.rows.push_back(
        {PartName(part), present ? "present" : "empty", std::move(summary)});
  };
  const auto& c = overview.case_();
  add(homeward::v1::OVERVIEW_PART_CASE, overview.has_case_(),
      overview.has_case_()
          ? absl::StrCat(c.case_id(), " stage ",
                         EnumTail(homeward::v1::CaseStage_Name(c.stage()),
                                  "CASE_STAGE_"),
                         " office ", c.office_id(), " programme ",
                         c.programme_id())
          : "");
  add(homeward::v1::OVERVIEW_PART_SCORES, overview.has_scores(),
      overview.has_scores()
          ? absl::StrCat(overview.scores().changes_size(),
                         " score changes since baseline ",
                         overview.scores().baseline_assessment_id())
          : "");
  add(homeward::v1::OVERVIEW_PART_NEEDS,
      overview.open_needs_size() + overview.open_protection_concerns_size() > 0,
      absl::StrCat(overview.open_needs_size(), " open needs, ",
                   overview.open_protection_concerns_size(),
                   " open protection concerns"));
  add(homeward::v1::OVERVIEW_PART_PLAN, overview.has_plan(),
      overview.has_plan() ? absl::StrCat(overview.plan().plan_id(), " version ",
                                         overview.plan().version(), " ",
                                         EnumTail(homeward::v1::PlanStatus_Name(
                                                      overview.plan().status()),
                                                  "PLAN_STATUS_"))
                          : "");
  add(homeward::v1::OVERVIEW_PART_REFERRALS, overview.referrals_size() > 0,
      absl::StrCat(overview.referrals_size(), " referrals"));
  add(homeward::v1::OVERVIEW_PART_FOLLOW_UPS,
      overview.upcoming_contacts_size() + overview.overdue_contacts_size() > 0,
      absl::StrCat(overview.upcoming_contacts_size(), " upcoming, ",
                   overview.overdue_contacts_size(), " overdue contacts"));
  add(homeward::v1::OVERVIEW_PART_TRAJECTORY, overview.has_trajectory(),
      overview.has_trajectory()
          ? absl::StrCat(overview.trajectory().contacts_size(),
                         " contact points, ",
                         overview.trajectory().surveys_size(), " RSS points")
          : "");
  return table;
}

absl::Status RunCaseCommand(CtlContext& ctl,
                            const std::vector<std::string>& args) {
  if (args.empty() || args[0] != "overview") {
    return UsageError(args.empty() ? "case" : args[0],
                      "the case command is `case overview CASE_ID`");
  }
  if (args.size() != 2 || args[1].empty()) {
    return UsageError("CASE_ID", "one case id is required");
  }
  ASSIGN_OR_RETURN(std::shared_ptr<grpc::Channel> channel, ctl.DialGateway());
  grpc::ClientContext context;
  RETURN_IF_ERROR(ctl.PrepareGatewayCall(context, kOverviewDeadline));
  homeward::v1::GetCaseOverviewRequest request;
  request.set_case_id(args[1]);
  CaseOverview overview;
  grpc::Status status =
      homeward::v1::CaseOverviewService::NewStub(channel)->GetCaseOverview(
          &context, request, &overview);
  if (!status.ok()) return FromGrpcStatus(status);
  if (ctl.output() == OutputFormat::kJson) {
    ctl.PrintMessage(overview);
  } else {
    ctl.Print(OverviewTable(overview));
  }
  return absl::OkStatus();
}

}  // namespace homeward::ctl
