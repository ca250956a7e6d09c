// Consent checks asked of the assessment service; see assessment_consent.h.
#include "services/referral/assessment_consent.h"

#include <memory>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "common/server/log.h"
#include "common/status/errors.h"
#include "common/status/grpc_status.h"
#include "homeward/v1/consent.grpc.pb.h"

namespace homeward::referral {
namespace {

// One call in flight: everything gRPC needs until the callback ran, owned
// by that callback.
struct ConsentCall {
  grpc::ClientContext context;
  homeward::v1::CheckConsentRequest request;
  homeward::v1::CheckConsentResponse response;
  std::unique_ptr<homeward::v1::ConsentService::Stub> stub;
  ConsentChecker::Done done;
};

absl::Status NotAnswered(absl::string_view case_id, absl::string_view why) {
  return errors::Unavailable(
      absl::StrCat("the assessment service could not check the consent for "
                   "case '",
                   case_id, "' (", why, "); retry"));
}

// What the caller learns from the call's end.
absl::StatusOr<ConsentDecision> Decision(const ConsentCall& call,
                                         const grpc::Status& status,
                                         absl::Duration deadline) {
  const std::string& case_id = call.request.case_id();
  if (status.ok()) {
    ConsentDecision decision;
    decision.allowed = call.response.allowed();
    decision.consent_id = call.response.deciding_record().consent_id();
    decision.explanation = call.response.explanation();
    return decision;
  }
  switch (status.error_code()) {
    case grpc::StatusCode::NOT_FOUND:
    case grpc::StatusCode::INVALID_ARGUMENT:
      return FromGrpcStatus(status);
    case grpc::StatusCode::DEADLINE_EXCEEDED:
      return NotAnswered(case_id, absl::StrCat("no answer within ",
                                               absl::FormatDuration(deadline)));
    case grpc::StatusCode::UNAVAILABLE:
      return NotAnswered(case_id, "not reachable");
    default:
      // E.g. UNAUTHENTICATED when the deployments' secrets differ: a fault
      // of the deployment, which the case manager cannot fix by other
      // credentials. Identifiers and the code only.
      server::Log(
          "warn", "consent check refused by the assessment service",
          {{"case_id", case_id},
           {"code", absl::StrCat(static_cast<int>(status.error_code()))}});
      return NotAnswered(case_id, "the call was refused; see the logs");
  }
}

}  // namespace

void AssessmentConsent::Check(absl::string_view case_id,
                              absl::string_view organization_id, Done done) {
  auto call = std::make_shared<ConsentCall>();
  call->request.set_case_id(std::string(case_id));
  call->request.set_agency_id(std::string(organization_id));
  call->request.set_purpose(homeward::v1::CONSENT_PURPOSE_REFERRAL);
  call->done = std::move(done);
  assessment_->Prepare(&call->context, deadline_);
  const absl::Duration deadline = deadline_;
  bool started = false;
  assessment_->UseChannelForCase(
      case_id, [&](std::shared_ptr<grpc::Channel> channel) {
        if (channel == nullptr) return;
        started = true;
        call->stub = homeward::v1::ConsentService::NewStub(channel);
        call->stub->async()->CheckConsent(
            &call->context, &call->request, &call->response,
            [call, deadline](grpc::Status status) {
              call->done(Decision(*call, status, deadline));
            });
      });
  // An in-process assessment replica that is not serving (yet, or any
  // more): as when it is down.
  if (!started) call->done(NotAnswered(case_id, "not serving"));
}

}  // namespace homeward::referral
