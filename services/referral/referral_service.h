// The referral handlers, thin RPC edges over the rules (referral_requests.h,
// referral_transitions.h, shared_view.h), the case scope the assessment feed
// keeps (case_events.h), the directory, the consent check and the referral
// store.
//
// ReferralServiceImpl, the requester side: case managers and supervisors of
// the case's office (the role check first, then the request, then the case);
// every other role PERMISSION_DENIED. A closed case refuses every change.
// CreateReferral reads the service from the directory (NOT_FOUND; a service
// not ACTIVE, or not accepting referrals, FAILED_PRECONDITION) and asks the
// returnee's consent for purpose REFERRAL and the service's organization at
// that moment (ConsentChecker, async): without it FAILED_PRECONDITION
// (CONSENT_REQUIRED), unless a supervisor gives consent_override_reason,
// which is recorded in Referral.consent and the audit entry (a case manager
// giving one: PERMISSION_DENIED).
//
// PartnerReferralServiceImpl, the performer side: ROLE_PARTNER_AGENCY
// principals with an agency_id only; a referral whose organization_id is not
// the caller's agency (or a draft, never sent) answers NOT_FOUND, the same as
// one that does not exist; every answer is the shared view.
//
//   ReferralParts rp{.referrals = referrals, .cases = cases,
//                    .directory = directory, .consent = consent,
//                    .to_make = to_make, .verifier = parts.verifier()};
//   parts.AddService<homeward::v1::ReferralService>(
//       std::make_unique<ReferralServiceImpl>(rp));
//   parts.AddService<homeward::v1::PartnerReferralService>(
//       std::make_unique<PartnerReferralServiceImpl>(rp));
#ifndef HOMEWARD_SERVICES_REFERRAL_REFERRAL_SERVICE_H_
#define HOMEWARD_SERVICES_REFERRAL_REFERRAL_SERVICE_H_

#include "absl/status/status.h"
#include "common/auth/principal_token.h"
#include "common/server/arena_messages.h"
#include "common/service/actor.h"
#include "homeward/v1/referral.grpc.pb.h"
#include "services/referral/case_events.h"
#include "services/referral/consent_checker.h"
#include "services/referral/directory_store.h"
#include "services/referral/referral_store.h"
#include "services/referral/referrals_to_make.h"

