// Textproto configuration files; see config_file.h.
#include "common/server/config_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "google/protobuf/io/tokenizer.h"
#include "google/protobuf/text_format.h"

namespace homeward::server {
namespace {

// Keeps the first parse error with its position.
class FirstError : public google::protobuf::io::ErrorCollector {
 public:
  void AddError(int line, int column, const std::string& message) override {
    if (error_.empty()) {
      error_ = absl::StrCat("line ", line + 1, ", column ", column + 1, ": ",
                            message);
    }
  }
  const std::string& error() const { return error_; }

 private:
  std::string error_;
};

}  // namespace

absl::Status ParseTextProtoFile(const std::string& path,
                                google::protobuf::Message* message) {
  std::ifstream in(path);
  if (!in) {
    return absl::NotFoundError(
        absl::StrCat("config file '", path, "' cannot be read"));
  }
  std::stringstream buf;
  buf << in.rdbuf();
  google::protobuf::TextFormat::Parser parser;
  FirstError errors;
  parser.RecordErrorsTo(&errors);
  if (!parser.ParseFromString(buf.str(), message)) {
    return absl::InvalidArgumentError(
        absl::StrCat("config file '", path, "' is not a valid ",
                     message->GetTypeName(), " textproto: ", errors.error()));
  }
  return absl::OkStatus();
}

absl::Status WriteTextProtoFile(const std::string& path,
                                const google::protobuf::Message& message,
                                int mode) {
  std::string text;
  google::protobuf::TextFormat::PrintToString(message, &text);
  std::string tmp = path + ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC, mode);
  if (fd < 0) {
    return absl::FailedPreconditionError(
        absl::StrCat("cannot write '", path, "'"));
  }
  bool ok = ::write(fd, text.data(), text.size()) ==
                static_cast<ssize_t>(text.size()) &&
            ::fsync(fd) == 0;
  ::close(fd);
  if (!ok || ::rename(tmp.c_str(), path.c_str()) != 0) {
    return absl::FailedPreconditionError(
        absl::StrCat("cannot write '", path, "'"));
  }
  return absl::OkStatus();
}

}  // namespace homeward::server
