// Event-driven HTTP/1.1 server on Boost.Beast; see http_server.h.
#include "services/gateway/http_server.h"

#include <sys/resource.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <future>
#include <string>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "boost/asio/dispatch.hpp"
#include "boost/asio/executor_work_guard.hpp"
#include "boost/asio/io_context.hpp"
#include "boost/asio/ip/tcp.hpp"
#include "boost/asio/post.hpp"
#include "boost/asio/ssl/stream.hpp"
#include "boost/asio/steady_timer.hpp"
#include "boost/asio/strand.hpp"
#include "boost/asio/write.hpp"
#include "boost/beast/core/flat_buffer.hpp"
#include "boost/beast/core/flat_stream.hpp"
#include "boost/beast/http/error.hpp"
#include "boost/beast/http/message.hpp"
#include "boost/beast/http/parser.hpp"
#include "boost/beast/http/read.hpp"
#include "boost/beast/http/string_body.hpp"
#include "boost/beast/http/write.hpp"
#include "common/server/log.h"
#include "common/status/errors.h"
#include "services/gateway/tls_server_identity.h"

namespace homeward::gateway {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using ErrorCode = boost::system::error_code;
// TLS over TCP. flat_stream gathers the head and body of a response into one
// TLS record where Asio's SSL stream would write one per buffer.
using TlsStream = beast::flat_stream<net::ssl::stream<tcp::socket>>;

namespace {

// Bytes asked of the socket per read; the read buffer holds at most a head
// (max_header_bytes) and one such read.
constexpr size_t kReadChunk = 16 * 1024;
// Bytes read and thrown away per read while lingering after a refusal.
constexpr size_t kDrainChunk = 4 * 1024;
// How long the accept loop waits after a failed accept (for example out of
// file descriptors) before trying again, rather than spinning.
constexpr auto kAcceptRetry = std::chrono::milliseconds(100);
// File descriptors the rest of the process may need besides the HTTP
// connections (gRPC channels and listeners, storage files, logs).
constexpr rlim_t kSpareFiles = 256;
// How often an HTTPS server looks for a new certificate or key on disk.
constexpr auto kTlsReloadInterval = std::chrono::seconds(1);

std::chrono::steady_clock::duration ToChrono(absl::Duration d) {
  return std::chrono::duration_cast<std::chrono::steady_clock::duration>(
      absl::ToChronoNanoseconds(d));
}

std::string Str(beast::string_view s) {
  return std::string(s.data(), s.size());
}

std::string DurationText(absl::Duration d) { return absl::FormatDuration(d); }

absl::StatusOr<std::pair<std::string, std::string>> SplitHostPort(
    const std::string& address) {
  const size_t colon = address.rfind(':');
  int port = -1;
  if (colon == std::string::npos ||
      !absl::SimpleAtoi(address.substr(colon + 1), &port) || port < 0 ||
      port > 65535) {
    return errors::InvalidField(
        "http_listen_address",
        absl::StrCat("'", address, "' must be host:port, e.g. 0.0.0.0:7080"));
  }
  std::string host = address.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  if (host.empty()) host = "0.0.0.0";
  return std::make_pair(host, std::to_string(port));
}

}  // namespace

std::optional<absl::string_view> HttpRequest::Header(
    absl::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (absl::EqualsIgnoreCase(key, name)) return absl::string_view(value);
  }
  return std::nullopt;
}

struct HttpServer::Shared {
  Shared(HttpServerOptions o, HttpHandler h, HttpRefusal r)
      : options(std::move(o)), handler(std::move(h)), refusal(std::move(r)) {}

  // Whether a request may go to the handler: not once Stop() has begun, since
  // its answer could come after the I/O context is gone.
  bool TakeAnswer() {
    absl::MutexLock lock(&mu);
    if (stopping) return false;
    ++unanswered;
    return true;
  }
  void AnswerGiven() {
    absl::MutexLock lock(&mu);
    --unanswered;
  }
  // Refuses new requests, then waits for those handed out to be answered.
  void StopAndAwaitAnswers() {
    absl::MutexLock lock(&mu);
    stopping = true;
    mu.Await(absl::Condition(
        +[](int* n) { return *n == 0; }, &unanswered));
  }

