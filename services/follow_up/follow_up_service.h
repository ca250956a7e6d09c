// FollowUpService handlers: thin RPC edges over the contact store
// (contact_store.h), the checks of a recorded or missed contact
// (contact_checks.h), the schedule's rules (follow_up_schedule.h), the due
// lists (contact_lists.h), the trajectory (trajectory.h) and the views of
// the other services' feeds. Case managers and supervisors of the case's
// office; every other role gets PERMISSION_DENIED, reads included. A closed
// case (ClosureStore::CheckOpen) refuses every change with
// FAILED_PRECONDITION CASE_CLOSED.
//
//   FollowUpParts parts{.contacts = &contacts, .closures = &closures, ...};
//   host.AddService<homeward::v1::FollowUpService>(
//       std::make_unique<FollowUpServiceImpl>(parts));
#ifndef HOMEWARD_SERVICES_FOLLOW_UP_FOLLOW_UP_SERVICE_H_
#define HOMEWARD_SERVICES_FOLLOW_UP_FOLLOW_UP_SERVICE_H_

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "common/auth/principal_token.h"
#include "common/service/actor.h"
#include "common/service/reactors.h"
#include "common/service/rpc_method.h"
#include "common/status/status_macros.h"
#include "homeward/v1/follow_up.grpc.pb.h"
#include "services/follow_up/contact_checks.h"
#include "services/follow_up/contact_lists.h"
#include "services/follow_up/follow_up_parts.h"

namespace homeward::follow_up {

class FollowUpServiceImpl final
    : public homeward::v1::FollowUpService::CallbackService {
 public:
  // Every part must be set (programmes and taxonomies too); none owned.
  explicit FollowUpServiceImpl(FollowUpParts parts);

  grpc::ServerUnaryReactor* ListContacts(
      grpc::CallbackServerContext* context,
      const homeward::v1::ListContactsRequest* request,
      homeward::v1::ListContactsResponse* response) override;
  grpc::ServerUnaryReactor* GetContact(
      grpc::CallbackServerContext* context,
      const homeward::v1::GetContactRequest* request,
      homeward::v1::FollowUpContact* response) override;
  grpc::ServerUnaryReactor* RecordContact(
      grpc::CallbackServerContext* context,
      const homeward::v1::RecordContactRequest* request,
      homeward::v1::FollowUpContact* response) override;
  grpc::ServerUnaryReactor* RecordMissedContact(
      grpc::CallbackServerContext* context,
      const homeward::v1::RecordMissedContactRequest* request,
      homeward::v1::FollowUpContact* response) override;
  grpc::ServerUnaryReactor* ListDueContacts(
      grpc::CallbackServerContext* context,
      const homeward::v1::ListDueContactsRequest* request,
      homeward::v1::ListContactsDueResponse* response) override;
  grpc::ServerUnaryReactor* ListOverdueContacts(
      grpc::CallbackServerContext* context,
      const homeward::v1::ListOverdueContactsRequest* request,
      homeward::v1::ListContactsDueResponse* response) override;
  grpc::ServerUnaryReactor* GetTrajectory(
      grpc::CallbackServerContext* context,
      const homeward::v1::GetTrajectoryRequest* request,
      homeward::v1::Trajectory* response) override;

 private:
  // The case a change is about: the caller may update it and it is open.
  absl::StatusOr<FollowUpCase> CaseToChange(const service::Actor& actor,
                                            absl::string_view case_id,
                                            absl::string_view field) const;
  // What a contact of `c` is checked against and filled from.
  absl::StatusOr<ContactFacts> FactsFor(const FollowUpCase& c,
                                        homeward::v1::Plan* plan,
                                        homeward::v1::Taxonomy* taxonomy) const;

  absl::Status List(const service::Actor& actor,
                    const homeward::v1::ListContactsRequest& request,
                    homeward::v1::ListContactsResponse* response);
  absl::Status Get(const service::Actor& actor,
                   const homeward::v1::GetContactRequest& request,
                   homeward::v1::FollowUpContact* response);
  absl::Status Trajectory(const service::Actor& actor,
                          const homeward::v1::GetTrajectoryRequest& request,
                          homeward::v1::Trajectory* response);
  absl::Status Record(const service::Actor& actor,
                      const homeward::v1::RecordContactRequest& request,
                      service::WriteDone<homeward::v1::FollowUpContact> done);
  absl::Status RecordMissed(
      const service::Actor& actor,
      const homeward::v1::RecordMissedContactRequest& request,
      service::WriteDone<homeward::v1::FollowUpContact> done);

  // Finishes the call with what `read` says, run as the caller.
  template <typename Read>
  grpc::ServerUnaryReactor* Serve(const service::RpcMethod& method,
                                  grpc::CallbackServerContext* context,
                                  Read read) {
    absl::StatusOr<service::Actor> actor =
        method.ActorOf(*context, *parts_.verifier);
    return service::FinishNow(context, method,
                              actor.ok() ? read(*actor) : actor.status());
  }
  // Starts `write` as the caller; the call finishes when it is durable.
  template <typename Write>
  grpc::ServerUnaryReactor* ServeWrite(const service::RpcMethod& method,
                                       grpc::CallbackServerContext* context,
                                       homeward::v1::FollowUpContact* response,
                                       Write write) {
    return service::FinishAfterWrite<homeward::v1::FollowUpContact>(
        context, method, response,
        [&](service::WriteDone<homeward::v1::FollowUpContact> done)
            -> absl::Status {
          ASSIGN_OR_RETURN(service::Actor actor,
                           method.ActorOf(*context, *parts_.verifier));
          return write(actor, std::move(done));
        });
  }

  FollowUpParts parts_;
  ContactLists lists_;
};

}  // namespace homeward::follow_up

#endif  // HOMEWARD_SERVICES_FOLLOW_UP_FOLLOW_UP_SERVICE_H_
