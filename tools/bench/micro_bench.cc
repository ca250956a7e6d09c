// homeward-microbench: Google Benchmark micro-benchmarks of the storage
// kernel alone (no gRPC), to tell apart what a durable write costs in RocksDB
// from what the RPC path adds in homeward-bench:
//   - Store::Commit of a one-record WriteSet, WAL synced or not, from 1 and 8
//     threads (8 synced writers show whether they share fsyncs: group commit);
//   - Store::GetRecord of existing records, in a fresh store and in one grown
//     by 100,000 later records, with the record cache on and off.
//
//   homeward-microbench --benchmark_filter=Commit --benchmark_min_time=2
//
// Stores live in a temporary directory removed at exit (override the parent
// with $TMPDIR; put it on the disk you want to measure).
#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <map>
#include <memory>
#include <string>
#include <system_error>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "benchmark/benchmark.h"
#include "common/storage/store.h"
#include "common/storage/write_set.h"
#include "homeward/v1/cases.pb.h"
#include "tests/fixtures/case_fixtures.h"
#include "tests/fixtures/temp_dir.h"

namespace homeward::storage {
namespace {

constexpr uint32_t kPartitions = 64;
constexpr int kReadRecords = 1000;
constexpr int kGrowthRecords = 100000;

// The stores every benchmark shares, opened on first use. Benchmarks with
// several threads need one store for all of them, which a per-benchmark
// fixture would not give.
class Stores {
 public:
  static Stores& Get() {
    static Stores* const stores = new Stores();
    return *stores;
  }

  // nullptr (with the reason in *error) when the store cannot be opened.
  Store* Writable(bool sync, std::string* error) {
    absl::MutexLock lock(&mu_);
    std::unique_ptr<Store>& store = sync ? synced_ : unsynced_;
    if (store == nullptr) {
      store = OpenLocked(sync ? "synced" : "unsynced", sync,
                         Store::Options{}.record_cache_bytes, error);
    }
    return store.get();
  }

  // A store holding records "r0".."r999" of kind "case"; when `grown`, also
  // kGrowthRecords other cases written after them, as a store looks once it
  // has been in use (the records read are then in SST files, under a large
  // memtable), with flushes and compactions finished. `cached`: with the
  // store's default record cache, else with none.
  Store* Readable(bool grown, bool cached, std::string* error) {
    absl::MutexLock lock(&mu_);
    std::unique_ptr<Store>& readable = readable_[{grown, cached}];
    if (readable == nullptr) {
      std::unique_ptr<Store> store = OpenLocked(
          absl::StrCat(grown ? "grown" : "read", cached ? "-cached" : ""),
          false, cached ? Store::Options{}.record_cache_bytes : 0, error);
      if (store == nullptr) return nullptr;
      if (!WriteRecords(*store, "r", kReadRecords, error)) return nullptr;
      if (grown) {
        if (!WriteRecords(*store, "g", kGrowthRecords, error)) return nullptr;
        if (absl::Status s = store->WaitForBackgroundWork(absl::Minutes(2));
            !s.ok()) {
          *error = s.ToString();
          return nullptr;
        }
      }
      readable = std::move(store);
    }
    return readable.get();
  }

  // Closes the stores and removes their directory.
  void CloseAll() {
    absl::MutexLock lock(&mu_);
    synced_.reset();
    unsynced_.reset();
    readable_.clear();
    dir_.reset();
  }

  // A case-sized record (a registration's case, ~150 bytes serialized).
  static homeward::v1::Case Record(const std::string& id) {
    homeward::v1::Case c =
        testing::ValidRegistration("bench", "office-bench", "cm-bench").case_();
    c.set_case_id(id);
    return c;
  }

