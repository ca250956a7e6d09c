// The embedded deployment and the scenarios of homeward-bench; see
// scenarios.h.
#include "tools/bench/scenarios.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <set>
#include <sstream>
#include <system_error>
#include <thread>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/civil_time.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "common/api/field_checks.h"
#include "common/auth/crypto.h"
#include "common/auth/principal_token.h"
#include "common/feeds/producer_channel.h"
#include "common/routing/route_table.h"
#include "common/server/server_kit.h"
#include "common/server/transport.h"
#include "common/service/upstream_feed.h"
#include "common/status/grpc_status.h"
#include "common/status/status_macros.h"
#include "google/protobuf/text_format.h"
#include "google/protobuf/util/json_util.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "grpcpp/alarm.h"
#include "grpcpp/client_context.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "homeward/internal/v1/config.pb.h"
#include "homeward/v1/cases.grpc.pb.h"
#include "homeward/v1/consent.grpc.pb.h"
#include "homeward/v1/directory.grpc.pb.h"
#include "homeward/v1/follow_up.grpc.pb.h"
#include "homeward/v1/planning.grpc.pb.h"
#include "homeward/v1/referral.grpc.pb.h"
#include "homeward/v1/taxonomy.pb.h"
#include "services/follow_up/follow_up_server.h"
#include "services/gateway/api_keys.h"
#include "services/gateway/method_table.h"
#include "services/planning/planning_server.h"
#include "services/referral/referral_server.h"
#include "tests/fixtures/case_fixtures.h"
#include "tools/bench/http_client.h"

namespace homeward::bench {
namespace {

using grpc::health::v1::Health;
using grpc::health::v1::HealthCheckRequest;
using grpc::health::v1::HealthCheckResponse;
using homeward::v1::Case;
using homeward::v1::CaseService;
using homeward::v1::DirectoryService;
using homeward::v1::FollowUpService;
using homeward::v1::GetCaseRequest;
using homeward::v1::PartnerReferralService;
using homeward::v1::PlanService;
using homeward::v1::RegisterCaseRequest;

using Done = std::function<void(const grpc::Status&)>;
// Puts the caller's credentials on a fresh context: the signed principal on
// direct calls (as the gateway would), the API key at the gateway.
using Authorize = std::function<void(grpc::ClientContext*)>;

// The address assessment's upstream route gives the planning replica: a
// label for the LateChannel that replaces dialling it (see Deployment::Start).
constexpr char kPlanningFeedLabel[] = "late:planning";
// The same for the referral feed, which assessment and planning follow.
constexpr char kReferralFeedLabel[] = "late:referral";
// The page the referral scenarios ask for, as a partner's screen would.
constexpr int kReferralPageSize = 20;
// list_cases_gateway: a page of the office's case list.
constexpr int kCaseListPageSize = 50;
// The page of follow_up_due_gateway, as a case manager's list would ask,
// and the window it looks ahead: every preloaded case's first contact
// (a month after a return three weeks ago) falls in it.
constexpr int kDuePageSize = 50;
constexpr int kDueWithinDays = 30;
// How long ago the bench cases came back: every point of the example
// programme's follow-up cadence (months 1 to 12) lies ahead of a plan
// approved today.
constexpr int kReturnedDaysAgo = 21;

// Every call gets a deadline so that a wedged server ends the run with
// errors instead of hanging it; well under the driver's drain timeout.
constexpr auto kCallDeadline = std::chrono::seconds(30);
constexpr auto kConnectDeadline = std::chrono::seconds(10);

std::unique_ptr<grpc::ClientContext> NewContext() {
  auto context = std::make_unique<grpc::ClientContext>();
  context->set_deadline(std::chrono::system_clock::now() + kCallDeadline);
  return context;
}

}  // namespace

// Dials `count` channels to `target` and waits until each is connected, so
// that connection setup is not part of any measurement. Each channel gets a
// private subchannel pool: otherwise gRPC shares one subchannel (one TCP
// connection) among channels with equal arguments, which would defeat the
// point of having several.
absl::StatusOr<std::vector<std::shared_ptr<grpc::Channel>>> ConnectChannels(
    const std::string& target, int count,
    std::shared_ptr<grpc::ChannelCredentials> credentials) {
  if (credentials == nullptr) credentials = grpc::InsecureChannelCredentials();
  std::vector<std::shared_ptr<grpc::Channel>> channels;
  for (int i = 0; i < count; ++i) {
    grpc::ChannelArguments args;
    args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
    args.SetInt("homeward.bench.channel_index", i);
    auto channel = grpc::CreateCustomChannel(target, credentials, args);
    if (!channel->WaitForConnected(std::chrono::system_clock::now() +
                                   kConnectDeadline)) {
      return absl::UnavailableError(
          absl::StrCat("cannot connect to ", target, " (channel ", i, ")"));
    }
    channels.push_back(std::move(channel));
  }
  return channels;
}

namespace {

int ChannelCount(const ScenarioSettings& settings) {
  const int per_channel = std::max(1, settings.calls_per_channel);
  return std::max(1,
                  (settings.load.concurrency + per_channel - 1) / per_channel);
}

Authorize SignedPrincipal(const Deployment& deployment) {
  auto signer = std::make_shared<auth::PrincipalSigner>(deployment.secret());
  return [signer,
          principal = deployment.principal()](grpc::ClientContext* context) {
    signer->Attach(principal, context);
  };
}

Authorize BearerKey(const std::string& key) {
  return [header = absl::StrCat("Bearer ", key)](grpc::ClientContext* context) {
    context->AddMetadata(gateway::kAuthorizationHeader, header);
  };
}

// grpc.health.v1.Health/Check for the whole server: the cheapest call the
// service answers, i.e. the cost of one RPC hop.
class HealthSlot : public CallSlot {
 public:
  explicit HealthSlot(Health::Stub* stub) : stub_(stub) {}

  void Issue(uint64_t sequence, Done done) override {
    context_ = NewContext();
    response_.Clear();
    stub_->async()->Check(
        context_.get(), &request_, &response_,
        [this, done = std::move(done)](grpc::Status status) {
          if (status.ok() &&
              response_.status() != HealthCheckResponse::SERVING) {
            status = grpc::Status(grpc::StatusCode::UNAVAILABLE,
                                  "health check answered not serving");
          }
          done(status);
        });
  }

 private:
  Health::Stub* const stub_;
  std::unique_ptr<grpc::ClientContext> context_;
  HealthCheckRequest request_;
  HealthCheckResponse response_;
};

// GetCase of the preloaded cases, round-robin by call sequence.
class GetSlot : public CallSlot {
 public:
  GetSlot(CaseService::Stub* stub, const Authorize* authorize,
          const std::vector<std::string>* case_ids)
      : stub_(stub), authorize_(authorize), case_ids_(case_ids) {}

  void Issue(uint64_t sequence, Done done) override {
    context_ = NewContext();
    (*authorize_)(context_.get());
    request_.set_case_id((*case_ids_)[sequence % case_ids_->size()]);
    response_.Clear();
    stub_->async()->GetCase(
        context_.get(), &request_, &response_,
        [this, done = std::move(done)](grpc::Status status) {
          // A wrong answer is as much a failure as an error status.
          if (status.ok() && response_.case_id() != request_.case_id()) {
            status = grpc::Status(grpc::StatusCode::INTERNAL,
                                  "GetCase answered with another case");
          }
          done(status);
        });
  }

 private:
  CaseService::Stub* const stub_;
  const Authorize* const authorize_;
  const std::vector<std::string>* const case_ids_;
  std::unique_ptr<grpc::ClientContext> context_;
  GetCaseRequest request_;
  Case response_;
};

// RegisterCase with a request id unique to the call, so that every call
// creates a case (a replay would skip the write being measured).
class RegisterSlot : public CallSlot {
 public:
  // When `created` is set, the id of the case made by call `sequence` is
  // stored at (*created)[sequence] (each call owns its element).
  RegisterSlot(CaseService::Stub* stub, const Authorize* authorize,
               std::string request_id_prefix,
               std::vector<std::string>* created = nullptr)
      : stub_(stub),
        authorize_(authorize),
        prefix_(std::move(request_id_prefix)),
        created_(created),
        request_(testing::ValidRegistration("", kBenchOffice, kBenchUser)) {
    *request_.mutable_case_()->mutable_return_info()->mutable_return_date() =
        api::ToDate(absl::ToCivilDay(absl::Now(), absl::UTCTimeZone()) -
                    kReturnedDaysAgo);
  }

  void Issue(uint64_t sequence, Done done) override {
    context_ = NewContext();
    (*authorize_)(context_.get());
    request_.set_request_id(absl::StrCat(prefix_, sequence));
    response_.Clear();
    stub_->async()->RegisterCase(
        context_.get(), &request_, &response_,
        [this, sequence, done = std::move(done)](grpc::Status status) {
          if (status.ok() && response_.case_id().empty()) {
            status = grpc::Status(grpc::StatusCode::INTERNAL,
                                  "RegisterCase answered without a case id");
          }
          if (status.ok() && created_ != nullptr &&
              sequence < created_->size()) {
            (*created_)[sequence] = response_.case_id();
          }
          done(status);
        });
  }

 private:
  CaseService::Stub* const stub_;
  const Authorize* const authorize_;
  const std::string prefix_;
  std::vector<std::string>* const created_;
  std::unique_ptr<grpc::ClientContext> context_;
  RegisterCaseRequest request_;
  Case response_;
};

// GetCase of the preloaded cases over the gateway's JSON face, one keep-alive
// HTTP/1.1 connection per slot (HTTP/1.1 carries one request at a time).
class JsonGetSlot : public CallSlot {
 public:
  JsonGetSlot(HttpConnection* connection, std::string head,
              const std::vector<std::string>* case_ids)
      : connection_(connection), head_(std::move(head)), case_ids_(case_ids) {}

