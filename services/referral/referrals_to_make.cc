// Plan activities awaiting a referral; see referrals_to_make.h.
#include "services/referral/referrals_to_make.h"

#include <map>
#include <utility>

#include "absl/strings/str_cat.h"
#include "common/cases/case_ids.h"
#include "common/status/status_macros.h"
#include "common/storage/indexed_records.h"
#include "google/protobuf/util/message_differencer.h"

namespace homeward::referral {
namespace {

using homeward::v1::Event;
using homeward::v1::Plan;
using homeward::v1::PlanActivity;
using homeward::v1::ReferralToMake;

constexpr int kCasePage = 200;

std::string EntryId(absl::string_view case_id, absl::string_view activity_id) {
  return absl::StrCat(case_id, "/", activity_id);
}

// An activity still to be delivered by referral: one dropped or done needs
// none.
bool AwaitsReferral(const PlanActivity& a) {
  return a.delivery() == homeward::v1::ACTIVITY_DELIVERY_REFERRAL &&
         a.status() != homeward::v1::ACTIVITY_STATUS_DROPPED &&
         a.status() != homeward::v1::ACTIVITY_STATUS_DONE;
}

ReferralToMake EntryOf(const Plan& plan, const PlanActivity& a) {
  ReferralToMake entry;
  entry.set_case_id(plan.case_id());
  entry.set_plan_id(plan.plan_id());
  entry.set_plan_version(plan.version());
  entry.set_activity_id(a.activity_id());
  // The kind of service to refer to; the activity's own component when
  // the plan did not name another.
  entry.set_component(a.referral_component().empty() ? a.component()
                                                     : a.referral_component());
  entry.set_description(a.description());
  if (a.has_due_date()) *entry.mutable_due_date() = a.due_date();
  return entry;
}

// The case's listed entries by record id, with their record versions.
struct Listed {
  ReferralToMake entry;
  uint64_t version = 0;
};

absl::StatusOr<std::map<std::string, Listed>> ListedEntries(
    const storage::Store& store, uint32_t p, absl::string_view case_id) {
  std::map<std::string, Listed> listed;
  std::string token;
  do {
    ASSIGN_OR_RETURN(storage::IndexPage ids,
                     store.ListIndex({p}, ReferralsToMake::kByCase, case_id,
                                     kCasePage, token));
    for (const storage::IndexEntry& id : ids.entries) {
      Listed l;
      // Written with its index entry; never deleted.
      ASSIGN_OR_RETURN(bool found, storage::ReadIndexedRecord(
                                       store, id, ReferralsToMake::kKind,
                                       storage::MissingRecord::kCorruption,
                                       &l.entry, &l.version));
      if (found) listed.emplace(id.id, std::move(l));
    }
    token = std::move(ids.next_page_token);
  } while (!token.empty());
  return listed;
}

}  // namespace

absl::StatusOr<storage::WriteSet> ReferralsToMake::Apply(const Event& event) {
  const uint32_t p = event.partition();
  storage::WriteSet set;
  switch (event.payload_case()) {
    case Event::kPlanApproved:
    case Event::kPlanRevised: {
      const Plan& plan = event.has_plan_approved()
                             ? event.plan_approved().plan()
                             : event.plan_revised().plan();
      if (plan.case_id().empty()) return set;
      std::map<std::string, ReferralToMake> wanted;
      for (const PlanActivity& a : plan.activities()) {
        if (AwaitsReferral(a)) {
          wanted.emplace(EntryId(plan.case_id(), a.activity_id()),
                         EntryOf(plan, a));
        }
      }
      ASSIGN_OR_RETURN(auto listed, ListedEntries(*store_, p, plan.case_id()));
      for (const auto& [id, l] : listed) {
        // A later version of the plan is listed already.
        if (l.entry.plan_id() == plan.plan_id() &&
            l.entry.plan_version() > plan.version()) {
          return set;
        }
      }
      for (const auto& [id, l] : listed) {
        if (wanted.count(id) == 0) {
          set.DeleteIndex(p, kByCase, plan.case_id(), id);
        }
      }
      for (const auto& [id, entry] : wanted) {
        auto it = listed.find(id);
        if (it != listed.end() &&
            google::protobuf::util::MessageDifferencer::Equals(it->second.entry,
                                                               entry)) {
          continue;
        }
        uint64_t version = 0;
        if (it != listed.end()) {
          version = it->second.version;
        } else {
          // Listed before and removed since: its record is still there.
          ReferralToMake stored;
          ASSIGN_OR_RETURN(bool found,
                           store_->GetRecord(p, kKind, id, &stored, &version));
          if (!found) version = 0;
          set.PutIndex(p, kByCase, plan.case_id(), id);
        }
        set.ExpectVersion(p, kKind, id, version)
            .PutRecord(p, kKind, id, version + 1, entry);
      }
      return set;
    }
    case Event::kPlanCompleted:
    case Event::kPlanCancelled: {
      const Plan& plan = event.has_plan_completed()
                             ? event.plan_completed().plan()
                             : event.plan_cancelled().plan();
      if (plan.case_id().empty()) return set;
      ASSIGN_OR_RETURN(auto listed, ListedEntries(*store_, p, plan.case_id()));
      for (const auto& [id, l] : listed) {
        if (l.entry.plan_id() == plan.plan_id()) {
          set.DeleteIndex(p, kByCase, plan.case_id(), id);
        }
      }
      return set;
    }
    case Event::kActivityStatusChanged: {
      const auto& changed = event.activity_status_changed();
      if (AwaitsReferral(changed.activity()) || changed.case_id().empty()) {
        return set;
      }
      const std::string id =
          EntryId(changed.case_id(), changed.activity().activity_id());
      ASSIGN_OR_RETURN(auto listed,
                       ListedEntries(*store_, p, changed.case_id()));
      auto it = listed.find(id);
      if (it != listed.end() &&
          it->second.entry.plan_id() == changed.plan_id()) {
        set.DeleteIndex(p, kByCase, changed.case_id(), id);
      }
      return set;
    }
    default:
      return set;
  }
}

homeward::v1::EventSelection ReferralsToMake::Selection() const {
  homeward::v1::EventSelection selection;
  for (int payload :
       {Event::kPlanApproved, Event::kPlanRevised, Event::kPlanCompleted,
        Event::kPlanCancelled, Event::kActivityStatusChanged}) {
    selection.add_payloads(payload);
  }
  selection.add_activity_statuses(homeward::v1::ACTIVITY_STATUS_DROPPED);
  selection.add_activity_statuses(homeward::v1::ACTIVITY_STATUS_DONE);
  return selection;
}

absl::StatusOr<ReferralsToMakePage> ReferralsToMake::List(
    absl::string_view case_id, int page_size,
    absl::string_view page_token) const {
  ASSIGN_OR_RETURN(uint32_t p, cases::OwnedCasePartition(owned_, case_id));
  ASSIGN_OR_RETURN(
      storage::IndexPage ids,
      store_->ListIndex({p}, kByCase, case_id, page_size, page_token));
  ASSIGN_OR_RETURN(
      storage::Page<ReferralToMake> page,
      storage::ReadIndexedRecords<ReferralToMake>(
          *store_, std::move(ids), kKind, storage::MissingRecord::kCorruption));
  return ReferralsToMakePage{std::move(page.items),
                             std::move(page.next_page_token)};
}

}  // namespace homeward::referral
