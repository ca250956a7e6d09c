// Every log line is one JSON object, whatever the bytes it quotes.
#include "common/server/log.h"

#include <string>

#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"

namespace homeward::server {
namespace {

google::protobuf::Struct Parsed(const std::string& line) {
  google::protobuf::Struct parsed;
  EXPECT_TRUE(google::protobuf::util::JsonStringToMessage(line, &parsed).ok())
      << line;
  return parsed;
}

TEST(JsonLogLineTest, KeepsUtf8AndEscapesControlCharacters) {
  const google::protobuf::Struct line = Parsed(JsonLogLine(
      "error", "programme \"sn\"\n\tloaded", {{"office", "Thiès\x01"}}));
  EXPECT_EQ(line.fields().at("level").string_value(), "error");
  EXPECT_EQ(line.fields().at("msg").string_value(),
            "programme \"sn\"\n\tloaded");
  EXPECT_EQ(line.fields().at("office").string_value(), "Thiès\x01");
}

// Found by programme_data_fuzzer: a programme file whose country code held
// bytes that are not UTF-8 made a startup error quoting it, and the log line
// carrying that error was not valid JSON.
TEST(JsonLogLineTest, EscapesBytesThatAreNotUtf8) {
  const std::string line = JsonLogLine(
      "error", "homeward cannot start",
      {{"error", "countries[3]: '\xbb\xb3' is not an ISO 3166-1 code"},
       {"truncated", "ab\xe2\x82"}});
  const google::protobuf::Struct parsed = Parsed(line);
  EXPECT_EQ(parsed.fields().at("error").string_value(),
            "countries[3]: '\u00bb\u00b3' is not an ISO 3166-1 code");
  EXPECT_EQ(parsed.fields().at("truncated").string_value(), "ab\u00e2\u0082");
  EXPECT_EQ(line.back(), '\n');
}

}  // namespace
}  // namespace homeward::server
