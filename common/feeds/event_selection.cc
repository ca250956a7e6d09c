// Selects; see event_selection.h.
#include "common/feeds/event_selection.h"

#include <algorithm>

namespace homeward::feeds {
namespace {

bool Contains(const google::protobuf::RepeatedField<int>& values, int value) {
  return std::find(values.begin(), values.end(), value) != values.end();
}

}  // namespace

bool Selects(const homeward::v1::EventSelection& selection,
             const homeward::v1::Event& event) {
  if (!selection.payloads().empty() &&
      !Contains(selection.payloads(), event.payload_case())) {
    return false;
  }
  return !event.has_activity_status_changed() ||
         selection.activity_statuses().empty() ||
         Contains(selection.activity_statuses(),
                  event.activity_status_changed().activity().status());
}

}  // namespace homeward::feeds
