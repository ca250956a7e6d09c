// The key-file permission rule (key_file_mode.h): a table over modes,
// owners, groups and HOMEWARD_KEY_FILE_GROUP for KeyFileModeProblem, then
// CheckKeyFileMode and ReadSecretFile on real files.
#include "common/auth/key_file_mode.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <string>

#include "common/auth/principal_token.h"
#include "common/status/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/fixtures/temp_dir.h"

namespace homeward::auth {
namespace {

using ::homeward::testing::StatusIs;
using ::homeward::testing::TempDir;
using ::testing::HasSubstr;

constexpr uid_t kApp = 10001;  // the container's user
constexpr gid_t kPod = 10001;  // the pod's fsGroup
constexpr gid_t kOther = 100;  // "users": another group

// The process as a pod runs it: uid 10001, in its fsGroup.
KeyFileReader Pod(std::optional<gid_t> key_group, std::string text = "") {
  KeyFileReader r;
  r.uid = kApp;
  r.groups = {kPod};
  r.key_group = key_group;
  r.key_group_text = text;
  return r;
}

struct Case {
  const char* name;
  KeyFileFacts file;
  KeyFileReader reader;
  const char* problem;  // "" when accepted, else a part of the problem
};

TEST(KeyFileModeProblemTest, Table) {
  const Case cases[] = {
      // Owner only: accepted whoever the group is, variable or not.
      {"0600 own file", {0600, kApp, kOther}, Pod(std::nullopt), ""},
      {"0400 own file", {0400, kApp, kOther}, Pod(std::nullopt), ""},
      {"0600 with the variable", {0600, kApp, kPod}, Pod(kPod), ""},
      // Others never read a key.
      {"0644", {0644, kApp, kPod}, Pod(kPod), "readable by group or others"},
      {"0404", {0404, 0, kPod}, Pod(kPod), "readable by group or others"},
      {"0604", {0604, kApp, kApp}, Pod(std::nullopt), "0604"},
      // Group read without the variable: refused, pointing at it.
      {"0640 no variable",
       {0640, kApp, kPod},
       Pod(std::nullopt),
       "HOMEWARD_KEY_FILE_GROUP to the pod's fsGroup"},
      {"0440 no variable", {0440, 0, kPod}, Pod(std::nullopt), "chmod 600"},
      {"variable not a gid",
       {0440, 0, kPod},
       Pod(std::nullopt, "pod"),
       "'pod' is not a group id"},
      // A Kubernetes secret volume with fsGroup: root:fsGroup, 0440 (from
      // defaultMode 0400) or 0640 (from 0600).
      {"kubelet 0440 root:fsGroup", {0440, 0, kPod}, Pod(kPod), ""},
      {"kubelet 0640 root:fsGroup", {0640, 0, kPod}, Pod(kPod), ""},
      {"own file 0440 in the pod group", {0440, kApp, kPod}, Pod(kPod), ""},
      // The group may only read.
      {"0460 group write", {0460, 0, kPod}, Pod(kPod), "may write"},
      {"0660 group write", {0660, 0, kPod}, Pod(kPod), "0440 or 0640"},
      {"0450 group execute",
       {0450, 0, kPod},
       Pod(kPod),
       "may write or execute"},
      // Only the named group, which is not root's, the process's own, and
      // the owner is root or the process.
      {"another group", {0440, 0, kOther}, Pod(kPod), "group 100, not"},
      {"group 0 named", {0440, 0, 0}, Pod(0), "group 0"},
      {"process not in the group",
       {0440, 0, kOther},
       Pod(kOther),
       "not in group 100"},
      {"owned by another account", {0440, 4242, kPod}, Pod(kPod), "owner 4242"},
  };
  for (const Case& c : cases) {
    const std::string problem = KeyFileModeProblem(c.file, c.reader);
    if (std::string(c.problem).empty()) {
      EXPECT_EQ(problem, "") << c.name;
    } else {
      EXPECT_THAT(problem, HasSubstr(c.problem)) << c.name;
    }
  }
}

TEST(KeyFileModeProblemTest, ProblemsNameTheModeFound) {
  EXPECT_THAT(KeyFileModeProblem({0644, kApp, kPod}, Pod(std::nullopt)),
              HasSubstr("has mode 0644"));
  EXPECT_THAT(KeyFileModeProblem({0460, 0, kPod}, Pod(kPod)),
              HasSubstr("has mode 0460"));
}

// The variable as the process reads it.
class KeyFileGroupVariable : public ::testing::Test {
 protected:
  void TearDown() override { unsetenv(kKeyFileGroupVariable); }
};

TEST_F(KeyFileGroupVariable, ThisProcessReadsIt) {
  unsetenv(kKeyFileGroupVariable);
  KeyFileReader reader = ThisProcess();
  EXPECT_EQ(reader.uid, geteuid());
  EXPECT_EQ(reader.groups.front(), getegid());
  EXPECT_FALSE(reader.key_group.has_value());
  setenv(kKeyFileGroupVariable, "10001", 1);
  EXPECT_EQ(ThisProcess().key_group, std::optional<gid_t>(10001));
  setenv(kKeyFileGroupVariable, "fsgroup", 1);
  reader = ThisProcess();
  EXPECT_FALSE(reader.key_group.has_value());
  EXPECT_EQ(reader.key_group_text, "fsgroup");
}

TEST_F(KeyFileGroupVariable, RealFilesThroughBothChecks) {
  TempDir dir;
  const std::string key = dir.path() + "/tls.key";
  std::ofstream(key) << std::string(64, 'a') << "\n";
  ASSERT_EQ(chmod(key.c_str(), 0400), 0);
  EXPECT_OK(CheckKeyFileMode(key, "tls.private_key_file"));
  EXPECT_OK(ReadSecretFile(key).status());

  // Group-readable, in the process's own group, no variable: refused by
  // both, each naming the way out.
  unsetenv(kKeyFileGroupVariable);
  ASSERT_EQ(chmod(key.c_str(), 0440), 0);
  EXPECT_THAT(CheckKeyFileMode(key, "tls.private_key_file"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr(kKeyFileGroupVariable)));
  EXPECT_THAT(
      ReadSecretFile(key).status(),
      StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("chmod 600")));

  // With the variable naming the file's group: accepted when that group is
  // not root's (a test run as root has only group 0, which stays refused).
  struct stat st;
  ASSERT_EQ(stat(key.c_str(), &st), 0);
  setenv(kKeyFileGroupVariable, std::to_string(st.st_gid).c_str(), 1);
  if (st.st_gid == 0) {
    EXPECT_THAT(
        CheckKeyFileMode(key, "tls.private_key_file"),
        StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("group 0")));
  } else {
    EXPECT_OK(CheckKeyFileMode(key, "tls.private_key_file"));
    EXPECT_OK(ReadSecretFile(key).status());
  }
  // Others still never.
  ASSERT_EQ(chmod(key.c_str(), 0444), 0);
  EXPECT_THAT(
      CheckKeyFileMode(key, "tls.private_key_file"),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("has mode 0444")));
}

}  // namespace
}  // namespace homeward::auth
