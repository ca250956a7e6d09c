// The lifecycle table and the merge rules of needs and protection concerns,
// with hand-checked expectations (need_rules.h).
#include "services/assessment/need_rules.h"

#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "common/status/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace homeward::assessment {
namespace {

using ::homeward::testing::StatusIs;
using ::homeward::v1::Need;
using ::homeward::v1::NeedStatus;
using ::homeward::v1::ProtectionConcern;
using ::homeward::v1::RaisedFlag;
using ::testing::AllOf;
using ::testing::HasSubstr;

constexpr NeedStatus kOpen = homeward::v1::NEED_STATUS_OPEN;
constexpr NeedStatus kBeing = homeward::v1::NEED_STATUS_BEING_ADDRESSED;
constexpr NeedStatus kResolved = homeward::v1::NEED_STATUS_RESOLVED;
constexpr NeedStatus kNotApplicable = homeward::v1::NEED_STATUS_NOT_APPLICABLE;
constexpr NeedStatus kSuperseded = homeward::v1::NEED_STATUS_SUPERSEDED;
constexpr StatusChanger kManager = StatusChanger::kCaseManager;
constexpr StatusChanger kSubmission = StatusChanger::kSubmission;
constexpr StatusChanger kResponder = StatusChanger::kResponder;

// Every allowed change, written out from needs.proto's comment; the bool
// says whether it needs a reason.
const std::set<std::tuple<NeedStatus, NeedStatus, StatusChanger>> kAllowed = {
    {kOpen, kBeing, kResponder},        {kOpen, kResolved, kManager},
    {kOpen, kResolved, kResponder},     {kBeing, kResolved, kManager},
    {kBeing, kResolved, kResponder},    {kOpen, kNotApplicable, kManager},
    {kBeing, kNotApplicable, kManager}, {kOpen, kSuperseded, kSubmission},
    {kBeing, kOpen, kResponder},        {kResolved, kOpen, kManager},
    {kNotApplicable, kOpen, kManager},
};
const std::set<std::tuple<NeedStatus, NeedStatus, StatusChanger>> kNeedReason =
    {
        {kOpen, kNotApplicable, kManager},
        {kBeing, kNotApplicable, kManager},
        {kResolved, kOpen, kManager},
        {kNotApplicable, kOpen, kManager},
};

TEST(NeedRulesTest, EveryTransitionIsAllowedOrRefusedAsTheTableSays) {
  int allowed = 0, refused = 0;
  for (int from = 0; from <= 5; ++from) {
    for (int to = 0; to <= 5; ++to) {
      for (StatusChanger who : {kManager, kSubmission, kResponder}) {
        const auto f = static_cast<NeedStatus>(from);
        const auto t = static_cast<NeedStatus>(to);
        const auto key = std::make_tuple(f, t, who);
        absl::Status with_reason =
            CheckStatusChange(f, t, who, "checked with the family", "N1");
        absl::Status without_reason = CheckStatusChange(f, t, who, "", "N1");
        if (kAllowed.count(key) > 0) {
          ++allowed;
          EXPECT_TRUE(with_reason.ok()) << from << "->" << to << with_reason;
          if (kNeedReason.count(key) > 0) {
            EXPECT_THAT(without_reason,
                        StatusIs(absl::StatusCode::kInvalidArgument,
                                 HasSubstr("reason")))
                << from << "->" << to;
            EXPECT_EQ(errors::FieldViolationsOf(without_reason).at(0).field,
                      "reason");
          } else {
            EXPECT_TRUE(without_reason.ok()) << from << "->" << to;
          }
        } else {
          ++refused;
          EXPECT_THAT(
              with_reason,
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       AllOf(HasSubstr(homeward::v1::NeedStatus_Name(f)),
                             HasSubstr(homeward::v1::NeedStatus_Name(t)))))
              << from << "->" << to;
        }
      }
    }
  }
  EXPECT_EQ(allowed, 11);
  EXPECT_EQ(refused, 6 * 6 * 3 - 11);
}

google::protobuf::Timestamp At(int64_t seconds) {
  google::protobuf::Timestamp t;
  t.set_seconds(seconds);
  return t;
}

