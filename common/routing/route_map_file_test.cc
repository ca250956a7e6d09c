// The route map file: atomic writes, validation at load, and the watcher
// switching to a higher generation while ignoring bad or stale files.
#include "common/routing/route_map_file.h"

#include <filesystem>
#include <fstream>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "common/status/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/fixtures/temp_dir.h"

namespace homeward::routing {
namespace {

using homeward::internal::v1::RouteMap;
using homeward::testing::StatusIs;

constexpr uint32_t kPartitions = 8;
constexpr absl::Duration kInterval = absl::Milliseconds(20);
// Generous: the machine is loaded; only liveness is checked.
constexpr absl::Duration kPatience = absl::Seconds(20);

// Assessment on two replicas: the first owns partitions [0, split), the
// second the rest.
RouteMap TwoReplicas(uint64_t generation, uint32_t split) {
  RouteMap map;
  map.set_generation(generation);
  auto* route = map.add_routes();
  route->set_service("assessment");
  auto* a = route->add_replicas();
  a->set_address("127.0.0.1:1001");
  auto* b = route->add_replicas();
  b->set_address("127.0.0.1:1002");
  if (split > 0) {
    auto* range = a->add_partitions();
    range->set_first(0);
    range->set_last(split - 1);
  }
  if (split < kPartitions) {
    auto* range = b->add_partitions();
    range->set_first(split);
    range->set_last(kPartitions - 1);
  }
  return map;
}

void WriteText(const std::string& path, const std::string& text) {
  const std::string tmp = path + ".t";
  std::ofstream(tmp) << text;
  std::filesystem::rename(tmp, path);
}

// Records what the watcher reports.
class Recorder {
 public:
  void Add(const RouteMap& map) {
    absl::MutexLock lock(&mu_);
    seen_.push_back(map.generation());
  }
  std::vector<uint64_t> seen() {
    absl::MutexLock lock(&mu_);
    return seen_;
  }
  bool WaitFor(uint64_t generation) {
    absl::MutexLock lock(&mu_);
    auto reached = [&] {
      mu_.AssertHeld();
      return !seen_.empty() && seen_.back() >= generation;
    };
    return mu_.AwaitWithTimeout(absl::Condition(&reached), kPatience);
  }

 private:
  absl::Mutex mu_;
  std::vector<uint64_t> seen_;
};

TEST(RouteMapFileTest, WriteThenReadRoundTripsAndLeavesNoTemporaryFile) {
  testing::TempDir dir;
  const std::string path = dir.path() + "/routes.textproto";
  ASSERT_OK(WriteRouteMap(path, TwoReplicas(7, 3)));
  absl::StatusOr<RouteMap> read = ReadRouteMap(path);
  ASSERT_OK(read);
  EXPECT_EQ(read->generation(), 7u);
  EXPECT_EQ(read->DebugString(), TwoReplicas(7, 3).DebugString());
  int files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir.path())) {
    (void)entry;
    ++files;
  }
  EXPECT_EQ(files, 1);
}

TEST(RouteMapFileTest, ReadReportsMissingAndMalformedFiles) {
  testing::TempDir dir;
  EXPECT_THAT(ReadRouteMap(dir.path() + "/absent"),
              StatusIs(absl::StatusCode::kNotFound));
  WriteText(dir.path() + "/bad", "generation: \"seven\"\n");
  EXPECT_THAT(ReadRouteMap(dir.path() + "/bad"),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(RouteMapFileTest, LoadRefusesAPartitionWithTwoOwners) {
  testing::TempDir dir;
  const std::string path = dir.path() + "/routes";
  RouteMap map = TwoReplicas(1, 4);
  auto* extra = map.mutable_routes(0)->mutable_replicas(0)->add_partitions();
  extra->set_first(5);
  extra->set_last(5);  // also owned by the second replica
  ASSERT_OK(WriteRouteMap(path, map));
  EXPECT_THAT(RouteMapFile::Load(path, kPartitions, kInterval),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(RouteMapFile::Load(dir.path() + "/absent", kPartitions),
              StatusIs(absl::StatusCode::kNotFound));
}

TEST(RouteMapFileTest, SwitchesToAHigherGenerationAndCallsBack) {
  testing::TempDir dir;
  const std::string path = dir.path() + "/routes";
  ASSERT_OK(WriteRouteMap(path, TwoReplicas(1, 4)));
  absl::StatusOr<std::unique_ptr<RouteMapFile>> file =
      RouteMapFile::Load(path, kPartitions, kInterval);
  ASSERT_OK(file);
  EXPECT_EQ((*file)->generation(), 1u);
  Recorder recorder;
  (*file)->OnChange([&](const RouteMap& map) { recorder.Add(map); });

  ASSERT_OK(WriteRouteMap(path, TwoReplicas(2, 6)));
  ASSERT_TRUE(recorder.WaitFor(2));
  EXPECT_EQ((*file)->generation(), 2u);
  EXPECT_EQ((*file)->Current().DebugString(), TwoReplicas(2, 6).DebugString());
  EXPECT_THAT(recorder.seen(), ::testing::ElementsAre(2u));
}

TEST(RouteMapFileTest, KeepsTheRoutesInForceOnBadOrStaleFiles) {
  testing::TempDir dir;
  const std::string path = dir.path() + "/routes";
  ASSERT_OK(WriteRouteMap(path, TwoReplicas(5, 4)));
  absl::StatusOr<std::unique_ptr<RouteMapFile>> file =
      RouteMapFile::Load(path, kPartitions, kInterval);
  ASSERT_OK(file);
  Recorder recorder;
  (*file)->OnChange([&](const RouteMap& map) { recorder.Add(map); });

  // Each of these is looked at and refused; sleeping several intervals
  // between them lets the watcher see every one.
  const absl::Duration look = kInterval * 10;
  ASSERT_OK(WriteRouteMap(path, TwoReplicas(5, 2)));  // same generation
  absl::SleepFor(look);
  ASSERT_OK(WriteRouteMap(path, TwoReplicas(3, 2)));  // lower generation
  absl::SleepFor(look);
  WriteText(path, "generation: 9\nroutes { service: \n");  // does not parse
  absl::SleepFor(look);
  RouteMap unowned = TwoReplicas(9, 4);
  unowned.mutable_routes(0)->mutable_replicas(1)->clear_partitions();
  auto* part = unowned.mutable_routes(0)->mutable_replicas(1)->add_partitions();
  part->set_first(4);
  part->set_last(6);  // partition 7 owned by nobody
  ASSERT_OK(WriteRouteMap(path, unowned));
  absl::SleepFor(look);
  std::filesystem::remove(path);  // briefly missing
  absl::SleepFor(look);
  EXPECT_EQ((*file)->generation(), 5u);
  EXPECT_EQ((*file)->Current().DebugString(), TwoReplicas(5, 4).DebugString());
  EXPECT_TRUE(recorder.seen().empty());

  // A good, higher map is still taken afterwards.
  ASSERT_OK(WriteRouteMap(path, TwoReplicas(10, 1)));
  ASSERT_TRUE(recorder.WaitFor(10));
  EXPECT_EQ((*file)->generation(), 10u);
  EXPECT_THAT(recorder.seen(), ::testing::ElementsAre(10u));
}

}  // namespace
}  // namespace homeward::routing
