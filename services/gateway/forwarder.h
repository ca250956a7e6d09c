// The one code path every public call takes after its face (gRPC or JSON)
// has authenticated it and found its MethodRoute: authorise the principal
// against the method's callers, then route as the method's declaration says
// (method_table.h) among the replicas of the method's backend (backends.h):
// to the replica owning the case's partition, a fan-out over every replica
// for a cross-case list, a broadcast to every replica, or any one replica
// that answers. Calls are forwarded over each replica's channel with the
// signed principal, the request id and a bounded deadline.
// Non-blocking: results arrive through `done`, on a gRPC callback thread (or
// at once, on the calling thread, when the call is refused at the gateway).
//
//   const MethodRoute* method = forwarder.methods().Find(
//       "homeward.v1.CaseService/GetCase");
//   forwarder.Forward(*method, call, request, &response,
//                     [](absl::Status s) { ... });
//
// `request` and `response` must be of the method's types and stay alive
// until `done` runs. Statuses coming back from a replica keep their code,
// message and details (field violations), so a client sees exactly what the
// service said; only transport failures are reworded (UNAVAILABLE naming the
// backend and replica index, e.g. "the assessment service (replica 1) cannot
// be reached", without internal addresses).
#ifndef HOMEWARD_SERVICES_GATEWAY_FORWARDER_H_
#define HOMEWARD_SERVICES_GATEWAY_FORWARDER_H_

#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/auth/principal_token.h"
#include "common/routing/route_table.h"
#include "google/protobuf/message.h"
#include "grpcpp/channel.h"
#include "grpcpp/client_context.h"
#include "grpcpp/generic/generic_stub.h"
#include "grpcpp/support/byte_buffer.h"
#include "homeward/internal/v1/principal.pb.h"
#include "services/gateway/backends.h"
#include "services/gateway/method_table.h"

namespace homeward::gateway {

// A public call once its face has authenticated it.
struct CallInfo {
  std::string key_id;  // which API key; safe to log
  homeward::internal::v1::Principal principal;
  std::string request_id;
  // The client's own deadline; the forwarded call uses the earlier of this
  // and now + the forward deadline.
  absl::Time client_deadline = absl::InfiniteFuture();
};

using Done = std::function<void(absl::Status)>;

inline constexpr absl::Duration kDefaultForwardDeadline =
    absl::Milliseconds(5000);
// The most a composed call keeps of its client's deadline for assembling and
// sending its answer after its sub-calls (ComposedDeadline).
inline constexpr absl::Duration kComposeReserve = absl::Milliseconds(250);

class Forwarder {
 public:
  struct Options {
    // Every backend `methods` names (ConnectBackends).
    std::vector<Backend> backends;
    MethodTable methods;
    std::string principal_secret;
    absl::Duration forward_deadline = kDefaultForwardDeadline;
    // The route map generation `backends` come from (0: the config's
    // routes), reported by routes_generation().
    uint64_t routes_generation = 0;
  };

  explicit Forwarder(Options options);
  // Waits for forwarded calls still in flight (each is bounded by its
  // deadline), because their callbacks use this object.
  ~Forwarder();
  Forwarder(const Forwarder&) = delete;
  Forwarder& operator=(const Forwarder&) = delete;

  // Authorises and routes one call of `method` (one of methods()). A
  // composed method (Routing::kComposed) runs its Compose function, whose
  // sub-calls all end by one deadline (ComposedDeadline); the composed call
  // counts as in flight until its `done` has run.
  void Forward(const MethodRoute& method, const CallInfo& call,
               const google::protobuf::Message& request,
               google::protobuf::Message* response, Done done);
  // The same for a face that has the request's wire bytes as well as the
  // decoded `request`, and answers with wire bytes: a call that one replica
  // answers passes through as bytes both ways (the gateway neither encodes
  // the request again nor decodes the answer); the others are forwarded as
  // messages and their answer encoded into `response_bytes`. `request_bytes`
  // must be `request`'s encoding.
  void ForwardBytes(const MethodRoute& method, const CallInfo& call,
                    const google::protobuf::Message& request,
                    const grpc::ByteBuffer& request_bytes,
                    grpc::ByteBuffer* response_bytes, Done done);

  // The backends as routed now (a copy: the routes may switch at any time).
  std::vector<Backend> backends() const;
  const MethodTable& methods() const { return methods_; }

  // Routes new calls by `backends` (ConnectBackends on a new route map)
  // from now on; calls already routed finish on the replicas they were
  // sent to (each call keeps the routes it started with, channels
  // included). Refused (FAILED_PRECONDITION) unless `backends` are the same
  // backends as now: a route map may move partitions and change a
  // backend's replicas, not add or remove a backend. Thread-safe.
  absl::Status SwitchRoutes(uint64_t generation, std::vector<Backend> backends);
  // The route map generation in force (0 for routes from the config).
  uint64_t routes_generation() const;

 private:
  // Replica calls carry messages of any method's types: the method is named
  // by its path, and MethodTable::Create checked the types against it.
  using MessageStub = grpc::TemplatedGenericStub<google::protobuf::Message,
                                                 google::protobuf::Message>;
  struct ListState;
  struct BroadcastState;
  struct AnyReplicaState;
  // The stubs of one backend's replicas, indexed as in its route table: one
  // of each per replica, over the same channel.
  struct Stubs {
    std::vector<std::unique_ptr<MessageStub>> messages;
    std::vector<std::unique_ptr<grpc::GenericStub>> bytes;
  };
  // The routes of one generation, never changed once built: a call takes
  // the one in force when it starts and keeps it to its end, so a switch
  // never re-routes a call half way (a list's pages, a broadcast's
  // replicas).
  struct Topology {
    uint64_t generation = 0;
    std::vector<Backend> backends;
    std::map<std::string, size_t, std::less<>> index;
    std::vector<Stubs> stubs;  // indexed as backends