  void Issue(uint64_t sequence, Done done) override {
    const std::string& case_id = (*case_ids_)[sequence % case_ids_->size()];
    const std::string body = absl::StrCat("{\"caseId\":\"", case_id, "\"}");
    connection_->Send(
        absl::StrCat(head_, "Content-Length: ", body.size(), "\r\n\r\n", body),
        [expected = absl::StrCat("\"caseId\":\"", case_id, "\""),
         done = std::move(done)](absl::StatusOr<HttpReply> reply) {
          if (!reply.ok()) {
            return done(grpc::Status(grpc::StatusCode::UNAVAILABLE,
                                     std::string(reply.status().message())));
          }
          if (reply->status != 200) {
            return done(grpc::Status(
                grpc::StatusCode::UNKNOWN,
                absl::StrCat("HTTP ", reply->status, ": ", reply->body)));
          }
          // A wrong answer is as much a failure as an error status.
          if (!absl::StrContains(reply->body, expected)) {
            return done(grpc::Status(grpc::StatusCode::INTERNAL,
                                     "GetCase answered with another case"));
          }
          done(grpc::Status::OK);
        });
  }

 private:
  HttpConnection* const connection_;
  const std::string head_;  // request line and headers up to Content-Length
  const std::vector<std::string>* const case_ids_;
};

// GetPlan (latest version) of the preloaded plans, round-robin by call
// sequence.
class PlanGetSlot : public CallSlot {
 public:
  PlanGetSlot(PlanService::Stub* stub, const Authorize* authorize,
              const PlanPool* plans)
      : stub_(stub), authorize_(authorize), plans_(plans) {}

  void Issue(uint64_t sequence, Done done) override {
    context_ = NewContext();
    (*authorize_)(context_.get());
    request_.set_case_id(plans_->item(sequence % plans_->size()).case_id);
    response_.Clear();
    stub_->async()->GetPlan(
        context_.get(), &request_, &response_,
        [this, done = std::move(done)](grpc::Status status) {
          // A wrong answer is as much a failure as an error status.
          if (status.ok() && (response_.case_id() != request_.case_id() ||
                              response_.activities_size() == 0)) {
            status = grpc::Status(grpc::StatusCode::INTERNAL,
                                  "GetPlan answered with another plan");
          }
          done(status);
        });
  }

 private:
  PlanService::Stub* const stub_;
  const Authorize* const authorize_;
  const PlanPool* const plans_;
  std::unique_ptr<grpc::ClientContext> context_;
  homeward::v1::GetPlanRequest request_;
  homeward::v1::Plan response_;
};

// How long a slot that found no plan left waits before reporting it, so
// that it does not spin through failures for the rest of the run.
constexpr auto kNoPlanLeftPause = std::chrono::milliseconds(100);

// The shared walk of the durable-change scenarios: each call slot walks one
// item (a plan, a referral) of a pool at a time, each call the item's next
// move with the etag of the previous answer. A walked-out item is swapped
// for the next unclaimed one of the pool; a failed call leaves its item (its
// etag is no longer known) for a fresh one. With no item left every call
// fails, after a pause, naming the flag to raise. `Walk` is the derived
// slot, which fills the request (Fill), starts the call (Start) and checks
// that the answer moved the item (Moved); `Item` has `etag`, `next_move` and
// `walked()`.
template <typename Walk, typename Pool, typename Item, typename Request,
          typename Response>
class WalkSlot : public CallSlot {
 public:
  WalkSlot(const Authorize* authorize, Pool* pool, Item** walking,
           const char* exhausted)
      : authorize_(authorize),
        pool_(pool),
        walking_(walking),
        exhausted_(exhausted) {}

  void Issue(uint64_t sequence, Done done) override {
    Item*& item = *walking_;
    if (item == nullptr || item->walked()) {
      item = pool_->Claim();
    }
    if (item == nullptr) {
      // Each pause its own alarm: an alarm is not reused, and none is
      // destroyed before the slot (the driver destroys slots only after
      // every call, these included, has completed).
      pauses_.push_back(std::make_unique<grpc::Alarm>());
      pauses_.back()->Set(
          std::chrono::system_clock::now() + kNoPlanLeftPause,
          [this, done = std::move(done)](bool) {
            done(grpc::Status(grpc::StatusCode::FAILED_PRECONDITION,
                              exhausted_));
          });
      return;
    }
    context_ = NewContext();
    (*authorize_)(context_.get());
    request_.set_etag(item->etag);
    static_cast<Walk*>(this)->Fill(*item, request_);
    response_.Clear();
    static_cast<Walk*>(this)->Start(
        context_.get(), &request_, &response_,
        [this, item, done = std::move(done)](grpc::Status status) {
          if (status.ok() &&
              !static_cast<Walk*>(this)->Moved(request_, response_)) {
            status =
                grpc::Status(grpc::StatusCode::INTERNAL,
                             "the answer does not show the move asked for");
          }
          if (status.ok()) {
            item->etag = response_.etag();
            ++item->next_move;
          } else {
            *walking_ = nullptr;
          }
          done(status);
        });
  }

 private:
  const Authorize* const authorize_;
  Pool* const pool_;
  Item** const walking_;
  const char* const exhausted_;
  std::unique_ptr<grpc::ClientContext> context_;
  Request request_;
  Response response_;
  std::vector<std::unique_ptr<grpc::Alarm>> pauses_;
};

// plan_activity_gateway: PLANNED -> IN_PROGRESS -> DONE of each activity of
// the plan walked.
class PlanActivitySlot : public WalkSlot<PlanActivitySlot, PlanPool, ActivePlan,
                                         homeward::v1::SetActivityStatusRequest,
                                         homeward::v1::Plan> {
 public:
  PlanActivitySlot(PlanService::Stub* stub, const Authorize* authorize,
                   PlanPool* pool, ActivePlan** walking)
      : WalkSlot(authorize, pool, walking,
                 "every preloaded plan's activities are done; preload more "
                 "(--plan_activity_rate, --plan_activities)"),
        stub_(stub) {}

  void Fill(const ActivePlan& plan,
            homeward::v1::SetActivityStatusRequest& request) const {
    const size_t move = plan.next_move;
    request.set_case_id(plan.case_id);
    request.set_activity_id(plan.activity_ids[move / 2]);
    request.set_status(move % 2 == 0 ? homeward::v1::ACTIVITY_STATUS_IN_PROGRESS
                                     : homeward::v1::ACTIVITY_STATUS_DONE);
  }
  template <typename Callback>
  void Start(grpc::ClientContext* context,
             const homeward::v1::SetActivityStatusRequest* request,
             homeward::v1::Plan* response, Callback callback) {
    stub_->async()->SetActivityStatus(context, request, response,
                                      std::move(callback));
  }
  // Whether the answer is the plan asked for, with a new etag and the
  // activity in the status asked for.
  static bool Moved(const homeward::v1::SetActivityStatusRequest& request,
                    const homeward::v1::Plan& response) {
    if (response.case_id() != request.case_id() || response.etag().empty() ||
        response.etag() == request.etag()) {
      return false;
    }
    for (const homeward::v1::PlanActivity& a : response.activities()) {
      if (a.activity_id() == request.activity_id()) {
        return a.status() == request.status();
      }
    }
    return false;
  }

 private:
  PlanService::Stub* const stub_;
};

// SearchServices of the preloaded directory: the services of one component
// (the taxonomy's components round-robin by call sequence) that take
// referrals, one page of kReferralPageSize.
class DirectorySearchSlot : public CallSlot {
 public:
  DirectorySearchSlot(DirectoryService::Stub* stub, const Authorize* authorize,
                      const std::vector<std::string>* components)
      : stub_(stub), authorize_(authorize), components_(components) {
    request_.set_accepting_referrals(true);
    request_.mutable_page()->set_page_size(kReferralPageSize);
  }

  void Issue(uint64_t sequence, Done done) override {
    context_ = NewContext();
    (*authorize_)(context_.get());
    request_.set_component((*components_)[sequence % components_->size()]);
    response_.Clear();
    stub_->async()->SearchServices(
        context_.get(), &request_, &response_,
        [this, done = std::move(done)](grpc::Status status) {
          // A wrong answer is as much a failure as an error status: every
          // component has accepting services in the bench directory.
          if (status.ok() && !Matches()) {
            status = grpc::Status(grpc::StatusCode::INTERNAL,
                                  "SearchServices answered services that do "
                                  "not match, or none");
          }
          done(status);
        });
  }

 private:
  bool Matches() const {
    if (response_.services_size() == 0 ||
        response_.services_size() > kReferralPageSize) {
      return false;
    }
    for (const homeward::v1::HumanService& s : response_.services()) {
      if (std::find(s.components().begin(), s.components().end(),
                    request_.component()) == s.components().end() ||
          s.status() != homeward::v1::SERVICE_STATUS_ACTIVE) {
        return false;
      }
    }
    return true;
  }

  DirectoryService::Stub* const stub_;
  const Authorize* const authorize_;
  const std::vector<std::string>* const components_;
  std::unique_ptr<grpc::ClientContext> context_;
  homeward::v1::SearchServicesRequest request_;
  homeward::v1::SearchServicesResponse response_;
};

// ListInbox of the inbox partner: the first page (kReferralPageSize) of the
// referrals addressed to its organization that still need it, as its staff's
// screen shows on every refresh.
class InboxSlot : public CallSlot {
 public:
  InboxSlot(PartnerReferralService::Stub* stub, const Authorize* authorize)
      : stub_(stub),
        authorize_(authorize),
        organization_id_(BenchOrganizationId(kInboxOrganization)) {
    request_.mutable_page()->set_page_size(kReferralPageSize);
  }

