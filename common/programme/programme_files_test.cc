// The programme data loaders against a real RocksDB store in a temp dir: the
// shipped deploy/taxonomy and deploy/programmes files load, validate and
// publish; invalid files and a programme naming an unpublished taxonomy
// version stop the load.
#include "common/programme/programme_files.h"

#include <filesystem>
#include <fstream>
#include <memory>
#include <string>

#include "common/status/status_matchers.h"
#include "common/storage/store.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/fixtures/temp_dir.h"

namespace homeward::programme {
namespace {

using ::homeward::testing::StatusIs;
using ::homeward::testing::TempDir;
using ::testing::AllOf;
using ::testing::HasSubstr;

const std::string kDeploy = std::string(HOMEWARD_SOURCE_DIR) + "/deploy/";

void WriteFile(const std::string& path, const std::string& text) {
  std::ofstream out(path);
  out << text;
}

class ProgrammeFilesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto store = storage::Store::Open({.path = dir_.path() + "/db"});
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = std::move(store).value();
    taxonomies_ =
        std::make_unique<TaxonomyCatalog>(store_.get(), kTaxonomySchema);
    programmes_ =
        std::make_unique<ProgrammeCatalog>(store_.get(), kProgrammeSchema);
  }

  // A fresh directory under the test's temp dir.
  std::string Dir(const std::string& name) {
    const std::string path = dir_.path() + "/" + name;
    std::filesystem::create_directories(path);
    return path;
  }

  TempDir dir_;
  std::unique_ptr<storage::Store> store_;
  std::unique_ptr<TaxonomyCatalog> taxonomies_;
  std::unique_ptr<ProgrammeCatalog> programmes_;
};

TEST_F(ProgrammeFilesTest, ShippedTaxonomyAndProgrammesLoadAndValidate) {
  ASSERT_THAT(PublishTaxonomyDir(kDeploy + "taxonomy", *taxonomies_,
                                 StartupLoader("taxonomy")),
              ::homeward::testing::IsOk());
  ASSERT_THAT(PublishProgrammeDir(kDeploy + "programmes", *taxonomies_,
                                  *programmes_, StartupLoader("programme")),
              ::homeward::testing::IsOk());
  absl::StatusOr<homeward::v1::Taxonomy> taxonomy =
      taxonomies_->GetLatest("reintegration");
  ASSERT_TRUE(taxonomy.ok()) << taxonomy.status();
  EXPECT_EQ(taxonomy->version(), 1);
  EXPECT_EQ(taxonomy->components_size(), 23);
  absl::StatusOr<homeward::v1::Programme> programme =
      programmes_->GetLatest("sn_reintegration");
  ASSERT_TRUE(programme.ok()) << programme.status();
  EXPECT_EQ(programme->taxonomy_id(), "reintegration");
  // Loading again at the next start publishes nothing new and succeeds.
  EXPECT_THAT(PublishProgrammeDir(kDeploy + "programmes", *taxonomies_,
                                  *programmes_, StartupLoader("programme")),
              ::homeward::testing::IsOk());
}

TEST_F(ProgrammeFilesTest, ProgrammeNamingAnUnpublishedTaxonomyIsRefused) {
  // No taxonomy published: the shipped programme names reintegration@1.
  absl::Status status =
      PublishProgrammeDir(kDeploy + "programmes", *taxonomies_, *programmes_,
                          StartupLoader("programme"));
  EXPECT_THAT(status,
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       AllOf(HasSubstr("programmes_dir"),
                             HasSubstr("sn_reintegration.textproto: "
                                       "taxonomy_version: taxonomy "
                                       "'reintegration' version 1 is not "
                                       "published"))));
  EXPECT_THAT(programmes_->GetLatest("sn_reintegration"),
              StatusIs(absl::StatusCode::kNotFound));
}

TEST_F(ProgrammeFilesTest, InvalidFilesAreRefusedNamingFileAndField) {
  const std::string taxonomy_dir = Dir("taxonomy");
  WriteFile(taxonomy_dir + "/bad.textproto", R"txt(
    taxonomy_id: "reintegration" version: 1
    components { component_id: "housing" label { key: "en" value: "Housing" } }
  )txt");
  EXPECT_THAT(
      PublishTaxonomyDir(taxonomy_dir, *taxonomies_, StartupLoader("taxonomy")),
      StatusIs(absl::StatusCode::kFailedPrecondition,
               HasSubstr("bad.textproto: components[0].dimension")));
  ASSERT_THAT(PublishTaxonomyDir(kDeploy + "taxonomy", *taxonomies_,
                                 StartupLoader("taxonomy")),
              ::homeward::testing::IsOk());
  const std::string programmes_dir = Dir("programmes");
  WriteFile(programmes_dir + "/bad.textproto", R"txt(
    programme_id: "bad" version: 1 name: "Bad" countries: ["ZZ"]
    budget_ceiling { currency_code: "XOF" amount_minor: 1 }
    plan_deadline_days: 30 follow_up { months_after_return: [1] }
    taxonomy_id: "reintegration" taxonomy_version: 1
  )txt");
  EXPECT_THAT(PublishProgrammeDir(programmes_dir, *taxonomies_, *programmes_,
                                  StartupLoader("programme")),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       HasSubstr("bad.textproto: countries[0]")));
}

}  // namespace
}  // namespace homeward::programme
