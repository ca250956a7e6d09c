// The programme data loaders against a real RocksDB store in a temp dir: the
// shipped deploy/taxonomy, deploy/programmes and deploy/feasibility files
// load, validate and publish; invalid files, a programme naming an
// unpublished taxonomy version and a grid naming one stop the load. Also the
// programme's grid reference check (CheckProgrammeGrid).
#include "common/programme/programme_files.h"

#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

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
using ::testing::IsEmpty;

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
    grids_ = std::make_unique<FeasibilityGridCatalog>(store_.get(),
                                                      kFeasibilityGridSchema);
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
  std::unique_ptr<FeasibilityGridCatalog> grids_;
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
  // Version 2 names the example grid; the assessment service loads it
  // without grids, so the reference is not checked here.
  EXPECT_EQ(programme->version(), 2);
  EXPECT_EQ(programme->feasibility_grid_id(), "example_grid");
  EXPECT_EQ(programme->feasibility_grid_version(), 1);
  EXPECT_EQ(programme->plan_deadline_days(), 30);
  EXPECT_EQ(programme->plan_deadline_days_vulnerable(), 60);
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

TEST_F(ProgrammeFilesTest, ShippedGridsValidateAgainstTheShippedTaxonomy) {
  ASSERT_THAT(PublishTaxonomyDir(kDeploy + "taxonomy", *taxonomies_,
                                 StartupLoader("taxonomy")),
              ::homeward::testing::IsOk());
  // Every file of deploy/feasibility is validated against the taxonomy
  // version it names; one bad file would stop the load.
  ASSERT_THAT(PublishFeasibilityGridDir(kDeploy + "feasibility", *taxonomies_,
                                        *grids_, StartupLoader("feasibility")),
              ::homeward::testing::IsOk());
  absl::StatusOr<homeward::v1::FeasibilityGrid> grid =
      grids_->Get("example_grid", 1);
  ASSERT_TRUE(grid.ok()) << grid.status();
  EXPECT_THAT(grid->title().at("en"), HasSubstr("EXAMPLE"));
  EXPECT_THAT(grid->provenance(), HasSubstr("EXAMPLE"));
  EXPECT_FALSE(grid->content_sha256().empty());
  // Each economic modality and main social component has a row, with
  // criteria at each of the three levels.
  std::vector<std::string> rows;
  for (const auto& row : grid->rows()) {
    rows.push_back(row.row_id());
    int per_level[4] = {0, 0, 0, 0};
    for (const auto& criterion : row.criteria()) ++per_level[criterion.level()];
    for (int level = 1; level <= 3; ++level) {
      EXPECT_GE(per_level[level], 2) << row.row_id() << " level " << level;
      EXPECT_LE(per_level[level], 4) << row.row_id() << " level " << level;
    }
  }
  EXPECT_THAT(
      rows, ::testing::UnorderedElementsAre(
                "cash_based_assistance", "in_kind_assistance", "job_placement",
                "business_start_up", "collective_business", "community_project",
                "vocational_training", "housing_support", "medical_support",
                "education_support", "documentation_legal",
                "social_protection_enrolment"));
  // The shipped programme's grid reference holds once the grid is
  // published, as the planning service's loader will check it.
  ASSERT_THAT(PublishProgrammeDir(kDeploy + "programmes", *taxonomies_,
                                  *programmes_, StartupLoader("programme")),
              ::homeward::testing::IsOk());
  absl::StatusOr<homeward::v1::Programme> programme =
      programmes_->GetLatest("sn_reintegration");
  ASSERT_TRUE(programme.ok()) << programme.status();
  absl::StatusOr<homeward::v1::FeasibilityGrid> named = grids_->Get(
      programme->feasibility_grid_id(), programme->feasibility_grid_version());
  ASSERT_TRUE(named.ok()) << named.status();
  EXPECT_THAT(CheckProgrammeGrid(*programme, &*named).violations(), IsEmpty());
  // Loading again at the next start publishes nothing new and succeeds.
  EXPECT_THAT(PublishFeasibilityGridDir(kDeploy + "feasibility", *taxonomies_,
                                        *grids_, StartupLoader("feasibility")),
              ::homeward::testing::IsOk());
}

TEST_F(ProgrammeFilesTest, GridNamingAnUnpublishedTaxonomyIsRefused) {
  absl::Status status =
      PublishFeasibilityGridDir(kDeploy + "feasibility", *taxonomies_, *grids_,
                                StartupLoader("feasibility"));
  EXPECT_THAT(status, StatusIs(absl::StatusCode::kFailedPrecondition,
                               AllOf(HasSubstr("feasibility_dir"),
                                     HasSubstr("example_grid.textproto: "
                                               "taxonomy_version: taxonomy "
                                               "'reintegration' version 1 is "
                                               "not published"))));
  EXPECT_THAT(grids_->GetLatest("example_grid"),
              StatusIs(absl::StatusCode::kNotFound));
}

constexpr char kSmallGrid[] = R"txt(
  grid_id: "small" version: 1 taxonomy_id: "reintegration" taxonomy_version: 1
  rows { row_id: "housing_support" dimension: DIMENSION_SOCIAL
         approach { key: "en" value: "Housing support" }
         useful_for: ["housing"]
         criteria { criterion_id: "needs_housing"
                    level: ASSISTANCE_LEVEL_INDIVIDUAL
                    question { key: "en" value: "%s" } } }
)txt";

