#include "incidents/revision_log.h"

#include <tuple>

#include "incidents/revision.h"

namespace faultline {

void RevisionLog::note(const std::string& revision, Timestamp time, bool failure, bool recovery,
                       const std::string& fingerprint) {
  if (revision.empty()) return;
  auto [it, inserted] = by_revision_.try_emplace(revision);
  Seen& seen = it->second;
  if (inserted || time < seen.first) seen.first = time;
  if (inserted || time > seen.last) seen.last = time;
  seen.recovered = seen.recovered || recovery;
  if (failure) {
    seen.failures.insert(time);
    // The latest failures matter: health is judged just before a newer deploy.
    if (seen.failures.size() > kMaxFailureTimes) seen.failures.erase(seen.failures.begin());
  }
  // Overflow depends only on how many distinct fingerprints there are, not on
  // their order; a revision printing that many kinds of line is not compared.
  if (!seen.printed_overflow) {
    seen.printed.insert(fingerprint);
    if (seen.printed.size() > kMaxPrinted) {
      seen.printed_overflow = true;
      seen.printed.clear();
    }
  }
  if (by_revision_.size() <= kMaxRevisions) return;
  auto stalest = by_revision_.begin();
  for (auto r = by_revision_.begin(); r != by_revision_.end(); ++r)
    if (r->second.last < stalest->second.last) stalest = r;
  by_revision_.erase(stalest);
}

const RevisionLog::Seen* RevisionLog::find(const std::string& revision) const {
  auto it = by_revision_.find(revision);
  return it == by_revision_.end() ? nullptr : &it->second;
}

std::optional<std::string> RevisionLog::previous(const std::string& revision) const {
  std::optional<std::string> best;
  if (auto mine = parse_cloud_run_revision(revision)) {
    long long best_number = -1;
    for (const auto& [name, seen] : by_revision_) {
      auto other = parse_cloud_run_revision(name);
      if (!other || other->service != mine->service || other->number >= mine->number) continue;
      if (other->number > best_number) {
        best_number = other->number;
        best = name;
      }
    }
    return best;
  }
  const Seen* mine = find(revision);
  if (!mine) return std::nullopt;
  const Seen* best_seen = nullptr;
  for (const auto& [name, seen] : by_revision_) {
    if (std::tie(seen.first, name) >= std::tie(mine->first, revision)) continue;
    if (!best_seen || std::tie(seen.first, name) > std::tie(best_seen->first, *best)) {
      best_seen = &seen;
      best = name;
    }
  }
  return best;
}

std::optional<bool> RevisionLog::healthy_before(const std::string& revision, Timestamp until,
                                                std::chrono::nanoseconds window) const {
  const Seen* seen = find(revision);
  if (!seen) return std::nullopt;
  auto failure = seen->failures.lower_bound(until - window);
  if (failure != seen->failures.end() && *failure < until) return false;
  if (seen->recovered) return true;
  return std::nullopt;
}

}  // namespace faultline

namespace faultline {

std::optional<bool> RevisionLog::printed(const std::string& revision, const std::string& fingerprint,
                                         bool any_capture) const {
  const Seen* seen = find(revision);
  if (!seen || seen->printed_overflow) return std::nullopt;
  if (!any_capture) return seen->printed.contains(fingerprint);
  // Without a capture the fingerprint ends with the '|' before it: a prefix of the rule's others.
  auto it = seen->printed.lower_bound(fingerprint);
  return it != seen->printed.end() && it->starts_with(fingerprint);
}

}  // namespace faultline
