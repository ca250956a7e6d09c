// The CaseClosureService handlers: thin RPC edges over the closure rules
// (closure_rules.h), the follow-up service's views of the other services'
// feeds (what is still open: FollowUpCases, PlanView, ReferralView), the
// programme (whether closing needs a supervisor's approval), the closure
// store and the contact store.
//
// Case managers and supervisors of the case's office (the role check first,
// then the case, then the request); approving and declining are for
// supervisors; every other role PERMISSION_DENIED. Whether a case is
// closed is this service's own state (ClosureStore), not the assessment
// stage, so a reopening is never refused for a stage the service's own
// CaseClosed caused.
//
// CloseCase: a retry with the same request_id answers the first closure as
// it is now; ALREADY_EXISTS while a closure is pending or the case closed;
// FAILED_PRECONDITION CLOSURE_CHECKS listing each open item unless
// acknowledge_checks; PENDING_APPROVAL (no event) when the programme's
// latest version requires approval and the caller is a case manager,
// CLOSED otherwise. Closing (CloseCase or ApproveClosure) commits the
// closure, CaseClosed, the audit entry and the case's SCHEDULED contacts
// CANCELLED in one WriteSet; ReopenCase commits REOPENED, CaseReopened and
// the cadence points not done and due from today scheduled again in one.
//
//   parts.AddService<homeward::v1::CaseClosureService>(
//       std::make_unique<CaseClosureServiceImpl>(follow_up_parts));
#ifndef HOMEWARD_SERVICES_FOLLOW_UP_CLOSURE_SERVICE_H_
#define HOMEWARD_SERVICES_FOLLOW_UP_CLOSURE_SERVICE_H_

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "common/service/actor.h"
#include "homeward/v1/follow_up.grpc.pb.h"
#include "services/follow_up/closure_rules.h"
#include "services/follow_up/follow_up_case.h"
#include "services/follow_up/follow_up_parts.h"

namespace homeward::follow_up {

class CaseClosureServiceImpl final
    : public homeward::v1::CaseClosureService::CallbackService {
 public:
  // Every part of `parts` but `taxonomies` must be set.
  explicit CaseClosureServiceImpl(FollowUpParts parts) : parts_(parts) {}

  grpc::ServerUnaryReactor* GetClosureChecks(
      grpc::CallbackServerContext* context,
      const homeward::v1::GetClosureChecksRequest* request,
      homeward::v1::ClosureChecks* response) override;
  grpc::ServerUnaryReactor* CloseCase(
      grpc::CallbackServerContext* context,
      const homeward::v1::CloseCaseRequest* request,
      homeward::v1::Closure* response) override;
  grpc::ServerUnaryReactor* ApproveClosure(
      grpc::CallbackServerContext* context,
      const homeward::v1::ClosureStepRequest* request,
      homeward::v1::Closure* response) override;
  grpc::ServerUnaryReactor* DeclineClosure(
      grpc::CallbackServerContext* context,
      const homeward::v1::ClosureStepRequest* request,
      homeward::v1::Closure* response) override;
  grpc::ServerUnaryReactor* ReopenCase(
      grpc::CallbackServerContext* context,
      const homeward::v1::ReopenCaseRequest* request,
      homeward::v1::Closure* response) override;
  grpc::ServerUnaryReactor* GetClosure(
      grpc::CallbackServerContext* context,
      const homeward::v1::GetClosureRequest* request,
      homeward::v1::Closure* response) override;

 private:
  using Done = service::WriteDone<homeward::v1::Closure>;

  absl::Status Checks(const service::Actor& actor,
                      const homeward::v1::GetClosureChecksRequest& request,
                      homeward::v1::ClosureChecks* response) const;
  absl::Status Close(const service::Actor& actor,
                     const homeward::v1::CloseCaseRequest& request,
                     Done done) const;
  // ApproveClosure (to CLOSED) and DeclineClosure (to DECLINED).
  absl::Status Step(const service::Actor& actor,
                    const homeward::v1::ClosureStepRequest& request,
                    homeward::v1::ClosureStatus to, Done done) const;
  absl::Status Reopen(const service::Actor& actor,
                      const homeward::v1::ReopenCaseRequest& request,
                      Done done) const;
  absl::Status Get(const service::Actor& actor,
                   const homeward::v1::GetClosureRequest& request,
                   homeward::v1::Closure* response) const;

  // What is open for the case, from the three views.
  absl::StatusOr<ClosureFacts> FactsOf(const FollowUpCase& c,
                                       bool final_rss) const;
  // Whether the latest version of the case's programme requires a
  // supervisor's approval to close; true when the programme is not known
  // (the cautious answer).
  absl::StatusOr<bool> ApprovalRequired(const FollowUpCase& c) const;

  FollowUpParts parts_;
};

}  // namespace homeward::follow_up

#endif  // HOMEWARD_SERVICES_FOLLOW_UP_CLOSURE_SERVICE_H_
