// Router: method + path pattern -> handler. Patterns are literal segments and
// "{name}" segments that match one non-empty segment (its value lands in
// HttpCall::path_params). HEAD runs the GET route (the server sends no body). An
// unknown path answers 404, a known path with another method 405 with Allow,
// both as problem+json.
//
// Two steps per request. admit() runs once the headers are in, before the body is
// read or `100 Continue` sent: it answers what needs no body — 404, 405, and the
// route's guard (authentication) refusing — so that nobody makes the daemon read
// a body that no route takes or that comes without a credential. dispatch() runs
// the handler once the body is in (checking the guard itself for a call that was
// not admitted, so that no path skips it).
//
// Handlers run on an I/O thread and must not block: work that takes the pipeline
// lock or touches the store goes to a WorkerPool and answers through the call's
// Responder. A handler that throws is answered with a 500 by the server.
// Routes are added before the server starts; admit() and dispatch() are then thread-safe.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "server/http/http_message.h"

namespace faultline {

class Router {
 public:
  using Handler = std::function<void(const CallPtr&)>;
  // An answer refuses the request on its headers; nullopt lets it through.
  using Guard = std::function<std::optional<Response>(const RequestHead&)>;

  void add(http::verb method, std::string_view pattern, Handler handler, Guard guard = {});
  // The answer that needs no body (404, 405, the guard's refusal), or nullopt:
  // read the body, then dispatch().
  std::optional<Response> admit(const RequestHead& head) const;
  void dispatch(const CallPtr& call) const;

 private:
  struct Route {
    http::verb method;
    std::vector<std::string> segments;
    Handler handler;
    Guard guard;
  };
  static bool match(const Route& route, const std::vector<std::string_view>& segments,
                    std::vector<std::string>* params);
  // The route for `method` on the path, or null with `allow` listing the path's
  // methods (empty when no route has the path).
  const Route* find(http::verb method, const std::vector<std::string_view>& segments, std::string& allow) const;
  static Response not_routed(std::string_view method, std::string_view path, const std::string& allow);
  std::vector<Route> routes_;
};

}  // namespace faultline
