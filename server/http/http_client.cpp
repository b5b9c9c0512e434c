#include "server/http/http_client.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <openssl/ssl.h>

namespace faultline {
namespace {

namespace net = boost::asio;
namespace ssl = net::ssl;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;

std::string describe_error(const beast::error_code& ec) {
  return ec == beast::error::timeout ? "timed out" : ec.message();
}

// One exchange over an established stream (plain or TLS), bounded by the
// stream's expiry (plain) or the io_context's run_until (both).
template <typename Stream>
void exchange(Stream& stream, http::request<http::string_body>& request, HttpClientResult& result,
              size_t max_body) {
  auto buffer = std::make_shared<beast::flat_buffer>();
  auto parser = std::make_shared<http::response_parser<http::string_body>>();
  parser->body_limit(max_body);
  http::async_write(stream, request, [&stream, &result, buffer, parser](beast::error_code ec, size_t) {
    if (ec) {
      result.error = "write: " + describe_error(ec);
      return;
    }
    // The handler keeps the buffer and parser alive until the read completes.
    http::async_read(stream, *buffer, *parser, [&result, buffer, parser](beast::error_code ec, size_t) {
      if (ec) {
        result.error = "read: " + describe_error(ec);
        return;
      }
      result.status = parser->get().result_int();
      result.body = std::move(parser->get().body());
    });
  });
}

HttpClientResult request(const HttpUrl& url, http::verb method, std::string_view path, const std::string* body,
                         std::string_view content_type, const HttpClientOptions& options) {
  HttpClientResult result;
  net::io_context ioc;
  ssl::context tls(ssl::context::tls_client);
  tls.set_verify_mode(ssl::verify_peer);
  if (url.tls) {
    boost::system::error_code ec;
    if (options.ca_file.empty()) tls.set_default_verify_paths(ec);
    else tls.load_verify_file(options.ca_file, ec);
    if (ec) {
      result.error = "TLS trust store " + (options.ca_file.empty() ? std::string("(system)") : options.ca_file) +
                     ": " + ec.message();
      return result;
    }
  }
  tcp::resolver resolver(ioc);
  beast::tcp_stream plain(ioc);
  beast::ssl_stream<beast::tcp_stream> secure(ioc, tls);

  std::string target = url.path + std::string(path) + url.query;
  if (target.empty() || target.front() != '/') target.insert(0, "/");
  http::request<http::string_body> req{method, target, 11};
  req.set(http::field::host, url.host);
  req.set(http::field::user_agent, "faultline");
  req.keep_alive(false);
  if (body) {
    req.set(http::field::content_type, content_type);
    req.body() = *body;
    req.prepare_payload();
  }

  const auto deadline = std::chrono::steady_clock::now() + options.timeout;
  const std::string where = url.host + ":" + std::to_string(url.port);
  resolver.async_resolve(url.host, std::to_string(url.port), [&](beast::error_code ec, tcp::resolver::results_type endpoints) {
    if (ec) {
      result.error = "resolve " + url.host + ": " + describe_error(ec);
      return;
    }
    beast::tcp_stream& tcp_stream = url.tls ? beast::get_lowest_layer(secure) : plain;
    tcp_stream.expires_at(deadline);
    tcp_stream.async_connect(endpoints, [&](beast::error_code ec, const tcp::endpoint&) {
      if (ec) {
        result.error = "connect " + where + ": " + describe_error(ec);
        return;
      }
      if (!url.tls) return exchange(plain, req, result, options.max_body);
      SSL_set_tlsext_host_name(secure.native_handle(), url.host.c_str());  // SNI
      secure.set_verify_callback(ssl::host_name_verification(url.host));
      secure.async_handshake(ssl::stream_base::client, [&](beast::error_code ec) {
        if (ec) {
          result.error = "TLS handshake with " + where + ": " + describe_error(ec);
          return;
        }
        exchange(secure, req, result, options.max_body);
      });
    });
  });
  // The resolver has no deadline of its own: the whole exchange is bounded here.
  ioc.run_until(deadline + std::chrono::milliseconds(100));
  if (result.status == 0 && result.error.empty()) result.error = "timed out talking to " + where;
  return result;
}

}  // namespace

std::string HttpUrl::text() const {
  return (tls ? "https://" : "http://") + host + ":" + std::to_string(port) + path + query;
}

std::optional<HttpUrl> parse_http_url(std::string_view text, std::string& error) {
  HttpUrl url;
  std::string_view rest;
  if (text.starts_with("https://")) {
    url.tls = true;
    url.port = 443;
    rest = text.substr(8);
  } else if (text.starts_with("http://")) {
    rest = text.substr(7);
  } else {
    error = "expected an http:// or https:// URL";
    return std::nullopt;
  }
  rest = rest.substr(0, rest.find('#'));
  const size_t query = rest.find('?');
  if (query != std::string_view::npos) {
    url.query = std::string(rest.substr(query));
    rest = rest.substr(0, query);
  }
  const size_t slash = rest.find('/');
  std::string_view authority = rest.substr(0, slash);
  url.path = slash == std::string_view::npos ? "" : std::string(rest.substr(slash));
  while (!url.path.empty() && url.path.back() == '/') url.path.pop_back();
  if (authority.find('@') != std::string_view::npos) {
    error = "credentials in the URL (user:password@host) are not supported";
    return std::nullopt;
  }
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
    if (port.empty()) port = "x";  // "host:" is a typo, not the default port
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
                           std::string_view content_type, const HttpClientOptions& options) {
  return request(url, http::verb::post, path, &body, content_type, options);
}

HttpClientResult http_get(const HttpUrl& url, std::string_view path, const HttpClientOptions& options) {
  return request(url, http::verb::get, path, nullptr, "", options);
}

}  // namespace faultline
