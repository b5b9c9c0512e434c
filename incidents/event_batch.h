// EventBatch: what one ingest (or API call) changes in the correlator, in a form
// that can be written to the shared journal and applied by every replica.
//
// With several replicas, matching runs where a request arrives and correlation
// runs everywhere: each replica appends its batches to one journal in
// PostgreSQL, and every replica applies the whole journal in its order. The
// correlator is deterministic, so the same journal gives the same incidents on
// every replica (server/replicator.h).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "rules/event.h"

namespace faultline {

// An API transition: ack (open -> acknowledged) or resolve (-> resolved).
enum class LifecycleKind { acknowledge, resolve };

struct LifecycleAction {
  LifecycleKind kind = LifecycleKind::acknowledge;
  std::string incident_id, by, note;
  Timestamp at{};
  bool operator==(const LifecycleAction&) const = default;
};

struct EventBatch {
  std::vector<Event> events;       // matched events, in event-time order
  std::vector<Event> contexts;     // cause events of assembled traces: culprit frames only
  std::optional<Timestamp> clock;  // newest record time seen, matched or not
  std::vector<LifecycleAction> lifecycle;  // API actions, in the order they were taken
  // The wall clock where the batch was staged. Applying uses it, not the
  // applying replica's clock, so that detection times and the cap on a fast
  // host's clock (max_clock_ahead) come out the same on every replica.
  std::optional<Timestamp> wall;

  // Something the correlator must see before the request is acknowledged.
  bool needs_journal() const { return !events.empty() || !contexts.empty() || !lifecycle.empty(); }
  bool empty() const { return !needs_journal() && !clock; }
  void append(EventBatch&& later);
};

nlohmann::json to_json(const EventBatch& batch);
// Throws std::invalid_argument naming the field.
EventBatch event_batch_from_json(const nlohmann::json& body);

}  // namespace faultline
