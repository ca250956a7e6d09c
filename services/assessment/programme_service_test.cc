// ProgrammeService through a real assessment server on a loopback port, with
// the shipped programme data (deploy/taxonomy, deploy/programmes) published
// at start into a real RocksDB in a temporary directory.
#include <memory>
#include <string>
#include <vector>

#include "common/status/grpc_status.h"
#include "common/status/status_matchers.h"
#include "gmock/gmock.h"
#include "grpcpp/create_channel.h"
#include "gtest/gtest.h"
#include "homeward/v1/instruments.grpc.pb.h"
#include "homeward/v1/taxonomy.grpc.pb.h"
#include "services/assessment/assessment_server.h"
#include "tests/fixtures/assessment_server.h"
#include "tests/fixtures/case_fixtures.h"
#include "tests/fixtures/temp_dir.h"

namespace homeward::assessment {
namespace {

using ::homeward::testing::MakePrincipal;
using ::homeward::testing::SignAs;
using ::homeward::testing::TempDir;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

const auto kMonitor =
    MakePrincipal("mo-1", homeward::v1::ROLE_MONITORING_OFFICER, {});
const auto kAdmin =
    MakePrincipal("admin-1", homeward::v1::ROLE_ADMINISTRATOR, {});

class ProgrammeServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto server = AssessmentServer::Start(
        homeward::testing::WithShippedProgrammeData(
            homeward::testing::LoopbackServiceConfig(dir_.path())),
        homeward::testing::kTestSecret);
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = std::move(server).value();
    auto channel = homeward::testing::LoopbackChannel(server_->port());
    programmes_ = homeward::v1::ProgrammeService::NewStub(channel);
    instruments_ = homeward::v1::InstrumentService::NewStub(channel);
  }

  void TearDown() override {
    if (server_ != nullptr) server_->Shutdown(absl::Seconds(1));
  }

  grpc::Status GetTaxonomy(const std::string& id, int version,
                           homeward::v1::Taxonomy* out) {
    grpc::ClientContext ctx;
    SignAs(kMonitor, &ctx);
    homeward::v1::GetTaxonomyRequest req;
    req.set_taxonomy_id(id);
    req.set_version(version);
    return programmes_->GetTaxonomy(&ctx, req, out);
  }

  grpc::Status GetProgramme(const std::string& id, int version,
                            homeward::v1::Programme* out) {
    grpc::ClientContext ctx;
    SignAs(kMonitor, &ctx);
    homeward::v1::GetProgrammeRequest req;
    req.set_programme_id(id);
    req.set_version(version);
    return programmes_->GetProgramme(&ctx, req, out);
  }

  TempDir dir_;
  std::unique_ptr<AssessmentServer> server_;
  std::unique_ptr<homeward::v1::ProgrammeService::Stub> programmes_;
  std::unique_ptr<homeward::v1::InstrumentService::Stub> instruments_;
};

TEST_F(ProgrammeServiceTest, AnyRoleReadsTheTaxonomyLatestOrByVersion) {
  homeward::v1::Taxonomy latest;
  ASSERT_TRUE(GetTaxonomy("reintegration", 0, &latest).ok());
  EXPECT_EQ(latest.version(), 1);
  EXPECT_EQ(latest.components_size(), 23);
  EXPECT_FALSE(latest.content_sha256().empty());
  homeward::v1::Taxonomy v1;
  ASSERT_TRUE(GetTaxonomy("reintegration", 1, &v1).ok());
  EXPECT_EQ(v1.content_sha256(), latest.content_sha256());
}

TEST_F(ProgrammeServiceTest, GetProgrammeReturnsTheShippedExample) {
  homeward::v1::Programme p;
  ASSERT_TRUE(GetProgramme("sn_reintegration", 0, &p).ok());
  EXPECT_EQ(p.version(), 2);  // version 2 names the example grid
  EXPECT_THAT(p.countries(), ElementsAre("SN", "GM", "GN", "ML"));
  EXPECT_EQ(p.budget_ceiling().currency_code(), "XOF");
  EXPECT_EQ(p.taxonomy_id(), "reintegration");
}

