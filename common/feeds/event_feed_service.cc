// Subscribe: replay then tail; see event_feed_service.h.
#include "common/feeds/event_feed_service.h"

#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "common/server/server_kit.h"
#include "common/status/errors.h"
#include "common/status/status_macros.h"

namespace homeward::feeds {
namespace {

// Events per partition per read: bounds memory while replaying long backlogs.
constexpr size_t kReadBatch = 256;
// How often a quiet stream checks whether its caller went away.
constexpr absl::Duration kIdleWait = absl::Milliseconds(200);

}  // namespace

absl::Status ValidateSubscribeRequest(
    const homeward::v1::SubscribeRequest& request,
    const storage::PartitionSet& owned) {
  errors::FieldViolations bad;
  if (request.cursors().empty()) {
    bad.Add("cursors", "must name at least one partition");
  }
  absl::flat_hash_set<uint32_t> seen;
  for (int i = 0; i < request.cursors_size(); ++i) {
    uint32_t p = request.cursors(i).partition();
    std::string field = absl::StrCat("cursors[", i, "].partition");
    if (!owned.Contains(p)) {
      bad.Add(field,
              absl::StrCat("partition ", p, " is not owned by this replica"));
    } else if (!seen.insert(p).second) {
      bad.Add(field, absl::StrCat("partition ", p, " is named more than once"));
    }
  }
  return bad.ToStatus();
}

grpc::Status EventFeedService::Subscribe(
    grpc::ServerContext* context, const homeward::v1::SubscribeRequest* request,
    grpc::ServerWriter<homeward::v1::Event>* writer) {
  return server::Finish(*context, "EventFeedService/Subscribe",
                        Stream(context, *request, writer));
}

absl::Status EventFeedService::Stream(
    grpc::ServerContext* context, const homeward::v1::SubscribeRequest& request,
    grpc::ServerWriter<homeward::v1::Event>* writer) {
  ASSIGN_OR_RETURN(homeward::internal::v1::Principal principal,
                   verifier_->Verify(*context));
  if (principal.role() != homeward::v1::ROLE_SERVICE) {
    return errors::PermissionDenied(
        "only Homeward services may subscribe to event feeds");
  }
  RETURN_IF_ERROR(ValidateSubscribeRequest(request, *owned_));
  std::vector<homeward::v1::PartitionCursor> cursors(request.cursors().begin(),
                                                     request.cursors().end());
  while (!context->IsCancelled()) {
    // Read the generation before reading events so that a commit landing in
    // between wakes the wait below instead of being missed.
    uint64_t generation = store_->CommitGeneration();
    bool backlog = false;
    for (auto& cursor : cursors) {
      ASSIGN_OR_RETURN(auto events,
                       store_->ReadEvents(cursor.partition(),
                                          cursor.after_sequence(), kReadBatch));
      for (const auto& event : events) {
        if (!writer->Write(event)) return absl::OkStatus();  // caller went away
        cursor.set_after_sequence(event.sequence());
      }
      backlog = backlog || events.size() == kReadBatch;
    }
    if (backlog) continue;
    if (request.replay_only()) return absl::OkStatus();
    store_->WaitForCommit(generation, kIdleWait);
  }
  return absl::OkStatus();
}

}  // namespace homeward::feeds
