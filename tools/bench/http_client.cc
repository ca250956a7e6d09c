// Keep-alive HTTP/1.1 connections over Boost.Beast; see http_client.h.
#include "tools/bench/http_client.h"

#include <chrono>
#include <optional>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "boost/asio/connect.hpp"
#include "boost/asio/executor_work_guard.hpp"
#include "boost/asio/io_context.hpp"
#include "boost/asio/ip/tcp.hpp"
#include "boost/asio/post.hpp"
#include "boost/asio/strand.hpp"
#include "boost/asio/write.hpp"
#include "boost/beast/core/flat_buffer.hpp"
#include "boost/beast/core/tcp_stream.hpp"
#include "boost/beast/http/parser.hpp"
#include "boost/beast/http/read.hpp"
#include "boost/beast/http/string_body.hpp"

namespace homeward::bench {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

// Longer than any call's deadline: a stuck server ends the run with errors
// rather than hanging it.
constexpr auto kIoTimeout = std::chrono::seconds(30);
constexpr size_t kMaxReplyBytes = 64 * 1024 * 1024;

class BeastConnection final : public HttpConnection {
 public:
  BeastConnection(net::io_context& io, tcp::endpoint endpoint)
      : stream_(net::make_strand(io)), endpoint_(std::move(endpoint)) {}

  void Send(std::string request, HttpDone done) override {
    net::post(stream_.get_executor(), [this, request = std::move(request),
                                       done = std::move(done)]() mutable {
      request_ = std::move(request);
      done_ = std::move(done);
      retried_ = false;
      Start();
    });
  }

 private:
  void Start() {
    if (connected_) return Write();
    stream_.expires_after(kIoTimeout);
    stream_.async_connect(endpoint_, [this](beast::error_code ec) {
      if (ec) return Fail(ec, "connect");
      connected_ = true;
      answered_on_connection_ = 0;
      Write();
    });
  }

  void Write() {
    stream_.expires_after(kIoTimeout);
    net::async_write(stream_, net::buffer(request_),
                     [this](beast::error_code ec, size_t) {
                       if (ec) return Retry(ec, "write");
                       Read();
                     });
  }

  void Read() {
    parser_.emplace();
    parser_->body_limit(kMaxReplyBytes);
    http::async_read(stream_, buffer_, *parser_,
                     [this](beast::error_code ec, size_t) {
                       if (ec) return Retry(ec, "read");
                       HttpReply reply;
                       reply.status = parser_->get().result_int();
                       const bool keep_alive = parser_->get().keep_alive();
                       reply.body = std::move(parser_->get().body());
                       ++answered_on_connection_;
                       if (!keep_alive) Close();
                       Finish(std::move(reply));
                     });
  }

  // A kept-alive connection may have been closed by the server while it was
  // idle; that shows only when it is used again. Dial once more and resend.
  void Retry(beast::error_code ec, absl::string_view what) {
    const bool reused = answered_on_connection_ > 0;
    Close();
    if (reused && !retried_) {
      retried_ = true;
      return Start();
    }
    Fail(ec, what);
  }

  void Close() {
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
    stream_.close();
    buffer_.clear();
    connected_ = false;
  }

  void Fail(beast::error_code ec, absl::string_view what) {
    Close();
    Finish(absl::UnavailableError(
        absl::StrCat("HTTP ", what, " failed: ", ec.message())));
  }

  void Finish(absl::StatusOr<HttpReply> reply) {
    HttpDone done = std::move(done_);
    done_ = nullptr;
    done(std::move(reply));
  }

  beast::tcp_stream stream_;
  const tcp::endpoint endpoint_;
  beast::flat_buffer buffer_;
  std::optional<http::response_parser<http::string_body>> parser_;
  std::string request_;
  HttpDone done_;
  bool connected_ = false;
  bool retried_ = false;
  int answered_on_connection_ = 0;
};

}  // namespace

struct HttpClientPool::Impl {
  net::io_context io;
  net::executor_work_guard<net::io_context::executor_type> work{
      io.get_executor()};
  std::vector<std::thread> threads;
  std::vector<std::unique_ptr<BeastConnection>> connections;
};

HttpClientPool::HttpClientPool(int io_threads)
    : impl_(std::make_unique<Impl>()) {
  for (int i = 0; i < std::max(1, io_threads); ++i) {
    impl_->threads.emplace_back([io = &impl_->io] { io->run(); });
  }
}

HttpClientPool::~HttpClientPool() {
  impl_->work.reset();
  impl_->io.stop();
  for (std::thread& t : impl_->threads) t.join();
  impl_->connections.clear();
}

HttpConnection* HttpClientPool::AddConnection(const std::string& host,
                                              int port) {
  impl_->connections.push_back(std::make_unique<BeastConnection>(
      impl_->io,
      tcp::endpoint(net::ip::make_address(host), static_cast<uint16_t>(port))));
  return impl_->connections.back().get();
}

}  // namespace homeward::bench
