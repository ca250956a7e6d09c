// The versioned catalog over a real RocksDB in a temporary directory, with a
// test-only entry type (protos/testing/catalog_entry.proto) that is not an
// instrument: publish, idempotent republish, refusal of changed content,
// the latest pointer, paged listing, and a schema that does not fit.
#include "common/catalog/versioned_catalog.h"

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/status/status_matchers.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/message_differencer.h"
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
using ::testing::SizeIs;

const CatalogSchema kSchema = {.kind = "offer",
                               .noun = "service offer",
                               .id_field = "entry_id",
                               .index_field = "region"};

CatalogEntry Entry(const std::string& id, int version,
                   const std::string& region = "tunis") {
  CatalogEntry e;
  e.set_entry_id(id);
  e.set_version(version);
  e.set_region(region);
  (*e.mutable_title())["en"] = "Legal aid";
  (*e.mutable_title())["fr"] = "Aide juridique";
  return e;
}

// Equal field by field (map order on the wire is not defined).
bool Same(const CatalogEntry& a, const CatalogEntry& b) {
  return google::protobuf::util::MessageDifferencer::Equals(a, b);
}

class VersionedCatalogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto store = storage::Store::Open({.path = dir_.path() + "/db"});
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = std::move(store).value();
    catalog_ =
        std::make_unique<VersionedCatalog<CatalogEntry>>(store_.get(), kSchema);
    loader_.principal.set_user_id("loader");
    loader_.method = "startup/LoadOffers";
  }

  CatalogEntry MustPublish(const CatalogEntry& e) {
    absl::StatusOr<CatalogEntry> stored = catalog_->Publish(loader_, e);
    EXPECT_TRUE(stored.ok()) << stored.status();
    return stored.ok() ? *stored : CatalogEntry();
  }

  // "<id>@<version>" of every entry listed, page by page of `page_size`.
  std::vector<std::string> ListAll(int page_size, const std::string& region) {
    std::vector<std::string> all;
    std::string token;
    do {
      absl::StatusOr<storage::Page<CatalogEntry>> page =
          region.empty() ? catalog_->List(page_size, token)
                         : catalog_->ListWhere(region, page_size, token);
      EXPECT_TRUE(page.ok()) << page.status();
      if (!page.ok()) break;
      EXPECT_LE(page->items.size(), static_cast<size_t>(page_size));
      for (const CatalogEntry& e : page->items) {
        all.push_back(absl::StrCat(e.entry_id(), "@", e.version()));
      }
      token = page->next_page_token;
    } while (!token.empty());
    return all;
  }

  TempDir dir_;
  std::unique_ptr<storage::Store> store_;
  std::unique_ptr<VersionedCatalog<CatalogEntry>> catalog_;
  service::Actor loader_;
};

TEST_F(VersionedCatalogTest, PublishStampsHashAndTimeAndAudits) {
  CatalogEntry sent = Entry("legal_aid", 1);
  sent.set_content_sha256("made up by the client");
  CatalogEntry stored = MustPublish(sent);
  EXPECT_EQ(stored.content_sha256(),
            catalog_->ContentHash(Entry("legal_aid", 1)));
  EXPECT_THAT(stored.content_sha256(), SizeIs(64));
  EXPECT_GT(stored.publish_time().seconds(), 0);
  absl::StatusOr<CatalogEntry> read = catalog_->Get("legal_aid", 1);
  ASSERT_TRUE(read.ok()) << read.status();
  EXPECT_TRUE(Same(*read, stored));

  auto audit = store_->ReadAudit(0, 10);
  ASSERT_TRUE(audit.ok()) << audit.status();
  ASSERT_THAT(*audit, SizeIs(1));
  EXPECT_EQ((*audit)[0].subject_id(), "legal_aid@0000000001");
  EXPECT_EQ((*audit)[0].user_id(), "loader");
}

