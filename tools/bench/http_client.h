// The HTTP/1.1 client side of homeward-bench's JSON-face scenarios: keep-alive
// connections to one server, each carrying one request at a time (HTTP/1.1
// has no multiplexing), driven by Boost.Beast on a small pool of I/O threads
// so that a closed loop of many calls needs no thread per call.
//
//   HttpClientPool pool(/*io_threads=*/1);
//   HttpConnection* c = pool.AddConnection("127.0.0.1", port);
//   c->Send(request_bytes, [](absl::StatusOr<HttpReply> reply) { ... });
//
// A connection that the server closes (a `Connection: close` answer, or a
// keep-alive connection the server dropped while idle) is dialled again for
// the next request, so a server that limits requests per connection is
// measured with the reconnects it forces on its clients.
#ifndef HOMEWARD_TOOLS_BENCH_HTTP_CLIENT_H_
#define HOMEWARD_TOOLS_BENCH_HTTP_CLIENT_H_

#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"

namespace homeward::bench {

struct HttpReply {
  int status = 0;
  std::string body;
};

using HttpDone = std::function<void(absl::StatusOr<HttpReply>)>;

class HttpConnection {
 public:
  virtual ~HttpConnection() = default;
  // Writes `request` (a complete HTTP/1.1 request, head and body) and reads
  // the answer; `done` runs once, on an I/O thread. One request at a time.
  virtual void Send(std::string request, HttpDone done) = 0;
};

class HttpClientPool {
 public:
  explicit HttpClientPool(int io_threads);
  // Closes every connection and joins the I/O threads; no request may be in
  // flight.
  ~HttpClientPool();
  HttpClientPool(const HttpClientPool&) = delete;
  HttpClientPool& operator=(const HttpClientPool&) = delete;

  // A connection to host:port (IPv4 literal), dialled at its first request.
  // Owned by the pool.
  HttpConnection* AddConnection(const std::string& host, int port);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace homeward::bench

#endif  // HOMEWARD_TOOLS_BENCH_HTTP_CLIENT_H_
