// The retention job and its schedule; see retention_job.h.
#include "services/assessment/retention_job.h"

#include <algorithm>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/btree_map.h"
#include "absl/container/btree_set.h"
#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "common/api/field_checks.h"
#include "common/server/log.h"
#include "common/status/status_macros.h"
#include "common/storage/clock.h"
#include "services/assessment/audit_service.h"
#include "services/assessment/retention_rules.h"

namespace homeward::assessment {
namespace {

using homeward::v1::Case;
using homeward::v1::RetentionReport;

constexpr char kRunRetention[] = "homeward.v1.RetentionService/RunRetention";

// The past events of `due` cases in `partition` that carry a copy of the
// case with what identifies the returnee, or a need or concern with free
// text, rewritten without it (ScrubPastEvent), by case id. One pass over the
// partition's outbox for all of them.
absl::StatusOr<
    absl::flat_hash_map<std::string, std::vector<homeward::v1::Event>>>
EventsToRewrite(const storage::Store& store, uint32_t partition,
                const absl::flat_hash_set<std::string>& due) {
  absl::flat_hash_map<std::string, std::vector<homeward::v1::Event>> rewrites;
  constexpr size_t kEventsPerRead = 1000;
  uint64_t after = 0;
  while (true) {
    ASSIGN_OR_RETURN(std::vector<homeward::v1::Event> events,
                     store.ReadEvents(partition, after, kEventsPerRead));
    if (events.empty()) break;
    after = events.back().sequence();
    for (homeward::v1::Event& event : events) {
      if (!due.contains(event.subject_id())) continue;
      if (!ScrubPastEvent(event)) continue;
      rewrites[event.subject_id()].push_back(std::move(event));
    }
  }
  return rewrites;
}

void Skip(RetentionReport& report, const std::string& case_id,
          homeward::v1::RetentionSkipReason reason) {
  homeward::v1::RetentionSkip* skip = report.add_skipped();
  skip->set_case_id(case_id);
  skip->set_reason(reason);
}

}  // namespace

service::Actor ScheduledRetentionActor() {
  service::Actor actor;
  actor.principal.set_user_id(kRetentionJobUser);
  actor.principal.set_role(homeward::v1::ROLE_SERVICE);
  actor.method = kRunRetention;
  return actor;
}

absl::StatusOr<RetentionReport> RetentionJob::Run(const service::Actor& actor,
                                                  absl::CivilDay today,
                                                  bool dry_run) {
  absl::MutexLock lock(&run_mu_);
  RetentionReport report;
  report.set_replica(DescribeReplica(*owned_));
  report.set_dry_run(dry_run);
  report.mutable_today()->set_year(static_cast<int32_t>(today.year()));
  report.mutable_today()->set_month(today.month());
  report.mutable_today()->set_day(today.day());
  // The cases due, collected first: writing while walking the records would
  // move the walk's own pages under it.
  std::vector<Case> due;
  RETURN_IF_ERROR(cases_->ForEachCase([&](const Case& c) -> absl::Status {
    const std::optional<absl::CivilDay> closed = ClosureDay(c);
    if (!closed.has_value()) return absl::OkStatus();
    report.set_closed_cases_checked(report.closed_cases_checked() + 1);
    if (IsAnonymised(c)) {
      report.set_already_anonymised(report.already_anonymised() + 1);
      return absl::OkStatus();
    }
    // The latest version's retention: it is the programme's current policy,
    // whatever version the case was registered under.
    absl::StatusOr<homeward::v1::Programme> programme =
        programmes_->GetLatest(c.programme_id());
    if (!programme.ok()) {
      // A case recorded without a programme id asks for none at all.
      if (!absl::IsNotFound(programme.status()) &&
          !absl::IsInvalidArgument(programme.status())) {
        return programme.status();
      }
      Skip(report, c.case_id(),
           homeward::v1::RETENTION_SKIP_REASON_PROGRAMME_UNKNOWN);
      return absl::OkStatus();
    }
    if (!IsPastRetention(*closed, RetentionYearsOf(*programme), today)) {
      report.set_within_retention(report.within_retention() + 1);
      return absl::OkStatus();
    }
    due.push_back(c);
    return absl::OkStatus();
  }));
  if (dry_run) {
    for (const Case& c : due) report.add_anonymised_case_ids(c.case_id());
    return report;
  }
  // The case's past events carry copies of it: they are rewritten in the
  // same write as the record.
  absl::btree_map<uint32_t, absl::flat_hash_set<std::string>> by_partition;
  for (const Case& c : due) by_partition[c.partition()].insert(c.case_id());
  absl::flat_hash_map<std::string, std::vector<homeward::v1::Event>> rewrites;
  for (const auto& [partition, ids] : by_partition) {
    ASSIGN_OR_RETURN(auto found, EventsToRewrite(*store_, partition, ids));
    for (auto& [case_id, events] : found) {
      rewrites[case_id] = std::move(events);
    }
  }
  absl::btree_set<uint32_t> written;
  for (const Case& c : due) {
    absl::Status committed = Anonymise(actor, c, rewrites[c.case_id()]);
    if (committed.ok()) {
      report.add_anonymised_case_ids(c.case_id());
      written.insert(c.partition());
    } else if (absl::IsAborted(committed)) {
      Skip(report, c.case_id(),
           homeward::v1::RETENTION_SKIP_REASON_CHANGED_DURING_RUN);
    } else {
      server::Log("warning", "retention_write_failed",
                  {{"case_id", c.case_id()},
                   {"code", absl::StatusCodeToString(committed.code())}});
      Skip(report, c.case_id(),
           homeward::v1::RETENTION_SKIP_REASON_WRITE_FAILED);
    }
  }
  // The old versions stay in RocksDB's files until a compaction drops them.
  // A failure here leaves them to RocksDB's own compactions: the run's
  // anonymisation stands, so it is logged, not reported as an error.
  for (uint32_t partition : written) {
    absl::Status compacted = store_->CompactPartition(partition);
    if (!compacted.ok()) {
      server::Log("warning", "retention_compaction_failed",
                  {{"partition", absl::StrCat(partition)},
                   {"code", absl::StatusCodeToString(compacted.code())}});
    }
  }
  return report;
}

absl::Status RetentionJob::Anonymise(
    const service::Actor& actor, const Case& c,
    const std::vector<homeward::v1::Event>& past_events) const {
  ASSIGN_OR_RETURN(
      storage::WriteSet set,
      cases_->Anonymise(actor, c, Anonymised(c, storage::NowTimestamp())));
  RETURN_IF_ERROR(
      needs_.RemoveFreeTextOfCase(actor, c.partition(), c.case_id(), set));
  RETURN_IF_ERROR(consents_.RemoveFreeTextOfCase(c, set));
  RETURN_IF_ERROR(sessions_.RemoveFreeTextOfCase(c, set));
  for (const homeward::v1::Event& event : past_events) {
    set.RewriteEvent(event);
  }
  return store_->Commit(std::move(set)).status();
}

void LogRetentionReport(const RetentionReport& report,
                        absl::string_view trigger) {
  server::Log(
      "info", "retention_run",
      {{"trigger", std::string(trigger)},
       {"replica", report.replica()},
       {"dry_run", report.dry_run() ? "true" : "false"},
       {"closed_cases_checked", absl::StrCat(report.closed_cases_checked())},
       {"within_retention", absl::StrCat(report.within_retention())},
       {"already_anonymised", absl::StrCat(report.already_anonymised())},
       {"anonymised", absl::StrCat(report.anonymised_case_ids_size())},
       {"skipped", absl::StrCat(report.skipped_size())}});
  for (const std::string& case_id : report.anonymised_case_ids()) {
    server::Log("info", report.dry_run() ? "retention_due" : "case_anonymised",
                {{"case_id", case_id}});
  }
  for (const homeward::v1::RetentionSkip& skip : report.skipped()) {
    server::Log(
        "warning", "retention_skipped",
        {{"case_id", skip.case_id()},
         {"reason", homeward::v1::RetentionSkipReason_Name(skip.reason())}});
  }
}

RetentionSchedule::RetentionSchedule(RetentionJob* job, absl::Duration interval)
    : job_(job), interval_(interval), thread_([this] { Loop(); }) {}

RetentionSchedule::~RetentionSchedule() { Stop(); }

void RetentionSchedule::Stop() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  if (thread_.joinable()) thread_.join();
}

void RetentionSchedule::Loop() {
  // Not at once: a replica restarting in a loop should not rescan its cases
  // each time, and a fresh start has other work first.
  absl::Duration wait = std::min(interval_, absl::Minutes(1));
  while (true) {
    {
      absl::MutexLock lock(&mu_);
      if (mu_.AwaitWithTimeout(absl::Condition(&stopping_), wait)) return;
    }
    absl::StatusOr<RetentionReport> report = job_->Run(
        ScheduledRetentionActor(), api::TodayUtc(), /*dry_run=*/false);
    if (report.ok()) {
      LogRetentionReport(*report, "schedule");
    } else {
      server::Log("error", "retention_run_failed",
                  {{"code", absl::StatusCodeToString(report.status().code())}});
    }
    wait = interval_;
  }
}

}  // namespace homeward::assessment
