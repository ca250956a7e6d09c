// The current time as a google.protobuf.Timestamp, for the create, update and
// event times every store stamps on what it writes.
//
//   *record.mutable_create_time() = storage::NowTimestamp();
#ifndef HOMEWARD_COMMON_STORAGE_CLOCK_H_
#define HOMEWARD_COMMON_STORAGE_CLOCK_H_

#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "google/protobuf/timestamp.pb.h"
#include "google/protobuf/util/time_util.h"

namespace homeward::storage {

inline google::protobuf::Timestamp NowTimestamp() {
  return google::protobuf::util::TimeUtil::NanosecondsToTimestamp(
      absl::ToUnixNanos(absl::Now()));
}

}  // namespace homeward::storage

#endif  // HOMEWARD_COMMON_STORAGE_CLOCK_H_
