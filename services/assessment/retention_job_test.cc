// The retention job (retention_job.h) on a real RocksDB in a temporary
// directory: cases registered and closed through the CaseStore, programmes
// published in the store's catalog, the job run with `today` given. A closed
// case past its programme's retention is anonymised in one write (record,
// CaseAnonymised event, audit entry); a closed case within retention, an
// open case and a case of an unknown programme are left as they are; a dry
// run and a second run change nothing; an anonymised case moves no more.
#include "services/assessment/retention_job.h"

#include <filesystem>
#include <fstream>
#include <future>
#include <iterator>
#include <memory>
#include <string>
#include <vector>

#include "absl/time/civil_time.h"
#include "absl/time/clock.h"
#include "common/api/field_checks.h"
#include "common/programme/programme_catalogs.h"
#include "common/status/status_matchers.h"
#include "common/storage/store.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"
#include "services/assessment/case_scope.h"
#include "services/assessment/case_stages.h"
#include "services/assessment/case_store.h"
#include "services/assessment/consent_store.h"
#include "services/assessment/counselling_store.h"
#include "services/assessment/need_store.h"
#include "services/assessment/retention_rules.h"
#include "tests/fixtures/case_fixtures.h"
#include "tests/fixtures/temp_dir.h"

namespace homeward::assessment {
namespace {

using ::homeward::testing::IsOk;
using ::homeward::testing::StatusIs;
using ::homeward::v1::Case;
using ::homeward::v1::RetentionReport;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

constexpr uint32_t kPartitions = 4;
// The family name of the one case past its retention: no other case has it.
constexpr char kDueName[] = "Sowforgotten";

// Whether any file under `dir` holds `text` as plain bytes.
bool AnyFileContains(const std::string& dir, const std::string& text) {
  std::error_code error;
  for (const auto& entry :
       std::filesystem::recursive_directory_iterator(dir, error)) {
    if (!entry.is_regular_file()) continue;
    std::ifstream in(entry.path(), std::ios::binary);
    const std::string bytes((std::istreambuf_iterator<char>(in)),
                            std::istreambuf_iterator<char>());
    if (bytes.find(text) != std::string::npos) return true;
  }
  return false;
}

bool Same(const google::protobuf::Message& a,
          const google::protobuf::Message& b) {
  return google::protobuf::util::MessageDifferencer::Equals(a, b);
}

class RetentionJobTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto store = storage::Store::Open(
        {.path = dir_.path() + "/db", .partition_count = kPartitions});
    ASSERT_THAT(store.status(), IsOk());
    store_ = std::move(*store);
    owned_ = std::make_unique<storage::PartitionSet>(
        storage::PartitionSet::All(kPartitions));
    cases_ = std::make_unique<CaseStore>(store_.get(), *owned_);
    programmes_ = std::make_unique<programme::ProgrammeCatalog>(
        store_.get(), programme::kProgrammeSchema);
    job_ = std::make_unique<RetentionJob>(store_.get(), cases_.get(),
                                          programmes_.get(), owned_.get());
    // Five years; ten years for the other programme.
    Publish("sn_reintegration", 5);
    Publish("long_programme", 10);

    due_ = Register("due", "sn_reintegration", /*close=*/true, kDueName);
    within_ = Register("within", "long_programme", /*close=*/true);
    open_ = Register("open", "sn_reintegration", /*close=*/false);
    unknown_ = Register("unknown", "no_such_programme", /*close=*/true);
    closed_on_ = api::TodayUtc();
  }

  void Publish(const std::string& id, int retention_years) {
    v1::Programme p;
    p.set_programme_id(id);
    p.set_version(1);
    p.set_name(id);
    p.set_retention_years(retention_years);
    ASSERT_THAT(programmes_->Publish(Admin(), p).status(), IsOk());
  }

  static service::Actor Admin() {
    service::Actor actor;
    actor.principal = testing::MakePrincipal("admin-1", v1::ROLE_ADMINISTRATOR,
                                             {"office-dakar"});
    actor.request_id = "run-1";
    actor.method = "homeward.v1.RetentionService/RunRetention";
    return actor;
  }

