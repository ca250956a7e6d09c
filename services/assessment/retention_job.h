// The retention job (docs/RETENTION.md): anonymises the closed cases of this
// replica's partitions whose programme's retention period has passed
// (retention_rules.h), each in one write with its CaseAnonymised event and an
// audit entry naming who ran the job, and reports what it checked,
// anonymised and skipped. One run at a time; a run looks at every case
// record of the replica (a daily job off the request path: no index to keep
// or backfill, and a programme's retention can change between runs).
//
//   RetentionJob job(store, cases, programmes, owned);
//   ASSIGN_OR_RETURN(RetentionReport report,
//                    job.Run(actor, api::TodayUtc(), /*dry_run=*/false));
//
// RetentionSchedule runs it at an interval on a thread of its own, as the
// job's own actor (ScheduledRetentionActor), and logs each report's counts.
#ifndef HOMEWARD_SERVICES_ASSESSMENT_RETENTION_JOB_H_
#define HOMEWARD_SERVICES_ASSESSMENT_RETENTION_JOB_H_

#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "common/programme/programme_catalogs.h"
#include "common/service/actor.h"
#include "common/storage/partitions.h"
#include "common/storage/store.h"
#include "homeward/v1/retention.pb.h"
#include "services/assessment/case_store.h"
#include "services/assessment/consent_store.h"
#include "services/assessment/counselling_store.h"
#include "services/assessment/need_store.h"

namespace homeward::assessment {

// The user id of the periodic runs in the audit trail and the events.
inline constexpr char kRetentionJobUser[] = "retention-job";

// The actor of a periodic run: kRetentionJobUser acting as ROLE_SERVICE,
// method "homeward.v1.RetentionService/RunRetention".
service::Actor ScheduledRetentionActor();

class RetentionJob {
 public:
  // None owned; all must outlive this.
  RetentionJob(storage::Store* store, const CaseStore* cases,
               const programme::ProgrammeCatalog* programmes,
               const storage::PartitionSet* owned)
      : store_(store),
        cases_(cases),
        programmes_(programmes),
        owned_(owned),
        needs_(store),
        consents_(store),
        sessions_(store) {}

  // Looks at every case of the replica; anonymises (with `dry_run`: only
  // reports) the closed ones whose latest programme version's retention has
  // passed on `today`. A case that cannot be anonymised is reported as
  // skipped and the run goes on; an error only when the store cannot be
  // read.
  absl::StatusOr<homeward::v1::RetentionReport> Run(const service::Actor& actor,
                                                    absl::CivilDay today,
                                                    bool dry_run);

 private:
  // One write: `c` anonymised (CaseStore::Anonymise), the free text of its
  // needs, concerns, consent decisions and counselling sessions removed,
  // and `past_events` (scrubbed copies of its outbox events) rewritten.
  absl::Status Anonymise(
      const service::Actor& actor, const homeward::v1::Case& c,
      const std::vector<homeward::v1::Event>& past_events) const;

  storage::Store* store_;
  const CaseStore* cases_;
  const programme::ProgrammeCatalog* programmes_;
  const storage::PartitionSet* owned_;
  // The case's other records, whose free text goes in the same write.
  const NeedStore needs_;
  const ConsentStore consents_;
  const CounsellingStore sessions_;
  absl::Mutex run_mu_;  // one run at a time
};

// Runs `job` every `interval` (the first run after min(interval, a
// minute)), until Stop. Each run's counts go to the log (identifiers only).
class RetentionSchedule {
 public:
  RetentionSchedule(RetentionJob* job, absl::Duration interval);
  ~RetentionSchedule();  // Stop()
  // Waits for a run in progress to end, then ends the thread. Idempotent.
  void Stop();

 private:
  void Loop();

  RetentionJob* job_;
  const absl::Duration interval_;
  absl::Mutex mu_;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::thread thread_;
};

// Logs the counts of `report` (no case ids but the anonymised and skipped
// ones, which are identifiers).
void LogRetentionReport(const homeward::v1::RetentionReport& report,
                        absl::string_view trigger);

}  // namespace homeward::assessment

#endif  // HOMEWARD_SERVICES_ASSESSMENT_RETENTION_JOB_H_
