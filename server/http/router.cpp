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

void Router::add(http::verb method, std::string_view pattern, Handler handler) {
  Route route{method, {}, std::move(handler)};
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

void Router::dispatch(const CallPtr& call) const {
  const auto segments = split_path(call->path);
  std::string allow;
  for (const Route& route : routes_) {
    if (!match(route, segments, nullptr)) continue;
    if (route.method == call->request.method()) {
      call->path_params.clear();
      match(route, segments, &call->path_params);
      route.handler(call);
      return;
    }
    if (!allow.empty()) allow += ", ";
    allow += std::string(http::to_string(route.method));
  }
  if (!allow.empty()) {
    Response response = problem_response(
        Problem{405, "method-not-allowed", "Method Not Allowed",
                std::string(call->request.method_string()) + " is not supported on " + call->path + "; use " + allow}
            .with("allow", allow));
    response.set(http::field::allow, allow);
    call->respond(std::move(response));
    return;
  }
  call->respond(problem_response(Problem{404, "not-found", "Not Found", "No such endpoint: " + call->path}));
}

}  // namespace faultline
