// The follow-up service's storage of case closures, in the case's partition:
// one "closure" record per closure (ClosureRecord, keyed
// "<case_id>/<closure_id>"), whose store version is the closure's etag, and
// one "closure_head" record per case (ClosureHead, keyed by the case id)
// naming its latest closure and that closure's status. A case is closed
// while its head says CLOSED: one read, for every change the service makes.
//
// Every write expects the head as it was read (and a step also the
// closure's version), so that of two writes for one case only the first
// commits (the other ABORTED, nothing written). A write whose closure
// becomes CLOSED appends CaseClosed, one that becomes REOPENED appends
// CaseReopened (the closure without its free text, subject the case), and
// every write an audit entry, all in the same WriteSet. The handler may add
// its own changes (the contacts cancelled or scheduled again, ContactStore)
// to the prepared set before committing it, so that they commit together.
//
// The store decides nothing about the workflow: closure_rules.h says which
// change is allowed; the store writes the result.
//
//   ClosureStore closures(store);
//   ASSIGN_OR_RETURN(bool closed, closures.IsClosed(partition, case_id));
//   ASSIGN_OR_RETURN(ClosureStore::Prepared p,
//                    closures.PrepareCreate(actor, partition, request_id,
//                                           OpenClosure(asked, opening)));
//   RETURN_IF_ERROR(contacts.CancelScheduled(partition, case_id, "case
//   closed", p.set));
//   closures.CommitAsync(std::move(p), std::move(done));
#ifndef HOMEWARD_SERVICES_FOLLOW_UP_CLOSURE_STORE_H_
#define HOMEWARD_SERVICES_FOLLOW_UP_CLOSURE_STORE_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/service/actor.h"
#include "common/storage/store.h"
#include "common/storage/write_set.h"
#include "homeward/internal/v1/follow_up_closure_storage.pb.h"
#include "homeward/v1/follow_up.pb.h"

namespace homeward::follow_up {

class ClosureStore {
 public:
  static constexpr char kKind[] = "closure";
  static constexpr char kHeadKind[] = "closure_head";

  // Not owned; must outlive this.
  explicit ClosureStore(storage::Store* store) : store_(store) {}

  // Whether the case's latest closure is CLOSED (false when it has none).
  absl::StatusOr<bool> IsClosed(uint32_t partition,
                                absl::string_view case_id) const;

  // OK while the case is not closed; FAILED_PRECONDITION (CASE_CLOSED, the
  // error and wording of cases::CheckCaseOpen) once it is. For the handlers
  // that change a case's follow-up records.
  absl::Status CheckOpen(uint32_t partition, absl::string_view case_id) const;

  // The case's latest closure with its etag; NOT_FOUND when it has none.
  absl::StatusOr<homeward::v1::Closure> Latest(uint32_t partition,
                                               absl::string_view case_id) const;

  // A closure of the case with its etag; NOT_FOUND (naming closure_id) when
  // the case has no such closure.
  absl::StatusOr<homeward::v1::Closure> Get(uint32_t partition,
                                            absl::string_view case_id,
                                            absl::string_view closure_id) const;

  // The closure a CloseCase of the case with `request_id` created, as it is
  // now; nullopt when there is none (or `request_id` is empty). A retry
  // answers it instead of being checked again.
  absl::StatusOr<std::optional<homeward::v1::Closure>> ForCloseRequest(
      uint32_t partition, absl::string_view case_id,
      absl::string_view request_id) const;

  // The closure a ReopenCase with `request_id` reopened, if `closure_id`
  // is the one (nullopt otherwise, or when `request_id` is empty).
  absl::StatusOr<std::optional<homeward::v1::Closure>> ForReopenRequest(
      uint32_t partition, absl::string_view case_id,
      absl::string_view closure_id, absl::string_view request_id) const;

  // A write made ready to commit: the set (to which the caller may add
  // changes that must commit with it) and the closure as it will read,
  // with its etag.
  struct Prepared {
    uint32_t partition = 0;
    storage::WriteSet set;
    homeward::v1::Closure closure;
  };