RaiseOrigin Submission(const std::string& assessment_id,
                       const std::string& instrument_id, int64_t when) {
  RaiseOrigin o;
  o.case_id = "C1";
  o.assessment_id = assessment_id;
  o.instrument_id = instrument_id;
  o.instrument_version = 2;
  o.user_id = "cm-1";
  o.time = At(when);
  return o;
}

homeward::v1::FindingSource Source(const std::string& assessment_id,
                                   const std::string& instrument_id,
                                   const std::string& rule_code) {
  homeward::v1::FindingSource s;
  s.set_assessment_id(assessment_id);
  s.set_instrument_id(instrument_id);
  s.set_rule_code(rule_code);
  return s;
}

Need Record(
    const std::string& id, const std::string& category, NeedStatus status,
    std::vector<homeward::v1::FindingSource> sources,
    homeward::v1::NeedPriority priority = homeward::v1::NEED_PRIORITY_MEDIUM) {
  Need n;
  n.set_need_id(id);
  n.set_case_id("C1");
  n.set_category(category);
  n.set_dimension(homeward::v1::DIMENSION_SOCIAL);
  n.set_status(status);
  n.set_priority(priority);
  for (auto& s : sources) *n.add_sources() = s;
  return n;
}

Need Raise(
    const std::string& category, const std::string& rule_code,
    homeward::v1::NeedPriority priority = homeward::v1::NEED_PRIORITY_MEDIUM) {
  Need n;
  n.set_case_id("C1");
  n.set_category(category);
  n.set_dimension(homeward::v1::DIMENSION_SOCIAL);
  n.set_rule_code(rule_code);
  n.set_priority(priority);
  n.set_description("raised");
  return n;
}

// What a merge leaves in one record, checked field by field.
struct Expected {
  std::string id;
  bool created;
  NeedStatus status;
  homeward::v1::NeedPriority priority;
  int sources;
  // The superseded_by_assessment_id of each source, in order.
  std::vector<std::string> superseded_by;
};

struct MergeCase {
  std::string name;
  std::vector<Need> existing;
  std::vector<Need> raised;
  RaiseOrigin origin;
  std::vector<Expected> changed;         // in the order first touched
  std::vector<std::string> raised_into;  // per raise
};

