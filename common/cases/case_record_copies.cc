// Copies of another service's case records; see case_record_copies.h.
#include "common/cases/case_record_copies.h"

#include <memory>

#include "absl/strings/str_cat.h"
#include "common/status/errors.h"
#include "common/storage/partitions.h"

namespace homeward::cases {

absl::Status CheckEventCaseId(const homeward::v1::Event& event,
                              absl::string_view case_id,
                              absl::string_view field,
                              uint32_t partition_count) {
  if (case_id.empty()) {
    return errors::InvalidField(field, "is required in this event");
  }
  if (storage::PartitionOf(case_id, partition_count) != event.partition()) {
    return errors::InvalidField(
        field, absl::StrCat("must be a case of the event's partition ",
                            event.partition()));
  }
  return absl::OkStatus();
}

std::string CaseRecordCopies::CopyId(absl::string_view case_id,
                                     absl::string_view record_id) {
  return absl::StrCat(case_id, "/", record_id);
}

absl::Status CaseRecordCopies::PutIfNewer(
    const homeward::v1::Event& event, absl::string_view case_id,
    absl::string_view record_id, const google::protobuf::Message& record,
    storage::WriteSet& set) const {
  const std::string id = CopyId(case_id, record_id);
  std::unique_ptr<google::protobuf::Message> stored(record.New());
  uint64_t applied = 0;
  ASSIGN_OR_RETURN(bool found, store_->GetRecord(event.partition(), kind_, id,
                                                 stored.get(), &applied));
  if (found && applied >= event.sequence()) return absl::OkStatus();
  set.PutRecord(event.partition(), kind_, id, event.sequence(), record)
      .PutIndex(event.partition(), by_case_, case_id, id);
  return absl::OkStatus();
}

}  // namespace homeward::cases
