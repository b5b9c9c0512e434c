// HttpServer in-process on 127.0.0.1:0: keep-alive, 100-continue, limits, the
// connection cap, handler exceptions and drain. Ordering comes from latches, never sleeps.
#include <doctest/doctest.h>

#include <future>
#include <thread>

#include <boost/asio/connect.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>

#include "server/http/http_server.h"
#include "tests/support/raw_http.h"

namespace faultline {
namespace {

namespace net = boost::asio;
using tcp = net::ip::tcp;
using testing::RawHttpConnection;

struct Client {
  net::io_context ioc;
  tcp::socket socket{ioc};
  boost::beast::flat_buffer buffer;

  explicit Client(uint16_t port) { socket.connect({net::ip::make_address("127.0.0.1"), port}); }

  Response send(http::verb method, const std::string& target, const std::string& body = "", bool keep_alive = true) {
    Request request{method, target, 11};
    request.set(http::field::host, "x");
    request.keep_alive(keep_alive);
    request.body() = body;
    request.prepare_payload();
    http::write(socket, request);
    return read();
  }
  Response read() {
    Response response;
    http::read(socket, buffer, response);
    return response;
  }
  // True when the server closed the connection (EOF or reset) before sending anything.
  bool closed_by_server() {
    char byte;
    boost::system::error_code ec;
    size_t n = socket.read_some(net::buffer(&byte, 1), ec);
    return n == 0 && ec;
  }
};

struct Fixture {
  // The /throw case logs an error line on purpose; keep it out of the test output.
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> sink{std::fopen("/dev/null", "w"), &std::fclose};
  Logger log{LogLevel::error, sink.get()};
  Router router;
  std::promise<void> hold_entered;
  std::promise<void> hold_release;
  std::shared_future<void> release = hold_release.get_future().share();

