// The referral service's assessment-feed consumer; see case_events.h.
#include "services/referral/case_events.h"

#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/api/etags.h"
#include "common/status/status_macros.h"
#include "common/storage/clock.h"
#include "google/protobuf/util/message_differencer.h"
#include "google/protobuf/util/time_util.h"
#include "services/referral/referral_transitions.h"

namespace homeward::referral {
namespace {

using homeward::v1::Event;
using homeward::v1::Referral;

// The actor of a change the feed causes: the user whose action raised the
// event, acting through the service.
service::Actor ActorOf(const Event& event, absl::string_view what) {
  service::Actor actor;
  actor.principal.set_user_id(event.actor_user_id());
  actor.principal.set_role(homeward::v1::ROLE_SERVICE);
  actor.request_id = event.request_id();
  actor.method = std::string(what);
  return actor;
}

bool Before(const google::protobuf::Timestamp& a,
            const google::protobuf::Timestamp& b) {
  return google::protobuf::util::TimeUtil::TimestampToNanoseconds(a) <
         google::protobuf::util::TimeUtil::TimestampToNanoseconds(b);
}

}  // namespace

Referral AnonymisedReferral(Referral referral) {
  referral.clear_summary();
  referral.clear_purpose();
  referral.clear_outcome();
  referral.clear_status_reason();
  referral.mutable_consent()->clear_override_reason();
  for (homeward::v1::ReferralStatusChange& change :
       *referral.mutable_history()) {
    change.clear_reason();
  }
  return referral;
}

ReferralCaseEvents::ReferralCaseEvents(storage::Store* store,
                                       storage::PartitionSet owned,
                                       ReferralStore* referrals)
    : owned_(owned),
      referrals_(referrals),
      directory_(store, std::move(owned), kName) {}

homeward::v1::EventSelection ReferralCaseEvents::Selection() const {
  homeward::v1::EventSelection selection = directory_.Selection();
  selection.add_payloads(Event::kConsentChanged);
  return selection;
}

absl::StatusOr<storage::WriteSet> ReferralCaseEvents::Apply(
    const Event& event) {
  ASSIGN_OR_RETURN(storage::WriteSet set, directory_.Apply(event));
  if (!owned_.Contains(event.partition())) return set;
  if (event.has_consent_changed()) {
    RETURN_IF_ERROR(ApplyWithdrawal(event, set));
  } else if (event.has_case_anonymised()) {
    RETURN_IF_ERROR(ApplyAnonymised(event, set));
  } else {
    RETURN_IF_ERROR(ApplyCase(event, set));
  }
  return set;
}

absl::Status ReferralCaseEvents::ApplyWithdrawal(const Event& event,
                                                 storage::WriteSet& set) const {
  const homeward::v1::ConsentRecord& consent =
      event.consent_changed().consent();
  if (consent.granted() ||
      consent.purpose() != homeward::v1::CONSENT_PURPOSE_REFERRAL ||
      consent.case_id().empty()) {
    return absl::OkStatus();
  }
  const service::Actor actor = ActorOf(event, "ConsentChanged");
  std::string token;
  do {
    ASSIGN_OR_RETURN(storage::Page<Referral> page,
                     referrals_->ListByCase(event.partition(),
                                            consent.case_id(), 500, token));
    for (const Referral& current : page.items) {
      if (!consent.recipient_agency_id().empty() &&
          current.organization_id() != consent.recipient_agency_id()) {
        continue;
      }
      // A referral made after this decision was made under a later one.
      if (consent.has_create_time() &&
          !Before(current.create_time(), consent.create_time())) {
        continue;
      }
      const bool final = IsFinalReferralStatus(current.status());
      if (current.consent_withdrawn() && final) continue;  // applied before
      Referral next = current;
      if (!final) {
        ReferralMove move;
        move.to = homeward::v1::REFERRAL_STATUS_CANCELLED;
        move.side = homeward::v1::REFERRAL_SIDE_REQUESTER;
        move.user_id = event.actor_user_id();
        move.reason = kConsentWithdrawnReason;
        move.time = storage::NowTimestamp();
        ASSIGN_OR_RETURN(next, MoveReferral(current, move));
      }
      next.set_consent_withdrawn(true);
      ASSIGN_OR_RETURN(
          ReferralStore::Prepared prepared,
          referrals_->PrepareChange(actor, current, std::move(next)));
      set.Append(std::move(prepared.set));
    }
    token = std::move(page.next_page_token);
  } while (!token.empty());
  return absl::OkStatus();
}

absl::Status ReferralCaseEvents::ApplyAnonymised(const Event& event,
                                                 storage::WriteSet& set) const {
  const std::string& case_id = event.case_anonymised().case_id();
  if (case_id.empty()) return absl::OkStatus();
  const service::Actor actor = ActorOf(event, "CaseAnonymised");
  std::string token;
  do {
    ASSIGN_OR_RETURN(
        storage::Page<Referral> page,
        referrals_->ListByCase(event.partition(), case_id, 500, token));
    for (const Referral& current : page.items) {
      Referral next = AnonymisedReferral(current);
      // Redelivered: nothing left to remove.
      if (google::protobuf::util::MessageDifferencer::Equals(next, current)) {
        continue;
      }
      ASSIGN_OR_RETURN(
          ReferralStore::Prepared prepared,
          referrals_->PrepareChange(actor, current, std::move(next)));
      set.Append(std::move(prepared.set));
    }
    token = std::move(page.next_page_token);
  } while (!token.empty());
  return absl::OkStatus();
}

absl::Status ReferralCaseEvents::ApplyCase(const Event& event,
                                           storage::WriteSet& set) const {
  absl::string_view field;
  const homeward::v1::Case* c = cases::CarriedCase(event, &field);
  if (c == nullptr) return absl::OkStatus();
  ASSIGN_OR_RETURN(uint64_t case_version,
                   api::ParseEtag(c->etag(), absl::StrCat(field, ".etag")));
  // An event older than the scope already applied is not the case as it is
  // (the directory ignores it too): an office since left.
  absl::StatusOr<cases::CaseScope> stored = directory_.Get(c->case_id());
  if (!stored.ok() && !absl::IsNotFound(stored.status())) {
    return stored.status();
  }
  const bool older = stored.ok() && stored->version() > case_version;
  if (older) return absl::OkStatus();
  const service::Actor actor = ActorOf(event, "CaseChanged");
  std::string token;
  do {
    ASSIGN_OR_RETURN(
        storage::Page<Referral> page,
        referrals_->ListByCase(event.partition(), c->case_id(), 500, token));
    for (const Referral& current : page.items) {
      // A transferred case's referrals follow it to its new office's
      // queues.
      if (c->office_id().empty() || current.office_id() == c->office_id()) {
        continue;
      }
      Referral next = current;
      next.set_office_id(c->office_id());
      ASSIGN_OR_RETURN(
          ReferralStore::Prepared prepared,
          referrals_->PrepareChange(actor, current, std::move(next)));
      set.Append(std::move(prepared.set));
    }
    token = std::move(page.next_page_token);
  } while (!token.empty());
  return absl::OkStatus();
}

}  // namespace homeward::referral