  // A case registered (and closed when `close`) under `programme_id`.
  Case Register(const std::string& request_id, const std::string& programme_id,
                bool close, const std::string& family_name = "Ndiaye") {
    service::Actor actor;
    actor.principal =
        testing::MakePrincipal("cm-1", v1::ROLE_CASE_MANAGER, {"office-dakar"});
    actor.request_id = request_id;
    Case c = testing::ValidRegistration(request_id).case_();
    c.set_programme_id(programme_id);
    c.mutable_returnee()->set_family_name(family_name);
    std::promise<absl::StatusOr<Case>> done;
    cases_->Register(actor, request_id, c,
                     [&done](absl::StatusOr<Case> created) {
                       done.set_value(std::move(created));
                     });
    absl::StatusOr<Case> created = done.get_future().get();
    EXPECT_THAT(created.status(), IsOk());
    if (!created.ok() || !close) return created.value_or(Case());
    absl::StatusOr<storage::WriteSet> move =
        cases_->StageMove(actor, *created, kCaseClosed);
    EXPECT_THAT(move.status(), IsOk());
    EXPECT_THAT(store_->Commit(*std::move(move)).status(), IsOk());
    return Read(created->case_id());
  }

  Case Read(const std::string& case_id) {
    absl::StatusOr<Case> c = cases_->Get(case_id);
    EXPECT_THAT(c.status(), IsOk());
    return c.value_or(Case());
  }

  size_t AuditEntriesOf(const std::string& case_id) {
    absl::StatusOr<storage::AuditPage> page =
        store_->ListAuditOf(case_id, 500, "");
    EXPECT_THAT(page.status(), IsOk());
    return page.ok() ? page->entries.size() : 0;
  }

  RetentionReport Run(absl::CivilDay today, bool dry_run) {
    absl::StatusOr<RetentionReport> report = job_->Run(Admin(), today, dry_run);
    EXPECT_THAT(report.status(), IsOk());
    return report.value_or(RetentionReport());
  }

  // Every case as it is now, for "nothing changed".
  std::vector<Case> Everything() {
    return {Read(due_.case_id()), Read(within_.case_id()),
            Read(open_.case_id()), Read(unknown_.case_id())};
  }

  testing::TempDir dir_;
  std::unique_ptr<storage::Store> store_;
  std::unique_ptr<storage::PartitionSet> owned_;
  std::unique_ptr<CaseStore> cases_;
  std::unique_ptr<programme::ProgrammeCatalog> programmes_;
  std::unique_ptr<RetentionJob> job_;
  Case due_, within_, open_, unknown_;
  absl::CivilDay closed_on_;
};

TEST_F(RetentionJobTest, WithinEveryRetentionNothingChanges) {
  const std::vector<Case> before = Everything();
  const RetentionReport report =
      Run(absl::CivilDay(closed_on_.year() + 5, closed_on_.month(),
                         closed_on_.day()) -
              1,
          /*dry_run=*/false);
  EXPECT_EQ(report.closed_cases_checked(), 3u);
  EXPECT_EQ(report.within_retention(), 2u);
  EXPECT_THAT(report.anonymised_case_ids(), IsEmpty());
  ASSERT_EQ(report.skipped_size(), 1);
  EXPECT_EQ(report.skipped(0).case_id(), unknown_.case_id());
  EXPECT_EQ(report.skipped(0).reason(),
            v1::RETENTION_SKIP_REASON_PROGRAMME_UNKNOWN);
  const std::vector<Case> after = Everything();
  for (size_t i = 0; i < before.size(); ++i) {
    EXPECT_TRUE(Same(before[i], after[i])) << i;
  }
}

