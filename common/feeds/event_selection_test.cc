// The rule a producer filters its stream by (Selects), as a table: each
// row a selection, an event, and whether the event is sent.
#include "common/feeds/event_selection.h"

#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace homeward::feeds {
namespace {

using homeward::v1::ActivityStatus;
using homeward::v1::Event;
using homeward::v1::EventSelection;

EventSelection Of(std::vector<int> payloads,
                  std::vector<ActivityStatus> statuses) {
  EventSelection selection;
  for (int p : payloads) selection.add_payloads(p);
  for (ActivityStatus s : statuses) selection.add_activity_statuses(s);
  return selection;
}

Event Registered() {
  Event e;
  e.mutable_case_registered();
  return e;
}

Event ActivityInto(ActivityStatus status) {
  Event e;
  e.mutable_activity_status_changed()->mutable_activity()->set_status(status);
  return e;
}

TEST(EventSelectionTest, SelectsByPayloadAndByTheStatusAnActivityMovesInto) {
  constexpr ActivityStatus kDropped = homeward::v1::ACTIVITY_STATUS_DROPPED;
  constexpr ActivityStatus kDone = homeward::v1::ACTIVITY_STATUS_DONE;
  constexpr ActivityStatus kInProgress =
      homeward::v1::ACTIVITY_STATUS_IN_PROGRESS;
  struct Row {
    std::string name;
    EventSelection selection;
    Event event;
    bool selected;
  };
  const std::vector<Row> rows = {
      {"nothing named: everything", Of({}, {}), Registered(), true},
      {"nothing named: any activity move", Of({}, {}),
       ActivityInto(kInProgress), true},
      {"payload named", Of({Event::kCaseRegistered}, {}), Registered(), true},
      {"payload not named", Of({Event::kPlanApproved}, {}), Registered(),
       false},
      {"activity changes, no status named: any",
       Of({Event::kActivityStatusChanged}, {}), ActivityInto(kInProgress),
       true},
      {"status named", Of({Event::kActivityStatusChanged}, {kDropped, kDone}),
       ActivityInto(kDone), true},
      {"status not named",
       Of({Event::kActivityStatusChanged}, {kDropped, kDone}),
       ActivityInto(kInProgress), false},
      {"statuses apply to activity changes only", Of({}, {kDropped}),
       Registered(), true},
      {"statuses alone still filter activity changes", Of({}, {kDropped}),
       ActivityInto(kDone), false},
      {"status named but payload not", Of({Event::kPlanApproved}, {kDropped}),
       ActivityInto(kDropped), false},
  };
  for (const Row& row : rows) {
    EXPECT_EQ(Selects(row.selection, row.event), row.selected) << row.name;
  }
}

}  // namespace
}  // namespace homeward::feeds
