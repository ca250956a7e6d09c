// The W-model trajectory; see trajectory.h.
#include "services/follow_up/trajectory.h"

#include <algorithm>
#include <string>
#include <tuple>

namespace homeward::follow_up {
namespace {

std::tuple<int, int, int> Key(const homeward::v1::Date& d) {
  return {d.year(), d.month(), d.day()};
}

}  // namespace

homeward::v1::Trajectory BuildTrajectory(
    absl::string_view case_id, const homeward::v1::Date& return_date,
    const std::vector<homeward::v1::FollowUpContact>& contacts,
    const std::vector<homeward::v1::RssPoint>& surveys) {
  homeward::v1::Trajectory out;
  out.set_case_id(std::string(case_id));
  if (return_date.year() != 0) *out.mutable_return_date() = return_date;
  std::vector<const homeward::v1::FollowUpContact*> done;
  for (const auto& c : contacts) {
    if (c.status() == homeward::v1::FOLLOW_UP_CONTACT_STATUS_DONE) {
      done.push_back(&c);
    }
  }
  std::sort(done.begin(), done.end(), [](const auto* a, const auto* b) {
    return std::make_tuple(Key(a->contact_date()), a->contact_id()) <
           std::make_tuple(Key(b->contact_date()), b->contact_id());
  });
  for (const auto* c : done) {
    homeward::v1::TrajectoryPoint& p = *out.add_contacts();
    p.set_contact_id(c->contact_id());
    *p.mutable_contact_date() = c->contact_date();
    p.set_w_phase(c->w_phase());
    p.set_wellbeing(c->wellbeing());
    p.set_months_after_return(c->months_after_return());
  }
  std::vector<homeward::v1::RssPoint> sorted = surveys;
  std::stable_sort(sorted.begin(), sorted.end(),
                   [](const auto& a, const auto& b) {
                     return Key(a.assessment_date()) < Key(b.assessment_date());
                   });
  for (auto& s : sorted) *out.add_surveys() = std::move(s);
  return out;
}

}  // namespace homeward::follow_up
