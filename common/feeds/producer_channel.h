// How a feed follower reaches a producer replica of its own process instead
// of dialling the replica's address: over the producer's in-process channel,
// given either at once or through a LateChannel.
//
// A LateChannel is for services of one process that follow each other's
// feeds (the all-in-one: planning follows assessment, assessment follows
// planning). A server's in-process channel exists only once that server has
// started, and each needs the other's channel when it starts, so the one
// started first gets an empty LateChannel, set once the other runs. Until
// then the follower treats the producer as down: it retries with its
// backoff, and follows as soon as the channel is set. At shutdown the
// channel is revoked before the producer stops: gRPC crashes when a call is
// started on the in-process channel of a server that is gone, and a
// follower keeps reconnecting until it is stopped itself. After Revoke()
// the follower waits again, as before Set().
//
//   auto to_planning = std::make_shared<feeds::LateChannel>();
//   ... start assessment with {{"in-process:planning", to_planning}} ...
//   ... start planning ...
//   to_planning->Set(planning->InProcessChannel());
//   ...
//   to_planning->Revoke();  // before shutting planning down
#ifndef HOMEWARD_COMMON_FEEDS_PRODUCER_CHANNEL_H_
#define HOMEWARD_COMMON_FEEDS_PRODUCER_CHANNEL_H_

#include <functional>
#include <memory>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "grpcpp/channel.h"

namespace homeward::feeds {

// An in-process channel that is set after the follower using it started,
// and revoked before its server stops. Thread-safe.
class LateChannel {
 public:
  void Set(std::shared_ptr<grpc::Channel> channel) {
    absl::WriterMutexLock lock(&mu_);
    channel_ = std::move(channel);
  }
  // Once this returns, no call is being started on the channel and none
  // will be (calls started before end when their server shuts down).
  void Revoke() { Set(nullptr); }
  // Runs `start` with the channel (nullptr while not set, or revoked);
  // Revoke() waits until it returns, so `start` must only start a call.
  void Use(
      const std::function<void(std::shared_ptr<grpc::Channel>)>& start) const {
    absl::ReaderMutexLock lock(&mu_);
    start(channel_);
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

  // As LateChannel::Use; a channel given now is always there.
  void Use(
      const std::function<void(std::shared_ptr<grpc::Channel>)>& start) const {
    if (later_ != nullptr) return later_->Use(start);
    start(now_);
  }

 private:
  std::shared_ptr<grpc::Channel> now_;
  std::shared_ptr<LateChannel> later_;
};

}  // namespace homeward::feeds

#endif  // HOMEWARD_COMMON_FEEDS_PRODUCER_CHANNEL_H_