  void Issue(uint64_t sequence, Done done) override {
    context_ = NewContext();
    (*authorize_)(context_.get());
    response_.Clear();
    stub_->async()->ListInbox(
        context_.get(), &request_, &response_,
        [this, done = std::move(done)](grpc::Status status) {
          if (status.ok() && !Matches()) {
            status = grpc::Status(grpc::StatusCode::INTERNAL,
                                  "ListInbox answered another organization's "
                                  "referrals, or none");
          }
          done(status);
        });
  }

 private:
  bool Matches() const {
    if (response_.referrals_size() == 0 ||
        response_.referrals_size() > kReferralPageSize) {
      return false;
    }
    for (const homeward::v1::SharedReferral& r : response_.referrals()) {
      if (r.organization_id() != organization_id_) return false;
    }
    return true;
  }

  PartnerReferralService::Stub* const stub_;
  const Authorize* const authorize_;
  const std::string organization_id_;
  std::unique_ptr<grpc::ClientContext> context_;
  homeward::v1::ListInboxRequest request_;
  homeward::v1::ListInboxResponse response_;
};

// referral_status_gateway: REQUESTED -> RECEIVED -> ACCEPTED -> IN_PROGRESS
// of the referral walked, by the partner agency it is addressed to.
class ReferralStatusSlot
    : public WalkSlot<ReferralStatusSlot, ReferralPool, SentReferral,
                      homeward::v1::ChangeReferralStatusRequest,
                      homeward::v1::SharedReferral> {
 public:
  ReferralStatusSlot(PartnerReferralService::Stub* stub,
                     const Authorize* authorize, ReferralPool* pool,
                     SentReferral** walking)
      : WalkSlot(authorize, pool, walking,
                 "every preloaded referral is IN_PROGRESS; preload more "
                 "(--referral_status_rate)"),
        stub_(stub) {}

  void Fill(const SentReferral& referral,
            homeward::v1::ChangeReferralStatusRequest& request) const {
    request.set_case_id(referral.case_id);
    request.set_referral_id(referral.referral_id);
    request.set_status(SentReferral::Moves()[referral.next_move]);
  }
  template <typename Callback>
  void Start(grpc::ClientContext* context,
             const homeward::v1::ChangeReferralStatusRequest* request,
             homeward::v1::SharedReferral* response, Callback callback) {
    stub_->async()->UpdateSharedReferral(context, request, response,
                                         std::move(callback));
  }
  // Whether the answer is the referral asked for, with a new etag and the
  // status asked for.
  static bool Moved(const homeward::v1::ChangeReferralStatusRequest& request,
                    const homeward::v1::SharedReferral& response) {
    return response.referral_id() == request.referral_id() &&
           !response.etag().empty() && response.etag() != request.etag() &&
           response.status() == request.status();
  }

 private:
  PartnerReferralService::Stub* const stub_;
};

// ListDueContacts of the bench case manager: the first page (kDuePageSize)
// of the contacts falling due in the next kDueWithinDays, as the case
// manager's list shows on every refresh.
class DueContactsSlot : public CallSlot {
 public:
  DueContactsSlot(FollowUpService::Stub* stub, const Authorize* authorize)
      : stub_(stub), authorize_(authorize) {
    request_.set_office_id(kBenchOffice);
    request_.set_case_manager_id(kBenchUser);
    request_.set_within_days(kDueWithinDays);
    request_.mutable_page()->set_page_size(kDuePageSize);
  }

  void Issue(uint64_t sequence, Done done) override {
    context_ = NewContext();
    (*authorize_)(context_.get());
    response_.Clear();
    stub_->async()->ListDueContacts(
        context_.get(), &request_, &response_,
        [this, done = std::move(done)](grpc::Status status) {
          if (status.ok() && !Matches()) {
            status = grpc::Status(grpc::StatusCode::INTERNAL,
                                  "ListDueContacts answered another case "
                                  "manager's contacts, or none");
          }
          done(status);
        });
  }

 private:
  bool Matches() const {
    if (response_.contacts_size() == 0 ||
        response_.contacts_size() > kDuePageSize) {
      return false;
    }
    for (const homeward::v1::FollowUpContact& c : response_.contacts()) {
      if (c.case_manager_id() != kBenchUser ||
          c.status() != homeward::v1::FOLLOW_UP_CONTACT_STATUS_SCHEDULED) {
        return false;
      }
    }
    return true;
  }

  FollowUpService::Stub* const stub_;
  const Authorize* const authorize_;
  std::unique_ptr<grpc::ClientContext> context_;
  homeward::v1::ListDueContactsRequest request_;
  homeward::v1::ListContactsDueResponse response_;
};

// list_cases_gateway: the bench office's case list, a page of
// kCaseListPageSize at a time, each slot paging on from where its previous
// call ended (and from the first page again after the last), so that the
// pages read are spread over the whole office (e.g. a million cases loaded
// with homeward-bulk-load) rather than the first page alone.
class ListCasesSlot : public CallSlot {
 public:
  ListCasesSlot(CaseService::Stub* stub, const Authorize* authorize)
      : stub_(stub), authorize_(authorize) {
    request_.set_office_id(kBenchOffice);
    request_.mutable_page()->set_page_size(kCaseListPageSize);
  }

  void Issue(uint64_t, Done done) override {
    context_ = NewContext();
    (*authorize_)(context_.get());
    response_.Clear();
    stub_->async()->ListCases(
        context_.get(), &request_, &response_,
        [this, done = std::move(done)](grpc::Status status) {
          if (status.ok() && !Matches()) {
            status = grpc::Status(grpc::StatusCode::INTERNAL,
                                  "ListCases answered another office's "
                                  "cases, a short page before the last, or "
                                  "no case at all");
          }
          if (status.ok()) {
            request_.mutable_page()->set_page_token(
                response_.next_page_token());
          }
          done(status);
        });
  }

 private:
  bool Matches() const {
    const int n = response_.cases_size();
    if (n > kCaseListPageSize) return false;
    if (n < kCaseListPageSize && !response_.next_page_token().empty()) {
      return false;
    }
    // An empty page only ends a walk that had pages before it.
    if (n == 0 && request_.page().page_token().empty()) return false;
    for (const Case& c : response_.cases()) {
      if (c.office_id() != kBenchOffice) return false;
    }
    return true;
  }

