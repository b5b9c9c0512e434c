// The request/response vocabulary shared by the HTTP server and the routes:
// message types, an HttpCall (one request being answered) and its Responder,
// and builders for JSON, problem and text responses.
#pragma once

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <nlohmann/json.hpp>

#include "server/http/problem.h"

namespace faultline {

namespace http = boost::beast::http;
using Request = http::request<http::string_body>;
using Response = http::response<http::string_body>;

// Answers one request exactly once, from any thread. The first call wins and
// later ones are ignored (a handler bug must not write twice on a connection);
// if every copy is dropped without an answer, a 500 is sent so the connection
// never hangs waiting.
class Responder {
 public:
  using Send = std::function<void(Response&&)>;
  explicit Responder(Send send);
  void operator()(Response&& response) const;
  bool answered() const;

 private:
  struct State;
  std::shared_ptr<State> state_;
};

// Query parameters, percent-decoded; a repeated name keeps its first value.
using QueryParams = std::map<std::string, std::string, std::less<>>;
std::optional<std::string_view> query_param(const QueryParams& query, std::string_view name);

// A request whose headers are in and whose body is not read yet: what routing
// and authentication decide on (Router::admit).
struct RequestHead {
  const http::request_header<>& header;
  std::string_view path;
  const QueryParams& query;

  std::optional<std::string_view> param(std::string_view name) const { return query_param(query, name); }
};

struct HttpCall {
  Request request;
  std::string path;                      // target before '?', percent-decoded
  QueryParams query;
  std::vector<std::string> path_params;  // values of the route's "{…}" segments, in order
  Responder respond;
  bool admitted = false;                 // Router::admit() passed it on its headers

  std::optional<std::string_view> param(std::string_view name) const { return query_param(query, name); }
  RequestHead head() const { return {request, path, query}; }
};
using CallPtr = std::shared_ptr<HttpCall>;

// Splits a request target into path and query. False when the target is neither
// origin-form ("/…") nor absolute-form ("http://host/…"), or its percent-encoding
// is broken.
bool split_target(std::string_view target, std::string& path, QueryParams& query);

// Builders: status, body and Content-Type set; keep-alive and version copied
// from the request by the server.
Response json_response(http::status status, const nlohmann::json& body);
Response problem_response(const Problem& problem);
Response text_response(http::status status, std::string body, std::string_view content_type);

}  // namespace faultline