std::vector<MergeCase> MergeCases() {
  const auto rss = [](const std::string& a) {
    return Source(a, "rss", "HOUSING");
  };
  return {
      {"a second instrument's raise joins the open need of its category",
       {Record("N1", "housing", kOpen, {rss("A1")})},
       {Raise("housing", "DOMV_HOUSING", homeward::v1::NEED_PRIORITY_HIGH)},
       Submission("A2", "domv", 20),
       {{"N1", false, kOpen, homeward::v1::NEED_PRIORITY_HIGH, 2, {"", ""}}},
       {"N1"}},
      {"a lower priority does not lower the need's",
       {Record("N1", "housing", kBeing, {rss("A1")},
               homeward::v1::NEED_PRIORITY_URGENT)},
       {Raise("housing", "DOMV_HOUSING", homeward::v1::NEED_PRIORITY_LOW)},
       Submission("A2", "domv", 20),
       {{"N1", false, kBeing, homeward::v1::NEED_PRIORITY_URGENT, 2, {"", ""}}},
       {"N1"}},
      {"a raise with only closed records of its category opens a new one",
       {Record("N1", "housing", kResolved, {rss("A1")}),
        Record("N2", "housing", kSuperseded, {rss("A0")})},
       {Raise("housing", "HOUSING")},
       Submission("A2", "rss", 20),
       {{"new-1", true, kOpen, homeward::v1::NEED_PRIORITY_MEDIUM, 1, {""}}},
       {"new-1"}},
      {"two raises of one category in one submission make one record",
       {},
       {Raise("housing", "HOUSING"),
        Raise("housing", "", homeward::v1::NEED_PRIORITY_HIGH)},
       Submission("A2", "rss", 20),
       {{"new-1", true, kOpen, homeward::v1::NEED_PRIORITY_HIGH, 2, {"", ""}}},
       {"new-1", "new-1"}},
      {"a resubmission that no longer raises it supersedes the need",
       {Record("N1", "housing", kOpen, {rss("A1")})},
       {},
       Submission("A2", "rss", 20),
       {{"N1",
         false,
         kSuperseded,
         homeward::v1::NEED_PRIORITY_MEDIUM,
         1,
         {"A2"}}},
       {}},
      {"a source of another instrument keeps the need open",
       {Record("N1", "housing", kOpen,
               {rss("A1"), Source("A0", "domv", "DOMV_HOUSING")})},
       {},
       Submission("A2", "rss", 20),
       {{"N1",
         false,
         kOpen,
         homeward::v1::NEED_PRIORITY_MEDIUM,
         2,
         {"A2", ""}}},
       {}},
      {"a hand-entered source is never superseded",
       {Record("N1", "housing", kOpen, {rss("A1"), Source("", "", "")})},
       {},
       Submission("A2", "rss", 20),
       {{"N1",
         false,
         kOpen,
         homeward::v1::NEED_PRIORITY_MEDIUM,
         2,
         {"A2", ""}}},
       {}},
      {"a need entered with a submission (no rule) is never superseded",
       {Record("N1", "housing", kOpen, {Source("A1", "rss", "")})},
       {},
       Submission("A2", "rss", 20),
       {},
       {}},
      {"a need being addressed keeps its status when its sources are",
       {Record("N1", "housing", kBeing, {rss("A1")})},
       {},
       Submission("A2", "rss", 20),
       {{"N1", false, kBeing, homeward::v1::NEED_PRIORITY_MEDIUM, 1, {"A2"}}},
       {}},
      {"a resubmission raising it again adds a source and supersedes none",
       {Record("N1", "housing", kOpen, {rss("A1")})},
       {Raise("housing", "HOUSING")},
       Submission("A2", "rss", 20),
       {{"N1", false, kOpen, homeward::v1::NEED_PRIORITY_MEDIUM, 2, {"", ""}}},
       {"N1"}},
      {"another instrument's submission supersedes nothing",
       {Record("N1", "housing", kOpen, {rss("A1")})},
       {},
       Submission("A2", "domv", 20),
       {},
       {}},
      {"a hand entry joins the open need and supersedes nothing",
       {Record("N1", "housing", kOpen, {rss("A1")})},
       {Raise("housing", "")},
       Submission("", "", 20),
       {{"N1", false, kOpen, homeward::v1::NEED_PRIORITY_MEDIUM, 2, {"", ""}}},
       {"N1"}},
      {"closed records are left alone by supersession",
       {Record("N1", "housing", kResolved, {rss("A1")})},
       {},
       Submission("A2", "rss", 20),
       {},
       {}},
  };
}

TEST(NeedRulesTest, MergeDeduplicatesAndSupersedesAsTheTableSays) {
  for (const MergeCase& c : MergeCases()) {
    SCOPED_TRACE(c.name);
    int next = 0;
    Merged<Need> merged = MergeNeeds(c.existing, c.raised, c.origin, [&] {
      return "new-" + std::to_string(++next);
    });
    ASSERT_EQ(merged.records.size(), c.changed.size());
    ASSERT_EQ(merged.created.size(), c.changed.size());
    for (size_t i = 0; i < c.changed.size(); ++i) {
      const Need& n = merged.records[i];
      const Expected& e = c.changed[i];
      EXPECT_EQ(n.need_id(), e.id);
      EXPECT_EQ(merged.created[i], e.created);
      EXPECT_EQ(n.status(), e.status);
      EXPECT_EQ(n.priority(), e.priority);
      EXPECT_EQ(n.case_id(), "C1");
      ASSERT_EQ(n.sources_size(), e.sources);
      for (int s = 0; s < n.sources_size(); ++s) {
        EXPECT_EQ(n.sources(s).superseded_by_assessment_id(),
                  e.superseded_by[s])
            << "source " << s;
      }
      EXPECT_EQ(n.update_time().seconds(), 20);
      if (e.created) {
        ASSERT_EQ(n.history_size(), 1);
        EXPECT_EQ(n.history(0).status(), kOpen);
        EXPECT_EQ(n.source_assessment_id(), c.origin.assessment_id);
      }
      if (e.status == kSuperseded) {
        EXPECT_EQ(n.history(n.history_size() - 1).status(), kSuperseded);
        EXPECT_THAT(n.status_reason(), HasSubstr(c.origin.assessment_id));
      }
    }
    EXPECT_EQ(merged.raised_into, c.raised_into);
  }
}