  CaseService::Stub* const stub_;
  const Authorize* const authorize_;
  std::unique_ptr<grpc::ClientContext> context_;
  homeward::v1::ListCasesRequest request_;
  homeward::v1::ListCasesResponse response_;
};

// follow_up_record_gateway: each SCHEDULED contact of the case walked
// recorded as held, in due order: a phone call with the returnee, every
// activity on track, a wellbeing, satisfaction and W-model phase.
class RecordContactSlot
    : public WalkSlot<RecordContactSlot, ContactPool, ScheduledCase,
                      homeward::v1::RecordContactRequest,
                      homeward::v1::FollowUpContact> {
 public:
  RecordContactSlot(FollowUpService::Stub* stub, const Authorize* authorize,
                    ContactPool* pool, ScheduledCase** walking,
                    std::string request_id_prefix)
      : WalkSlot(authorize, pool, walking,
                 "every preloaded contact is recorded; preload more "
                 "(--contact_record_rate)"),
        stub_(stub),
        prefix_(std::move(request_id_prefix)),
        today_(
            api::ToDate(absl::ToCivilDay(absl::Now(), absl::UTCTimeZone()))) {}

  void Fill(const ScheduledCase& c,
            homeward::v1::RecordContactRequest& request) {
    request.set_request_id(absl::StrCat(prefix_, next_request_++));
    request.set_etag(c.contact_etags[c.next_move]);
    homeward::v1::FollowUpContact& contact = *request.mutable_contact();
    contact.Clear();
    contact.set_case_id(c.case_id);
    contact.set_contact_id(c.contact_ids[c.next_move]);
    *contact.mutable_contact_date() = today_;
    contact.set_mode(homeward::v1::FOLLOW_UP_MODE_PHONE);
    contact.add_participants()->set_kind(
        homeward::v1::PARTICIPANT_KIND_RETURNEE);
    for (const std::string& activity_id : c.activity_ids) {
      homeward::v1::ActivityProgress& progress =
          *contact.add_activity_progress();
      progress.set_activity_id(activity_id);
      progress.set_rating(homeward::v1::ACTIVITY_PROGRESS_RATING_ON_TRACK);
    }
    contact.set_wellbeing(4);
    contact.set_satisfaction(4);
    contact.set_w_phase(homeward::v1::W_PHASE_READJUSTMENT);
  }
  template <typename Callback>
  void Start(grpc::ClientContext* context,
             const homeward::v1::RecordContactRequest* request,
             homeward::v1::FollowUpContact* response, Callback callback) {
    stub_->async()->RecordContact(context, request, response,
                                  std::move(callback));
  }
  // Whether the answer is the contact asked for, now DONE.
  static bool Moved(const homeward::v1::RecordContactRequest& request,
                    const homeward::v1::FollowUpContact& response) {
    return response.contact_id() == request.contact().contact_id() &&
           response.status() == homeward::v1::FOLLOW_UP_CONTACT_STATUS_DONE;
  }

 private:
  FollowUpService::Stub* const stub_;
  const std::string prefix_;
  const homeward::v1::Date today_;
  uint64_t next_request_ = 0;
};

// A request-id prefix no earlier run against the same data can have used.
std::string FreshRequestIdPrefix(absl::string_view what) {
  return absl::StrCat("bench-", crypto::RandomHex(6), "-", what, "-");
}

template <typename Service>
std::vector<std::unique_ptr<typename Service::Stub>> MakeStubs(
    const std::vector<std::shared_ptr<grpc::Channel>>& channels) {
  std::vector<std::unique_ptr<typename Service::Stub>> stubs;
  for (const auto& channel : channels) {
    stubs.push_back(Service::NewStub(channel));
  }
  return stubs;
}

// Adds to `config` the route of `producer`'s one replica at `address`, all
// `partitions` partitions.
void AddFeedRoute(absl::string_view producer, const std::string& address,
                  uint32_t partitions,
                  homeward::internal::v1::ServiceConfig* config) {
  homeward::internal::v1::ServiceRoute& route = *config->add_upstream();
  route.set_service(std::string(producer));
  homeward::internal::v1::ReplicaConfig& replica = *route.add_replicas();
  replica.set_address(address);
  replica.add_partitions()->set_last(partitions - 1);
}

// Staff of the generated directory's organization `organization`.
homeward::internal::v1::Principal PartnerPrincipal(int organization) {
  homeward::internal::v1::Principal p;
  p.set_user_id(absl::StrCat("partner-bench-", organization));
  p.set_role(homeward::v1::ROLE_PARTNER_AGENCY);
  p.set_agency_id(BenchOrganizationId(organization));
  return p;
}

absl::Status ResultErrors(const LoadResult& result, absl::string_view what) {
  if (result.errors == 0) return absl::OkStatus();
  return absl::UnavailableError(absl::StrCat(
      what, ": ", result.errors, " calls failed; first: ", result.first_error));
}

}  // namespace

absl::StatusOr<DeploymentOptions> SecureDeploymentOptions(
    const std::string& dir, DeploymentOptions base) {
  std::error_code error;
  std::filesystem::create_directories(dir, error);
  if (error) {
    return absl::InternalError(
        absl::StrCat("cannot create ", dir, ": ", error.message()));
  }
  base.data_dir = dir + "/data";
  base.tls_dir = dir + "/tls";
  const std::string command =
      absl::StrCat("bash '", HOMEWARD_DEPLOY_DIR, "/local/make-dev-certs.sh' '",
                   base.tls_dir, "' >/dev/null");
  if (std::system(command.c_str()) != 0) {
    return absl::InternalError(absl::StrCat("failed: ", command));
  }
  base.encryption_key_file = dir + "/data.key";
  const int fd = open(base.encryption_key_file.c_str(),
                      O_WRONLY | O_CREAT | O_TRUNC, 0600);
  if (fd < 0) {
    return absl::InternalError(
        absl::StrCat("cannot create ", base.encryption_key_file));
  }
  const std::string key = crypto::RandomHex(32);
  const bool written =
      write(fd, key.data(), key.size()) == static_cast<ssize_t>(key.size());
  close(fd);
  if (!written) {
    return absl::InternalError(
        absl::StrCat("cannot write ", base.encryption_key_file));
  }
  return base;
}

const std::vector<ScenarioInfo>& AllScenarios() {
  static const auto* const kScenarios = new std::vector<ScenarioInfo>{
      {"baseline", "grpc.health.v1.Health/Check, direct to the service", 0,
       false},
      {"get_direct", "GetCase direct to the service (signed principal)", 0.6,
       true},
      {"get_gateway", "GetCase through the gateway (API key)", 0.35, true},
      {"get_gateway_json",
       "GetCase through the gateway's JSON face (API key, keep-alive HTTP/1.1)",
       0, true},
      {"register_direct", "RegisterCase direct to the service", 0.2, false},
      {"register_gateway", "RegisterCase through the gateway", 0.15, false},
      {"get_gateway_secure",
       "get_gateway with TLS to the gateway, mutual TLS to the service and "
       "its data encrypted at rest (a second deployment)",
       0, true},
      {"register_gateway_secure",
       "register_gateway with TLS, mutual TLS and encryption at rest", 0,
       false},
      {"plan_get_gateway",
       "GetPlan of the preloaded active plans through the gateway", 0.35, false,
       true},
      {"plan_activity_gateway",
       "SetActivityStatus through the gateway: the preloaded plans' "
       "activities PLANNED -> IN_PROGRESS -> DONE, durable",
       0.15, false, true},
      {"directory_search_gateway",
       "SearchServices through the gateway: one component's services "
       "accepting referrals, a page of 20, over the preloaded directory",
       0.3, false, false, true},
      {"partner_inbox_gateway",
       "ListInbox through the gateway with a partner agency's key: a page of "
       "20 of the preloaded referrals addressed to its organization",
       0.3, false, false, false, true},
      {"referral_status_gateway",
       "UpdateSharedReferral through the gateway with a partner agency's "
       "key: the preloaded referrals REQUESTED -> RECEIVED -> ACCEPTED -> "
       "IN_PROGRESS, durable",
       0.15, false, false, false, true},
      {"follow_up_due_gateway",
       "ListDueContacts through the gateway: the bench case manager's first "
       "page of 50 contacts due in the next 30 days, over the preloaded "
       "cases of the office (goal: p99 under 5 ms)",
       0, false, false, false, false, true},
      {"list_cases_gateway",
       "ListCases through the gateway: the bench office's cases, pages of "
       "50 walked in turn (over an office loaded with homeward-bulk-load: "
       "goal p99 under 5 ms with few calls in flight)",
       0, false},
      {"follow_up_record_gateway",
       "RecordContact through the gateway: the preloaded cases' scheduled "
       "contacts recorded as held, in due order, durable",
       0.15, false, false, false, false, true},
  };
  return *kScenarios;
}

const ScenarioInfo* FindScenario(const std::string& name) {
  for (const ScenarioInfo& info : AllScenarios()) {
    if (info.name == name) return &info;
  }
  return nullptr;
}

absl::StatusOr<std::unique_ptr<Deployment>> Deployment::Start(
    const DeploymentOptions& options) {
  auto deployment = std::unique_ptr<Deployment>(new Deployment());
  // A fresh secret per run: nothing signed by an earlier run is accepted.
  deployment->secret_ = crypto::RandomHex(32);
  deployment->principal_ = testing::MakePrincipal(
      kBenchUser, homeward::v1::ROLE_CASE_MANAGER, {kBenchOffice});

  const std::string deploy =
      options.deploy_dir.empty() ? HOMEWARD_DEPLOY_DIR : options.deploy_dir;
  // With tls_dir, each component's transport names its own certificate.
  auto transport_of = [&options](const std::string& name, bool with_ca) {
    homeward::internal::v1::Transport transport;
    if (options.tls_dir.empty()) {
      transport.set_plaintext(true);
      return transport;
    }
    auto* tls = transport.mutable_tls();
    tls->set_certificate_file(absl::StrCat(options.tls_dir, "/", name, ".crt"));
    tls->set_private_key_file(absl::StrCat(options.tls_dir, "/", name, ".key"));
    if (with_ca) tls->set_ca_file(options.tls_dir + "/ca.crt");
    return transport;
  };
  ASSIGN_OR_RETURN(deployment->client_credentials_,
                   server::DialCredentials(transport_of("client", true),
                                           "tls_dir (client)"));
  // The late feed channels (planning's and referral's feeds, which
  // assessment and planning follow) dial as assessment would.
  ASSIGN_OR_RETURN(std::shared_ptr<grpc::ChannelCredentials> assessment_dial,
                   server::DialCredentials(transport_of("assessment", true),
                                           "tls_dir (assessment)"));
  homeward::internal::v1::AssessmentConfig assessment_config;
  assessment_config.set_taxonomy_dir(deploy + "/taxonomy");
  assessment_config.set_programmes_dir(deploy + "/programmes");
  // The journey screens (DoMV) and scores (RSS) with the shipped instruments.
  assessment_config.set_instruments_dir(deploy + "/instruments");
  homeward::internal::v1::ServiceConfig& service =
      *assessment_config.mutable_service();
  service.set_listen_address("127.0.0.1:0");
  if (options.metrics) service.set_metrics_listen_address("127.0.0.1:0");
  service.set_data_dir(options.data_dir + "/assessment");
  service.set_partition_count(64);
  service.set_unsafe_skip_sync(!options.sync_writes);
  *service.mutable_internal_transport() = transport_of("assessment", true);
  service.set_encryption_key_file(options.encryption_key_file);
  std::error_code error;
  std::filesystem::create_directories(service.data_dir(), error);
  if (error) {
    return absl::InternalError(absl::StrCat(
        "cannot create ", service.data_dir(), ": ", error.message()));
  }
  // With planning, the assessment service follows the planning feed too (the
  // plans' approvals and activities), as deployed. Planning starts second
  // (it needs assessment's address), so assessment's follower gets a
  // LateChannel, set to a TCP channel once planning listens: until then it
  // retries, as when a replica is down.
  service::UpstreamChannels assessment_upstream;
  if (options.planning) {
    homeward::internal::v1::ServiceRoute& route = *service.add_upstream();
    route.set_service(planning::kPlanningBackend);
    homeward::internal::v1::ReplicaConfig& replica = *route.add_replicas();
    replica.set_address(kPlanningFeedLabel);
    replica.add_partitions()->set_last(service.partition_count() - 1);
    deployment->planning_feed_ = std::make_shared<feeds::LateChannel>();
    assessment_upstream[kPlanningFeedLabel] = deployment->planning_feed_;
  }
  // With referral, assessment (and planning) follow the referral feed (the
  // referrals' progress), as deployed; referral starts last, so they get a
  // LateChannel too.
  if (options.referral) {
    deployment->referral_feed_ = std::make_shared<feeds::LateChannel>();
    AddFeedRoute(referral::kReferralBackend, kReferralFeedLabel,
                 service.partition_count(), &service);
    assessment_upstream[kReferralFeedLabel] = deployment->referral_feed_;
  }
  ASSIGN_OR_RETURN(std::unique_ptr<assessment::AssessmentServer> assessment,
                   assessment::AssessmentServer::Start(
                       assessment_config, deployment->secret_,
                       std::move(assessment_upstream)));
  // No in-process channel: the gateway dials the replica over TCP, so the
  // gateway scenarios pay for two real RPC hops, as in a deployment.
  deployment->services_.push_back(gateway::LoopbackService(
      gateway::kAssessmentService, std::move(assessment)));
  deployment->service_target_ = deployment->services_.front().address;

  if (options.planning) {
    homeward::internal::v1::PlanningConfig planning_config;
    planning_config.set_taxonomy_dir(deploy + "/taxonomy");
    planning_config.set_feasibility_dir(deploy + "/feasibility");
    planning_config.set_programmes_dir(deploy + "/programmes");
    homeward::internal::v1::ServiceConfig& planning_service =
        *planning_config.mutable_service();
    planning_service.set_listen_address("127.0.0.1:0");
    if (options.metrics) {
      planning_service.set_metrics_listen_address("127.0.0.1:0");
    }
    planning_service.set_data_dir(options.data_dir + "/planning");
    planning_service.set_partition_count(service.partition_count());
    planning_service.set_unsafe_skip_sync(!options.sync_writes);
    planning_service.set_encryption_key_file(options.encryption_key_file);
    *planning_service.mutable_internal_transport() =
        transport_of("planning", true);
    // It follows every partition of the one assessment replica, over TCP.
    homeward::internal::v1::ServiceRoute& upstream =
        *planning_service.add_upstream();
    upstream.set_service(gateway::kAssessmentService);
    homeward::internal::v1::ReplicaConfig& replica = *upstream.add_replicas();
    replica.set_address(deployment->service_target_);
    replica.add_partitions()->set_last(service.partition_count() - 1);
    service::UpstreamChannels planning_upstream;
    if (options.referral) {
      AddFeedRoute(referral::kReferralBackend, kReferralFeedLabel,
                   service.partition_count(), &planning_service);
      planning_upstream[kReferralFeedLabel] = deployment->referral_feed_;
    }
    std::filesystem::create_directories(planning_service.data_dir(), error);
    if (error) {
      return absl::InternalError(absl::StrCat("cannot create ",
                                              planning_service.data_dir(), ": ",
                                              error.message()));
    }
    ASSIGN_OR_RETURN(
        std::unique_ptr<planning::PlanningServer> planning,
        planning::PlanningServer::Start(planning_config, deployment->secret_,
                                        std::move(planning_upstream)));
    deployment->services_.push_back(gateway::LoopbackService(
        planning::kPlanningBackend, std::move(planning)));
    deployment->planning_target_ = deployment->services_.back().address;
    deployment->planning_feed_->Set(
        server::DialInternal(deployment->planning_target_, assessment_dial));
  }

  if (options.referral) {
    homeward::internal::v1::ReferralConfig referral_config;
    referral_config.set_taxonomy_dir(deploy + "/taxonomy");
    referral_config.set_programmes_dir(deploy + "/programmes");
    homeward::internal::v1::ServiceConfig& referral_service =
        *referral_config.mutable_service();
    referral_service.set_listen_address("127.0.0.1:0");
    if (options.metrics) {
      referral_service.set_metrics_listen_address("127.0.0.1:0");
    }
    referral_service.set_data_dir(options.data_dir + "/referral");
    referral_service.set_partition_count(service.partition_count());
    referral_service.set_unsafe_skip_sync(!options.sync_writes);
    referral_service.set_encryption_key_file(options.encryption_key_file);
    *referral_service.mutable_internal_transport() =
        transport_of("referral", true);
    // It follows the assessment replica (cases, consent) and the planning
    // replica (referrals to make), and calls the assessment replica for the
    // consent check, all over TCP.
    AddFeedRoute(gateway::kAssessmentService, deployment->service_target_,
                 service.partition_count(), &referral_service);
    if (options.planning) {
      AddFeedRoute(planning::kPlanningBackend, deployment->planning_target_,
                   service.partition_count(), &referral_service);
    }
    std::filesystem::create_directories(referral_service.data_dir(), error);
    if (error) {
      return absl::InternalError(absl::StrCat("cannot create ",
                                              referral_service.data_dir(), ": ",
                                              error.message()));
    }
    ASSIGN_OR_RETURN(
        std::unique_ptr<referral::ReferralServer> referral,
        referral::ReferralServer::Start(referral_config, deployment->secret_));
    deployment->services_.push_back(gateway::LoopbackService(
        referral::kReferralBackend, std::move(referral)));
    deployment->referral_target_ = deployment->services_.back().address;
    // Followed by assessment and planning through one channel: it
    // presents assessment's certificate (same CA, so either would do).
    deployment->referral_feed_->Set(
        server::DialInternal(deployment->referral_target_, assessment_dial));
  }

  if (options.follow_up && options.planning) {
    homeward::internal::v1::FollowUpConfig follow_up_config;
    follow_up_config.set_taxonomy_dir(deploy + "/taxonomy");
    follow_up_config.set_programmes_dir(deploy + "/programmes");
    homeward::internal::v1::ServiceConfig& follow_up_service =
        *follow_up_config.mutable_service();
    follow_up_service.set_listen_address("127.0.0.1:0");
    if (options.metrics) {
      follow_up_service.set_metrics_listen_address("127.0.0.1:0");
    }
    follow_up_service.set_data_dir(options.data_dir + "/follow_up");
    follow_up_service.set_partition_count(service.partition_count());
    follow_up_service.set_unsafe_skip_sync(!options.sync_writes);
    follow_up_service.set_encryption_key_file(options.encryption_key_file);
    *follow_up_service.mutable_internal_transport() =
        transport_of("follow-up", true);
    // It follows the assessment, planning and referral replicas, over TCP.
    AddFeedRoute(gateway::kAssessmentService, deployment->service_target_,
                 service.partition_count(), &follow_up_service);
    AddFeedRoute(planning::kPlanningBackend, deployment->planning_target_,
                 service.partition_count(), &follow_up_service);
    if (options.referral) {
      AddFeedRoute(referral::kReferralBackend, deployment->referral_target_,
                   service.partition_count(), &follow_up_service);
    }
    std::filesystem::create_directories(follow_up_service.data_dir(), error);
    if (error) {
      return absl::InternalError(absl::StrCat("cannot create ",
                                              follow_up_service.data_dir(),
                                              ": ", error.message()));
    }
    ASSIGN_OR_RETURN(std::unique_ptr<follow_up::FollowUpServer> follow_up,
                     follow_up::FollowUpServer::Start(follow_up_config,
                                                      deployment->secret_));
    deployment->services_.push_back(gateway::LoopbackService(
        follow_up::kFollowUpBackend, std::move(follow_up)));
    deployment->follow_up_target_ = deployment->services_.back().address;
  }

  gateway::GatewayServer::Options gateway_options;
  homeward::internal::v1::GatewayConfig& config = gateway_options.config;
  config.set_grpc_listen_address("127.0.0.1:0");
  config.set_http_listen_address("127.0.0.1:0");
  if (options.metrics) config.set_metrics_listen_address("127.0.0.1:0");
  config.set_partition_count(64);
  *config.mutable_public_transport() = transport_of("gateway", false);
  *config.mutable_internal_transport() = transport_of("gateway", true);
  gateway::RouteToLocalServices(deployment->services_, &gateway_options);
  gateway_options.principal_secret = deployment->secret_;
  deployment->api_key_ = gateway::GenerateApiKeySecret();
  *gateway_options.api_keys.add_keys() = gateway::MakeApiKey(
      "bench", deployment->api_key_, deployment->principal_);
  // The journey's plan approvals (and closures) are a supervisor's.
  deployment->supervisor_key_ = gateway::GenerateApiKeySecret();
  *gateway_options.api_keys.add_keys() = gateway::MakeApiKey(
      "bench-supervisor", deployment->supervisor_key_,
      testing::MakePrincipal(kBenchSupervisor, homeward::v1::ROLE_SUPERVISOR,
                             {kBenchOffice}));
  if (options.referral) {
    deployment->inbox_partner_key_ = gateway::GenerateApiKeySecret();
    *gateway_options.api_keys.add_keys() = gateway::MakeApiKey(
        "bench-partner-inbox", deployment->inbox_partner_key_,
        PartnerPrincipal(kInboxOrganization));
    deployment->status_partner_key_ = gateway::GenerateApiKeySecret();
    *gateway_options.api_keys.add_keys() = gateway::MakeApiKey(
        "bench-partner-status", deployment->status_partner_key_,
        PartnerPrincipal(kStatusOrganization));
  }
  ASSIGN_OR_RETURN(deployment->gateway_,
                   gateway::GatewayServer::Start(std::move(gateway_options)));
  deployment->gateway_target_ =
      absl::StrCat("127.0.0.1:", deployment->gateway_->grpc_port());
  deployment->gateway_http_port_ = deployment->gateway_->http_port();
  return deployment;
}

Deployment::~Deployment() {
  // The gateway first: its calls go to the services (then planning, which
  // follows assessment, before assessment).
  if (gateway_ != nullptr) gateway_->Shutdown(absl::Seconds(5));
  gateway_.reset();
  // Assessment stops following planning (and both referral) before they
  // stop.
  if (planning_feed_ != nullptr) planning_feed_->Revoke();
  if (referral_feed_ != nullptr) referral_feed_->Revoke();
  gateway::ShutdownLocalServices(services_, absl::Seconds(5));
}

absl::StatusOr<std::vector<std::string>> PreloadCases(
    const Deployment& deployment, int count, int concurrency) {
  if (count < 1) return absl::InvalidArgumentError("count must be positive");
  ASSIGN_OR_RETURN(auto channels,
                   ConnectChannels(deployment.service_target(), 1,
                                   deployment.client_credentials()));
  auto stubs = MakeStubs<CaseService>(channels);
  const Authorize authorize = SignedPrincipal(deployment);
  const std::string prefix = FreshRequestIdPrefix("preload");
  std::vector<std::string> created(count);

  LoadOptions load;
  load.concurrency = std::min(concurrency, count);
  load.total_calls = count;
  ASSIGN_OR_RETURN(LoadResult result, RunClosedLoop(load, [&](int) {
                     return std::make_unique<RegisterSlot>(
                         stubs[0].get(), &authorize, prefix, &created);
                   }));
  RETURN_IF_ERROR(ResultErrors(result, "preloading cases"));
  return created;
}

namespace {

// How long the preload waits for the planning service to learn of a case
// from the assessment feed. Generous: the machine is small and shared.
constexpr absl::Duration kCaseKnownTimeout = absl::Seconds(120);

}  // namespace

// A plan the bench case can be submitted with: `activities` direct,
// individual economic activities (the bench cases have no needs or
// concerns to cover, and no purchases, so no ceiling to check).
homeward::v1::Plan BenchPlan(const std::string& case_id, int activities,
                             absl::CivilDay today) {
  homeward::v1::Plan plan;
  plan.set_case_id(case_id);
  plan.set_returnee_objectives("bench objectives");
  for (int i = 0; i < activities; ++i) {
    homeward::v1::PlanActivity& a = *plan.add_activities();
    a.set_dimension(homeward::v1::DIMENSION_ECONOMIC);
    a.set_component("business_development");
    a.set_level(homeward::v1::ASSISTANCE_LEVEL_INDIVIDUAL);
    a.set_description(absl::StrCat("bench activity ", i + 1));
    a.set_delivery(homeward::v1::ACTIVITY_DELIVERY_DIRECT);
    a.set_responsible_party("programme");
    // Due in the future: nothing lands in the overdue queues.
    *a.mutable_start_date() = api::ToDate(today);
    *a.mutable_due_date() = api::ToDate(today + 180);
  }
  return plan;
}

namespace {

// Makes case `case_id`'s plan and takes it to ACTIVE, directly on the
// planning service; the active plan.
absl::StatusOr<homeward::v1::Plan> MakeActivePlan(
    PlanService::Stub& stub, const auth::PrincipalSigner& signer,
    const homeward::internal::v1::Principal& manager,
    const homeward::internal::v1::Principal& supervisor,
    const std::string& case_id, const std::string& request_id, int activities,
    absl::CivilDay today) {
  homeward::v1::Plan plan;
  homeward::v1::CreatePlanRequest create;
  create.set_request_id(request_id);
  *create.mutable_plan() = BenchPlan(case_id, activities, today);
  const absl::Time give_up = absl::Now() + kCaseKnownTimeout;
  for (;;) {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + kCallDeadline);
    signer.Attach(manager, &context);
    const grpc::Status status = stub.CreatePlan(&context, create, &plan);
    if (status.ok()) break;
    // NOT_FOUND until the registration reached the planning projection.
    if (status.error_code() != grpc::StatusCode::NOT_FOUND ||
        absl::Now() > give_up) {
      return FromGrpcStatus(status);
    }
    absl::SleepFor(absl::Milliseconds(20));
  }
  using Step = grpc::Status (PlanService::Stub::*)(
      grpc::ClientContext*, const homeward::v1::PlanStepRequest&,
      homeward::v1::Plan*);
  const std::pair<Step, const homeward::internal::v1::Principal*> steps[] = {
      {&PlanService::Stub::AgreePlan, &manager},
      {&PlanService::Stub::SubmitPlan, &manager},
      {&PlanService::Stub::ApprovePlan, &supervisor},
      {&PlanService::Stub::ActivatePlan, &manager},
  };
  for (const auto& [step, who] : steps) {
    homeward::v1::PlanStepRequest request;
    request.set_case_id(case_id);
    request.set_etag(plan.etag());
    if (step == &PlanService::Stub::AgreePlan) {
      *request.mutable_agreement()->mutable_agreed_date() = api::ToDate(today);
      request.mutable_agreement()->set_method(
          homeward::v1::AGREEMENT_METHOD_SIGNED);
    }
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + kCallDeadline);
    signer.Attach(*who, &context);
    homeward::v1::Plan next;
    const grpc::Status status = (stub.*step)(&context, request, &next);
    if (!status.ok()) return FromGrpcStatus(status);
    plan = std::move(next);
  }
  if (plan.status() != homeward::v1::PLAN_STATUS_ACTIVE ||
      plan.activities_size() != activities) {
    return absl::InternalError(
        absl::StrCat("plan of case ", case_id, " is ",
                     homeward::v1::PlanStatus_Name(plan.status()), " with ",
                     plan.activities_size(), " activities after activation"));
  }
  return plan;
}

}  // namespace

