// The counselling log over the storage kernel; see counselling_store.h.
#include "services/assessment/counselling_store.h"

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/status/errors.h"
#include "common/status/status_macros.h"
#include "common/storage/ids.h"
#include "google/protobuf/util/time_util.h"

namespace homeward::assessment {
namespace {

using homeward::v1::CounsellingSession;

constexpr char kKind[] = "counselling_session";
constexpr char kByCase[] = "session_by_case";

// A stored session; `what` names the operation for a corruption error.
absl::StatusOr<CounsellingSession> Load(const storage::Store& store, uint32_t p,
                                        absl::string_view session_id,
                                        absl::string_view what) {
  CounsellingSession s;
  uint64_t version = 0;
  ASSIGN_OR_RETURN(bool found,
                   store.GetRecord(p, kKind, session_id, &s, &version));
  // Sessions are never deleted, and every pointer to one (index entry,
  // request claim) is committed with it, so a miss is corruption.
  if (!found)
    return errors::StorageError(what, "a counselling session is missing");
  return s;
}

}  // namespace

absl::StatusOr<CounsellingSession> CounsellingStore::Record(
    const Actor& actor, const homeward::v1::Case& c,
    const std::string& request_id, CounsellingSession session) {
  const uint32_t p = c.partition();
  std::string id = storage::TimeOrderedId("S");
  session.set_session_id(id);
  session.set_case_id(c.case_id());
  session.set_recorded_by(actor.principal.user_id());
  *session.mutable_create_time() =
      google::protobuf::util::TimeUtil::NanosecondsToTimestamp(
          absl::ToUnixNanos(absl::Now()));

  homeward::v1::Event event;
  event.set_partition(p);
  event.set_subject_id(id);
  event.set_actor_user_id(actor.principal.user_id());
  event.set_request_id(request_id.empty() ? actor.request_id : request_id);
  auto* recorded = event.mutable_counselling_session_recorded();
  recorded->set_session_id(id);
  recorded->set_case_id(c.case_id());
  recorded->set_distress_signs_observed(session.distress_signs_observed());

  storage::WriteSet set;
  if (!request_id.empty()) {
    homeward::v1::IdempotencyRecord claim;
    claim.set_subject_id(id);
    claim.set_partition(p);
    // Scoped by case: the same request id for another case is another
    // request, and a replay can never hand back a different case's session.
    set.ClaimRequest(p, absl::StrCat("RecordCounsellingSession/", c.case_id()),
                     request_id, claim);
  }
  set.ExpectVersion(p, kKind, id, 0)
      .PutRecord(p, kKind, id, 1, session)
      .PutIndex(p, kByCase, c.case_id(), id)
      .AppendEvent(std::move(event))
      .Audit(AuditEntryFor(actor, c.case_id()));
  ASSIGN_OR_RETURN(storage::CommitResult result,
                   store_->Commit(std::move(set)));
  if (result.replayed) {
    return Load(*store_, p, result.original.subject_id(),
                "replaying a counselling session");
  }
  return session;
}

absl::StatusOr<SessionPage> CounsellingStore::List(
    const homeward::v1::Case& c, int page_size,
    absl::string_view page_token) const {
  ASSIGN_OR_RETURN(storage::IndexPage ids,
                   store_->ListIndex({c.partition()}, kByCase, c.case_id(),
                                     page_size, page_token));
  SessionPage page;
  page.next_page_token = std::move(ids.next_page_token);
  for (const auto& entry : ids.entries) {
    ASSIGN_OR_RETURN(CounsellingSession s,
                     Load(*store_, entry.partition, entry.id,
                          "listing counselling sessions"));
    page.sessions.push_back(std::move(s));
  }
  return page;
}

void CounsellingStore::AuditRead(const Actor& actor,
                                 absl::string_view case_id) {
  store_->AuditRead(AuditEntryFor(actor, case_id));
}

}  // namespace homeward::assessment
