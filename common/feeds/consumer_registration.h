// The consumer side of event retention: registers a feed follower's
// consumer with each producer replica it follows and keeps telling them how
// far it has applied (FeedFollower::Lag), so that the producers trim only
// what it has passed (outbox_trim.h). Started beside each follower
// (service::FollowUpstream does it); stopped before it.
//
// Every `interval` it groups the follower's partitions by the producer
// replica they are followed from, syncs its store's WAL (a position
// reported is then durable: a power loss cannot take the cursor back below
// what the producer may trim), and calls RegisterConsumer on a replica it
// has not registered with yet, else ReportConsumerPositions; a report
// refused because the replica does not know the consumer (e.g. a partition
// moved there) registers again at once. A producer that is down is tried
// again at the next interval.
//
//   ConsumerRegistration::Options options;
//   options.follower = follower;        // the FeedFollower started before
//   options.store = store;              // the follower's store
//   options.consumer_name = consumer->name();
//   options.principal_secret = secret;
//   ASSIGN_OR_RETURN(auto registration,
//                    ConsumerRegistration::Start(std::move(options)));
//   ...
//   registration->Stop();               // before follower->Stop()
#ifndef HOMEWARD_COMMON_FEEDS_CONSUMER_REGISTRATION_H_
#define HOMEWARD_COMMON_FEEDS_CONSUMER_REGISTRATION_H_

#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/feeds/feed_follower.h"
#include "common/feeds/producer_channel.h"
#include "common/storage/store.h"
#include "grpcpp/security/credentials.h"
#include "homeward/v1/events.grpc.pb.h"

namespace homeward::feeds {

class ConsumerRegistration {
 public:
  struct Options {
    const FeedFollower* follower = nullptr;  // not owned
    storage::Store* store = nullptr;         // the follower's; not owned
    std::string consumer_name;               // EventConsumer::name()
    // Signs the ROLE_SERVICE principal the calls carry.
    std::string principal_secret;
    // That principal's user id; empty: "feed-follower:<consumer name>".
    std::string caller_id;
    // As FeedFollower::Options: producers of this process, by address.
    absl::flat_hash_map<std::string, ProducerChannel> channels;
    std::shared_ptr<grpc::ChannelCredentials> credentials;
    absl::Duration interval = absl::Seconds(5);
    // The deadline of each call.
    absl::Duration call_timeout = absl::Seconds(5);
  };

  // Registers at once (in the background) and then every interval.
  // INVALID_ARGUMENT naming the option when one is missing.
  static absl::StatusOr<std::unique_ptr<ConsumerRegistration>> Start(
      Options options);
  ~ConsumerRegistration() { Stop(); }
  ConsumerRegistration(const ConsumerRegistration&) = delete;
  ConsumerRegistration& operator=(const ConsumerRegistration&) = delete;

  // Stops the thread; a call under way ends first. Idempotent.
  void Stop();

  // Reports sent and accepted (registrations included), and failed calls:
  // for tests and metrics.
  uint64_t reports() const;
  uint64_t failures() const;

 private:
  explicit ConsumerRegistration(Options options);
  void Loop();
  // Registers with or reports to every producer replica once.
  void ReportAll();
  // Starts a call on `stub` with `context`, reporting to `done`.
  using CallStarter = std::function<void(
      homeward::v1::EventFeedService::Stub& stub, grpc::ClientContext* context,
      std::function<void(grpc::Status)> done)>;
  // One unary call to the producer at `address`, waited for; UNAVAILABLE
  // when a producer of this process is not serving.
  grpc::Status Call(const std::string& address, const CallStarter& start);

  const Options options_;
  // Dialled producers by address (made on first use).
  absl::flat_hash_map<std::string, std::shared_ptr<grpc::Channel>> dialled_;
  // The replicas this consumer registered with since the start.
  absl::flat_hash_map<std::string, bool> registered_;
  int failures_in_a_row_ = 0;

  mutable absl::Mutex mu_;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  grpc::ClientContext* call_ ABSL_GUARDED_BY(mu_) = nullptr;  // to cancel
  uint64_t reports_ ABSL_GUARDED_BY(mu_) = 0;
  uint64_t failures_ ABSL_GUARDED_BY(mu_) = 0;
  std::thread thread_;
};

}  // namespace homeward::feeds

#endif  // HOMEWARD_COMMON_FEEDS_CONSUMER_REGISTRATION_H_
