// homeward-bulk-load's loader against the real assessment service: cases
// written offline into a data directory through the CaseStore are what the
// service started on that directory afterwards lists (every page complete,
// no case missing or repeated) and reads by id; loading again with the same
// request-id prefix writes nothing new.
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "homeward/v1/cases.grpc.pb.h"
#include "services/assessment/assessment_server.h"
#include "tests/fixtures/assessment_server.h"
#include "tests/fixtures/case_fixtures.h"
#include "tests/fixtures/temp_dir.h"
#include "tools/bulk_load/case_bulk_load.h"

namespace homeward::bulk_load {
namespace {

using ::homeward::testing::MakePrincipal;
using ::homeward::testing::SignAs;
using ::homeward::testing::TempDir;

constexpr char kOffice[] = "office-bulk";
constexpr char kManager[] = "cm-bulk";
constexpr int kCases = 2000;
constexpr int kPageSize = 50;

TEST(BulkLoadTest, ServiceListsAndReadsExactlyTheLoadedCases) {
  TempDir dir;
  BulkLoadOptions options;
  options.data_dir = dir.path();
  options.office_id = kOffice;
  options.case_manager_id = kManager;
  options.cases = kCases;
  options.in_flight = 512;
  options.keep_ids = true;
  absl::StatusOr<BulkLoadResult> loaded = LoadCases(options);
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  ASSERT_EQ(loaded->case_ids.size(), static_cast<size_t>(kCases));
  const std::set<std::string> expected(loaded->case_ids.begin(),
                                       loaded->case_ids.end());
  ASSERT_EQ(expected.size(), static_cast<size_t>(kCases));
  // The same prefix again: every registration is a replay of its case.
  options.keep_ids = false;
  ASSERT_TRUE(LoadCases(options).ok());

  auto server = assessment::AssessmentServer::Start(
      testing::WithShippedProgrammeData(
          testing::LoopbackServiceConfig(dir.path())),
      testing::kTestSecret);
  ASSERT_TRUE(server.ok()) << server.status();
  auto cases = homeward::v1::CaseService::NewStub(
      testing::LoopbackChannel((*server)->port()));
  const auto manager =
      MakePrincipal(kManager, homeward::v1::ROLE_CASE_MANAGER, {kOffice});

  std::set<std::string> listed;
  std::vector<int> page_sizes;
  std::string token;
  do {
    homeward::v1::ListCasesRequest request;
    request.set_office_id(kOffice);
    request.mutable_page()->set_page_size(kPageSize);
    request.mutable_page()->set_page_token(token);
    homeward::v1::ListCasesResponse page;
    grpc::ClientContext context;
    SignAs(manager, &context);
    grpc::Status status = cases->ListCases(&context, request, &page);
    ASSERT_TRUE(status.ok()) << status.error_message();
    page_sizes.push_back(page.cases_size());
    for (const homeward::v1::Case& c : page.cases()) {
      EXPECT_EQ(c.office_id(), kOffice);
      EXPECT_TRUE(listed.insert(c.case_id()).second)
          << "listed twice: " << c.case_id();
    }
    token = page.next_page_token();
    ASSERT_LE(page_sizes.size(), static_cast<size_t>(kCases / kPageSize + 1));
  } while (!token.empty());
  EXPECT_EQ(listed, expected);
  // Every page full: 40 pages of 50 (a last empty page is allowed).
  ASSERT_GE(page_sizes.size(), static_cast<size_t>(kCases / kPageSize));
  for (size_t i = 0; i < static_cast<size_t>(kCases / kPageSize); ++i) {
    EXPECT_EQ(page_sizes[i], kPageSize) << "page " << i;
  }
  for (size_t i = kCases / kPageSize; i < page_sizes.size(); ++i) {
    EXPECT_EQ(page_sizes[i], 0) << "page " << i;
  }

  homeward::v1::GetCaseRequest get;
  get.set_case_id(loaded->case_ids[1234]);
  homeward::v1::Case read;
  grpc::ClientContext context;
  SignAs(manager, &context);
  grpc::Status status = cases->GetCase(&context, get, &read);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(read.case_id(), loaded->case_ids[1234]);
  EXPECT_EQ(read.case_manager_id(), kManager);
  EXPECT_EQ(read.stage(), homeward::v1::CASE_STAGE_INTAKE);
  EXPECT_EQ(read.returnee().family_name(), "1234");
}

TEST(BulkLoadTest, DirectoryOfAnotherPartitionCountIsRefused) {
  TempDir dir;
  BulkLoadOptions options;
  options.data_dir = dir.path();
  options.office_id = kOffice;
  options.case_manager_id = kManager;
  options.cases = 10;
  ASSERT_TRUE(LoadCases(options).ok());
  options.partition_count = 32;
  EXPECT_EQ(LoadCases(options).status().code(),
            absl::StatusCode::kFailedPrecondition);
}

}  // namespace
}  // namespace homeward::bulk_load
