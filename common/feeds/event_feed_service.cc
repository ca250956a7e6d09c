// Subscribe: replay then tail; see event_feed_service.h.
#include "common/feeds/event_feed_service.h"

#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "common/feeds/event_selection.h"
#include "common/server/log.h"
#include "common/server/server_kit.h"
#include "common/status/errors.h"
#include "common/status/status_macros.h"

namespace homeward::feeds {
namespace {

// Events per partition per read: bounds memory while replaying long backlogs.
constexpr size_t kReadBatch = 256;
// How often a quiet stream checks whether its caller went away.
constexpr absl::Duration kIdleWait = absl::Milliseconds(200);
// While the feed is busy, how long a subscriber's cursor may stay behind
// events its selection skipped: a progress event per partition at most this
// often, instead of one per skipped event (a quiet feed sends it at once).
constexpr absl::Duration kProgressInterval = absl::Seconds(1);

// Where the stream stands in one partition.
struct PartitionStream {
  homeward::v1::PartitionCursor cursor;  // the last event read
  // The last event skipped since the subscriber last heard of this
  // partition (0: none), and its commit time.
  uint64_t skipped_through = 0;
  google::protobuf::Timestamp skipped_time;
  absl::Time last_sent = absl::InfinitePast();
};

// Tells the subscriber that it has seen everything of `p` up to the events
// skipped; false when the caller went away.
bool SendProgress(PartitionStream& p, absl::Time now,
                  grpc::ServerWriter<homeward::v1::Event>* writer) {
  homeward::v1::Event progress;
  progress.set_partition(p.cursor.partition());
  progress.set_sequence(p.skipped_through);
  *progress.mutable_time() = p.skipped_time;
  p.skipped_through = 0;
  p.last_sent = now;
  return writer->Write(progress);
}

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
  const google::protobuf::Descriptor* event = homeward::v1::Event::descriptor();
  const google::protobuf::OneofDescriptor* payload =
      event->FindOneofByName("payload");
  for (int i = 0; i < request.selection().payloads_size(); ++i) {
    const int number = request.selection().payloads(i);
    const google::protobuf::FieldDescriptor* field =
        event->FindFieldByNumber(number);
    if (field == nullptr || field->containing_oneof() != payload) {
      bad.Add(
          absl::StrCat("selection.payloads[", i, "]"),
          absl::StrCat(number, " is not the field number of an Event payload"));
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
  const homeward::v1::EventSelection& selection = request.selection();
  const bool everything =
      selection.payloads().empty() && selection.activity_statuses().empty();
  std::vector<PartitionStream> partitions(request.cursors_size());
  for (int i = 0; i < request.cursors_size(); ++i) {
    partitions[i].cursor = request.cursors(i);
  }
  // Tells the subscriber of every partition whose skipped events it has not
  // heard of, or only of those not told for kProgressInterval.
  auto send_progress = [&](bool all) {
    const absl::Time now = absl::Now();
    for (PartitionStream& p : partitions) {
      if (p.skipped_through == 0) continue;
      if (!all && now - p.last_sent < kProgressInterval) continue;
      if (!SendProgress(p, now, writer)) return false;
    }
    return true;
  };
  while (!context->IsCancelled()) {
    // Read the generation before reading events so that a commit landing in
    // between wakes the wait below instead of being missed.
    uint64_t generation = store_->EventGeneration();
    bool backlog = false;
    for (PartitionStream& p : partitions) {
      homeward::v1::PartitionCursor& cursor = p.cursor;
      // A partition handed over to another replica (released): the
      // subscriber reconnects and finds its new owner.
      if (!owned_->Contains(cursor.partition())) {
        return errors::Unavailable(
            absl::StrCat("partition ", cursor.partition(),
                         " is no longer owned by this replica; subscribe to "
                         "its new owner"));
      }
      // Most commits touch a few partitions: seeking the others' outboxes
      // after every commit would cost more than the events sent.
      const uint64_t published = store_->PublishedSequence(cursor.partition());
      if (published != storage::Store::kUnknownSequence &&
          published <= cursor.after_sequence()) {
        continue;
      }
      ASSIGN_OR_RETURN(auto events,
                       store_->ReadEvents(cursor.partition(),
                                          cursor.after_sequence(), kReadBatch));
      for (auto& event : events) {
        // Sequences have two kinds of gaps: the trimmed range (the latest
        // event is always kept) and the jump of a restored store to its
        // sequence floor (its first new event is numbered the floor, above
        // anything handed out before the backup: storage/backup.h). So an
        // event past the next one that is not the floor means the events
        // after the cursor were trimmed: refused, never skipped.
        if (event.sequence() != cursor.after_sequence() + 1 &&
            event.sequence() != store_->sequence_floor()) {
          return errors::EventsTrimmed(
              cursor.partition(), cursor.after_sequence(), event.sequence());
        }
        cursor.set_after_sequence(event.sequence());
        if (!everything && !Selects(selection, event)) {
          p.skipped_through = event.sequence();
          p.skipped_time = event.time();
          continue;
        }
        if (!writer->Write(event)) return absl::OkStatus();  // caller went away
        p.skipped_through = 0;
        p.last_sent = absl::Now();
      }
      backlog = backlog || events.size() == kReadBatch;
    }
    if (!everything && !send_progress(/*all=*/false)) return absl::OkStatus();
    if (backlog) continue;
    if (request.replay_only()) {
      send_progress(/*all=*/true);
      return absl::OkStatus();
    }
    // A quiet feed tells of skipped events at once.
    if (store_->WaitForEvents(generation, kIdleWait) == generation &&
        !everything && !send_progress(/*all=*/true)) {
      return absl::OkStatus();
    }
  }
  return absl::OkStatus();
}

absl::Status EventFeedService::AllowRegistryCall(
    grpc::ServerContext& context) const {
  ASSIGN_OR_RETURN(homeward::internal::v1::Principal principal,
                   verifier_->Verify(context));
  if (principal.role() != homeward::v1::ROLE_SERVICE) {
    return errors::PermissionDenied(
        "only Homeward services may register feed consumers or list them");
  }
  if (registry_ == nullptr) {
    return errors::Unimplemented(
        "this replica keeps no registry of feed consumers");
  }
  return absl::OkStatus();
}

grpc::Status EventFeedService::RegisterConsumer(
    grpc::ServerContext* context,
    const homeward::v1::RegisterConsumerRequest* request,
    homeward::v1::RegisterConsumerResponse* /*response*/) {
  absl::Status status = AllowRegistryCall(*context);
  if (status.ok()) status = registry_->Register(*request, absl::Now());
  return server::Finish(*context, "EventFeedService/RegisterConsumer", status);
}

grpc::Status EventFeedService::ReportConsumerPositions(
    grpc::ServerContext* context,
    const homeward::v1::ReportConsumerPositionsRequest* request,
    homeward::v1::ReportConsumerPositionsResponse* /*response*/) {
  absl::Status status = AllowRegistryCall(*context);
  if (status.ok()) status = registry_->Report(*request, absl::Now());
  return server::Finish(*context, "EventFeedService/ReportConsumerPositions",
                        status);
}

grpc::Status EventFeedService::ListConsumers(
    grpc::ServerContext* context,
    const homeward::v1::ListConsumersRequest* /*request*/,
    homeward::v1::ListConsumersResponse* response) {
  absl::Status status = AllowRegistryCall(*context);
  if (status.ok()) {
    absl::StatusOr<homeward::v1::ListConsumersResponse> list =
        registry_->List(absl::Now());
    status = list.status();
    if (list.ok()) *response = *std::move(list);
  }
  return server::Finish(*context, "EventFeedService/ListConsumers", status);
}

grpc::Status EventFeedService::UnregisterConsumer(
    grpc::ServerContext* context,
    const homeward::v1::UnregisterConsumerRequest* request,
    homeward::v1::UnregisterConsumerResponse* response) {
  absl::Status status = AllowRegistryCall(*context);
  if (status.ok()) {
    absl::StatusOr<homeward::v1::UnregisterConsumerResponse> removed =
        registry_->Unregister(*request);
    status = removed.status();
    if (removed.ok()) {
      *response = *std::move(removed);
      server::Log("info", "feed consumer unregistered",
                  {{"consumer", request->consumer()},
                   {"partitions", absl::StrCat(response->partitions_size())}});
    }
  }
  return server::Finish(*context, "EventFeedService/UnregisterConsumer",
                        status);
}

}  // namespace homeward::feeds