std::string SmallGrid(const std::string& question) {
  std::string text = kSmallGrid;
  text.replace(text.find("%s"), 2, question);
  return text;
}

TEST_F(ProgrammeFilesTest, InvalidGridFilesAreRefusedNamingFileAndField) {
  ASSERT_THAT(PublishTaxonomyDir(kDeploy + "taxonomy", *taxonomies_,
                                 StartupLoader("taxonomy")),
              ::homeward::testing::IsOk());
  const std::string household = Dir("household");
  WriteFile(household + "/bad.textproto", R"txt(
    grid_id: "bad" version: 1 taxonomy_id: "reintegration" taxonomy_version: 1
    rows { row_id: "housing_support" dimension: DIMENSION_SOCIAL
           approach { key: "en" value: "Housing support" }
           useful_for: ["housing", "shelter"]
           criteria { criterion_id: "household_agrees"
                      level: ASSISTANCE_LEVEL_HOUSEHOLD
                      question { key: "en" value: "Does the household agree?" }
           } }
  )txt");
  absl::Status status = PublishFeasibilityGridDir(
      household, *taxonomies_, *grids_, StartupLoader("feasibility"));
  EXPECT_THAT(status, StatusIs(absl::StatusCode::kFailedPrecondition,
                               AllOf(HasSubstr("feasibility_dir"),
                                     HasSubstr("bad.textproto"),
                                     HasSubstr("rows[0].useful_for[1]"),
                                     HasSubstr("rows[0].criteria[0].level"))));
  EXPECT_THAT(grids_->GetLatest("bad"), StatusIs(absl::StatusCode::kNotFound));
}

TEST_F(ProgrammeFilesTest, PublishedGridVersionCannotChange) {
  ASSERT_THAT(PublishTaxonomyDir(kDeploy + "taxonomy", *taxonomies_,
                                 StartupLoader("taxonomy")),
              ::homeward::testing::IsOk());
  const std::string dir = Dir("grids");
  WriteFile(dir + "/small.textproto", SmallGrid("Needs housing?"));
  ASSERT_THAT(PublishFeasibilityGridDir(dir, *taxonomies_, *grids_,
                                        StartupLoader("feasibility")),
              ::homeward::testing::IsOk());
  WriteFile(dir + "/small.textproto", SmallGrid("Lacks safe housing?"));
  EXPECT_THAT(PublishFeasibilityGridDir(dir, *taxonomies_, *grids_,
                                        StartupLoader("feasibility")),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       HasSubstr("feasibility_dir")));
  absl::StatusOr<homeward::v1::FeasibilityGrid> kept = grids_->Get("small", 1);
  ASSERT_TRUE(kept.ok()) << kept.status();
  EXPECT_EQ(kept->rows(0).criteria(0).question().at("en"), "Needs housing?");
}

// CheckProgrammeGrid: each case sets the programme's grid reference and
// whether the grid it names is published; the expected list is every
// violation, in order.
struct ProgrammeGridCase {
  std::string name;
  std::string grid_id;
  int grid_version;
  bool published;
  std::vector<std::string> fields;
};

class CheckProgrammeGridTest
    : public ::testing::TestWithParam<ProgrammeGridCase> {};

TEST_P(CheckProgrammeGridTest, ReportsExactlyTheBadFields) {
  homeward::v1::Programme programme;
  programme.set_programme_id("sn_reintegration");
  programme.set_feasibility_grid_id(GetParam().grid_id);
  programme.set_feasibility_grid_version(GetParam().grid_version);
  homeward::v1::FeasibilityGrid grid;
  grid.set_grid_id(GetParam().grid_id);
  grid.set_version(GetParam().grid_version);
  const errors::FieldViolations bad =
      CheckProgrammeGrid(programme, GetParam().published ? &grid : nullptr);
  std::vector<std::string> fields;
  for (const auto& v : bad.violations()) fields.push_back(v.field);
  EXPECT_EQ(fields, GetParam().fields);
}

INSTANTIATE_TEST_SUITE_P(
    Rules, CheckProgrammeGridTest,
    ::testing::ValuesIn(std::vector<ProgrammeGridCase>{
        {"NoGridNeedsNoCheck", "", 0, false, {}},
        {"PublishedGridIsFine", "example_grid", 1, true, {}},
        {"UnpublishedGrid",
         "example_grid",
         1,
         false,
         {"feasibility_grid_version"}},
        {"IdWithoutVersion",
         "example_grid",
         0,
         true,
         {"feasibility_grid_version"}},
        {"VersionWithoutId", "", 1, true, {"feasibility_grid_id"}},
        {"NegativeVersion",
         "example_grid",
         -1,
         true,
         {"feasibility_grid_version"}},
        {"BadId", "Example-Grid", 1, true, {"feasibility_grid_id"}},
    }),
    [](const ::testing::TestParamInfo<ProgrammeGridCase>& info) {
      return info.param.name;
    });

}  // namespace
}  // namespace homeward::programme
