// The watched route map file; see route_map_file.h.
#include "common/routing/route_map_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <thread>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "common/routing/route_table.h"
#include "common/server/config_file.h"
#include "common/server/file_version.h"
#include "common/server/log.h"
#include "common/status/errors.h"
#include "google/protobuf/text_format.h"
#include "google/protobuf/util/message_differencer.h"

namespace homeward::routing {
namespace {

using homeward::internal::v1::RouteMap;

// Every service the map names must route on its own: one route per service,
// every partition owned by exactly one replica.
absl::Status CheckRoutes(const RouteMap& routes, uint32_t partition_count) {
  errors::FieldViolations bad;
  for (int i = 0; i < routes.routes_size(); ++i) {
    const std::string& service = routes.routes(i).service();
    if (service.empty()) {
      bad.Add(absl::StrCat("routes[", i, "].service"), "is required");
      continue;
    }
    bool seen_before = false;
    for (int j = 0; j < i; ++j) {
      if (routes.routes(j).service() == service) seen_before = true;
    }
    if (seen_before) continue;  // Create below reports the duplicate once
    absl::StatusOr<RouteTable> table =
        RouteTable::Create(routes.routes(), partition_count, service);
    if (!table.ok()) {
      std::vector<errors::FieldViolation> violations =
          errors::FieldViolationsOf(table.status());
      if (violations.empty()) return table.status();
      for (const errors::FieldViolation& v : violations) {
        bad.Add(v.field, v.description);
      }
    }
  }
  return bad.ToStatus();
}

}  // namespace

absl::StatusOr<RouteMap> ReadRouteMap(const std::string& path) {
  RouteMap routes;
  absl::Status status = server::ParseTextProtoFile(path, &routes);
  if (!status.ok()) return status;
  return routes;
}

absl::Status WriteRouteMap(const std::string& path, const RouteMap& routes) {
  // A unique name beside the target, so that the rename stays within one
  // file system and two writers cannot interleave in one temporary file.
  const std::string tmp = absl::StrCat(path, ".tmp.", ::getpid());
  const std::string dir = path.find('/') == std::string::npos
                              ? "."
                              : path.substr(0, path.rfind('/'));
  const auto failed = [&](absl::string_view what) {
    const int error = errno;
    ::unlink(tmp.c_str());
    return errors::Unavailable(absl::StrCat("route map file '", path,
                                            "' cannot be written (", what,
                                            "): ", std::strerror(error)));
  };
  std::string text = absl::StrCat("# Homeward route map, generation ",
                                  routes.generation(), "\n");
  std::string body;
  if (!google::protobuf::TextFormat::PrintToString(routes, &body)) {
    return errors::Internal("route map cannot be printed");
  }
  text += body;
  const int fd =
      ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return failed("open");
  size_t written = 0;
  while (written < text.size()) {
    const ssize_t n = ::write(fd, text.data() + written, text.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      ::close(fd);
      return failed("write");
    }
    written += static_cast<size_t>(n);
  }
  if (::fsync(fd) != 0) {
    ::close(fd);
    return failed("fsync");
  }
  ::close(fd);
  if (::rename(tmp.c_str(), path.c_str()) != 0) return failed("rename");
  // The rename itself survives a crash only once the directory is synced.
  const int dir_fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir_fd >= 0) {
    ::fsync(dir_fd);
    ::close(dir_fd);
  }
  return absl::OkStatus();
}

// Holds the map in force and polls the file on its own thread.
class RouteMapFile::Watcher {
 public:
  Watcher(std::string path, uint32_t partition_count, absl::Duration interval,
          RouteMap initial, server::FileVersion seen)
      : path_(std::move(path)),
        partition_count_(partition_count),
        interval_(interval),
        current_(std::move(initial)),
        seen_(seen) {
    thread_ = std::thread([this] { Run(); });
  }
  ~Watcher() {
    {
      absl::MutexLock lock(&mu_);
      stop_ = true;
      wake_.Signal();
    }
    thread_.join();
  }

  RouteMap Current() const {
    absl::MutexLock lock(&mu_);
    return current_;
  }
  uint64_t generation() const {
    absl::MutexLock lock(&mu_);
    return current_.generation();
  }
  void OnChange(std::function<void(const RouteMap&)> callback) {
    absl::MutexLock lock(&callbacks_mu_);
    callbacks_.push_back(std::move(callback));
  }

 private:
  void Run() {
    absl::MutexLock lock(&mu_);
    while (!stop_) {
      wake_.WaitWithTimeout(&mu_, interval_);
      if (stop_) break;
      mu_.Unlock();
      CheckOnce();
      mu_.Lock();
    }
  }

