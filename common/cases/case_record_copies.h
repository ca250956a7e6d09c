// Copies of another service's records of a case (its needs, protection
// concerns, referrals) that a feed consumer keeps from the events carrying
// them, so that it never reads the other service's store: one record per
// (case, record id), keyed "<case id>/<record id>" in the case's partition
// of the consumer's own store and listed under an index by case id. A
// copy's store version is the sequence of the event that last wrote it, so
// an event delivered again, or older than the copy, changes nothing.
//
//   const CaseRecordCopies concerns(store, "planning_case_concern",
//                                   "planning_concern_by_case");
//   RETURN_IF_ERROR(CheckEventCaseId(event, c.case_id(),
//                                    "protection_concern_changed.concern.case_id",
//                                    owned.count()));
//   RETURN_IF_ERROR(concerns.PutIfNewer(event, c.case_id(), c.concern_id(),
//                                       c, set));
//   ASSIGN_OR_RETURN(std::vector<ProtectionConcern> all,
//                    concerns.Read<ProtectionConcern>(partition, case_id));
#ifndef HOMEWARD_COMMON_CASES_CASE_RECORD_COPIES_H_
#define HOMEWARD_COMMON_CASES_CASE_RECORD_COPIES_H_

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/status/status_macros.h"
#include "common/storage/store.h"
#include "common/storage/write_set.h"
#include "google/protobuf/message.h"
#include "homeward/v1/events.pb.h"

namespace homeward::cases {

// A case id an event's payload names (`field` its path, for the error):
// required, and of the event's partition (out of `partition_count`).
// INVALID_ARGUMENT otherwise: the follower refuses the event.
absl::Status CheckEventCaseId(const homeward::v1::Event& event,
                              absl::string_view case_id,
                              absl::string_view field,
                              uint32_t partition_count);

class CaseRecordCopies {
 public:
  // `store` is the consumer's own; `kind` the record kind of the copies,
  // `by_case` the index listing them by case id. Not owned.
  CaseRecordCopies(const storage::Store* store, std::string kind,
                   std::string by_case)
      : store_(store), kind_(std::move(kind)), by_case_(std::move(by_case)) {}

  // Adds to `set` the copy of `record` (of case `case_id`, id `record_id`)
  // as `event` carries it, unless the stored copy was written by this event
  // or a later one (then nothing). Reads the stored copy's version.
  absl::Status PutIfNewer(const homeward::v1::Event& event,
                          absl::string_view case_id,
                          absl::string_view record_id,
                          const google::protobuf::Message& record,
                          storage::WriteSet& set) const;

  // Every copy of the case in `partition`, in index order.
  template <typename Record>
  absl::StatusOr<std::vector<Record>> Read(uint32_t partition,
                                           absl::string_view case_id) const {
    std::vector<Record> records;
    std::string token;
    do {
      ASSIGN_OR_RETURN(
          storage::IndexPage page,
          store_->ListIndex({partition}, by_case_, case_id, kPageSize, token));
      for (const storage::IndexEntry& entry : page.entries) {
        Record record;
        ASSIGN_OR_RETURN(
            bool found,
            store_->GetRecord(partition, kind_, entry.id, &record, nullptr));
        if (found) records.push_back(std::move(record));
      }
      token = std::move(page.next_page_token);
    } while (!token.empty());
    return records;
  }

  // The key of a copy: "<case id>/<record id>".
  static std::string CopyId(absl::string_view case_id,
                            absl::string_view record_id);

 private:
  static constexpr int kPageSize = 500;

  const storage::Store* store_;
  std::string kind_;
  std::string by_case_;
};

}  // namespace homeward::cases

#endif  // HOMEWARD_COMMON_CASES_CASE_RECORD_COPIES_H_
