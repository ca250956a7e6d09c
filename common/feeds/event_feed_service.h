// The event-feed gRPC service every Homeward service exposes: Subscribe replays
// a partition's outbox after the caller's cursor, then tails new events as
// they commit. Delivery is at-least-once; consumers store their cursor in the
// same WriteSet as the projection change an event causes, so applying is
// idempotent across reconnects and crashes. A subscriber may name the events
// it wants (SubscribeRequest.selection): the others are not sent, and a
// bare progress event (no payload) now and then moves its cursor past them.
// A tailing stream reads only the partitions whose published sequence
// (Store::PublishedSequence) moved past its cursor.
//
// A cursor below the events the producer trimmed (outbox_trim.h) is
// refused with FAILED_PRECONDITION (errors::EventsTrimmed), never skipped.
// With a ConsumerRegistry the service also registers consumers and takes
// their positions (RegisterConsumer, ReportConsumerPositions, ListConsumers,
// UnregisterConsumer; UNIMPLEMENTED without one).
//
//   EventFeedService feed(store.get(), &owned_partitions, &verifier,
//                         &registry);
//   builder.RegisterService(&feed);
#ifndef HOMEWARD_COMMON_FEEDS_EVENT_FEED_SERVICE_H_
#define HOMEWARD_COMMON_FEEDS_EVENT_FEED_SERVICE_H_

#include "absl/status/status.h"
#include "common/auth/principal_token.h"
#include "common/feeds/consumer_registry.h"
#include "common/storage/partitions.h"
#include "common/storage/store.h"
#include "homeward/v1/events.grpc.pb.h"

namespace homeward::feeds {

class EventFeedService final : public homeward::v1::EventFeedService::Service {
 public:
  EventFeedService(const storage::Store* store,
                   const storage::PartitionSet* owned,
                   const auth::PrincipalVerifier* verifier,
                   ConsumerRegistry* registry = nullptr)
      : store_(store),
        owned_(owned),
        verifier_(verifier),
        registry_(registry) {}

  grpc::Status Subscribe(
      grpc::ServerContext* context,
      const homeward::v1::SubscribeRequest* request,
      grpc::ServerWriter<homeward::v1::Event>* writer) override;

  // Event retention (consumer_registry.h); ROLE_SERVICE only.
  grpc::Status RegisterConsumer(
      grpc::ServerContext* context,
      const homeward::v1::RegisterConsumerRequest* request,
      homeward::v1::RegisterConsumerResponse* response) override;
  grpc::Status ReportConsumerPositions(
      grpc::ServerContext* context,
      const homeward::v1::ReportConsumerPositionsRequest* request,
      homeward::v1::ReportConsumerPositionsResponse* response) override;
  grpc::Status ListConsumers(
      grpc::ServerContext* context,
      const homeward::v1::ListConsumersRequest* request,
      homeward::v1::ListConsumersResponse* response) override;
  grpc::Status UnregisterConsumer(
      grpc::ServerContext* context,
      const homeward::v1::UnregisterConsumerRequest* request,
      homeward::v1::UnregisterConsumerResponse* response) override;

 private:
  absl::Status Stream(grpc::ServerContext* context,
                      const homeward::v1::SubscribeRequest& request,
                      grpc::ServerWriter<homeward::v1::Event>* writer);

  const storage::Store* store_;
  const storage::PartitionSet* owned_;
  const auth::PrincipalVerifier* verifier_;
  // The registry calls need a ROLE_SERVICE caller and a registry.
  absl::Status AllowRegistryCall(grpc::ServerContext& context) const;
  ConsumerRegistry* registry_;
};

// Checks a SubscribeRequest against the partitions this replica owns, and
// its selection's payloads against Event's.
absl::Status ValidateSubscribeRequest(
    const homeward::v1::SubscribeRequest& request,
    const storage::PartitionSet& owned);

}  // namespace homeward::feeds

#endif  // HOMEWARD_COMMON_FEEDS_EVENT_FEED_SERVICE_H_