TEST_F(VersionedCatalogTest, RepublishingTheSameContentReturnsTheStoredEntry) {
  CatalogEntry first = MustPublish(Entry("legal_aid", 1));
  const uint64_t generation = store_->CommitGeneration();
  // The same content with the map filled in another order, and with
  // output-only fields a client made up.
  CatalogEntry again;
  again.set_entry_id("legal_aid");
  again.set_version(1);
  again.set_region("tunis");
  (*again.mutable_title())["fr"] = "Aide juridique";
  (*again.mutable_title())["en"] = "Legal aid";
  again.mutable_publish_time()->set_seconds(7);
  again.set_content_sha256("0000");
  CatalogEntry second = MustPublish(again);
  EXPECT_TRUE(Same(second, first));
  EXPECT_EQ(store_->CommitGeneration(), generation) << "wrote something";
}

TEST_F(VersionedCatalogTest, ChangedContentUnderAPublishedVersionIsRefused) {
  CatalogEntry first = MustPublish(Entry("legal_aid", 1));
  CatalogEntry changed = Entry("legal_aid", 1);
  changed.add_notes("open on Saturdays");
  const uint64_t generation = store_->CommitGeneration();
  EXPECT_THAT(
      catalog_->Publish(loader_, changed),
      StatusIs(absl::StatusCode::kAlreadyExists,
               HasSubstr("service offer version 'legal_aid@1 with other "
                         "content: published versions never change, so "
                         "publish the change as a new version'")));
  EXPECT_EQ(store_->CommitGeneration(), generation) << "wrote something";
  absl::StatusOr<CatalogEntry> read = catalog_->GetLatest("legal_aid");
  ASSERT_TRUE(read.ok()) << read.status();
  EXPECT_TRUE(Same(*read, first));
  // As a new version it is fine.
  changed.set_version(2);
  EXPECT_THAT(MustPublish(changed).notes(), ElementsAre("open on Saturdays"));
}

TEST_F(VersionedCatalogTest, LatestIsTheHighestVersionWhateverTheOrder) {
  EXPECT_THAT(catalog_->GetLatest("legal_aid"),
              StatusIs(absl::StatusCode::kNotFound,
                       HasSubstr("service offer 'legal_aid' was not found")));
  MustPublish(Entry("legal_aid", 2));
  MustPublish(Entry("legal_aid", 1));  // an older version published later
  absl::StatusOr<CatalogEntry> latest = catalog_->Get("legal_aid", 0);
  ASSERT_TRUE(latest.ok()) << latest.status();
  EXPECT_EQ(latest->version(), 2);
  MustPublish(Entry("legal_aid", 10));
  latest = catalog_->GetLatest("legal_aid");
  ASSERT_TRUE(latest.ok()) << latest.status();
  EXPECT_EQ(latest->version(), 10);
  // Every version stays readable; a missing one names id and version.
  EXPECT_THAT(catalog_->Get("legal_aid", 1),
              homeward::testing::IsOkAndHolds(
                  ::testing::Property(&CatalogEntry::version, 1)));
  EXPECT_THAT(
      catalog_->Get("legal_aid", 3),
      StatusIs(absl::StatusCode::kNotFound,
               HasSubstr("service offer version 'legal_aid@3' was not found")));
}

TEST_F(VersionedCatalogTest, ListsEveryVersionByIdThenVersionInPages) {
  MustPublish(Entry("b_offer", 1, "sfax"));
  MustPublish(Entry("a_offer", 10));
  MustPublish(Entry("a_offer", 2, "sfax"));
  MustPublish(Entry("a_offer", 1));
  // Version 10 after version 2: numeric, not text, order.
  const std::vector<std::string> all = {"a_offer@1", "a_offer@2", "a_offer@10",
                                        "b_offer@1"};
  for (int page_size : {1, 2, 3, 10}) {
    EXPECT_EQ(ListAll(page_size, ""), all) << "page size " << page_size;
  }
  EXPECT_THAT(ListAll(1, "sfax"), ElementsAre("a_offer@2", "b_offer@1"));
  EXPECT_THAT(ListAll(10, "tunis"), ElementsAre("a_offer@1", "a_offer@10"));
  EXPECT_THAT(ListAll(10, "gabes"), IsEmpty());
}