namespace homeward::referral {

struct ReferralParts {  // none owned; all outlive the handlers
  ReferralStore* referrals = nullptr;
  const ReferralCaseEvents* cases = nullptr;
  const DirectoryStore* directory = nullptr;
  ConsentChecker* consent = nullptr;
  const ReferralsToMake* to_make = nullptr;
  const auth::PrincipalVerifier* verifier = nullptr;
};

class ReferralServiceImpl final
    : public homeward::v1::ReferralService::CallbackService {
 public:
  explicit ReferralServiceImpl(ReferralParts parts) : parts_(parts) {}

  grpc::ServerUnaryReactor* CreateReferral(
      grpc::CallbackServerContext* context,
      const homeward::v1::CreateReferralRequest* request,
      homeward::v1::Referral* response) override;
  grpc::ServerUnaryReactor* GetReferral(
      grpc::CallbackServerContext* context,
      const homeward::v1::GetReferralRequest* request,
      homeward::v1::Referral* response) override;
  grpc::ServerUnaryReactor* ListCaseReferrals(
      grpc::CallbackServerContext* context,
      const homeward::v1::ListCaseReferralsRequest* request,
      homeward::v1::ListCaseReferralsResponse* response) override;
  grpc::ServerUnaryReactor* ChangeReferralStatus(
      grpc::CallbackServerContext* context,
      const homeward::v1::ChangeReferralStatusRequest* request,
      homeward::v1::Referral* response) override;
  grpc::ServerUnaryReactor* ListReferralsToMake(
      grpc::CallbackServerContext* context,
      const homeward::v1::ListReferralsToMakeRequest* request,
      homeward::v1::ListReferralsToMakeResponse* response) override;
  grpc::ServerUnaryReactor* ListOverdueReferrals(
      grpc::CallbackServerContext* context,
      const homeward::v1::ListOverdueReferralsRequest* request,
      homeward::v1::ListOverdueReferralsResponse* response) override;

 private:
  absl::Status Create(const service::Actor& actor,
                      const homeward::v1::CreateReferralRequest& request,
                      service::WriteDone<homeward::v1::Referral> done);
  absl::Status Get(const service::Actor& actor,
                   const homeward::v1::GetReferralRequest& request,
                   homeward::v1::Referral* response);
  absl::Status List(const service::Actor& actor,
                    const homeward::v1::ListCaseReferralsRequest& request,
                    homeward::v1::ListCaseReferralsResponse* response);
  absl::Status Change(const service::Actor& actor,
                      const homeward::v1::ChangeReferralStatusRequest& request,
                      service::WriteDone<homeward::v1::Referral> done);
  absl::Status ToMake(const service::Actor& actor,
                      const homeward::v1::ListReferralsToMakeRequest& request,
                      homeward::v1::ListReferralsToMakeResponse* response);
  absl::Status Overdue(const service::Actor& actor,
                       const homeward::v1::ListOverdueReferralsRequest& request,
                       homeward::v1::ListOverdueReferralsResponse* response);

  ReferralParts parts_;
};

class PartnerReferralServiceImpl final
    : public homeward::v1::PartnerReferralService::CallbackService {
 public:
  explicit PartnerReferralServiceImpl(ReferralParts parts) : parts_(parts) {
    SetMessageAllocatorFor_ListInbox(&inbox_messages_);
  }

  grpc::ServerUnaryReactor* ListInbox(
      grpc::CallbackServerContext* context,
      const homeward::v1::ListInboxRequest* request,
      homeward::v1::ListInboxResponse* response) override;
  grpc::ServerUnaryReactor* GetSharedReferral(
      grpc::CallbackServerContext* context,
      const homeward::v1::GetReferralRequest* request,
      homeward::v1::SharedReferral* response) override;
  grpc::ServerUnaryReactor* UpdateSharedReferral(
      grpc::CallbackServerContext* context,
      const homeward::v1::ChangeReferralStatusRequest* request,
      homeward::v1::SharedReferral* response) override;
  grpc::ServerUnaryReactor* ClaimReferral(
      grpc::CallbackServerContext* context,
      const homeward::v1::ClaimReferralRequest* request,
      homeward::v1::SharedReferral* response) override;
  grpc::ServerUnaryReactor* ListPartnerOverdueReferrals(
      grpc::CallbackServerContext* context,
      const homeward::v1::ListOverdueReferralsRequest* request,
      homeward::v1::ListOverdueReferralsResponse* response) override;

 private:
  // The referral addressed to the caller's agency: NOT_FOUND for any other
  // (and for a draft), as for none.
  absl::StatusOr<homeward::v1::Referral> Addressed(
      const service::Actor& actor, const std::string& case_id,
      const std::string& referral_id) const;
  // OK unless the case directory knows the case closed.
  absl::Status CheckOpen(const std::string& case_id) const;
  absl::Status Inbox(const service::Actor& actor,
                     const homeward::v1::ListInboxRequest& request,
                     homeward::v1::ListInboxResponse* response);
  absl::Status Get(const service::Actor& actor,
                   const homeward::v1::GetReferralRequest& request,
                   homeward::v1::SharedReferral* response);
  absl::Status Update(const service::Actor& actor,
                      const homeward::v1::ChangeReferralStatusRequest& request,
                      service::WriteDone<homeward::v1::SharedReferral> done);
  absl::Status Claim(const service::Actor& actor,
                     const homeward::v1::ClaimReferralRequest& request,
                     service::WriteDone<homeward::v1::SharedReferral> done);
  absl::Status Overdue(const service::Actor& actor,
                       const homeward::v1::ListOverdueReferralsRequest& request,
                       homeward::v1::ListOverdueReferralsResponse* response);

  ReferralParts parts_;
  // ListInbox is the partner's hot read (a page of referrals): its messages
  // live on a per-call arena, each view written in place.
  server::ArenaMessages<homeward::v1::ListInboxRequest,
                        homeward::v1::ListInboxResponse>
      inbox_messages_;
};

}  // namespace homeward::referral

#endif  // HOMEWARD_SERVICES_REFERRAL_REFERRAL_SERVICE_H_
