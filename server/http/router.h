// Router: method + path pattern -> handler. Patterns are literal segments and
// "{name}" segments that match one non-empty segment (its value lands in
// HttpCall::path_params). An unknown path answers 404, a known path with another
// method 405 with Allow, both as problem+json.
//
// Handlers run on an I/O thread and must not block: work that takes the pipeline
// lock or touches the store goes to a WorkerPool and answers through the call's
// Responder. A handler that throws is answered with a 500 by the server.
// Routes are added before the server starts; dispatch() is then thread-safe.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "server/http/http_message.h"

namespace faultline {

class Router {
 public:
  using Handler = std::function<void(const CallPtr&)>;

  void add(http::verb method, std::string_view pattern, Handler handler);
  void dispatch(const CallPtr& call) const;

 private:
  struct Route {
    http::verb method;
    std::vector<std::string> segments;
    Handler handler;
  };
  static bool match(const Route& route, const std::vector<std::string_view>& segments,
                    std::vector<std::string>* params);
  std::vector<Route> routes_;
};

}  // namespace faultline
