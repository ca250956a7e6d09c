// Loads a process's configuration file, whose schema is a proto message
// (homeward/internal/v1/config.proto), from textproto. Parse errors name the
// file, line and column.
//
//   ASSIGN_OR_RETURN(ServiceConfig cfg,
//                    LoadTextProtoFile<ServiceConfig>(path));
#ifndef HOMEWARD_COMMON_SERVER_CONFIG_FILE_H_
#define HOMEWARD_COMMON_SERVER_CONFIG_FILE_H_

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "google/protobuf/message.h"

namespace homeward::server {

// Reads `path` into `message` (textproto). INVALID_ARGUMENT naming the file,
// line and column on a syntax or schema error; NOT_FOUND if it is missing.
absl::Status ParseTextProtoFile(const std::string& path,
                                google::protobuf::Message* message);

template <typename T>
absl::StatusOr<T> LoadTextProtoFile(const std::string& path) {
  T message;
  absl::Status status = ParseTextProtoFile(path, &message);
  if (!status.ok()) return status;
  return message;
}

// Writes `message` as textproto to `path` with mode `mode` (e.g. 0600).
absl::Status WriteTextProtoFile(const std::string& path,
                                const google::protobuf::Message& message,
                                int mode);

}  // namespace homeward::server

#endif  // HOMEWARD_COMMON_SERVER_CONFIG_FILE_H_
