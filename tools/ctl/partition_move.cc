// Moving partitions between replicas; see partition_move.h.
#include "tools/ctl/partition_move.h"

#include <algorithm>
#include <map>
#include <memory>
#include <set>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "common/status/errors.h"
#include "common/status/grpc_status.h"
#include "common/storage/partitions.h"
#include "homeward/internal/v1/operations.grpc.pb.h"

namespace homeward::ctl {
namespace {

namespace iv1 = ::homeward::internal::v1;

// A single replica call's deadline; the copy's stream has its own, longer.
constexpr absl::Duration kStepDeadline = absl::Seconds(60);
constexpr absl::Duration kCopyDeadline = absl::Hours(2);

// "3, 7..9" for the summary.
std::string Describe(const std::vector<uint32_t>& sorted) {
  std::vector<std::string> parts;
  for (size_t i = 0; i < sorted.size();) {
    size_t j = i;
    while (j + 1 < sorted.size() && sorted[j + 1] == sorted[j] + 1) ++j;
    parts.push_back(j == i ? absl::StrCat(sorted[i])
                           : absl::StrCat(sorted[i], "-", sorted[j]));
    i = j + 1;
  }
  return absl::StrJoin(parts, ",");
}

int RouteIndexOf(const iv1::RouteMap& map, absl::string_view service) {
  for (int i = 0; i < map.routes_size(); ++i) {
    if (map.routes(i).service() == service) return i;
  }
  return -1;
}

iv1::PartitionsRequest RequestFor(const std::vector<uint32_t>& partitions) {
  iv1::PartitionsRequest request;
  for (uint32_t p : partitions) request.add_partitions(p);
  return request;
}

// The replica calls of one move, each with a signed administrator
// principal; errors name the step and the replica.
class ReplicaCalls {
 public:
  explicit ReplicaCalls(CtlContext& ctl) : ctl_(ctl) {}

  absl::StatusOr<iv1::PartitionMoveService::Stub*> StubOf(
      const std::string& address) {
    auto it = stubs_.find(address);
    if (it != stubs_.end()) return it->second.get();
    absl::StatusOr<std::shared_ptr<grpc::Channel>> channel =
        ctl_.DialReplica(address);
    if (!channel.ok()) return channel.status();
    auto stub = iv1::PartitionMoveService::NewStub(*channel);
    auto* raw = stub.get();
    stubs_.emplace(address, std::move(stub));
    return raw;
  }

  // One unary step (Fence, Unfence, Adopt, Release, GetPartitionState).
  template <typename Request, typename Call>
  absl::StatusOr<iv1::PartitionState> Step(absl::string_view step,
                                           const std::string& address,
                                           const Request& request, Call call) {
    absl::StatusOr<iv1::PartitionMoveService::Stub*> stub = StubOf(address);
    if (!stub.ok()) return stub.status();
    grpc::ClientContext context;
    if (absl::Status s = ctl_.PrepareReplicaCall(context, kStepDeadline);
        !s.ok()) {
      return s;
    }
    iv1::PartitionState state;
    grpc::Status status = ((*stub)->*call)(&context, request, &state);
    if (!status.ok()) return Named(step, address, FromGrpcStatus(status));
    return state;
  }

  absl::StatusOr<iv1::PartitionState> Fence(const std::string& a,
                                            const std::vector<uint32_t>& p) {
    return Step("fence", a, RequestFor(p),
                &iv1::PartitionMoveService::Stub::FencePartitions);
  }
  absl::StatusOr<iv1::PartitionState> Unfence(const std::string& a,
                                              const std::vector<uint32_t>& p) {
    return Step("unfence", a, RequestFor(p),
                &iv1::PartitionMoveService::Stub::UnfencePartitions);
  }
  absl::StatusOr<iv1::PartitionState> Adopt(const std::string& a,
                                            const std::vector<uint32_t>& p) {
    return Step("adopt", a, RequestFor(p),
                &iv1::PartitionMoveService::Stub::AdoptPartitions);
  }
  absl::StatusOr<iv1::PartitionState> Release(const std::string& a,
                                              const std::vector<uint32_t>& p) {
    return Step("release", a, RequestFor(p),
                &iv1::PartitionMoveService::Stub::ReleasePartitions);
  }
  absl::StatusOr<iv1::PartitionState> State(const std::string& a) {
    return Step("state", a, iv1::GetPartitionStateRequest(),
                &iv1::PartitionMoveService::Stub::GetPartitionState);
  }

