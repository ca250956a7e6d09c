// Authorise, route and forward public calls; see forwarder.h.
#include "services/gateway/forwarder.h"

#include <algorithm>
#include <atomic>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "common/api/paging.h"
#include "common/auth/crypto.h"
#include "common/server/log.h"
#include "common/server/server_kit.h"
#include "common/status/errors.h"
#include "common/status/grpc_status.h"
#include "common/storage/ids.h"
#include "common/storage/partitions.h"
#include "grpcpp/impl/codegen/proto_utils.h"
#include "homeward/v1/common.pb.h"
#include "services/gateway/page_token.h"

namespace homeward::gateway {
namespace {

using google::protobuf::Message;
using google::protobuf::Reflection;

// First-line authorisation (architecture brief section 6): the method's
// declared callers. Services still enforce record-level scope themselves.
absl::Status Authorize(const MethodRoute& method,
                       const homeward::internal::v1::Principal& principal) {
  if (method.callers.Allows(principal.role())) return absl::OkStatus();
  return errors::PermissionDenied(absl::StrCat(
      "role ", homeward::v1::Role_Name(principal.role()), " may not call ",
      method.full_name, ": it is open to ", method.callers.who, " only"));
}

std::string Unreachable(absl::string_view backend, size_t replica) {
  return absl::StrCat("the ", backend, " service (replica ", replica,
                      ") cannot be reached");
}

// A method whose backend the gateway has no route for: only an optional
// backend the deployment leaves out (ConnectBackends refuses the others).
// Permanent, unlike a replica that is down, so not UNAVAILABLE: a client
// retrying would wait for a service that is not part of the deployment.
absl::Status NoBackend(const MethodRoute& method) {
  return errors::Unimplemented(absl::StrCat(
      method.full_name, " is served by the ", method.backend,
      " service, which this deployment does not run: the gateway's config "
      "has no route for backend '",
      method.backend, "'"));
}

}  // namespace

struct Forwarder::ListState {
  TopologyRef topology;  // every page of one call from the same routes
  const MethodRoute* method;
  CallInfo call;
  absl::Time deadline;
  std::unique_ptr<Message> filters;  // the request, page cleared
  Message* response;
  Done done;
  int remaining = 0;
  ListCursor cursor;
  // The downstream call in progress.
  std::unique_ptr<Message> part_request;
  std::unique_ptr<Message> part;
};

struct Forwarder::BroadcastState {
  TopologyRef topology;
  const MethodRoute* method;
  Message* response;
  Done done;
  // One answer per replica; replica 0's becomes the response.
  std::vector<std::unique_ptr<Message>> answers;
  absl::Mutex mu;
  std::vector<absl::Status> statuses ABSL_GUARDED_BY(mu);
  size_t pending ABSL_GUARDED_BY(mu) = 0;
};

struct Forwarder::AnyReplicaState {
  TopologyRef topology;
  const MethodRoute* method;
  CallInfo call;
  absl::Time deadline;
  const Message* request;
  Message* response;
  Done done;
};

Forwarder::Forwarder(Options options)
    : topology_(
          MakeTopology(options.routes_generation, std::move(options.backends))),
      methods_(std::move(options.methods)),
      signer_(std::move(options.principal_secret)),
      forward_deadline_(options.forward_deadline) {}

Forwarder::TopologyRef Forwarder::MakeTopology(uint64_t generation,
                                               std::vector<Backend> backends) {
  auto topology = std::make_shared<Topology>();
  topology->generation = generation;
  topology->backends = std::move(backends);
  for (size_t b = 0; b < topology->backends.size(); ++b) {
    topology->index.emplace(topology->backends[b].name(), b);
    Stubs& stubs = topology->stubs.emplace_back();
    for (const std::shared_ptr<grpc::Channel>& channel :
         topology->backends[b].channels) {
      stubs.messages.push_back(std::make_unique<MessageStub>(channel));
      stubs.bytes.push_back(std::make_unique<grpc::GenericStub>(channel));
    }
  }
  return topology;
}

size_t Forwarder::Topology::IndexOf(const MethodRoute& method) const {
  auto it = index.find(method.backend);
  return it == index.end() ? backends.size() : it->second;
}

std::vector<Backend> Forwarder::backends() const {
  return topology()->backends;
}

uint64_t Forwarder::routes_generation() const { return topology()->generation; }

absl::Status Forwarder::SwitchRoutes(uint64_t generation,
                                     std::vector<Backend> backends) {
  TopologyRef now = topology();
  std::vector<std::string> before, after;
  for (const Backend& b : now->backends) before.push_back(b.name());
  for (const Backend& b : backends) after.push_back(b.name());
  std::sort(before.begin(), before.end());
  std::sort(after.begin(), after.end());
  if (before != after) {
    return errors::FailedPrecondition(
        "ROUTE_MAP_BACKENDS", absl::StrCat("generation ", generation),
        absl::StrCat("a route map may move partitions and change replicas, "
                     "not add or remove a backend: the gateway routes to ",
                     absl::StrJoin(before, ", "), " and the new map to ",
                     absl::StrJoin(after, ", "), "; restart the gateway"));
  }
  std::string fingerprints;
  for (const Backend& b : backends) {
    absl::StrAppend(&fingerprints, fingerprints.empty() ? "" : ",", b.name(),
                    "=", b.routes.fingerprint());
  }
  std::atomic_store(&topology_, MakeTopology(generation, std::move(backends)));
  server::Log("info", "gateway routes switched",
              {{"from_generation", absl::StrCat(now->generation)},
               {"generation", absl::StrCat(generation)},
               {"fingerprints", fingerprints}});
  return absl::OkStatus();
}

Forwarder::~Forwarder() {
  absl::MutexLock lock(&mu_);
  mu_.Await(absl::Condition(
      +[](int* in_flight) { return *in_flight == 0; }, &in_flight_));
}

absl::Time Forwarder::DeadlineFor(const CallInfo& call) const {
  return std::min(call.client_deadline, absl::Now() + forward_deadline_);
}

absl::Time Forwarder::ComposedDeadline(const CallInfo& call) const {
  const absl::Time now = absl::Now();
  absl::Duration reserve = absl::ZeroDuration();
  if (call.client_deadline != absl::InfiniteFuture()) {
    // A tenth of the time left, so that a short deadline is not all reserve.
    reserve = std::clamp((call.client_deadline - now) / 10,
                         absl::ZeroDuration(), kComposeReserve);
  }
  return std::min(call.client_deadline - reserve, now + forward_deadline_);
}

template <typename Payload>
void Forwarder::Send(const TopologyRef& topology, const CallInfo& call,
                     absl::Time deadline, size_t replica,
                     const MethodRoute& method, const Payload* request,
                     Payload* response, Done done,
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
  const size_t backend = topology->IndexOf(method);
  // The call holds its routes (stubs and channels) until it completes, even
  // if they are switched meanwhile.
  StubFor(*topology, backend, replica, request)
      .UnaryCall(
          raw_context, method.path, grpc::StubOptions(), request, response,
          [this, topology = topology, context = std::move(context),
           done = std::move(done), keep_alive = std::move(keep_alive),
           gateway_deadline, backend, replica](grpc::Status status) mutable {
            context.reset();
            done(ReplicaStatus(status, topology->backends[backend].name(),
                               replica, gateway_deadline));
            // Release what the call kept alive before saying we are
            // idle.
            done = nullptr;
            keep_alive.reset();
            topology.reset();
            absl::MutexLock lock(&mu_);
            --in_flight_;
          });
}

absl::Status Forwarder::ReplicaStatus(const grpc::Status& grpc_status,
                                      const std::string& backend,
                                      size_t replica,
                                      bool gateway_deadline) const {
  absl::Status status = FromGrpcStatus(grpc_status);
  if (status.code() == absl::StatusCode::kDeadlineExceeded &&
      gateway_deadline) {
    return errors::Unavailable(absl::StrCat(
        "the ", backend, " service (replica ", replica,
        ") did not answer within ",
        absl::ToInt64Milliseconds(forward_deadline_), " ms; try again later"));
  }
  if (status.code() == absl::StatusCode::kUnavailable) {
    // Transport failures name internal addresses: keep them in the gateway's
    // log and give the client a plain message.
    server::Log("warn", "replica unreachable",
                {{"backend", backend},
                 {"replica", absl::StrCat(replica)},
                 {"error", std::string(status.message())}});
    return errors::Unavailable(
        absl::StrCat(Unreachable(backend, replica), "; try again later"));
  }
  return status;
}

void Forwarder::Forward(const MethodRoute& method, const CallInfo& call,
                        const Message& request, Message* response, Done done) {
  if (absl::Status s = Authorize(method, call.principal); !s.ok()) {
    return done(std::move(s));
  }
  if (method.route.kind == Routing::kComposed) {
    return ForwardComposed(method, call, request, response, std::move(done));
  }
  // The routes this call keeps to its end.
  TopologyRef topology = this->topology();
  if (!topology->Has(method)) return done(NoBackend(method));
  switch (method.route.kind) {
    case Routing::kByCaseId: {
      absl::StatusOr<std::optional<size_t>> replica =
          SingleReplicaOf(*topology, method, request);
      if (!replica.ok()) return done(replica.status());
      return Send(topology, call, DeadlineFor(call), **replica, method,
                  &request, response, std::move(done), nullptr);
    }
    case Routing::kByRegistration:
      return ForwardRegistration(topology, method, call, request, response,
                                 std::move(done));
    case Routing::kFanOut:
      return ForwardFanOut(topology, method, call, request, response,
                           std::move(done));
    case Routing::kBroadcast:
    case Routing::kGather:
      return ForwardBroadcast(topology, method, call, request, response,
                              std::move(done));
    case Routing::kAnyReplica: {
      auto state = std::make_shared<AnyReplicaState>(
          AnyReplicaState{topology, &method, call, DeadlineFor(call), &request,
                          response, std::move(done)});
      return TryReplica(std::move(state), 0);
    }
    case Routing::kComposed:
      break;  // answered above
  }
  done(errors::Internal(
      absl::StrCat(method.full_name, " has no routing the gateway knows")));
}

void Forwarder::ForwardComposed(const MethodRoute& method, const CallInfo& call,
                                const Message& request, Message* response,
                                Done done) {
  // Sub-calls use the caller's principal and request id (so the services
  // audit and scope them as the caller's own) and all end by one deadline.
  auto sub_call = std::make_shared<CallInfo>(call);
  sub_call->client_deadline = ComposedDeadline(call);
  {
    absl::MutexLock lock(&mu_);
    ++in_flight_;
  }
  // The flag makes `done` run at most once even if the compose function is
  // wrong, so that the call is counted out exactly once.
  auto answered = std::make_shared<std::atomic<bool>>(false);
  const std::string& name = method.full_name;
  method.compose(
      *this, *sub_call, request, response,
      [this, sub_call, answered, name,
       done = std::move(done)](absl::Status status) mutable {
        if (answered->exchange(true)) {
          server::Log("error", "a composed method answered twice",
                      {{"method", name}, {"request_id", sub_call->request_id}});
          return;
        }
        done(std::move(status));
        done = nullptr;
        absl::MutexLock lock(&mu_);
        --in_flight_;
      });
}

absl::StatusOr<std::optional<size_t>> Forwarder::SingleReplicaOf(
    const Topology& topology, const MethodRoute& method,
    const Message& request) const {
  switch (method.route.kind) {
    case Routing::kByCaseId: {
      absl::StatusOr<std::string> case_id = CaseIdOf(method, request);
      if (!case_id.ok()) return case_id.status();
      return topology.RoutesOf(method).ReplicaOfCase(*case_id);
    }
    case Routing::kByRegistration: {
      std::optional<std::string> case_id =
          RegistrationCaseIdOf(method, request);
      if (!case_id.has_value()) return std::nullopt;
      return topology.RoutesOf(method).ReplicaOfCase(*case_id);
    }
    default:
      return std::nullopt;
  }
}

void Forwarder::ForwardBytes(const MethodRoute& method, const CallInfo& call,
                             const Message& request,
                             const grpc::ByteBuffer& request_bytes,
                             grpc::ByteBuffer* response_bytes, Done done) {
  // A composed answer is built from messages, so it is encoded here.
  if (method.route.kind == Routing::kComposed) {
    return ForwardEncoding(method, call, request, response_bytes,
                           std::move(done));
  }
  // Refused before the routing below, which reads the backend's routes, but
  // after the role check, as in Forward: a caller the method is not open to
  // learns nothing about the deployment.
  TopologyRef topology = this->topology();
  if (!topology->Has(method)) {
    absl::Status s = Authorize(method, call.principal);
    return done(s.ok() ? NoBackend(method) : std::move(s));
  }
  absl::StatusOr<std::optional<size_t>> replica =
      SingleReplicaOf(*topology, method, request);
  if (replica.ok() && !replica->has_value()) {
    // Not answered by one replica as it stands: forwarded as messages.
    return ForwardEncoding(method, call, request, response_bytes,
                           std::move(done));
  }
  if (absl::Status s = Authorize(method, call.principal); !s.ok()) {
    return done(std::move(s));
  }
  if (!replica.ok()) return done(replica.status());
  Send(topology, call, DeadlineFor(call), **replica, method, &request_bytes,
       response_bytes, std::move(done), nullptr);
}

void Forwarder::ForwardEncoding(const MethodRoute& method, const CallInfo& call,
                                const Message& request,
                                grpc::ByteBuffer* response_bytes, Done done) {
  std::shared_ptr<Message> response(method.response_prototype->New());
  Forward(
      method, call, request, response.get(),
      [response, response_bytes, done = std::move(done)](absl::Status status) {
        bool own_buffer;
        if (status.ok() && !grpc::SerializationTraits<Message>::Serialize(
                                *response, response_bytes, &own_buffer)
                                .ok()) {
          status = errors::Internal("the gateway could not encode the answer");
        }
        done(std::move(status));
      });
}

void Forwarder::ForwardRegistration(const TopologyRef& topology,
                                    const MethodRoute& method,
                                    const CallInfo& call,
                                    const Message& request, Message* response,
                                    Done done) {
  // The case id derives from the office and request id, which is what lets
  // the gateway route a registration before the case exists. A client that sent
  // none gets one (so a registration is never unroutable), at the cost of
  // idempotency for that client's retries.
  const Reflection* reflection = request.GetReflection();
  const Message* forwarded = &request;
  std::shared_ptr<Message> copy;
  if (reflection->GetString(request, method.request_id_field).empty()) {
    copy.reset(request.New());
    copy->CopyFrom(request);
    reflection->SetString(copy.get(), method.request_id_field,
                          crypto::RandomHex(16));
    forwarded = copy.get();
  }
  // With a request id, a registration has exactly one replica.
  const size_t replica = **SingleReplicaOf(*topology, method, *forwarded);
  Send(topology, call, DeadlineFor(call), replica, method, forwarded, response,
       std::move(done), std::move(copy));
}

void Forwarder::ForwardFanOut(const TopologyRef& topology,
                              const MethodRoute& method, const CallInfo& call,
                              const Message& request, Message* response,
                              Done done) {
  const auto* page =
      google::protobuf::DynamicCastToGenerated<homeward::v1::PageRequest>(
          &request.GetReflection()->GetMessage(request, method.page_field));
  errors::FieldViolations bad;
  api::CheckPageRequest(bad, *page);
  if (!bad.empty()) return done(bad.ToStatus());
  // The token carries the fingerprint of the list's own backend: a token of
  // another backend's list, or from before its partition map changed, is
  // refused.
  const routing::RouteTable& routes = topology->RoutesOf(method);
  absl::StatusOr<ListCursor> cursor = DecodeListCursor(
      page->page_token(), routes.fingerprint(), routes.replica_count());
  if (!cursor.ok()) return done(cursor.status());

  auto state = std::make_shared<ListState>();
  state->topology = topology;
  state->method = &method;
  state->call = call;
  state->deadline = DeadlineFor(call);
  state->filters.reset(request.New());
  state->filters->CopyFrom(request);
  state->filters->GetReflection()->ClearField(state->filters.get(),
                                              method.page_field);
  state->response = response;
  state->done = std::move(done);
  state->remaining = api::EffectivePageSize(*page);
  state->cursor = *std::move(cursor);
  state->part_request.reset(request.New());
  state->part.reset(response->New());
  response->Clear();
  ListNext(std::move(state));
}

// Asks the cursor's replica for what is still missing from the page. Runs on
// the calling thread for the first replica and on a gRPC callback thread for
// the next ones: every step only starts an RPC, so nothing blocks.
void Forwarder::ListNext(std::shared_ptr<ListState> state) {
  ListState* s = state.get();
  s->part_request->CopyFrom(*s->filters);
  auto* page =
      google::protobuf::DynamicCastToGenerated<homeward::v1::PageRequest>(
          s->part_request->GetReflection()->MutableMessage(
              s->part_request.get(), s->method->page_field));
  page->set_page_size(s->remaining);
  page->set_page_token(s->cursor.replica_token);
  s->part->Clear();
  Send(
      s->topology, s->call, s->deadline, s->cursor.replica, *s->method,
      s->part_request.get(), s->part.get(),
      [this, state](absl::Status status) {
        OnListPage(state, std::move(status));
      },
      state);
}

// Replicas are read one after the other (all of replica 0's items, then
// replica 1's, ...), so a cursor (replica, that replica's token) says exactly
// where the next page starts: no item is returned twice or skipped.
void Forwarder::OnListPage(std::shared_ptr<ListState> state,
                           absl::Status status) {
  ListState* s = state.get();
  if (!status.ok()) return s->done(std::move(status));
  const MethodRoute& method = *s->method;
  const routing::RouteTable& routes = s->topology->RoutesOf(method);
  const Reflection* reflection = s->part->GetReflection();
  // Moved, not copied: pages can be large. Released from the back, so
  // filled in from the back to keep the replica's order.
  const int received = reflection->FieldSize(*s->part, method.items_field);
  std::vector<Message*> moved(received);
  for (int i = received - 1; i >= 0; --i) {
    moved[i] = reflection->ReleaseLast(s->part.get(), method.items_field);
  }
  const Reflection* out = s->response->GetReflection();
  for (Message* item : moved) {
    out->AddAllocatedMessage(s->response, method.items_field, item);
  }
  s->remaining -= received;

  const std::string replica_token =
      reflection->GetString(*s->part, method.next_page_token_field);
  if (!replica_token.empty()) {
    // The replica has more: resume there next time. Returning now (even with
    // a short page) keeps one page to at most one round trip per replica.
    out->SetString(s->response, method.next_page_token_field,
                   EncodeListCursor({s->cursor.replica, replica_token},
                                    routes.fingerprint()));
    return s->done(absl::OkStatus());
  }
  // This replica is exhausted.
  s->cursor = {s->cursor.replica + 1, ""};
  if (s->cursor.replica >= routes.replica_count()) {
    return s->done(absl::OkStatus());
  }
  if (s->remaining <= 0) {
    out->SetString(s->response, method.next_page_token_field,
                   EncodeListCursor(s->cursor, routes.fingerprint()));
    return s->done(absl::OkStatus());
  }
  ListNext(std::move(state));
}

// Every replica at once, with one deadline: the slowest replica, not the sum
// of them, bounds the call.
void Forwarder::ForwardBroadcast(const TopologyRef& topology,
                                 const MethodRoute& method,
                                 const CallInfo& call, const Message& request,
                                 Message* response, Done done) {
  const size_t replicas = topology->RoutesOf(method).replica_count();
  auto state = std::make_shared<BroadcastState>();
  state->topology = topology;
  state->method = &method;
  state->response = response;
  state->done = std::move(done);
  for (size_t r = 0; r < replicas; ++r) {
    state->answers.emplace_back(response->New());
  }
  {
    absl::MutexLock lock(&state->mu);
    state->statuses.resize(replicas);
    state->pending = replicas;
  }
  const absl::Time deadline = DeadlineFor(call);
  for (size_t r = 0; r < replicas; ++r) {
    Send(
        topology, call, deadline, r, method, &request, state->answers[r].get(),
        [this, state, r](absl::Status status) {
          OnBroadcastAnswer(state, r, std::move(status));
        },
        state);
  }
}

void Forwarder::OnBroadcastAnswer(const std::shared_ptr<BroadcastState>& state,
                                  size_t replica, absl::Status status) {
  std::vector<absl::Status> statuses;
  {
    absl::MutexLock lock(&state->mu);
    state->statuses[replica] = std::move(status);
    if (--state->pending > 0) return;
    statuses = std::move(state->statuses);
  }
  // A service's own refusal (bad request, conflicting content) is what the
  // client must act on, so it wins over an unreachable replica; among equals
  // the lowest replica's answer is reported.
  const absl::Status* refusal = nullptr;
  const absl::Status* unreachable = nullptr;
  size_t succeeded = 0;
  for (const absl::Status& s : statuses) {
    if (s.ok()) {
      ++succeeded;
    } else if (s.code() == absl::StatusCode::kUnavailable) {
      if (unreachable == nullptr) unreachable = &s;
    } else if (refusal == nullptr) {
      refusal = &s;
    }
  }
  if (refusal != nullptr) return state->done(*refusal);
  const MethodRoute& method = *state->method;
  if (unreachable != nullptr && method.route.kind == Routing::kGather) {
    return state->done(errors::Unavailable(absl::StrCat(
        unreachable->message(), " (", succeeded, " of ", statuses.size(),
        " replicas answered; the answer must cover every replica)")));
  }
  if (unreachable != nullptr) {
    // Say how far the change got: some replicas may hold it already, and
    // the broadcast methods are idempotent, so a retry completes it.
    return state->done(errors::Unavailable(absl::StrCat(
        unreachable->message(), " (", succeeded, " of ", statuses.size(),
        " replicas applied the call; retrying it is safe)")));
  }
  if (method.route.kind == Routing::kGather) {
    // Every replica's items after replica 0's, in replica order.
    Message* merged = state->answers[0].get();
    const Reflection* reflection = merged->GetReflection();
    for (size_t r = 1; r < state->answers.size(); ++r) {
      Message* answer = state->answers[r].get();
      // Moved, not copied; released from the back, so filled in from the
      // back to keep the replica's order.
      std::vector<Message*> moved(
          reflection->FieldSize(*answer, method.items_field));
      for (size_t i = moved.size(); i-- > 0;) {
        moved[i] = reflection->ReleaseLast(answer, method.items_field);
      }
      for (Message* item : moved) {
        reflection->AddAllocatedMessage(merged, method.items_field, item);
      }
    }
  }
  state->response->GetReflection()->Swap(state->response,
                                         state->answers[0].get());
  state->done(absl::OkStatus());
}

// Replica 0 first, so that reads see one replica's copy while it is up; the
// next replica only when the one asked cannot be reached and time remains
// (a replica that timed out used up the deadline).
void Forwarder::TryReplica(std::shared_ptr<AnyReplicaState> state,
                           size_t replica) {
  AnyReplicaState* s = state.get();
  s->response->Clear();
  Send(
      s->topology, s->call, s->deadline, replica, *s->method, s->request,
      s->response,
      [this, state, replica](absl::Status status) {
        const routing::RouteTable& routes =
            state->topology->RoutesOf(*state->method);
        const size_t replicas = routes.replica_count();
        if (status.code() == absl::StatusCode::kUnavailable &&
            absl::Now() < state->deadline) {
          if (replica + 1 < replicas) return TryReplica(state, replica + 1);
          if (replicas > 1) {
            status = errors::Unavailable(
                absl::StrCat("no replica of the ", routes.service(),
                             " service can be reached (tried ", replicas,
                             "); try again later"));
          }
        }
        state->done(std::move(status));
      },
      state);
}

std::string RequestIdOrNew(std::optional<absl::string_view> from_client) {
  if (from_client.has_value() && storage::IsRequestId(*from_client)) {
    return std::string(*from_client);
  }
  return server::NewRequestId();
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
