// The public contracts (package homeward.v1, protos/homeward/v1/) carry only
// what clients use: the suite's own configuration, the signed principal and
// the storage records live in homeward.internal.v1, so clients generated
// from the public folder never carry them.
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "google/protobuf/descriptor.h"
#include "gtest/gtest.h"
#include "homeward/internal/v1/config.pb.h"
#include "homeward/internal/v1/principal.pb.h"
#include "homeward/internal/v1/storage.pb.h"

namespace homeward {
namespace {

using ::google::protobuf::DescriptorPool;
using ::testing::HasSubstr;
using ::testing::Not;

// Every internal type the components exchange or store.
const std::vector<std::string>& InternalTypes() {
  static const auto* const names = new std::vector<std::string>{
      "ServiceConfig", "GatewayConfig",     "ApiKeyFile",     "ApiKey",
      "ReplicaConfig", "ServiceRoute",      "PartitionRange", "Principal",
      "AuditEntry",    "IdempotencyRecord",
  };
  return *names;
}

TEST(ContractPackagesTest, InternalTypesAreNotInThePublicPackage) {
  // Naming one type of each internal file links it into this test.
  ASSERT_NE(internal::v1::ServiceConfig::descriptor(), nullptr);
  ASSERT_NE(internal::v1::Principal::descriptor(), nullptr);
  ASSERT_NE(internal::v1::AuditEntry::descriptor(), nullptr);
  const DescriptorPool* pool = DescriptorPool::generated_pool();
  for (const std::string& name : InternalTypes()) {
    EXPECT_EQ(pool->FindMessageTypeByName(absl::StrCat("homeward.v1.", name)),
              nullptr)
        << name << " is in the public package";
    EXPECT_NE(pool->FindMessageTypeByName(
                  absl::StrCat("homeward.internal.v1.", name)),
              nullptr)
        << name << " is missing from homeward.internal.v1";
  }
}

// Each file of the public folder declares the public package and imports
// nothing internal, so generating clients from the folder alone works and
// brings no internal type along. Read as text: a test binary links only the
// generated files it uses.
TEST(ContractPackagesTest, PublicFilesImportNothingInternal) {
  const std::filesystem::path folder =
      std::filesystem::path(HOMEWARD_SOURCE_DIR) / "protos/homeward/v1";
  int files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(folder)) {
    if (entry.path().extension() != ".proto") continue;
    ++files;
    std::ifstream in(entry.path());
    std::stringstream text;
    text << in.rdbuf();
    const std::string name = entry.path().filename().string();
    EXPECT_THAT(text.str(), HasSubstr("\npackage homeward.v1;\n")) << name;
    EXPECT_THAT(text.str(), Not(HasSubstr("import \"homeward/internal/")))
        << name;
    for (const std::string& type : InternalTypes()) {
      EXPECT_THAT(text.str(),
                  Not(HasSubstr(absl::StrCat("message ", type, " {"))))
          << name << " declares " << type;
    }
  }
  EXPECT_GE(files, 8);
}

}  // namespace
}  // namespace homeward
