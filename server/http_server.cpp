#include "server/http_server.h"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <thread>
#include <unordered_map>
#include <vector>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core/bind_handler.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/rfc7230.hpp>
#include <boost/beast/http/write.hpp>

namespace faultline {

namespace net = boost::asio;
namespace beast = boost::beast;
using tcp = net::ip::tcp;

namespace {

// The target for the log: a ?token= (Pub/Sub push auth) is a secret.
std::string without_token(std::string_view target) {
  std::string out(target);
  const size_t query = out.find('?');
  if (query == std::string::npos) return out;
  for (size_t at = query; (at = out.find("token=", at)) != std::string::npos; at += 6) {
    if (out[at - 1] != '?' && out[at - 1] != '&') continue;
    const size_t end = out.find('&', at);
    out.replace(at + 6, (end == std::string::npos ? out.size() : end) - (at + 6), "REDACTED");
  }
  return out;
}


// Discarded after an error answer, so the client reads our answer rather than a reset.
constexpr size_t kLingerMaxBytes = size_t{4} << 20;
constexpr auto kLingerTimeout = std::chrono::seconds(2);
constexpr size_t kFirstReadBytes = 4096;

std::string human_size(size_t bytes) {
  if (bytes % (1u << 20) == 0) return std::to_string(bytes >> 20) + "MiB";
  if (bytes % (1u << 10) == 0) return std::to_string(bytes >> 10) + "KiB";
  return std::to_string(bytes) + " bytes";
}

// The request's Transfer-Encoding, when the daemon cannot tell its body's length
// from it. Beast reads a Transfer-Encoding that does not end in chunked as "no
// body", so the body would be parsed as the next request on the connection
// (request smuggling); RFC 9112 §6.3 says: answer 400 and close.
std::optional<Problem> transfer_encoding_problem(const Request& request) {
  if (request.count(http::field::transfer_encoding) == 0) return std::nullopt;
  if (request.version() < 11)
    return Problem{400, "bad-transfer-encoding", "Bad Request",
                   "HTTP/1.0 has no Transfer-Encoding (RFC 9112 §6.1); send Content-Length."};
  std::string value;
  std::vector<std::string_view> codings;
  for (auto [field, end] = request.equal_range(http::field::transfer_encoding); field != end; ++field) {
    value += (value.empty() ? "" : ", ") + std::string(field->value());
    for (auto coding : http::token_list(field->value())) codings.push_back(coding);
  }
  const auto chunked = std::count_if(codings.begin(), codings.end(),
                                     [](std::string_view c) { return beast::iequals(c, "chunked"); });
  if (codings.empty() || !beast::iequals(codings.back(), "chunked") || chunked > 1)
    return Problem{400, "bad-transfer-encoding", "Bad Request",
                   "Transfer-Encoding must end in chunked, once (RFC 9112 §6.3); got '" + value + "'."};
  if (codings.size() > 1)
    return Problem{501, "unsupported-transfer-encoding", "Not Implemented",
                   "Only the chunked transfer coding is supported; got '" + value +
                       "'. Compress with Content-Encoding: gzip."};
  return std::nullopt;
}

}  // namespace

class Session;

struct HttpServer::Impl {
  Impl(HttpServerOptions o, const Router& r, Logger& l, HttpServerHooks h)
      : options(o), router(r), log(l), hooks(std::move(h)) {}

  HttpServerOptions options;
  const Router& router;
  Logger& log;
  HttpServerHooks hooks;

  // Declared before the io_context: a session destroyed while the io_context
  // destroys its leftover handlers still unregisters here.
  std::mutex mutex;
  std::condition_variable changed;
  std::unordered_map<uint64_t, std::weak_ptr<Session>> sessions;
  uint64_t next_session = 0;
  std::atomic<size_t> connection_count{0};
  std::atomic<bool> draining{false};
  std::atomic<bool> stopped{false};

  net::io_context ioc;
  // Keeps the I/O threads running while no operation is pending, e.g. when every
  // connection is waiting for a worker's answer.
  std::optional<net::executor_work_guard<net::io_context::executor_type>> work;
  std::optional<tcp::acceptor> acceptor;
  std::optional<net::steady_timer> accept_retry;
  std::vector<std::thread> threads;

