// Hand-built events for correlator tests: the rule pack and parsers are not
// involved, so these tests say exactly which events the correlator saw.
#pragma once

#include <algorithm>
#include <chrono>
#include <random>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "incidents/correlator.h"
#include "parsers/timestamp.h"
#include "rules/event.h"

namespace faultline::incident_tests {

using namespace std::chrono_literals;

// 2025-09-16T00:42:30Z, shortly before the seed incident's first line.
inline Timestamp base_time() { return *parse_rfc3339("2025-09-16T00:42:30Z"); }
inline Timestamp at(std::chrono::nanoseconds offset) { return base_time() + offset; }

class Ev {
 public:
  Ev(std::string rule, RuleKind kind, Timestamp time) {
    e_.rule_id = std::move(rule);
    e_.kind = kind;
    e_.time = time;
    e_.severity = kind == RuleKind::recovery ? Severity::info : Severity::warning;
    e_.sample = e_.rule_id + " line";
  }
  Ev& service(std::string v) { e_.service = std::move(v); return *this; }
  Ev& revision(std::string v) { e_.revision = std::move(v); return *this; }
  Ev& instance(std::string v) { e_.instance = std::move(v); return *this; }
  Ev& k8s(std::string cluster, std::string ns) {
    e_.cluster = std::move(cluster);
    e_.namespace_name = std::move(ns);
    e_.resource_type = "k8s_container";
    return *this;
  }
  Ev& capture(std::string name, std::string value) {
    e_.captures.emplace_back(std::move(name), std::move(value));
    return *this;
  }
  Ev& severity(Severity v) { e_.severity = v; return *this; }
  Ev& terminates() { e_.terminates = true; return *this; }
  Ev& fallback() { e_.fallback = true; return *this; }
  Ev& sample(std::string v) { e_.sample = std::move(v); return *this; }
  Ev& summary(std::string s, std::string h) { e_.summary = std::move(s); e_.hint = std::move(h); return *this; }
  Ev& culprit(std::string file, int line, std::string function) {
    e_.culprit = Frame{std::move(file), line, std::move(function)};
    return *this;
  }
  Ev& source(std::string id) { e_.source_id = std::move(id); return *this; }
  operator Event() const { return e_; }
  const Event& event() const { return e_; }

 private:
  Event e_;
};

inline Ev cause(std::string rule, Timestamp t) { return Ev(std::move(rule), RuleKind::cause, t); }
inline Ev effect(std::string rule, Timestamp t) { return Ev(std::move(rule), RuleKind::effect, t); }
inline Ev exit_event(Timestamp t, std::string code = "3") {
  return std::move(Ev("container_exit", RuleKind::exit, t).capture("code", code)
                       .sample("Container called exit(" + code + ")."));
}
inline Ev loop_event(Timestamp t) {
  return std::move(Ev("k8s_crashloop_backoff", RuleKind::loop, t)
                       .sample("Back-off restarting failed container"));
}
inline Ev recovery(std::string rule, Timestamp t) { return Ev(std::move(rule), RuleKind::recovery, t); }

// A fixed wall clock the tests move by hand.
struct FakeWall {
  Timestamp now = *parse_rfc3339("2025-09-16T01:00:00Z");
  WallClock clock() {
    return [this] { return now; };
  }
};

inline const std::string kSeedService = "netra-backend-staging";
inline const std::string kSeedRevision = "netra-backend-staging-00734-fvm";
inline const std::string kSeedModule = "netra_backend.app.services.monitoring";

// The seed cascade (scenario 01) as the rule pack reports it: per restart, the
// middleware effect logged 0.2 ms before the cause line, the cause twice (the
// details line and the traceback's final line, which carries the culprit frame),
// gunicorn's worker exit and boot failure, Cloud Run's exit(3) ~4 s later and a
// 503. Three restarts on three instances, 7 s apart.
inline std::vector<Event> seed_events() {
  std::vector<Event> events;
  for (int i = 0; i < 3; ++i) {
    const Timestamp start = at(5814300us + i * 7s);
    const std::string instance = "instance-" + std::to_string(i);
    auto common = [&](Ev ev) {
      return Event(ev.service(kSeedService).revision(kSeedRevision).instance(instance));
    };
    events.push_back(common(effect("middleware_setup_failed", start)
                                .capture("module", kSeedModule)
                                .severity(Severity::critical)
                                .sample("CRITICAL: Enhanced middleware setup failed: No module named '" +
                                        kSeedModule + "'")));
    events.push_back(common(cause("python_module_not_found", start + 200us)
                                .capture("module", kSeedModule)
                                .severity(Severity::critical)
                                .sample("Middleware setup failure details: ModuleNotFoundError: No "
                                        "module named '" + kSeedModule + "'")
                                .summary("Python module " + kSeedModule + " cannot be imported",
                                         "Is " + kSeedModule + " copied into the image?")));
    events.push_back(common(cause("python_module_not_found", start + 5900us)
                                .capture("module", kSeedModule)
                                .severity(Severity::critical)
                                .sample("ModuleNotFoundError: No module named '" + kSeedModule + "'")
                                .summary("Python module " + kSeedModule + " cannot be imported",
                                         "Is " + kSeedModule + " copied into the image?")
                                .culprit("/app/netra_backend/app/middleware/gcp_auth_context_middleware.py",
                                         23, "<module>")));
    events.push_back(common(effect("gunicorn_worker_exited", start + 240ms).capture("code", "3")));
    events.push_back(common(effect("gunicorn_worker_boot_failed", start + 243ms)));
    events.push_back(common(exit_event(start + 4148551us)));
    events.push_back(Event(effect("cloud_run_request_failed", start + 4848551us)
                               .service(kSeedService)
                               .revision(kSeedRevision)));
  }
  return events;
}

inline std::vector<Event> shuffled(std::vector<Event> events, unsigned seed) {
  std::mt19937 rng(seed);
  std::shuffle(events.begin(), events.end(), rng);
  return events;
}

inline std::vector<Event> reversed(std::vector<Event> events) {
  std::reverse(events.begin(), events.end());
  return events;
}

// Feeds events in the given order, with advance() after each as the pipeline does.
inline std::vector<IncidentChange> feed(Correlator& correlator, const std::vector<Event>& events) {
  std::vector<IncidentChange> changes;
  for (const Event& e : events) {
    correlator.add(e, &changes);
    correlator.advance(e.time, &changes);
  }
  return changes;
}

// Incident JSON without the wall-clock fields, which differ by design between runs.
inline nlohmann::json comparable(const Incident& incident) {
  nlohmann::json j = to_json(incident);
  j.erase("detected_at");
  j.erase("detection_delay_seconds");
  return j;
}

inline size_t count_changes(const std::vector<IncidentChange>& changes, IncidentChange::Type type) {
  return static_cast<size_t>(std::count_if(changes.begin(), changes.end(),
                                           [&](const IncidentChange& c) { return c.type == type; }));
}

inline const ChainLink* link(const Incident& incident, const std::string& rule) {
  for (const ChainLink& l : incident.chain)
    if (l.rule == rule) return &l;
  return nullptr;
}

}  // namespace faultline::incident_tests
