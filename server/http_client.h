// A small blocking HTTP/1.1 client for the daemon's outbound calls (Alertmanager),
// with one deadline over connect, write and read. Plain http:// only: in-cluster
// Alertmanagers are reached without TLS; a TLS endpoint goes behind a sidecar.
// Thread-safe (each call has its own io_context).
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace faultline {

struct HttpUrl {
  std::string host;
  uint16_t port = 80;
  std::string path;  // without the trailing '/', "" for the root
  std::string text() const;  // http://host:port/path
};

// "http://host[:port][/path]"; nullopt with `error` saying what is wrong.
std::optional<HttpUrl> parse_http_url(std::string_view text, std::string& error);

struct HttpClientResult {
  int status = 0;       // 0 when no answer arrived
  std::string body;
  std::string error;    // transport error ("connect: Connection refused", "timed out")
  bool ok() const { return status >= 200 && status < 300; }
  std::string describe() const;  // "HTTP 400: <body prefix>" or the transport error
};

HttpClientResult http_post(const HttpUrl& url, std::string_view path, const std::string& body,
                           std::string_view content_type, std::chrono::nanoseconds timeout);

}  // namespace faultline
