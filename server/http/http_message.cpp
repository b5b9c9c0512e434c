#include "server/http/http_message.h"

#include "codec/percent.h"

namespace faultline {

struct Responder::State {
  Send send;
  std::atomic<bool> answered{false};
  ~State() {
    if (answered.load() || !send) return;
    // A handler dropped the call without answering: answer for it rather than
    // leave the client waiting until its timeout.
    try {
      send(problem_response(Problem{500, "unanswered", "Internal Server Error",
                                    "The request was dropped without an answer; this is a bug in faultline."}));
    } catch (...) {
    }
  }
};

Responder::Responder(Send send) : state_(std::make_shared<State>()) { state_->send = std::move(send); }

void Responder::operator()(Response&& response) const {
  if (state_->answered.exchange(true)) return;
  state_->send(std::move(response));
}

bool Responder::answered() const { return state_->answered.load(); }

std::optional<std::string_view> query_param(const QueryParams& query, std::string_view name) {
  auto it = query.find(name);
  if (it == query.end()) return std::nullopt;
  return std::string_view(it->second);
}

bool split_target(std::string_view target, std::string& path, QueryParams& query) {
  // absolute-form ("http://host/path?query", what clients send to a proxy; RFC
  // 9112 §3.2.2): routed on its path and query. The authority, like Host, names
  // this server whatever it says.
  std::string from_absolute;
  if (!target.starts_with('/')) {
    const size_t scheme_end = target.find("://");
    if (scheme_end == std::string_view::npos) return false;
    const std::string_view scheme = target.substr(0, scheme_end);
    if (!boost::beast::iequals(scheme, "http") && !boost::beast::iequals(scheme, "https")) return false;
    const std::string_view rest = target.substr(scheme_end + 3);
    const size_t authority_end = rest.find_first_of("/?");
    if (authority_end == 0) return false;
    from_absolute = authority_end == std::string_view::npos ? "/" : std::string(rest.substr(authority_end));
    if (from_absolute.front() == '?') from_absolute.insert(0, "/");
    target = from_absolute;
  }
  std::string_view raw_path = target, raw_query;
  if (auto q = target.find('?'); q != std::string_view::npos) {
    raw_path = target.substr(0, q);
    raw_query = target.substr(q + 1);
  }
  if (auto hash = raw_query.find('#'); hash != std::string_view::npos) raw_query = raw_query.substr(0, hash);
  auto decoded = percent_decode(raw_path, false);
  if (!decoded) return false;
  path = std::move(*decoded);
  query.clear();
  while (!raw_query.empty()) {
    auto amp = raw_query.find('&');
    std::string_view pair = raw_query.substr(0, amp);
    raw_query = amp == std::string_view::npos ? std::string_view() : raw_query.substr(amp + 1);
    if (pair.empty()) continue;
    auto eq = pair.find('=');
    auto name = percent_decode(pair.substr(0, eq), true);
    auto value = percent_decode(eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1), true);
    if (!name || !value) return false;
    query.emplace(std::move(*name), std::move(*value));
  }
  return true;
}

Response json_response(http::status status, const nlohmann::json& body) {
  Response response{status, 11};
  response.set(http::field::content_type, "application/json");
  // Invalid UTF-8 from logs must not make dump() throw: replace it.
  response.body() = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  response.body() += '\n';
  return response;
}

Response problem_response(const Problem& problem) {
  Response response{static_cast<http::status>(problem.status), 11};
  response.set(http::field::content_type, kProblemContentType);
  response.body() = problem.to_json().dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  response.body() += '\n';
  return response;
}

Response text_response(http::status status, std::string body, std::string_view content_type) {
  Response response{status, 11};
  response.set(http::field::content_type, content_type);
  response.body() = std::move(body);
  return response;
}

}  // namespace faultline
