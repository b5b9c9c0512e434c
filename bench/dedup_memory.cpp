// Memory and time per id of the deduplicator (incidents/deduplicator.h) against
// the layout it replaced (an unordered_map of 128-bit hashes plus a deque in
// recording order, copied below), with the daemon's defaults: 1 h horizon, at
// most 1,000,000 ids. Records N distinct insertId-like ids (24 hex digits, as
// Cloud Logging writes them), asks for each again (all duplicates), then
// records N more (each evicts the oldest at the cap).
//
// Usage: dedup_memory [N]   (default 1000000)
// Bytes per id: heap in use (mallinfo2: arena + mmapped blocks) after the
// first N less before, over N; the ids' own strings are made beforehand.
#include <malloc.h>

#include <chrono>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <random>
#include <string>
#include <unordered_map>
#include <vector>

#include "incidents/deduplicator.h"
#include "incidents/fingerprint.h"

namespace {

using faultline::Timestamp;

// The deduplicator as it was before (same semantics, same hashes).
class MapDeduplicator {
 public:
  MapDeduplicator(std::chrono::nanoseconds horizon, size_t max_entries)
      : horizon_(horizon), max_entries_(max_entries) {}

  bool seen_before(std::string_view source_id, Timestamp now) {
    if (source_id.empty()) return false;
    if (now > newest_) newest_ = now;
    expire();
    const Key key{faultline::fnv1a64(source_id), faultline::fnv1a64(source_id, 0x84222325cbf29ce4ULL)};
    auto it = times_.find(key);
    const bool live = it != times_.end() &&
                      (newest_ < Timestamp::min() + horizon_ || it->second >= newest_ - horizon_);
    if (live) return true;
    if (max_entries_ == 0) return false;
    if (it != times_.end()) {
      it->second = now;
    } else {
      while (times_.size() >= max_entries_ && !order_.empty()) evict_front();
      times_.emplace(key, now);
    }
    order_.emplace_back(now, key);
    return false;
  }
  size_t size() const { return times_.size(); }

 private:
  struct Key {
    uint64_t a = 0, b = 0;
    bool operator==(const Key&) const = default;
  };
  struct KeyHash {
    size_t operator()(const Key& k) const { return static_cast<size_t>(k.a ^ (k.b * 0x9e3779b97f4a7c15ULL)); }
  };
  void evict_front() {
    auto [time, key] = order_.front();
    order_.pop_front();
    auto it = times_.find(key);
    if (it != times_.end() && it->second == time) times_.erase(it);
  }
  void expire() {
    if (newest_ < Timestamp::min() + horizon_) return;
    const Timestamp limit = newest_ - horizon_;
    while (!order_.empty() && order_.front().first < limit) evict_front();
  }

  std::chrono::nanoseconds horizon_;
  size_t max_entries_;
  Timestamp newest_ = Timestamp::min();
  std::unordered_map<Key, Timestamp, KeyHash> times_;
  std::deque<std::pair<Timestamp, Key>> order_;
};

size_t heap_in_use() {
  const struct mallinfo2 info = mallinfo2();
  return info.uordblks + info.hblkhd;
}

double ns_per_call(std::chrono::steady_clock::time_point start, size_t calls) {
  return std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - start).count() /
         static_cast<double>(calls);
}

template <typename Dedup>
void run(const char* name, const std::vector<std::string>& ids, size_t n) {
  // 3.6 ms apart: a million ids in the hour, none expires.
  const Timestamp t0 = Timestamp{} + std::chrono::hours(24 * 365 * 56);
  const auto when = [&](size_t i) { return t0 + std::chrono::microseconds(3600) * static_cast<int64_t>(i); };
  const size_t before = heap_in_use();
  auto* dedup = new Dedup(std::chrono::hours(1), 1'000'000);
  size_t answers = 0;
  auto start = std::chrono::steady_clock::now();
  for (size_t i = 0; i < n; ++i) answers += dedup->seen_before(ids[i], when(i));
  const double record_ns = ns_per_call(start, n);
  const size_t held = heap_in_use() - before;
  start = std::chrono::steady_clock::now();
  for (size_t i = 0; i < n; ++i) answers += dedup->seen_before(ids[i], when(n));
  const double repeat_ns = ns_per_call(start, n);
  start = std::chrono::steady_clock::now();
  for (size_t i = n; i < 2 * n; ++i) answers += dedup->seen_before(ids[i], when(n));
  const double evict_ns = ns_per_call(start, n);
  if (answers != n) std::fprintf(stderr, "%s: %zu duplicates, expected %zu\n", name, answers, n);
  std::printf("| %s | %zu | %.1f | %.0f | %.0f | %.0f |\n", name, dedup->size(), static_cast<double>(held) / n,
              record_ns, repeat_ns, evict_ns);
  delete dedup;
}

}  // namespace

int main(int argc, char** argv) {
  const size_t n = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 1'000'000;
  std::mt19937_64 random(14);
  std::vector<std::string> ids(2 * n);
  char text[32];
  for (auto& id : ids) {
    std::snprintf(text, sizeof text, "%016" PRIx64 "%08" PRIx64, random(), random() & 0xffffffffU);
    id = text;
  }
  std::printf("%zu distinct ids, 1 h horizon, cap 1,000,000\n\n", n);
  std::printf("| layout | ids held | bytes per id | ns per new id | ns per duplicate | ns per new id at the cap |\n");
  std::printf("| --- | --- | --- | --- | --- | --- |\n");
  run<MapDeduplicator>("unordered_map + deque (before)", ids, n);
  run<faultline::Deduplicator>("ring + open-addressing table (now)", ids, n);
  return 0;
}
