// The one code path every public call takes after its face (gRPC or JSON)
// has authenticated it: authorise the principal, validate what routing needs,
// pick the replica that owns the case's partition (or fan a list out over all
// replicas), and forward over that replica's channel with the signed
// principal, the request id and a bounded deadline. Non-blocking: results
// arrive through `done`, on a gRPC callback thread.
//
//   forwarder.GetCase(call, request, &response, [](absl::Status s) { ... });
//
// `request` and `response` must stay alive until `done` runs. Statuses coming
// back from a replica keep their code, message and details (field
// violations), so a client sees exactly what the service said.
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
#include "grpcpp/channel.h"
#include "grpcpp/client_context.h"
#include "homeward/v1/cases.grpc.pb.h"
#include "homeward/v1/principal.pb.h"
#include "services/gateway/routing.h"

namespace homeward::gateway {

// A public call once its face has authenticated it.
struct CallInfo {
  std::string key_id;  // which API key; safe to log
  homeward::v1::Principal principal;
  std::string request_id;
  // The client's own deadline; the forwarded call uses the earlier of this
  // and now + the forward deadline.
  absl::Time client_deadline = absl::InfiniteFuture();
};

using Done = std::function<void(absl::Status)>;

// ListCases page sizes (PageRequest): 0 means the default; larger than the
// maximum is lowered to it (API design guide, AIP-158).
inline constexpr int kDefaultPageSize = 50;
inline constexpr int kMaxPageSize = 500;

inline constexpr absl::Duration kDefaultForwardDeadline =
    absl::Milliseconds(5000);

class Forwarder {
 public:
  struct Options {
    RouteTable routes;
    std::string principal_secret;
    absl::Duration forward_deadline = kDefaultForwardDeadline;
    // Used instead of dialing a replica address (in-process channels).
    std::map<std::string, std::shared_ptr<grpc::Channel>> channel_overrides;
  };

  explicit Forwarder(Options options);
  // Waits for forwarded calls still in flight (each is bounded by its
  // deadline), because their callbacks use this object.
  ~Forwarder();
  Forwarder(const Forwarder&) = delete;
  Forwarder& operator=(const Forwarder&) = delete;

  void RegisterCase(const CallInfo& call,
                    const homeward::v1::RegisterCaseRequest& request,
                    homeward::v1::Case* response, Done done);
  void GetCase(const CallInfo& call,
               const homeward::v1::GetCaseRequest& request,
               homeward::v1::Case* response, Done done);
  void UpdateCase(const CallInfo& call,
                  const homeward::v1::UpdateCaseRequest& request,
                  homeward::v1::Case* response, Done done);
  void AssignCase(const CallInfo& call,
                  const homeward::v1::AssignCaseRequest& request,
                  homeward::v1::Case* response, Done done);
  // Fans out over every replica in order; see page_token.h.
  void ListCases(const CallInfo& call,
                 const homeward::v1::ListCasesRequest& request,
                 homeward::v1::ListCasesResponse* response, Done done);

  const RouteTable& routes() const { return routes_; }

 private:
  using AsyncStub = homeward::v1::CaseService::StubInterface::async_interface;
  // Starts the RPC on the given stub; `on_done` must be passed to it as the
  // completion callback.
  using Launch =
      std::function<void(AsyncStub* stub, grpc::ClientContext* context,
                         std::function<void(grpc::Status)> on_done)>;
  struct ListState;

  // Sends one downstream call to `replica` with `deadline`. `keep_alive` is
  // held until the call completes (owned copies of requests and state).
  void Send(const CallInfo& call, absl::Time deadline, size_t replica,
            const Launch& launch, Done done, std::shared_ptr<void> keep_alive);
  // The deadline a call arriving now gets downstream.
  absl::Time DeadlineFor(const CallInfo& call) const;
  void ListNext(std::shared_ptr<ListState> state);
  void OnListPage(std::shared_ptr<ListState> state, absl::Status status);

  RouteTable routes_;
  auth::PrincipalSigner signer_;
  absl::Duration forward_deadline_;
  std::vector<std::unique_ptr<homeward::v1::CaseService::Stub>> stubs_;

  absl::Mutex mu_;
  int in_flight_ ABSL_GUARDED_BY(mu_) = 0;
};

// The caller's request id when it is usable (1..128 printable ASCII
// characters), else a fresh random one.
std::string RequestIdOrNew(std::optional<absl::string_view> from_client);

// One log line per public call: identifiers and the code only, never bodies
// or keys. Successful calls are logged only when request logging is on.
void LogPublicCall(absl::string_view face, absl::string_view method,
                   const std::string& request_id, const std::string& key_id,
                   const absl::Status& status, absl::Time start);

}  // namespace homeward::gateway

#endif  // HOMEWARD_SERVICES_GATEWAY_FORWARDER_H_