  const HttpServerOptions options;
  const HttpHandler handler;
  const HttpRefusal refusal;
  std::atomic<size_t> connections{0};
  absl::Mutex mu;
  // Requests handed to the handler whose responder has not run yet: the
  // server may not go while one could still post to a connection.
  int unanswered ABSL_GUARDED_BY(mu) = 0;
  bool stopping ABSL_GUARDED_BY(mu) = false;
};

// One client connection over `Stream` (tcp::socket or TlsStream). Every
// handler runs on the connection's strand, so its members need no lock; a
// shared_ptr to it rides in every pending operation (and in the responder of
// the request being answered), which is what keeps it alive.
template <typename Stream>
class HttpServer::Connection
    : public std::enable_shared_from_this<Connection<Stream>> {
 public:
  static constexpr bool kTls = std::is_same_v<Stream, TlsStream>;

  // `stream_args` construct the stream: a socket, and for TLS the SSL object
  // too.
  template <typename... StreamArgs>
  explicit Connection(std::shared_ptr<Shared> shared,
                      StreamArgs&&... stream_args)
      : socket_(std::forward<StreamArgs>(stream_args)...),
        timer_(socket_.get_executor()),
        shared_(std::move(shared)),
        options_(shared_->options),
        buffer_(options_.max_header_bytes + kReadChunk) {}
  ~Connection() { shared_->connections.fetch_sub(1); }

  // The head of the first request (after the TLS handshake, for HTTPS) must
  // arrive within header_timeout of the connection's opening.
  void Start() {
    net::dispatch(socket_.get_executor(), [self = this->shared_from_this()] {
      self->Open(/*over_capacity=*/false);
    });
  }

  void RefuseOverCapacity() {
    net::dispatch(socket_.get_executor(), [self = this->shared_from_this()] {
      self->Open(/*over_capacity=*/true);
    });
  }

 private:
  // What a connection does once a response is written.
  enum class After { kNextRequest, kLinger, kClose };

  using Clock = std::chrono::steady_clock;

  // The TCP socket under the stream.
  tcp::socket& Tcp() {
    if constexpr (kTls) {
      return socket_.next_layer().next_layer();
    } else {
      return socket_;
    }
  }

  // Starts the first request's header_timeout and, for HTTPS, the handshake
  // within it: a client stalling in the handshake is closed as one stalling
  // in its headers would be (without an answer: there is no request yet).
  void Open(bool over_capacity) {
    head_deadline_ = Clock::now() + ToChrono(options_.header_timeout);
    if constexpr (kTls) {
      ArmUntil(head_deadline_);
      socket_.next_layer().async_handshake(
          net::ssl::stream_base::server,
          [self = this->shared_from_this(), over_capacity](ErrorCode ec) {
            self->Disarm();
            // Not TLS, a protocol below 1.2, a missing or untrusted client
            // certificate, or too slow: no HTTP answer can reach it.
            if (ec) return self->Close();
            self->Opened(over_capacity);
          });
    } else {
      Opened(over_capacity);
    }
  }
  void Opened(bool over_capacity) {
    if (!over_capacity) return ReadHead();
    Refuse(
        503, absl::StatusCode::kUnavailable,
        absl::StrCat("the server is at its limit of ", options_.max_connections,
                     " open connections; try again later"),
        After::kClose);
  }

  // One timer bounds whichever operation is pending. On expiry it cancels
  // the socket's operations (it does not close the socket, so a refusal can
  // still be written), and the operation's handler sees timed_out_.
  void Arm(absl::Duration limit) { ArmUntil(Clock::now() + ToChrono(limit)); }
  void ArmUntil(Clock::time_point deadline) {
    timed_out_ = false;
    timer_.expires_at(deadline);
    timer_.async_wait([self = this->shared_from_this(),
                       generation = ++timer_generation_](ErrorCode ec) {
      if (ec || generation != self->timer_generation_) return;
      self->timed_out_ = true;
      ErrorCode ignored;
      self->Tcp().cancel(ignored);
    });
  }
  void Disarm() {
    ++timer_generation_;
    timer_.cancel();
  }

  // Between requests of a kept-alive connection: wait up to idle_timeout for
  // the first byte of the next one, then give its head header_timeout.
  void WaitForNextRequest() {
    if (buffer_.size() > 0) {  // pipelined: already here
      head_deadline_ = Clock::now() + ToChrono(options_.header_timeout);
      return ReadHead();
    }
    Arm(options_.idle_timeout);
    socket_.async_read_some(
        buffer_.prepare(kReadChunk),
        [self = this->shared_from_this()](ErrorCode ec, size_t n) {
          self->Disarm();
          // Idle too long, or the client closed: nothing to answer.
          if (ec) return self->Close();
          self->buffer_.commit(n);
          self->head_deadline_ =
              Clock::now() + ToChrono(self->options_.header_timeout);
          self->ReadHead();
        });
  }

  // Reads a request head until head_deadline_.
  void ReadHead() {
    parser_.emplace();
    parser_->header_limit(static_cast<uint32_t>(options_.max_header_bytes));
    parser_->body_limit(static_cast<uint64_t>(options_.max_body_bytes));
    ArmUntil(head_deadline_);
    http::async_read_header(
        socket_, buffer_, *parser_,
        [self = this->shared_from_this()](ErrorCode ec, size_t) {
          self->Disarm();
          if (ec) return self->OnReadError(ec, /*in_head=*/true);
          self->OnHead();
        });
  }

  void OnHead() {
    const auto& head = parser_->get();
    version_ = head.version();
    if (head.target().size() > options_.max_target_bytes) {
      return Refuse(414, absl::StatusCode::kResourceExhausted,
                    absl::StrCat("the request-target is ", head.target().size(),
                                 " bytes long; the limit is ",
                                 options_.max_target_bytes, " bytes"),
                    After::kLinger);
    }
    if (absl::EqualsIgnoreCase(Str(head[http::field::expect]),
                               "100-continue") &&
        !parser_->is_done()) {
      // The client waits for this before it sends the body.
      static constexpr char kContinue[] = "HTTP/1.1 100 Continue\r\n\r\n";
      Arm(options_.write_timeout);
      net::async_write(socket_, net::buffer(kContinue, sizeof(kContinue) - 1),
                       [self = this->shared_from_this()](ErrorCode ec, size_t) {
                         self->Disarm();
                         if (ec) return self->Close();
                         self->ReadBody();
                       });
      return;
    }
    ReadBody();
  }

  void ReadBody() {
    if (parser_->is_done()) return Dispatch();
    Arm(options_.body_timeout);
    http::async_read(socket_, buffer_, *parser_,
                     [self = this->shared_from_this()](ErrorCode ec, size_t) {
                       self->Disarm();
                       if (ec) return self->OnReadError(ec, /*in_head=*/false);
                       self->Dispatch();
                     });
  }

  // Says what was wrong with the request, in terms of what is allowed.
  void OnReadError(ErrorCode ec, bool in_head) {
    using absl::StatusCode;
    if (timed_out_) {
      // A connection that never sent a byte gets no answer: there is no
      // request to answer.
      if (in_head && buffer_.size() == 0 && !parser_->got_some()) {
        return Close();
      }
      return in_head
                 ? Refuse(408, StatusCode::kDeadlineExceeded,
                          absl::StrCat("the request line and headers did not "
                                       "arrive within ",
                                       DurationText(options_.header_timeout)),
                          After::kLinger)
                 : Refuse(408, StatusCode::kDeadlineExceeded,
                          absl::StrCat("the request body did not arrive "
                                       "within ",
                                       DurationText(options_.body_timeout),
                                       " of the headers"),
                          After::kLinger);
    }
    // The client went away (possibly mid-request): nobody to answer.
    if (ec == http::error::end_of_stream ||
        ec == http::error::partial_message || ec == net::error::eof ||
        ec == net::error::connection_reset ||
        ec == net::error::operation_aborted || ec == net::error::broken_pipe) {
      return Close();
    }
    if (ec == http::error::header_limit || ec == http::error::buffer_overflow) {
      return Refuse(431, StatusCode::kResourceExhausted,
                    absl::StrCat("the request line and headers are larger "
                                 "than the limit of ",
                                 options_.max_header_bytes, " bytes"),
                    After::kLinger);
    }
    if (ec == http::error::body_limit) {
      return Refuse(
          413, StatusCode::kResourceExhausted,
          absl::StrCat("the request body is larger than the limit "
                       "of ",
                       options_.max_body_bytes, " bytes (",
                       options_.max_body_bytes / (1024 * 1024), " MiB)"),
          After::kLinger);
    }
    std::string what;
    if (ec == http::error::bad_content_length ||
        ec == http::error::multiple_content_length) {
      what = absl::StrCat(
          "Content-Length must be one decimal number of bytes, at most ",
          options_.max_body_bytes);
    } else if (ec == http::error::bad_method || ec == http::error::bad_target ||
               ec == http::error::bad_version) {
      what = absl::StrCat("malformed request line (", ec.message(),
                          "): expected METHOD /target HTTP/1.1");
    } else if (ec == http::error::bad_field || ec == http::error::bad_value ||
               ec == http::error::bad_line_ending ||
               ec == http::error::bad_obs_fold) {
      what = absl::StrCat("malformed header (", ec.message(),
                          "): expected Name: value lines of visible ASCII");
    } else if (ec == http::error::bad_transfer_encoding) {
      what = "unsupported Transfer-Encoding: only chunked is accepted";
    } else if (ec == http::error::bad_chunk ||
               ec == http::error::bad_chunk_extension) {
      what = absl::StrCat("malformed chunked body (", ec.message(),
                          "): expected hexadecimal chunk sizes");
    } else {
      what = absl::StrCat("malformed HTTP/1.1 request: ", ec.message());
    }
    Refuse(400, StatusCode::kInvalidArgument, what, After::kLinger);
  }

  void Dispatch() {
    auto& message = parser_->get();
    HttpRequest request;
    request.method = Str(message.method_string());
    request.target = Str(message.target());
    for (const auto& field : message) {
      request.headers.emplace_back(Str(field.name_string()),
                                   Str(field.value()));
    }
    request.body = std::move(message.body());
    keep_alive_ = message.keep_alive();
    head_only_ = message.method() == http::verb::head;
    parser_.reset();

    if (!shared_->TakeAnswer()) {
      keep_alive_ = false;
      return Refuse(503, absl::StatusCode::kUnavailable,
                    "the server is shutting down; try again", After::kClose);
    }
    // The responder moves its hold on the connection into the posted write,
    // so that nothing but the I/O context keeps the connection once the
    // answer is given (the server may be stopped right after).
    HttpResponder respond = [self = this->shared_from_this(),
                             shared = shared_](HttpResponse response) mutable {
      std::shared_ptr<Connection> connection = std::move(self);
      if (connection == nullptr) return;  // called twice: ignored
      auto executor = connection->socket_.get_executor();
      net::post(executor, [connection = std::move(connection),
                           response = std::move(response)]() mutable {
        connection->Write(std::move(response), connection->keep_alive_
                                                   ? After::kNextRequest
                                                   : After::kLinger);
      });
      shared->AnswerGiven();
    };
    shared_->handler(std::move(request), std::move(respond));
  }

  void Refuse(int http_status, absl::StatusCode code, absl::string_view message,
              After after) {
    parser_.reset();
    head_only_ = false;
    Write(shared_->refusal(http_status, code, message), after);
  }

  void Write(HttpResponse answer, After after) {
    response_.emplace(static_cast<http::status>(answer.status), version_);
    if (!answer.content_type.empty()) {
      response_->set(http::field::content_type, answer.content_type);
    }
    for (auto& [name, value] : answer.headers) response_->set(name, value);
    response_->body() = std::move(answer.body);
    response_->keep_alive(after == After::kNextRequest);
    response_->prepare_payload();
    // HEAD: the same headers (Content-Length included), no body.
    if (head_only_) response_->body().clear();
    Arm(options_.write_timeout);
    http::async_write(
        socket_, *response_,
        [self = this->shared_from_this(), after](ErrorCode ec, size_t) {
          self->Disarm();
          self->response_.reset();
          if (ec) return self->Close();
          switch (after) {
            case After::kNextRequest:
              return self->WaitForNextRequest();
            case After::kLinger:
              return self->Linger();
            case After::kClose:
              return self->Close();
          }
        });
  }

  // Stops sending, then reads and discards what the client still sends (up
  // to linger_timeout), so that closing does not reset the connection
  // before the client has read the answer.
  //
  // Over TLS too the TCP socket is half-closed and read raw: the refusal's
  // Content-Length and "Connection: close" already end the exchange, and
  // discarding the client's last records needs no decryption. (A TLS
  // close_notify would have to wait for the client's, which a client still
  // sending its body does not send.)
  void Linger() {
    buffer_.clear();
    buffer_.shrink_to_fit();
    ErrorCode ignored;
    Tcp().shutdown(tcp::socket::shutdown_send, ignored);
    drain_.resize(kDrainChunk);
    Arm(options_.linger_timeout);
    Drain();
  }
  void Drain() {
    Tcp().async_read_some(
        net::buffer(drain_),
        [self = this->shared_from_this()](ErrorCode ec, size_t) {
          if (ec) return self->Close();
          self->Drain();
        });
  }

  void Close() {
    Disarm();
    ErrorCode ignored;
    Tcp().shutdown(tcp::socket::shutdown_both, ignored);
    Tcp().close(ignored);
  }

  Stream socket_;
  net::steady_timer timer_;
  const std::shared_ptr<Shared> shared_;
  const HttpServerOptions& options_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  std::optional<http::response<http::string_body>> response_;
  std::string drain_;
  // When the head of the request being read must be in.
  Clock::time_point head_deadline_;
  uint64_t timer_generation_ = 0;
  bool timed_out_ = false;
  unsigned version_ = 11;
  bool keep_alive_ = false;
  bool head_only_ = false;
};

