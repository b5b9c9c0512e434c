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
// memory is ~32 bytes per id at the million whatever its length (24 in the
// ring, 8 in the table); the chance that two distinct ids collide is about
// n^2 / 2^129 (under 10^-26 at a million ids).
// Amortised constant time per call. Not thread-safe.
//
// Layout (why it is not a std::unordered_map): a daemon fed by a push
// subscription reaches the million ids within the hour, and a map node plus a
// queue entry cost ~80 bytes each. Here the ids live once, in recording order,
// in a ring of 24-byte {hash, time} entries (expiry and eviction take from its
// front), and an open-addressing table of 32-bit ring positions finds them
// (linear probing at load <= 1/2: the hash is already uniform). Both grow by
// doubling and shrink again when the horizon empties them.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

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

  // Ids recorded and not yet expired or evicted.
  size_t size() const { return live_; }

 private:
  struct Key {
    uint64_t a = 0, b = 0;
    bool operator==(const Key&) const = default;
  };
  struct Entry {
    Key key;
    Timestamp time;
  };
  static constexpr uint32_t kEmpty = UINT32_MAX;

  size_t home(const Key& key) const;
  std::optional<size_t> find(const Key& key) const;  // table slot holding key
  void index(uint32_t position);                      // table slot for ring_[position]
  void unindex(size_t slot);
  void rehash(size_t table_size);
  void relayout(size_t capacity);
  void push(const Key& key, Timestamp now);
  void evict_front();
  void expire();

  std::chrono::nanoseconds horizon_;
  size_t max_entries_;
  Timestamp newest_ = Timestamp::min();

  // Recording order: `count_` entries from `head_`, wrapping. An entry whose
  // key was recorded again after it expired (a clock that went back) is stale:
  // the table points at the newer entry, and the stale one is dropped when it
  // reaches the front or when the ring is laid out again.
  std::vector<Entry> ring_;
  size_t head_ = 0;
  size_t count_ = 0;
  // Ring positions by hash; size a power of two, kEmpty where free.
  std::vector<uint32_t> table_;
  int shift_ = 64;  // 64 - log2(table_.size()): home() takes the top bits
  size_t live_ = 0;  // entries the table points at
};

}  // namespace faultline
