// Which version of a file is on disk, for watchers that re-read a file when
// it changes (the gateway's JWKS file, the route map file, its TLS files):
// its device, inode, size, mode, and modification and change times. stat
// follows a symbolic link, so a Kubernetes ConfigMap's swapped link shows as
// a new inode, a file rewritten in place as a new size or time, and a chmod
// (a private key's permissions put right) as a new mode and change time.
//
//   server::FileVersion seen = server::FileVersionOf(path);
//   ...
//   if (server::FileVersionOf(path) != seen) { ...read it again... }
#ifndef HOMEWARD_COMMON_SERVER_FILE_VERSION_H_
#define HOMEWARD_COMMON_SERVER_FILE_VERSION_H_

#include <sys/stat.h>

#include <string>

namespace homeward::server {

struct FileVersion {
  bool present = false;  // false: the file could not be stat'ed
  unsigned long long device = 0, inode = 0, size = 0;
  unsigned int mode = 0;
  long long mtime_sec = 0, mtime_nsec = 0, ctime_sec = 0, ctime_nsec = 0;

  bool operator==(const FileVersion& o) const {
    return present == o.present && device == o.device && inode == o.inode &&
           size == o.size && mode == o.mode && mtime_sec == o.mtime_sec &&
           mtime_nsec == o.mtime_nsec && ctime_sec == o.ctime_sec &&
           ctime_nsec == o.ctime_nsec;
  }
  bool operator!=(const FileVersion& o) const { return !(*this == o); }
};

// The version `st` describes (from stat, or fstat of the descriptor read,
// so that a rename between looking and reading cannot pair one file's
// version with another file's content).
FileVersion FileVersionOf(const struct stat& st);
// The version of the file at `path` now; not present when stat fails.
FileVersion FileVersionOf(const std::string& path);

}  // namespace homeward::server

#endif  // HOMEWARD_COMMON_SERVER_FILE_VERSION_H_