  void do_accept();
  void on_accept(beast::error_code ec, tcp::socket socket);
  void reject(tcp::socket& socket);
  void session_closed(uint64_t id);
};

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(HttpServer::Impl& server, tcp::socket&& socket, uint64_t id)
      : server_(server), stream_(std::move(socket)), id_(id) {}

  ~Session() { server_.session_closed(id_); }

  void start() { net::dispatch(stream_.get_executor(), beast::bind_front_handler(&Session::wait_for_request, shared_from_this())); }

  // From begin_drain(), any thread: a connection between requests closes now; one
  // in the middle of a request finishes it (write() sees the flag and closes).
  void request_drain() {
    net::post(stream_.get_executor(), beast::bind_front_handler(&Session::on_drain, shared_from_this()));
  }

  // Only from HttpServer::stop() once the I/O threads have stopped.
  void force_close() {
    beast::error_code ec;
    stream_.socket().close(ec);
  }

 private:
  enum class Phase { waiting, reading, processing, writing, closing };

  void on_drain() {
    if (phase_ == Phase::waiting) stream_.cancel();
  }

  void wait_for_request() {
    if (server_.draining.load()) return close();
    phase_ = Phase::waiting;
    if (buffer_.size() > 0) return read_header();  // a pipelined request is already here
    stream_.expires_after(first_request_ ? server_.options.header_timeout : server_.options.idle_timeout);
    stream_.async_read_some(buffer_.prepare(kFirstReadBytes),
                            beast::bind_front_handler(&Session::on_first_bytes, shared_from_this()));
  }

  void on_first_bytes(beast::error_code ec, size_t bytes) {
    // Nothing was asked yet (idle timeout, client went away, drain): close quietly.
    if (ec) return close();
    buffer_.commit(bytes);
    read_header();
  }

  void read_header() {
    phase_ = Phase::reading;
    head_request_ = false;
    parser_.emplace();
    parser_->header_limit(static_cast<std::uint32_t>(server_.options.max_header));
    parser_->body_limit(static_cast<std::uint64_t>(server_.options.max_body));
    stream_.expires_after(server_.options.header_timeout);
    http::async_read_header(stream_, buffer_, *parser_,
                            beast::bind_front_handler(&Session::on_header, shared_from_this()));
  }

  void on_header(beast::error_code ec, size_t) {
    if (ec) return on_read_error(ec);
    const Request& request = parser_->get();
    started_ = std::chrono::steady_clock::now();
    request_version_ = request.version();
    keep_alive_ = request.keep_alive();
    method_ = std::string(request.method_string());
    target_ = without_token(request.target());
    head_request_ = request.method() == http::verb::head;
    if (auto problem = transfer_encoding_problem(request)) return refuse(*problem, "malformed_http");
    // RFC 9112 §3.2: exactly one Host in HTTP/1.1, at most one in HTTP/1.0.
    if (const size_t hosts = request.count(http::field::host); hosts > 1 || (hosts == 0 && request.version() >= 11))
      return refuse(Problem{400, "bad-host", "Bad Request",
                            "An HTTP/1.1 request needs exactly one Host header field (RFC 9112 §3.2)."},
                    "malformed_http");
    if (!split_target(request.target(), path_, query_))
      return answer_unread(problem_response(
          Problem{400, "bad-target", "Bad Request", "The request target is not a valid path: " + target_}));
    // Routing and credentials are decided here, before the body is read or
    // 100 Continue invites it: no one makes the daemon buffer a body that no
    // route takes or that comes without a credential.
    std::optional<Response> answer;
    try {
      answer = server_.router.admit(RequestHead{request, path_, query_});
    } catch (const std::exception& e) {
      answer = handler_failed(path_, e.what());
    } catch (...) {
      answer = handler_failed(path_, "unknown");
    }
    if (answer) return answer_unread(std::move(*answer));
    if (parser_->is_done()) return on_request();
    // HTTP/1.0 has no interim responses: such a client sends its body regardless.
    if (request.version() >= 11 && beast::iequals(request[http::field::expect], "100-continue")) {
      continue_ = std::make_shared<http::response<http::empty_body>>(http::status::continue_, request.version());
      stream_.expires_after(server_.options.request_timeout);
      http::async_write(stream_, *continue_, beast::bind_front_handler(&Session::on_continue_sent, shared_from_this()));
      return;
    }
    read_body();
  }

