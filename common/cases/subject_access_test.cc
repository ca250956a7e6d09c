// The shared pieces of a subject-access export: who may export (every role),
// reading a case's list whole under a cap (pages of every shape, a failing
// page, a list just at and just past the cap), and the public face of an
// audit entry with its reason.
#include "common/cases/subject_access.h"

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/status/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/fixtures/case_fixtures.h"

namespace homeward::cases {
namespace {

using ::homeward::testing::IsOk;
using ::homeward::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

TEST(CheckSubjectAccessRoleTest, SupervisorsOnly) {
  struct Case {
    homeward::v1::Role role;
    absl::StatusCode code;
  };
  const Case cases[] = {
      {homeward::v1::ROLE_SUPERVISOR, absl::StatusCode::kOk},
      {homeward::v1::ROLE_CASE_MANAGER, absl::StatusCode::kPermissionDenied},
      {homeward::v1::ROLE_MONITORING_OFFICER,
       absl::StatusCode::kPermissionDenied},
      {homeward::v1::ROLE_ADMINISTRATOR, absl::StatusCode::kPermissionDenied},
      {homeward::v1::ROLE_PARTNER_AGENCY, absl::StatusCode::kPermissionDenied},
      {homeward::v1::ROLE_SERVICE, absl::StatusCode::kPermissionDenied},
      {homeward::v1::ROLE_UNSPECIFIED, absl::StatusCode::kPermissionDenied},
  };
  for (const Case& c : cases) {
    EXPECT_THAT(CheckSubjectAccessRole(
                    testing::MakePrincipal("u1", c.role, {"office-dakar"})),
                StatusIs(c.code))
        << homeward::v1::Role_Name(c.role);
  }
}

// A list of `total` numbered items served in pages of at most `page_limit`
// (a store may answer short pages), recording the sizes asked for.
struct PagedList {
  int total = 0;
  int page_limit = 500;
  std::vector<int> asked;

  absl::StatusOr<storage::Page<int>> Page(int page_size,
                                          const std::string& token) {
    asked.push_back(page_size);
    const int from = token.empty() ? 0 : std::stoi(token);
    const int to = std::min({total, from + page_size, from + page_limit});
    storage::Page<int> page;
    for (int i = from; i < to; ++i) page.items.push_back(i);
    if (to < total) page.next_page_token = absl::StrCat(to);
    return page;
  }
  absl::StatusOr<std::vector<int>> ReadWhole(int cap) {
    return ReadWholeList<int>(
        "needs",
        [this](int size, const std::string& token) {
          return Page(size, token);
        },
        cap);
  }
};

TEST(ReadWholeListTest, ReadsEveryPageUpToTheCap) {
  struct Case {
    std::string name;
    int total;
    int page_limit;
    int cap;
    bool fits;
  };
  const Case cases[] = {
      {"empty", 0, 500, 10, true},
      {"one page", 7, 500, 10, true},
      {"several short pages", 25, 3, 30, true},
      {"exactly the cap", 10, 4, 10, true},
      {"one past the cap", 11, 4, 10, false},
      {"far past the cap, long pages", 5000, 500, 1200, false},
  };
  for (const Case& c : cases) {
    PagedList list{c.total, c.page_limit, {}};
    absl::StatusOr<std::vector<int>> items = list.ReadWhole(c.cap);
    if (c.fits) {
      ASSERT_THAT(items, IsOk()) << c.name;
      ASSERT_EQ(items->size(), static_cast<size_t>(c.total)) << c.name;
      for (int i = 0; i < c.total; ++i) EXPECT_EQ((*items)[i], i) << c.name;
    } else {
      EXPECT_THAT(items, StatusIs(absl::StatusCode::kFailedPrecondition,
                                  HasSubstr("needs")))
          << c.name;
    }
    // Never more than one past the cap is asked for.
    int asked = 0;
    for (int size : list.asked) asked += size;
    EXPECT_LE(asked - c.total, kExportPageSize) << c.name;
  }
}

TEST(ReadWholeListTest, AFailingPageFailsTheList) {
  int calls = 0;
  absl::StatusOr<std::vector<int>> items = ReadWholeList<int>(
      "consents",
      [&](int, const std::string&) -> absl::StatusOr<storage::Page<int>> {
        if (++calls == 2) return errors::StorageError("consents", "broken");
        storage::Page<int> page;
        page.items = {1, 2};
        page.next_page_token = "more";
        return page;
      });
  EXPECT_THAT(items, StatusIs(absl::StatusCode::kInternal));
  EXPECT_EQ(calls, 2);
}

TEST(WithinExportCapTest, RefusesALongerList) {
  EXPECT_THAT(WithinExportCap<int>("contacts", {1, 2, 3}, 3), IsOk());
  EXPECT_THAT(
      WithinExportCap<int>("contacts", {1, 2, 3, 4}, 3),
      StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("contacts")));
}

TEST(SubjectAccessAuditEntryTest, SaysItWasAnExport) {
  service::Actor actor;
  actor.principal =
      testing::MakePrincipal("sup-1", homeward::v1::ROLE_SUPERVISOR, {"o"});
  actor.request_id = "r-1";
  actor.method = "homeward.internal.v1.PlanningCaseRecordsPart/Get";
  homeward::internal::v1::AuditEntry entry =
      SubjectAccessAuditEntry(actor, "C1");
  entry.set_sequence(7);
  entry.set_prev_hash("aa");
  entry.set_hash("bb");
  const homeward::v1::AuditTrailEntry shown = AuditTrailEntryOf(entry);
  EXPECT_EQ(shown.reason(), kSubjectAccessReason);
  EXPECT_EQ(shown.user_id(), "sup-1");
  EXPECT_EQ(shown.role(), "ROLE_SUPERVISOR");
  EXPECT_EQ(shown.method(), actor.method);
  EXPECT_EQ(shown.case_id(), "C1");
  EXPECT_EQ(shown.request_id(), "r-1");
  EXPECT_EQ(shown.sequence(), 7u);
  EXPECT_THAT(std::vector<std::string>({shown.previous_hash(), shown.hash()}),
              ElementsAre("aa", "bb"));
  // Any other reason stays in the trail: it may carry free text.
  entry.set_reason("consent override: the returnee is in danger");
  EXPECT_EQ(AuditTrailEntryOf(entry).reason(), "");
}

}  // namespace
}  // namespace homeward::cases
