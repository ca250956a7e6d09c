// Streams, queues and commits of a FeedFollower; see feed_follower.h.
//
// Per producer replica: a reader thread owns the Subscribe call and moves
// events into per-partition queues; an applier thread takes the queues'
// heads, has the consumer turn them into WriteSets and commits them with the
// cursors. Only the applier pops a queue and only the reader pushes, so the
// applier reads the events at a queue's front without the lock (a deque's
// push_back leaves references to its elements valid). All bookkeeping is
// under one mutex; nothing slow (Apply, Commit, gRPC) runs while holding it.
#include "common/feeds/feed_follower.h"

#include <algorithm>
#include <deque>
#include <memory>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/auth/principal_token.h"
#include "common/server/log.h"
#include "common/server/server_kit.h"
#include "common/status/errors.h"
#include "common/status/status_macros.h"
#include "homeward/v1/events.grpc.pb.h"

namespace homeward::feeds {

using homeward::v1::Event;

struct FeedFollower::PartitionState {
  uint32_t partition = 0;
  Stream* stream = nullptr;
  // Events received and not yet applied, in sequence order.
  std::deque<Event> queue;
  // The highest sequence queued or applied: where a reopened stream resumes.
  uint64_t queued_through = 0;
  uint64_t applied = 0;
  uint64_t latest = 0;  // highest sequence the producer sent
  // The queue was full while the head waited for a retry, so events after
  // queued_through were dropped; the stream is reopened to get them again.
  bool dropped = false;
  // Failed attempts at the head event, and when to try it again.
  int failures = 0;
  absl::Time retry_at = absl::InfinitePast();
  uint64_t refused = 0;
  absl::Status last_refusal;
  absl::Time last_event_time = absl::InfinitePast();
  absl::Duration last_apply_delay = absl::ZeroDuration();
};

struct FeedFollower::Stream {
  std::string address;
  // The stub of a dialled producer, made at Start; null for a producer of
  // this process, reached over `in_process` (whose channel may be set later
  // or revoked: producer_channel.h).
  std::unique_ptr<homeward::v1::EventFeedService::Stub> stub;
  ProducerChannel in_process;
  std::vector<PartitionState*> partitions;  // ascending
  // The call in progress (null between calls), to cancel it.
  grpc::ClientContext* context = nullptr;
  // Set by the applier when a partition needs its dropped events again.
  bool reopen = false;
  // Applier-only: where the next round starts (round robin), and how many
  // rounds still commit one event each after a batched commit failed.
  size_t next = 0;
  size_t unbatched_rounds = 0;
};

namespace {

// A projection commits with its cursor, so a power loss that loses it loses
// the cursor too and the events are applied again: it need not wait for a
// WAL sync of its own (the store still syncs a set that appends events or
// audit entries).
constexpr storage::Store::Durability kProjectionDurability =
    storage::Store::Durability::kOrdered;

// A progress event: the producer skipped events up to this one's sequence
// that the consumer's selection leaves out (EventConsumer::Selection).
bool IsProgress(const Event& event) {
  return event.payload_case() == Event::PAYLOAD_NOT_SET;
}

// Logs the first attempts and then ever more rarely, so that a partition
// waiting for an operator all night does not flood the log.
bool WorthLogging(int attempt) {
  return attempt <= 2 || (attempt & (attempt - 1)) == 0 || attempt % 64 == 0;
}

}  // namespace

absl::StatusOr<std::unique_ptr<FeedFollower>> FeedFollower::Start(
    Options options) {
  errors::FieldViolations bad;
  if (options.store == nullptr) bad.Add("store", "is required");
  if (options.consumer == nullptr) {
    bad.Add("consumer", "is required");
  } else if (options.consumer->name().empty()) {
    bad.Add("consumer.name", "must not be empty: it names the cursors");
  }
  if (options.principal_secret.empty()) {
    bad.Add("principal_secret", "is required to subscribe as a service");
  }
  if (options.producer.replica_count() == 0) {
    bad.Add("producer", "must route at least one replica");
  } else if (options.partitions.count() != options.producer.partition_count()) {
    bad.Add("partitions",
            absl::StrCat("must have the producer's partition count ",
                         options.producer.partition_count(), ", not ",
                         options.partitions.count()));
  }
  if (options.max_queued_per_partition < 2) {
    bad.Add("max_queued_per_partition", "must be at least 2");
  }
  if (options.max_events_per_commit < 1) {
    bad.Add("max_events_per_commit", "must be at least 1");
  }
  if (options.backoff.initial <= absl::ZeroDuration() ||
      options.backoff.max < options.backoff.initial) {
    bad.Add("backoff", "initial must be positive and at most max");
  }
  RETURN_IF_ERROR(bad.ToStatus());

  std::unique_ptr<FeedFollower> follower(new FeedFollower(std::move(options)));
  RETURN_IF_ERROR(follower->OpenStreams());
  follower->StartThreads();
  const Options& opts = follower->options_;
  server::Log(
      "info", "feed follower started",
      {{"consumer", follower->name_},
       {"producer_service", opts.producer.service()},
       {"partitions", absl::StrCat(opts.partitions.partitions().size())},
       {"streams", absl::StrCat(follower->streams_.size())}});
  return follower;
}

absl::Status FeedFollower::OpenStreams() {
  const Options& opts = options_;
  // A snapshot: the owned set may change meanwhile (a partition hand-over
  // calls Resubscribe after it changed it).
  const storage::PartitionSet partitions = storage::PartitionSet::Of(
      opts.partitions.count(), opts.partitions.partitions());
  for (size_t r = 0; r < opts.producer.replica_count(); ++r) {
    auto stream = std::make_unique<Stream>();
    for (uint32_t p : opts.producer.PartitionsOf(r)) {
      if (!partitions.Contains(p)) continue;
      ASSIGN_OR_RETURN(uint64_t cursor, opts.store->GetCursor(name_, p));
      auto state = std::make_unique<PartitionState>();
      state->partition = p;
      state->stream = stream.get();
      state->queued_through = state->applied = state->latest = cursor;
      stream->partitions.push_back(state.get());
      absl::MutexLock lock(&mu_);
      partitions_[p] = std::move(state);
    }
    if (stream->partitions.empty()) continue;
    stream->address = opts.producer.address(r);
    if (auto it = opts.channels.find(stream->address);
        it != opts.channels.end()) {
      stream->in_process = it->second;  // the reader calls it
    } else {
      stream->stub = homeward::v1::EventFeedService::NewStub(
          server::DialInternal(stream->address, opts.credentials));
    }
    streams_.push_back(std::move(stream));
  }
  return absl::OkStatus();
}

void FeedFollower::StartThreads() {
  for (auto& stream : streams_) {
    Stream* s = stream.get();
    threads_.emplace_back([this, s] { ReadLoop(s); });
    threads_.emplace_back([this, s] { ApplyLoop(s); });
  }
}

absl::Status FeedFollower::Resubscribe(routing::RouteTable producer) {
  absl::MutexLock stop_lock(&stop_mu_);
  if (stopped_) return absl::OkStatus();
  if (producer.partition_count() != options_.partitions.count()) {
    return errors::InvalidField("producer",
                                absl::StrCat("must have the partition count ",
                                             options_.partitions.count()));
  }
  // Nothing to do when every followed partition keeps its producer replica
  // (a route map change elsewhere, an ownership change of another set).
  {
    const std::vector<uint32_t> wanted = options_.partitions.partitions();
    absl::MutexLock lock(&mu_);
    bool same = wanted.size() == partitions_.size();
    for (size_t i = 0; same && i < wanted.size(); ++i) {
      auto it = partitions_.find(wanted[i]);
      same = it != partitions_.end() &&
             it->second->stream->address ==
                 producer.address(producer.ReplicaOfPartition(wanted[i]));
    }
    if (same) return absl::OkStatus();
  }
  StopThreads();
  {
    absl::MutexLock lock(&mu_);
    partitions_.clear();
    stopping_ = false;
  }
  streams_.clear();
  options_.producer = std::move(producer);
  // Queued events that were not applied are fetched again from the cursors.
  if (absl::Status opened = OpenStreams(); !opened.ok()) {
    // Follows nothing rather than half: the caller logs it.
    absl::MutexLock lock(&mu_);
    partitions_.clear();
    streams_.clear();
    return opened;
  }
  StartThreads();
  server::Log("info", "feed follower re-subscribed",
              {{"consumer", name_},
               {"producer_service", options_.producer.service()},
               {"partitions", absl::StrCat(partitions_size())},
               {"streams", absl::StrCat(streams_.size())}});
  return absl::OkStatus();
}

absl::Status FeedFollower::Resubscribe() {
  routing::RouteTable producer = [this] {
    absl::MutexLock stop_lock(&stop_mu_);
    return options_.producer;
  }();
  return Resubscribe(std::move(producer));
}

size_t FeedFollower::partitions_size() const {
  absl::MutexLock lock(&mu_);
  return partitions_.size();
}

FeedFollower::FeedFollower(Options options)
    : options_(std::move(options)),
      name_(options_.consumer->name()),
      batch_(!options_.consumer->ReadsOwnProjection()),
      per_partition_(batch_ || options_.consumer->ReadsOnlyEventPartition()) {}

FeedFollower::~FeedFollower() { Stop(); }

void FeedFollower::Stop() {
  absl::MutexLock stop_lock(&stop_mu_);
  stopped_ = true;
  StopThreads();
}

void FeedFollower::StopThreads() {
  {
    absl::MutexLock lock(&mu_);
    if (stopping_ && threads_.empty()) return;
    stopping_ = true;
    for (auto& stream : streams_) {
      if (stream->context != nullptr) stream->context->TryCancel();
    }
    changed_.SignalAll();
  }
  for (std::thread& thread : threads_) thread.join();
  threads_.clear();
}

absl::Duration FeedFollower::BackoffFor(int failures) const {
  absl::Duration delay = options_.backoff.initial;
  for (int i = 1; i < failures && delay < options_.backoff.max; ++i) {
    delay *= 2;
  }
  return std::min(delay, options_.backoff.max);
}

bool FeedFollower::SleepUnlessStopping(absl::Duration delay) {
  const absl::Time deadline = absl::Now() + delay;
  absl::MutexLock lock(&mu_);
  while (!stopping_ && absl::Now() < deadline) {
    changed_.WaitWithDeadline(&mu_, deadline);
  }
  return !stopping_;
}

void FeedFollower::ReadLoop(Stream* stream) {
  homeward::internal::v1::Principal principal;
  principal.set_user_id(options_.caller_id.empty()
                            ? absl::StrCat("feed-follower:", name_)
                            : options_.caller_id);
  principal.set_role(homeward::v1::ROLE_SERVICE);
  const auth::PrincipalSigner signer(options_.principal_secret);
  int failures = 0;  // streams in a row that ended before any event came
  const homeward::v1::EventSelection selection = options_.consumer->Selection();
  while (true) {
    homeward::v1::SubscribeRequest request;
    *request.mutable_selection() = selection;
    grpc::ClientContext context;
    {
      absl::MutexLock lock(&mu_);
      if (stopping_) return;
      for (PartitionState* p : stream->partitions) {
        auto* cursor = request.add_cursors();
        cursor->set_partition(p->partition);
        cursor->set_after_sequence(p->queued_through);
        p->dropped = false;
      }
      stream->reopen = false;
      stream->context = &context;
    }
    signer.Attach(principal, &context);
    // A producer of this process is called over its in-process channel,
    // which must outlive the call (the stub and the call keep only a raw
    // pointer to it), so both are kept until the call is finished.
    std::shared_ptr<grpc::Channel> in_process_channel;
    std::unique_ptr<homeward::v1::EventFeedService::Stub> in_process_stub;
    std::unique_ptr<grpc::ClientReader<Event>> reader;
    if (stream->stub != nullptr) {
      reader = stream->stub->Subscribe(&context, request);
    } else {
      // Started while the channel cannot be revoked (producer_channel.h).
      stream->in_process.Use([&](std::shared_ptr<grpc::Channel> channel) {
        if (channel == nullptr) return;
        in_process_channel = std::move(channel);
        in_process_stub =
            homeward::v1::EventFeedService::NewStub(in_process_channel);
        reader = in_process_stub->Subscribe(&context, request);
      });
    }
    if (reader == nullptr) {
      // A producer of this process that has not started yet, or is shutting
      // down: wait for it like for a producer that is down.
      {
        absl::MutexLock lock(&mu_);
        stream->context = nullptr;
        if (stopping_) return;
      }
      ++failures;
      if (WorthLogging(failures)) {
        server::Log("info", "in-process feed producer not serving; waiting",
                    {{"consumer", name_},
                     {"producer", stream->address},
                     {"attempt", absl::StrCat(failures)}});
      }
      if (!SleepUnlessStopping(BackoffFor(failures))) return;
      continue;
    }
    Event event;
    bool interrupted = false;  // by Stop() or a reopen
    while (reader->Read(&event)) {
      failures = 0;
      // Enqueue under the lock; it may wait for room (flow control).
      absl::MutexLock lock(&mu_);
      auto it = partitions_.find(event.partition());
      if (it == partitions_.end() || it->second->stream != stream) {
        continue;  // not asked for: a producer bug; nothing to apply
      }
      PartitionState& p = *it->second;
      if (event.sequence() <= p.queued_through) continue;  // sent again
      p.latest = std::max(p.latest, event.sequence());
      while (!stopping_ && !stream->reopen && p.failures == 0 &&
             p.queue.size() >= options_.max_queued_per_partition) {
        changed_.Wait(&mu_);
      }
      if (stopping_ || stream->reopen) {
        interrupted = true;
        break;
      }
      if (p.dropped || p.queue.size() >= options_.max_queued_per_partition) {
        p.dropped = true;  // the head waits for a retry: fetch these later
        continue;
      }
      p.queued_through = event.sequence();
      p.queue.push_back(std::move(event));
      changed_.SignalAll();
    }
    if (interrupted) {
      context.TryCancel();
      while (reader->Read(&event)) {
      }
    }
    const grpc::Status status = reader->Finish();
    {
      absl::MutexLock lock(&mu_);
      stream->context = nullptr;
      if (stopping_) return;
      if (stream->reopen) continue;  // at once, from the queued sequences
      ++reconnects_;
    }
    ++failures;
    if (WorthLogging(failures)) {
      server::Log(
          "warning", "feed stream ended; reconnecting",
          {{"consumer", name_},
           {"producer", stream->address},
           {"code", absl::StatusCodeToString(
                        static_cast<absl::StatusCode>(status.error_code()))},
           {"attempt", absl::StrCat(failures)}});
    }
    if (!SleepUnlessStopping(BackoffFor(failures))) return;
  }
}

void FeedFollower::ApplyLoop(Stream* stream) {
  while (true) {
    RoundMode mode;
    {
      absl::MutexLock lock(&mu_);
      while (!stopping_) {
        const absl::Time now = absl::Now();
        absl::Time next_retry = absl::InfiniteFuture();
        bool ready = false;
        for (PartitionState* p : stream->partitions) {
          if (p->queue.empty()) continue;
          if (p->retry_at <= now) {
            ready = true;
            break;
          }
          next_retry = std::min(next_retry, p->retry_at);
        }
        if (ready) break;
        changed_.WaitWithDeadline(&mu_, next_retry);
      }
      if (stopping_) return;
      // After a failed batch, single events per partition find the culprit.
      mode = batch_ && stream->unbatched_rounds == 0 ? RoundMode::kBatch
             : per_partition_ ? RoundMode::kOnePerPartition
                              : RoundMode::kOneEvent;
      if (stream->unbatched_rounds > 0) --stream->unbatched_rounds;
    }
    ApplyRound(stream, mode);
  }
}

void FeedFollower::ApplyRound(Stream* stream, RoundMode mode) {
  const bool batch = mode == RoundMode::kBatch;
  // What one partition contributes to this round.
  struct Work {
    PartitionState* p = nullptr;
    uint64_t applied_before = 0;
    std::vector<const Event*> events;  // queue front; only we pop it
    uint64_t last = 0;                 // last sequence applied this round
    size_t applied_count = 0;          // events applied (not skipped)
    const Event* refused = nullptr;
    absl::Status refusal;
    storage::WriteSet set;  // the applied events' changes and the cursor
    absl::Status committed;
  };
  std::vector<Work> work;
  {
    absl::MutexLock lock(&mu_);
    const absl::Time now = absl::Now();
    const size_t n = stream->partitions.size();
    size_t budget = batch ? options_.max_events_per_commit : n;
    for (size_t i = 0; i < n && budget > 0; ++i) {
      PartitionState* p = stream->partitions[(stream->next + i) % n];
      if (p->queue.empty() || p->retry_at > now) continue;
      Work w;
      w.p = p;
      w.applied_before = p->applied;
      const size_t take = batch ? budget : 1;
      for (size_t k = 0; k < p->queue.size() && k < take; ++k, --budget) {
        w.events.push_back(&p->queue[k]);
      }
      work.push_back(std::move(w));
      if (mode == RoundMode::kOneEvent) {
        stream->next = (stream->next + i + 1) % n;
        break;
      }
    }
    if (mode != RoundMode::kOneEvent) stream->next = (stream->next + 1) % n;
  }
  if (work.empty()) return;

  size_t applied_total = 0;
  for (Work& w : work) {
    w.last = w.applied_before;
    for (const Event* e : w.events) {
      if (e->sequence() <= w.last) {  // delivered again: applied already
        continue;
      }
      if (IsProgress(*e)) {  // skipped at the producer: the cursor moves
        w.last = e->sequence();
        ++w.applied_count;
        continue;
      }
      absl::StatusOr<storage::WriteSet> change = options_.consumer->Apply(*e);
      if (!change.ok()) {
        w.refused = e;
        w.refusal = change.status();
        break;
      }
      w.set.Append(*std::move(change));
      w.last = e->sequence();
      ++w.applied_count;
    }
    if (w.applied_count > 0) {
      w.set.PutCursor(name_, w.p->partition, w.last);
      applied_total += w.applied_count;
    }
  }
  if (batch && applied_total > 0) {
    storage::WriteSet all;
    for (Work& w : work) all.Append(std::move(w.set));
    const absl::Status committed =
        options_.store->Commit(std::move(all), kProjectionDurability).status();
    if (!committed.ok() && applied_total > 1) {
      // One of the events' changes failed to commit: commit them one per
      // partition at a time to find it, so that only its partition waits.
      absl::MutexLock lock(&mu_);
      stream->unbatched_rounds = applied_total;
      return;
    }
    for (Work& w : work) w.committed = committed;
  } else if (applied_total > 0) {
    std::vector<Work*> sets;
    for (Work& w : work) {
      if (w.applied_count > 0) sets.push_back(&w);
    }
    if (sets.size() == 1) {
      // The usual case away from bursts: Commit wakes this thread from the
      // committer, one thread hand-off fewer than a callback.
      sets[0]->committed =
          options_.store->Commit(std::move(sets[0]->set), kProjectionDurability)
              .status();
    } else {
      // One set per partition, committed concurrently: the store syncs the
      // sets queued together once. The count lives on the heap, shared with
      // the callbacks, so that none touches this frame after it returns.
      struct Pending {
        absl::Mutex mu;
        size_t left = 0;  // guarded by mu
      };
      auto pending = std::make_shared<Pending>();
      {
        absl::MutexLock lock(&pending->mu);
        pending->left = sets.size();
      }
      for (Work* w : sets) {
        options_.store->CommitAsync(
            std::move(w->set),
            [w, pending](absl::StatusOr<storage::CommitResult> result) {
              absl::MutexLock lock(&pending->mu);
              w->committed = result.status();
              --pending->left;
            },
            kProjectionDurability);
      }
      absl::MutexLock lock(&pending->mu);
      pending->mu.Await(absl::Condition(
          +[](Pending* p) { return p->left == 0; }, pending.get()));
    }
  }
  const absl::Time applied_time = absl::Now();
  for (Work& w : work) {
    if (w.applied_count == 0) continue;
    if (w.committed.ok()) {
      if (options_.on_applied) {
        for (const Event* e : w.events) {
          if (e->sequence() > w.applied_before && e->sequence() <= w.last &&
              !IsProgress(*e)) {
            options_.on_applied(*e, applied_time);
          }
        }
      }
      continue;
    }
    // A single event's change (at most one per partition here) failed to
    // commit: it is refused like an Apply error.
    for (const Event* e : w.events) {
      if (e->sequence() > w.applied_before) {
        w.refused = e;
        break;
      }
    }
    w.refusal = w.committed;
    w.last = w.applied_before;
    w.applied_count = 0;
  }

  struct Refusal {
    uint32_t partition;
    uint64_t sequence;
    std::string subject_id;
    absl::StatusCode code;
    int attempt;
    absl::Duration retry_in;
    bool by_consumer;
  };
  std::vector<Refusal> refusals;
  std::vector<std::pair<PartitionState*, int>> recovered;  // after attempts
  {
    absl::MutexLock lock(&mu_);
    for (Work& w : work) {
      PartitionState& p = *w.p;
      // Pop what was applied, and what came again at or below the cursor.
      const uint64_t through = std::max(w.last, p.applied);
      while (!p.queue.empty() && p.queue.front().sequence() <= through) {
        const Event& e = p.queue.front();
        if (w.applied_count > 0 && e.sequence() == w.last) {
          p.last_event_time = absl::FromUnixSeconds(e.time().seconds()) +
                              absl::Nanoseconds(e.time().nanos());
          p.last_apply_delay = applied_time - p.last_event_time;
        }
        p.queue.pop_front();
      }
      if (w.applied_count > 0) {
        p.applied = w.last;
        if (p.failures > 0) recovered.push_back({&p, p.failures});
        p.failures = 0;
        p.retry_at = absl::InfinitePast();
      }
      if (w.refused != nullptr) {
        ++p.failures;
        ++p.refused;
        p.last_refusal = w.refusal;
        const absl::Duration retry_in = BackoffFor(p.failures);
        p.retry_at = absl::Now() + retry_in;
        if (WorthLogging(p.failures)) {
          refusals.push_back({p.partition, w.refused->sequence(),
                              w.refused->subject_id(), w.refusal.code(),
                              p.failures, retry_in, w.committed.ok()});
        }
      }
      // A partition that dropped events gets them again once it has room.
      if (p.dropped && p.failures == 0 &&
          p.queue.size() <= options_.max_queued_per_partition / 2 &&
          !stream->reopen) {
        stream->reopen = true;
        if (stream->context != nullptr) stream->context->TryCancel();
      }
    }
    changed_.SignalAll();
  }
  for (const Refusal& r : refusals) {
    server::Log(
        "warning",
        r.by_consumer ? "feed event refused by the consumer; retrying"
                      : "feed event could not be committed; retrying",
        {{"consumer", name_},
         {"producer", stream->address},
         {"partition", absl::StrCat(r.partition)},
         {"sequence", absl::StrCat(r.sequence)},
         {"subject_id", r.subject_id},
         {"code", absl::StatusCodeToString(r.code)},
         {"attempt", absl::StrCat(r.attempt)},
         {"retry_in_ms", absl::StrCat(absl::ToInt64Milliseconds(r.retry_in))}});
  }
  for (const auto& [p, attempts] : recovered) {
    server::Log("info", "feed partition moving again after refusals",
                {{"consumer", name_},
                 {"partition", absl::StrCat(p->partition)},
                 {"failed_attempts", absl::StrCat(attempts)}});
  }
}

FeedLag FeedFollower::Lag() const {
  FeedLag lag;
  const absl::Time now = absl::Now();
  absl::MutexLock lock(&mu_);
  lag.reconnects = reconnects_;
  std::vector<uint32_t> followed;
  for (const auto& [partition, state] : partitions_)
    followed.push_back(partition);
  std::sort(followed.begin(), followed.end());
  for (uint32_t partition : followed) {
    const PartitionState& p = *partitions_.at(partition);
    PartitionLag entry;
    entry.partition = partition;
    entry.producer = p.stream->address;
    entry.applied_sequence = p.applied;
    entry.latest_sequence = std::max(p.latest, p.applied);
    entry.events_behind = entry.latest_sequence - p.applied;
    entry.last_event_time = p.last_event_time;
    if (p.last_event_time != absl::InfinitePast()) {
      entry.last_event_age = now - p.last_event_time;
    }
    entry.last_apply_delay = p.last_apply_delay;
    entry.refused_count = p.refused;
    entry.waiting_attempts = p.failures;
    entry.last_refusal = p.last_refusal;
    lag.refused_count += p.refused;
    lag.partitions.push_back(std::move(entry));
  }
  return lag;
}

uint64_t FeedFollower::AppliedSequence(uint32_t partition) const {
  absl::MutexLock lock(&mu_);
  auto it = partitions_.find(partition);
  return it == partitions_.end() ? 0 : it->second->applied;
}

uint64_t FeedFollower::refused_count() const {
  absl::MutexLock lock(&mu_);
  uint64_t total = 0;
  for (const auto& [partition, p] : partitions_) total += p->refused;
  return total;
}

absl::Status FeedFollower::WaitUntilApplied(
    const absl::flat_hash_map<uint32_t, uint64_t>& sequences,
    absl::Duration timeout) const {
  const absl::Time deadline = absl::Now() + timeout;
  absl::MutexLock lock(&mu_);
  while (true) {
    std::vector<std::string> behind;
    for (const auto& [partition, sequence] : sequences) {
      auto it = partitions_.find(partition);
      const uint64_t applied =
          it == partitions_.end() ? 0 : it->second->applied;
      if (applied < sequence) {
        behind.push_back(
            absl::StrCat(partition, " (", applied, " of ", sequence, ")"));
      }
    }
    if (behind.empty()) return absl::OkStatus();
    if (absl::Now() >= deadline) {
      std::sort(behind.begin(), behind.end());
      return absl::DeadlineExceededError(
          absl::StrCat("feed '", name_, "' still behind after ",
                       absl::FormatDuration(timeout), " on partitions ",
                       absl::StrJoin(behind, ", ")));
    }
    changed_.WaitWithDeadline(&mu_, deadline);
  }
}

}  // namespace homeward::feeds