TEST_F(RetentionJobTest, AnonymisesOnlyTheClosedCasePastItsRetention) {
  const absl::CivilDay today(closed_on_.year() + 6, closed_on_.month(), 1);
  const size_t audit_before = AuditEntriesOf(due_.case_id());
  const uint64_t events_before = store_->PublishedSequence(due_.partition());

  const RetentionReport report = Run(today, /*dry_run=*/false);
  EXPECT_EQ(report.replica(), "partitions 0-3 of 4");
  EXPECT_FALSE(report.dry_run());
  EXPECT_EQ(report.today().year(), today.year());
  EXPECT_EQ(report.closed_cases_checked(), 3u);
  EXPECT_EQ(report.within_retention(), 1u);
  EXPECT_EQ(report.already_anonymised(), 0u);
  EXPECT_THAT(report.anonymised_case_ids(), ElementsAre(due_.case_id()));
  ASSERT_EQ(report.skipped_size(), 1);
  EXPECT_EQ(report.skipped(0).case_id(), unknown_.case_id());

  // The record: identity and contacts gone, the rest kept, a new version.
  const Case after = Read(due_.case_id());
  EXPECT_TRUE(IsAnonymised(after));
  EXPECT_TRUE(after.returnee().given_name().empty());
  EXPECT_TRUE(after.returnee().family_name().empty());
  EXPECT_THAT(after.returnee().contacts(), IsEmpty());
  EXPECT_TRUE(after.return_info().locality().empty());
  EXPECT_EQ(after.returnee().date_of_birth().year(),
            due_.returnee().date_of_birth().year());
  EXPECT_EQ(after.returnee().date_of_birth().month(), 0);
  EXPECT_EQ(after.returnee().sex(), due_.returnee().sex());
  EXPECT_EQ(after.office_id(), due_.office_id());
  EXPECT_EQ(after.programme_id(), due_.programme_id());
  EXPECT_EQ(after.stage(), v1::CASE_STAGE_CLOSED);
  EXPECT_TRUE(Same(after.create_time(), due_.create_time()));
  EXPECT_EQ(after.stage_history_size(), due_.stage_history_size());
  EXPECT_NE(after.etag(), due_.etag());
  EXPECT_EQ(after.DebugString().find(kDueName), std::string::npos);
  EXPECT_EQ(after.DebugString().find("Awa"), std::string::npos);

  // The audit entry: who ran it, which method, the case.
  absl::StatusOr<storage::AuditPage> audit =
      store_->ListAuditOf(due_.case_id(), 500, "");
  ASSERT_THAT(audit.status(), IsOk());
  ASSERT_EQ(audit->entries.size(), audit_before + 1);
  EXPECT_EQ(audit->entries.back().user_id(), "admin-1");
  EXPECT_EQ(audit->entries.back().role(), "ROLE_ADMINISTRATOR");
  EXPECT_EQ(audit->entries.back().action(),
            "homeward.v1.RetentionService/RunRetention");

  // The event the other services scrub their copies on.
  absl::StatusOr<std::vector<v1::Event>> events =
      store_->ReadEvents(due_.partition(), events_before, 10);
  ASSERT_THAT(events.status(), IsOk());
  ASSERT_EQ(events->size(), 1u);
  const v1::Event& event = events->front();
  ASSERT_TRUE(event.has_case_anonymised());
  EXPECT_EQ(event.subject_id(), due_.case_id());
  EXPECT_EQ(event.actor_user_id(), "admin-1");
  EXPECT_EQ(event.case_anonymised().case_id(), due_.case_id());
  EXPECT_EQ(event.case_anonymised().case_().etag(), after.etag());
  EXPECT_TRUE(event.case_anonymised().case_().returnee().given_name().empty());

  // Its past events (registration, closure) no longer carry the name; the
  // other cases' events still carry theirs.
  absl::StatusOr<std::vector<v1::Event>> all =
      store_->ReadEvents(due_.partition(), 0, 1000);
  ASSERT_THAT(all.status(), IsOk());
  int due_events = 0;
  for (const v1::Event& e : *all) {
    if (e.subject_id() != due_.case_id()) continue;
    ++due_events;
    EXPECT_EQ(e.DebugString().find(kDueName), std::string::npos)
        << e.ShortDebugString();
    EXPECT_EQ(e.DebugString().find("Pikine"), std::string::npos);
  }
  EXPECT_EQ(due_events, 3);  // registered, stage changed, anonymised
  absl::StatusOr<std::vector<v1::Event>> within_events =
      store_->ReadEvents(within_.partition(), 0, 1000);
  ASSERT_THAT(within_events.status(), IsOk());
  bool within_named = false;
  for (const v1::Event& e : *within_events) {
    within_named |= e.subject_id() == within_.case_id() &&
                    e.DebugString().find("Ndiaye") != std::string::npos;
  }
  EXPECT_TRUE(within_named);

  // The others as they were.
  EXPECT_TRUE(Same(Read(within_.case_id()), within_));
  EXPECT_TRUE(Same(Read(open_.case_id()), open_));
  EXPECT_TRUE(Same(Read(unknown_.case_id()), unknown_));
}