  // One look at the file: re-read when its version changed, accept or log.
  void CheckOnce() {
    const server::FileVersion now = server::FileVersionOf(path_);
    uint64_t in_force;
    {
      absl::MutexLock lock(&mu_);
      if (now == seen_) return;
      in_force = current_.generation();
    }
    if (!now.present) {
      // Mid-swap the file may be briefly missing: keep routing, say so once.
      absl::MutexLock lock(&mu_);
      seen_ = now;
      server::Log("warn", "route map file missing: keeping the routes in force",
                  {{"file", path_}, {"generation", absl::StrCat(in_force)}});
      return;
    }
    absl::StatusOr<RouteMap> read = ReadRouteMap(path_);
    // The version stat'ed before the read: if the file changed again during
    // the read, the next look sees a new version and reads again.
    {
      absl::MutexLock lock(&mu_);
      seen_ = now;
    }
    absl::Status verdict = read.status();
    if (verdict.ok()) verdict = CheckRoutes(*read, partition_count_);
    if (verdict.ok() && read->generation() <= in_force) {
      // The same map rewritten (touched, or re-read after a change during
      // the previous read) is no news.
      absl::MutexLock lock(&mu_);
      if (google::protobuf::util::MessageDifferencer::Equals(*read, current_)) {
        return;
      }
    }
    if (verdict.ok() && read->generation() <= in_force) {
      verdict = errors::FailedPrecondition(
          "ROUTE_MAP_GENERATION", path_,
          absl::StrCat("generation ", read->generation(),
                       " is not higher than the generation in force, ",
                       in_force));
    }
    if (!verdict.ok()) {
      std::string fields;
      for (const errors::FieldViolation& v :
           errors::FieldViolationsOf(verdict)) {
        absl::StrAppend(&fields, fields.empty() ? "" : "; ", v.field, " ",
                        v.description);
      }
      server::Log("error", "route map rejected: keeping the routes in force",
                  {{"file", path_},
                   {"generation", absl::StrCat(in_force)},
                   {"code", absl::StatusCodeToString(verdict.code())},
                   {"reason",
                    fields.empty() ? std::string(verdict.message()) : fields}});
      return;
    }
    {
      absl::MutexLock lock(&mu_);
      current_ = *read;
    }
    server::Log("info", "route map switched",
                {{"file", path_},
                 {"from_generation", absl::StrCat(in_force)},
                 {"generation", absl::StrCat(read->generation())}});
    absl::MutexLock lock(&callbacks_mu_);
    for (const auto& callback : callbacks_) callback(*read);
  }

  const std::string path_;
  const uint32_t partition_count_;
  const absl::Duration interval_;
  mutable absl::Mutex mu_;
  absl::CondVar wake_;
  bool stop_ ABSL_GUARDED_BY(mu_) = false;
  RouteMap current_ ABSL_GUARDED_BY(mu_);
  // The version last looked at, accepted or not: a bad file is reported
  // once, not at every check.
  server::FileVersion seen_ ABSL_GUARDED_BY(mu_);
  absl::Mutex callbacks_mu_;
  std::vector<std::function<void(const RouteMap&)>> callbacks_
      ABSL_GUARDED_BY(callbacks_mu_);
  std::thread thread_;
};

RouteMapFile::RouteMapFile(std::unique_ptr<Watcher> watcher)
    : watcher_(std::move(watcher)) {}

RouteMapFile::~RouteMapFile() = default;

absl::StatusOr<std::unique_ptr<RouteMapFile>> RouteMapFile::Load(
    std::string path, uint32_t partition_count, absl::Duration check_interval) {
  if (path.empty()) {
    return errors::InvalidField("routes_file", "is required");
  }
  const server::FileVersion version = server::FileVersionOf(path);
  absl::StatusOr<RouteMap> read = ReadRouteMap(path);
  if (!read.ok()) return read.status();
  absl::Status checked = CheckRoutes(*read, partition_count);
  if (!checked.ok()) {
    // Name the file: the field paths are relative to it.
    std::vector<errors::FieldViolation> violations =
        errors::FieldViolationsOf(checked);
    for (errors::FieldViolation& v : violations) {
      v.field = absl::StrCat(path, ": ", v.field);
    }
    return violations.empty() ? checked : errors::InvalidFields(violations);
  }
  if (check_interval <= absl::ZeroDuration()) {
    check_interval = kRouteMapCheckInterval;
  }
  server::Log(
      "info", "route map loaded",
      {{"file", path}, {"generation", absl::StrCat(read->generation())}});
  return std::unique_ptr<RouteMapFile>(new RouteMapFile(
      std::make_unique<Watcher>(std::move(path), partition_count,
                                check_interval, *std::move(read), version)));
}

RouteMap RouteMapFile::Current() const { return watcher_->Current(); }

uint64_t RouteMapFile::generation() const { return watcher_->generation(); }

void RouteMapFile::OnChange(std::function<void(const RouteMap&)> callback) {
  watcher_->OnChange(std::move(callback));
}

}  // namespace homeward::routing
