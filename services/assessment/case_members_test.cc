// Table-driven tests of household member ids (case_members.h): given at
// registration, kept and given on update, never reused, and read by
// position for members recorded before ids.
#include "services/assessment/case_members.h"

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace homeward::assessment {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

v1::Returnee WithMembers(const std::vector<std::string>& ids) {
  v1::Returnee r;
  for (const auto& id : ids) {
    auto* m = r.add_household_members();
    m->set_given_name("X");
    m->set_member_id(id);
  }
  return r;
}

std::vector<std::string> IdsOf(const v1::Returnee& r) {
  std::vector<std::string> ids;
  for (const auto& m : r.household_members()) ids.push_back(m.member_id());
  return ids;
}

struct NumberCase {
  std::string id;
  int number;
};

class MemberNumberTest : public ::testing::TestWithParam<NumberCase> {};

TEST_P(MemberNumberTest, OnlyCanonicalIdsHaveANumber) {
  EXPECT_EQ(MemberNumber(GetParam().id), GetParam().number);
}

INSTANTIATE_TEST_SUITE_P(
    Spellings, MemberNumberTest,
    ::testing::Values(NumberCase{"M1", 1}, NumberCase{"M12", 12},
                      NumberCase{"", 0}, NumberCase{"M", 0},
                      NumberCase{"M0", 0}, NumberCase{"M01", 0},
                      NumberCase{"m1", 0}, NumberCase{"M+1", 0},
                      NumberCase{"M-1", 0}, NumberCase{"X1", 0},
                      NumberCase{"M1a", 0}));

TEST(AssignMemberIdsTest, RegistrationNumbersMembersInOrder) {
  v1::Returnee r = WithMembers({"", "", ""});
  EXPECT_EQ(AssignMemberIds(r, 0), 3);
  EXPECT_THAT(IdsOf(r), ElementsAre("M1", "M2", "M3"));
}

struct UpdateCase {
  std::string name;
  std::vector<std::string> current;  // the case's member ids
  int highest;                       // the highest ever given
  std::vector<std::string> given;    // the update's ("" = new member)
  std::vector<std::string> after;    // ids after the update
  int new_highest;
  std::vector<std::string> bad_fields;
};

class KeepMemberIdsTest : public ::testing::TestWithParam<UpdateCase> {};

TEST_P(KeepMemberIdsTest, KeepsKnownIdsGivesNewOnesRefusesOthers) {
  const UpdateCase& c = GetParam();
  v1::Returnee given = WithMembers(c.given);
  errors::FieldViolations bad;
  int highest = KeepMemberIds(bad, WithMembers(c.current), c.highest, given);
  std::vector<std::string> fields;
  for (const auto& v : bad.violations()) fields.push_back(v.field);
  EXPECT_EQ(fields, c.bad_fields);
  if (c.bad_fields.empty()) {
    EXPECT_EQ(IdsOf(given), c.after);
    EXPECT_EQ(highest, c.new_highest);
  }
}

INSTANTIATE_TEST_SUITE_P(
    Table, KeepMemberIdsTest,
    ::testing::Values(
        UpdateCase{
            "Unchanged", {"M1", "M2"}, 2, {"M1", "M2"}, {"M1", "M2"}, 2, {}},
        UpdateCase{
            "Reordered", {"M1", "M2"}, 2, {"M2", "M1"}, {"M2", "M1"}, 2, {}},
        UpdateCase{"NewMemberGetsTheNextNumber",
                   {"M1", "M2"},
                   2,
                   {"M1", "M2", ""},
                   {"M1", "M2", "M3"},
                   3,
                   {}},
        UpdateCase{"RemovedIdIsNotReused",
                   {"M1", "M2"},
                   3,
                   {"M1", ""},
                   {"M1", "M4"},
                   4,
                   {}},
        UpdateCase{"RemovingTheHighestDoesNotFreeIt",
                   {"M1"},
                   2,
                   {"", ""},
                   {"M3", "M4"},
                   4,
                   {}},
        UpdateCase{
            "FirstMembersOfACaseWithout", {}, 0, {"", ""}, {"M1", "M2"}, 2, {}},
        UpdateCase{"UnknownId",
                   {"M1"},
                   1,
                   {"M1", "M7"},
                   {},
                   0,
                   {"case.returnee.household_members[1].member_id"}},
        UpdateCase{"IdOfAnotherSpelling",
                   {"M1"},
                   1,
                   {"m1"},
                   {},
                   0,
                   {"case.returnee.household_members[0].member_id"}},
        UpdateCase{"SameIdTwice",
                   {"M1", "M2"},
                   2,
                   {"M1", "M1"},
                   {},
                   0,
                   {"case.returnee.household_members[1].member_id"}},
        UpdateCase{"AnIdOnACaseWithoutMembers",
                   {},
                   0,
                   {"M1"},
                   {},
                   0,
                   {"case.returnee.household_members[0].member_id"}}),
    [](const auto& info) { return info.param.name; });

TEST(KeepMemberIdsTest, TheRefusalListsTheCaseMembers) {
  v1::Returnee given = WithMembers({"M9"});
  errors::FieldViolations bad;
  KeepMemberIds(bad, WithMembers({"M2", "M10"}), 10, given);
  ASSERT_EQ(bad.violations().size(), 1u);
  EXPECT_THAT(bad.violations()[0].description,
              HasSubstr("'M9' is not a member of this case (its members: "
                        "M2, M10)"));
}

TEST(WithMemberIdsTest, MembersRecordedBeforeIdsReadWithTheirPositions) {
  v1::Returnee legacy = WithMembers({"", "", ""});
  WithMemberIds(legacy);
  EXPECT_THAT(IdsOf(legacy), ElementsAre("M1", "M2", "M3"));
  EXPECT_EQ(HighestMemberNumber(legacy), 3);
  // Ids already there stay as they are.
  v1::Returnee current = WithMembers({"M2", "M5"});
  WithMemberIds(current);
  EXPECT_THAT(IdsOf(current), ElementsAre("M2", "M5"));
}

}  // namespace
}  // namespace homeward::assessment
