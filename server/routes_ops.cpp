// Operations: liveness, readiness, metrics, rule reload.
#include "server/routes.h"
#include "incidents/pipeline.h"
#include "server/alerts/alert_notifier.h"
#include "server/auth/auth.h"
#include "server/config.h"
#include "server/metrics.h"
#include "server/rule_reloader.h"
#include "server/http/worker_pool.h"
#include "store/commit_point.h"
#include "store/replicator.h"

namespace faultline {

namespace {

// Read at scrape time: one short pipeline lock per scrape.
void report_bounded_state(ServeContext& context) {
  const ServeConfig& config = context.config;
  const PipelineStats stats = context.pipeline.stats();
  Metrics& metrics = context.metrics;
  metrics.bounded_state("incidents", stats.correlator.incidents, config.correlation.max_incidents,
                        stats.correlator.incidents_dropped);
  metrics.bounded_state("pending_events", stats.correlator.pending_events, config.correlation.max_pending_total,
                        stats.correlator.pending_dropped);
  metrics.bounded_state("dedup_ids", stats.dedup_ids, config.dedup_max_entries);
  metrics.bounded_state("traces", stats.traces_pending, config.multiline.max_pending);
  metrics.bounded_state("suspect_instances", stats.suspect_instances, SuspectLog::Limits{}.instances);
  metrics.bounded_state("sampled_services", stats.sampled_services, ServiceLines::Limits{}.services);
  metrics.bounded_state("ingest_queue", context.ingest_pool.in_flight(), context.ingest_pool.capacity());
  if (context.alerts)
    metrics.bounded_state("alerts_pending_resolved", context.alerts->pending_resolved(),
                          config.alerts.max_pending_resolved);
  if (context.replicator) metrics.replica(context.replicator->leading(), context.replicator->applied());
}

}  // namespace

void add_ops_routes(Router& router, ServeContext& context) {
  router.add(http::verb::get, "/healthz", [](const CallPtr& call) {
    call->respond(json_response(http::status::ok, {{"status", "alive"}}));
  });

  // Ready = worth sending traffic to: rules loaded, the store committing, not draining.
  router.add(http::verb::get, "/readyz", [&context](const CallPtr& call) {
    std::string reason;
    auto rules = context.pipeline.rules();
    if (context.draining.load()) reason = "shutting down";
    else if (!rules || rules->rules().empty()) reason = "no rules loaded";
    else if (!context.store.healthy()) reason = "the incident store failed its last commit";
    if (!reason.empty()) {
      Response response = problem_response(Problem{503, "not-ready", "Service Unavailable", "Not ready: " + reason + "."}
                                               .with("reason", reason));
      response.set(http::field::retry_after, "1");
      call->respond(std::move(response));
      return;
    }
    call->respond(json_response(http::status::ok, {{"status", "ready"}, {"rules_loaded", rules->rules().size()}}));
  });

  router.add(http::verb::get, "/metrics", [&context](const CallPtr& call) {
    report_bounded_state(context);
    call->respond(text_response(http::status::ok, context.metrics.serialize(), Metrics::kContentType));
  });

  router.add(http::verb::post, "/-/reload", [&context](const CallPtr& call) {
    run_blocking(context, context.api_pool, call, [&context] {
      ReloadOutcome outcome = context.reloader.reload("api");
      if (outcome.ok)
        return json_response(http::status::ok, {{"status", "reloaded"},
                                                {"rules", context.reloader.path()},
                                                {"rules_loaded", outcome.rules}});
      nlohmann::json errors = nlohmann::json::array();
      for (const RuleProblem& problem : outcome.problems)
        errors.push_back({{"file", problem.file}, {"line", problem.line}, {"rule", problem.rule_id},
                          {"error", problem.describe()}});
      // 500, as Prometheus answers a failed /-/reload: the request was fine, the pack is not.
      return problem_response(Problem{500, "reload-failed", "Rule Reload Failed",
                                      "The rule pack at " + context.reloader.path() + " has " +
                                          std::to_string(outcome.problems.size()) +
                                          " problem(s); the previous rules stay in force."}
                                  .with("rules_loaded", outcome.rules)
                                  .with("errors", errors));
    });
  }, access_guard(context, Access::write));
}

}  // namespace faultline
