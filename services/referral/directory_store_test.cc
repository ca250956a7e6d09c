// The directory store over a real RocksDB in a temporary directory: ids
// derived from request ids, idempotent replays, etags as versions (a stale
// one changes nothing), index entries following updates, and search with
// each filter and with pages.
#include "services/referral/directory_store.h"

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/synchronization/notification.h"
#include "common/status/status_matchers.h"
#include "common/storage/store.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/fixtures/temp_dir.h"

namespace homeward::referral {
namespace {

using ::homeward::testing::IsOk;
using ::homeward::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::ElementsAreArray;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using v1::HumanService;
using v1::Location;
using v1::Organization;

// Runs an asynchronous write to its end.
template <typename T>
class Waiter {
 public:
  service::WriteDone<T> Done() {
    return [this](absl::StatusOr<T> result) {
      result_ = std::move(result);
      done_.Notify();
    };
  }
  absl::StatusOr<T> Result() {
    done_.WaitForNotification();
    return std::move(result_);
  }

 private:
  absl::Notification done_;
  absl::StatusOr<T> result_ = absl::UnknownError("not run");
};

service::Actor Admin() {
  service::Actor a;
  a.principal.set_user_id("admin-1");
  a.principal.set_role(v1::ROLE_ADMINISTRATOR);
  a.method = "test";
  return a;
}

class DirectoryStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto store = storage::Store::Open({.path = dir_.path() + "/db"});
    ASSERT_THAT(store.status(), IsOk());
    store_ = std::move(*store);
    directory_ = std::make_unique<DirectoryStore>(store_.get());
  }

  absl::StatusOr<Organization> CreateOrganization(const std::string& request,
                                                  Organization o) {
    Waiter<Organization> w;
    directory_->CreateOrganization(Admin(), request, std::move(o), w.Done());
    return w.Result();
  }
  absl::StatusOr<Location> CreateLocation(const std::string& request,
                                          Location l) {
    Waiter<Location> w;
    directory_->CreateLocation(Admin(), request, std::move(l), w.Done());
    return w.Result();
  }
  absl::StatusOr<HumanService> CreateService(const std::string& request,
                                             HumanService s) {
    Waiter<HumanService> w;
    directory_->CreateService(Admin(), request, std::move(s), w.Done());
    return w.Result();
  }
  absl::StatusOr<HumanService> UpdateService(const std::string& request,
                                             HumanService s) {
    Waiter<HumanService> w;
    absl::Status started =
        directory_->UpdateService(Admin(), request, std::move(s), w.Done());
    if (!started.ok()) return started;
    return w.Result();
  }
  absl::StatusOr<HumanService> SetCapacity(const std::string& request,
                                           const std::string& id,
                                           const std::string& etag,
                                           v1::CapacityStatus status,
                                           int wait = 0) {
    v1::ServiceCapacity c;
    c.set_status(status);
    c.set_expected_wait_days(wait);
    Waiter<HumanService> w;
    absl::Status started =
        directory_->SetCapacity(Admin(), request, id, etag, c, w.Done());
    if (!started.ok()) return started;
    return w.Result();
  }

  static Organization Org(const std::string& id) {
    Organization o;
    o.set_organization_id(id);
    o.set_name("Organization " + id);
    return o;
  }
  static HumanService Service(const std::string& id, const std::string& org,
                              const std::string& component,
                              const std::string& area,
                              const std::string& language, int min_age = 0,
                              int max_age = 0) {
    HumanService s;
    s.set_service_id(id);
    s.set_organization_id(org);
    s.set_name("Service " + id);
    s.set_status(v1::SERVICE_STATUS_ACTIVE);
    s.add_components(component);
    s.add_service_areas()->set_name(area);
    s.add_languages(language);
    s.set_minimum_age(min_age);
    s.set_maximum_age(max_age);
    return s;
  }

  std::vector<std::string> SearchIds(v1::SearchServicesRequest r) {
    std::vector<std::string> ids;
    auto page = directory_->Search(r);
    EXPECT_THAT(page.status(), IsOk());
    if (!page.ok()) return ids;
    for (const auto& s : page->items) ids.push_back(s.service_id());
    EXPECT_THAT(page->next_page_token, IsEmpty());
    return ids;
  }

  testing::TempDir dir_;
  std::unique_ptr<storage::Store> store_;
  std::unique_ptr<DirectoryStore> directory_;
};

