// The step the assessment service's feed consumers share (plan_responses.h,
// referral_responses.h): the responder changes one event asks of a case's
// needs and protection concerns, planned into the WriteSet the feed
// follower commits with its cursor, one NeedStore change (with its event
// and audit entry) per record. An id that names no record of the case here
// is counted and skipped, and a record no longer open is counted and left
// alone, so that one bad id upstream never holds a partition's feed back.
//
//   ResponderChanges changes;
//   changes.needs[need_id].add.push_back(responder);
//   storage::WriteSet set;
//   RETURN_IF_ERROR(PlanResponderChanges(
//       *needs, FeedActor(event, "feed/referral"), event, case_id, changes,
//       "assessment_referral_responses", tally, set));
#ifndef HOMEWARD_SERVICES_ASSESSMENT_RESPONDER_CHANGES_H_
#define HOMEWARD_SERVICES_ASSESSMENT_RESPONDER_CHANGES_H_

#include <atomic>
#include <cstdint>
#include <map>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "common/service/actor.h"
#include "common/storage/write_set.h"
#include "homeward/v1/events.pb.h"
#include "services/assessment/need_store.h"

namespace homeward::assessment {

// Responder changes by record id, ordered so that a set is built the same
// way each time an event is applied.
using RecordResponderChanges =
    std::map<std::string, NeedStore::ResponderChange>;

struct ResponderChanges {
  RecordResponderChanges needs;
  RecordResponderChanges concerns;
};

// What a consumer skipped since start (see the header comment).
struct SkippedRecords {
  int64_t unknown = 0;   // ids naming no record of the case here
  int64_t not_open = 0;  // RESOLVED, NOT_APPLICABLE or SUPERSEDED records
};

// Counts what PlanResponderChanges skipped; thread-safe.
class SkippedTally {
 public:
  void Unknown() { unknown_.fetch_add(1, std::memory_order_relaxed); }
  void NotOpen() { not_open_.fetch_add(1, std::memory_order_relaxed); }
  SkippedRecords Read() const {
    return {unknown_.load(std::memory_order_relaxed),
            not_open_.load(std::memory_order_relaxed)};
  }

 private:
  std::atomic<int64_t> unknown_{0};
  std::atomic<int64_t> not_open_{0};
};

// The other service acting on the case's records: the user whose step
// emitted `event`, as ROLE_SERVICE, under `method` (e.g. "feed/planning").
service::Actor FeedActor(const homeward::v1::Event& event,
                         absl::string_view method);

// Adds to `set` the changes of the needs and concerns of `case_id` (in the
// event's partition) that `changes` lists. `consumer` names the consumer
// in the log line of an unknown id (identifiers only).
absl::Status PlanResponderChanges(const NeedStore& needs,
                                  const service::Actor& actor,
                                  const homeward::v1::Event& event,
                                  absl::string_view case_id,
                                  const ResponderChanges& changes,
                                  absl::string_view consumer,
                                  SkippedTally& tally, storage::WriteSet& set);

}  // namespace homeward::assessment

#endif  // HOMEWARD_SERVICES_ASSESSMENT_RESPONDER_CHANGES_H_
