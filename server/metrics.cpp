#include "server/metrics.h"

#include <algorithm>
#include <array>
#include <chrono>

#include <prometheus/text_serializer.h>

#include "incidents/exit_code.h"

namespace faultline {
namespace {

using prometheus::BuildCounter;
using prometheus::BuildGauge;
using prometheus::BuildHistogram;

double seconds_between(Timestamp from, Timestamp to) {
  return std::max(0.0, std::chrono::duration<double>(to - from).count());
}

// MTTR and MTTA run from minutes to days.
const prometheus::Histogram::BucketBoundaries kLifecycleBuckets = {
    60, 300, 600, 1800, 3600, 7200, 14400, 43200, 86400, 259200, 604800};
// Detection delay: milliseconds when live, far more when a backlog is replayed.
const prometheus::Histogram::BucketBoundaries kDelayBuckets = {
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 3600};

}  // namespace

Metrics::Metrics(MetricsOptions options)
    : options_(std::move(options)),
      registry_(std::make_shared<prometheus::Registry>()),
      services_(options_.max_service_labels),
      state_entries_(BuildGauge()
                         .Name("faultline_state_entries")
                         .Help("Entries held now in each bounded buffer, queue or cache.")
                         .Register(*registry_)),
      state_limit_(BuildGauge()
                       .Name("faultline_state_limit")
                       .Help("The configured limit of each bounded buffer, queue or cache.")
                       .Register(*registry_)),
      state_dropped_(BuildCounter()
                         .Name("faultline_state_dropped_total")
                         .Help("Entries a bounded buffer or cache forgot because it was full.")
                         .Register(*registry_)),
      requests_(BuildCounter()
                    .Name("faultline_ingest_requests_total")
                    .Help("Ingest requests by endpoint and HTTP status code.")
                    .Register(*registry_)),
      records_(BuildCounter()
                   .Name("faultline_ingest_records_total")
                   .Help("Log records received by endpoint (good and bad).")
                   .Register(*registry_)),
      bytes_(BuildCounter()
                 .Name("faultline_ingest_bytes_total")
                 .Help("Request body bytes received by endpoint, as sent (before gunzip).")
                 .Register(*registry_)),
      rejected_(BuildCounter()
                    .Name("faultline_ingest_rejected_total")
                    .Help("Records or requests refused, by reason.")
                    .Register(*registry_)),
      rule_matches_(BuildCounter()
                        .Name("faultline_rule_matches_total")
                        .Help("Records matched, by rule id and kind.")
                        .Register(*registry_)),
      opened_(BuildCounter()
                  .Name("faultline_incidents_opened_total")
                  .Help("Incidents opened or reopened, by service and root-cause rule.")
                  .Register(*registry_)),
      open_(BuildGauge()
                .Name("faultline_incidents_open")
                .Help("Unresolved incidents (open or acknowledged) by service and severity.")
                .Register(*registry_)),
      resolved_(BuildCounter()
                    .Name("faultline_incidents_resolved_total")
                    .Help("Incidents resolved, by service and by whom (auto or manual).")
                    .Register(*registry_)),
      exits_(BuildCounter()
                 .Name("faultline_container_exits_total")
                 .Help("Container and process exits seen in logs, by service and exit code or signal.")
                 .Register(*registry_)),
      crash_loops_(BuildCounter()
                       .Name("faultline_crash_loops_total")
                       .Help("Incidents that escalated to a crash loop, by service.")
                       .Register(*registry_)),
      alerts_(BuildCounter()
                  .Name("faultline_alerts_sent_total")
                  .Help("Alertmanager notifications, by result.")
                  .Register(*registry_)),
      dropped_labels_(BuildCounter()
                          .Name("faultline_label_values_dropped_total")
                          .Help("Series updates whose label value was folded into \"_other\" by the label cap.")
                          .Register(*registry_)),
      resolve_seconds_(BuildHistogram()
                           .Name("faultline_incident_resolve_seconds")
                           .Help("Time to resolve (MTTR): resolved_at - opened_at.")
                           .Register(*registry_)
                           .Add({}, kLifecycleBuckets)),
      ack_seconds_(BuildHistogram()
                       .Name("faultline_incident_ack_seconds")
                       .Help("Time to acknowledge (MTTA): acknowledged_at - opened_at.")
                       .Register(*registry_)
                       .Add({}, kLifecycleBuckets)),
      detection_delay_(BuildHistogram()
                           .Name("faultline_detection_delay_seconds")
                           .Help("Wall time of detection minus the event time of the line that opened an incident.")
                           .Register(*registry_)
                           .Add({}, kDelayBuckets)),
      rules_loaded_(BuildGauge()
                        .Name("faultline_rules_loaded")
                        .Help("Rules in the active rule pack.")
                        .Register(*registry_)
                        .Add({})),
      reload_successful_(BuildGauge()
                             .Name("faultline_config_last_reload_successful")
                             .Help("1 when the last rule (re)load succeeded, 0 when it kept the old rules.")
                             .Register(*registry_)
                             .Add({})),
      undecided_(BuildCounter()
                     .Name("faultline_rule_match_undecided_total")
                     .Help("Records the RE2 set could not decide on (matched rule by rule instead).")
                     .Register(*registry_)
                     .Add({})),
      connections_rejected_(BuildCounter()
                                .Name("faultline_http_connections_rejected_total")
                                .Help("Connections refused with 503 over limits.max_connections.")
                                .Register(*registry_)
                                .Add({})),
      connections_(BuildGauge()
                       .Name("faultline_http_connections")
                       .Help("Open HTTP connections.")
                       .Register(*registry_)
                       .Add({})),
      store_failures_(BuildCounter()
                          .Name("faultline_store_commit_failures_total")
                          .Help("Store commits that failed (the requests were answered 503).")
                          .Register(*registry_)
                          .Add({})),
      leading_(BuildGauge()
                   .Name("faultline_replica_leading")
                   .Help("1 on the replica that writes the PostgreSQL snapshot and sends alerts (always 1 with SQLite).")
                   .Register(*registry_)
                   .Add({})),
      journal_position_(BuildGauge()
                            .Name("faultline_journal_position")
                            .Help("Sequence number of the last shared-journal entry this replica applied (0 with SQLite).")
                            .Register(*registry_)
                            .Add({})) {
  leading_.Set(1);
  BuildGauge()
      .Name("faultline_build_info")
      .Help("Build information; the value is always 1.")
      .Register(*registry_)
      .Add({{"version", options_.version}})
      .Set(1);
  // Present from the start, so rate() and alerts on failures work before the first alert.
  for (const char* result : {"sent", "failed", "dropped"}) alerts_.Add({{"result", result}});
  reload_successful_.Set(1);
}

std::string Metrics::serialize() const { return prometheus::TextSerializer{}.Serialize(registry_->Collect()); }

namespace {

// The ingest endpoints whose series are cached; -1 for any other name.
int ingest_endpoint_index(std::string_view endpoint) {
  static constexpr std::array<std::string_view, 4> kEndpoints = {"pubsub", "logs", "raw", "loki"};
  for (size_t i = 0; i < kEndpoints.size(); ++i)
    if (kEndpoints[i] == endpoint) return static_cast<int>(i);
  return -1;
}

// The series in `slot`, added by `add` the first time (two threads racing both
// get the same series from the family).
template <class Add>
prometheus::Counter& cached_series(std::atomic<prometheus::Counter*>& slot, Add add) {
  prometheus::Counter* series = slot.load(std::memory_order_acquire);
  if (series == nullptr) {
    series = &add();
    slot.store(series, std::memory_order_release);
  }
  return *series;
}

}  // namespace

void Metrics::ingest_request(std::string_view endpoint, int status) {
  auto add = [&]() -> prometheus::Counter& {
    return requests_.Add({{"endpoint", std::string(endpoint)}, {"code", std::to_string(status)}});
  };
  const int index = ingest_endpoint_index(endpoint);
  (status == 200 && index >= 0 ? cached_series(endpoint_series_[index].ok, add) : add()).Increment();
}

void Metrics::ingest_records(std::string_view endpoint, uint64_t records) {
  auto add = [&]() -> prometheus::Counter& { return records_.Add({{"endpoint", std::string(endpoint)}}); };
  const int index = ingest_endpoint_index(endpoint);
  (index >= 0 ? cached_series(endpoint_series_[index].records, add) : add()).Increment(static_cast<double>(records));
}

void Metrics::ingest_bytes(std::string_view endpoint, uint64_t bytes) {
  auto add = [&]() -> prometheus::Counter& { return bytes_.Add({{"endpoint", std::string(endpoint)}}); };
  const int index = ingest_endpoint_index(endpoint);
  (index >= 0 ? cached_series(endpoint_series_[index].bytes, add) : add()).Increment(static_cast<double>(bytes));
}

void Metrics::ingest_rejected(std::string_view reason, uint64_t count) {
  rejected_.Add({{"reason", std::string(reason)}}).Increment(static_cast<double>(count));
}

void Metrics::match_undecided(uint64_t records) { undecided_.Increment(static_cast<double>(records)); }
void Metrics::connection_rejected() { connections_rejected_.Increment(); }
void Metrics::connections_changed(long delta) { connections_.Increment(static_cast<double>(delta)); }
void Metrics::rules_loaded(size_t count) { rules_loaded_.Set(static_cast<double>(count)); }
void Metrics::reload_result(bool successful) { reload_successful_.Set(successful ? 1 : 0); }
void Metrics::store_commit_failed() { store_failures_.Increment(); }
void Metrics::replica(bool leading, int64_t journal_position) {
  leading_.Set(leading ? 1 : 0);
  journal_position_.Set(static_cast<double>(journal_position));
}
void Metrics::alerts_sent(std::string_view result, uint64_t alerts) {
  alerts_.Add({{"result", std::string(result)}}).Increment(static_cast<double>(alerts));
}

void Metrics::bounded_state(std::string_view state, size_t entries, size_t limit, uint64_t dropped_total) {
  const prometheus::Labels labels{{"state", std::string(state)}};
  state_entries_.Add(labels).Set(static_cast<double>(entries));
  state_limit_.Add(labels).Set(static_cast<double>(limit));
  prometheus::Counter& dropped = state_dropped_.Add(labels);
  if (const double total = static_cast<double>(dropped_total); total > dropped.Value()) dropped.Increment(total - dropped.Value());
}

uint64_t Metrics::rule_matches(std::string_view rule) const {
  std::lock_guard lock(rules_mutex_);
  auto it = rule_counters_.find(std::string(rule));
  return it == rule_counters_.end() ? 0 : static_cast<uint64_t>(it->second->Value());
}

std::string Metrics::service_label(const std::string& service) {
  bool folded = false;
  std::string label = services_.admit(service, &folded);
  if (folded) dropped_labels_.Add({{"label", "service"}}).Increment();
  return label;
}

void Metrics::seed(const std::vector<Incident>& incidents) {
  std::lock_guard lock(mutex_);
  for (const Incident& incident : incidents)
    if (incident.state != IncidentState::resolved)
      unresolved_[incident.id] = {service_label(incident.service), incident.severity,
                                  incident.crash_loop};
  publish_open_gauge();
}

void Metrics::on_event(const Event& event) {
  prometheus::Counter* counter = nullptr;
  {
    std::lock_guard lock(rules_mutex_);
    auto& slot = rule_counters_[event.rule_id];
    if (!slot) slot = &rule_matches_.Add({{"rule", event.rule_id}, {"kind", std::string(to_string(event.kind))}});
    counter = slot;
  }
  counter->Increment();
  if (event.is_exit()) {
    auto code = exit_label(event);
    exits_.Add({{"service", service_label(event.service)}, {"code", code ? *code : "unknown"}}).Increment();
  }
}

void Metrics::on_change(const IncidentChange& change, const Incident* incident) {
  std::lock_guard lock(mutex_);
  if (!incident) {  // merged into another incident: it no longer exists on its own
    unresolved_.erase(change.incident_id);
    return;
  }
  const std::string service = service_label(incident->service);
  using Type = IncidentChange::Type;
  switch (change.type) {
    case Type::opened:
    case Type::reopened:
      opened_.Add({{"service", service}, {"root_cause", incident->root_cause.rule}}).Increment();
      if (incident->detected_at) {
        Timestamp event_time = change.type == Type::opened ? incident->opened_at : incident->last_failure;
        detection_delay_.Observe(seconds_between(event_time, *incident->detected_at));
      }
      break;
    case Type::acknowledged:
      if (incident->acknowledged_at) ack_seconds_.Observe(seconds_between(incident->opened_at, *incident->acknowledged_at));
      break;
    case Type::resolved: {
      const bool automatic = incident->resolved_by && *incident->resolved_by == "auto";
      resolved_.Add({{"service", service}, {"resolved_by", automatic ? "auto" : "manual"}}).Increment();
      if (incident->resolved_at) resolve_seconds_.Observe(seconds_between(incident->opened_at, *incident->resolved_at));
      break;
    }
    default:
      break;
  }
  track(*incident);
}

void Metrics::track(const Incident& incident) {
  if (incident.state == IncidentState::resolved) {
    unresolved_.erase(incident.id);
    return;
  }
  Tracked& tracked = unresolved_[incident.id];
  if (incident.crash_loop && !tracked.crash_loop)
    crash_loops_.Add({{"service", service_label(incident.service)}}).Increment();
  tracked = {service_label(incident.service), incident.severity, incident.crash_loop};
}

void Metrics::on_batch_end() {
  std::lock_guard lock(mutex_);
  publish_open_gauge();
}

void Metrics::publish_open_gauge() {
  std::map<std::pair<std::string, std::string>, double> counts;
  for (const auto& [id, tracked] : unresolved_) counts[{tracked.service, std::string(to_string(tracked.severity))}] += 1;
  // Series that drop to zero stay at 0 rather than vanish, so alerts see them clear.
  for (auto& [key, gauge] : open_series_)
    if (!counts.count(key)) gauge->Set(0);
  for (const auto& [key, count] : counts) {
    auto& gauge = open_series_[key];
    if (!gauge) gauge = &open_.Add({{"service", key.first}, {"severity", key.second}});
    gauge->Set(count);
  }
}

}  // namespace faultline