TEST_F(DirectoryStoreTest, CreateDerivesTheIdFromTheRequestIdAndReplays) {
  Organization o = Org("");
  auto first = CreateOrganization("req-org-1", o);
  ASSERT_THAT(first.status(), IsOk());
  EXPECT_EQ(first->organization_id(),
            DirectoryStore::DerivedId("org", "req-org-1"));
  EXPECT_EQ(first->organization_id().size(), 4u + 16u);  // "org-" + 16 hex
  EXPECT_EQ(first->etag(), "1");

  // A retry (e.g. a second replica's copy of the write) answers the same
  // entry and writes nothing more.
  o.set_name("Another name");
  auto again = CreateOrganization("req-org-1", o);
  ASSERT_THAT(again.status(), IsOk());
  EXPECT_EQ(again->organization_id(), first->organization_id());
  EXPECT_EQ(again->name(), "Organization ");
  EXPECT_EQ(again->etag(), "1");
  auto list = directory_->ListOrganizations(50, "");
  ASSERT_THAT(list.status(), IsOk());
  EXPECT_EQ(list->items.size(), 1u);

  // The same id under another request id exists already.
  EXPECT_THAT(CreateOrganization("req-org-2", Org(first->organization_id())),
              StatusIs(absl::StatusCode::kAlreadyExists,
                       HasSubstr(first->organization_id())));
}

TEST_F(DirectoryStoreTest, GetNamesTheMissingId) {
  EXPECT_THAT(directory_->GetService("svc-none"),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("svc-none")));
  EXPECT_THAT(directory_->GetOrganization("org-none"),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("org-none")));
}

TEST_F(DirectoryStoreTest, StaleEtagIsAbortedAndWritesNothing) {
  ASSERT_THAT(CreateOrganization("r1", Org("org-a")).status(), IsOk());
  auto created = CreateService(
      "r2", Service("svc-1", "org-a", "skills_training", "Dakar", "fr"));
  ASSERT_THAT(created.status(), IsOk());
  EXPECT_EQ(created->etag(), "1");

  HumanService edit = *created;
  edit.set_name("Renamed");
  auto updated = UpdateService("r3", edit);
  ASSERT_THAT(updated.status(), IsOk());
  EXPECT_EQ(updated->etag(), "2");

  HumanService stale = *created;  // etag "1"
  stale.set_name("Lost update");
  EXPECT_THAT(UpdateService("r4", stale),
              StatusIs(absl::StatusCode::kAborted, HasSubstr("svc-1")));
  auto now = directory_->GetService("svc-1");
  ASSERT_THAT(now.status(), IsOk());
  EXPECT_EQ(now->name(), "Renamed");
  EXPECT_EQ(now->etag(), "2");

  // Replaying the applied update (its etag is stale by now) answers the
  // entry as it is instead of ABORTED, and writes nothing.
  auto replay = UpdateService("r3", edit);
  ASSERT_THAT(replay.status(), IsOk());
  EXPECT_EQ(replay->etag(), "2");
  EXPECT_EQ(directory_->GetService("svc-1")->etag(), "2");

  // The capacity follows the same rule.
  EXPECT_THAT(
      SetCapacity("r5", "svc-1", "1", v1::CAPACITY_STATUS_AVAILABLE),
      StatusIs(absl::StatusCode::kAborted));
  auto capacity =
      SetCapacity("r6", "svc-1", "2", v1::CAPACITY_STATUS_WAITLIST, 10);
  ASSERT_THAT(capacity.status(), IsOk());
  EXPECT_EQ(capacity->etag(), "3");
  EXPECT_EQ(capacity->capacity().status(), v1::CAPACITY_STATUS_WAITLIST);
  EXPECT_EQ(capacity->capacity().expected_wait_days(), 10);
  EXPECT_EQ(capacity->capacity().updated_by(), "admin-1");
  EXPECT_TRUE(capacity->capacity().has_update_time());
  EXPECT_EQ(capacity->name(), "Renamed");

  // An update keeps the capacity (it is set only by SetCapacity).
  HumanService again = *capacity;
  again.clear_capacity();
  again.set_description("New description");
  auto kept = UpdateService("r7", again);
  ASSERT_THAT(kept.status(), IsOk());
  EXPECT_EQ(kept->capacity().status(), v1::CAPACITY_STATUS_WAITLIST);

  // Moving a service to another organization is refused.
  ASSERT_THAT(CreateOrganization("r8", Org("org-b")).status(), IsOk());
  HumanService moved = *kept;
  moved.set_organization_id("org-b");
  EXPECT_THAT(UpdateService("r9", moved),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("org-a")));
}