// The listening socket, the I/O context and its threads.
class HttpServer::Listener {
 public:
  explicit Listener(std::shared_ptr<Shared> shared)
      : shared_(std::move(shared)),
        acceptor_(net::make_strand(io_)),
        retry_(acceptor_.get_executor()),
        reload_(acceptor_.get_executor()) {}

  ~Listener() { Stop(); }

  absl::StatusOr<int> Bind(const std::string& listen_address) {
    absl::StatusOr<std::pair<std::string, std::string>> host_port =
        SplitHostPort(listen_address);
    if (!host_port.ok()) return host_port.status();
    auto refused = [&](const ErrorCode& ec) {
      ErrorCode ignored;
      acceptor_.close(ignored);
      return errors::Unavailable(absl::StrCat(
          "cannot listen for HTTP on '", listen_address, "': ", ec.message(),
          " (is the address local and the port free?)"));
    };
    ErrorCode ec;
    tcp::resolver resolver(io_);
    auto endpoints = resolver.resolve(
        host_port->first, host_port->second,
        tcp::resolver::passive | tcp::resolver::numeric_service, ec);
    if (ec || endpoints.empty()) return refused(ec);
    const tcp::endpoint endpoint = endpoints.begin()->endpoint();
    acceptor_.open(endpoint.protocol(), ec);
    if (ec) return refused(ec);
    // SO_REUSEADDR only lets a restarted gateway bind over connections of
    // its previous run still in TIME_WAIT; it never lets two listeners share
    // a port (that would take SO_REUSEPORT, deliberately not set).
    acceptor_.set_option(net::socket_base::reuse_address(true), ec);
    if (ec) return refused(ec);
    acceptor_.bind(endpoint, ec);
    if (ec) return refused(ec);
    acceptor_.listen(net::socket_base::max_listen_connections, ec);
    if (ec) return refused(ec);
    const tcp::endpoint bound = acceptor_.local_endpoint(ec);
    if (ec) return refused(ec);
    return static_cast<int>(bound.port());
  }

