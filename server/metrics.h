// Metrics: the daemon's prometheus-cpp Registry and every series the README's Metrics reference
// names, registered once at construction and kept as references (no global
// registry). Served at GET /metrics through TextSerializer by our own route.
//
// It is also a PipelineObserver: rule matches, exits, openings, crash loops,
// resolutions and the MTTR/MTTA/detection-delay histograms are counted from the
// pipeline's events and changes, so scan and serve count the same things.
//
// Label values from logs (service) go through a LabelCap of
// limits.max_service_labels; folded values count in
// faultline_label_values_dropped_total{label="service"}. root_cause and rule
// labels are bounded by the rule pack, code by exit_label().
//
// faultline_incidents_open{service,severity} counts unresolved incidents (open
// or acknowledged): it is what is still broken, whether or not someone is on it.
// faultline_incidents_opened_total counts openings and reopenings (regressions).
//
// Thread-safe: counters are atomic in prometheus-cpp; the observer part is called
// under the pipeline's lock and keeps its own small state under a mutex.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include "incidents/pipeline.h"
#include "server/label_cap.h"

namespace faultline {

struct MetricsOptions {
  size_t max_service_labels = 200;
  std::string version;
};

class Metrics final : public PipelineObserver {
 public:
  explicit Metrics(MetricsOptions options);

  // Prometheus text exposition format 0.0.4.
  std::string serialize() const;
  static constexpr const char* kContentType = "text/plain; version=0.0.4; charset=utf-8";

  // Ingest endpoints are "pubsub", "logs", "raw", "loki".
  void ingest_request(std::string_view endpoint, int status);
  void ingest_records(std::string_view endpoint, uint64_t records);
  void ingest_bytes(std::string_view endpoint, uint64_t bytes);
  // reason: malformed, body_too_large, header_too_large, too_many_records,
  // unsupported_media_type, overloaded, store_unavailable, malformed_http.
  void ingest_rejected(std::string_view reason, uint64_t count = 1);
  void match_undecided(uint64_t records);
  void connection_rejected();
  void connections_changed(long delta);
  void rules_loaded(size_t count);
  void reload_result(bool successful);
  void store_commit_failed();
  // Replicas on PostgreSQL: whether this one leads, and the last journal entry it
  // applied (replicas that agree show the same position; the gap is their lag).
  void replica(bool leading, int64_t journal_position);
  // result: sent, failed (a POST failed; retried), dropped (given up).
  void alerts_sent(std::string_view result, uint64_t alerts);

  // Bounded state (README, "Operations"): entries now, the configured
  // limit, and what was dropped at the limit (`dropped_total` is cumulative;
  // the counter follows it). Names: incidents, pending_events, dedup_ids,
  // traces, ingest_queue, connections, alerts_pending_resolved.
  void bounded_state(std::string_view state, size_t entries, size_t limit, uint64_t dropped_total = 0);

  // Matches of one rule since start (GET /api/v1/rules).
  uint64_t rule_matches(std::string_view rule) const;
  // Restart: the open gauge starts from the restored incidents.
  void seed(const std::vector<Incident>& incidents);

  // PipelineObserver.
  void on_event(const Event& event) override;
  void on_change(const IncidentChange& change, const Incident* incident) override;
  void on_batch_end() override;

 private:
  std::string service_label(const std::string& service);
  void track(const Incident& incident);
  void publish_open_gauge();

  MetricsOptions options_;
  std::shared_ptr<prometheus::Registry> registry_;
  LabelCap services_;

  prometheus::Family<prometheus::Gauge>& state_entries_;
  prometheus::Family<prometheus::Gauge>& state_limit_;
  prometheus::Family<prometheus::Counter>& state_dropped_;
  prometheus::Family<prometheus::Counter>& requests_;
  prometheus::Family<prometheus::Counter>& records_;
  prometheus::Family<prometheus::Counter>& bytes_;
  prometheus::Family<prometheus::Counter>& rejected_;
  prometheus::Family<prometheus::Counter>& rule_matches_;
  prometheus::Family<prometheus::Counter>& opened_;
  prometheus::Family<prometheus::Gauge>& open_;
  prometheus::Family<prometheus::Counter>& resolved_;
  prometheus::Family<prometheus::Counter>& exits_;
  prometheus::Family<prometheus::Counter>& crash_loops_;
  prometheus::Family<prometheus::Counter>& alerts_;
  prometheus::Family<prometheus::Counter>& dropped_labels_;
  prometheus::Histogram& resolve_seconds_;
  prometheus::Histogram& ack_seconds_;
  prometheus::Histogram& detection_delay_;
  prometheus::Gauge& rules_loaded_;
  prometheus::Gauge& reload_successful_;
  prometheus::Counter& undecided_;
  prometheus::Counter& connections_rejected_;
  prometheus::Gauge& connections_;
  prometheus::Counter& store_failures_;
  prometheus::Gauge& leading_;
  prometheus::Gauge& journal_position_;

  // Unresolved incidents by id, for the open gauge and crash-loop transitions.
  struct Tracked {
    std::string service;  // capped label
    Severity severity = Severity::warning;
    bool crash_loop = false;
  };
  std::mutex mutex_;
  std::unordered_map<std::string, Tracked> unresolved_;
  std::map<std::pair<std::string, std::string>, prometheus::Gauge*> open_series_;
  // The per-request series of the ingest endpoints, resolved on first use:
  // Family::Add builds a label map and takes the family's lock on every call,
  // which a Pub/Sub push would pay three times. Indexed by ingest_endpoint_index().
  struct EndpointSeries {
    std::atomic<prometheus::Counter*> records{nullptr};
    std::atomic<prometheus::Counter*> bytes{nullptr};
    std::atomic<prometheus::Counter*> ok{nullptr};  // code="200"
  };
  std::array<EndpointSeries, 4> endpoint_series_;
  mutable std::mutex rules_mutex_;
  std::unordered_map<std::string, prometheus::Counter*> rule_counters_;
};

}  // namespace faultline
