#include "incidents/deduplicator.h"

#include "incidents/fingerprint.h"

namespace faultline {

Deduplicator::Deduplicator(std::chrono::nanoseconds horizon, size_t max_entries)
    : horizon_(horizon), max_entries_(max_entries) {}

void Deduplicator::evict_front() {
  auto [time, key] = order_.front();
  order_.pop_front();
  auto it = times_.find(key);
  if (it != times_.end() && it->second == time) times_.erase(it);
}

void Deduplicator::expire() {
  if (newest_ < Timestamp::min() + horizon_) return;
  const Timestamp limit = newest_ - horizon_;
  // Recording order is time order as long as callers pass a clock that does not
  // go back; an out-of-order entry waits behind a newer one and is judged by
  // its own time in seen_before().
  while (!order_.empty() && order_.front().first < limit) evict_front();
}

bool Deduplicator::seen_before(std::string_view source_id, Timestamp now) {
  if (source_id.empty()) return false;
  if (now > newest_) newest_ = now;
  expire();
  // Two FNV-1a-64 runs with different offset bases: independent enough that a
  // false duplicate (which would drop a record) is out of reach.
  const Key key{fnv1a64(source_id), fnv1a64(source_id, 0x84222325cbf29ce4ULL)};
  auto it = times_.find(key);
  const bool live = it != times_.end() &&
                    (newest_ < Timestamp::min() + horizon_ || it->second >= newest_ - horizon_);
  if (live) return true;
  if (max_entries_ == 0) return false;
  if (it != times_.end()) {
    it->second = now;  // the old order_ entry turns stale and is skipped on eviction
  } else {
    while (times_.size() >= max_entries_ && !order_.empty()) evict_front();
    times_.emplace(key, now);
  }
  order_.emplace_back(now, key);
  return false;
}

}  // namespace faultline
