// The case overview (homeward.v1.CaseOverviewService/GetCaseOverview): one
// call giving a case worker a case's profile and stage, its RSS scores since
// baseline, open needs and protection concerns, current plan, referrals,
// upcoming and overdue follow-up contacts and W-model trajectory. The gateway
// composes it itself (a composed method, method_table.h): it reads every part
// at once from the service that holds it, through the Forwarder with the
// caller's own principal, so each service applies its own scope and audit
// and every part holds exactly what the caller could read method by method.
// Every read ends by the composed call's one deadline; a part whose service is
// down, too slow, not deployed or refusing the caller is left out and named
// in missing_parts (MissingPartFor), and the rest is still answered. A case
// the caller may not see, or that does not exist, is NOT_FOUND either way.
//
//   ComposedMethod<GetCaseOverviewRequest, CaseOverview>(
//       "homeward.v1.CaseOverviewService/GetCaseOverview", CaseWorkers(),
//       ComposeCaseOverview)
//
// The pure pieces (what is upcoming or overdue on a day, the change of
// scores since baseline, why a part is missing) are declared here for their
// table-driven tests.
#ifndef HOMEWARD_SERVICES_GATEWAY_CASE_OVERVIEW_H_
#define HOMEWARD_SERVICES_GATEWAY_CASE_OVERVIEW_H_

#include <functional>
#include <optional>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/civil_time.h"
#include "google/protobuf/message.h"
#include "homeward/v1/assessments.pb.h"
#include "homeward/v1/follow_up.pb.h"
#include "homeward/v1/overview.pb.h"
#include "services/gateway/forwarder.h"

namespace homeward::gateway {

inline constexpr char kCaseOverviewMethod[] =
    "homeward.v1.CaseOverviewService/GetCaseOverview";

// The most items one list part reads (needs, concerns, referrals, scheduled
// contacts, RSS submissions), in pages of the largest size: a case has far
// fewer, and the bound keeps one overview to a few round trips per part.
inline constexpr int kOverviewListCap = 500;

// The Compose function of GetCaseOverview (see the file comment). `request`
// is a GetCaseOverviewRequest and `response` a CaseOverview.
void ComposeCaseOverview(Forwarder& forwarder, const CallInfo& call,
                         const google::protobuf::Message& request,
                         google::protobuf::Message* response,
                         std::function<void(absl::Status)> done);

// Scheduled contacts on `today`: upcoming (due today or later, soonest
// first) and overdue (due before today, oldest first). Contacts of another
// status are left out; ties keep their given order.
struct ScheduledContacts {
  std::vector<homeward::v1::FollowUpContact> upcoming;
  std::vector<homeward::v1::FollowUpContact> overdue;
};
ScheduledContacts SplitScheduledContacts(
    std::vector<homeward::v1::FollowUpContact> contacts, absl::CivilDay today);

// The returnee's latest RSS against their baseline, from a case's
// submissions in submission order (oldest first). Only RSS submissions
// about the returnee count (not those about a household member). The
// baseline is the latest of occasion BASELINE; the latest is the last RSS.
// Per score kind either has: base and target, and their change (rounded to
// 4 places like the scores) when both have it and both were made with the
// same instrument version (scores of different versions are not comparable).
// When the baseline is the latest RSS, latest_* stay empty and the changes
// carry the base only; without a baseline, baseline_* stay empty and the
// changes carry the target only. nullopt without any RSS of the returnee.
std::optional<homeward::v1::ScoresSinceBaseline> CompareWithBaseline(
    const std::vector<homeward::v1::Assessment>& submissions);

// Why `part` is missing when its read ended with `status` (not OK): the
// service refused the caller (PERMISSION_DENIED: WITHHELD); it could not be
// reached, did not answer in time or is not deployed (UNAVAILABLE,
// DEADLINE_EXCEEDED, UNIMPLEMENTED: UNAVAILABLE); anything else FAILED. The
// code is the status's canonical name.
homeward::v1::MissingPart MissingPartFor(homeward::v1::OverviewPart part,
                                         const absl::Status& status);

}  // namespace homeward::gateway

#endif  // HOMEWARD_SERVICES_GATEWAY_CASE_OVERVIEW_H_