TEST_F(DirectoryStoreTest, UpdateMovesTheIndexEntries) {
  ASSERT_THAT(CreateOrganization("r1", Org("org-a")).status(), IsOk());
  auto s = CreateService(
      "r2", Service("svc-1", "org-a", "skills_training", "Dakar", "fr"));
  ASSERT_THAT(s.status(), IsOk());
  HumanService edit = *s;
  edit.set_components(0, "housing");
  edit.mutable_service_areas(0)->set_name("Thies");
  ASSERT_THAT(UpdateService("r3", edit).status(), IsOk());

  v1::SearchServicesRequest r;
  r.set_component("skills_training");
  EXPECT_THAT(SearchIds(r), IsEmpty());
  r.set_component("housing");
  EXPECT_THAT(SearchIds(r), ElementsAre("svc-1"));
  r.Clear();
  r.set_area("dakar");
  EXPECT_THAT(SearchIds(r), IsEmpty());
  r.set_area("THIES");
  EXPECT_THAT(SearchIds(r), ElementsAre("svc-1"));
}

TEST_F(DirectoryStoreTest, SearchAppliesEveryFilter) {
  ASSERT_THAT(CreateOrganization("o1", Org("org-a")).status(), IsOk());
  ASSERT_THAT(CreateOrganization("o2", Org("org-b")).status(), IsOk());
  const std::vector<HumanService> services = {
      Service("svc-1", "org-a", "skills_training", "Dakar", "fr", 18, 35),
      Service("svc-2", "org-a", "skills_training", "Thies", "wo", 0, 0),
      Service("svc-3", "org-b", "skills_training", "Dakar", "wo", 16, 0),
      Service("svc-4", "org-b", "housing", "Dakar", "fr", 0, 0),
      Service("svc-5", "org-b", "psychosocial_support", "Dakar", "fr", 0, 0),
  };
  for (const auto& s : services) {
    ASSERT_THAT(CreateService("c-" + s.service_id(), s).status(), IsOk());
  }
  // svc-1 available, svc-2 waitlist, svc-3 not accepting, svc-4 available
  // but inactive, svc-5 without capacity.
  ASSERT_THAT(
      SetCapacity("k1", "svc-1", "1", v1::CAPACITY_STATUS_AVAILABLE).status(),
      IsOk());
  ASSERT_THAT(
      SetCapacity("k2", "svc-2", "1", v1::CAPACITY_STATUS_WAITLIST, 14)
          .status(),
      IsOk());
  ASSERT_THAT(SetCapacity("k3", "svc-3", "1",
                          v1::CAPACITY_STATUS_NOT_ACCEPTING)
                  .status(),
              IsOk());
  auto svc4 =
      SetCapacity("k4", "svc-4", "1", v1::CAPACITY_STATUS_AVAILABLE);
  ASSERT_THAT(svc4.status(), IsOk());
  HumanService inactive = *svc4;
  inactive.set_status(v1::SERVICE_STATUS_INACTIVE);
  ASSERT_THAT(UpdateService("u4", inactive).status(), IsOk());

  v1::SearchServicesRequest r;
  EXPECT_THAT(SearchIds(r),
              ElementsAre("svc-1", "svc-2", "svc-3", "svc-4", "svc-5"));
  r.set_component("skills_training");
  EXPECT_THAT(SearchIds(r), ElementsAre("svc-1", "svc-2", "svc-3"));
  r.set_area("dakar");
  EXPECT_THAT(SearchIds(r), ElementsAre("svc-1", "svc-3"));
  r.set_age(17);  // svc-1 starts at 18; svc-3 at 16
  EXPECT_THAT(SearchIds(r), ElementsAre("svc-3"));
  r.Clear();
  r.set_language("wo");
  EXPECT_THAT(SearchIds(r), ElementsAre("svc-2", "svc-3"));
  r.Clear();
  r.set_accepting_referrals(true);
  EXPECT_THAT(SearchIds(r), ElementsAre("svc-1", "svc-2"));
  r.Clear();
  r.set_organization_id("org-b");
  EXPECT_THAT(SearchIds(r), ElementsAre("svc-3", "svc-4", "svc-5"));
  r.set_age(40);
  EXPECT_THAT(SearchIds(r), ElementsAre("svc-3", "svc-4", "svc-5"));
  r.set_component("housing");
  EXPECT_THAT(SearchIds(r), ElementsAre("svc-4"));
}