  void on_continue_sent(beast::error_code ec, size_t) {
    continue_.reset();
    if (ec) return close();
    read_body();
  }

  void read_body() {
    stream_.expires_after(server_.options.request_timeout);
    http::async_read(stream_, buffer_, *parser_, beast::bind_front_handler(&Session::on_body, shared_from_this()));
  }

  void on_body(beast::error_code ec, size_t) {
    if (ec) return on_read_error(ec);
    on_request();
  }

  void on_read_error(beast::error_code ec) {
    if (ec == http::error::end_of_stream || ec == http::error::partial_message || ec == beast::error::timeout ||
        ec == net::error::operation_aborted || ec == net::error::eof || ec == net::error::connection_reset) {
      // The client stopped (or was too slow): there is no one to answer.
      if (ec == beast::error::timeout) server_.log.debug("http", "connection timed out", {{"phase", "read"}});
      return close();
    }
    Problem problem;
    std::string_view reason;
    if (ec == http::error::body_limit) {
      problem = Problem{413, "body-too-large", "Payload Too Large",
                        "The request body exceeds limits.max_body (" + human_size(server_.options.max_body) +
                            "); send smaller batches."};
      problem.with("limit", {{"name", "limits.max_body"}, {"bytes", server_.options.max_body}});
      reason = "body_too_large";
    } else if (ec == http::error::header_limit) {
      problem = Problem{431, "header-too-large", "Request Header Fields Too Large",
                        "The request line and headers exceed limits.max_header (" +
                            human_size(server_.options.max_header) + ")."};
      problem.with("limit", {{"name", "limits.max_header"}, {"bytes", server_.options.max_header}});
      reason = "header_too_large";
    } else {
      problem = Problem{400, "malformed-http", "Bad Request", "Malformed HTTP request: " + ec.message() + "."};
      reason = "malformed_http";
    }
    refuse(problem, reason);
  }

  // An answer decided on the headers. A body still to come is never read: the
  // connection closes after the answer (lingering, see refuse()).
  void answer_unread(Response&& response) {
    phase_ = Phase::processing;
    if (!parser_->is_done()) {
      close_after_response_ = true;
      linger_ = true;
    }
    write(std::move(response));
  }

  Response handler_failed(std::string_view path, std::string_view error) {
    server_.log.error("http", "handler failed", {{"method", method_}, {"path", path}, {"error", error}});
    return problem_response(Problem{500, "internal", "Internal Server Error",
                                    "The request could not be handled; the error is in the daemon's log."});
  }

  // Answers without reading the rest of the request, then closes the connection
  // (lingering, so that the client reads the answer rather than a reset).
  void refuse(const Problem& problem, std::string_view reason) {
    if (server_.hooks.request_refused) server_.hooks.request_refused(reason);
    close_after_response_ = true;
    linger_ = true;
    request_version_ = parser_ && parser_->is_header_done() ? parser_->get().version() : 11;
    write(problem_response(problem));
  }

  void on_request() {
    phase_ = Phase::processing;
    auto call = std::make_shared<HttpCall>(HttpCall{parser_->release(), std::move(path_), std::move(query_), {},
                                                    Responder(nullptr), true});
    parser_.reset();
    call->respond = Responder([self = shared_from_this()](Response&& response) {
      net::post(self->stream_.get_executor(),
                [self, response = std::move(response)]() mutable { self->write(std::move(response)); });
    });
    try {
      server_.router.dispatch(call);
    } catch (const std::exception& e) {
      call->respond(handler_failed(call->path, e.what()));
    } catch (...) {
      call->respond(handler_failed(call->path, "unknown"));
    }
  }

