// RetentionService handler; see retention_service.h.
#include "services/assessment/retention_service.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "common/api/field_checks.h"
#include "common/service/rpc_method.h"
#include "common/status/errors.h"
#include "common/status/status_macros.h"

namespace homeward::assessment {
namespace {

constexpr service::RpcMethod kRunRetention{
    "homeward.v1.RetentionService/RunRetention"};

}  // namespace

absl::Status CheckRetentionRunner(
    const homeward::internal::v1::Principal& principal) {
  if (principal.role() == homeward::v1::ROLE_ADMINISTRATOR) {
    return absl::OkStatus();
  }
  return errors::PermissionDenied(
      absl::StrCat("role ", homeward::v1::Role_Name(principal.role()),
                   " may not run the retention job: administrators only"));
}

grpc::Status RetentionServiceImpl::RunRetention(
    grpc::ServerContext* context,
    const homeward::v1::RunRetentionRequest* request,
    homeward::v1::RunRetentionResponse* response) {
  return kRunRetention.Finish(*context, Run(*context, *request, response));
}

absl::Status RetentionServiceImpl::Run(
    const grpc::ServerContext& context,
    const homeward::v1::RunRetentionRequest& request,
    homeward::v1::RunRetentionResponse* response) {
  ASSIGN_OR_RETURN(service::Actor actor,
                   kRunRetention.ActorOf(context, *verifier_));
  RETURN_IF_ERROR(CheckRetentionRunner(actor.principal));
  // The run as a whole is accountable too, dry or not: no subject, so it is
  // in the trail but in no case's list.
  store_->AuditRead(service::AuditEntryFor(actor, ""));
  ASSIGN_OR_RETURN(homeward::v1::RetentionReport report,
                   job_->Run(actor, api::TodayUtc(), request.dry_run()));
  LogRetentionReport(report, "request");
  *response->add_replicas() = std::move(report);
  return absl::OkStatus();
}

}  // namespace homeward::assessment
