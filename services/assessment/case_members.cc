// Household member ids; see case_members.h.
#include "services/assessment/case_members.h"

#include <algorithm>
#include <set>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"

namespace homeward::assessment {

std::string MemberId(int number) { return absl::StrCat("M", number); }

int MemberNumber(absl::string_view member_id) {
  if (!absl::ConsumePrefix(&member_id, "M") || member_id.empty() ||
      member_id[0] == '0') {
    return 0;
  }
  int number = 0;
  if (!absl::SimpleAtoi(member_id, &number) || number < 1) return 0;
  // "M+3" and "M 3" parse too; only the canonical spelling is an id.
  return MemberId(number) == absl::StrCat("M", member_id) ? number : 0;
}

int HighestMemberNumber(const homeward::v1::Returnee& returnee) {
  int highest = 0;
  for (const auto& m : returnee.household_members()) {
    highest = std::max(highest, MemberNumber(m.member_id()));
  }
  return highest;
}

int AssignMemberIds(homeward::v1::Returnee& returnee, int highest) {
  for (auto& m : *returnee.mutable_household_members()) {
    if (m.member_id().empty()) m.set_member_id(MemberId(++highest));
  }
  return highest;
}

int KeepMemberIds(errors::FieldViolations& bad,
                  const homeward::v1::Returnee& current, int highest,
                  homeward::v1::Returnee& given) {
  std::set<std::string> known;
  std::vector<std::string> in_order;  // for the message, as the case lists them
  for (const auto& m : current.household_members()) {
    known.insert(m.member_id());
    in_order.push_back(m.member_id());
  }
  std::set<std::string> seen;
  for (int i = 0; i < given.household_members_size(); ++i) {
    const std::string& id = given.household_members(i).member_id();
    if (id.empty()) continue;
    std::string field =
        absl::StrCat("case.returnee.household_members[", i, "].member_id");
    if (known.count(id) == 0) {
      bad.Add(field,
              known.empty()
                  ? absl::StrCat("'", id,
                                 "' is not a member of this case (it has "
                                 "none): leave it empty for a new member")
                  : absl::StrCat("'", id,
                                 "' is not a member of this case (its "
                                 "members: ",
                                 absl::StrJoin(in_order, ", "),
                                 "): leave it empty for a new member"));
    } else if (!seen.insert(id).second) {
      bad.Add(field, absl::StrCat("'", id, "' is listed twice"));
    }
  }
  return AssignMemberIds(given, highest);
}

void WithMemberIds(homeward::v1::Returnee& returnee) {
  for (int i = 0; i < returnee.household_members_size(); ++i) {
    auto* m = returnee.mutable_household_members(i);
    if (m->member_id().empty()) m->set_member_id(MemberId(i + 1));
  }
}

}  // namespace homeward::assessment
