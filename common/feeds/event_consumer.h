// What the feed follower hands each event of a producer's feed to: a
// consumer turns the event into the change of its projection, and the
// follower commits that change together with the consumer's cursor, so an
// event's effect is applied exactly once.
//
//   class CaseDirectory : public feeds::EventConsumer {
//     std::string name() const override { return "case_directory"; }
//     absl::StatusOr<storage::WriteSet> Apply(const Event& e) override;
//   };
#ifndef HOMEWARD_COMMON_FEEDS_EVENT_CONSUMER_H_
#define HOMEWARD_COMMON_FEEDS_EVENT_CONSUMER_H_

#include <string>

#include "absl/status/statusor.h"
#include "common/storage/write_set.h"
#include "homeward/v1/events.pb.h"

namespace homeward::feeds {

class EventConsumer {
 public:
  virtual ~EventConsumer() = default;
  virtual std::string name() const = 0;  // names its cursors in the local store
  // The projection change `event` makes, committed by the follower together
  // with the cursor (WriteSet::PutCursor); empty set to ignore; an error
  // refuses the event (logged, counted, retried).
  virtual absl::StatusOr<storage::WriteSet> Apply(
      const homeward::v1::Event& event) = 0;
  // When false the follower may commit several consecutive events in one
  // WriteSet, so Apply must not depend on reading effects of earlier events.
  virtual bool ReadsOwnProjection() const { return true; }
};

}  // namespace homeward::feeds

#endif  // HOMEWARD_COMMON_FEEDS_EVENT_CONSUMER_H_
