// `faultline serve`: wires config, rules, store, pipeline, metrics, worker pools
// and the HTTP server together, then runs until SIGTERM/SIGINT and drains.
#include "server/serve_command.h"

#include <csignal>
#include <condition_variable>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <mutex>

#include <unistd.h>

#ifdef __GLIBC__
#include <malloc.h>
#endif

#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>

#include "store/pg_connection.h"
#include "incidents/pipeline.h"
#include "store/postgres_store.h"
#include "store/sqlite_store.h"
#include "rules/rule_set.h"
#include "server/alerts/alert_notifier.h"
#include "server/auth/auth.h"
#include "server/config.h"
#include "server/fanout_observer.h"
#include "server/http/http_server.h"
#include "server/log.h"
#include "server/metrics.h"
#include "store/replicator.h"
#include "server/routes.h"
#include "server/rule_reloader.h"
#include "server/serve_context.h"
#include "store/store_observer.h"
#include "server/http/worker_pool.h"

#ifndef FAULTLINE_VERSION
#define FAULTLINE_VERSION "dev"
#endif

namespace faultline {
namespace {

namespace net = boost::asio;

// How often the pipeline's timer work runs: flushing multi-line traces that went
// quiet, and retrying a store commit that failed.
constexpr auto kTickInterval = std::chrono::seconds(1);
// API and reload work is light; two threads keep one slow call from blocking the rest.
constexpr size_t kApiThreads = 2;
constexpr size_t kApiQueue = 64;
// Live, event time ends quiet periods (auto-resolve); a host whose clock runs
// further ahead than this cannot end them early for every other service.
constexpr auto kMaxClockAhead = std::chrono::minutes(1);

int config_error(const std::string& message) {
  std::fprintf(stderr, "faultline: %s\n", message.c_str());
  return 2;
}

Timestamp wall_now() {
  return Timestamp{std::chrono::time_point_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now())};
}

std::unique_ptr<AlertNotifier> make_alert_notifier(const ServeConfig& config, Metrics& metrics, Logger& log,
                                                   WallClock wall_clock) {
  AlertNotifierOptions options;
  for (const std::string& text : config.alertmanager) {
    std::string error;
    options.alertmanagers.push_back(*parse_http_url(text, error));  // validated with the config
  }
  options.links = {config.alerts.external_url, config.alerts.runbook_url};
  options.resend_interval = config.alerts.resend_interval;
  options.group_wait = config.alerts.group_wait;
  options.timeout = config.alerts.timeout;
  options.max_pending_resolved = config.alerts.max_pending_resolved;
  return std::make_unique<AlertNotifier>(
      options, http_alert_transport(options.timeout),
      [&metrics](std::string_view result, size_t alerts) { metrics.alerts_sent(result, alerts); }, log,
      std::move(wall_clock));
}

// Names this process in the shared journal, for an operator reading it.
std::string replica_name() {
  char host[256] = {};
  if (gethostname(host, sizeof host - 1) != 0) host[0] = '\0';
  return std::string(host[0] ? host : "unknown") + ":" + std::to_string(getpid());
}

bool write_port_file(const std::string& path, uint16_t port, std::string& error) {
  // Written whole then renamed, so a reader never sees a half-written number.
  const std::string temporary = path + ".tmp";
  {
    std::ofstream out(temporary, std::ios::trunc);
    out << port << '\n';
    if (!out) {
      error = "cannot write " + temporary;
      return false;
    }
  }
  std::error_code ec;
  std::filesystem::rename(temporary, path, ec);
  if (ec) error = "cannot rename " + temporary + " to " + path + ": " + ec.message();
  return !ec;
}

// Shutdown requests from the signal handler to the main thread.
class ShutdownLatch {
 public:
  void request() {
    {
      std::lock_guard lock(mutex_);
      ++requests_;
    }
    changed_.notify_all();
  }
  void wait() {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [&] { return requests_ > 0; });
  }
  int requests() {
    std::lock_guard lock(mutex_);
    return requests_;
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  int requests_ = 0;
};

}  // namespace

