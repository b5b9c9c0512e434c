#include "server/http_client.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>

namespace faultline {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;

constexpr size_t kMaxResponseBody = 1 << 20;  // an error page is enough to say what went wrong

}  // namespace

std::string HttpUrl::text() const { return "http://" + host + ":" + std::to_string(port) + path; }

std::optional<HttpUrl> parse_http_url(std::string_view text, std::string& error) {
  constexpr std::string_view scheme = "http://";
  if (text.starts_with("https://")) {
    error = "https:// is not supported; reach the endpoint over http:// (in-cluster) or through a TLS sidecar";
    return std::nullopt;
  }
  if (!text.starts_with(scheme)) {
    error = "expected an http:// URL";
    return std::nullopt;
  }
  std::string_view rest = text.substr(scheme.size());
  const size_t slash = rest.find('/');
  std::string_view authority = rest.substr(0, slash);
  HttpUrl url;
  url.path = slash == std::string_view::npos ? "" : std::string(rest.substr(slash));
  while (!url.path.empty() && url.path.back() == '/') url.path.pop_back();
  // host, host:port, [v6] or [v6]:port
  std::string_view host = authority, port;
  if (authority.starts_with('[')) {
    const size_t close = authority.find(']');
    host = authority.substr(1, close == std::string_view::npos ? 0 : close - 1);
    if (close != std::string_view::npos && close + 1 < authority.size()) port = authority.substr(close + 1);
    if (!port.empty() && !port.starts_with(':')) host = {};
    if (!port.empty()) port.remove_prefix(1);
  } else if (const size_t colon = authority.rfind(':'); colon != std::string_view::npos) {
    host = authority.substr(0, colon);
    port = authority.substr(colon + 1);
    if (port.empty()) port = "x";  // "host:" is a typo, not port 80
  }
  if (!port.empty()) {
    unsigned value = 0;
    bool digits = port.size() <= 5;
    for (char c : port) {
      digits = digits && c >= '0' && c <= '9';
      value = value * 10 + static_cast<unsigned>(c - '0');
    }
    if (!digits || value == 0 || value > 65535) {
      error = "bad port '" + std::string(port) + "'";
      return std::nullopt;
    }
    url.port = static_cast<uint16_t>(value);
  }
  if (host.empty()) {
    error = "no host";
    return std::nullopt;
  }
  url.host = std::string(host);
  return url;
}

std::string HttpClientResult::describe() const {
  if (status == 0) return error;
  std::string prefix = body.substr(0, 200);
  for (char& c : prefix)
    if (c == '\n' || c == '\r') c = ' ';
  return "HTTP " + std::to_string(status) + (prefix.empty() ? "" : ": " + prefix);
}

HttpClientResult http_post(const HttpUrl& url, std::string_view path, const std::string& body,
                           std::string_view content_type, std::chrono::nanoseconds timeout) {
  HttpClientResult result;
  net::io_context ioc;
  tcp::resolver resolver(ioc);
  beast::tcp_stream stream(ioc);
  beast::flat_buffer buffer;
  http::request<http::string_body> request{http::verb::post, url.path + std::string(path), 11};
  request.set(http::field::host, url.host + ":" + std::to_string(url.port));
  request.set(http::field::user_agent, "faultline");
  request.set(http::field::content_type, content_type);
  request.keep_alive(false);
  request.body() = body;
  request.prepare_payload();
  http::response_parser<http::string_body> parser;
  parser.body_limit(kMaxResponseBody);

  auto fail = [&](std::string_view step, const beast::error_code& ec) {
    result.error = std::string(step) + ": " + (ec == beast::error::timeout ? "timed out" : ec.message());
  };
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  resolver.async_resolve(url.host, std::to_string(url.port), [&](beast::error_code ec, tcp::resolver::results_type endpoints) {
    if (ec) return fail("resolve " + url.host, ec);
    stream.expires_at(deadline);
    stream.async_connect(endpoints, [&](beast::error_code ec, const tcp::endpoint&) {
      if (ec) return fail("connect " + url.host + ":" + std::to_string(url.port), ec);
      http::async_write(stream, request, [&](beast::error_code ec, size_t) {
        if (ec) return fail("write", ec);
        http::async_read(stream, buffer, parser, [&](beast::error_code ec, size_t) {
          if (ec) return fail("read", ec);
          result.status = parser.get().result_int();
          result.body = std::move(parser.get().body());
        });
      });
    });
  });
  // The resolver has no deadline of its own: the whole exchange is bounded here.
  ioc.run_until(deadline + std::chrono::milliseconds(100));
  if (result.status == 0 && result.error.empty()) result.error = "timed out resolving " + url.host;
  beast::error_code ignored;
  stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
  return result;
}

}  // namespace faultline