  // Stores `closure` (OpenClosure's) as the case's new latest closure: its
  // closure_id derives from `request_id` when given (so that a retry finds
  // it: ForCloseRequest, and a concurrent retry's commit replays), a new
  // time-ordered id otherwise. The set expects the head as read now.
  absl::StatusOr<Prepared> PrepareCreate(const service::Actor& actor,
                                         uint32_t partition,
                                         const std::string& request_id,
                                         homeward::v1::Closure closure) const;

  // Replaces `current` (as read, with its etag: the case's latest closure)
  // with `next` (MoveClosure's). `etag` must be current's (ABORTED naming
  // both otherwise; INVALID_ARGUMENT when it is no etag); FAILED_PRECONDITION
  // (CLOSURE_NOT_LATEST) when `current` is no longer the case's latest.
  // `reopen_request_id` is kept with a reopened closure (ForReopenRequest).
  absl::StatusOr<Prepared> PrepareStep(
      const service::Actor& actor, uint32_t partition,
      const homeward::v1::Closure& current, homeward::v1::Closure next,
      const std::string& etag, const std::string& reopen_request_id = "") const;

  // Commits `prepared`; `done` gets the closure as written once durable (a
  // replayed create: the closure the first create made, as it is now), or
  // the commit's error (ABORTED when another write of the case came first).
  // `done` runs on the store's completion thread.
  void CommitAsync(Prepared prepared,
                   service::WriteDone<homeward::v1::Closure> done) const;
  absl::StatusOr<homeward::v1::Closure> Commit(Prepared prepared) const;

  // Every closure of `partitions` (this replica's), each handed to `visit`
  // as read (valid only during the call; no etag). A full scan, read a page
  // of ids at a time: for an aggregate report (the programme indicators,
  // follow_up_indicators.h); closures have no office index.
  absl::Status VisitAll(
      const std::vector<uint32_t>& partitions,
      const std::function<void(const homeward::v1::Closure&)>& visit) const;

  // `closure` without the free text that may name or reach the returnee:
  // details, the returnee's reasons' notes, why there was no final RSS or
  // closing session, the reopen reason and every status change's reason.
  // Reason codes, kinds, statuses and times stay (the indicators read
  // them).
  static homeward::v1::Closure AnonymisedClosure(homeward::v1::Closure closure);
  // Adds to `set` the rewrite of each closure of the case that holds such
  // text (AnonymisedClosure), expecting the version read, and one audit
  // entry by `actor` when any changed. The head does not move. Walks the
  // partition's closures (they have no case index). For the assessment
  // feed's CaseAnonymised (follow_up_cases.h, docs/RETENTION.md).
  absl::Status AnonymiseCase(const service::Actor& actor, uint32_t partition,
                             absl::string_view case_id,
                             storage::WriteSet& set) const;

  // Records in the audit trail that `actor` read the case's closures.
  void AuditRead(const service::Actor& actor, absl::string_view case_id) const;

  // The closure id a CloseCase of the case with `request_id` creates.
  static std::string ClosureIdForRequest(absl::string_view case_id,
                                         absl::string_view request_id);

 private:
  struct Head {
    homeward::internal::v1::ClosureHead head;
    uint64_t version = 0;  // 0: the case has no closure
  };
  absl::StatusOr<Head> ReadHead(uint32_t partition,
                                absl::string_view case_id) const;
  // Reads the closure with its etag; nullopt when missing or of another case.
  absl::StatusOr<std::optional<homeward::v1::Closure>> Read(
      uint32_t partition, absl::string_view case_id,
      absl::string_view closure_id, std::string* reopen_request_id) const;
  // What a commit of `prepared` answers, given its result.
  absl::StatusOr<homeward::v1::Closure> Committed(
      uint32_t partition, const homeward::v1::Closure& closure,
      absl::StatusOr<storage::CommitResult> result) const;

  storage::Store* store_;
};

}  // namespace homeward::follow_up

#endif  // HOMEWARD_SERVICES_FOLLOW_UP_CLOSURE_STORE_H_
