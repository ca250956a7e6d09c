// The consumer side of an event feed: a projection that one service keeps
// from another service's events (for example the case directory a service
// that does not own cases keeps from the assessment service's case events).
// A FeedFollower (feed_follower.h) hands it each event once, in sequence
// order per partition, and commits the WriteSet it returns together with the
// consumer's cursor, so that the projection and the cursor never disagree.
//
//   class CaseDirectory : public feeds::EventConsumer {
//    public:
//     std::string name() const override { return "case-directory"; }
//     absl::StatusOr<storage::WriteSet> Apply(const Event& event) override {
//       storage::WriteSet set;
//       if (!event.has_case_registered()) return set;  // ignored
//       const Case& c = event.case_registered().case_();
//       set.PutRecord(event.partition(), "case_scope", c.case_id(), 1,
//                     ScopeOf(c));
//       return set;
//     }
//   };
#ifndef HOMEWARD_COMMON_FEEDS_EVENT_CONSUMER_H_
#define HOMEWARD_COMMON_FEEDS_EVENT_CONSUMER_H_

#include <string>

#include "absl/status/statusor.h"
#include "common/storage/write_set.h"
#include "homeward/v1/events.pb.h"

namespace homeward::feeds {

// A projection kept from another service's events.
class EventConsumer {
 public:
  virtual ~EventConsumer() = default;

  // Names the consumer's cursors in the local store (e.g. "case-directory").
  virtual std::string name() const = 0;

  // The change `event` makes to the projection, returned as a WriteSet that
  // the follower commits together with the cursor; an empty set for events
  // the consumer ignores. An error refuses the event (bad payload): the
  // follower logs it with partition and sequence, counts it, and retries it
  // with backoff; the partition does not advance past it.
  // Called from the follower's threads, one call at a time per producer
  // replica: with several producer replicas, calls may run concurrently.
  virtual absl::StatusOr<storage::WriteSet> Apply(
      const homeward::v1::Event& event) = 0;

  // Whether Apply reads the projection it writes (the local store). When it
  // does (the default, always safe), each event is committed before the next
  // one is handed over, so Apply sees the effect of every earlier event.
  // A consumer whose Apply depends on the event alone (it reads nothing, or
  // nothing that earlier events change, and its preconditions name distinct
  // records) may return false: the follower then puts several consecutive
  // events, of every partition of one producer replica, into one commit,
  // which keeps the lag low under load because commits share one WAL sync.
  virtual bool ReadsOwnProjection() const { return true; }

  // For a consumer that reads its own projection: whether Apply reads only
  // records of the event's own partition (e.g. the record of the event's
  // case). When it does, the follower applies the next event of each
  // partition of a stream together and commits them concurrently, one
  // commit per partition (the store syncs them as one group), instead of
  // one event after the other. Default false: safe for any reads.
  virtual bool ReadsOnlyEventPartition() const { return false; }

  // The events Apply acts on. The follower subscribes with this selection,
  // so the producer sends only these events, and in place of the others a
  // progress event (no payload) now and then, which the follower commits as
  // the cursor alone without calling Apply. Default: every event (another
  // consumer of the same feed may want more later, so a consumer names
  // what it needs). Apply must still ignore what it does not act on: a
  // producer may send more than asked.
  virtual homeward::v1::EventSelection Selection() const { return {}; }
};

}  // namespace homeward::feeds

#endif  // HOMEWARD_COMMON_FEEDS_EVENT_CONSUMER_H_
