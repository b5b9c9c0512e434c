// HttpSession: one connection of HttpServer (http_server.h says what it does),
// over any Beast stream. The daemon runs it over beast::tcp_stream; the HTTP
// fuzz target runs the same code over beast::test::stream, so what is fuzzed is
// what serves.
//
// A stream type needs a StreamOps specialisation for what Beast's stream
// concepts leave out: deadlines and closing.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/core/bind_handler.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>

#include "server/http/http_server.h"

namespace faultline {

template <class Stream>
struct StreamOps;

template <>
struct StreamOps<boost::beast::tcp_stream> {
  static void expires_after(boost::beast::tcp_stream& stream, std::chrono::nanoseconds timeout) {
    stream.expires_after(timeout);
  }
  static void cancel(boost::beast::tcp_stream& stream) { stream.cancel(); }
  // Half-close: the client reads the answer to its end. False when the socket is gone.
  static bool shutdown_send(boost::beast::tcp_stream& stream) {
    boost::beast::error_code ec;
    stream.socket().shutdown(boost::asio::ip::tcp::socket::shutdown_send, ec);
    return !ec;
  }
  static void close(boost::beast::tcp_stream& stream) {
    boost::beast::error_code ec;
    stream.socket().close(ec);
  }
};

// What a session needs from its server.
struct SessionHost {
  SessionHost(HttpServerOptions o, const Router& r, Logger& l, HttpServerHooks h)
      : options(o), router(r), log(l), hooks(std::move(h)) {}
  virtual ~SessionHost() = default;
  // From the session's destructor, on whichever thread let go of it last.
  virtual void session_closed(uint64_t id) = 0;

  HttpServerOptions options;
  const Router& router;
  Logger& log;
  HttpServerHooks hooks;
  std::atomic<bool> draining{false};
};

namespace session_detail {

// The target for the log: the value of the `token` query parameter (Pub/Sub
// push auth) is a secret. Parameters are matched by their decoded name, as
// HttpCall::param() finds them, so ?%74oken=… is redacted like ?token=….
std::string without_token(std::string_view target);
// What makes a request unanswerable on its headers: a body length that cannot
// be known from its Transfer-Encoding, a missing or repeated Host.
std::optional<Problem> header_problem(const Request& request);
// The answer to a read that failed on a limit (413, 431) or malformed HTTP
// (400), and the reason for HttpServerHooks::request_refused.
Problem read_problem(boost::beast::error_code ec, const HttpServerOptions& options, std::string_view& reason);

// Discarded after an error answer, so the client reads our answer rather than a reset.
constexpr size_t kLingerMaxBytes = size_t{4} << 20;
constexpr auto kLingerTimeout = std::chrono::seconds(2);
constexpr size_t kFirstReadBytes = 4096;

}  // namespace session_detail

template <class Stream>
class HttpSession : public std::enable_shared_from_this<HttpSession<Stream>> {
  using Ops = StreamOps<Stream>;

 public:
  HttpSession(SessionHost& host, Stream&& stream, uint64_t id) : host_(host), stream_(std::move(stream)), id_(id) {}
  ~HttpSession() { host_.session_closed(id_); }

  void start() {
    boost::asio::dispatch(stream_.get_executor(),
                          boost::beast::bind_front_handler(&HttpSession::wait_for_request, this->shared_from_this()));
  }

  // From begin_drain(), any thread: a connection between requests closes now; one
  // in the middle of a request finishes it (write() sees the flag and closes).
  void request_drain() {
    boost::asio::post(stream_.get_executor(),
                      boost::beast::bind_front_handler(&HttpSession::on_drain, this->shared_from_this()));
  }

  // Only from HttpServer::stop() once the I/O threads have stopped.
  void force_close() { Ops::close(stream_); }

 private:
  using error_code = boost::beast::error_code;
  enum class Phase { waiting, reading, processing, writing, closing };

  template <class Member, class... Args>
  auto next(Member member, Args&&... args) {
    return boost::beast::bind_front_handler(member, this->shared_from_this(), std::forward<Args>(args)...);
  }

  void on_drain() {
    if (phase_ == Phase::waiting) Ops::cancel(stream_);
  }

  void wait_for_request() {
    if (host_.draining.load()) return close();
    phase_ = Phase::waiting;
    if (buffer_.size() > 0) return read_header();  // a pipelined request is already here
    Ops::expires_after(stream_, first_request_ ? host_.options.header_timeout : host_.options.idle_timeout);
    stream_.async_read_some(buffer_.prepare(session_detail::kFirstReadBytes), next(&HttpSession::on_first_bytes));
  }

  void on_first_bytes(error_code ec, size_t bytes) {
    // Nothing was asked yet (idle timeout, client went away, drain): close quietly.
    if (ec) return close();
    buffer_.commit(bytes);
    read_header();
  }

  void read_header() {
    phase_ = Phase::reading;
    head_request_ = false;
    parser_.emplace();
    parser_->header_limit(static_cast<std::uint32_t>(host_.options.max_header));
    parser_->body_limit(static_cast<std::uint64_t>(host_.options.max_body));
    Ops::expires_after(stream_, host_.options.header_timeout);
    http::async_read_header(stream_, buffer_, *parser_, next(&HttpSession::on_header));
  }