  Fixture() {
    router.add(http::verb::get, "/echo", [](const CallPtr& call) {
      call->respond(text_response(http::status::ok, call->query.count("q") ? call->query.at("q") : "", "text/plain"));
    });
    router.add(http::verb::post, "/size", [](const CallPtr& call) {
      call->respond(text_response(http::status::ok, std::to_string(call->request.body().size()), "text/plain"));
    });
    router.add(http::verb::get, "/throw", [](const CallPtr&) -> void { throw std::runtime_error("boom"); });
    router.add(http::verb::get, "/hold", [this](const CallPtr& call) {
      // Answered from another thread, as worker-pool handlers are.
      holder = std::thread([this, call] {
        hold_entered.set_value();
        release.wait();
        call->respond(text_response(http::status::ok, "held", "text/plain"));
      });
    });
  }
  // The held call keeps its connection alive until the thread ends; the daemon
  // likewise waits for its workers before it destroys the server.
  void join_holder() {
    if (holder.joinable()) holder.join();
  }
  ~Fixture() { join_holder(); }
  std::thread holder;
};

HttpServerOptions options(size_t max_connections = 16) {
  HttpServerOptions o;
  o.max_body = 1024;
  o.max_header = 2048;
  o.max_connections = max_connections;
  o.io_threads = 2;
  return o;
}

}  // namespace

TEST_CASE("keep-alive, 100-continue, limits and handler exceptions") {
  Fixture f;
  HttpServer server(options(), f.router, f.log);
  uint16_t port = server.listen("127.0.0.1", 0).port();
  server.start();

  Client client(port);
  CHECK(client.send(http::verb::get, "/echo?q=one").body() == "one");
  CHECK(client.send(http::verb::get, "/echo?q=two").body() == "two");  // same connection

  Response thrown = client.send(http::verb::get, "/throw");
  CHECK(thrown.result_int() == 500);
  CHECK(thrown[http::field::content_type] == "application/problem+json");
  CHECK(client.send(http::verb::get, "/echo?q=still").body() == "still");

  // Expect: 100-continue is answered before the body is sent.
  Client curl_like(port);
  net::write(curl_like.socket, net::buffer(std::string(
      "POST /size HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n")));
  std::string interim;
  net::read_until(curl_like.socket, net::dynamic_buffer(interim), "\r\n\r\n");
  CHECK(interim.starts_with("HTTP/1.1 100 Continue"));
  net::write(curl_like.socket, net::buffer(std::string("hello")));
  CHECK(curl_like.read().body() == "5");

  Client big(port);
  Response too_large = big.send(http::verb::post, "/size", std::string(2000, 'x'));
  CHECK(too_large.result_int() == 413);
  CHECK(too_large.body().find("limits.max_body") != std::string::npos);
  CHECK_FALSE(too_large.keep_alive());

  Client huge_header(port);
  Request request{http::verb::get, "/echo", 11};
  request.set("X-Pad", std::string(4000, 'p'));
  http::write(huge_header.socket, request);
  Response header_refused = huge_header.read();
  CHECK(header_refused.result_int() == 431);
  CHECK(header_refused.body().find("limits.max_header") != std::string::npos);

  Client garbage(port);
  net::write(garbage.socket, net::buffer(std::string("NOT HTTP AT ALL\r\n\r\n")));
  CHECK(garbage.read().result_int() == 400);

  server.begin_drain();
  CHECK(server.wait_drained(std::chrono::steady_clock::now() + std::chrono::minutes(1)));
  server.stop();
}

TEST_CASE("a Transfer-Encoding that does not end in chunked is a 400 and a close, never a second request") {
  Fixture f;
  HttpServer server(options(), f.router, f.log);
  uint16_t port = server.listen("127.0.0.1", 0).port();
  server.start();

  // The body, were it read as the next request on the connection (RFC 9112 §6.3).
  const std::string smuggled = "GET /echo?q=smuggled HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
  for (std::string framing : {"Transfer-Encoding: identity\r\n", "Transfer-Encoding: xchunked\r\n",
                              "Transfer-Encoding: chunked, identity\r\n", "Transfer-Encoding: chunked, chunked\r\n",
                              "Transfer-Encoding: chunked\r\nTransfer-Encoding: identity\r\n",
                              "Transfer-Encoding: identity\r\nContent-Length: 61\r\n"}) {
    CAPTURE(framing);
    RawHttpConnection client(port);
    client.send("POST /size HTTP/1.1\r\nHost: x\r\n" + framing + "\r\n" + smuggled);
    auto responses = client.read_until_closed();
    REQUIRE(responses.size() == 1);
    CHECK(responses[0].result_int() == 400);
    CHECK_FALSE(responses[0].keep_alive());
    CHECK(responses[0].body().find("Transfer-Encoding") != std::string::npos);
  }

  // HTTP/1.0 has no transfer codings: its framing is faulty whatever the coding (RFC 9112 §6.1).
  RawHttpConnection old(port);
  old.send("POST /size HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n");
  auto refused = old.read_until_closed();
  REQUIRE(refused.size() == 1);
  CHECK(refused[0].result_int() == 400);

  // Chunked alone is read as before.
  RawHttpConnection chunked(port);
  chunked.send("POST /size HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n" + smuggled);
  auto answered = chunked.read_until_closed();
  REQUIRE(answered.size() == 2);
  CHECK(answered[0].body() == "5");
  CHECK(answered[1].body() == "smuggled");  // here it is the client's own second request
  server.stop();
}

TEST_CASE("HTTP details: HEAD, Host, absolute-form targets, no 100 Continue for HTTP/1.0") {
  Fixture f;
  HttpServer server(options(), f.router, f.log);
  uint16_t port = server.listen("127.0.0.1", 0).port();
  server.start();

  // HEAD answers as GET does, without the body; the connection stays usable.
  RawHttpConnection head(port);
  head.send("HEAD /echo?q=abc HTTP/1.1\r\nHost: x\r\n\r\n");
  RawHttpConnection::Response headers;
  REQUIRE(head.read(headers, true));
  CHECK(headers.result_int() == 200);
  CHECK(headers[http::field::content_length] == "3");
  CHECK(headers[http::field::content_type] == "text/plain");
  head.send("GET /echo?q=after HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  auto after = head.read_until_closed();
  REQUIRE(after.size() == 1);  // a body sent after the HEAD answer would have been read as this one
  CHECK(after[0].body() == "after");
  RawHttpConnection head_on_post(port);
  head_on_post.send("HEAD /size HTTP/1.1\r\nHost: x\r\n\r\n");
  REQUIRE(head_on_post.read(headers, true));
  CHECK(headers.result_int() == 405);
  CHECK(headers[http::field::allow] == "POST");
  RawHttpConnection not_allowed(port);
  not_allowed.send("DELETE /echo HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  auto allow = not_allowed.read_until_closed();
  REQUIRE(allow.size() == 1);
  CHECK(allow[0][http::field::allow] == "GET, HEAD");

  // HTTP/1.1 needs exactly one Host (RFC 9112 §3.2); HTTP/1.0 may leave it out.
  for (std::string hosts : {"", "Host: a\r\nHost: b\r\n"}) {
    CAPTURE(hosts);
    RawHttpConnection client(port);
    client.send("GET /echo?q=x HTTP/1.1\r\n" + hosts + "\r\n");
    auto answers = client.read_until_closed();
    REQUIRE(answers.size() == 1);
    CHECK(answers[0].result_int() == 400);
    CHECK(answers[0].body().find("Host") != std::string::npos);
  }
  RawHttpConnection http10(port);
  http10.send("GET /echo?q=old HTTP/1.0\r\n\r\n");
  auto old = http10.read_until_closed();
  REQUIRE(old.size() == 1);
  CHECK(old[0].body() == "old");

  // Absolute-form, as sent to proxies, is routed on its path (RFC 9112 §3.2.2).
  for (std::string target : {"http://x/echo?q=abs", "HTTP://x:8080/echo?q=abs", "https://x/echo?q=abs"}) {
    CAPTURE(target);
    RawHttpConnection client(port);
    client.send("GET " + target + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    auto answers = client.read_until_closed();
    REQUIRE(answers.size() == 1);
    CHECK(answers[0].result_int() == 200);
    CHECK(answers[0].body() == "abs");
  }

  // An HTTP/1.0 client knows no 100 Continue: it gets the final answer only.
  RawHttpConnection expect10(port);
  expect10.send("POST /size HTTP/1.0\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n");
  expect10.send("hello");
  auto final_only = expect10.read_until_closed();
  REQUIRE(final_only.size() == 1);
  CHECK(final_only[0].result_int() == 200);
  CHECK(final_only[0].body() == "5");
  server.stop();
}

TEST_CASE("beyond max_connections a connection gets 503 and is closed") {
  Fixture f;
  std::atomic<int> rejected{0};
  HttpServerHooks hooks;
  hooks.connection_rejected = [&] { ++rejected; };
  HttpServer server(options(1), f.router, f.log, hooks);
  uint16_t port = server.listen("127.0.0.1", 0).port();
  server.start();

  Client first(port);
  CHECK(first.send(http::verb::get, "/echo?q=in").body() == "in");  // its session exists now

  Client second(port);
  Response refused = second.read();
  CHECK(refused.result_int() == 503);
  CHECK(refused[http::field::retry_after] == "1");
  CHECK(second.closed_by_server());
  CHECK(rejected == 1);

  CHECK(first.send(http::verb::get, "/echo?q=still").body() == "still");
  server.stop();
}

TEST_CASE("drain: idle connections close, in-flight requests finish with Connection: close") {
  Fixture f;
  HttpServer server(options(), f.router, f.log);
  uint16_t port = server.listen("127.0.0.1", 0).port();
  server.start();

  Client idle(port);
  CHECK(idle.send(http::verb::get, "/echo?q=x").result_int() == 200);

  Client busy(port);
  Request request{http::verb::get, "/hold", 11};
  request.set(http::field::host, "x");
  http::write(busy.socket, request);
  f.hold_entered.get_future().wait();

  server.begin_drain();
  CHECK(idle.closed_by_server());
  f.hold_release.set_value();
  Response held = busy.read();
  f.join_holder();
  CHECK(held.body() == "held");
  CHECK_FALSE(held.keep_alive());
  CHECK(server.wait_drained(std::chrono::steady_clock::now() + std::chrono::minutes(1)));
  CHECK(server.connections() == 0);
  server.stop();

  boost::system::error_code ec;
  net::io_context ioc;
  tcp::socket late(ioc);
  late.connect({net::ip::make_address("127.0.0.1"), port}, ec);
  CHECK(ec);  // no longer accepting
}

}  // namespace faultline
