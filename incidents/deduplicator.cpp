#include "incidents/deduplicator.h"

#include <algorithm>
#include <bit>

#include "incidents/fingerprint.h"

namespace faultline {

namespace {

constexpr size_t kMinRing = 16;
constexpr size_t kMinTable = 16;
// Ring positions are 32-bit (the table is half the size it would be with
// size_t), and kEmpty must stay free; 2^31 ids would be ~70 GB anyway.
constexpr size_t kMaxEntries = size_t{1} << 31;

}  // namespace

Deduplicator::Deduplicator(std::chrono::nanoseconds horizon, size_t max_entries)
    : horizon_(horizon), max_entries_(std::min(max_entries, kMaxEntries)) {}

size_t Deduplicator::home(const Key& key) const {
  // Fibonacci hashing: the top bits of a multiple by an odd constant. FNV-1a's
  // low bits depend only on the low bits of each byte, so they are not used.
  return static_cast<size_t>((key.a * 0x9e3779b97f4a7c15ULL) >> shift_);
}

std::optional<size_t> Deduplicator::find(const Key& key) const {
  if (table_.empty()) return std::nullopt;
  const size_t mask = table_.size() - 1;
  // Ends: the load stays at most 1/2, so there is always a free slot.
  for (size_t slot = home(key);; slot = (slot + 1) & mask) {
    const uint32_t position = table_[slot];
    if (position == kEmpty) return std::nullopt;
    if (ring_[position].key == key) return slot;
  }
}

void Deduplicator::index(uint32_t position) {
  const size_t mask = table_.size() - 1;
  size_t slot = home(ring_[position].key);
  while (table_[slot] != kEmpty) slot = (slot + 1) & mask;
  table_[slot] = position;
}

void Deduplicator::unindex(size_t slot) {
  // Backward-shift deletion, no tombstones: the entries after the hole, up to
  // the next free slot, move back into it unless that would put them before
  // their home slot, where a lookup starts and would then miss them.
  const size_t mask = table_.size() - 1;
  size_t hole = slot;
  for (size_t next = (hole + 1) & mask; table_[next] != kEmpty; next = (next + 1) & mask) {
    const size_t from_home = (next - home(ring_[table_[next]].key)) & mask;
    if (from_home >= ((next - hole) & mask)) {
      table_[hole] = table_[next];
      hole = next;
    }
  }
  table_[hole] = kEmpty;
}

void Deduplicator::rehash(size_t table_size) {
  // From the old table, not the ring: the ring may hold stale entries.
  std::vector<uint32_t> old(table_size, kEmpty);
  old.swap(table_);
  shift_ = 64 - std::countr_zero(table_size);
  for (uint32_t position : old)
    if (position != kEmpty) index(position);
}

void Deduplicator::relayout(size_t capacity) {
  // Which entries are live, judged before the ring and the table change.
  std::vector<bool> live(count_);
  for (size_t i = 0; i < count_; ++i) {
    const size_t position = (head_ + i) % ring_.size();
    const auto slot = find(ring_[position].key);
    live[i] = slot && table_[*slot] == position;
  }
  std::vector<Entry> ring(capacity);
  size_t kept = 0;
  for (size_t i = 0; i < count_; ++i)
    if (live[i]) ring[kept++] = ring_[(head_ + i) % ring_.size()];
  ring_.swap(ring);
  head_ = 0;
  count_ = kept;
  std::fill(table_.begin(), table_.end(), kEmpty);
  for (size_t position = 0; position < count_; ++position) index(static_cast<uint32_t>(position));
}

void Deduplicator::push(const Key& key, Timestamp now) {
  if (count_ == ring_.size()) {
    // Full: double, up to max_entries. A ring full at max_entries holds stale
    // entries (fewer than max_entries ids are live here), which relayout drops.
    relayout(std::min(std::max(2 * ring_.size(), kMinRing), max_entries_));
  }
  if (2 * (live_ + 1) > table_.size()) rehash(std::max(kMinTable, 2 * table_.size()));
  size_t position = head_ + count_;
  if (position >= ring_.size()) position -= ring_.size();
  ring_[position] = {key, now};
  ++count_;
  index(static_cast<uint32_t>(position));
  ++live_;
}

void Deduplicator::evict_front() {
  // The table points at the newest entry for a key: an older one is stale.
  if (const auto slot = find(ring_[head_].key); slot && table_[*slot] == head_) {
    unindex(*slot);
    --live_;
  }
  if (++head_ == ring_.size()) head_ = 0;
  --count_;
}

void Deduplicator::expire() {
  if (newest_ < Timestamp::min() + horizon_) return;
  const Timestamp limit = newest_ - horizon_;
  // Recording order is time order as long as callers pass a clock that does not
  // go back; an out-of-order entry waits behind a newer one and is judged by
  // its own time in seen_before().
  const size_t before = count_;
  while (count_ > 0 && ring_[head_].time < limit) evict_front();
  if (count_ == before) return;
  // Give memory back once the horizon has emptied most of it (a burst is
  // over). Shrinking at a quarter and growing when full leaves room either
  // way, so a steady rate does not resize back and forth.
  size_t table_size = table_.size();
  while (table_size > kMinTable && 8 * live_ < table_size) table_size /= 2;
  if (table_size != table_.size()) rehash(table_size);
  size_t capacity = ring_.size();
  while (capacity > kMinRing && 4 * count_ < capacity) capacity /= 2;
  if (capacity != ring_.size()) relayout(capacity);
}

bool Deduplicator::seen_before(std::string_view source_id, Timestamp now) {
  if (source_id.empty()) return false;
  if (now > newest_) newest_ = now;
  expire();
  // Two FNV-1a-64 runs with different offset bases: independent enough that a
  // false duplicate (which would drop a record) is out of reach.
  const Key key{fnv1a64(source_id), fnv1a64(source_id, 0x84222325cbf29ce4ULL)};
  const auto slot = find(key);
  if (slot) {
    const Timestamp recorded = ring_[table_[*slot]].time;
    if (newest_ < Timestamp::min() + horizon_ || recorded >= newest_ - horizon_) return true;
  }
  if (max_entries_ == 0) return false;
  if (slot) {
    // Expired but still held behind a newer entry: its entry turns stale and
    // the id is recorded anew, at the back.
    unindex(*slot);
    --live_;
  }
  while (live_ >= max_entries_ && count_ > 0) evict_front();
  push(key, now);
  return false;
}

}  // namespace faultline
