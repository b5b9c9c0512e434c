#include "incidents/pending_events.h"

#include <utility>

namespace faultline {

PendingEvents::PendingEvents(Limits limits) : limits_(limits) {}

void PendingEvents::erase(std::map<Key, Event>::iterator it) {
  by_time_.erase(TimeKey{it->first.time, it->first.seq, it->first.scope});
  auto count = per_scope_count_.find(it->first.scope);
  if (count != per_scope_count_.end() && --count->second == 0) per_scope_count_.erase(count);
  by_scope_.erase(it);
}

void PendingEvents::drop_oldest_of_scope(const std::string& scope) {
  auto it = by_scope_.lower_bound(Key{scope, Timestamp::min(), 0});
  if (it == by_scope_.end() || it->first.scope != scope) return;
  erase(it);
  ++dropped_;
}

void PendingEvents::add(const std::string& scope, Event event, Timestamp scope_now) {
  const Timestamp horizon = scope_now - limits_.horizon;
  // Expire the scope's stale events first, so the caps bite only on live ones.
  for (auto it = by_scope_.lower_bound(Key{scope, Timestamp::min(), 0});
       it != by_scope_.end() && it->first.scope == scope && it->first.time < horizon;) {
    auto next = std::next(it);
    erase(it);
    ++dropped_;
    it = next;
  }
  if (event.time < horizon || limits_.per_scope == 0 || limits_.total == 0) {
    ++dropped_;
    return;
  }
  Key key{scope, event.time, seq_++};
  by_time_.insert(TimeKey{key.time, key.seq, scope});
  by_scope_.emplace(key, std::move(event));
  ++per_scope_count_[scope];
  if (per_scope_count_[scope] > limits_.per_scope) drop_oldest_of_scope(scope);
  while (by_scope_.size() > limits_.total) {
    const auto& [time, seq, oldest_scope] = *by_time_.begin();
    erase(by_scope_.find(Key{oldest_scope, time, seq}));
    ++dropped_;
  }
}

std::vector<Event> PendingEvents::take(const std::string& scope, Timestamp from, Timestamp to) {
  std::vector<Event> out;
  auto it = by_scope_.lower_bound(Key{scope, from, 0});
  while (it != by_scope_.end() && it->first.scope == scope && it->first.time <= to) {
    auto next = std::next(it);
    out.push_back(std::move(it->second));
    erase(it);
    it = next;
  }
  return out;
}

}  // namespace faultline
