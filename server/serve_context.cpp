#include "server/serve_context.h"
#include "server/auth/auth.h"
#include "server/config.h"
#include "server/log.h"
#include "server/metrics.h"
#include "server/http/worker_pool.h"
#include "store/commit_point.h"

#include <chrono>

#include "store/store.h"

namespace faultline {
namespace {

std::string retry_after_seconds(const ServeConfig& config) {
  auto seconds = std::chrono::ceil<std::chrono::seconds>(config.timeouts.retry_after).count();
  return std::to_string(seconds < 1 ? 1 : seconds);
}

}  // namespace

Response overloaded_response(const ServeConfig& config, std::string_view what) {
  Response response = problem_response(
      Problem{429, "overloaded", "Too Many Requests",
              std::string(what) + " queue is full; retry after " + retry_after_seconds(config) + " s."}
          .with("limit", {{"name", "limits.ingest_queue"}, {"value", config.limits.ingest_queue}}));
  response.set(http::field::retry_after, retry_after_seconds(config));
  return response;
}

Response store_unavailable_response(const ServeConfig& config, std::string_view reason) {
  Response response = problem_response(
      Problem{503, "store-unavailable", "Service Unavailable",
              "The incident store could not commit, so nothing from this request was acknowledged: " +
                  std::string(reason)});
  response.set(http::field::retry_after, retry_after_seconds(config));
  return response;
}

Response internal_error_response() {
  return problem_response(Problem{500, "internal", "Internal Server Error",
                                  "The request could not be handled; the error is in the daemon's log."});
}

Response failure_response(ServeContext& context, std::string_view path, std::exception_ptr failure) {
  const std::string where(path);
  try {
    std::rethrow_exception(failure);
  } catch (const StoreError& e) {
    context.metrics.store_commit_failed();
    context.log.error("store", "commit failed", {{"path", where}, {"error", e.what()}});
    return store_unavailable_response(context.config, e.what());
  } catch (const std::exception& e) {
    context.log.error("http", "handler failed", {{"path", where}, {"error", e.what()}});
  } catch (...) {
    context.log.error("http", "handler failed", {{"path", where}, {"error", "unknown"}});
  }
  return internal_error_response();
}

Response auth_response(const AuthDecision& decision) {
  const bool forbidden = decision.status == 403;
  Response response = problem_response(Problem{decision.status, forbidden ? "forbidden" : "unauthorized",
                                               forbidden ? "Forbidden" : "Unauthorized", decision.detail});
  if (!forbidden)
    response.set(http::field::www_authenticate,
                 decision.challenge.empty() ? std::string("Bearer realm=\"faultline\"") : decision.challenge);
  return response;
}

Router::Guard access_guard(ServeContext& context, Access access) {
  return [&context, access](const RequestHead& head) -> std::optional<Response> {
    AuthDecision decision = context.auth.check(head, access);
    if (decision.allowed()) return std::nullopt;
    return auth_response(decision);
  };
}

void run_blocking(ServeContext& context, WorkerPool& pool, const CallPtr& call, std::function<Response()> job,
                  std::function<void(int status)> answered, WhenFull when_full) {
  auto finish = [call, answered](Response&& response) {
    // Counted before answering, so a client that reads /metrics right after its
    // answer sees its own request.
    if (answered) answered(response.result_int());
    call->respond(std::move(response));
  };
  auto run = [&context, call, job = std::move(job), finish] {
    Response response;
    try {
      response = job();
    } catch (...) {
      response = failure_response(context, call->path, std::current_exception());
    }
    finish(std::move(response));
  };
  if (pool.try_submit(run)) return;
  if (when_full == WhenFull::run_here) {
    run();
    return;
  }
  finish(overloaded_response(context.config, &pool == &context.ingest_pool ? "The ingest" : "The API"));
}

}  // namespace faultline
