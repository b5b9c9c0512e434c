#include "server/http/http_session.h"

#include <algorithm>
#include <vector>

#include <boost/beast/http/rfc7230.hpp>

#include "codec/percent.h"
#include "codec/units.h"

namespace faultline::session_detail {
namespace {

// Beast reads a Transfer-Encoding that does not end in chunked as "no body", so
// the body would be parsed as the next request on the connection (request
// smuggling); RFC 9112 §6.3 says the length cannot be known: 400 and close.
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
                                     [](std::string_view c) { return boost::beast::iequals(c, "chunked"); });
  if (codings.empty() || !boost::beast::iequals(codings.back(), "chunked") || chunked > 1)
    return Problem{400, "bad-transfer-encoding", "Bad Request",
                   "Transfer-Encoding must end in chunked, once (RFC 9112 §6.3); got '" + value + "'."};
  if (codings.size() > 1)
    return Problem{501, "unsupported-transfer-encoding", "Not Implemented",
                   "Only the chunked transfer coding is supported; got '" + value +
                       "'. Compress with Content-Encoding: gzip."};
  return std::nullopt;
}

}  // namespace

std::string without_token(std::string_view target) {
  const size_t query = target.find('?');
  if (query == std::string_view::npos) return std::string(target);
  std::string out(target.substr(0, query + 1));
  for (size_t start = query + 1;;) {
    const size_t end = std::min(target.find('&', start), target.size());
    const std::string_view pair = target.substr(start, end - start);
    const size_t eq = pair.find('=');
    if (eq != std::string_view::npos && percent_decode(pair.substr(0, eq), true) == "token")
      out.append(pair.substr(0, eq + 1)).append("REDACTED");
    else
      out.append(pair);
    if (end == target.size()) return out;
    out += '&';
    start = end + 1;
  }
}

std::optional<Problem> header_problem(const Request& request) {
  if (auto problem = transfer_encoding_problem(request)) return problem;
  // RFC 9112 §3.2: exactly one Host in HTTP/1.1, at most one in HTTP/1.0.
  if (const size_t hosts = request.count(http::field::host); hosts > 1 || (hosts == 0 && request.version() >= 11))
    return Problem{400, "bad-host", "Bad Request",
                   "An HTTP/1.1 request needs exactly one Host header field (RFC 9112 §3.2)."};
  return std::nullopt;
}

Problem read_problem(boost::beast::error_code ec, const HttpServerOptions& options, std::string_view& reason) {
  if (ec == http::error::body_limit) {
    reason = "body_too_large";
    return Problem{413, "body-too-large", "Payload Too Large",
                   "The request body exceeds limits.max_body (" + format_size(options.max_body) +
                       "); send smaller batches."}
        .with("limit", {{"name", "limits.max_body"}, {"bytes", options.max_body}});
  }
  if (ec == http::error::header_limit) {
    reason = "header_too_large";
    return Problem{431, "header-too-large", "Request Header Fields Too Large",
                   "The request line and headers exceed limits.max_header (" + format_size(options.max_header) + ")."}
        .with("limit", {{"name", "limits.max_header"}, {"bytes", options.max_header}});
  }
  reason = "malformed_http";
  return Problem{400, "malformed-http", "Bad Request", "Malformed HTTP request: " + ec.message() + "."};
}

}  // namespace faultline::session_detail