    // Index in backends of the method's backend; backends.size() when the
    // gateway has no such backend (an optional backend without a route:
    // its calls are answered UNIMPLEMENTED).
    size_t IndexOf(const MethodRoute& method) const;
    bool Has(const MethodRoute& method) const {
      return IndexOf(method) < backends.size();
    }
    // The route table of the method's backend, which must exist.
    const routing::RouteTable& RoutesOf(const MethodRoute& method) const {
      return backends[IndexOf(method)].routes;
    }
  };
  using TopologyRef = std::shared_ptr<const Topology>;
  static TopologyRef MakeTopology(uint64_t generation,
                                  std::vector<Backend> backends);
  // The routes in force (an atomic load: the watcher thread swaps them).
  TopologyRef topology() const { return std::atomic_load(&topology_); }

  // Sends one downstream call of `method` to `replica` of the method's
  // backend with `deadline`;
  // `Payload` is google::protobuf::Message or grpc::ByteBuffer (wire bytes).
  // `keep_alive` is held until the call completes (owned copies of requests
  // and state).
  template <typename Payload>
  void Send(const TopologyRef& topology, const CallInfo& call,
            absl::Time deadline, size_t replica, const MethodRoute& method,
            const Payload* request, Payload* response, Done done,
            std::shared_ptr<void> keep_alive);
  static MessageStub& StubFor(const Topology& topology, size_t backend,
                              size_t replica,
                              const google::protobuf::Message*) {
    return *topology.stubs[backend].messages[replica];
  }
  static grpc::GenericStub& StubFor(const Topology& topology, size_t backend,
                                    size_t replica, const grpc::ByteBuffer*) {
    return *topology.stubs[backend].bytes[replica];
  }
  // What the client is told of a replica's answer: the replica's own status
  // as it is, transport failures and the gateway's deadline as UNAVAILABLE
  // without internal addresses.
  absl::Status ReplicaStatus(const grpc::Status& status,
                             const std::string& backend, size_t replica,
                             bool gateway_deadline) const;
  // The one replica that serves `request` as it stands: the owner of the
  // case (kByCaseId; INVALID_ARGUMENT naming the field when the case id is
  // empty) or, for a registration carrying its request id, the owner of the
  // case that id derives. nullopt for the other routings and for a
  // registration without a request id (the gateway must add one first).
  absl::StatusOr<std::optional<size_t>> SingleReplicaOf(
      const Topology& topology, const MethodRoute& method,
      const google::protobuf::Message& request) const;
  // The deadline a call arriving now gets downstream.
  absl::Time DeadlineFor(const CallInfo& call) const;
  // The deadline of every sub-call of a composed call arriving now:
  // DeadlineFor, but ending a little before the client's deadline
  // (kComposeReserve at most), so that the composed answer, assembled once
  // the last sub-call is over, still reaches the client in time.
  absl::Time ComposedDeadline(const CallInfo& call) const;

  void ForwardComposed(const MethodRoute& method, const CallInfo& call,
                       const google::protobuf::Message& request,
                       google::protobuf::Message* response, Done done);
  // Forward, with the answer encoded into `response_bytes`.
  void ForwardEncoding(const MethodRoute& method, const CallInfo& call,
                       const google::protobuf::Message& request,
                       grpc::ByteBuffer* response_bytes, Done done);

  void ForwardRegistration(const TopologyRef& topology,
                           const MethodRoute& method, const CallInfo& call,
                           const google::protobuf::Message& request,
                           google::protobuf::Message* response, Done done);
  void ForwardFanOut(const TopologyRef& topology, const MethodRoute& method,
                     const CallInfo& call,
                     const google::protobuf::Message& request,
                     google::protobuf::Message* response, Done done);
  void ListNext(std::shared_ptr<ListState> state);
  void OnListPage(std::shared_ptr<ListState> state, absl::Status status);
  void ForwardBroadcast(const TopologyRef& topology, const MethodRoute& method,
                        const CallInfo& call,
                        const google::protobuf::Message& request,
                        google::protobuf::Message* response, Done done);
  void OnBroadcastAnswer(const std::shared_ptr<BroadcastState>& state,
                         size_t replica, absl::Status status);
  void TryReplica(std::shared_ptr<AnyReplicaState> state, size_t replica);

  // Read and replaced only with std::atomic_load / std::atomic_store.
  TopologyRef topology_;
  MethodTable methods_;
  auth::PrincipalSigner signer_;
  absl::Duration forward_deadline_;

  absl::Mutex mu_;
  int in_flight_ ABSL_GUARDED_BY(mu_) = 0;
};

// The caller's request id when it is usable (storage::IsRequestId: 1..128
// printable ASCII characters, no spaces), else a fresh one
// (server::NewRequestId).
std::string RequestIdOrNew(std::optional<absl::string_view> from_client);

// One log line per public call: identifiers and the code only, never bodies
// or keys. Successful calls are logged only when request logging is on.
void LogPublicCall(absl::string_view face, absl::string_view method,
                   const std::string& request_id, const std::string& key_id,
                   const absl::Status& status, absl::Time start);

}  // namespace homeward::gateway

#endif  // HOMEWARD_SERVICES_GATEWAY_FORWARDER_H_