  void write(Response&& response) {
    if (phase_ == Phase::closing || phase_ == Phase::writing) return;  // connection already gone
    phase_ = Phase::writing;
    response_ = std::make_shared<Response>(std::move(response));
    const bool close = close_after_response_ || !keep_alive_ || server_.draining.load();
    response_->version(request_version_);
    response_->keep_alive(!close);
    response_->set(http::field::server, "faultline");
    response_->prepare_payload();
    if (server_.log.enabled(LogLevel::debug) && !method_.empty()) {
      auto elapsed = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - started_);
      server_.log.debug("http", "request", {{"method", method_}, {"target", target_},
                                            {"status", response_->result_int()},
                                            {"bytes", response_->body().size()},
                                            {"us", static_cast<long long>(elapsed.count())}});
    }
    // HEAD: GET's headers, Content-Length included, and no body.
    if (head_request_) response_->body().clear();
    stream_.expires_after(server_.options.request_timeout);
    http::async_write(stream_, *response_,
                      beast::bind_front_handler(&Session::on_write, shared_from_this(), close));
  }

  void on_write(bool close_after, beast::error_code ec, size_t) {
    response_.reset();
    if (ec || close_after) return close();
    first_request_ = false;
    method_.clear();
    wait_for_request();
  }

  void close() {
    if (phase_ == Phase::closing) return;
    phase_ = Phase::closing;
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    if (!linger_ || ec) {
      stream_.socket().close(ec);
      return;
    }
    buffer_.clear();
    stream_.expires_after(kLingerTimeout);
    linger();
  }

  void linger() {
    stream_.async_read_some(buffer_.prepare(kFirstReadBytes * 16),
                            beast::bind_front_handler(&Session::on_linger, shared_from_this()));
  }

  void on_linger(beast::error_code ec, size_t bytes) {
    lingered_ += bytes;
    if (ec || lingered_ > kLingerMaxBytes) {
      beast::error_code ignored;
      stream_.socket().close(ignored);
      return;
    }
    linger();  // discards: nothing is committed to the buffer
  }

  HttpServer::Impl& server_;
  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  std::shared_ptr<Response> response_;
  std::shared_ptr<http::response<http::empty_body>> continue_;
  uint64_t id_;
  Phase phase_ = Phase::waiting;
  bool first_request_ = true;
  bool head_request_ = false;
  bool keep_alive_ = true;
  bool close_after_response_ = false;
  bool linger_ = false;
  size_t lingered_ = 0;
  unsigned request_version_ = 11;
  std::chrono::steady_clock::time_point started_{};
  std::string method_, target_;
  std::string path_;  // of the request being read, split from its target on the headers
  QueryParams query_;
};

void HttpServer::Impl::do_accept() {
  acceptor->async_accept(net::make_strand(ioc), [this](beast::error_code ec, tcp::socket socket) {
    on_accept(ec, std::move(socket));
  });
}

void HttpServer::Impl::on_accept(beast::error_code ec, tcp::socket socket) {
  if (ec == net::error::operation_aborted || !acceptor || !acceptor->is_open()) return;
  if (ec) {
    // Out of file descriptors and the like: back off briefly instead of spinning.
    log.warn("http", "accept failed", {{"error", ec.message()}});
    accept_retry.emplace(ioc);
    accept_retry->expires_after(std::chrono::milliseconds(100));
    accept_retry->async_wait([this](beast::error_code wait_ec) {
      if (!wait_ec && !draining.load()) do_accept();
    });
    return;
  }
  if (draining.load()) {
    beast::error_code ignored;
    socket.close(ignored);
    return;
  }
  if (connection_count.load() >= options.max_connections) {
    reject(socket);
  } else {
    std::shared_ptr<Session> session;
    {
      std::lock_guard lock(mutex);
      uint64_t id = next_session++;
      session = std::make_shared<Session>(*this, std::move(socket), id);
      sessions.emplace(id, session);
      connection_count.fetch_add(1);
    }
    if (hooks.connections_changed) hooks.connections_changed(+1);
    session->start();
  }
  do_accept();
}

void HttpServer::Impl::reject(tcp::socket& socket) {
  if (hooks.connection_rejected) hooks.connection_rejected();
  // One non-blocking write of a canned answer: a full socket buffer on a fresh
  // connection is not worth waiting for, the close says enough.
  std::string response = "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/problem+json\r\n"
                         "Retry-After: " + std::to_string(options.retry_after.count()) +
                         "\r\nConnection: close\r\n";
  std::string body = R"({"type":"urn:faultline:problem:too-many-connections","title":"Service Unavailable",)"
                     R"("status":503,"detail":"The daemon is at limits.max_connections ()" +
                     std::to_string(options.max_connections) + R"(); retry later.","limit":{"name":"limits.max_connections","value":)" +
                     std::to_string(options.max_connections) + "}}\n";
  response += "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
  beast::error_code ec;
  socket.non_blocking(true, ec);
  if (!ec) socket.write_some(net::buffer(response), ec);
  socket.shutdown(tcp::socket::shutdown_both, ec);
  socket.close(ec);
}