TEST_F(DirectoryStoreTest, SearchPagesAreFullAndTokensKeepTheirFilters) {
  ASSERT_THAT(CreateOrganization("o1", Org("org-a")).status(), IsOk());
  // 12 housing services; the odd ones serve Wolof speakers.
  std::vector<std::string> wolof;
  for (int i = 0; i < 12; ++i) {
    const std::string id = absl::StrCat("svc-", absl::Dec(i, absl::kZeroPad2));
    const std::string language = i % 2 == 1 ? "wo" : "fr";
    ASSERT_THAT(
        CreateService("c" + id, Service(id, "org-a", "housing", "Dakar",
                                        language))
            .status(),
        IsOk());
    if (i % 2 == 1) wolof.push_back(id);
  }
  v1::SearchServicesRequest r;
  r.set_component("housing");
  r.set_language("wo");  // filtered in memory over the component's range
  r.mutable_page()->set_page_size(4);
  std::vector<std::string> seen;
  std::vector<size_t> sizes;
  for (int pages = 0; pages < 10; ++pages) {
    auto page = directory_->Search(r);
    ASSERT_THAT(page.status(), IsOk());
    sizes.push_back(page->items.size());
    for (const auto& s : page->items) seen.push_back(s.service_id());
    if (page->next_page_token.empty()) break;
    r.mutable_page()->set_page_token(page->next_page_token);
  }
  EXPECT_THAT(seen, ElementsAreArray(wolof));
  // Pages are full but the last, although half the range is left out.
  EXPECT_THAT(sizes, ElementsAre(4, 2));

  // A token with other filters is refused.
  r.mutable_page()->clear_page_token();
  auto first = directory_->Search(r);
  ASSERT_THAT(first.status(), IsOk());
  ASSERT_FALSE(first->next_page_token.empty());
  r.set_language("fr");
  r.mutable_page()->set_page_token(first->next_page_token);
  EXPECT_THAT(directory_->Search(r),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("page_token")));
  r.mutable_page()->set_page_token("not-a-token");
  EXPECT_THAT(directory_->Search(r),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST_F(DirectoryStoreTest, ImportAppliesAllAndReplaysByRequestId) {
  ASSERT_THAT(CreateOrganization("o1", Org("org-a")).status(), IsOk());
  DirectoryEntries entries;
  Organization a = Org("org-a");
  a.set_description("Replaced by the import");
  entries.organizations = {a, Org("org-c")};
  Location l;
  l.set_location_id("loc-c1");
  l.set_organization_id("org-c");
  l.set_name("Office");
  entries.locations = {l};
  HumanService s = Service("svc-c1", "org-c", "housing", "Kolda", "ff");
  s.add_locations()->set_location_id("loc-c1");
  s.mutable_capacity()->set_status(v1::CAPACITY_STATUS_AVAILABLE);
  entries.services = {s};

  Waiter<ImportCounts> w;
  ASSERT_THAT(directory_->Import(Admin(), "import-1", entries, w.Done()),
              IsOk());
  auto counts = w.Result();
  ASSERT_THAT(counts.status(), IsOk());
  EXPECT_EQ(counts->organizations, 2);
  EXPECT_EQ(directory_->GetOrganization("org-a")->etag(), "2");
  EXPECT_EQ(directory_->GetOrganization("org-a")->description(),
            "Replaced by the import");
  auto stored = directory_->GetService("svc-c1");
  ASSERT_THAT(stored.status(), IsOk());
  EXPECT_EQ(stored->capacity().updated_by(), "admin-1");
  EXPECT_EQ(stored->locations(0).service_at_location_id(), "svc-c1:loc-c1");
  v1::SearchServicesRequest r;
  r.set_area("kolda");
  EXPECT_THAT(SearchIds(r), ElementsAre("svc-c1"));

  // The same import again (another replica's copy): nothing more written.
  Waiter<ImportCounts> again;
  ASSERT_THAT(directory_->Import(Admin(), "import-1", entries, again.Done()),
              IsOk());
  ASSERT_THAT(again.Result().status(), IsOk());
  EXPECT_EQ(directory_->GetOrganization("org-a")->etag(), "2");
}

}  // namespace
}  // namespace homeward::referral
