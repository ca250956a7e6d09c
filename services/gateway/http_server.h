// An event-driven HTTP/1.1 server for unary request/response APIs, on
// Boost.Beast over Asio. It knows nothing about the methods it serves: it
// reads a whole request (head, then body) within its limits and timeouts,
// hands it to a handler, and writes the answer whenever the handler's
// responder is called, from any thread. The JSON face (json_http.h) puts
// Connect and the gateway's methods on top.
//
//   HttpServer server(HttpServerOptions{}, handler, refusal);
//   ASSIGN_OR_RETURN(int port, server.Start("127.0.0.1:0"));
//   ...
//   server.Stop();
//
// where
//
//   void handler(HttpRequest request, HttpResponder respond) {
//     forwarder->Forward(..., [respond](absl::Status s) { respond(...); });
//   }
//
// Why this shape: a request never holds a thread while it waits (for its
// bytes or for its answer). A few I/O threads (io_threads) run every
// connection's reads and writes as asynchronous operations, so slow or idle
// clients cost a socket and a small buffer each, never a thread; a handler
// that forwards a call returns at once and answers from the call's callback.
// What a client can make the server hold is bounded: the request head
// (request line and headers) by max_header_bytes, the body by max_body_bytes,
// the time to send a head by header_timeout and a body by body_timeout (a
// trickle does not reset it), an idle kept-alive connection by idle_timeout,
// and the connections by max_connections (the excess is answered 503 and
// closed at once, so it never slows the connections already served).
//
// HTTPS: with options.tls set, every connection starts with a TLS handshake
// (tls_server_identity.h: TLS 1.2+, the certificate re-read when its files
// change, client certificates when a CA is configured). The handshake counts
// against the first request's header_timeout, so a client that stalls in it
// holds a connection no longer than one that stalls in its headers; a
// client that fails it (plain HTTP, an old protocol, no or an untrusted
// client certificate) is closed without an HTTP answer, and one over the
// connection cap gets its 503 once the handshake is done. The server looks at
// the files every second on its own executor; a connection keeps the
// certificate it began with. Plain and TLS connections run the same session
// code (a template over the stream), and the plain path is unchanged.
//
// Every refusal the server makes itself (a limit, a timeout, malformed HTTP,
// the connection cap) is answered through `refusal`, which turns the HTTP
// status, a canonical code and a message into the response body the API
// promises (for the JSON face, a Connect error object), and closes the
// connection. Kept-alive connections otherwise serve any number of requests.
//
// Beast rather than libmicrohttpd or libevent's evhttp: Beast's parser has
// the limits above built in (header and body limits checked while parsing,
// per-operation stream timeouts), its asynchronous model lets the answer be
// written from a gRPC callback by posting to the connection's strand, it is
// header-only from Debian's libboost1.81-dev (nothing to link or ship), and
// it is C++ with RAII types. libmicrohttpd's and evhttp's C callback APIs
// would need their suspend/resume machinery to answer from another thread,
// and their connection timeouts are inactivity timeouts, which a client
// trickling a byte at a time keeps resetting.
#ifndef HOMEWARD_SERVICES_GATEWAY_HTTP_SERVER_H_
#define HOMEWARD_SERVICES_GATEWAY_HTTP_SERVER_H_

#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace homeward::gateway {

class TlsServerIdentity;

// Limits and timeouts of an HttpServer. The defaults are what an operator of
// a public API would expect; tests shorten them.
struct HttpServerOptions {
  // Threads running every connection's I/O (event-driven: not per
  // connection).
  int io_threads = 2;
  // Open connections beyond this are answered 503 and closed at once. Keep
  // it below the process's open-file limit (ulimit -n).
  size_t max_connections = 1000;
  // Request line plus headers, in bytes (431 beyond); this also bounds the
  // number of headers.
  size_t max_header_bytes = 16 * 1024;
  // The request-target (path and query), in bytes (414 beyond).
  size_t max_target_bytes = 4096;
  // The request body, in bytes (413 beyond): the gRPC face's message limit.
  size_t max_body_bytes = 16 * 1024 * 1024;
  // From a request's first byte (or the connection's opening) to the end of
  // its head; then from there to the end of its body (408 beyond either).
  absl::Duration header_timeout = absl::Seconds(10);
  absl::Duration body_timeout = absl::Seconds(30);
  // A kept-alive connection with no request in progress is closed after
  // this long.
  absl::Duration idle_timeout = absl::Seconds(60);
  // Writing one response (a client that does not read is dropped).
  absl::Duration write_timeout = absl::Seconds(30);
  // After a refusal the server stops reading requests but keeps discarding
  // what the client still sends for up to this long, so that the client can
  // read the refusal before the connection closes.
  absl::Duration linger_timeout = absl::Seconds(2);
  // Serve HTTPS with this identity (shared with whoever loaded it); null
  // serves plain HTTP.
  std::shared_ptr<TlsServerIdentity> tls;
};

// One request, read whole.
struct HttpRequest {
  std::string method;  // "POST", "GET", ...
  std::string target;  // as sent: never percent-decoded
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;

  // The first value of header `name` (case-insensitive), if present.
  std::optional<absl::string_view> Header(absl::string_view name) const;
};

struct HttpResponse {
  int status = 200;
  std::string content_type;  // empty: no Content-Type header
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // more headers
};

// Answers the request it was given with; call it exactly once, from any
// thread, at any time before the server is destroyed.
using HttpResponder = std::function<void(HttpResponse)>;
// Serves one request. Must not block: answer later through `respond`.
using HttpHandler = std::function<void(HttpRequest, HttpResponder)>;
// The response for a request the server refuses itself: `http_status`
// (400, 408, 413, 414, 431, 503), the canonical code that goes with it and a
// message saying what was wrong and what is allowed.
using HttpRefusal = std::function<HttpResponse(
    int http_status, absl::StatusCode code, absl::string_view message)>;

class HttpServer {
 public:
  HttpServer(HttpServerOptions options, HttpHandler handler,
             HttpRefusal refusal);
  // Stop().
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds `listen_address` ("host:port", port 0 picks one, "[::]:port" for
  // IPv6) without SO_REUSEPORT, so a port another process listens on fails
  // here (UNAVAILABLE naming the address and the reason) instead of being
  // shared. Starts the I/O threads and returns the bound port. Once only.
  absl::StatusOr<int> Start(const std::string& listen_address);
  // Closes the listening socket; connections already open carry on.
  void StopAccepting();
  // StopAccepting, waits for every request handed to the handler to be
  // answered (the handler's own deadlines bound this), then closes every
  // connection and joins the I/O threads. Idempotent.
  void Stop();

  // Connections open now (those being refused over the cap included).
  size_t open_connections() const;

 private:
  struct Shared;
  // One connection over `Stream`: a TCP socket, or TLS over one.
  template <typename Stream>
  class Connection;
  class Listener;

  std::shared_ptr<Shared> shared_;
  std::unique_ptr<Listener> listener_;
};

}  // namespace homeward::gateway

#endif  // HOMEWARD_SERVICES_GATEWAY_HTTP_SERVER_H_
