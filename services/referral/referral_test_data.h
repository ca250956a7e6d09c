// Test data shared by the referral tests: a referral as CreateReferral's
// handler builds it, case events as the assessment service writes them, and
// an actor. For tests only.
//
//   Referral r = SentReferral("C1", "org-a", "office-dakar");
//   ApplyAndCommit(events, *store, CaseRegisteredEvent("C1", "office-dakar"));
#ifndef HOMEWARD_SERVICES_REFERRAL_REFERRAL_TEST_DATA_H_
#define HOMEWARD_SERVICES_REFERRAL_REFERRAL_TEST_DATA_H_

#include <cstdint>
#include <string>

#include "absl/strings/str_cat.h"
#include "common/service/actor.h"
#include "common/storage/partitions.h"
#include "homeward/v1/events.pb.h"
#include "homeward/v1/referral.pb.h"

namespace homeward::referral::testing {

inline homeward::v1::Date Day(int year, int month, int day) {
  homeward::v1::Date d;
  d.set_year(year);
  d.set_month(month);
  d.set_day(day);
  return d;
}

inline service::Actor ActorNamed(const std::string& user,
                                 homeward::v1::Role role) {
  service::Actor actor;
  actor.principal.set_user_id(user);
  actor.principal.set_role(role);
  actor.method = "test";
  return actor;
}

// A referral of `case_id` to `organization_id`'s "svc-1", REQUESTED, due
// for a response on 2030-01-10 and for completion on 2030-03-01.
inline homeward::v1::Referral SentReferral(const std::string& case_id,
                                           const std::string& organization_id,
                                           const std::string& office_id) {
  homeward::v1::Referral r;
  r.set_case_id(case_id);
  r.set_service_id("svc-1");
  r.set_organization_id(organization_id);
  r.set_office_id(office_id);
  r.set_purpose("training");
  r.set_urgency(homeward::v1::REFERRAL_URGENCY_ROUTINE);
  *r.mutable_expected_response_date() = Day(2030, 1, 10);
  *r.mutable_expected_completion_date() = Day(2030, 3, 1);
  r.mutable_summary()->set_returnee_name("Test Returnee");
  r.mutable_summary()->set_needs_description("needs a job");
  r.set_status(homeward::v1::REFERRAL_STATUS_REQUESTED);
  r.set_requested_by("cm-1");
  return r;
}

inline homeward::v1::Case CaseAt(const std::string& case_id, uint64_t version,
                                 const std::string& office_id,
                                 homeward::v1::CaseStage stage,
                                 uint32_t partitions) {
  homeward::v1::Case c;
  c.set_case_id(case_id);
  c.set_etag(absl::StrCat(version));
  c.set_partition(storage::PartitionOf(case_id, partitions));
  c.set_office_id(office_id);
  c.set_case_manager_id("cm-1");
  c.set_stage(stage);
  return c;
}

inline homeward::v1::Event AboutCase(const std::string& case_id,
                                     uint64_t sequence, uint32_t partitions) {
  homeward::v1::Event e;
  e.set_subject_id(case_id);
  e.set_partition(storage::PartitionOf(case_id, partitions));
  e.set_sequence(sequence);
  e.set_actor_user_id("cm-1");
  return e;
}

inline homeward::v1::Event CaseRegisteredEvent(const homeward::v1::Case& c,
                                               uint64_t sequence,
                                               uint32_t partitions) {
  homeward::v1::Event e = AboutCase(c.case_id(), sequence, partitions);
  *e.mutable_case_registered()->mutable_case_() = c;
  return e;
}

inline homeward::v1::Event CaseStageChangedEvent(const homeward::v1::Case& c,
                                                 uint64_t sequence,
                                                 uint32_t partitions) {
  homeward::v1::Event e = AboutCase(c.case_id(), sequence, partitions);
  e.mutable_case_stage_changed()->set_case_id(c.case_id());
  e.mutable_case_stage_changed()->set_to_stage(c.stage());
  *e.mutable_case_stage_changed()->mutable_case_() = c;
  return e;
}

// A refusal (granted=false) of purpose REFERRAL for `recipient` (empty: any
// agency), recorded at `create_time` (Unix seconds).
inline homeward::v1::Event ConsentWithdrawnEvent(const std::string& case_id,
                                                 const std::string& recipient,
                                                 int64_t create_time,
                                                 uint64_t sequence,
                                                 uint32_t partitions) {
  homeward::v1::Event e = AboutCase(case_id, sequence, partitions);
  e.set_actor_user_id("cm-2");
  auto* consent = e.mutable_consent_changed()->mutable_consent();
  consent->set_consent_id(absl::StrCat("K", sequence));
  consent->set_case_id(case_id);
  consent->set_purpose(homeward::v1::CONSENT_PURPOSE_REFERRAL);
  consent->set_recipient_agency_id(recipient);
  consent->set_granted(false);
  consent->mutable_create_time()->set_seconds(create_time);
  return e;
}

}  // namespace homeward::referral::testing

#endif  // HOMEWARD_SERVICES_REFERRAL_REFERRAL_TEST_DATA_H_
