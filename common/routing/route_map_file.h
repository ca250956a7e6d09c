// A deployment's routes kept in a file of their own (a RouteMap textproto:
// GatewayConfig.routes_file, ServiceConfig.upstream_routes_file), watched so
// that a partition move switches the gateway and the feed followers to a
// partition's new owner without a restart. The file is looked at (stat) once
// per interval and re-read when its inode, size or modification time changed
// (a Kubernetes ConfigMap volume swaps a symbolic link, an editor or the move
// tool renames a new file into place). A new file that does not parse, or
// whose generation is not higher than the one in force, or whose routes do
// not each map every partition to exactly one replica, is logged and ignored:
// the routes in force stay.
//
//   ASSIGN_OR_RETURN(std::unique_ptr<RouteMapFile> file,
//                    RouteMapFile::Load(path, partition_count));
//   file->OnChange([&](const RouteMap& routes) { ... switch ... });
//   RouteMap now = file->Current();
//   ASSIGN_OR_RETURN(RouteMap next, ReadRouteMap(path));  // the move tool
//   RETURN_IF_ERROR(WriteRouteMap(path, next));  // atomic: temp + rename
#ifndef HOMEWARD_COMMON_ROUTING_ROUTE_MAP_FILE_H_
#define HOMEWARD_COMMON_ROUTING_ROUTE_MAP_FILE_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "homeward/internal/v1/config.pb.h"

namespace homeward::routing {

inline constexpr absl::Duration kRouteMapCheckInterval = absl::Seconds(1);

// Reads and parses one route map file (INVALID_ARGUMENT naming the path and
// the parse error, NOT_FOUND when it is missing).
absl::StatusOr<homeward::internal::v1::RouteMap> ReadRouteMap(
    const std::string& path);
// Writes `routes` to `path` atomically (a temporary file in the same
// directory, fsynced, renamed over it).
absl::Status WriteRouteMap(const std::string& path,
                           const homeward::internal::v1::RouteMap& routes);

class RouteMapFile {
 public:
  // Reads `path` now and checks every route (RouteTable::Create for each
  // service it names): the start fails with the error on `field` otherwise.
  static absl::StatusOr<std::unique_ptr<RouteMapFile>> Load(
      std::string path, uint32_t partition_count,
      absl::Duration check_interval = kRouteMapCheckInterval);
  ~RouteMapFile();  // stops the watching thread

  homeward::internal::v1::RouteMap Current() const;
  uint64_t generation() const;

  // Called, on the watching thread, with every accepted new map (not with
  // the one in force when it is registered). Register before traffic.
  void OnChange(
      std::function<void(const homeward::internal::v1::RouteMap&)> callback);

 private:
  class Watcher;
  std::unique_ptr<Watcher> watcher_;
  explicit RouteMapFile(std::unique_ptr<Watcher> watcher);
};

}  // namespace homeward::routing

#endif  // HOMEWARD_COMMON_ROUTING_ROUTE_MAP_FILE_H_
