#include "incidents/recovery_log.h"

namespace faultline {

void RecoveryLog::add(const std::string& revision, Timestamp time, Timestamp horizon) {
  for (auto it = by_revision_.begin(); it != by_revision_.end();) {
    auto& times = it->second;
    times.erase(times.begin(), times.lower_bound(horizon));
    it = times.empty() ? by_revision_.erase(it) : std::next(it);
  }
  if (time < horizon) return;
  auto& times = by_revision_[revision];
  times.insert(time);
  if (times.size() > kTimesPerRevision) {
    // Keep the earliest ones and the latest: drop the second-latest.
    times.erase(std::prev(times.end(), 2));
  }
  while (by_revision_.size() > kMaxRevisions) {
    auto stalest = by_revision_.begin();
    for (auto it = by_revision_.begin(); it != by_revision_.end(); ++it)
      if (*it->second.rbegin() < *stalest->second.rbegin()) stalest = it;
    by_revision_.erase(stalest);
  }
}

std::optional<Recovery> RecoveryLog::earliest_after(
    Timestamp after, const std::function<bool(const std::string&)>& accept) const {
  std::optional<Recovery> best;
  for (const auto& [revision, times] : by_revision_) {
    auto it = times.upper_bound(after);
    if (it == times.end() || (best && *it >= best->time) || !accept(revision)) continue;
    best = Recovery{*it, revision};
  }
  return best;
}

std::optional<Recovery> RecoveryLog::earliest_where(
    const std::function<std::optional<Timestamp>(const std::string&)>& after) const {
  std::optional<Recovery> best;
  for (const auto& [revision, times] : by_revision_) {
    auto threshold = after(revision);
    if (!threshold) continue;
    auto it = times.upper_bound(*threshold);
    if (it == times.end() || (best && *it >= best->time)) continue;
    best = Recovery{*it, revision};
  }
  return best;
}

Timestamp RecoveryLog::newest() const {
  Timestamp newest = Timestamp::min();
  for (const auto& [revision, times] : by_revision_)
    if (*times.rbegin() > newest) newest = *times.rbegin();
  return newest;
}

}  // namespace faultline