  void Run(int threads) {
    Accept();
    if (shared_->options.tls != nullptr) WatchTlsFiles();
    for (int i = 0; i < std::max(1, threads); ++i) {
      threads_.emplace_back([this] { io_.run(); });
    }
  }

  void StopAccepting() {
    if (threads_.empty()) {
      ErrorCode ignored;
      acceptor_.close(ignored);
      return;
    }
    // The acceptor belongs to its strand: close it there.
    std::promise<void> closed;
    net::post(acceptor_.get_executor(), [this, &closed] {
      ErrorCode ignored;
      acceptor_.close(ignored);
      retry_.cancel();
      reload_.cancel();
      closed.set_value();
    });
    closed.get_future().wait();
  }

  void Stop() {
    if (stopped_) return;
    stopped_ = true;
    StopAccepting();
    // No responder may post to a connection once the context is gone.
    shared_->StopAndAwaitAnswers();
    work_.reset();
    io_.stop();
    for (std::thread& t : threads_) t.join();
    threads_.clear();
  }

 private:
  void Accept() {
    acceptor_.async_accept(
        net::make_strand(io_), [this](ErrorCode ec, tcp::socket socket) {
          if (!acceptor_.is_open()) return;
          if (ec) {
            retry_.expires_after(kAcceptRetry);
            retry_.async_wait([this](ErrorCode ec) {
              if (!ec && acceptor_.is_open()) Accept();
            });
            return;
          }
          ErrorCode ignored;
          socket.set_option(tcp::no_delay(true), ignored);
          if (shared_->options.tls == nullptr) {
            Serve<tcp::socket>(std::move(socket));
          } else if (SSL* ssl = SSL_new(shared_->options.tls->Current().get());
                     ssl != nullptr) {
            // The connection's SSL object holds its own reference to the
            // context: a reload never pulls it from under the connection.
            Serve<TlsStream>(std::move(socket), ssl);
          } else {
            server::Log("error", "cannot start a TLS session: out of memory?");
          }
          Accept();
        });
  }

