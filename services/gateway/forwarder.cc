// Authorise, route and forward public calls; see forwarder.h.
#include "services/gateway/forwarder.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/auth/crypto.h"
#include "common/server/log.h"
#include "common/server/server_kit.h"
#include "common/status/errors.h"
#include "common/status/grpc_status.h"
#include "common/storage/partitions.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "services/gateway/page_token.h"

namespace homeward::gateway {
namespace {

using homeward::v1::Case;

// First-line authorisation (architecture brief section 6): case records are
// for case managers and supervisors. Partner agencies, monitoring officers,
// administrators and other components have their own, narrower surfaces. The
// service still enforces record-level scope (offices) itself.
absl::Status AuthorizeCaseService(const homeward::v1::Principal& principal) {
  switch (principal.role()) {
    case homeward::v1::ROLE_CASE_MANAGER:
    case homeward::v1::ROLE_SUPERVISOR:
      return absl::OkStatus();
    default:
      return errors::PermissionDenied(absl::StrCat(
          "role ", homeward::v1::Role_Name(principal.role()),
          " may not use CaseService: case records are open to case managers "
          "and supervisors only"));
  }
}

}  // namespace

struct Forwarder::ListState {
  CallInfo call;
  absl::Time deadline;
  homeward::v1::ListCasesRequest filters;  // page cleared
  homeward::v1::ListCasesResponse* response;
  Done done;
  int remaining = 0;
  ListCursor cursor;
  // The downstream call in progress.
  homeward::v1::ListCasesRequest part_request;
  homeward::v1::ListCasesResponse part;
};

Forwarder::Forwarder(Options options)
    : routes_(std::move(options.routes)),
      signer_(std::move(options.principal_secret)),
      forward_deadline_(options.forward_deadline) {
  for (const std::string& address : routes_.addresses()) {
    std::shared_ptr<grpc::Channel> channel;
    auto it = options.channel_overrides.find(address);
    if (it != options.channel_overrides.end()) {
      channel = it->second;
    } else {
      channel =
          grpc::CreateCustomChannel(address, grpc::InsecureChannelCredentials(),
                                    server::InternalChannelArguments());
    }
    stubs_.push_back(homeward::v1::CaseService::NewStub(channel));
  }
}

Forwarder::~Forwarder() {
  absl::MutexLock lock(&mu_);
  mu_.Await(absl::Condition(
      +[](int* in_flight) { return *in_flight == 0; }, &in_flight_));
}

absl::Time Forwarder::DeadlineFor(const CallInfo& call) const {
  return std::min(call.client_deadline, absl::Now() + forward_deadline_);
}

void Forwarder::Send(const CallInfo& call, absl::Time deadline, size_t replica,
                     const Launch& launch, Done done,
                     std::shared_ptr<void> keep_alive) {
  // Shared, not unique: the completion callback must be copyable.
  auto context = std::make_shared<grpc::ClientContext>();
  context->set_deadline(absl::ToChronoTime(deadline));
  // No wait_for_ready: a replica that cannot be reached fails the call at
  // once with UNAVAILABLE instead of holding it until the deadline.
  signer_.Attach(call.principal, context.get());
  context->AddMetadata(auth::kRequestIdKey, call.request_id);
  // When the gateway's own deadline (not the client's) is the one that fires,
  // the replica did not answer in time: to the client that means the service
  // is unavailable, not that its deadline passed.
  const bool gateway_deadline = deadline < call.client_deadline;
  {
    absl::MutexLock lock(&mu_);
    ++in_flight_;
  }
  grpc::ClientContext* raw_context = context.get();
  launch(stubs_[replica]->async(), raw_context,
         [this, context = std::move(context), done = std::move(done),
          keep_alive = std::move(keep_alive), gateway_deadline,
          replica](grpc::Status grpc_status) mutable {
           absl::Status status = FromGrpcStatus(grpc_status);
           if (status.code() == absl::StatusCode::kDeadlineExceeded &&
               gateway_deadline) {
             status = errors::Unavailable(
                 absl::StrCat("the ", kAssessmentService, " service (replica ",
                              replica, ") did not answer within ",
                              absl::ToInt64Milliseconds(forward_deadline_),
                              " ms; try again later"));
           }
           if (status.code() == absl::StatusCode::kUnavailable) {
             // Transport failures name internal addresses: keep them in the
             // gateway's log and give the client a plain message.
             server::Log("warn", "replica unreachable",
                         {{"replica", absl::StrCat(replica)},
                          {"error", std::string(status.message())}});
             status = errors::Unavailable(absl::StrCat(
                 "the ", kAssessmentService, " service (replica ", replica,
                 ") cannot be reached; try again later"));
           }
           context.reset();
           done(std::move(status));
           // Release what the call kept alive before saying we are idle.
           done = nullptr;
           keep_alive.reset();
           absl::MutexLock lock(&mu_);
           --in_flight_;
         });
}

void Forwarder::RegisterCase(const CallInfo& call,
                             const homeward::v1::RegisterCaseRequest& request,
                             Case* response, Done done) {
  if (absl::Status s = AuthorizeCaseService(call.principal); !s.ok()) {
    return done(std::move(s));
  }
  // The case id derives from the request id, which is what lets the gateway
  // route a registration before the case exists. A client that sent none gets
  // one (so a registration is never unroutable), at the cost of idempotency
  // for that client's retries.
  const homeward::v1::RegisterCaseRequest* forwarded = &request;
  std::shared_ptr<homeward::v1::RegisterCaseRequest> copy;
  if (request.request_id().empty()) {
    copy = std::make_shared<homeward::v1::RegisterCaseRequest>(request);
    copy->set_request_id(crypto::RandomHex(16));
    forwarded = copy.get();
  }
  const size_t replica =
      routes_.ReplicaOfCase(storage::CaseIdForRequest(forwarded->request_id()));
  Send(
      call, DeadlineFor(call), replica,
      [forwarded, response](AsyncStub* stub, grpc::ClientContext* context,
                            std::function<void(grpc::Status)> on_done) {
        stub->RegisterCase(context, forwarded, response, std::move(on_done));
      },
      std::move(done), std::move(copy));
}

void Forwarder::GetCase(const CallInfo& call,
                        const homeward::v1::GetCaseRequest& request,
                        Case* response, Done done) {
  if (absl::Status s = AuthorizeCaseService(call.principal); !s.ok()) {
    return done(std::move(s));
  }
  if (request.case_id().empty()) {
    return done(errors::InvalidField("case_id", "is required"));
  }
  const homeward::v1::GetCaseRequest* req = &request;
  Send(
      call, DeadlineFor(call), routes_.ReplicaOfCase(request.case_id()),
      [req, response](AsyncStub* stub, grpc::ClientContext* context,
                      std::function<void(grpc::Status)> on_done) {
        stub->GetCase(context, req, response, std::move(on_done));
      },
      std::move(done), nullptr);
}

void Forwarder::UpdateCase(const CallInfo& call,
                           const homeward::v1::UpdateCaseRequest& request,
                           Case* response, Done done) {
  if (absl::Status s = AuthorizeCaseService(call.principal); !s.ok()) {
    return done(std::move(s));
  }
  if (request.case_().case_id().empty()) {
    return done(errors::InvalidField("case.case_id", "is required"));
  }
  const homeward::v1::UpdateCaseRequest* req = &request;
  Send(
      call, DeadlineFor(call), routes_.ReplicaOfCase(request.case_().case_id()),
      [req, response](AsyncStub* stub, grpc::ClientContext* context,
                      std::function<void(grpc::Status)> on_done) {
        stub->UpdateCase(context, req, response, std::move(on_done));
      },
      std::move(done), nullptr);
}

void Forwarder::AssignCase(const CallInfo& call,
                           const homeward::v1::AssignCaseRequest& request,
                           Case* response, Done done) {
  if (absl::Status s = AuthorizeCaseService(call.principal); !s.ok()) {
    return done(std::move(s));
  }
  if (request.case_id().empty()) {
    return done(errors::InvalidField("case_id", "is required"));
  }
  const homeward::v1::AssignCaseRequest* req = &request;
  Send(
      call, DeadlineFor(call), routes_.ReplicaOfCase(request.case_id()),
      [req, response](AsyncStub* stub, grpc::ClientContext* context,
                      std::function<void(grpc::Status)> on_done) {
        stub->AssignCase(context, req, response, std::move(on_done));
      },
      std::move(done), nullptr);
}

void Forwarder::ListCases(const CallInfo& call,
                          const homeward::v1::ListCasesRequest& request,
                          homeward::v1::ListCasesResponse* response,
                          Done done) {
  if (absl::Status s = AuthorizeCaseService(call.principal); !s.ok()) {
    return done(std::move(s));
  }
  const int page_size = request.page().page_size();
  if (page_size < 0) {
    return done(errors::InvalidField(
        "page.page_size",
        absl::StrCat("must not be negative (0 means the default, ",
                     kDefaultPageSize, "; at most ", kMaxPageSize, ")")));
  }
  absl::StatusOr<ListCursor> cursor =
      DecodeListCursor(request.page().page_token(), routes_.fingerprint(),
                       routes_.replica_count());
  if (!cursor.ok()) return done(cursor.status());

  auto state = std::make_shared<ListState>();
  state->call = call;
  state->deadline = DeadlineFor(call);
  state->filters = request;
  state->filters.clear_page();
  state->response = response;
  state->done = std::move(done);
  state->remaining =
      page_size == 0 ? kDefaultPageSize : std::min(page_size, kMaxPageSize);
  state->cursor = *std::move(cursor);
  response->Clear();
  ListNext(std::move(state));
}

// Asks the cursor's replica for what is still missing from the page. Runs on
// the calling thread for the first replica and on a gRPC callback thread for
// the next ones: every step only starts an RPC, so nothing blocks.
void Forwarder::ListNext(std::shared_ptr<ListState> state) {
  ListState* s = state.get();
  s->part_request = s->filters;
  s->part_request.mutable_page()->set_page_size(s->remaining);
  s->part_request.mutable_page()->set_page_token(s->cursor.replica_token);
  s->part.Clear();
  Send(
      s->call, s->deadline, s->cursor.replica,
      [s](AsyncStub* stub, grpc::ClientContext* context,
          std::function<void(grpc::Status)> on_done) {
        stub->ListCases(context, &s->part_request, &s->part,
                        std::move(on_done));
      },
      [this, state](absl::Status status) {
        OnListPage(state, std::move(status));
      },
      state);
}

// Replicas are read one after the other (all of replica 0's cases, then
// replica 1's, ...), so a cursor (replica, that replica's token) says exactly
// where the next page starts: no case is returned twice or skipped.
void Forwarder::OnListPage(std::shared_ptr<ListState> state,
                           absl::Status status) {
  ListState* s = state.get();
  if (!status.ok()) return s->done(std::move(status));
  for (Case& c : *s->part.mutable_cases()) {
    *s->response->add_cases() = std::move(c);
  }
  s->remaining -= s->part.cases_size();
  const size_t replicas = routes_.replica_count();
  if (!s->part.next_page_token().empty()) {
    // The replica has more: resume there next time. Returning now (even with
    // a short page) keeps one page to at most one round trip per replica.
    s->response->set_next_page_token(EncodeListCursor(
        {s->cursor.replica, s->part.next_page_token()}, routes_.fingerprint()));
    return s->done(absl::OkStatus());
  }
  // This replica is exhausted.
  s->cursor = {s->cursor.replica + 1, ""};
  if (s->cursor.replica >= replicas) return s->done(absl::OkStatus());
  if (s->remaining <= 0) {
    s->response->set_next_page_token(
        EncodeListCursor(s->cursor, routes_.fingerprint()));
    return s->done(absl::OkStatus());
  }
  ListNext(std::move(state));
}

std::string RequestIdOrNew(std::optional<absl::string_view> from_client) {
  if (from_client.has_value() && !from_client->empty() &&
      from_client->size() <= 128 &&
      std::all_of(from_client->begin(), from_client->end(),
                  [](char c) { return c > 0x20 && c < 0x7f; })) {
    return std::string(*from_client);
  }
  return crypto::RandomHex(8);
}

void LogPublicCall(absl::string_view face, absl::string_view method,
                   const std::string& request_id, const std::string& key_id,
                   const absl::Status& status, absl::Time start) {
  if (status.ok() && !server::RequestLoggingEnabled()) return;
  server::Log(
      status.ok() ? "info" : "warn", "gateway call",
      {{"face", std::string(face)},
       {"method", std::string(method)},
       {"request_id", request_id},
       {"key_id", key_id},
       {"code", absl::StatusCodeToString(status.code())},
       {"ms", absl::StrCat(absl::ToInt64Milliseconds(absl::Now() - start))}});
}

}  // namespace homeward::gateway