// What staff wrote in their own words about the case (its needs' and
// concerns' text, consent notes, counselling notes) goes in the same write:
// each record at a new version without it, the codes and statuses kept; the
// needs and concerns announced again (the other services replace their
// copies); their past events scrubbed. Another case's text stays.
TEST_F(RetentionJobTest, TheFreeTextOfTheCasesOtherRecordsGoesTooInOneWrite) {
  service::Actor cm;
  cm.principal =
      testing::MakePrincipal("cm-1", v1::ROLE_CASE_MANAGER, {"office-dakar"});
  cm.request_id = "text-1";
  const std::string text = std::string("lives with ") + kDueName + "'s uncle";
  NeedStore needs(store_.get());
  v1::NeedInput need;
  need.set_dimension(v1::DIMENSION_ECONOMIC);
  need.set_category("employment");
  need.set_description(text);
  need.set_priority(v1::NEED_PRIORITY_HIGH);
  auto due_need =
      needs.AddNeed(cm, due_.partition(), due_.case_id(), "need-1", need);
  ASSERT_THAT(due_need.status(), IsOk());
  auto within_need =
      needs.AddNeed(cm, within_.partition(), within_.case_id(), "need-2", need);
  ASSERT_THAT(within_need.status(), IsOk());
  v1::ProtectionConcernInput concern;
  concern.set_code("THREATS");
  concern.set_label(text);
  concern.set_priority(v1::NEED_PRIORITY_HIGH);
  concern.set_response_category("protection");
  auto due_concern = needs.AddConcern(cm, due_.partition(), due_.case_id(),
                                      "concern-1", concern);
  ASSERT_THAT(due_concern.status(), IsOk());
  ConsentStore consents(store_.get());
  v1::ConsentRecord consent;
  consent.set_granted(true);
  consent.set_notes(text);
  ASSERT_THAT(consents.Record(cm, due_, "consent-1", consent).status(), IsOk());
  CounsellingStore sessions(store_.get());
  v1::CounsellingSession session;
  session.add_topics("employment");
  session.set_observations(text);
  session.set_distress_signs_observed(true);
  session.set_distress_notes(text);
  session.add_agreed_next_steps(text);
  ASSERT_THAT(sessions.Record(cm, due_, "session-1", session).status(), IsOk());
  const uint64_t events_before = store_->PublishedSequence(due_.partition());

  const RetentionReport report =
      Run(absl::CivilDay(closed_on_.year() + 6, closed_on_.month(), 1),
          /*dry_run=*/false);
  ASSERT_THAT(report.anonymised_case_ids(), ElementsAre(due_.case_id()));

  auto after_need =
      needs.GetNeed(due_.partition(), due_.case_id(), due_need->need_id());
  ASSERT_THAT(after_need.status(), IsOk());
  EXPECT_EQ(after_need->description(), "");
  EXPECT_EQ(after_need->category(), "employment");
  EXPECT_EQ(after_need->priority(), v1::NEED_PRIORITY_HIGH);
  EXPECT_EQ(after_need->status(), due_need->status());
  EXPECT_NE(after_need->etag(), due_need->etag());
  auto after_concern = needs.GetConcern(due_.partition(), due_.case_id(),
                                        due_concern->concern_id());
  ASSERT_THAT(after_concern.status(), IsOk());
  EXPECT_EQ(after_concern->label(), "");
  EXPECT_EQ(after_concern->code(), "THREATS");
  auto after_consents = consents.List(due_, 10, "");
  ASSERT_THAT(after_consents.status(), IsOk());
  ASSERT_EQ(after_consents->items.size(), 1u);
  EXPECT_EQ(after_consents->items[0].notes(), "");
  EXPECT_TRUE(after_consents->items[0].granted());
  auto after_sessions = sessions.List(due_, 10, "");
  ASSERT_THAT(after_sessions.status(), IsOk());
  ASSERT_EQ(after_sessions->items.size(), 1u);
  const v1::CounsellingSession& s = after_sessions->items[0];
  EXPECT_EQ(s.observations(), "");
  EXPECT_EQ(s.distress_notes(), "");
  EXPECT_THAT(s.agreed_next_steps(), IsEmpty());
  EXPECT_TRUE(s.distress_signs_observed());
  EXPECT_THAT(s.topics(), ElementsAre("employment"));

  // Announced again after CaseAnonymised, without the text; and no event of
  // the case, past or new, still holds it.
  absl::StatusOr<std::vector<v1::Event>> added =
      store_->ReadEvents(due_.partition(), events_before, 10);
  ASSERT_THAT(added.status(), IsOk());
  std::vector<v1::Event::PayloadCase> kinds;
  for (const v1::Event& e : *added) kinds.push_back(e.payload_case());
  EXPECT_THAT(kinds,
              ElementsAre(v1::Event::kCaseAnonymised, v1::Event::kNeedChanged,
                          v1::Event::kProtectionConcernChanged));
  absl::StatusOr<std::vector<v1::Event>> all =
      store_->ReadEvents(due_.partition(), 0, 1000);
  ASSERT_THAT(all.status(), IsOk());
  for (const v1::Event& e : *all) {
    if (e.subject_id() != due_.case_id()) continue;
    EXPECT_EQ(e.DebugString().find(kDueName), std::string::npos)
        << e.ShortDebugString();
  }
  // The other case's need keeps its text.
  auto kept = needs.GetNeed(within_.partition(), within_.case_id(),
                            within_need->need_id());
  ASSERT_THAT(kept.status(), IsOk());
  EXPECT_EQ(kept->description(), text);
}

