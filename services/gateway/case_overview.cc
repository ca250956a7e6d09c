// The case overview, composed by the gateway; see case_overview.h.
#include "services/gateway/case_overview.h"

#include <algorithm>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "common/api/field_checks.h"
#include "common/api/paging.h"
#include "common/api/scores.h"
#include "common/server/log.h"
#include "common/status/errors.h"
#include "homeward/v1/cases.pb.h"
#include "homeward/v1/instruments.pb.h"
#include "homeward/v1/needs.pb.h"
#include "homeward/v1/planning.pb.h"
#include "homeward/v1/referral.pb.h"

namespace homeward::gateway {
namespace {

namespace v1 = ::homeward::v1;
using google::protobuf::Message;
using google::protobuf::RepeatedPtrField;

constexpr char kGetCase[] = "homeward.v1.CaseService/GetCase";
constexpr char kListAssessments[] =
    "homeward.v1.AssessmentService/ListAssessments";
constexpr char kListNeeds[] = "homeward.v1.NeedService/ListNeeds";
constexpr char kListConcerns[] =
    "homeward.v1.NeedService/ListProtectionConcerns";
constexpr char kGetPlan[] = "homeward.v1.PlanService/GetPlan";
constexpr char kListReferrals[] =
    "homeward.v1.ReferralService/ListCaseReferrals";
constexpr char kListContacts[] = "homeward.v1.FollowUpService/ListContacts";
constexpr char kGetTrajectory[] = "homeward.v1.FollowUpService/GetTrajectory";

// The parts in the order they are reported.
constexpr v1::OverviewPart kParts[] = {
    v1::OVERVIEW_PART_CASE,       v1::OVERVIEW_PART_SCORES,
    v1::OVERVIEW_PART_NEEDS,      v1::OVERVIEW_PART_PLAN,
    v1::OVERVIEW_PART_REFERRALS,  v1::OVERVIEW_PART_FOLLOW_UPS,
    v1::OVERVIEW_PART_TRAJECTORY,
};

// Sends `request` to the table's method `name` as the caller; `request` is
// kept until the answer is in. A method the table lacks (a gateway built
// without it) is UNIMPLEMENTED, like a backend the deployment leaves out.
void Read(Forwarder& forwarder, const CallInfo& call, absl::string_view name,
          std::shared_ptr<const Message> request, Message* response,
          Done done) {
  const MethodRoute* method = forwarder.methods().Find(name);
  if (method == nullptr) {
    return done(errors::Unimplemented(
        absl::StrCat(name, " is not served by this gateway")));
  }
  const Message& sent = *request;
  forwarder.Forward(*method, call, sent, response,
                    [request = std::move(request),
                     done = std::move(done)](absl::Status status) mutable {
                      request.reset();
                      done(std::move(status));
                    });
}

// Reads a case's list page after page (in pages of the largest size) into
// `*items` until it ends or kOverviewListCap items are in. Each page is asked
// for only once the previous one is in, so one reader has one call in
// flight; `*items` is written on the thread of the page's answer.
template <typename Request, typename Response, typename Item>
class ListReader
    : public std::enable_shared_from_this<ListReader<Request, Response, Item>> {
 public:
  using ItemsOf = RepeatedPtrField<Item>* (*)(Response*);

  static void Start(Forwarder& forwarder, const CallInfo& call,
                    absl::string_view name, Request request, ItemsOf items_of,
                    RepeatedPtrField<Item>* items, Done done) {
    auto reader = std::shared_ptr<ListReader>(
        new ListReader(forwarder, call, name, std::move(request), items_of,
                       items, std::move(done)));
    reader->Next();
  }

 private:
  ListReader(Forwarder& forwarder, const CallInfo& call, absl::string_view name,
             Request request, ItemsOf items_of, RepeatedPtrField<Item>* items,
             Done done)
      : forwarder_(forwarder),
        call_(call),
        name_(name),
        request_(std::make_shared<Request>(std::move(request))),
        items_of_(items_of),
        items_(items),
        done_(std::move(done)) {}

  void Next() {
    request_->mutable_page()->set_page_size(
        std::min(api::kMaxPageSize, kOverviewListCap - items_->size()));
    page_.Clear();
    Read(forwarder_, call_, name_, request_, &page_,
         [self = this->shared_from_this()](absl::Status status) {
           self->OnPage(std::move(status));
         });
  }

  void OnPage(absl::Status status) {
    if (!status.ok()) return Finish(std::move(status));
    RepeatedPtrField<Item>* got = items_of_(&page_);
    for (Item& item : *got) items_->Add(std::move(item));
    if (page_.next_page_token().empty() || items_->size() >= kOverviewListCap) {
      return Finish(absl::OkStatus());
    }
    request_->mutable_page()->set_page_token(page_.next_page_token());
    Next();
  }

  void Finish(absl::Status status) {
    // Moved out first: the reader may be released by its last callback.
    Done done = std::move(done_);
    done(std::move(status));
  }

  Forwarder& forwarder_;
  const CallInfo& call_;  // the composed call's, alive until it is answered
  std::string name_;
  std::shared_ptr<Request> request_;
  Response page_;
  ItemsOf items_of_;
  RepeatedPtrField<Item>* items_;
  Done done_;
};

template <typename Request, typename Response, typename Item>
void ReadList(Forwarder& forwarder, const CallInfo& call,
              absl::string_view name, Request request,
              RepeatedPtrField<Item>* (*items_of)(Response*),
              RepeatedPtrField<Item>* items, Done done) {
  ListReader<Request, Response, Item>::Start(forwarder, call, name,
                                             std::move(request), items_of,
                                             items, std::move(done));
}

// One overview being read. Each part's reads fill only that part's own
// slot, and the part's outcome is recorded under the mutex; the read that
// completes last assembles the answer from the slots (Assemble), so no slot
// is written and read at once.
struct OverviewRead {
  OverviewRead(const CallInfo& call, std::string case_id,
               v1::CaseOverview* response, Done done)
      : call(call),
        case_id(std::move(case_id)),
        today(api::TodayUtc()),
        response(response),
        done(std::move(done)) {}

