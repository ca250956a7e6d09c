// Whether a subscription's EventSelection asks for an event: the one rule
// the producer filters its stream by (EventFeedService) and a consumer's
// tests check its EventConsumer::Selection against, so that a consumer can
// show that every event it leaves out is one its Apply ignores.
//
//   homeward::v1::EventSelection selection;
//   selection.add_payloads(homeward::v1::Event::kActivityStatusChanged);
//   selection.add_activity_statuses(homeward::v1::ACTIVITY_STATUS_DROPPED);
//   if (feeds::Selects(selection, event)) { ...send it... }
#ifndef HOMEWARD_COMMON_FEEDS_EVENT_SELECTION_H_
#define HOMEWARD_COMMON_FEEDS_EVENT_SELECTION_H_

#include "homeward/v1/events.pb.h"

namespace homeward::feeds {

// An empty `payloads` asks for every payload; an empty `activity_statuses`
// for an ActivityStatusChanged into any status. `activity_statuses` applies
// to ActivityStatusChanged events only (the status moved into).
bool Selects(const homeward::v1::EventSelection& selection,
             const homeward::v1::Event& event);

}  // namespace homeward::feeds

#endif  // HOMEWARD_COMMON_FEEDS_EVENT_SELECTION_H_
