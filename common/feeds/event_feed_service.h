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
//   EventFeedService feed(store.get(), &owned_partitions, &verifier);
//   builder.RegisterService(&feed);
#ifndef HOMEWARD_COMMON_FEEDS_EVENT_FEED_SERVICE_H_
#define HOMEWARD_COMMON_FEEDS_EVENT_FEED_SERVICE_H_

#include "absl/status/status.h"
#include "common/auth/principal_token.h"
#include "common/storage/partitions.h"
#include "common/storage/store.h"
#include "homeward/v1/events.grpc.pb.h"

namespace homeward::feeds {

class EventFeedService final : public homeward::v1::EventFeedService::Service {
 public:
  EventFeedService(const storage::Store* store,
                   const storage::PartitionSet* owned,
                   const auth::PrincipalVerifier* verifier)
      : store_(store), owned_(owned), verifier_(verifier) {}

  grpc::Status Subscribe(
      grpc::ServerContext* context,
      const homeward::v1::SubscribeRequest* request,
      grpc::ServerWriter<homeward::v1::Event>* writer) override;

 private:
  absl::Status Stream(grpc::ServerContext* context,
                      const homeward::v1::SubscribeRequest& request,
                      grpc::ServerWriter<homeward::v1::Event>* writer);

  const storage::Store* store_;
  const storage::PartitionSet* owned_;
  const auth::PrincipalVerifier* verifier_;
};

// Checks a SubscribeRequest against the partitions this replica owns, and
// its selection's payloads against Event's.
absl::Status ValidateSubscribeRequest(
    const homeward::v1::SubscribeRequest& request,
    const storage::PartitionSet& owned);

}  // namespace homeward::feeds

#endif  // HOMEWARD_COMMON_FEEDS_EVENT_FEED_SERVICE_H_