  const CallInfo& call;  // alive until `done` runs
  const std::string case_id;
  const absl::CivilDay today;
  v1::CaseOverview* const response;
  Done done;

  v1::Case the_case;
  RepeatedPtrField<v1::Assessment> rss;
  RepeatedPtrField<v1::Need> needs;
  RepeatedPtrField<v1::ProtectionConcern> concerns;
  v1::Plan plan;
  RepeatedPtrField<v1::Referral> referrals;
  RepeatedPtrField<v1::FollowUpContact> contacts;
  v1::Trajectory trajectory;

  absl::Mutex mu;
  // Reads not yet answered; a part may take several (NEEDS: two).
  int pending ABSL_GUARDED_BY(mu) = 0;
  // Per part: the first failure of its reads (OK while none failed).
  std::map<v1::OverviewPart, absl::Status> outcomes ABSL_GUARDED_BY(mu);
};

void Assemble(const std::shared_ptr<OverviewRead>& read,
              std::map<v1::OverviewPart, absl::Status> outcomes);

// The Done of one read of `part`.
Done ReadOf(const std::shared_ptr<OverviewRead>& read, v1::OverviewPart part) {
  return [read, part](absl::Status status) {
    std::map<v1::OverviewPart, absl::Status> outcomes;
    {
      absl::MutexLock lock(&read->mu);
      absl::Status& outcome = read->outcomes[part];
      if (outcome.ok()) outcome = std::move(status);
      if (--read->pending > 0) return;
      outcomes = std::move(read->outcomes);
    }
    Assemble(read, std::move(outcomes));
  };
}

void Assemble(const std::shared_ptr<OverviewRead>& read,
              std::map<v1::OverviewPart, absl::Status> outcomes) {
  OverviewRead& r = *read;
  const absl::Status& of_case = outcomes[v1::OVERVIEW_PART_CASE];
  // The case's own answer speaks for the whole call: a case the caller may
  // not see reads as one that does not exist, whatever the other parts got.
  if (of_case.code() == absl::StatusCode::kNotFound ||
      of_case.code() == absl::StatusCode::kPermissionDenied) {
    return r.done(errors::NotFound("case", r.case_id));
  }
  if (of_case.code() == absl::StatusCode::kInvalidArgument) {
    return r.done(of_case);
  }
  v1::CaseOverview& out = *r.response;
  out.Clear();
  for (v1::OverviewPart part : kParts) {
    const absl::Status& status = outcomes[part];
    // A service that holds nothing of the case yet (no plan, no contacts,
    // or the case not yet known to it) has nothing to show: the case part
    // decides whether the case exists.
    const bool nothing = part != v1::OVERVIEW_PART_CASE &&
                         status.code() == absl::StatusCode::kNotFound;
    if (!status.ok() && !nothing) {
      *out.add_missing_parts() = MissingPartFor(part, status);
      server::Log("warn", "case overview part missing",
                  {{"request_id", r.call.request_id},
                   {"part", v1::OverviewPart_Name(part)},
                   {"code", absl::StatusCodeToString(status.code())}});
      continue;
    }
    if (nothing) continue;
    switch (part) {
      case v1::OVERVIEW_PART_CASE:
        out.mutable_case_()->Swap(&r.the_case);
        break;
      case v1::OVERVIEW_PART_SCORES: {
        std::optional<v1::ScoresSinceBaseline> scores = CompareWithBaseline(
            std::vector<v1::Assessment>(r.rss.begin(), r.rss.end()));
        if (scores.has_value()) *out.mutable_scores() = *std::move(scores);
        break;
      }
      case v1::OVERVIEW_PART_NEEDS:
        out.mutable_open_needs()->Swap(&r.needs);
        out.mutable_open_protection_concerns()->Swap(&r.concerns);
        break;
      case v1::OVERVIEW_PART_PLAN:
        out.mutable_plan()->Swap(&r.plan);
        break;
      case v1::OVERVIEW_PART_REFERRALS:
        out.mutable_referrals()->Swap(&r.referrals);
        break;
      case v1::OVERVIEW_PART_FOLLOW_UPS: {
        ScheduledContacts split = SplitScheduledContacts(
            std::vector<v1::FollowUpContact>(
                std::make_move_iterator(r.contacts.begin()),
                std::make_move_iterator(r.contacts.end())),
            r.today);
        for (auto& c : split.upcoming)
          *out.add_upcoming_contacts() = std::move(c);
        for (auto& c : split.overdue)
          *out.add_overdue_contacts() = std::move(c);
        break;
      }
      case v1::OVERVIEW_PART_TRAJECTORY:
        out.mutable_trajectory()->Swap(&r.trajectory);
        break;
      default:
        break;
    }
  }
  r.done(absl::OkStatus());
}

// Whether `a` falls due on an earlier day than `b`.
bool DueBefore(const v1::FollowUpContact& a, const v1::FollowUpContact& b) {
  return api::DateBefore(a.due_date(), b.due_date());
}

}  // namespace

void ComposeCaseOverview(Forwarder& forwarder, const CallInfo& call,
                         const Message& request, Message* response,
                         std::function<void(absl::Status)> done) {
  const auto& asked = static_cast<const v1::GetCaseOverviewRequest&>(request);
  if (asked.case_id().empty()) {
    return done(errors::InvalidField(
        "case_id", "is required: the case whose overview is asked for"));
  }
  auto read = std::make_shared<OverviewRead>(
      call, asked.case_id(), static_cast<v1::CaseOverview*>(response),
      std::move(done));
  {
    absl::MutexLock lock(&read->mu);
    // Counted before any read starts, since an answer may come at once.
    read->pending = 8;
  }
  OverviewRead& r = *read;
  const std::string& id = r.case_id;

  auto get_case = std::make_shared<v1::GetCaseRequest>();
  get_case->set_case_id(id);
  Read(forwarder, call, kGetCase, std::move(get_case), &r.the_case,
       ReadOf(read, v1::OVERVIEW_PART_CASE));

  v1::ListAssessmentsRequest rss;
  rss.set_case_id(id);
  rss.set_kind(v1::INSTRUMENT_KIND_RSS);
  ReadList(
      forwarder, call, kListAssessments, std::move(rss),
      +[](v1::ListAssessmentsResponse* page) {
        return page->mutable_assessments();
      },
      &r.rss, ReadOf(read, v1::OVERVIEW_PART_SCORES));

  v1::ListNeedsRequest needs;
  needs.set_case_id(id);
  needs.add_statuses(v1::NEED_STATUS_OPEN);
  needs.add_statuses(v1::NEED_STATUS_BEING_ADDRESSED);
  ReadList(
      forwarder, call, kListNeeds, std::move(needs),
      +[](v1::ListNeedsResponse* page) { return page->mutable_needs(); },
      &r.needs, ReadOf(read, v1::OVERVIEW_PART_NEEDS));

  v1::ListProtectionConcernsRequest concerns;
  concerns.set_case_id(id);
  concerns.add_statuses(v1::NEED_STATUS_OPEN);
  concerns.add_statuses(v1::NEED_STATUS_BEING_ADDRESSED);
  ReadList(
      forwarder, call, kListConcerns, std::move(concerns),
      +[](v1::ListProtectionConcernsResponse* page) {
        return page->mutable_concerns();
      },
      &r.concerns, ReadOf(read, v1::OVERVIEW_PART_NEEDS));

  auto plan = std::make_shared<v1::GetPlanRequest>();
  plan->set_case_id(id);  // version 0: the latest
  Read(forwarder, call, kGetPlan, std::move(plan), &r.plan,
       ReadOf(read, v1::OVERVIEW_PART_PLAN));

  v1::ListCaseReferralsRequest referrals;
  referrals.set_case_id(id);
  ReadList(
      forwarder, call, kListReferrals, std::move(referrals),
      +[](v1::ListCaseReferralsResponse* page) {
        return page->mutable_referrals();
      },
      &r.referrals, ReadOf(read, v1::OVERVIEW_PART_REFERRALS));

  v1::ListContactsRequest contacts;
  contacts.set_case_id(id);
  contacts.set_status(v1::FOLLOW_UP_CONTACT_STATUS_SCHEDULED);
  ReadList(
      forwarder, call, kListContacts, std::move(contacts),
      +[](v1::ListContactsResponse* page) { return page->mutable_contacts(); },
      &r.contacts, ReadOf(read, v1::OVERVIEW_PART_FOLLOW_UPS));

  auto trajectory = std::make_shared<v1::GetTrajectoryRequest>();
  trajectory->set_case_id(id);
  Read(forwarder, call, kGetTrajectory, std::move(trajectory), &r.trajectory,
       ReadOf(read, v1::OVERVIEW_PART_TRAJECTORY));
}

ScheduledContacts SplitScheduledContacts(
    std::vector<v1::FollowUpContact> contacts, absl::CivilDay today) {
  const v1::Date today_date = api::ToDate(today);
  ScheduledContacts split;
  for (v1::FollowUpContact& contact : contacts) {
    if (contact.status() != v1::FOLLOW_UP_CONTACT_STATUS_SCHEDULED) continue;
    (api::DateBefore(contact.due_date(), today_date) ? split.overdue
                                                     : split.upcoming)
        .push_back(std::move(contact));
  }
  std::stable_sort(split.upcoming.begin(), split.upcoming.end(), DueBefore);
  std::stable_sort(split.overdue.begin(), split.overdue.end(), DueBefore);
  return split;
}

std::optional<v1::ScoresSinceBaseline> CompareWithBaseline(
    const std::vector<v1::Assessment>& submissions) {
  const v1::Assessment* baseline = nullptr;
  const v1::Assessment* latest = nullptr;
  for (const v1::Assessment& a : submissions) {
    // The returnee's own RSS only: a household member's is about someone
    // else.
    if (a.kind() != v1::INSTRUMENT_KIND_RSS || !a.subject_member_id().empty()) {
      continue;
    }
    if (a.occasion() == v1::ASSESSMENT_OCCASION_BASELINE) baseline = &a;
    latest = &a;
  }
  if (latest == nullptr) return std::nullopt;
  v1::ScoresSinceBaseline scores;
  const v1::Assessment* base = baseline;
  const v1::Assessment* target = latest == baseline ? nullptr : latest;
  if (base != nullptr) {
    scores.set_baseline_assessment_id(base->assessment_id());
    *scores.mutable_baseline_time() = base->create_time();
  }
  if (target != nullptr) {
    scores.set_latest_assessment_id(target->assessment_id());
    *scores.mutable_latest_time() = target->create_time();
  }
  const bool comparable =
      base != nullptr && target != nullptr &&
      base->instrument_id() == target->instrument_id() &&
      base->instrument_version() == target->instrument_version();
  api::AddScoreChanges(base != nullptr ? &base->scores() : nullptr,
                       target != nullptr ? &target->scores() : nullptr,
                       comparable, scores.mutable_changes());
  return scores;
}

v1::MissingPart MissingPartFor(v1::OverviewPart part,
                               const absl::Status& status) {
  v1::MissingPart missing;
  missing.set_part(part);
  missing.set_code(absl::StatusCodeToString(status.code()));
  switch (status.code()) {
    case absl::StatusCode::kPermissionDenied:
      missing.set_reason(v1::MISSING_REASON_WITHHELD);
      break;
    case absl::StatusCode::kUnavailable:
    case absl::StatusCode::kDeadlineExceeded:
    case absl::StatusCode::kUnimplemented:
      missing.set_reason(v1::MISSING_REASON_UNAVAILABLE);
      break;
    default:
      missing.set_reason(v1::MISSING_REASON_FAILED);
      break;
  }
  return missing;
}

}  // namespace homeward::gateway