  // Export from `source` piped chunk by chunk into an import on `target`;
  // the keys the target reports written must be the keys the source sent.
  absl::StatusOr<uint64_t> Copy(const std::string& source,
                                const std::string& target,
                                const std::vector<uint32_t>& partitions,
                                Progress& progress) {
    absl::StatusOr<iv1::PartitionMoveService::Stub*> from = StubOf(source);
    if (!from.ok()) return from.status();
    absl::StatusOr<iv1::PartitionMoveService::Stub*> to = StubOf(target);
    if (!to.ok()) return to.status();
    grpc::ClientContext export_context, import_context;
    if (absl::Status s = ctl_.PrepareReplicaCall(export_context, kCopyDeadline);
        !s.ok()) {
      return s;
    }
    if (absl::Status s = ctl_.PrepareReplicaCall(import_context, kCopyDeadline);
        !s.ok()) {
      return s;
    }
    iv1::PartitionState imported;
    std::unique_ptr<grpc::ClientWriter<iv1::PartitionChunk>> writer =
        (*to)->ImportPartitions(&import_context, &imported);
    std::unique_ptr<grpc::ClientReader<iv1::PartitionChunk>> reader =
        (*from)->ExportPartitions(&export_context, RequestFor(partitions));
    iv1::PartitionChunk chunk;
    uint64_t sent = 0, announced = 0;
    bool writable = true, saw_last = false;
    std::set<uint32_t> seen;
    while (reader->Read(&chunk)) {
      if (seen.insert(chunk.partition()).second && seen.size() > 1) {
        progress.Advance(1);  // the previous partition is through
      }
      sent += static_cast<uint64_t>(chunk.keys_size());
      if (chunk.last()) {
        saw_last = true;
        announced = chunk.total_keys();
      }
      if (writable && !writer->Write(chunk)) writable = false;
      if (!writable) break;
    }
    if (!writable) export_context.TryCancel();
    grpc::Status exported = reader->Finish();
    writer->WritesDone();
    grpc::Status import_status = writer->Finish();
    // The side that failed first: a refused import cancels the export; a
    // failed export leaves the import short of its last chunk.
    if (!writable && !import_status.ok()) {
      return Named("copy (import)", target, FromGrpcStatus(import_status));
    }
    if (!exported.ok()) {
      return Named("copy (export)", source, FromGrpcStatus(exported));
    }
    if (!import_status.ok()) {
      return Named("copy (import)", target, FromGrpcStatus(import_status));
    }
    if (!saw_last || announced != sent || imported.imported_keys() != sent) {
      return errors::Internal(absl::StrCat(
          "copy from ", source, " to ", target, " is incomplete: the source ",
          "announced ", announced, " keys, sent ", sent, ", the target wrote ",
          imported.imported_keys()));
    }
    progress.Advance(1);
    return sent;
  }

 private:
  static absl::Status Named(absl::string_view step, const std::string& address,
                            const absl::Status& status) {
    return absl::Status(status.code(), absl::StrCat(step, " on ", address, ": ",
                                                    status.message()));
  }