TEST(NeedRulesTest, NewSourcesNameTheSubmissionAndItsInstrument) {
  Merged<Need> merged =
      MergeNeeds({}, {Raise("housing", "HOUSING")}, Submission("A2", "rss", 20),
                 [] { return "N9"; });
  ASSERT_EQ(merged.records.size(), 1u);
  const auto& s = merged.records[0].sources(0);
  EXPECT_EQ(s.assessment_id(), "A2");
  EXPECT_EQ(s.instrument_id(), "rss");
  EXPECT_EQ(s.instrument_version(), 2);
  EXPECT_EQ(s.rule_code(), "HOUSING");
  EXPECT_EQ(s.added_by(), "cm-1");
  EXPECT_EQ(s.time().seconds(), 20);
  // A submission's new record is opened by the submission, not a user.
  EXPECT_EQ(merged.records[0].history(0).user_id(), "");
  Merged<Need> by_hand = MergeNeeds(
      {}, {Raise("housing", "")}, Submission("", "", 30), [] { return "N8"; });
  EXPECT_EQ(by_hand.records[0].history(0).user_id(), "cm-1");
}

RaisedFlag Flag(const std::string& code, homeward::v1::NeedPriority priority) {
  RaisedFlag f;
  f.set_code(code);
  f.set_label(code + " label");
  f.set_priority(priority);
  f.set_response_category("counter_trafficking");
  return f;
}

TEST(NeedRulesTest, ConcernsMergeByCodeAndTakeTheFlagsResponse) {
  ProtectionConcern open;
  open.set_concern_id("P1");
  open.set_case_id("C1");
  open.set_code("SUSPECTED_TRAFFICKING_VICTIM");
  open.set_status(kOpen);
  open.set_priority(homeward::v1::NEED_PRIORITY_HIGH);
  *open.add_sources() = Source("A1", "domv", "SUSPECTED_TRAFFICKING_VICTIM");
  ProtectionConcern other = open;
  other.set_concern_id("P2");
  other.set_code("UNACCOMPANIED_CHILD");
  other.clear_sources();
  *other.add_sources() = Source("A1", "domv", "UNACCOMPANIED_CHILD");

  int next = 0;
  Merged<ProtectionConcern> merged = MergeConcerns(
      {open, other},
      {Flag("SUSPECTED_TRAFFICKING_VICTIM", homeward::v1::NEED_PRIORITY_URGENT),
       Flag("GBV_SURVIVOR", homeward::v1::NEED_PRIORITY_HIGH)},
      Submission("A2", "domv", 20),
      [&] { return "new-" + std::to_string(++next); });
  // Touched in order: the two open ones (P1 raised again, P2 superseded),
  // then the new one.
  ASSERT_EQ(merged.records.size(), 3u);
  EXPECT_EQ(merged.records[0].concern_id(), "P1");
  EXPECT_EQ(merged.records[0].priority(), homeward::v1::NEED_PRIORITY_URGENT);
  EXPECT_EQ(merged.records[0].sources_size(), 2);
  EXPECT_EQ(merged.records[1].concern_id(), "P2");
  EXPECT_EQ(merged.records[1].status(), kSuperseded);
  EXPECT_EQ(merged.records[2].concern_id(), "new-1");
  EXPECT_TRUE(merged.created[2]);
  EXPECT_EQ(merged.records[2].code(), "GBV_SURVIVOR");
  EXPECT_EQ(merged.records[2].label(), "GBV_SURVIVOR label");
  EXPECT_EQ(merged.records[2].priority(), homeward::v1::NEED_PRIORITY_HIGH);
  EXPECT_EQ(merged.records[2].response_category(), "counter_trafficking");
  EXPECT_EQ(merged.records[2].case_id(), "C1");
  EXPECT_EQ(merged.records[2].status(), kOpen);
  EXPECT_EQ(merged.raised_into, (std::vector<std::string>{"P1", "new-1"}));
}

