// FileVersionOf; see file_version.h.
#include "common/server/file_version.h"

namespace homeward::server {

FileVersion FileVersionOf(const struct stat& st) {
  FileVersion v;
  v.present = true;
  v.device = st.st_dev;
  v.inode = st.st_ino;
  v.size = static_cast<unsigned long long>(st.st_size);
  v.mode = st.st_mode;
  v.mtime_sec = st.st_mtim.tv_sec;
  v.mtime_nsec = st.st_mtim.tv_nsec;
  v.ctime_sec = st.st_ctim.tv_sec;
  v.ctime_nsec = st.st_ctim.tv_nsec;
  return v;
}

FileVersion FileVersionOf(const std::string& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) return FileVersion{};
  return FileVersionOf(st);
}

}  // namespace homeward::server
