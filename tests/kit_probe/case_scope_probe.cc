// The kit probe; see case_scope_probe.h. Everything here is composition of
// the kit: the host, the upstream feed, the case directory, RpcMethod.
#include "tests/kit_probe/case_scope_probe.h"

#include <utility>

#include "common/cases/case_access.h"
#include "common/cases/case_directory.h"
#include "common/service/rpc_method.h"
#include "common/status/status_macros.h"
#include "testing/case_scope_probe.grpc.pb.h"

namespace homeward::testing {
namespace {

using homeward::internal::v1::CaseScope;

constexpr service::RpcMethod kGetCaseScope{
    "homeward.testing.CaseScopeProbe/GetCaseScope"};

class CaseScopeProbeImpl final : public CaseScopeProbe::Service {
 public:
  CaseScopeProbeImpl(const cases::CaseDirectory* directory,
                     const auth::PrincipalVerifier* verifier)
      : directory_(directory), verifier_(verifier) {}

  grpc::Status GetCaseScope(grpc::ServerContext* context,
                            const GetCaseScopeRequest* request,
                            CaseScope* response) override {
    return kGetCaseScope.Finish(*context, Get(*context, *request, response));
  }

 private:
  absl::Status Get(const grpc::ServerContext& context,
                   const GetCaseScopeRequest& request,
                   CaseScope* response) const {
    ASSIGN_OR_RETURN(service::Actor actor,
                     kGetCaseScope.ActorOf(context, *verifier_));
    ASSIGN_OR_RETURN(
        *response, directory_->Authorize(actor.principal, request.case_id(),
                                         "case_id", cases::CaseAction::kRead));
    return absl::OkStatus();
  }

  const cases::CaseDirectory* directory_;
  const auth::PrincipalVerifier* verifier_;
};

}  // namespace

absl::StatusOr<std::unique_ptr<service::ServiceHost>> StartCaseScopeProbe(
    const homeward::internal::v1::ServiceConfig& config,
    const std::string& principal_secret, service::UpstreamChannels channels) {
  service::ServiceDefinition definition{
      kProbeBackend, [&channels](service::ServiceParts& parts) -> absl::Status {
        auto* directory = parts.Own(std::make_unique<cases::CaseDirectory>(
            parts.store(), *parts.owned()));
        RETURN_IF_ERROR(service::FollowUpstream(parts, "assessment", directory,
                                                std::move(channels))
                            .status());
        parts.AddService<CaseScopeProbe>(
            std::make_unique<CaseScopeProbeImpl>(directory, parts.verifier()));
        return absl::OkStatus();
      }};
  return service::ServiceHost::Start(definition, config, principal_secret);
}

std::vector<gateway::MethodRoute> CaseScopeProbeMethods() {
  return {gateway::Unary<GetCaseScopeRequest, CaseScope>(
      kProbeBackend, "homeward.testing.CaseScopeProbe/GetCaseScope",
      gateway::ByCaseId("case_id"), gateway::CaseWorkers())};
}

}  // namespace homeward::testing
