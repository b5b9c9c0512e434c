// Correlator: turns events into cascade incidents with the semantics of
// DESIGN.md ("Incidents") and ../shared/corpus/failures/README.md. Event time
// drives every decision, so the same events in any arrival order give the same
// incidents; the wall clock is used only for detection delay.
// Not thread-safe: the owner serialises calls.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "incidents/incident.h"
#include "rules/event.h"

namespace faultline {

struct CorrelatorConfig {
  std::chrono::nanoseconds window = std::chrono::minutes(10);        // cause -> effect/exit attachment
  int crash_loop_exits = 3;                                           // exits within window = crash loop
  std::chrono::nanoseconds resolve_quiet = std::chrono::minutes(5);   // no failure this long after recovery
  size_t max_incidents = 10000;  // oldest resolved incidents are dropped first beyond this
};

using WallClock = std::function<Timestamp()>;

struct IncidentChange {
  enum class Type { opened, updated, escalated, reopened, acknowledged, resolved, merged };
  Type type = Type::updated;
  std::string incident_id;
  std::string merged_into;  // for `merged`: the incident that absorbed this one
};

enum class LifecycleResult { ok, not_found, conflict };

class Correlator {
 public:
  Correlator(CorrelatorConfig config, WallClock wall_clock);
  ~Correlator();

  // Adds one event (any kind) and appends the transitions it caused.
  void add(const Event& event, std::vector<IncidentChange>* changes = nullptr);
  // Tells the correlator that event time has reached `t` (call it for every record,
  // matched or not): finalises automatic resolutions whose quiet period has passed.
  void advance(Timestamp t, std::vector<IncidentChange>* changes = nullptr);

  // API transitions. ack: open -> acknowledged (conflict when resolved or already acked).
  // resolve: open|acknowledged -> resolved (conflict when already resolved).
  LifecycleResult acknowledge(const std::string& id, const std::string& by, const std::string& note,
                              Timestamp at, std::vector<IncidentChange>* changes = nullptr);
  LifecycleResult resolve(const std::string& id, const std::string& by, const std::string& note,
                          Timestamp at, std::vector<IncidentChange>* changes = nullptr);

  // All incidents, ordered by opened_at then id.
  std::vector<const Incident*> incidents() const;
  const Incident* find(const std::string& id) const;
  // Restores a persisted incident (daemon restart), so correlation continues.
  void restore(Incident incident);

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace faultline