  template <typename Stream, typename... StreamArgs>
  void Serve(StreamArgs&&... stream_args) {
    const size_t open = shared_->connections.fetch_add(1) + 1;
    auto connection = std::make_shared<Connection<Stream>>(
        shared_, std::forward<StreamArgs>(stream_args)...);
    if (open > shared_->options.max_connections) {
      connection->RefuseOverCapacity();
    } else {
      connection->Start();
    }
  }

  // Every kTlsReloadInterval, on the acceptor's strand, so that a new
  // certificate is in place before the next accept that follows it.
  void WatchTlsFiles() {
    reload_.expires_after(kTlsReloadInterval);
    reload_.async_wait([this](ErrorCode ec) {
      if (ec || !acceptor_.is_open()) return;
      shared_->options.tls->Refresh();
      WatchTlsFiles();
    });
  }

  const std::shared_ptr<Shared> shared_;
  // Destroyed last: destroying it destroys the pending handlers, and with
  // them the connections they hold.
  net::io_context io_;
  net::executor_work_guard<net::io_context::executor_type> work_{
      io_.get_executor()};
  tcp::acceptor acceptor_;
  net::steady_timer retry_;
  net::steady_timer reload_;
  std::vector<std::thread> threads_;
  bool stopped_ = false;
};

HttpServer::HttpServer(HttpServerOptions options, HttpHandler handler,
                       HttpRefusal refusal)
    : shared_(std::make_shared<Shared>(std::move(options), std::move(handler),
                                       std::move(refusal))) {}