TEST_F(VersionedCatalogTest, IndexesAnEnumFieldByItsNumber) {
  const CatalogSchema by_area = {
      .kind = "offer", .id_field = "entry_id", .index_field = "area"};
  VersionedCatalog<CatalogEntry> offers(store_.get(), by_area);
  CatalogEntry legal = Entry("legal_aid", 1);
  legal.set_area(homeward::testing::OFFER_AREA_LEGAL);
  ASSERT_OK(offers.Publish(loader_, legal).status());
  CatalogEntry clinic = Entry("clinic", 1);
  clinic.set_area(homeward::testing::OFFER_AREA_HEALTH);
  ASSERT_OK(offers.Publish(loader_, clinic).status());
  absl::StatusOr<storage::Page<CatalogEntry>> page = offers.ListWhere(
      absl::StrCat(homeward::testing::OFFER_AREA_HEALTH), 10, "");
  ASSERT_TRUE(page.ok()) << page.status();
  ASSERT_THAT(page->items, SizeIs(1));
  EXPECT_EQ(page->items[0].entry_id(), "clinic");
}

TEST_F(VersionedCatalogTest, RefusesAnEmptyIdOrAVersionBelowOne) {
  EXPECT_THAT(
      catalog_->Publish(loader_, Entry("", 1)),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("entry_id")));
  EXPECT_THAT(catalog_->Publish(loader_, Entry("legal_aid", 0)),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("version: must be 1 or more")));
  EXPECT_THAT(ListAll(10, ""), IsEmpty());
}

TEST_F(VersionedCatalogTest, ASchemaThatDoesNotFitTheTypeFailsEveryCall) {
  const CatalogSchema wrong = {.kind = "offer", .id_field = "offer_id"};
  VersionedCatalog<CatalogEntry> offers(store_.get(), wrong);
  EXPECT_THAT(offers.Publish(loader_, Entry("legal_aid", 1)),
              StatusIs(absl::StatusCode::kInternal,
                       HasSubstr("has no singular string field 'offer_id'")));
  EXPECT_THAT(offers.Get("legal_aid", 1),
              StatusIs(absl::StatusCode::kInternal));
  EXPECT_THAT(offers.List(10, ""), StatusIs(absl::StatusCode::kInternal));
  // A field of the wrong type is refused as well.
  const CatalogSchema region_as_version = {
      .kind = "offer", .id_field = "entry_id", .version_field = "region"};
  VersionedCatalog<CatalogEntry> misnumbered(store_.get(), region_as_version);
  EXPECT_THAT(misnumbered.Get("legal_aid", 1),
              StatusIs(absl::StatusCode::kInternal,
                       HasSubstr("has no singular int32 field 'region'")));
}

// The keys are the ones instrument data directories already hold (kind
// "instrument"): changing them would lose every published instrument.
TEST_F(VersionedCatalogTest, KeepsItsRecordsUnderStableKeys) {
  MustPublish(Entry("legal_aid", 7));
  const uint32_t p = storage::kConfigurationPartition;
  CatalogEntry record;
  EXPECT_THAT(
      store_->GetRecord(p, "offer", "legal_aid@0000000007", &record, nullptr),
      homeward::testing::IsOkAndHolds(true));
  CatalogEntry pointer;
  EXPECT_THAT(
      store_->GetRecord(p, "offer_latest", "legal_aid", &pointer, nullptr),
      homeward::testing::IsOkAndHolds(true));
  EXPECT_EQ(pointer.version(), 7);
  EXPECT_EQ(pointer.entry_id(), "");  // the pointer holds the version only
  absl::StatusOr<storage::IndexPage> ids =
      store_->ListIndex({p}, "offer_by_region", "tunis", 10, "");
  ASSERT_TRUE(ids.ok()) << ids.status();
  ASSERT_THAT(ids->entries, SizeIs(1));
  EXPECT_EQ(ids->entries[0].id, "legal_aid@0000000007");
}

TEST_F(VersionedCatalogTest, IdentityNamesIdAndVersion) {
  EXPECT_EQ(catalog_->Identity(Entry("legal_aid", 3)),
            "service offer 'legal_aid' version 3");
}

}  // namespace
}  // namespace homeward::catalog
