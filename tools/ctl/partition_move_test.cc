// The pure parts of a partition move: the --partitions list, the route map
// after a move, the sources of a move, the resize plan (table-driven), and
// the command's dry run and plan through a test context (no replica is
// called: the moves themselves are tested with real replicas in
// tests/partition_move_load_test.cc).
#include "tools/ctl/partition_move.h"

#include <map>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/routing/route_map_file.h"
#include "common/status/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/fixtures/local_ctl_context.h"
#include "tests/fixtures/temp_dir.h"
#include "tools/ctl/move_command.h"

namespace homeward::ctl {
namespace {

using homeward::internal::v1::RouteMap;
using homeward::testing::IsOk;
using homeward::testing::StatusIs;
using ::testing::ElementsAre;

constexpr uint32_t kPartitions = 8;

// Assessment: replica r at address "r<r>:1" owns ranges[r]; planning is on
// one replica and must come through a move unchanged.
RouteMap MapOf(
    uint64_t generation,
    const std::vector<std::vector<std::pair<uint32_t, uint32_t>>>& ranges) {
  RouteMap map;
  map.set_generation(generation);
  auto* route = map.add_routes();
  route->set_service("assessment");
  for (size_t r = 0; r < ranges.size(); ++r) {
    auto* replica = route->add_replicas();
    replica->set_address(absl::StrCat("r", r, ":1"));
    for (const auto& [first, last] : ranges[r]) {
      auto* range = replica->add_partitions();
      range->set_first(first);
      range->set_last(last);
    }
  }
  auto* planning = map.add_routes();
  planning->set_service("planning");
  planning->add_replicas()->set_address("p0:1");
  return map;
}

// Which replica address owns each partition of the assessment route.
std::vector<std::string> Owners(const RouteMap& map) {
  absl::StatusOr<routing::RouteTable> table =
      routing::RouteTable::Create(map.routes(), kPartitions, "assessment");
  EXPECT_THAT(table, IsOk());
  std::vector<std::string> owners;
  if (!table.ok()) return owners;
  for (uint32_t p = 0; p < kPartitions; ++p) {
    owners.push_back(table->address(table->ReplicaOfPartition(p)));
  }
  return owners;
}

TEST(ParsePartitionListTest, AcceptsNumbersAndRangesAndRefusesTheRest) {
  EXPECT_THAT(ParsePartitionList("3,5-7,3", kPartitions),
              homeward::testing::IsOkAndHolds(ElementsAre(3u, 5u, 6u, 7u)));
  for (const char* bad : {"", "8", "3-2", "a", "1,,2", "1-", "-1", "1-9"}) {
    EXPECT_THAT(ParsePartitionList(bad, kPartitions),
                StatusIs(absl::StatusCode::kInvalidArgument))
        << "'" << bad << "'";
  }
}

TEST(MovedRouteMapTest, MovesThePartitionsAndRaisesTheGeneration) {
  const RouteMap before = MapOf(4, {{{0, 3}}, {{4, 7}}});
  MoveRequest request{"assessment", {2, 3, 4}, "r1:1"};
  // 4 already belongs to r1.
  EXPECT_THAT(MovedRouteMap(before, kPartitions, request),
              StatusIs(absl::StatusCode::kInvalidArgument));
  request.partitions = {2, 3};
  absl::StatusOr<RouteMap> after = MovedRouteMap(before, kPartitions, request);
  ASSERT_THAT(after, IsOk());
  EXPECT_EQ(after->generation(), 5u);
  EXPECT_THAT(Owners(*after), ElementsAre("r0:1", "r0:1", "r1:1", "r1:1",
                                          "r1:1", "r1:1", "r1:1", "r1:1"));
  EXPECT_EQ(after->routes(1).DebugString(), before.routes(1).DebugString());
}

TEST(MovedRouteMapTest, AddsANewTargetAndKeepsAReplicaLeftWithNothing) {
  const RouteMap before = MapOf(1, {{{0, 7}}});
  MoveRequest request{"assessment", {0, 1, 2, 3, 4, 5, 6, 7}, "new:1"};
  absl::StatusOr<RouteMap> after = MovedRouteMap(before, kPartitions, request);
  ASSERT_THAT(after, IsOk());
  ASSERT_EQ(after->routes(0).replicas_size(), 2);
  EXPECT_EQ(after->routes(0).replicas(1).address(), "new:1");
  EXPECT_TRUE(after->routes(0).replicas(0).partitions().empty());
  EXPECT_THAT(Owners(*after), ::testing::Each("new:1"));
  request.service = "nonesuch";
  EXPECT_THAT(MovedRouteMap(before, kPartitions, request),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(SourcesOfTest, GroupsThePartitionsByTheirOwner) {
  const RouteMap map = MapOf(1, {{{0, 2}}, {{3, 5}}, {{6, 7}}});
  absl::StatusOr<std::vector<MoveSource>> sources =
      SourcesOf(map, kPartitions, {"assessment", {1, 4, 5, 7}, "r2:1"});
  ASSERT_THAT(sources, IsOk());
  ASSERT_EQ(sources->size(), 2u);  // r2's own 7 is not a source
  EXPECT_EQ((*sources)[0].address, "r0:1");
  EXPECT_THAT((*sources)[0].partitions, ElementsAre(1u));
  EXPECT_EQ((*sources)[1].address, "r1:1");
  EXPECT_THAT((*sources)[1].partitions, ElementsAre(4u, 5u));
}

struct ResizeCase {
  std::string name;
  std::vector<std::vector<std::pair<uint32_t, uint32_t>>> now;
  std::vector<std::string> after;
  size_t moves;  // the fewest possible
};

TEST(PlanResizeTest, EvensTheReplicasMovingTheFewest) {
  const std::vector<ResizeCase> cases = {
      {"one to two", {{{0, 7}}}, {"r0:1", "n1:1"}, 4},
      {"two to three", {{{0, 3}}, {{4, 7}}}, {"r0:1", "r1:1", "n2:1"}, 2},
      {"two to four",
       {{{0, 3}}, {{4, 7}}},
       {"r0:1", "r1:1", "n2:1", "n3:1"},
       4},
      {"three to two", {{{0, 2}}, {{3, 5}}, {{6, 7}}}, {"r0:1", "r1:1"}, 2},
      {"already even", {{{0, 3}}, {{4, 7}}}, {"r0:1", "r1:1"}, 0},
      {"uneven to even", {{{0, 6}}, {{7, 7}}}, {"r0:1", "r1:1"}, 3},
  };
  for (const ResizeCase& c : cases) {
    SCOPED_TRACE(c.name);
    const RouteMap map = MapOf(1, c.now);
    absl::StatusOr<routing::RouteTable> table =
        routing::RouteTable::Create(map.routes(), kPartitions, "assessment");
    ASSERT_THAT(table, IsOk());
    absl::StatusOr<std::vector<PlannedMove>> plan = PlanResize(*table, c.after);
    ASSERT_THAT(plan, IsOk());
    EXPECT_EQ(plan->size(), c.moves);
    // Afterwards each replica of the new set holds P/M or P/M + 1.
    std::map<std::string, int> holds;
    std::vector<std::string> owner(kPartitions);
    for (uint32_t p = 0; p < kPartitions; ++p) {
      owner[p] = table->address(table->ReplicaOfPartition(p));
    }
    for (const PlannedMove& move : *plan) {
      EXPECT_EQ(owner[move.partition], move.from);
      EXPECT_NE(move.from, move.to);
      owner[move.partition] = move.to;
    }
    for (const std::string& o : owner) ++holds[o];
    for (const std::string& address : c.after) {
      EXPECT_GE(holds[address], static_cast<int>(kPartitions / c.after.size()))
          << address;
      EXPECT_LE(
          holds[address],
          static_cast<int>((kPartitions + c.after.size() - 1) / c.after.size()))
          << address;
    }
    EXPECT_EQ(holds.size(), c.after.size());  // removed replicas hold none
  }
  const RouteMap map = MapOf(1, {{{0, 7}}});
  absl::StatusOr<routing::RouteTable> table =
      routing::RouteTable::Create(map.routes(), kPartitions, "assessment");
  ASSERT_THAT(table, IsOk());
  EXPECT_THAT(PlanResize(*table, {}),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(PlanResize(*table, {"a:1", "a:1"}),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(MoveCommandTest, DryRunPrintsTheStepsAndChangesNothing) {
  testing::TempDir dir;
  const std::string path = dir.path() + "/routes";
  ASSERT_THAT(routing::WriteRouteMap(path, MapOf(3, {{{0, 3}}, {{4, 7}}})),
              IsOk());
  testing::LocalCtlContext ctl(path, kPartitions, "secret");
  ASSERT_THAT(RunMoveCommand(ctl, {"--service", "assessment", "--partitions",
                                   "1-2", "--to", "r1:1", "--dry_run"}),
              IsOk());
  ASSERT_EQ(ctl.printed().size(), 1u);
  const Table table = ctl.printed()[0];
  std::vector<std::string> steps;
  for (const auto& row : table.rows) steps.push_back(row[0]);
  EXPECT_THAT(steps,
              ElementsAre("fence", "copy", "adopt", "switch", "release"));
  EXPECT_EQ(table.rows[3][2], "generation 4");
  absl::StatusOr<RouteMap> still = routing::ReadRouteMap(path);
  ASSERT_THAT(still, IsOk());
  EXPECT_EQ(still->generation(), 3u);

  EXPECT_THAT(
      RunMoveCommand(ctl, {"--partitions", "1", "--to", "r1:1", "--bogus"}),
      StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(RunMoveCommand(ctl, {"--partitions", "1"}),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(RunMoveCommand(ctl, {"--partitions", "1", "--to", "r1:1",
                                   "--switch_wait", "1ms"}),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(MoveCommandTest, PlanPrintsEachPartitionThatMoves) {
  testing::TempDir dir;
  const std::string path = dir.path() + "/routes";
  ASSERT_THAT(routing::WriteRouteMap(path, MapOf(1, {{{0, 3}}, {{4, 7}}})),
              IsOk());
  testing::LocalCtlContext ctl(path, kPartitions, "secret");
  ASSERT_THAT(RunMoveCommand(ctl, {"plan", "--service", "assessment",
                                   "--replicas", "r0:1,r1:1,n2:1,n3:1"}),
              IsOk());
  ASSERT_EQ(ctl.printed().size(), 1u);
  const Table table = ctl.printed()[0];
  EXPECT_THAT(table.columns, ElementsAre("partition", "from", "to"));
  ASSERT_EQ(table.rows.size(), 4u);
  for (const auto& row : table.rows) {
    EXPECT_TRUE(row[2] == "n2:1" || row[2] == "n3:1") << row[2];
  }
}

}  // namespace
}  // namespace homeward::ctl