// RocksDB keeps an overwritten value in its files until a compaction drops
// it; the job compacts the partitions it wrote, so no file under the data
// directory holds the name any more (the WAL included: every memtable is
// flushed, so RocksDB deletes the logs that held it).
TEST_F(RetentionJobTest, NoFileKeepsTheRemovedName) {
  // The name is on disk before: the test can see it.
  ASSERT_TRUE(AnyFileContains(dir_.path(), kDueName));
  Run(absl::CivilDay(closed_on_.year() + 6, closed_on_.month(), 1),
      /*dry_run=*/false);
  // Obsolete files are deleted by RocksDB's background work: allow it time.
  const absl::Time give_up = absl::Now() + absl::Seconds(30);
  while (AnyFileContains(dir_.path(), kDueName) && absl::Now() < give_up) {
    absl::SleepFor(absl::Milliseconds(100));
  }
  EXPECT_FALSE(AnyFileContains(dir_.path(), kDueName));
  // The other cases' names are still there, where they belong.
  EXPECT_TRUE(AnyFileContains(dir_.path(), "Ndiaye"));
}

TEST_F(RetentionJobTest, ASecondRunChangesNothing) {
  const absl::CivilDay today(closed_on_.year() + 6, closed_on_.month(), 1);
  Run(today, /*dry_run=*/false);
  const std::vector<Case> before = Everything();
  const size_t audit_before = AuditEntriesOf(due_.case_id());
  const uint64_t events_before = store_->PublishedSequence(due_.partition());

  const RetentionReport again = Run(today, /*dry_run=*/false);
  EXPECT_THAT(again.anonymised_case_ids(), IsEmpty());
  EXPECT_EQ(again.already_anonymised(), 1u);
  EXPECT_EQ(again.closed_cases_checked(), 3u);
  const std::vector<Case> after = Everything();
  for (size_t i = 0; i < before.size(); ++i) {
    EXPECT_TRUE(Same(before[i], after[i])) << i;
  }
  EXPECT_EQ(AuditEntriesOf(due_.case_id()), audit_before);
  EXPECT_EQ(store_->PublishedSequence(due_.partition()), events_before);
}

TEST_F(RetentionJobTest, ADryRunReportsAndChangesNothing) {
  const absl::CivilDay today(closed_on_.year() + 6, closed_on_.month(), 1);
  const std::vector<Case> before = Everything();
  const size_t audit_before = AuditEntriesOf(due_.case_id());
  const uint64_t events_before = store_->PublishedSequence(due_.partition());

  const RetentionReport report = Run(today, /*dry_run=*/true);
  EXPECT_TRUE(report.dry_run());
  EXPECT_THAT(report.anonymised_case_ids(), ElementsAre(due_.case_id()));
  const std::vector<Case> after = Everything();
  for (size_t i = 0; i < before.size(); ++i) {
    EXPECT_TRUE(Same(before[i], after[i])) << i;
  }
  EXPECT_FALSE(IsAnonymised(Read(due_.case_id())));
  EXPECT_EQ(AuditEntriesOf(due_.case_id()), audit_before);
  EXPECT_EQ(store_->PublishedSequence(due_.partition()), events_before);
}

TEST_F(RetentionJobTest, AnAnonymisedCaseRefusesChangesAndNeverMoves) {
  Run(absl::CivilDay(closed_on_.year() + 6, closed_on_.month(), 1),
      /*dry_run=*/false);
  const Case anonymised = Read(due_.case_id());
  ASSERT_TRUE(IsAnonymised(anonymised));
  EXPECT_THAT(CheckOpenForChange(anonymised, CaseAction::kUpdate),
              StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_THAT(CheckNotAnonymised(anonymised),
              StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_THAT(CheckOpenForChange(anonymised, CaseAction::kRead), IsOk());
  // A reopening from the follow-up feed moves it nowhere.
  absl::StatusOr<storage::WriteSet> reopen =
      cases_->StageMove(Admin(), anonymised, kCaseReopened);
  ASSERT_THAT(reopen.status(), IsOk());
  EXPECT_FALSE(reopen->AppendsEventsOrAudit());
}

}  // namespace
}  // namespace homeward::assessment