absl::StatusOr<std::unique_ptr<PlanPool>> PreloadPlans(
    const Deployment& deployment, int count, int activities, int concurrency) {
  if (deployment.planning_target().empty()) {
    return absl::FailedPreconditionError(
        "the deployment runs no planning service");
  }
  if (activities < 1) {
    return absl::InvalidArgumentError("activities must be positive");
  }
  ASSIGN_OR_RETURN(std::vector<std::string> case_ids,
                   PreloadCases(deployment, count, concurrency));
  ASSIGN_OR_RETURN(auto channels,
                   ConnectChannels(deployment.planning_target(), 1,
                                   deployment.client_credentials()));
  auto stub = PlanService::NewStub(channels[0]);
  const auth::PrincipalSigner signer(deployment.secret());
  const homeward::internal::v1::Principal supervisor = testing::MakePrincipal(
      "sup-bench", homeward::v1::ROLE_SUPERVISOR, {kBenchOffice});
  const std::string prefix = FreshRequestIdPrefix("plan");
  const absl::CivilDay today =
      absl::ToCivilDay(absl::Now(), absl::UTCTimeZone());

  std::vector<ActivePlan> plans(case_ids.size());
  std::atomic<size_t> next{0};
  absl::Mutex mu;
  absl::Status first_error;
  // Blocking calls, one plan after the other per thread: each plan is five
  // calls in sequence, and the preload is not measured.
  auto make_plans = [&]() {
    for (size_t i = next.fetch_add(1); i < case_ids.size();
         i = next.fetch_add(1)) {
      absl::StatusOr<homeward::v1::Plan> plan = MakeActivePlan(
          *stub, signer, deployment.principal(), supervisor, case_ids[i],
          absl::StrCat(prefix, i), activities, today);
      if (!plan.ok()) {
        absl::MutexLock lock(&mu);
        if (first_error.ok()) first_error = plan.status();
        next.store(case_ids.size());  // the others stop too
        return;
      }
      ActivePlan& entry = plans[i];
      entry.case_id = case_ids[i];
      entry.etag = plan->etag();
      for (const homeward::v1::PlanActivity& a : plan->activities()) {
        entry.activity_ids.push_back(a.activity_id());
      }
    }
  };
  std::vector<std::thread> threads;
  const int thread_count = std::max(1, std::min(concurrency, count));
  for (int t = 0; t < thread_count; ++t) threads.emplace_back(make_plans);
  for (std::thread& t : threads) t.join();
  if (!first_error.ok()) {
    return absl::Status(
        first_error.code(),
        absl::StrCat("preloading plans: ", first_error.ToString()));
  }
  return std::make_unique<PlanPool>(std::move(plans));
}

