// Follows another service's event feed into a local projection: for each
// producer replica that owns some of the partitions this replica follows, it
// keeps one EventFeedService.Subscribe stream open naming just those
// partitions, resumed from the cursors stored in the local store; it hands
// each event to the EventConsumer and commits the WriteSet the consumer
// returns together with WriteSet::PutCursor, so that an event's effect and
// the cursor that says it was applied land in one atomic commit. Delivery is
// at-least-once (a stream resumes after the last event it handed over, and a
// restart resumes from the stored cursor); events at or below the cursor are
// skipped, so each event is applied exactly once across crashes of either
// side.
//
// Selection: the follower subscribes with the consumer's
// EventConsumer::Selection, so the producer sends only the events the
// consumer acts on; the progress events it sends in place of the others
// (no payload) are committed as the cursor alone, without calling Apply, and
// are not passed to Options::on_applied.
//
// Reconnects: a stream that fails or ends (producer down, restarting,
// refusing, or a producer of this process whose in-process channel is not
// set yet: producer_channel.h) is opened again after a backoff that doubles
// from Backoff::initial to Backoff::max and starts over once events flow
// again.
//
// Commits: by default each event is committed before the next one is handed
// to the consumer. A consumer whose Apply reads only the event's partition
// (EventConsumer::ReadsOnlyEventPartition) gets the next event of every
// ready partition of a stream at once, committed concurrently; one that
// reads nothing of its projection (ReadsOwnProjection() false) gets all the
// queued events of a stream in one commit (up to max_events_per_commit).
// Under load this is what keeps the lag low: commits share WAL syncs.
//
// Refused events: when the consumer refuses an event (Apply returns an
// error) or its commit fails, the follower logs it (consumer, producer,
// partition, sequence, subject id, status code: never the payload or the
// error text, which may quote it), counts it, and retries that event with
// the same backoff until it is applied; an operator fixes the consumer or
// its data and the partition moves on by itself. The partition never skips
// the event: a projection that silently missed an event would give wrong
// answers (e.g. about who may touch a case) forever. Only that partition
// waits: each stream has a reader thread that queues events per partition
// and an applier thread that serves the partitions in turn, skipping one
// whose head event is waiting for its retry. A waiting partition's queue is
// bounded (Options::max_queued_per_partition): once full, the reader drops
// that partition's further events instead of blocking the stream, and when
// the partition has drained half its queue the stream is reopened from the
// last queued sequence of each partition, so the dropped events arrive
// again. A queue that is full only because the applier is busy blocks the
// reader instead (flow control), which costs the other partitions nothing
// since the same applier serves them.
//
// Moves: Resubscribe() follows again from the stored cursors, for the
// partitions Options::partitions holds now (a replica's owned set, changed
// by a partition hand-over) and to the producer replicas a new route table
// names (a partition moved at the producer); a partition whose commits are
// refused because it is fenced here waits like any refused event.
//
// Lag: Lag() reports per partition the applied sequence (the stored
// cursor), the highest sequence the producer has sent, the events known to
// wait, the commit time at the producer of the last applied event and how
// long ago that was, and the refusals. Options::on_applied sees every
// applied event with the time its commit finished (for lag histograms).
//
//   ASSIGN_OR_RETURN(routing::RouteTable producer,
//                    routing::RouteTable::Create(config.routes(), 64,
//                                                "assessment"));
//   FeedFollower::Options options;
//   options.producer = producer;
//   options.partitions = owned;            // this replica's partitions
//   options.store = store.get();           // cursors and projection
//   options.consumer = &case_directory;    // an EventConsumer
//   options.principal_secret = secret;     // signs a ROLE_SERVICE principal
//   ASSIGN_OR_RETURN(std::unique_ptr<FeedFollower> follower,
//                    FeedFollower::Start(std::move(options)));
//   ...
//   FeedLag lag = follower->Lag();
//   follower->Stop();                      // also done by the destructor
#ifndef HOMEWARD_COMMON_FEEDS_FEED_FOLLOWER_H_
#define HOMEWARD_COMMON_FEEDS_FEED_FOLLOWER_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/feeds/event_consumer.h"
#include "common/feeds/producer_channel.h"
#include "common/routing/route_table.h"
#include "common/storage/partitions.h"
#include "common/storage/store.h"
#include "grpcpp/channel.h"
#include "grpcpp/security/credentials.h"
#include "homeward/v1/events.pb.h"

