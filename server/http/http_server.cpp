#include "server/http/http_server.h"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <thread>
#include <unordered_map>
#include <vector>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include "server/http/http_session.h"

namespace faultline {

namespace net = boost::asio;
namespace beast = boost::beast;
using tcp = net::ip::tcp;
using Session = HttpSession<beast::tcp_stream>;

struct HttpServer::Impl : SessionHost {

  // Declared before the io_context: a session destroyed while the io_context
  // destroys its leftover handlers still unregisters here.
  std::mutex mutex;
  std::condition_variable changed;
  std::unordered_map<uint64_t, std::weak_ptr<Session>> sessions;
  uint64_t next_session = 0;
  std::atomic<size_t> connection_count{0};
  std::atomic<bool> stopped{false};

  // One io_context per I/O thread, each run by that thread alone: a connection
  // lives on one of them for its whole life, so its handlers need no strand and
  // its wake-ups stay on one core (one shared io_context made every request
  // cross threads, which cost about half the throughput of /healthz). The
  // acceptor runs on the first and hands connections round-robin.
  struct Loop {
    net::io_context ioc{1};
    // Keeps the thread running while no operation is pending, e.g. when every
    // connection is waiting for a worker's answer.
    std::optional<net::executor_work_guard<net::io_context::executor_type>> work;
  };
  std::vector<std::unique_ptr<Loop>> loops;
  size_t next_loop = 0;  // only touched by the acceptor's handlers
  std::optional<tcp::acceptor> acceptor;
  std::optional<net::steady_timer> accept_retry;
  std::vector<std::thread> threads;

  explicit Impl(HttpServerOptions o, const Router& r, Logger& l, HttpServerHooks h)
      : SessionHost(o, r, l, std::move(h)) {
    const unsigned count = std::max(1u, options.io_threads);
    for (unsigned i = 0; i < count; ++i) loops.push_back(std::make_unique<Loop>());
  }
  net::io_context& ioc() { return loops.front()->ioc; }
  void do_accept();
  void on_accept(beast::error_code ec, tcp::socket socket);
  void reject(tcp::socket& socket);
  void session_closed(uint64_t id) override;
};

void HttpServer::Impl::do_accept() {
  net::io_context& target = loops[next_loop++ % loops.size()]->ioc;
  acceptor->async_accept(target, [this](beast::error_code ec, tcp::socket socket) {
    on_accept(ec, std::move(socket));
  });
}

void HttpServer::Impl::on_accept(beast::error_code ec, tcp::socket socket) {
  if (ec == net::error::operation_aborted || !acceptor || !acceptor->is_open()) return;
  if (ec) {
    // Out of file descriptors and the like: back off briefly instead of spinning.
    log.warn("http", "accept failed", {{"error", ec.message()}});
    accept_retry.emplace(ioc());
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
      session = std::make_shared<Session>(*this, beast::tcp_stream(std::move(socket)), id);
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
  impl_->acceptor.emplace(impl_->ioc());
  impl_->acceptor->open(endpoint.protocol());
  impl_->acceptor->set_option(net::socket_base::reuse_address(true));
  impl_->acceptor->bind(endpoint);
  impl_->acceptor->listen(net::socket_base::max_listen_connections);
  return impl_->acceptor->local_endpoint();
}

void HttpServer::start() {
  for (auto& loop : impl_->loops) loop->work.emplace(loop->ioc.get_executor());
  net::post(impl_->ioc(), [impl = impl_.get()] { impl->do_accept(); });
  for (auto& loop : impl_->loops) {
    impl_->threads.emplace_back([impl = impl_.get(), ioc = &loop->ioc] {
      // A handler that throws must not take the thread down with it.
      for (;;) {
        try {
          ioc->run();
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

net::io_context& HttpServer::context() { return impl_->ioc(); }

void HttpServer::begin_drain() {
  if (impl_->draining.exchange(true)) return;
  net::post(impl_->ioc(), [impl = impl_.get()] {
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
  for (auto& loop : impl_->loops) {
    loop->work.reset();
    loop->ioc.stop();
  }
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
  for (auto& loop : impl_->loops) {
    loop->ioc.restart();
    while (loop->ioc.poll() > 0) {
    }
  }
}

size_t HttpServer::connections() const { return impl_->connection_count.load(); }
bool HttpServer::draining() const { return impl_->draining.load(); }

}  // namespace faultline
