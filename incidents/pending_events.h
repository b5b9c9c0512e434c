// PendingEvents: failure events (effects, loops, exit-code-0 exits) that no
// incident could take yet, kept so that a cause arriving late can still claim
// them. Out-of-order delivery is normal (Pub/Sub, batching shippers), so an
// effect may arrive before the cause line it follows.
//
// Bounds: at most `per_scope` events per scope and `total` overall; beyond
// either the oldest by event time goes first. An event older than its scope's
// newest event time minus `horizon` is dropped: a cause that late is past the
// lateness the correlator promises to absorb. Everything dropped is counted.
// Not thread-safe (owned by the Correlator).
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <tuple>
#include <unordered_map>
#include <vector>

#include "rules/event.h"

namespace faultline {

class PendingEvents {
 public:
  struct Limits {
    size_t per_scope = 256;
    size_t total = 65536;
    std::chrono::nanoseconds horizon = std::chrono::hours(1);
  };
  explicit PendingEvents(Limits limits);

  // `scope_now` is the newest event time of the scope (this event included).
  void add(const std::string& scope, Event event, Timestamp scope_now);
  // Removes and returns the scope's events with from <= time <= to, oldest first.
  std::vector<Event> take(const std::string& scope, Timestamp from, Timestamp to);

  size_t size() const { return by_scope_.size(); }
  uint64_t dropped() const { return dropped_; }

 private:
  struct Key {
    std::string scope;
    Timestamp time;
    uint64_t seq;
    auto operator<=>(const Key&) const = default;
  };
  using TimeKey = std::tuple<Timestamp, uint64_t, std::string>;

  void erase(std::map<Key, Event>::iterator it);
  void drop_oldest_of_scope(const std::string& scope);

  Limits limits_;
  std::map<Key, Event> by_scope_;  // scope range queries
  std::set<TimeKey> by_time_;      // global oldest-first eviction
  std::unordered_map<std::string, size_t> per_scope_count_;
  uint64_t seq_ = 0;
  uint64_t dropped_ = 0;
};

}  // namespace faultline
