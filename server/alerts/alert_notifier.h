// AlertNotifier: one Alertmanager alert per incident, pushed to every configured
// Alertmanager (API v2), on transitions only — opened, escalated to a crash loop,
// reopened, resolved or merged away — and re-sent while unresolved so that
// Alertmanager does not time it out (endsAt = now + 3 × resend_interval).
//
// As a PipelineObserver it only records, under the pipeline's lock, what each
// incident's alert should be; a thread of its own sends. So ingest never waits
// for Alertmanager, and a down Alertmanager costs no memory beyond the alerts
// themselves: the state is the set of unresolved incidents' alerts (bounded by
// the correlator's incident cap) plus resolved alerts still to be delivered
// (bounded by max_pending_resolved; the oldest are dropped and counted).
//
// A new incident's alert waits `group_wait` before its first send, so that a
// cause arriving a moment after its exit (the correlator's lead tolerance) merges
// the two before anyone is paged: an alert that never went out needs no resolve.
// When the label set changes (severity, crash_loop), the old set is resolved
// (endsAt now) in the same POST, ahead of the new one.
//
// Each Alertmanager has its own schedule: a failed POST is retried with
// exponential backoff (1 s doubling up to max_backoff), and a success schedules
// the next re-send. faultline_alerts_sent_total{result} counts alerts: sent,
// failed (a POST that failed; retried), dropped (a resolved alert given up).
#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "incidents/pipeline.h"
#include "server/alerts/alert_payload.h"
#include "server/http/http_client.h"
#include "server/log.h"

namespace faultline {

struct AlertNotifierOptions {
  std::vector<HttpUrl> alertmanagers;
  AlertLinks links;
  std::chrono::nanoseconds resend_interval = std::chrono::minutes(1);
  std::chrono::nanoseconds group_wait = std::chrono::seconds(5);
  std::chrono::nanoseconds timeout = std::chrono::seconds(10);   // one POST
  std::chrono::nanoseconds max_backoff = std::chrono::minutes(1);
  size_t max_pending_resolved = 10000;
  size_t max_alerts_per_post = 500;
};

// How alerts leave: POST body (a JSON array) to one Alertmanager. Injected so
// the notifier's logic is tested without a network.
using AlertTransport = std::function<HttpClientResult(const HttpUrl& alertmanager, const std::string& body)>;
AlertTransport http_alert_transport(std::chrono::nanoseconds timeout);

// Outcome counts, for faultline_alerts_sent_total.
using AlertCounter = std::function<void(std::string_view result, size_t alerts)>;

class AlertNotifier final : public PipelineObserver {
 public:
  AlertNotifier(AlertNotifierOptions options, AlertTransport transport, AlertCounter counter, Logger& log,
                WallClock wall_clock);
  ~AlertNotifier();  // stop()
  AlertNotifier(const AlertNotifier&) = delete;
  AlertNotifier& operator=(const AlertNotifier&) = delete;

  // Unresolved incidents from the store at start: re-sent at once (Alertmanager
  // keeps one alert per label set, so this pages no one twice).
  void seed(const std::vector<Incident>& incidents);
  // The daemon learns its address only once bound; used when links.external_url is "".
  void set_external_url_default(const std::string& url);
  // Replicas: only the leader sends. A notifier that does not send keeps the
  // same state (firing alerts, resolves not yet delivered; the oldest resolves
  // beyond max_pending_resolved are forgotten without counting them), so that
  // taking the lead is set_sending(true): everything goes out at once.
  void set_sending(bool sending);
  void start();
  // Makes one last attempt at what is still undelivered (bounded by the POST
  // timeout per Alertmanager), then stops the thread.
  void stop();

  // Alerts that should be firing, and resolved alerts not yet delivered everywhere.
  size_t firing() const;
  size_t pending_resolved() const;

  void on_event(const Event&) override {}
  void on_change(const IncidentChange& change, const Incident* incident) override;
  void on_batch_end() override;

 private:
  using Clock = std::chrono::steady_clock;
  struct Firing {
    AlertLabels labels;
    Incident incident;
    Clock::time_point release_at;  // group_wait: not sent before
    bool released = false;         // release_at has passed: part of every POST
    bool offered = false;          // went into at least one POST
  };
  struct Resolved {
    uint64_t seq = 0;
    nlohmann::json alert;
    std::vector<bool> delivered;  // per Alertmanager
  };
  struct Target {
    HttpUrl url;
    bool dirty = true;  // something new to tell it
    Clock::time_point next_resend{};
    Clock::time_point retry_at{};
    int failures = 0;
  };

  void resolve_locked(const Firing& firing, Timestamp now);
  bool offered_locked(const Firing& firing) const;
  void mark_all_dirty_locked();
  void run();
  bool due_locked(const Target& target, Clock::time_point now) const;
  Clock::time_point next_wake_locked(Clock::time_point now) const;
  // Builds target's POST under the lock, sends it with the lock released.
  void send(size_t target_index, std::unique_lock<std::mutex>& lock);

  AlertNotifierOptions options_;
  AlertTransport transport_;
  AlertCounter counter_;
  Logger& log_;
  WallClock wall_clock_;

  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::unordered_map<std::string, Firing> firing_;  // by incident id
  std::deque<Resolved> resolved_;
  uint64_t next_seq_ = 0;
  std::vector<Target> targets_;
  bool changed_ = false;  // a transition since the last on_batch_end
  bool sending_ = true;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace faultline
