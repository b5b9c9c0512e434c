// ServeContext: what the route handlers share, owned by the daemon (serve.cpp)
// and alive until the server and worker pools have stopped. Plus the helpers
// every route uses to run blocking work off the I/O threads.
#pragma once

#include <atomic>
#include <exception>
#include <functional>
#include <string_view>

#include "incidents/correlator.h"  // WallClock
#include "server/http/http_message.h"
#include "server/http/router.h"

namespace faultline {

// Each route file includes the headers of the parts it uses.
class AlertNotifier;
class Authenticator;
class CommitPoint;
class Logger;
class Metrics;
class Pipeline;
class Replicator;
class RuleReloader;
class WorkerPool;
struct AuthDecision;
struct ServeConfig;
enum class Access;

struct ServeContext {
  const ServeConfig& config;
  Pipeline& pipeline;
  CommitPoint& store;  // answer 2xx only after store.sync()
  Metrics& metrics;
  Logger& log;
  WorkerPool& ingest_pool;  // ingest requests and the pipeline tick
  WorkerPool& api_pool;     // incident API, reloads: kept apart so on-call is answered under ingest load
  RuleReloader& reloader;
  Authenticator& auth;
  AlertNotifier* alerts;  // null without --alertmanager
  const Replicator* replicator;  // null with SQLite
  WallClock wall_clock;
  std::atomic<bool>& draining;
};

// 429 + Retry-After: the worker pool is full; the client should retry.
Response overloaded_response(const ServeConfig& config, std::string_view what);
// 503 + Retry-After: the store could not commit; nothing was acknowledged.
Response store_unavailable_response(const ServeConfig& config, std::string_view reason);
Response internal_error_response();
// A handler's failure (`failure` non-null), logged with the request's path:
// the store's 503, anything else 500.
Response failure_response(ServeContext& context, std::string_view path, std::exception_ptr failure);
// 401 (with WWW-Authenticate) or 403, as RFC 7807, saying what was missing.
Response auth_response(const AuthDecision& decision);

// The route guard for `access`: a 401/403 on the headers, before any body is read.
Router::Guard access_guard(ServeContext& context, Access access);

enum class WhenFull { refuse, run_here };

// Runs `job` on `pool` and answers with what it returns. A full pool answers 429
// (or, with WhenFull::run_here, runs the job on the calling thread);
// a StoreError 503; any other exception 500 with an error log line. `answered`
// (may be empty) sees the final status, on whatever thread answered.
void run_blocking(ServeContext& context, WorkerPool& pool, const CallPtr& call, std::function<Response()> job,
                  std::function<void(int status)> answered = {}, WhenFull when_full = WhenFull::refuse);

}  // namespace faultline
