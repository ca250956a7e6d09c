// The textproto directory loader over real files in a temporary directory:
// order, ignored files, the custom suffix, and every kind of bad file named.
#include "common/catalog/textproto_dir.h"

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "common/status/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "testing/catalog_entry.pb.h"
#include "tests/fixtures/temp_dir.h"

namespace homeward::catalog {
namespace {

using ::homeward::testing::CatalogEntry;
using ::homeward::testing::StatusIs;
using ::homeward::testing::TempDir;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

void WriteFile(const std::string& path, const std::string& text) {
  std::ofstream out(path);
  out << text;
}

std::vector<std::string> Ids(const std::vector<CatalogEntry>& entries) {
  std::vector<std::string> ids;
  for (const CatalogEntry& e : entries) ids.push_back(e.entry_id());
  return ids;
}

TEST(LoadTextprotoDirTest, LoadsInFileNameOrderAndIgnoresOtherFiles) {
  TempDir dir;
  WriteFile(dir.path() + "/b.textproto", "entry_id: 'second'");
  WriteFile(dir.path() + "/C.textproto", "entry_id: 'upper case sorts first'");
  WriteFile(dir.path() + "/a.textproto", "entry_id: 'first'");
  WriteFile(dir.path() + "/README.md", "not an entry");
  WriteFile(dir.path() + "/a.textproto.bak", "not parsed either");
  std::filesystem::create_directory(dir.path() + "/sub.textproto");
  absl::StatusOr<std::vector<CatalogEntry>> loaded =
      LoadTextprotoDir<CatalogEntry>(dir.path());
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  EXPECT_THAT(Ids(*loaded),
              ElementsAre("upper case sorts first", "first", "second"));
}

TEST(LoadTextprotoDirTest, AnEmptyDirectoryGivesAnEmptyList) {
  TempDir dir;
  EXPECT_THAT(LoadTextprotoDir<CatalogEntry>(dir.path()),
              homeward::testing::IsOkAndHolds(IsEmpty()));
}

TEST(LoadTextprotoDirTest, LoadsAnotherSuffixWhenAsked) {
  TempDir dir;
  WriteFile(dir.path() + "/a.textproto", "entry_id: 'ignored'");
  WriteFile(dir.path() + "/b.offer.txtpb", "entry_id: 'loaded'");
  TextprotoDirOptions<CatalogEntry> options;
  options.suffix = ".offer.txtpb";
  absl::StatusOr<std::vector<CatalogEntry>> loaded =
      LoadTextprotoDir<CatalogEntry>(dir.path(), options);
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  EXPECT_THAT(Ids(*loaded), ElementsAre("loaded"));
}

TEST(LoadTextprotoDirTest, AMissingDirectoryIsNotFoundNamingIt) {
  TempDir dir;
  TextprotoDirOptions<CatalogEntry> options;
  options.what = "service directory";
  EXPECT_THAT(LoadTextprotoDir<CatalogEntry>(dir.path() + "/nope", options),
              StatusIs(absl::StatusCode::kNotFound,
                       HasSubstr("service directory '" + dir.path() +
                                 "/nope' was not found")));
  // A file is not a directory either.
  WriteFile(dir.path() + "/file", "");
  EXPECT_THAT(LoadTextprotoDir<CatalogEntry>(dir.path() + "/file"),
              StatusIs(absl::StatusCode::kNotFound));
}

TEST(LoadTextprotoDirTest, AnUnparsableFileIsNamedWithItsLine) {
  TempDir dir;
  WriteFile(dir.path() + "/a.textproto", "entry_id: 'fine'");
  WriteFile(dir.path() + "/b.textproto", "entry_id: 'x'\nversion: 'one'\n");
  absl::StatusOr<std::vector<CatalogEntry>> loaded =
      LoadTextprotoDir<CatalogEntry>(dir.path());
  EXPECT_THAT(loaded, StatusIs(absl::StatusCode::kInvalidArgument,
                               HasSubstr(dir.path() + "/b.textproto")));
  EXPECT_THAT(loaded.status().message(), HasSubstr("line 2"));
  EXPECT_THAT(loaded.status().message(), Not(HasSubstr("a.textproto")));
}

TEST(LoadTextprotoDirTest, EveryProblemOfEveryFileIsReportedOnItsPath) {
  TempDir dir;
  WriteFile(dir.path() + "/a.textproto", "entry_id: 'one' version: 1");
  WriteFile(dir.path() + "/b.textproto", "entry_id: 'two' version: 0");
  WriteFile(dir.path() + "/c.textproto", "entry_id: 'one' version: 1");
  TextprotoDirOptions<CatalogEntry> options;
  options.check = [](const CatalogEntry& e) {
    errors::FieldViolations bad;
    if (e.version() < 1) bad.Add("version", "must be 1 or more");
    if (e.region().empty()) bad.Add("region", "is required");
    return bad;
  };
  options.identity = [](const CatalogEntry& e) {
    return absl::StrCat("offer '", e.entry_id(), "' version ", e.version());
  };
  absl::StatusOr<std::vector<CatalogEntry>> loaded =
      LoadTextprotoDir<CatalogEntry>(dir.path(), options);
  ASSERT_THAT(loaded, StatusIs(absl::StatusCode::kInvalidArgument));
  const std::string a = dir.path() + "/a.textproto";
  const std::string b = dir.path() + "/b.textproto";
  const std::string c = dir.path() + "/c.textproto";
  std::vector<std::string> reported;
  for (const errors::FieldViolation& v :
       errors::FieldViolationsOf(loaded.status())) {
    reported.push_back(v.field + " | " + v.description);
  }
  EXPECT_THAT(
      reported,
      ElementsAre(a + ": region | is required",
                  b + ": version | must be 1 or more",
                  b + ": region | is required", c + ": region | is required",
                  c +
                      " | offer 'one' version 1 is already defined "
                      "in " +
                      a));
}

}  // namespace
}  // namespace homeward::catalog