TEST_F(ProgrammeServiceTest, RefusalsNameTheFieldOrTheMissingEntry) {
  homeward::v1::Taxonomy t;
  grpc::Status missing_id = GetTaxonomy("", 0, &t);
  EXPECT_EQ(missing_id.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(missing_id.error_message(), HasSubstr("taxonomy_id"));
  grpc::Status negative = GetTaxonomy("reintegration", -1, &t);
  EXPECT_EQ(negative.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(negative.error_message(), HasSubstr("version"));
  grpc::Status unknown_version = GetTaxonomy("reintegration", 7, &t);
  EXPECT_EQ(unknown_version.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_THAT(unknown_version.error_message(), HasSubstr("reintegration@7"));
  homeward::v1::Programme p;
  EXPECT_EQ(GetProgramme("nowhere", 0, &p).error_code(),
            grpc::StatusCode::NOT_FOUND);
  // Unauthenticated callers read nothing.
  grpc::ClientContext anonymous;
  homeward::v1::GetProgrammeRequest req;
  req.set_programme_id("sn_reintegration");
  EXPECT_EQ(programmes_->GetProgramme(&anonymous, req, &p).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
}

TEST_F(ProgrammeServiceTest, ListProgrammesPages) {
  grpc::ClientContext ctx;
  SignAs(kMonitor, &ctx);
  homeward::v1::ListProgrammesRequest req;
  req.mutable_page()->set_page_size(1);
  homeward::v1::ListProgrammesResponse resp;
  ASSERT_TRUE(programmes_->ListProgrammes(&ctx, req, &resp).ok());
  ASSERT_EQ(resp.programmes_size(), 1);
  EXPECT_EQ(resp.programmes(0).programme_id(), "sn_reintegration");
  EXPECT_TRUE(resp.next_page_token().empty());
  grpc::ClientContext bad_ctx;
  SignAs(kMonitor, &bad_ctx);
  req.mutable_page()->set_page_size(-1);
  EXPECT_EQ(programmes_->ListProgrammes(&bad_ctx, req, &resp).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
}

// PublishInstrument checks rules against the published taxonomy.
TEST_F(ProgrammeServiceTest,
       PublishInstrumentRefusesCategoriesOutsideTaxonomy) {
  homeward::v1::PublishInstrumentRequest req;
  auto* d = req.mutable_instrument();
  d->set_instrument_id("tiny");
  d->set_version(1);
  d->set_kind(homeward::v1::INSTRUMENT_KIND_RISK_ASSESSMENT);
  d->set_taxonomy_id("reintegration");
  d->set_taxonomy_version(1);
  auto* item = d->add_items();
  item->set_id("q");
  (*item->mutable_question())["en"] = "Q?";
  item->set_answer_type(homeward::v1::ANSWER_TYPE_YES_NO);
  item->add_options()->set_id("yes");
  item->add_options()->set_id("no");
  auto* need = d->add_need_rules();
  need->set_code("NEED");
  need->set_dimension(homeward::v1::DIMENSION_ECONOMIC);
  need->set_category("livelihood");
  (*need->mutable_description())["en"] = "A need";
  need->set_priority(homeward::v1::NEED_PRIORITY_LOW);
  need->add_all_of()->set_item_id("q");
  need->mutable_all_of(0)->add_any_of_options("yes");
  homeward::v1::InstrumentDefinition out;
  {
    grpc::ClientContext ctx;
    SignAs(kAdmin, &ctx);
    grpc::Status status = instruments_->PublishInstrument(&ctx, req, &out);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_THAT(status.error_message(),
                HasSubstr("instrument.need_rules[0].category"));
  }
  {
    d->set_taxonomy_version(2);
    need->set_category("employment");
    grpc::ClientContext ctx;
    SignAs(kAdmin, &ctx);
    grpc::Status status = instruments_->PublishInstrument(&ctx, req, &out);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_THAT(status.error_message(),
                HasSubstr("instrument.taxonomy_version"));
  }
  d->set_taxonomy_version(1);
  grpc::ClientContext ctx;
  SignAs(kAdmin, &ctx);
  EXPECT_TRUE(instruments_->PublishInstrument(&ctx, req, &out).ok());
}

}  // namespace
}  // namespace homeward::assessment