int run_serve(const std::vector<std::string>& args) {
#ifdef __GLIBC__
  // A fixed mmap threshold: a batch's large vectors are mapped and unmapped
  // whole. Left dynamic, glibc raises the threshold to the largest block freed
  // so far, and every later batch's vectors stay behind in the heap as RSS.
  mallopt(M_MMAP_THRESHOLD, 256 << 10);
#endif
  ServeCommandLine command;
  try {
    command = load_serve_config(args, process_environment());
  } catch (const ConfigError& e) {
    return config_error(e.what());
  }
  if (command.help) {
    std::fputs(serve_usage().c_str(), stdout);
    return 0;
  }
  const ServeConfig& config = command.config;
  Logger log(config.log_level);

  std::vector<RuleProblem> problems;
  std::shared_ptr<const RuleSet> rules = RuleSet::load(config.rules, problems);
  if (!rules) {
    std::string message = "rules " + config.rules + " (from " + config.rules_origin + "): " +
                          std::to_string(problems.size()) + " problem(s); the daemon does not start on an invalid rule pack";
    for (const RuleProblem& problem : problems) message += "\n  " + problem.describe();
    return config_error(message);
  }

  // SQLite for one instance; PostgreSQL for replicas sharing a journal.
  const bool replicated = is_postgres_url(config.store);
  const std::string store_name = replicated ? pg::redact_url(config.store) : config.store;
  std::unique_ptr<SqliteStore> sqlite_store;
  std::unique_ptr<PostgresStore> postgres_store;
  std::unique_ptr<PostgresJournal> journal;
  int64_t journal_position = 0;
  std::vector<Incident> restored;
  std::vector<std::pair<std::string, Timestamp>> seen_ids;
  try {
    if (replicated) {
      postgres_store = PostgresStore::open(config.store);
      PostgresStore::Snapshot snapshot = postgres_store->load_snapshot();
      restored = std::move(snapshot.incidents);
      journal_position = snapshot.seq;
    } else {
      SqliteStoreOptions store_options;
      store_options.source_id_horizon = config.dedup_horizon;
      sqlite_store = SqliteStore::open(config.store, store_options);
      restored = sqlite_store->load_incidents();
      seen_ids = sqlite_store->load_source_ids(wall_now() - config.dedup_horizon);
    }
  } catch (const StoreError& e) {
    // The PostgreSQL store's errors name it already (password redacted).
    return config_error(replicated ? e.what() : "store " + store_name + ": " + e.what());
  }

  PipelineConfig pipeline_config;
  pipeline_config.correlator = config.correlation;
  pipeline_config.correlator.max_clock_ahead = kMaxClockAhead;
  pipeline_config.multiline = config.multiline;
  pipeline_config.dedup_horizon = config.dedup_horizon;
  pipeline_config.dedup_max_entries = config.dedup_max_entries;
  Pipeline pipeline(rules, pipeline_config, wall_now);

  Metrics metrics({config.limits.max_service_labels, FAULTLINE_VERSION});
  metrics.seed(restored);
  metrics.rules_loaded(rules->rules().size());
  const size_t restored_count = restored.size();
  std::unique_ptr<AlertNotifier> alerts;
  if (!config.alertmanager.empty()) {
    alerts = make_alert_notifier(config, metrics, log, wall_now);
    alerts->set_sending(!replicated);  // replicas: the leader only
    alerts->seed(restored);
  }
  pipeline.restore(std::move(restored), seen_ids);

  std::unique_ptr<StoreObserver> store_observer;
  std::unique_ptr<Replicator> replicator;
  std::vector<PipelineObserver*> observer_list{&metrics};
  if (replicated) {
    ReplicatorOptions replicator_options;
    replicator_options.dedup_horizon = config.dedup_horizon;
    replicator_options.leadership = [&alerts](bool leading) {
      if (alerts) alerts->set_sending(leading);
    };
    replicator_options.fatal = [&log](const std::string& reason) {
      log.error("journal", "this replica stops: it cannot follow the shared journal", {{"reason", reason}});
      std::raise(SIGTERM);  // drain as on any shutdown; the orchestrator restarts it
    };
    const std::string replica = replica_name();
    journal = std::make_unique<PostgresJournal>(config.store, replica);
    replicator = std::make_unique<Replicator>(pipeline, *postgres_store, *journal, journal_position, replica,
                                              std::move(replicator_options), log, wall_now);
    observer_list.push_back(replicator.get());
    pipeline.set_journal(replicator.get());
  } else {
    store_observer = std::make_unique<StoreObserver>(*sqlite_store, wall_now);
    observer_list.push_back(store_observer.get());
  }
  CommitPoint& commit_point = replicated ? static_cast<CommitPoint&>(*replicator) : *store_observer;
  if (alerts) observer_list.push_back(alerts.get());
  FanoutObserver observers(std::move(observer_list));
  pipeline.set_observer(&observers);
  if (replicator) replicator->start();

  WorkerPool ingest_pool("ingest", config.limits.ingest_threads, config.limits.ingest_queue, log);
  WorkerPool api_pool("api", kApiThreads, kApiQueue, log);
  RuleReloader reloader(config.rules, pipeline, metrics, log);
  std::atomic<bool> draining{false};
  Authenticator auth(config.auth, log, wall_now);
  if (std::string error; !auth.start(error)) return config_error(error);
  ServeContext context{config,    pipeline, commit_point, metrics,      log,      ingest_pool, api_pool,
                       reloader,  auth,     alerts.get(), replicator.get(), wall_now, draining};

  Router router;
  add_ingest_routes(router, context);
  add_api_routes(router, context);
  add_ops_routes(router, context);
  add_web_routes(router, context);

  HttpServerOptions server_options;
  server_options.max_body = config.limits.max_body;
  server_options.max_header = config.limits.max_header;
  server_options.max_connections = config.limits.max_connections;
  server_options.header_timeout = config.timeouts.header;
  server_options.idle_timeout = config.timeouts.idle;
  server_options.request_timeout = config.timeouts.request;
  server_options.retry_after = std::chrono::ceil<std::chrono::seconds>(config.timeouts.retry_after);
  server_options.io_threads = config.io_threads;
  HttpServerHooks hooks;
  hooks.connection_rejected = [&metrics] { metrics.connection_rejected(); };
  hooks.connections_changed = [&metrics](long delta) { metrics.connections_changed(delta); };
  hooks.request_refused = [&metrics](std::string_view reason) { metrics.ingest_rejected(reason); };
  HttpServer server(server_options, router, log, hooks);

  // Nobody beyond this machine may push or read without a credential.
  boost::system::error_code address_error;
  const auto listen_address = boost::asio::ip::make_address(config.host, address_error);
  const bool loopback = config.host == "localhost" || (!address_error && listen_address.is_loopback());
  const bool protected_ = config.auth.ingest_protected() && config.auth.api_protected();
  if (!loopback && !protected_) {
    std::string missing = !config.auth.ingest_protected() ? "ingest (auth.ingest_tokens or auth.oidc_audience)" : "";
    if (!config.auth.api_protected())
      missing += std::string(missing.empty() ? "" : " and ") + "the incident API (auth.read_tokens / auth.write_tokens)";
    if (!config.auth.insecure)
      return config_error("listen " + config.listen + ": not a loopback address, and no credential protects " + missing +
                          ". Configure tokens ($FAULTLINE_INGEST_TOKENS, $FAULTLINE_READ_TOKENS, "
                          "$FAULTLINE_WRITE_TOKENS or the auth section), or pass --insecure if something in front "
                          "of the daemon authenticates callers.");
    log.warn("auth", "listening beyond loopback with no credential (--insecure)", {{"listen", config.listen}, {"unprotected", missing}});
  } else if (!config.auth.ingest_protected() && !config.auth.api_protected()) {
    log.info("auth", "no tokens configured: listening on loopback only");
  }

  boost::asio::ip::tcp::endpoint bound;
  try {
    bound = server.listen(config.host, config.port);
  } catch (const boost::system::system_error& e) {
    std::fprintf(stderr, "faultline: listen %s: %s\n", config.listen.c_str(), e.code().message().c_str());
    return 1;
  }
  const std::string address = (bound.address().is_v6() ? "[" + bound.address().to_string() + "]"
                                                        : bound.address().to_string()) +
                              ":" + std::to_string(bound.port());
  if (!config.port_file.empty()) {
    std::string error;
    if (!write_port_file(config.port_file, bound.port(), error)) {
      std::fprintf(stderr, "faultline: port_file %s: %s\n", config.port_file.c_str(), error.c_str());
      return 2;
    }
  }

  // A store that hits a file-size limit (RLIMIT_FSIZE) must fail its commit
  // (503, Pub/Sub retries) rather than kill the daemon with SIGXFSZ.
  std::signal(SIGXFSZ, SIG_IGN);
  ShutdownLatch shutdown;
  net::signal_set signals(server.context(), SIGINT, SIGTERM, SIGHUP);
  std::function<void(const boost::system::error_code&, int)> on_signal =
      [&](const boost::system::error_code& ec, int signal) {
        if (ec) return;
        if (signal == SIGHUP) {
          if (!api_pool.try_submit([&reloader] { reloader.reload("SIGHUP"); }))
            log.warn("rules", "reload skipped: the API worker queue is full", {{"trigger", "SIGHUP"}});
        } else {
          shutdown.request();
        }
        signals.async_wait(on_signal);
      };
  signals.async_wait(on_signal);

  net::steady_timer ticker(server.context());
  std::atomic<bool> tick_running{false};
  std::function<void(const boost::system::error_code&)> on_tick = [&](const boost::system::error_code& ec) {
    if (ec || draining.load()) return;
    if (!tick_running.exchange(true)) {
      bool submitted = ingest_pool.try_submit([&] {
        try {
          pipeline.tick(wall_now());
          commit_point.sync(commit_point.sealed());
        } catch (const StoreError& e) {
          metrics.store_commit_failed();
          log.warn("store", "commit failed", {{"error", e.what()}});
        }
        tick_running.store(false);
      });
      if (!submitted) tick_running.store(false);  // busy ingesting: the next tick will do it
    }
    ticker.expires_after(kTickInterval);
    ticker.async_wait(on_tick);
  };
  ticker.expires_after(kTickInterval);
  ticker.async_wait(on_tick);

  if (alerts) {
    alerts->set_external_url_default("http://" + address);
    alerts->start();
  }
  server.start();
  log.info("serve", "listening",
           {{"addr", address}, {"rules", config.rules}, {"rules_from", config.rules_origin},
            {"rules_loaded", rules->rules().size()}, {"store", store_name},
            {"incidents_restored", restored_count}, {"io_threads", config.io_threads},
            {"ingest_threads", config.limits.ingest_threads}, {"alertmanagers", config.alertmanager.size()},
            {"version", FAULTLINE_VERSION}});
  rules.reset();  // the pipeline holds the rules; a reload must be able to free them

  shutdown.wait();

  // Drain: stop accepting, answer what is in flight (Pub/Sub redelivers whatever
  // was not answered), then commit and exit, all within timeouts.drain.
  const auto deadline = std::chrono::steady_clock::now() +
                        std::chrono::duration_cast<std::chrono::steady_clock::duration>(config.timeouts.drain);
  log.info("serve", "draining", {{"connections", server.connections()},
                                 {"timeout_s", std::chrono::duration_cast<std::chrono::seconds>(config.timeouts.drain).count()}});
  draining.store(true);
  server.begin_drain();
  const bool drained = server.wait_drained(deadline);
  const bool idle = ingest_pool.wait_idle(deadline) && api_pool.wait_idle(deadline);
  if (!idle) {
    // A worker is stuck (a store that does not return): its request was never
    // answered, so Pub/Sub will redeliver it. Exiting now is the bound we promised.
    log.error("serve", "forced exit: workers still busy after the drain timeout",
              {{"ingest_in_flight", ingest_pool.in_flight()}, {"api_in_flight", api_pool.in_flight()}});
    std::fflush(stderr);
    std::_Exit(1);
  }
  if (!drained) log.warn("serve", "drain timeout: closing the remaining connections", {{"connections", server.connections()}});
  net::post(server.context(), [&] {
    signals.cancel();
    ticker.cancel();
  });
  server.stop();
  ingest_pool.join();
  api_pool.join();

  int exit_code = 0;
  try {
    commit_point.sync(commit_point.sealed());
  } catch (const StoreError& e) {
    log.error("store", "final commit failed", {{"error", e.what()}});
    exit_code = 1;
  }
  if (replicator) replicator->stop();
  if (alerts) alerts->stop();  // one last push of what Alertmanager has not heard
  pipeline.set_observer(nullptr);
  log.info("serve", "stopped", {{"drained", drained}, {"exit_code", exit_code}});
  return exit_code;
}

}  // namespace faultline