namespace homeward::feeds {

// How long to wait before reopening a failed stream or retrying a refused
// event: `initial`, doubling on each further failure, at most `max`.
struct Backoff {
  absl::Duration initial = absl::Milliseconds(50);
  absl::Duration max = absl::Seconds(2);
};

// Where one followed partition stands.
struct PartitionLag {
  uint32_t partition = 0;
  // The producer replica the partition is followed from.
  std::string producer;
  // The last sequence applied (equal to the stored cursor).
  uint64_t applied_sequence = 0;
  // The highest sequence the producer has sent so far (at least the applied
  // one): the producer's latest as far as the follower knows.
  uint64_t latest_sequence = 0;
  // latest_sequence - applied_sequence: events known to wait.
  uint64_t events_behind = 0;
  // The producer's commit time (Event.time) of the last event applied since
  // the follower started, and how long before Lag() that was; InfinitePast
  // and zero when none was applied yet.
  absl::Time last_event_time = absl::InfinitePast();
  absl::Duration last_event_age = absl::ZeroDuration();
  // How long the last applied event took from its commit at the producer to
  // the commit of its effect here.
  absl::Duration last_apply_delay = absl::ZeroDuration();
  // Refusals (consumer errors and failed commits) since the start, and the
  // failed attempts of the event now waiting for a retry (0: none waits).
  uint64_t refused_count = 0;
  int waiting_attempts = 0;
  // The status of the last refusal (OK if none).
  absl::Status last_refusal;
};

struct FeedLag {
  std::vector<PartitionLag> partitions;  // ascending partition
  uint64_t refused_count = 0;            // over all partitions
  // Streams opened again after they failed or ended, over all producers.
  uint64_t reconnects = 0;
};

class FeedFollower {
 public:
  struct Options {
    // The producer service's replicas and the partitions each owns.
    routing::RouteTable producer;
    // The partitions this replica follows: a subset of the producer's, with
    // the same partition count; may be empty. A shared set (e.g. the
    // replica's owned set) may change: Resubscribe() follows it then.
    storage::PartitionSet partitions;
    // Holds the cursors and receives the commits. Not owned; must outlive
    // the follower.
    storage::Store* store = nullptr;
    // Not owned; must outlive the follower. Called from the follower's
    // threads, one call at a time per producer replica.
    EventConsumer* consumer = nullptr;
    // The deployment secret: the follower subscribes as a ROLE_SERVICE
    // principal signed with it.
    std::string principal_secret;
    // The user id of that principal; empty: "feed-follower:<consumer name>".
    std::string caller_id;
    // Channels to use instead of dialling an address (e.g. in-process
    // channels in the all-in-one), by producer address. A LateChannel not
    // set yet counts as a producer that is down (producer_channel.h).
    absl::flat_hash_map<std::string, ProducerChannel> channels;
    // How the other producer addresses are dialled: the process's internal
    // transport (common/server/transport.h); nullptr: plaintext.
    std::shared_ptr<grpc::ChannelCredentials> credentials;
    Backoff backoff;
    // Events queued per partition between a stream and its applier.
    size_t max_queued_per_partition = 1024;
    // The most events one commit carries when the consumer allows batching
    // (EventConsumer::ReadsOwnProjection() false).
    size_t max_events_per_commit = 256;
    // Called after each event's effect committed, with the time the commit
    // returned, on a follower thread; must be quick.
    std::function<void(const homeward::v1::Event&, absl::Time applied)>
        on_applied;
  };