absl::StatusOr<std::unique_ptr<ContactPool>> PreloadFollowUps(
    const Deployment& deployment, int count, int activities, int concurrency) {
  if (deployment.follow_up_target().empty()) {
    return absl::FailedPreconditionError(
        "the deployment runs no follow-up service");
  }
  ASSIGN_OR_RETURN(std::unique_ptr<PlanPool> plans,
                   PreloadPlans(deployment, count, activities, concurrency));
  ASSIGN_OR_RETURN(auto channels,
                   ConnectChannels(deployment.follow_up_target(), 1,
                                   deployment.client_credentials()));
  auto stub = FollowUpService::NewStub(channels[0]);
  const auth::PrincipalSigner signer(deployment.secret());
  std::vector<ScheduledCase> cases(plans->size());
  // The contacts are scheduled once the follow-up replica has applied both
  // the case's registration and its plan's approval; read each case until
  // its whole schedule is there.
  const absl::Time give_up = absl::Now() + kCaseKnownTimeout;
  for (size_t i = 0; i < plans->size(); ++i) {
    const ActivePlan& plan = plans->item(i);
    ScheduledCase& c = cases[i];
    c.case_id = plan.case_id;
    c.activity_ids = plan.activity_ids;
    for (;;) {
      homeward::v1::ListContactsRequest list;
      list.set_case_id(plan.case_id);
      list.set_status(homeward::v1::FOLLOW_UP_CONTACT_STATUS_SCHEDULED);
      homeward::v1::ListContactsResponse listed;
      grpc::ClientContext context;
      context.set_deadline(std::chrono::system_clock::now() + kCallDeadline);
      signer.Attach(deployment.principal(), &context);
      const grpc::Status status = stub->ListContacts(&context, list, &listed);
      if (status.ok() && listed.contacts_size() == kContactsPerBenchCase) {
        for (const homeward::v1::FollowUpContact& contact : listed.contacts()) {
          c.contact_ids.push_back(contact.contact_id());
          c.contact_etags.push_back(contact.etag());
        }
        break;
      }
      if ((!status.ok() &&
           status.error_code() != grpc::StatusCode::NOT_FOUND) ||
          absl::Now() > give_up) {
        return absl::UnavailableError(
            absl::StrCat("preloading follow-ups: case ", plan.case_id, " has ",
                         listed.contacts_size(), " scheduled contacts (",
                         status.error_message(), ")"));
      }
      absl::SleepFor(absl::Milliseconds(20));
    }
  }
  return std::make_unique<ContactPool>(std::move(cases));
}