TEST(NeedRulesTest, LegacyNeedsReadAsOpenWithTheirOneSource) {
  Need legacy;
  legacy.set_need_id("N1");
  legacy.set_category("housing");
  legacy.set_source_assessment_id("A1");
  legacy.set_rule_code("HOUSING");
  *legacy.mutable_create_time() = At(5);
  Need read = ReadAsCurrent(legacy, "rss", 1, "cm-1");
  EXPECT_EQ(read.status(), kOpen);
  ASSERT_EQ(read.sources_size(), 1);
  EXPECT_EQ(read.sources(0).assessment_id(), "A1");
  EXPECT_EQ(read.sources(0).rule_code(), "HOUSING");
  EXPECT_EQ(read.sources(0).instrument_id(), "rss");
  EXPECT_EQ(read.sources(0).time().seconds(), 5);
  // A current record is left as it is.
  Need current = Record("N2", "housing", kResolved, {});
  EXPECT_EQ(ReadAsCurrent(current).status(), kResolved);
  EXPECT_EQ(ReadAsCurrent(current).sources_size(), 0);
}

TEST(NeedRulesTest, RespondersMoveANeedToBeingAddressedAndBack) {
  Need n = Record("N1", "housing", kOpen, {});
  homeward::v1::Responder activity, referral;
  activity.set_kind(homeward::v1::RESPONDER_KIND_PLAN_ACTIVITY);
  activity.set_id("act-1");
  referral.set_kind(homeward::v1::RESPONDER_KIND_REFERRAL);
  referral.set_id("ref-1");
  ASSERT_TRUE(AddResponder(n, activity, At(1)).ok());
  EXPECT_EQ(n.status(), kBeing);
  ASSERT_TRUE(AddResponder(n, referral, At(2)).ok());
  ASSERT_TRUE(AddResponder(n, referral, At(3)).ok());  // once only
  EXPECT_EQ(n.addressed_by_size(), 2);
  ASSERT_TRUE(WithdrawResponder(n, activity, At(4)).ok());
  EXPECT_EQ(n.status(), kBeing);
  EXPECT_THAT(WithdrawResponder(n, activity, At(5)),
              StatusIs(absl::StatusCode::kNotFound));
  ASSERT_TRUE(WithdrawResponder(n, referral, At(6)).ok());
  EXPECT_EQ(n.status(), kOpen);
  ASSERT_EQ(n.history_size(), 2);  // BEING_ADDRESSED, then OPEN
  EXPECT_EQ(n.history(1).status(), kOpen);

  Need resolved = Record("N2", "housing", kResolved, {});
  EXPECT_THAT(AddResponder(resolved, activity, At(7)),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       AllOf(HasSubstr("NEED_STATUS_RESOLVED"),
                             HasSubstr("NEED_STATUS_BEING_ADDRESSED"))));
}

std::vector<std::string> Fields(const errors::FieldViolations& bad) {
  std::vector<std::string> fields;
  for (const auto& v : bad.violations()) fields.push_back(v.field);
  return fields;
}

TEST(NeedRulesTest, StatusRequestsAreValidatedFieldByField) {
  homeward::v1::SetNeedStatusRequest r;
  r.set_case_id("C1");
  r.set_need_id("N1");
  r.set_etag("1");
  r.set_status(kNotApplicable);
  std::vector<std::string> fields = Fields(ValidateSetNeedStatus(r));
  EXPECT_EQ(fields, std::vector<std::string>{"reason"});

  r.set_status(kSuperseded);
  r.set_reason(std::string(kMaxReasonLength + 1, 'x'));
  r.set_need_id("bad id");
  r.clear_etag();
  fields = Fields(ValidateSetNeedStatus(r));
  EXPECT_EQ(fields,
            (std::vector<std::string>{"need_id", "etag", "status", "reason"}));

  homeward::v1::ListNeedsRequest list;
  list.set_case_id("C1");
  list.add_statuses(homeward::v1::NEED_STATUS_UNSPECIFIED);
  list.add_statuses(static_cast<NeedStatus>(99));
  fields = Fields(ValidateNeedList(list));
  EXPECT_EQ(fields, (std::vector<std::string>{"statuses[0]", "statuses[1]"}));
}

}  // namespace
}  // namespace homeward::assessment
