// A small blocking HTTP/1.1 client for the daemon's outbound calls (Alertmanager,
// an OIDC provider's JWKS), with one deadline over resolve, connect, TLS
// handshake, write and read. https:// verifies the peer against the system's CA
// store (or `ca_file`) and its host name.
// Thread-safe (each call has its own io_context).
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace faultline {

struct HttpUrl {
  bool tls = false;
  std::string host;
  uint16_t port = 80;
  std::string path;   // without the trailing '/', "" for the root
  std::string query;  // "?…" as written, or ""; sent after the path of every request
  std::string text() const;  // http[s]://host:port/path?query
};

// "http[s]://host[:port][/path][?query]"; a #fragment is dropped, as a client
// never sends it. nullopt with `error` saying what is wrong; credentials in the
// URL (user:password@host) are refused, since nothing here would send them.
std::optional<HttpUrl> parse_http_url(std::string_view text, std::string& error);

struct HttpClientResult {
  int status = 0;       // 0 when no answer arrived
  std::string body;
  std::string error;    // transport error ("connect 10.0.0.1:9093: Connection refused", "timed out")
  bool ok() const { return status >= 200 && status < 300; }
  std::string describe() const;  // "HTTP 400: <body prefix>" or the transport error
};

struct HttpClientOptions {
  std::chrono::nanoseconds timeout = std::chrono::seconds(10);
  std::string ca_file;  // https: trust these CAs instead of the system's
  size_t max_body = 1 << 20;
};

HttpClientResult http_post(const HttpUrl& url, std::string_view path, const std::string& body,
                           std::string_view content_type, const HttpClientOptions& options);
HttpClientResult http_get(const HttpUrl& url, std::string_view path, const HttpClientOptions& options);

}  // namespace faultline
