// HttpServer: HTTP/1.1 over Boost.Beast, after Beast's advanced server.
//
// Threads: each of the `io_threads` threads runs an io_context of its own; the
// listener (on the first) deals accepted connections out round-robin. Each
// connection is an HttpSession (http_session.h) that stays on its thread, kept
// alive by shared_from_this while an operation or an unanswered call refers to
// it. Handlers run on that thread and answer through a Responder, which posts the
// response back to it from any thread (so blocking work can run in a WorkerPool;
// Beast issue #1077). A handler that blocks holds up only its thread's connections.
//
// Per connection: one request at a time, one write in flight. A fresh parser per
// request with the header and body limits (431 / 413 naming the limit, then the
// connection is closed after draining what the client still sends, so the answer
// is not lost to a TCP reset). Timeouts, each set before the operation it bounds:
//   header  — from a request's first byte to the end of its headers (and for the
//             first byte of a connection's first request),
//   idle    — waiting for the next request on a kept-alive connection,
//   request — reading a body, writing a response.
// Once the headers are in, the router admits the request or answers it (404,
// 405, a guard's 401/403: Router::admit) before the body is read; an answer
// given then leaves the body unread and closes the connection. Only an admitted
// request's `Expect: 100-continue` is answered, so that curl sends the body
// without waiting; a declared Content-Length over the limit is refused without
// reading it.
// A body is framed by Content-Length or by chunked alone: any other
// Transfer-Encoding is a 400 (501 for codings before chunked) and a close, so
// that no body is ever read as the next request (RFC 9112 §6.3). An HTTP/1.1
// request without exactly one Host is a 400 (§3.2); HTTP/1.0 clients get no
// 100 Continue; a response to HEAD is sent without its body.
//
// Connection cap: beyond max_connections a connection is accepted, sent a 503
// with Retry-After and closed at once (without blocking an I/O thread), and the
// rejected hook is called.
//
// Drain (SIGTERM): begin_drain() stops accepting and closes connections waiting
// for a request; a request being read or processed completes and its response
// carries `Connection: close`. wait_drained() then waits for the last connection,
// up to a deadline; stop() ends what is left. Nothing throws out of a handler:
// exceptions become a 500 problem and an error log line.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "server/log.h"
#include "server/http/router.h"

namespace faultline {

struct HttpServerOptions {
  size_t max_body = size_t{10} << 20;
  size_t max_header = size_t{16} << 10;
  size_t max_connections = 1024;
  std::chrono::nanoseconds header_timeout = std::chrono::seconds(10);
  std::chrono::nanoseconds idle_timeout = std::chrono::seconds(60);
  std::chrono::nanoseconds request_timeout = std::chrono::seconds(30);
  std::chrono::seconds retry_after{1};
  unsigned io_threads = 1;
};

// Observation points for metrics; each may be empty. Called on I/O threads.
struct HttpServerHooks {
  std::function<void()> connection_rejected;          // over max_connections
  std::function<void(long delta)> connections_changed;  // +1 opened, -1 closed
  std::function<void(std::string_view reason)> request_refused;  // 400/413/431 before routing
};

class HttpServer {
 public:
  HttpServer(HttpServerOptions options, const Router& router, Logger& log, HttpServerHooks hooks = {});
  ~HttpServer();  // stop()s
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds and listens (SO_REUSEADDR); port 0 picks a free port. Returns the bound
  // endpoint. Throws boost::system::system_error.
  boost::asio::ip::tcp::endpoint listen(const std::string& host, uint16_t port);
  // Starts the I/O threads and accepting.
  void start();
  // For timers and signals that belong with the I/O (the daemon's signal_set):
  // the first I/O thread's, which also accepts.
  boost::asio::io_context& context();

  void begin_drain();
  // True when every connection has closed before `deadline`.
  bool wait_drained(std::chrono::steady_clock::time_point deadline);
  // Closes every connection, stops and joins the I/O threads. Idempotent. Calls
  // that are still unanswered must not be answered after it (the daemon joins its
  // worker pools first).
  void stop();

  size_t connections() const;
  bool draining() const;

  struct Impl;

 private:
  std::shared_ptr<Impl> impl_;
};

}  // namespace faultline