  // Reads the stored cursors and starts following. INVALID_ARGUMENT naming
  // the option when the options do not fit together (partition counts
  // differ, no store or consumer, no secret); the store's error when the
  // cursors cannot be read. A producer that is down is not an error: the
  // follower keeps trying.
  static absl::StatusOr<std::unique_ptr<FeedFollower>> Start(Options options);
  // Stops.
  ~FeedFollower();
  FeedFollower(const FeedFollower&) = delete;
  FeedFollower& operator=(const FeedFollower&) = delete;

  // Cancels the streams and joins the threads; an event being applied is
  // committed (or not) before it returns. Idempotent.
  void Stop();

  // Follows again: stops the streams (an event being applied is committed
  // first), then subscribes from the stored cursors for the partitions
  // Options::partitions holds now (a replica's owned set, which a partition
  // hand-over changes) to the replicas `producer` routes them to (a new
  // route map). Events queued and not applied are fetched again; none is
  // applied twice (the cursor commits with each change). No-op after
  // Stop(). The no-argument form keeps the producer's routes.
  absl::Status Resubscribe(routing::RouteTable producer);
  absl::Status Resubscribe();

  FeedLag Lag() const;
  // The last sequence applied from `partition` (0 if none or not followed).
  uint64_t AppliedSequence(uint32_t partition) const;
  uint64_t refused_count() const;

  // Waits until each partition in `sequences` has applied at least the
  // sequence given; DEADLINE_EXCEEDED naming the partitions still behind
  // after `timeout`. For tests and for waiting at start.
  absl::Status WaitUntilApplied(
      const absl::flat_hash_map<uint32_t, uint64_t>& sequences,
      absl::Duration timeout) const;

 private:
  struct PartitionState;
  struct Stream;

  explicit FeedFollower(Options options);
  // Reads the cursors and makes a stream per producer replica owning some
  // followed partition; with no thread running.
  absl::Status OpenStreams();
  void StartThreads();
  // Cancels the streams and joins their threads, an event being applied
  // committed (or not) first, so that the stored cursors are where every
  // partition stands. Leaves stopping_ set; with stop_mu_ held.
  void StopThreads();
  size_t partitions_size() const;
  void ReadLoop(Stream* stream);
  void ApplyLoop(Stream* stream);
  // How a round of the applier commits.
  enum class RoundMode {
    kOneEvent,         // the next event of one partition
    kOnePerPartition,  // the next event of each ready partition, one commit
                       // each, concurrently
    kBatch,            // the queued events of every ready partition, one commit
  };
  // Applies and commits the next events of `stream`'s ready partitions.
  void ApplyRound(Stream* stream, RoundMode mode);
  // Waits for `delay` or until Stop(); false when stopping.
  bool SleepUnlessStopping(absl::Duration delay);
  absl::Duration BackoffFor(int failures) const;

  // The producer and the streams change only in Resubscribe, with no thread
  // running and stop_mu_ held.
  Options options_;
  const std::string name_;
  // The consumer's reads allow batches, or one event per partition at once.
  const bool batch_;
  const bool per_partition_;

  mutable absl::Mutex mu_;
  // Signalled on every change a waiter may care for (queue, applied, stop).
  mutable absl::CondVar changed_;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  uint64_t reconnects_ ABSL_GUARDED_BY(mu_) = 0;
  absl::flat_hash_map<uint32_t, std::unique_ptr<PartitionState>> partitions_
      ABSL_GUARDED_BY(mu_);
  std::vector<std::unique_ptr<Stream>> streams_;

  absl::Mutex stop_mu_;   // serialises Stop() and Resubscribe()
  bool stopped_ = false;  // guarded by stop_mu_: Stop() was called
  std::vector<std::thread> threads_;
};

}  // namespace homeward::feeds

#endif  // HOMEWARD_COMMON_FEEDS_FEED_FOLLOWER_H_
