// How a feed follower reaches a producer replica of its own process instead
// of dialling the replica's address: over the producer's in-process channel,
// given either at once or later. Later is for two services that follow each
// other's feeds in one process (the all-in-one: planning follows
// assessment, assessment follows planning): a server's in-process channel
// exists only once that server has started, and each needs the other's
// channel when it starts, so the one started first gets an empty
// LateChannel and the other's channel is set into it once that one runs.
// Until then the follower treats the producer as down: it retries with its
// backoff, and follows as soon as the channel is set.
//
//   auto planning_channel = std::make_shared<feeds::LateChannel>();
//   service::UpstreamChannels to_planning{
//       {"in-process:planning", planning_channel}};
//   ... start assessment with to_planning ...
//   ... start planning with {{"in-process:assessment",
//                              assessment->InProcessChannel()}} ...
//   planning_channel->Set(planning->InProcessChannel());
#ifndef HOMEWARD_COMMON_FEEDS_PRODUCER_CHANNEL_H_
#define HOMEWARD_COMMON_FEEDS_PRODUCER_CHANNEL_H_

#include <memory>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "grpcpp/channel.h"

namespace homeward::feeds {

// A channel set once, after the code that uses it was handed the slot.
// Thread-safe.
class LateChannel {
 public:
  void Set(std::shared_ptr<grpc::Channel> channel) {
    absl::MutexLock lock(&mu_);
    channel_ = std::move(channel);
  }
  // nullptr until Set.
  std::shared_ptr<grpc::Channel> Get() const {
    absl::MutexLock lock(&mu_);
    return channel_;
  }

 private:
  mutable absl::Mutex mu_;
  std::shared_ptr<grpc::Channel> channel_ ABSL_GUARDED_BY(mu_);
};

// A channel to one producer replica: available now, or a LateChannel. Both
// convert implicitly, so a map of them is filled like a map of channels.
class ProducerChannel {
 public:
  ProducerChannel() = default;
  ProducerChannel(std::shared_ptr<grpc::Channel> now)  // NOLINT: implicit
      : now_(std::move(now)) {}
  ProducerChannel(std::shared_ptr<LateChannel> later)  // NOLINT: implicit
      : later_(std::move(later)) {}

  // The channel, or nullptr while a late one is not set yet.
  std::shared_ptr<grpc::Channel> Get() const {
    if (now_ != nullptr) return now_;
    return later_ != nullptr ? later_->Get() : nullptr;
  }

 private:
  std::shared_ptr<grpc::Channel> now_;
  std::shared_ptr<LateChannel> later_;
};

}  // namespace homeward::feeds

#endif  // HOMEWARD_COMMON_FEEDS_PRODUCER_CHANNEL_H_