HttpServer::~HttpServer() { Stop(); }

absl::StatusOr<int> HttpServer::Start(const std::string& listen_address) {
  if (listener_ != nullptr) {
    return errors::Internal("the HTTP server was started twice");
  }
  // Past the open-file limit accept() fails (the server retries without
  // spinning), but so would every other open() in the process: say so now.
  rlimit files;
  if (getrlimit(RLIMIT_NOFILE, &files) == 0 &&
      files.rlim_cur != RLIM_INFINITY &&
      files.rlim_cur < shared_->options.max_connections + kSpareFiles) {
    server::Log(
        "warn",
        "the open-file limit leaves too little room for the HTTP "
        "connection cap: raise ulimit -n or lower max_connections",
        {{"open_file_limit", absl::StrCat(files.rlim_cur)},
         {"max_connections", absl::StrCat(shared_->options.max_connections)}});
  }
  auto listener = std::make_unique<Listener>(shared_);
  absl::StatusOr<int> port = listener->Bind(listen_address);
  if (!port.ok()) return port.status();
  listener->Run(shared_->options.io_threads);
  listener_ = std::move(listener);
  return port;
}

void HttpServer::StopAccepting() {
  if (listener_ != nullptr) listener_->StopAccepting();
}

void HttpServer::Stop() {
  if (listener_ != nullptr) listener_->Stop();
  listener_.reset();
}

size_t HttpServer::open_connections() const {
  return shared_->connections.load();
}

}  // namespace homeward::gateway
