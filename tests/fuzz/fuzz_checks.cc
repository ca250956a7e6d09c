// The fuzz targets' shared invariants; see fuzz_checks.h.
#include "tests/fuzz/fuzz_checks.h"

#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "common/server/log.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"
#include "google/protobuf/stubs/logging.h"
#include "google/protobuf/util/json_util.h"
#include "google/protobuf/util/type_resolver_util.h"
#include "services/gateway/connect_error.h"

namespace homeward::fuzz {
namespace {

// Set before any input runs: protobuf logs every string field with invalid
// UTF-8 it refuses to parse, which would flood the fuzzer's output and slow
// it down.
[[maybe_unused]] const bool kProtobufQuiet = [] {
  google::protobuf::SetLogHandler(nullptr);
  return true;
}();

// Whether `json` is a JSON object. Through a resolver made once: the
// convenience JsonStringToMessage makes one per call, which made the targets
// that mostly see refusals ten times slower.
bool IsJsonObject(const std::string& json) {
  static google::protobuf::util::TypeResolver* resolver =
      google::protobuf::util::NewTypeResolverForDescriptorPool(
          "type.googleapis.com",
          google::protobuf::DescriptorPool::generated_pool());
  std::string binary;
  return google::protobuf::util::JsonToBinaryString(
             resolver, "type.googleapis.com/google.protobuf.Struct", json,
             &binary)
      .ok();
}

// The Connect error object of `status` parses as JSON.
void CheckConnectError(const absl::Status& status) {
  FUZZ_CHECK(IsJsonObject(gateway::ConnectErrorJson(status)));
}

// The log line quoting `text` (a startup error quotes the violations of an
// operator's file) parses as JSON, whatever bytes `text` holds.
void CheckLogLine(absl::string_view text) {
  FUZZ_CHECK(IsJsonObject(server::JsonLogLine(
      "error", "refused", {{"detail", std::string(text)}})));
}

}  // namespace

void CheckViolations(const errors::FieldViolations& bad) {
  for (const errors::FieldViolation& v : bad.violations()) {
    FUZZ_CHECK(!v.field.empty());
    FUZZ_CHECK(!v.description.empty());
    CheckLogLine(v.field);
    CheckLogLine(v.description);
  }
  const absl::Status status = bad.ToStatus();
  FUZZ_CHECK(status.ok() == bad.empty());
  if (status.ok()) return;
  FUZZ_CHECK(status.code() == absl::StatusCode::kInvalidArgument);
  FUZZ_CHECK(errors::FieldViolationsOf(status) == bad.violations());
  CheckConnectError(status);
}

void CheckRefusal(const absl::Status& status) {
  FUZZ_CHECK(!status.ok());
  CheckLogLine(status.ToString());
  for (const errors::FieldViolation& v : errors::FieldViolationsOf(status)) {
    FUZZ_CHECK(!v.field.empty());
  }
  CheckConnectError(status);
}

std::string DeterministicBytes(const google::protobuf::Message& message) {
  std::string bytes;
  {
    google::protobuf::io::StringOutputStream out(&bytes);
    google::protobuf::io::CodedOutputStream coded(&out);
    coded.SetSerializationDeterministic(true);
    FUZZ_CHECK(message.SerializeToCodedStream(&coded));
  }
  return bytes;
}

std::string ReadSourceFile(absl::string_view relative_path) {
  const std::string path =
      absl::StrCat(HOMEWARD_SOURCE_DIR, "/", relative_path);
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  if (!in || text.str().empty()) {
    std::fprintf(stderr, "cannot read %s\n", path.c_str());
    std::abort();
  }
  return text.str();
}

}  // namespace homeward::fuzz