  CtlContext& ctl_;
  std::map<std::string, std::unique_ptr<iv1::PartitionMoveService::Stub>>
      stubs_;
};

bool OwnsAll(const iv1::PartitionState& state, uint32_t count,
             const std::vector<uint32_t>& partitions) {
  absl::StatusOr<storage::PartitionSet> owned =
      storage::PartitionSet::FromRanges(state.owned(), count);
  if (!owned.ok()) return false;
  // An empty list reads as "all" for a replica's config, but a replica
  // owning nothing reports nothing: only a non-empty list can own.
  if (state.owned().empty()) return false;
  for (uint32_t p : partitions) {
    if (!owned->Contains(p)) return false;
  }
  return true;
}

}  // namespace

absl::StatusOr<std::vector<uint32_t>> ParsePartitionList(absl::string_view text,
                                                         uint32_t count) {
  constexpr char kField[] = "--partitions";
  std::set<uint32_t> partitions;
  if (text.empty()) {
    return errors::InvalidField(kField, "is required, e.g. 3,7-9");
  }
  for (absl::string_view item : absl::StrSplit(text, ',')) {
    std::pair<absl::string_view, absl::string_view> range =
        absl::StrSplit(item, absl::MaxSplits('-', 1));
    uint32_t first = 0, last = 0;
    const bool is_range = item.find('-') != absl::string_view::npos;
    if ((is_range && range.second.empty()) ||
        !absl::SimpleAtoi(range.first, &first) ||
        !absl::SimpleAtoi(range.second.empty() ? range.first : range.second,
                          &last) ||
        first > last || last >= count) {
      return errors::InvalidField(
          kField, absl::StrCat("'", item,
                               "' is not a partition or range of partitions "
                               "(N or N-M with N <= M < ",
                               count, ")"));
    }
    for (uint32_t p = first; p <= last; ++p) partitions.insert(p);
  }
  return std::vector<uint32_t>(partitions.begin(), partitions.end());
}

absl::StatusOr<iv1::RouteMap> MovedRouteMap(const iv1::RouteMap& map,
                                            uint32_t partition_count,
                                            const MoveRequest& request) {
  absl::StatusOr<routing::RouteTable> table = routing::RouteTable::Create(
      map.routes(), partition_count, request.service);
  if (!table.ok()) return table.status();
  const int index = RouteIndexOf(map, request.service);
  std::vector<size_t> owner(table->partition_count());
  for (uint32_t p = 0; p < table->partition_count(); ++p) {
    owner[p] = table->ReplicaOfPartition(p);
  }
  std::vector<std::string> addresses = table->addresses();
  auto target = std::find(addresses.begin(), addresses.end(), request.target);
  const size_t to = static_cast<size_t>(target - addresses.begin());
  if (target == addresses.end()) addresses.push_back(request.target);
  std::vector<uint32_t> already;
  for (uint32_t p : request.partitions) {
    if (p >= owner.size()) {
      return errors::InvalidField(
          "--partitions",
          absl::StrCat("partition ", p, " is not below ", owner.size()));
    }
    if (owner[p] == to) already.push_back(p);
    owner[p] = to;
  }
  if (!already.empty()) {
    return errors::InvalidField(
        "--partitions", absl::StrCat("partitions ", Describe(already),
                                     " already belong to ", request.target));
  }
  iv1::RouteMap moved = map;
  moved.set_generation(map.generation() + 1);
  iv1::ServiceRoute* route = moved.mutable_routes(index);
  // Keep each replica's other settings; rewrite what it owns as ranges.
  while (static_cast<size_t>(route->replicas_size()) < addresses.size()) {
    const size_t next = static_cast<size_t>(route->replicas_size());
    route->add_replicas()->set_address(addresses[next]);
  }
  for (size_t r = 0; r < addresses.size(); ++r) {
    iv1::ReplicaConfig* replica = route->mutable_replicas(static_cast<int>(r));
    replica->clear_partitions();
    for (uint32_t p = 0; p < owner.size();) {
      if (owner[p] != r) {
        ++p;
        continue;
      }
      uint32_t q = p;
      while (q + 1 < owner.size() && owner[q + 1] == r) ++q;
      iv1::PartitionRange* range = replica->add_partitions();
      range->set_first(p);
      range->set_last(q);
      p = q + 1;
    }
  }
  // A replica left owning nothing stays listed (with no partitions): it
  // still serves broadcasts and reads; remove it from the map by hand once
  // it is retired.
  absl::StatusOr<routing::RouteTable> check = routing::RouteTable::Create(
      moved.routes(), partition_count, request.service);
  if (!check.ok()) return check.status();
  return moved;
}

absl::StatusOr<std::vector<MoveSource>> SourcesOf(const iv1::RouteMap& map,
                                                  uint32_t partition_count,
                                                  const MoveRequest& request) {
  absl::StatusOr<routing::RouteTable> table = routing::RouteTable::Create(
      map.routes(), partition_count, request.service);
  if (!table.ok()) return table.status();
  std::vector<MoveSource> sources(table->replica_count());
  for (size_t r = 0; r < sources.size(); ++r) {
    sources[r].address = table->address(r);
  }
  for (uint32_t p : request.partitions) {
    if (p >= table->partition_count()) continue;
    sources[table->ReplicaOfPartition(p)].partitions.push_back(p);
  }
  std::vector<MoveSource> out;
  for (MoveSource& s : sources) {
    if (!s.partitions.empty() && s.address != request.target) {
      out.push_back(std::move(s));
    }
  }
  return out;
}

absl::Status MovePartitions(CtlContext& ctl, const MoveRequest& request,
                            MoveReport* report) {
  const uint32_t count = ctl.partition_count();
  const std::string& file = ctl.routes_file();
  if (file.empty()) {
    return errors::InvalidField(
        "--routes_file",
        "is required: a move rewrites the deployment's route map file");
  }
  // The file as it is now (not only as the tool was started with it).
  absl::StatusOr<iv1::RouteMap> before = routing::ReadRouteMap(file);
  if (!before.ok()) return before.status();
  auto add = [&](std::string step, std::string replica, std::string detail,
                 std::string outcome) {
    report->steps.push_back({std::move(step), std::move(replica),
                             std::move(detail), std::move(outcome)});
  };
  ReplicaCalls calls(ctl);
  const std::string wanted = Describe(request.partitions);

  // Run again after the route map was switched (the release failed or the
  // tool was stopped): only the release is left.
  {
    absl::StatusOr<routing::RouteTable> now =
        routing::RouteTable::Create(before->routes(), count, request.service);
    if (!now.ok()) return now.status();
    bool all_on_target = true;
    for (uint32_t p : request.partitions) {
      if (p >= now->partition_count() ||
          now->address(now->ReplicaOfPartition(p)) != request.target) {
        all_on_target = false;
      }
    }
    if (all_on_target) {
      add("switch", file, absl::StrCat("generation ", before->generation()),
          "skipped: the route map already routes them to the target");
      if (request.dry_run) return absl::OkStatus();
      for (size_t r = 0; r < now->replica_count(); ++r) {
        if (now->address(r) == request.target) continue;
        absl::StatusOr<iv1::PartitionState> state =
            calls.State(now->address(r));
        if (!state.ok()) return state.status();
        std::vector<uint32_t> left;
        absl::StatusOr<storage::PartitionSet> owned =
            storage::PartitionSet::FromRanges(state->owned(), count);
        for (uint32_t p : request.partitions) {
          if (!state->owned().empty() && owned.ok() && owned->Contains(p)) {
            left.push_back(p);
          }
        }
        if (left.empty()) continue;
        // Release refuses an unfenced partition; fencing is idempotent.
        if (auto s = calls.Fence(now->address(r), left); !s.ok()) {
          add("fence", now->address(r), Describe(left),
              absl::StrCat("failed: ", s.status().message()));
          return s.status();
        }
        absl::StatusOr<iv1::PartitionState> released =
            calls.Release(now->address(r), left);
        add("release", now->address(r), Describe(left),
            released.ok()
                ? "done"
                : absl::StrCat("failed: ", released.status().message()));
        if (!released.ok()) return released.status();
      }
      return absl::OkStatus();
    }
  }

  absl::StatusOr<iv1::RouteMap> after = MovedRouteMap(*before, count, request);
  if (!after.ok()) return after.status();
  absl::StatusOr<std::vector<MoveSource>> sources =
      SourcesOf(*before, count, request);
  if (!sources.ok()) return sources.status();
  if (request.dry_run) {
    for (const MoveSource& s : *sources) {
      add("fence", s.address, Describe(s.partitions), "planned");
      add("copy", s.address + " -> " + request.target, Describe(s.partitions),
          "planned");
    }
    add("adopt", request.target, wanted, "planned");
    add("switch", file, absl::StrCat("generation ", after->generation()),
        "planned");
    for (const MoveSource& s : *sources) {
      add("release", s.address, Describe(s.partitions), "planned");
    }
    return absl::OkStatus();
  }

  // Undo, for a failure before the route map is rewritten: the target
  // forgets what it imported (adopt + fence + release: release is the one
  // step that deletes keys, and it takes only owned, fenced partitions),
  // then the sources are unfenced and keep owning everything.
  bool target_touched = false;
  std::vector<const MoveSource*> fenced;
  auto undo = [&](const absl::Status& cause) {
    if (target_touched) {
      absl::Status s = calls.Adopt(request.target, request.partitions).status();
      if (s.ok()) s = calls.Fence(request.target, request.partitions).status();
      if (s.ok()) {
        s = calls.Release(request.target, request.partitions).status();
      }
      add("forget", request.target, wanted,
          s.ok() ? "undone" : absl::StrCat("failed: ", s.message()));
    }
    for (const MoveSource* source : fenced) {
      absl::Status s =
          calls.Unfence(source->address, source->partitions).status();
      add("unfence", source->address, Describe(source->partitions),
          s.ok() ? "undone" : absl::StrCat("failed: ", s.message()));
    }
    return cause;
  };

  // 1. Fence: from here the sources refuse writes to the partitions
  // (UNAVAILABLE, retried by clients); reads go on.
  for (const MoveSource& s : *sources) {
    absl::StatusOr<iv1::PartitionState> state =
        calls.Fence(s.address, s.partitions);
    if (!state.ok()) {
      add("fence", s.address, Describe(s.partitions),
          absl::StrCat("failed: ", state.status().message()));
      return undo(state.status());
    }
    fenced.push_back(&s);
    add("fence", s.address, Describe(s.partitions), "done");
  }

  // 2. Copy. A target that still holds keys of an interrupted earlier run
  // refuses the import: it forgets them (the sources have been fenced
  // since, so the copy made now is complete) and the import is tried again.
  absl::StatusOr<iv1::PartitionState> target_state =
      calls.State(request.target);
  if (!target_state.ok()) return undo(target_state.status());
  if (OwnsAll(*target_state, count, request.partitions)) {
    // Adopted by an earlier run whose route switch did not happen.
    target_touched = true;
    absl::Status s = calls.Fence(request.target, request.partitions).status();
    if (s.ok()) {
      s = calls.Release(request.target, request.partitions).status();
    }
    add("forget", request.target, wanted,
        s.ok() ? "done (left by an earlier run)"
               : absl::StrCat("failed: ", s.message()));
    if (!s.ok()) return undo(s);
  }
  std::unique_ptr<Progress> progress = ctl.StartProgress(
      absl::StrCat("copying partitions ", wanted, " to ", request.target),
      request.partitions.size());
  for (const MoveSource& s : *sources) {
    target_touched = true;
    absl::StatusOr<uint64_t> copied =
        calls.Copy(s.address, request.target, s.partitions, *progress);
    if (!copied.ok() &&
        copied.status().code() == absl::StatusCode::kFailedPrecondition &&
        absl::StartsWith(copied.status().message(), "copy (import)")) {
      // Keys left by an interrupted run: forget them and copy again.
      absl::Status forget = calls.Adopt(request.target, s.partitions).status();
      if (forget.ok()) {
        forget = calls.Fence(request.target, s.partitions).status();
      }
      if (forget.ok()) {
        forget = calls.Release(request.target, s.partitions).status();
      }
      if (forget.ok()) {
        copied = calls.Copy(s.address, request.target, s.partitions, *progress);
      }
    }
    if (!copied.ok()) {
      progress->Finish();
      add("copy", s.address + " -> " + request.target, Describe(s.partitions),
          absl::StrCat("failed: ", copied.status().message()));
      return undo(copied.status());
    }
    report->keys_copied += *copied;
    add("copy", s.address + " -> " + request.target, Describe(s.partitions),
        absl::StrCat("done (", *copied, " keys)"));
  }
  progress->Finish();

  // 3. Adopt: the target owns, serves and follows them (nothing routes
  // there yet).
  if (auto s = calls.Adopt(request.target, request.partitions); !s.ok()) {
    add("adopt", request.target, wanted,
        absl::StrCat("failed: ", s.status().message()));
    return undo(s.status());
  } else {
    add("adopt", request.target, wanted, "done");
  }

  // 4. Switch: the route map file, generation + 1, unless someone changed
  // it meanwhile (then the move is undone: the new map was computed from
  // the old one).
  absl::StatusOr<iv1::RouteMap> again = routing::ReadRouteMap(file);
  if (!again.ok()) return undo(again.status());
  if (again->generation() != before->generation()) {
    add("switch", file, absl::StrCat("generation ", again->generation()),
        "failed: changed by someone else during the move");
    return undo(errors::ConcurrentChange(
        absl::StrCat("the route map file '", file, "' went from generation ",
                     before->generation(), " to ", again->generation(),
                     " during the move; the move was undone, run it again")));
  }
  if (absl::Status s = routing::WriteRouteMap(file, *after); !s.ok()) {
    add("switch", file, absl::StrCat("generation ", after->generation()),
        absl::StrCat("failed: ", s.message()));
    return undo(s);
  }
  report->generation = after->generation();
  add("switch", file, absl::StrCat("generation ", after->generation()), "done");

  // 5. Wait until the switch is in force: the target must still own them
  // (a restart in between would show), and every watcher must have looked
  // at the file (each looks once per interval). Writes meanwhile are still
  // refused by the fenced source, so nothing is lost while a process
  // routes by the old map: its callers retry.
  absl::StatusOr<iv1::PartitionState> adopted = calls.State(request.target);
  if (!adopted.ok() || !OwnsAll(*adopted, count, request.partitions)) {
    add("wait", request.target, wanted,
        "failed: the target does not report owning them");
    return adopted.ok()
               ? errors::FailedPrecondition(
                     "PARTITION_NOT_ADOPTED", request.target,
                     "the target does not report owning the partitions after "
                     "the switch: check it, then run the move again")
               : adopted.status();
  }
  absl::SleepFor(request.switch_wait);
  add("wait", "", absl::StrCat(absl::FormatDuration(request.switch_wait)),
      "done");

  // 6. Release: the sources stop owning and following them and delete their
  // keys. A failure here leaves the new routes in force; a re-run releases.
  absl::Status result;
  for (const MoveSource& s : *sources) {
    absl::StatusOr<iv1::PartitionState> released =
        calls.Release(s.address, s.partitions);
    add("release", s.address, Describe(s.partitions),
        released.ok() ? "done"
                      : absl::StrCat("failed: ", released.status().message(),
                                     " (run the same move again to release)"));
    if (!released.ok() && result.ok()) result = released.status();
  }
  return result;
}

absl::StatusOr<std::vector<PlannedMove>> PlanResize(
    const routing::RouteTable& table,
    const std::vector<std::string>& addresses) {
  if (addresses.empty()) {
    return errors::InvalidField("--replicas", "must name at least one replica");
  }
  std::set<std::string> unique(addresses.begin(), addresses.end());
  if (unique.size() != addresses.size()) {
    return errors::InvalidField("--replicas", "names a replica twice");
  }
  const uint32_t count = table.partition_count();
  const size_t m = addresses.size();
  // What each replica of the new set keeps today.
  std::vector<std::vector<uint32_t>> holds(m);
  for (uint32_t p = 0; p < count; ++p) {
    const std::string& now = table.address(table.ReplicaOfPartition(p));
    auto it = std::find(addresses.begin(), addresses.end(), now);
    if (it != addresses.end()) holds[it - addresses.begin()].push_back(p);
  }
  // Shares: the replicas holding most get the larger shares, so fewer move.
  std::vector<size_t> order(m);
  for (size_t i = 0; i < m; ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    return holds[a].size() > holds[b].size();
  });
  std::vector<size_t> share(m, count / m);
  for (size_t i = 0; i < count % m; ++i) ++share[order[i]];
  // Over their share: the highest partitions go (keeping ranges low and
  // contiguous where they were); a removed replica's all go.
  std::vector<uint32_t> free;
  for (size_t r = 0; r < m; ++r) {
    while (holds[r].size() > share[r]) {
      free.push_back(holds[r].back());
      holds[r].pop_back();
    }
  }
  for (uint32_t p = 0; p < count; ++p) {
    const std::string& now = table.address(table.ReplicaOfPartition(p));
    if (std::find(addresses.begin(), addresses.end(), now) == addresses.end()) {
      free.push_back(p);
    }
  }
  std::sort(free.begin(), free.end());
  std::vector<PlannedMove> plan;
  size_t next = 0;
  for (size_t r = 0; r < m; ++r) {
    while (holds[r].size() < share[r] && next < free.size()) {
      const uint32_t p = free[next++];
      holds[r].push_back(p);
      plan.push_back(
          {p, table.address(table.ReplicaOfPartition(p)), addresses[r]});
    }
  }
  std::sort(plan.begin(), plan.end(),
            [](const PlannedMove& a, const PlannedMove& b) {
              return a.partition < b.partition;
            });
  return plan;
}

}  // namespace homeward::ctl
