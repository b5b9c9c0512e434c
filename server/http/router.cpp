#include "server/http/router.h"

namespace faultline {
namespace {

std::vector<std::string_view> split_path(std::string_view path) {
  std::vector<std::string_view> out;
  size_t start = 1;  // paths start with '/'
  while (start <= path.size()) {
    size_t slash = path.find('/', start);
    if (slash == std::string_view::npos) slash = path.size();
    out.push_back(path.substr(start, slash - start));
    start = slash + 1;
  }
  return out;
}

}  // namespace

void Router::add(http::verb method, std::string_view pattern, Handler handler, Guard guard) {
  Route route{method, {}, std::move(handler), std::move(guard)};
  for (std::string_view segment : split_path(pattern)) route.segments.emplace_back(segment);
  routes_.push_back(std::move(route));
}

bool Router::match(const Route& route, const std::vector<std::string_view>& segments,
                   std::vector<std::string>* params) {
  if (route.segments.size() != segments.size()) return false;
  for (size_t i = 0; i < segments.size(); ++i) {
    const std::string& want = route.segments[i];
    if (want.size() > 2 && want.front() == '{' && want.back() == '}') {
      if (segments[i].empty()) return false;
      if (params) params->emplace_back(segments[i]);
    } else if (want != segments[i]) {
      return false;
    }
  }
  return true;
}

const Router::Route* Router::find(http::verb method, const std::vector<std::string_view>& segments,
                                  std::string& allow) const {
  for (const Route& route : routes_) {
    if (!match(route, segments, nullptr)) continue;
    // HEAD is GET without the body (RFC 9110 §9.3.2); the server leaves the body out.
    if (route.method == method || (method == http::verb::head && route.method == http::verb::get)) return &route;
    if (!allow.empty()) allow += ", ";
    allow += std::string(http::to_string(route.method));
    if (route.method == http::verb::get) allow += ", HEAD";
  }
  return nullptr;
}

Response Router::not_routed(std::string_view method, std::string_view path, const std::string& allow) {
  if (allow.empty())
    return problem_response(Problem{404, "not-found", "Not Found", "No such endpoint: " + std::string(path)});
  Response response = problem_response(
      Problem{405, "method-not-allowed", "Method Not Allowed",
              std::string(method) + " is not supported on " + std::string(path) + "; use " + allow}
          .with("allow", allow));
  response.set(http::field::allow, allow);
  return response;
}

std::optional<Response> Router::admit(const RequestHead& head) const {
  std::string allow;
  const Route* route = find(head.header.method(), split_path(head.path), allow);
  if (!route) return not_routed(head.header.method_string(), head.path, allow);
  if (route->guard) return route->guard(head);
  return std::nullopt;
}

void Router::dispatch(const CallPtr& call) const {
  const auto segments = split_path(call->path);
  std::string allow;
  const Route* route = find(call->request.method(), segments, allow);
  if (!route) return call->respond(not_routed(call->request.method_string(), call->path, allow));
  if (route->guard && !call->admitted) {
    if (auto refusal = route->guard(call->head())) return call->respond(std::move(*refusal));
  }
  call->path_params.clear();
  match(*route, segments, &call->path_params);
  route->handler(call);
}

}  // namespace faultline
