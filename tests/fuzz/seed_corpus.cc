// homeward-fuzz-seeds: writes the seed corpus of the fuzz targets
// (tests/fuzz/corpus/<target>/) from readable specs, so that the committed
// binary seeds can be regenerated and reviewed. Run by make-corpus.sh:
//
//   homeward_fuzz_seeds <corpus dir> < specs
//
// Each line of the specs (blank lines and '#' comments skipped) is
//   <target> <selector> <message type> <JSON>
// and writes the seed <selector byte><binary encoding of the JSON>, e.g.
//   assessment_requests 3 homeward.v1.GetCaseRequest {"caseId":"C1"}
// or, for the JSON face,
//   connect_request - homeward.v1.CaseService/GetCase {"caseId":"C1"}
// which writes the call in both codecs. Besides the lines it writes an empty
// call of every public method of the gateway's table, signed principals and
// page tokens. Seed files are named by a hash of their content, so a rerun
// rewrites the same files.
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <string>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "common/auth/crypto.h"
#include "common/auth/principal_token.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/dynamic_message.h"
#include "google/protobuf/util/json_util.h"
#include "homeward/internal/v1/principal.pb.h"
#include "services/gateway/method_table.h"
#include "services/gateway/page_token.h"
#include "tests/fuzz/served_methods.h"

namespace {

std::string g_corpus;

void WriteSeed(absl::string_view target, const std::string& bytes) {
  const std::string dir = absl::StrCat(g_corpus, "/", target);
  std::filesystem::create_directories(dir);
  const std::string name =
      absl::StrCat("seed-", homeward::crypto::Sha256Hex(bytes).substr(0, 16));
  std::ofstream out(absl::StrCat(dir, "/", name), std::ios::binary);
  out << bytes;
}

const google::protobuf::Message* Prototype(absl::string_view type) {
  const google::protobuf::Descriptor* descriptor =
      google::protobuf::DescriptorPool::generated_pool()->FindMessageTypeByName(
          std::string(type));
  if (descriptor == nullptr) return nullptr;
  return google::protobuf::MessageFactory::generated_factory()->GetPrototype(
      descriptor);
}

bool Encode(const google::protobuf::Message& prototype, absl::string_view json,
            std::string* bytes) {
  std::unique_ptr<google::protobuf::Message> message(prototype.New());
  const auto parsed = google::protobuf::util::JsonStringToMessage(
      std::string(json), message.get());
  if (!parsed.ok()) {
    std::cerr << prototype.GetTypeName() << ": " << parsed.message() << "\n";
    return false;
  }
  return message->SerializeToString(bytes);
}

std::string Call(absl::string_view method, absl::string_view type,
                 absl::string_view body) {
  return absl::StrCat("/", method, "\n", type, "\n", body);
}

// One spec line; false (with a message) when it does not make a seed.
bool WriteSpec(const homeward::gateway::MethodTable& table,
               absl::string_view line) {
  std::vector<absl::string_view> parts =
      absl::StrSplit(line, absl::MaxSplits(' ', 3));
  if (parts.size() != 4) return false;
  const absl::string_view target = parts[0];
  if (target == "connect_request") {
    const homeward::gateway::MethodRoute* method = table.Find(parts[2]);
    std::string bytes;
    if (method == nullptr ||
        !Encode(*method->request_prototype, parts[3], &bytes)) {
      return false;
    }
    WriteSeed(target, Call(parts[2], "application/json", parts[3]));
    WriteSeed(target, Call(parts[2], "application/proto", bytes));
    return true;
  }
  int selector = 0;
  const google::protobuf::Message* prototype = Prototype(parts[2]);
  std::string bytes;
  if (!absl::SimpleAtoi(parts[1], &selector) || selector < 0 ||
      selector > 255 || prototype == nullptr ||
      !Encode(*prototype, parts[3], &bytes)) {
    return false;
  }
  WriteSeed(target, std::string(1, static_cast<char>(selector)) + bytes);
  return true;
}

void WriteMethodSeeds(const homeward::gateway::MethodTable& table) {
  for (const homeward::gateway::MethodRoute& method : table.methods()) {
    if (method.internal) continue;
    WriteSeed("connect_request",
              Call(method.full_name, "application/json", "{}"));
  }
}

// Must match principal_token_fuzzer.cc's kSecret.
constexpr char kFuzzSecret[] = "fuzz-secret-0123456789abcdef0123456789";

void WritePrincipalSeeds() {
  homeward::internal::v1::Principal principal;
  principal.set_user_id("cm-demo");
  principal.set_role(homeward::v1::ROLE_CASE_MANAGER);
  principal.add_office_ids("office-demo");
  principal.set_issued_at_unix(1767225600);  // 2026-01-01
  const std::string token =
      homeward::auth::EncodePrincipalToken(kFuzzSecret, principal);
  WriteSeed("principal_token", std::string(1, '\0') + token);
  WriteSeed("principal_token",
            std::string(1, '\1') + principal.SerializeAsString());
  principal.Clear();
  principal.set_user_id("partner-1");
  principal.set_role(homeward::v1::ROLE_PARTNER_AGENCY);
  principal.set_agency_id("org-atelier-pikine");
  principal.set_issued_at_unix(1767225600);
  WriteSeed("principal_token",
            std::string(1, '\0') +
                homeward::auth::EncodePrincipalToken(kFuzzSecret, principal));
  WriteSeed("principal_token",
            std::string(1, '\1') + principal.SerializeAsString());
  // Signed with another secret: refused.
  WriteSeed("principal_token",
            std::string(1, '\0') +
                homeward::auth::EncodePrincipalToken("another", principal));
}

// Must match page_token_fuzzer.cc's kFingerprint.
constexpr char kFingerprint[] = "3f2a9c41";

void WritePageTokenSeeds() {
  // Byte 0: replica count - 1; byte 1: the page size asked for / 5.
  WriteSeed("page_token", std::string("\x02\x04", 2));
  WriteSeed("page_token",
            std::string("\x02\x0a", 2) + homeward::gateway::EncodeListCursor(
                                             {1, "AAAAAQ"}, kFingerprint));
  WriteSeed("page_token",
            std::string("\x03\x64", 2) + homeward::gateway::EncodeListCursor(
                                             {3, "a:b:c"}, kFingerprint));
  WriteSeed("page_token",
            std::string("\x01\xff", 2) +
                homeward::gateway::EncodeListCursor({0, ""}, "other"));
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: homeward_fuzz_seeds <corpus dir> < specs\n";
    return 2;
  }
  g_corpus = argv[1];
  absl::StatusOr<homeward::gateway::MethodTable> table =
      homeward::fuzz::ServedMethodTable();
  if (!table.ok()) {
    std::cerr << table.status() << "\n";
    return 1;
  }
  int bad = 0;
  std::string line;
  while (std::getline(std::cin, line)) {
    if (line.empty() || line[0] == '#') continue;
    if (!WriteSpec(*table, line)) {
      std::cerr << "not a seed: " << line.substr(0, 120) << "\n";
      ++bad;
    }
  }
  WriteMethodSeeds(*table);
  WritePrincipalSeeds();
  WritePageTokenSeeds();
  return bad == 0 ? 0 : 1;
}