void HttpServer::Impl::session_closed(uint64_t id) {
  {
    std::lock_guard lock(mutex);
    sessions.erase(id);
    connection_count.fetch_sub(1);
  }
  changed.notify_all();
  if (hooks.connections_changed && !stopped.load()) hooks.connections_changed(-1);
}

HttpServer::HttpServer(HttpServerOptions options, const Router& router, Logger& log, HttpServerHooks hooks)
    : impl_(std::make_shared<Impl>(options, router, log, std::move(hooks))) {}

HttpServer::~HttpServer() { stop(); }

tcp::endpoint HttpServer::listen(const std::string& host, uint16_t port) {
  tcp::endpoint endpoint(net::ip::make_address(host), port);
  impl_->acceptor.emplace(impl_->ioc);
  impl_->acceptor->open(endpoint.protocol());
  impl_->acceptor->set_option(net::socket_base::reuse_address(true));
  impl_->acceptor->bind(endpoint);
  impl_->acceptor->listen(net::socket_base::max_listen_connections);
  return impl_->acceptor->local_endpoint();
}

void HttpServer::start() {
  impl_->work.emplace(impl_->ioc.get_executor());
  net::post(impl_->ioc, [impl = impl_.get()] { impl->do_accept(); });
  const unsigned count = std::max(1u, impl_->options.io_threads);
  for (unsigned i = 0; i < count; ++i) {
    impl_->threads.emplace_back([impl = impl_.get()] {
      // A handler that throws must not take the thread down with it.
      for (;;) {
        try {
          impl->ioc.run();
          return;
        } catch (const std::exception& e) {
          impl->log.error("http", "handler threw on an I/O thread", {{"error", e.what()}});
        } catch (...) {
          impl->log.error("http", "handler threw on an I/O thread", {{"error", "unknown"}});
        }
      }
    });
  }
}

net::io_context& HttpServer::context() { return impl_->ioc; }

void HttpServer::begin_drain() {
  if (impl_->draining.exchange(true)) return;
  net::post(impl_->ioc, [impl = impl_.get()] {
    beast::error_code ec;
    if (impl->acceptor) impl->acceptor->close(ec);
    if (impl->accept_retry) impl->accept_retry->cancel();
  });
  std::vector<std::shared_ptr<Session>> live;
  {
    std::lock_guard lock(impl_->mutex);
    for (auto& [id, weak] : impl_->sessions)
      if (auto session = weak.lock()) live.push_back(std::move(session));
  }
  for (auto& session : live) session->request_drain();
}

bool HttpServer::wait_drained(std::chrono::steady_clock::time_point deadline) {
  std::unique_lock lock(impl_->mutex);
  return impl_->changed.wait_until(lock, deadline, [&] { return impl_->sessions.empty(); });
}

void HttpServer::stop() {
  if (impl_->stopped.exchange(true)) return;
  impl_->draining.store(true);
  impl_->work.reset();
  impl_->ioc.stop();
  for (auto& thread : impl_->threads)
    if (thread.joinable()) thread.join();
  impl_->threads.clear();
  // No I/O thread runs now: close what is left directly, then let the aborted
  // operations complete so every session is released.
  beast::error_code ec;
  if (impl_->acceptor) impl_->acceptor->close(ec);
  if (impl_->accept_retry) impl_->accept_retry->cancel();
  std::vector<std::shared_ptr<Session>> live;
  {
    std::lock_guard lock(impl_->mutex);
    for (auto& [id, weak] : impl_->sessions)
      if (auto session = weak.lock()) live.push_back(std::move(session));
  }
  for (auto& session : live) session->force_close();
  live.clear();
  impl_->ioc.restart();
  while (impl_->ioc.poll() > 0) {
  }
}

size_t HttpServer::connections() const { return impl_->connection_count.load(); }
bool HttpServer::draining() const { return impl_->draining.load(); }

}  // namespace faultline