namespace {

absl::StatusOr<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read ", path));
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// Imports the HSDS document `json` into the referral replica.
absl::Status ImportDirectory(DirectoryService::Stub& stub,
                             const auth::PrincipalSigner& signer,
                             const homeward::internal::v1::Principal& admin,
                             const std::string& request_id,
                             const std::string& json) {
  homeward::v1::ImportHsdsRequest request;
  request.set_request_id(request_id);
  if (auto s = google::protobuf::util::JsonStringToMessage(
          json, request.mutable_document());
      !s.ok()) {
    return absl::InternalError(
        absl::StrCat("directory document: ", s.ToString()));
  }
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + kCallDeadline);
  signer.Attach(admin, &context);
  homeward::v1::ImportHsdsResponse response;
  return FromGrpcStatus(stub.ImportHsds(&context, request, &response));
}

}  // namespace

// A referral the bench case `case_id` is sent to `service_id` with, due
// well ahead so that it never lands in an overdue queue.
homeward::v1::CreateReferralRequest BenchReferral(const std::string& case_id,
                                                  const std::string& service_id,
                                                  std::string request_id,
                                                  absl::CivilDay today) {
  homeward::v1::CreateReferralRequest create;
  create.set_request_id(std::move(request_id));
  create.set_send(true);
  homeward::v1::Referral& r = *create.mutable_referral();
  r.set_case_id(case_id);
  r.set_service_id(service_id);
  r.set_purpose("bench referral");
  r.set_urgency(homeward::v1::REFERRAL_URGENCY_ROUTINE);
  *r.mutable_expected_response_date() = api::ToDate(today + 30);
  *r.mutable_expected_completion_date() = api::ToDate(today + 180);
  r.mutable_summary()->set_returnee_name("Bench R.");
  r.mutable_summary()->set_area("Pikine");
  r.mutable_summary()->set_needs_description("bench needs");
  return create;
}

absl::StatusOr<std::vector<std::string>> PreloadDirectory(
    const Deployment& deployment, const BenchDirectoryShape& shape) {
  if (deployment.referral_target().empty()) {
    return absl::FailedPreconditionError(
        "the deployment runs no referral service");
  }
  const std::string deploy = HOMEWARD_DEPLOY_DIR;
  ASSIGN_OR_RETURN(std::string taxonomy_text,
                   ReadFile(deploy + "/taxonomy/reintegration.textproto"));
  homeward::v1::Taxonomy taxonomy;
  if (!google::protobuf::TextFormat::ParseFromString(taxonomy_text,
                                                     &taxonomy)) {
    return absl::InternalError("cannot parse the reintegration taxonomy");
  }
  std::vector<std::string> components;
  for (const auto& c : taxonomy.components()) {
    components.push_back(c.component_id());
  }
  if (components.empty()) {
    return absl::InternalError("the reintegration taxonomy has no components");
  }
  ASSIGN_OR_RETURN(std::string example,
                   ReadFile(deploy + "/directory/example_directory.json"));
  ASSIGN_OR_RETURN(auto channels,
                   ConnectChannels(deployment.referral_target(), 1,
                                   deployment.client_credentials()));
  auto stub = DirectoryService::NewStub(channels[0]);
  const auth::PrincipalSigner signer(deployment.secret());
  const homeward::internal::v1::Principal admin = testing::MakePrincipal(
      "admin-bench", homeward::v1::ROLE_ADMINISTRATOR, {kBenchOffice});
  const std::string prefix = FreshRequestIdPrefix("directory");
  RETURN_IF_ERROR(ImportDirectory(*stub, signer, admin,
                                  absl::StrCat(prefix, "example"), example));
  RETURN_IF_ERROR(ImportDirectory(
      *stub, signer, admin, absl::StrCat(prefix, "generated"),
      BenchDirectoryHsds(shape, components, taxonomy.taxonomy_id())));
  return components;
}

absl::StatusOr<std::unique_ptr<ReferralPool>> PreloadReferrals(
    const Deployment& deployment, const BenchDirectoryShape& shape,
    int inbox_referrals, int status_referrals, int case_count,
    int concurrency) {
  if (deployment.referral_target().empty()) {
    return absl::FailedPreconditionError(
        "the deployment runs no referral service");
  }
  if (shape.organizations < kInboxReferralOrganizations + 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("the directory needs at least ",
                     kInboxReferralOrganizations + 1, " organizations"));
  }
  ASSIGN_OR_RETURN(std::vector<std::string> case_ids,
                   PreloadCases(deployment, case_count, concurrency));
  // What each case is sent: (organization, index in the status pool or -1).
  struct Sent {
    int organization;
    int status_index;
  };
  std::vector<std::vector<Sent>> per_case(case_ids.size());
  // kInboxOrganization and the next ones, skipping kStatusOrganization.
  std::vector<int> inbox_organizations;
  for (int o = kInboxOrganization;
       static_cast<int>(inbox_organizations.size()) <
       kInboxReferralOrganizations;
       ++o) {
    if (o != kStatusOrganization) inbox_organizations.push_back(o);
  }
  for (int r = 0; r < inbox_referrals; ++r) {
    per_case[r % case_ids.size()].push_back(
        {inbox_organizations[r % inbox_organizations.size()], -1});
  }
  for (int r = 0; r < status_referrals; ++r) {
    per_case[r % case_ids.size()].push_back({kStatusOrganization, r});
  }

  ASSIGN_OR_RETURN(auto referral_channels,
                   ConnectChannels(deployment.referral_target(), 1,
                                   deployment.client_credentials()));
  ASSIGN_OR_RETURN(auto assessment_channels,
                   ConnectChannels(deployment.service_target(), 1,
                                   deployment.client_credentials()));
  auto referrals = homeward::v1::ReferralService::NewStub(referral_channels[0]);
  auto consents = homeward::v1::ConsentService::NewStub(assessment_channels[0]);
  const auth::PrincipalSigner signer(deployment.secret());
  const std::string prefix = FreshRequestIdPrefix("referral");
  const absl::CivilDay today =
      absl::ToCivilDay(absl::Now(), absl::UTCTimeZone());

  std::vector<SentReferral> pool(status_referrals);
  std::atomic<size_t> next{0};
  absl::Mutex mu;
  absl::Status first_error;
  auto call_status = [&](auto call) -> absl::Status {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + kCallDeadline);
    signer.Attach(deployment.principal(), &context);
    return FromGrpcStatus(call(&context));
  };
  // One case after the other per thread: its consents, then its referrals.
  auto make_case = [&](size_t c) -> absl::Status {
    const std::string& case_id = case_ids[c];
    std::set<int> organizations;
    for (const Sent& sent : per_case[c])
      organizations.insert(sent.organization);
    for (int organization : organizations) {
      homeward::v1::RecordConsentRequest consent;
      consent.set_request_id(
          absl::StrCat(prefix, "consent-", c, "-", organization));
      homeward::v1::ConsentRecord& record = *consent.mutable_consent();
      record.set_case_id(case_id);
      record.set_purpose(homeward::v1::CONSENT_PURPOSE_REFERRAL);
      record.set_recipient_agency_id(BenchOrganizationId(organization));
      record.set_granted(true);
      *record.mutable_decision_date() = api::ToDate(today);
      record.set_method(homeward::v1::CONSENT_METHOD_WRITTEN);
      homeward::v1::ConsentRecord recorded;
      RETURN_IF_ERROR(call_status([&](grpc::ClientContext* context) {
        return consents->RecordConsent(context, consent, &recorded);
      }));
    }
    const absl::Time give_up = absl::Now() + kCaseKnownTimeout;
    for (size_t i = 0; i < per_case[c].size(); ++i) {
      const Sent& sent = per_case[c][i];
      const homeward::v1::CreateReferralRequest create = BenchReferral(
          case_id, AcceptingBenchServiceId(shape, sent.organization),
          absl::StrCat(prefix, c, "-", i), today);
      homeward::v1::Referral created;
      for (;;) {
        const absl::Status status =
            call_status([&](grpc::ClientContext* context) {
              return referrals->CreateReferral(context, create, &created);
            });
        if (status.ok()) break;
        // NOT_FOUND until the registration reached the referral replica.
        if (!absl::IsNotFound(status) || absl::Now() > give_up) {
          return absl::Status(
              status.code(),
              absl::StrCat("case ", case_id, ": ", status.message()));
        }
        absl::SleepFor(absl::Milliseconds(20));
      }
      if (created.status() != homeward::v1::REFERRAL_STATUS_REQUESTED) {
        return absl::InternalError(
            absl::StrCat("referral of case ", case_id, " is ",
                         homeward::v1::ReferralStatus_Name(created.status()),
                         " after sending"));
      }
      if (sent.status_index >= 0) {
        SentReferral& entry = pool[sent.status_index];
        entry.case_id = case_id;
        entry.referral_id = created.referral_id();
        entry.etag = created.etag();
      }
    }
    return absl::OkStatus();
  };
  auto make_cases = [&]() {
    for (size_t c = next.fetch_add(1); c < case_ids.size();
         c = next.fetch_add(1)) {
      if (absl::Status s = make_case(c); !s.ok()) {
        absl::MutexLock lock(&mu);
        if (first_error.ok()) first_error = s;
        next.store(case_ids.size());  // the others stop too
        return;
      }
    }
  };
  std::vector<std::thread> threads;
  const int thread_count =
      std::max(1, std::min(concurrency, static_cast<int>(case_ids.size())));
  for (int t = 0; t < thread_count; ++t) threads.emplace_back(make_cases);
  for (std::thread& t : threads) t.join();
  if (!first_error.ok()) {
    return absl::Status(
        first_error.code(),
        absl::StrCat("preloading referrals: ", first_error.ToString()));
  }
  return std::make_unique<ReferralPool>(std::move(pool));
}