  void on_header(error_code ec, size_t) {
    if (ec) return on_read_error(ec);
    const Request& request = parser_->get();
    started_ = std::chrono::steady_clock::now();
    request_version_ = request.version();
    keep_alive_ = request.keep_alive();
    method_ = std::string(request.method_string());
    // Only the debug log shows it: redacting costs an allocation per request.
    if (host_.log.enabled(LogLevel::debug)) target_ = session_detail::without_token(request.target());
    head_request_ = request.method() == http::verb::head;
    if (auto problem = session_detail::header_problem(request)) return refuse(*problem, "malformed_http");
    if (!split_target(request.target(), path_, query_))
      return answer_unread(problem_response(
          Problem{400, "bad-target", "Bad Request",
                  "The request target is not a valid path: " + session_detail::without_token(request.target())}));
    // Routing and credentials are decided here, before the body is read or
    // 100 Continue invites it: no one makes the daemon buffer a body that no
    // route takes or that comes without a credential.
    std::optional<Response> answer;
    try {
      answer = host_.router.admit(RequestHead{request, path_, query_});
    } catch (const std::exception& e) {
      answer = handler_failed(path_, e.what());
    } catch (...) {
      answer = handler_failed(path_, "unknown");
    }
    if (answer) return answer_unread(std::move(*answer));
    if (parser_->is_done()) return on_request();
    // HTTP/1.0 has no interim responses: such a client sends its body regardless.
    if (request.version() >= 11 && boost::beast::iequals(request[http::field::expect], "100-continue")) {
      continue_ = std::make_shared<http::response<http::empty_body>>(http::status::continue_, request.version());
      Ops::expires_after(stream_, host_.options.request_timeout);
      http::async_write(stream_, *continue_, next(&HttpSession::on_continue_sent));
      return;
    }
    read_body();
  }

  void on_continue_sent(error_code ec, size_t) {
    continue_.reset();
    if (ec) return close();
    read_body();
  }

  void read_body() {
    Ops::expires_after(stream_, host_.options.request_timeout);
    http::async_read(stream_, buffer_, *parser_, next(&HttpSession::on_body));
  }

  void on_body(error_code ec, size_t) {
    if (ec) return on_read_error(ec);
    on_request();
  }

  void on_read_error(error_code ec) {
    namespace net = boost::asio;
    if (ec == http::error::end_of_stream || ec == http::error::partial_message || ec == boost::beast::error::timeout ||
        ec == net::error::operation_aborted || ec == net::error::eof || ec == net::error::connection_reset) {
      // The client stopped (or was too slow): there is no one to answer.
      if (ec == boost::beast::error::timeout) host_.log.debug("http", "connection timed out", {{"phase", "read"}});
      return close();
    }
    std::string_view reason;
    Problem problem = session_detail::read_problem(ec, host_.options, reason);
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
    host_.log.error("http", "handler failed", {{"method", method_}, {"path", path}, {"error", error}});
    return problem_response(Problem{500, "internal", "Internal Server Error",
                                    "The request could not be handled; the error is in the daemon's log."});
  }

  // Answers without reading the rest of the request, then closes the connection
  // (lingering, so that the client reads the answer rather than a reset).
  void refuse(const Problem& problem, std::string_view reason) {
    if (host_.hooks.request_refused) host_.hooks.request_refused(reason);
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
    call->respond = Responder([self = this->shared_from_this()](Response&& response) {
      boost::asio::post(self->stream_.get_executor(),
                        [self, response = std::move(response)]() mutable { self->write(std::move(response)); });
    });
    try {
      host_.router.dispatch(call);
    } catch (const std::exception& e) {
      call->respond(handler_failed(call->path, e.what()));
    } catch (...) {
      call->respond(handler_failed(call->path, "unknown"));
    }
  }

  void write(Response&& response) {
    if (phase_ == Phase::closing || phase_ == Phase::writing) return;  // connection already gone
    phase_ = Phase::writing;
    response_.emplace(std::move(response));
    const bool close = close_after_response_ || !keep_alive_ || host_.draining.load();
    response_->version(request_version_);
    response_->keep_alive(!close);
    response_->set(http::field::server, "faultline");
    response_->prepare_payload();
    if (host_.log.enabled(LogLevel::debug) && !method_.empty()) {
      auto elapsed = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - started_);
      host_.log.debug("http", "request", {{"method", method_}, {"target", target_},
                                          {"status", response_->result_int()},
                                          {"bytes", response_->body().size()},
                                          {"us", static_cast<long long>(elapsed.count())}});
    }
    // HEAD: GET's headers, Content-Length included, and no body.
    if (head_request_) response_->body().clear();
    Ops::expires_after(stream_, host_.options.request_timeout);
    http::async_write(stream_, *response_, next(&HttpSession::on_write, close));
  }

  void on_write(bool close_after, error_code ec, size_t) {
    response_.reset();
    if (ec || close_after) return close();
    first_request_ = false;
    method_.clear();
    wait_for_request();
  }

  void close() {
    if (phase_ == Phase::closing) return;
    phase_ = Phase::closing;
    if (!Ops::shutdown_send(stream_) || !linger_) return Ops::close(stream_);
    buffer_.clear();
    Ops::expires_after(stream_, session_detail::kLingerTimeout);
    linger();
  }

  void linger() {
    stream_.async_read_some(buffer_.prepare(session_detail::kFirstReadBytes * 16), next(&HttpSession::on_linger));
  }

  void on_linger(error_code ec, size_t bytes) {
    lingered_ += bytes;
    if (ec || lingered_ > session_detail::kLingerMaxBytes) return Ops::close(stream_);
    linger();  // discards: nothing is committed to the buffer
  }

  SessionHost& host_;
  Stream stream_;
  boost::beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  std::optional<Response> response_;  // being written; held here, not allocated per request
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

}  // namespace faultline
