// Deduplicator: "has this source_id been seen within the horizon?". Pub/Sub
// delivers at least once and shippers retry, so the same LogEntry may arrive
// several times; only the first counts.
//
// Time: the horizon is measured in the Timestamps passed in (the daemon passes
// the wall clock at ingest; a restore passes the time each id was stored). An
// id counts as seen while the newest Timestamp passed so far is within
// `horizon` of the time it was first recorded; a duplicate does not extend it.
//
// Bounds: at most `max_entries` ids; beyond that the earliest recorded goes
// first. Each id is kept as a 128-bit hash (two independent 64-bit hashes), so
// memory is ~40 bytes per id whatever its length; the chance that two distinct
// ids collide is about n^2 / 2^129 (under 10^-26 at a million ids).
// Amortised constant time per call. Not thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <string_view>
#include <unordered_map>

#include "parsers/timestamp.h"

namespace faultline {

class Deduplicator {
 public:
  explicit Deduplicator(std::chrono::nanoseconds horizon = std::chrono::hours(1),
                        size_t max_entries = 1'000'000);

  // True when `source_id` was recorded within the horizon (a duplicate, changes
  // nothing). Otherwise records it at `now` and returns false. An empty id is
  // never a duplicate and is not recorded.
  bool seen_before(std::string_view source_id, Timestamp now);

  size_t size() const { return times_.size(); }

 private:
  struct Key {
    uint64_t a = 0, b = 0;
    bool operator==(const Key&) const = default;
  };
  struct KeyHash {
    size_t operator()(const Key& k) const { return static_cast<size_t>(k.a ^ (k.b * 0x9e3779b97f4a7c15ULL)); }
  };

  void expire();
  void evict_front();

  std::chrono::nanoseconds horizon_;
  size_t max_entries_;
  Timestamp newest_ = Timestamp::min();
  std::unordered_map<Key, Timestamp, KeyHash> times_;
  // Recording order; an entry is stale when the map holds another time for its key.
  std::deque<std::pair<Timestamp, Key>> order_;
};

}  // namespace faultline