struct PreparedScenario::Clients {
  std::string name;
  const std::vector<std::string>* case_ids;
  PlanPool* plans;
  Authorize authorize;
  // Calls are spread over the stubs round-robin, so each channel carries at
  // most calls_per_channel calls. Only the stubs the scenario calls are made.
  std::vector<std::unique_ptr<Health::Stub>> health;
  std::vector<std::unique_ptr<CaseService::Stub>> cases;
  std::vector<std::unique_ptr<PlanService::Stub>> plan_stubs;
  std::vector<std::unique_ptr<DirectoryService::Stub>> directory_stubs;
  std::vector<std::unique_ptr<PartnerReferralService::Stub>> partner_stubs;
  const std::vector<std::string>* components = nullptr;
  ReferralPool* referrals = nullptr;
  std::vector<std::unique_ptr<FollowUpService::Stub>> follow_up_stubs;
  ContactPool* contacts = nullptr;
  // follow_up_record_gateway: the case each slot index is walking, kept
  // from one run to the next (nullptr: claim one).
  std::vector<ScheduledCase*> walking_contacts;
  // referral_status_gateway: the referral each slot index is walking, kept
  // from one run to the next (nullptr: claim one).
  std::vector<SentReferral*> walking_referrals;
  // plan_activity_gateway: the plan each slot index is walking, kept from
  // one run to the next (nullptr: claim one).
  std::vector<ActivePlan*> walking;
  // get_gateway_json: one connection per slot, and the head of every request.
  std::unique_ptr<HttpClientPool> http;
  std::vector<HttpConnection*> http_connections;
  std::string http_head;
};

PreparedScenario::PreparedScenario(std::unique_ptr<Clients> clients)
    : clients_(std::move(clients)) {}

PreparedScenario::~PreparedScenario() = default;

absl::StatusOr<std::unique_ptr<PreparedScenario>>
PreparedScenario::PrepareBaseline(const std::string& target,
                                  const ScenarioSettings& settings) {
  ASSIGN_OR_RETURN(auto channels,
                   ConnectChannels(target, ChannelCount(settings)));
  auto clients = std::make_unique<Clients>();
  clients->name = "baseline";
  clients->health = MakeStubs<Health>(channels);
  return std::unique_ptr<PreparedScenario>(
      new PreparedScenario(std::move(clients)));
}

absl::StatusOr<std::unique_ptr<PreparedScenario>> PreparedScenario::Prepare(
    const std::string& name, const Deployment& deployment,
    const ScenarioData& data, const ScenarioSettings& settings) {
  const ScenarioInfo* info = FindScenario(name);
  if (info == nullptr) {
    return absl::InvalidArgumentError(absl::StrCat("no scenario '", name, "'"));
  }
  if (info->needs_cases &&
      (data.case_ids == nullptr || data.case_ids->empty())) {
    return absl::FailedPreconditionError(
        absl::StrCat(name, " needs preloaded cases"));
  }
  if (info->needs_plans && (data.plans == nullptr || data.plans->size() == 0)) {
    return absl::FailedPreconditionError(
        absl::StrCat(name, " needs preloaded plans"));
  }
  if (info->needs_directory &&
      (data.components == nullptr || data.components->empty())) {
    return absl::FailedPreconditionError(
        absl::StrCat(name, " needs the preloaded directory"));
  }
  if (info->needs_follow_ups &&
      (data.contacts == nullptr || data.contacts->size() == 0)) {
    return absl::FailedPreconditionError(
        absl::StrCat(name, " needs preloaded follow-up contacts"));
  }
  if (info->needs_referrals &&
      (data.referrals == nullptr ||
       (name == "referral_status_gateway" && data.referrals->size() == 0))) {
    return absl::FailedPreconditionError(
        absl::StrCat(name, " needs preloaded referrals"));
  }
  const std::vector<std::string>* case_ids = data.case_ids;
  if (name == "get_gateway_json") {
    auto clients = std::make_unique<Clients>();
    clients->name = name;
    clients->case_ids = case_ids;
    clients->plans = data.plans;
    // One I/O thread: Beast needs little CPU per request, and every client
    // thread competes with the servers for the 2 cores.
    clients->http = std::make_unique<HttpClientPool>(1);
    for (int i = 0; i < settings.load.concurrency; ++i) {
      clients->http_connections.push_back(clients->http->AddConnection(
          "127.0.0.1", deployment.gateway_http_port()));
    }
    clients->http_head = absl::StrCat(
        "POST /homeward.v1.CaseService/GetCase HTTP/1.1\r\n"
        "Host: 127.0.0.1\r\n"
        "Authorization: Bearer ",
        deployment.api_key(),
        "\r\n"
        "Content-Type: application/json\r\n");
    return std::unique_ptr<PreparedScenario>(
        new PreparedScenario(std::move(clients)));
  }
  const bool via_gateway = absl::EndsWith(name, "_gateway");
  ASSIGN_OR_RETURN(
      auto channels,
      ConnectChannels(via_gateway ? deployment.gateway_target()
                                  : deployment.service_target(),
                      ChannelCount(settings), deployment.client_credentials()));
  auto clients = std::make_unique<Clients>();
  clients->name = name;
  clients->case_ids = case_ids;
  clients->plans = data.plans;
  clients->components = data.components;
  clients->referrals = data.referrals;
  clients->contacts = data.contacts;
  std::string key = deployment.api_key();
  if (name == "partner_inbox_gateway") key = deployment.inbox_partner_key();
  if (name == "referral_status_gateway") key = deployment.status_partner_key();
  clients->authorize =
      via_gateway ? BearerKey(key) : SignedPrincipal(deployment);
  if (name == "baseline") {
    clients->health = MakeStubs<Health>(channels);
  } else if (info->needs_plans) {
    clients->plan_stubs = MakeStubs<PlanService>(channels);
  } else if (info->needs_directory) {
    clients->directory_stubs = MakeStubs<DirectoryService>(channels);
  } else if (info->needs_referrals) {
    clients->partner_stubs = MakeStubs<PartnerReferralService>(channels);
  } else if (info->needs_follow_ups) {
    clients->follow_up_stubs = MakeStubs<FollowUpService>(channels);
  } else {
    clients->cases = MakeStubs<CaseService>(channels);
  }
  return std::unique_ptr<PreparedScenario>(
      new PreparedScenario(std::move(clients)));
}

absl::StatusOr<LoadResult> PreparedScenario::Run(
    const LoadOptions& load) const {
  Clients& c = *clients_;
  if (c.name == "baseline") {
    return RunClosedLoop(load, [&](int i) {
      return std::make_unique<HealthSlot>(c.health[i % c.health.size()].get());
    });
  }
  if (c.name == "get_gateway_json") {
    return RunClosedLoop(load, [&](int i) {
      return std::make_unique<JsonGetSlot>(
          c.http_connections[i % c.http_connections.size()], c.http_head,
          c.case_ids);
    });
  }
  if (c.name == "plan_get_gateway") {
    return RunClosedLoop(load, [&](int i) {
      return std::make_unique<PlanGetSlot>(
          c.plan_stubs[i % c.plan_stubs.size()].get(), &c.authorize, c.plans);
    });
  }
  if (c.name == "plan_activity_gateway") {
    if (c.walking.size() < static_cast<size_t>(load.concurrency)) {
      c.walking.resize(load.concurrency, nullptr);
    }
    return RunClosedLoop(load, [&](int i) {
      return std::make_unique<PlanActivitySlot>(
          c.plan_stubs[i % c.plan_stubs.size()].get(), &c.authorize, c.plans,
          &c.walking[i]);
    });
  }
  if (c.name == "directory_search_gateway") {
    return RunClosedLoop(load, [&](int i) {
      return std::make_unique<DirectorySearchSlot>(
          c.directory_stubs[i % c.directory_stubs.size()].get(), &c.authorize,
          c.components);
    });
  }
  if (c.name == "partner_inbox_gateway") {
    return RunClosedLoop(load, [&](int i) {
      return std::make_unique<InboxSlot>(
          c.partner_stubs[i % c.partner_stubs.size()].get(), &c.authorize);
    });
  }
  if (c.name == "referral_status_gateway") {
    if (c.walking_referrals.size() < static_cast<size_t>(load.concurrency)) {
      c.walking_referrals.resize(load.concurrency, nullptr);
    }
    return RunClosedLoop(load, [&](int i) {
      return std::make_unique<ReferralStatusSlot>(
          c.partner_stubs[i % c.partner_stubs.size()].get(), &c.authorize,
          c.referrals, &c.walking_referrals[i]);
    });
  }
  if (c.name == "follow_up_due_gateway") {
    return RunClosedLoop(load, [&](int i) {
      return std::make_unique<DueContactsSlot>(
          c.follow_up_stubs[i % c.follow_up_stubs.size()].get(), &c.authorize);
    });
  }
  if (c.name == "follow_up_record_gateway") {
    if (c.walking_contacts.size() < static_cast<size_t>(load.concurrency)) {
      c.walking_contacts.resize(load.concurrency, nullptr);
    }
    const std::string prefix = FreshRequestIdPrefix(c.name);
    return RunClosedLoop(load, [&](int i) {
      return std::make_unique<RecordContactSlot>(
          c.follow_up_stubs[i % c.follow_up_stubs.size()].get(), &c.authorize,
          c.contacts, &c.walking_contacts[i], absl::StrCat(prefix, i, "-"));
    });
  }
  const size_t n = c.cases.size();
  if (c.name == "list_cases_gateway") {
    return RunClosedLoop(load, [&](int i) {
      return std::make_unique<ListCasesSlot>(c.cases[i % n].get(),
                                             &c.authorize);
    });
  }
  if (absl::StartsWith(c.name, "get_")) {
    return RunClosedLoop(load, [&](int i) {
      return std::make_unique<GetSlot>(c.cases[i % n].get(), &c.authorize,
                                       c.case_ids);
    });
  }
  const std::string prefix = FreshRequestIdPrefix(c.name);
  return RunClosedLoop(load, [&](int i) {
    return std::make_unique<RegisterSlot>(c.cases[i % n].get(), &c.authorize,
                                          prefix);
  });
}

}  // namespace homeward::bench