 private:
  // Writes records "<prefix>0".."<prefix><count - 1>", 100 per commit.
  static bool WriteRecords(Store& store, const std::string& prefix, int count,
                           std::string* error) {
    for (int first = 0; first < count; first += 100) {
      WriteSet set;
      for (int i = first; i < std::min(count, first + 100); ++i) {
        std::string id = absl::StrCat(prefix, i);
        set.PutRecord(i % kPartitions, "case", id, 1, Record(id));
      }
      absl::StatusOr<CommitResult> done = store.Commit(std::move(set));
      if (!done.ok()) {
        *error = done.status().ToString();
        return false;
      }
    }
    return true;
  }

  std::unique_ptr<Store> OpenLocked(const std::string& name, bool sync,
                                    size_t record_cache_bytes,
                                    std::string* error)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    if (dir_ == nullptr) dir_ = std::make_unique<testing::TempDir>();
    absl::StatusOr<std::unique_ptr<Store>> store =
        Store::Open({.path = absl::StrCat(dir_->path(), "/", name),
                     .sync_writes = sync,
                     .record_cache_bytes = record_cache_bytes});
    if (!store.ok()) {
      *error = store.status().ToString();
      return nullptr;
    }
    return *std::move(store);
  }

  absl::Mutex mu_;
  std::unique_ptr<testing::TempDir> dir_ ABSL_GUARDED_BY(mu_);
  std::unique_ptr<Store> synced_ ABSL_GUARDED_BY(mu_);
  std::unique_ptr<Store> unsynced_ ABSL_GUARDED_BY(mu_);
  // By (grown, cached).
  std::map<std::pair<bool, bool>, std::unique_ptr<Store>> readable_
      ABSL_GUARDED_BY(mu_);
};

// Unique record ids across threads and repetitions: a commit of an existing
// id would still write, but every iteration should insert like a new case.
std::atomic<uint64_t> next_id{0};

// Arg 0: 1 to sync the WAL before Commit returns (durable), 0 not to.
void BM_CommitOneRecord(benchmark::State& state) {
  const bool sync = state.range(0) != 0;
  std::string error;
  Store* store = Stores::Get().Writable(sync, &error);
  if (store == nullptr) {
    state.SkipWithError(error.c_str());
    return;
  }
  homeward::v1::Case record = Stores::Record("");
  for (auto _ : state) {
    const uint64_t n = next_id.fetch_add(1, std::memory_order_relaxed);
    std::string id = absl::StrCat("c", n);
    record.set_case_id(id);
    WriteSet set;
    set.PutRecord(n % kPartitions, "case", id, 1, record);
    absl::StatusOr<CommitResult> done = store->Commit(std::move(set));
    if (!done.ok()) {
      state.SkipWithError(done.status().ToString().c_str());
      break;
    }
  }
  state.SetItemsProcessed(state.iterations());
  state.SetLabel(sync ? "synced" : "unsynced");
}
BENCHMARK(BM_CommitOneRecord)
    ->ArgName("sync")
    ->Arg(0)
    ->Arg(1)
    ->Threads(1)
    ->Threads(8)
    ->UseRealTime();

// Args: grown (1: a grown store, see Stores::Readable), cache (1: with the
// record cache).
void BM_GetRecord(benchmark::State& state) {
  std::string error;
  Store* store =
      Stores::Get().Readable(state.range(0) != 0, state.range(1) != 0, &error);
  if (store == nullptr) {
    state.SkipWithError(error.c_str());
    return;
  }
  homeward::v1::Case out;
  uint64_t version = 0;
  uint64_t i = state.thread_index();
  for (auto _ : state) {
    const uint64_t n = i++ % kReadRecords;
    absl::StatusOr<bool> found = store->GetRecord(
        n % kPartitions, "case", absl::StrCat("r", n), &out, &version);
    if (!found.ok() || !*found) {
      state.SkipWithError("record missing");
      break;
    }
    benchmark::DoNotOptimize(out);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_GetRecord)
    ->ArgNames({"grown", "cache"})
    ->ArgsProduct({{0, 1}, {0, 1}})
    ->Threads(1)
    ->Threads(2)
    ->UseRealTime();

}  // namespace
}  // namespace homeward::storage

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  homeward::storage::Stores::Get().CloseAll();
  return 0;
}
