// RecoveryLog: the recent healthy signs of one scope (startup probe passed,
// startup complete, 2xx), per revision, so that an incident whose failures
// arrive after the recovery lines (out-of-order delivery, a reversed export)
// still resolves at the first recovery that followed its last failure.
//
// Bounds: 16 revisions per scope (the one with the oldest latest recovery goes
// first); per revision the 15 earliest recovery times plus the latest one.
// A steady stream of 2xx lines therefore costs nothing: resolution needs the
// first recovery after the last failure, which is almost always among the
// earliest of the newer revision. Not thread-safe.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>

#include "parsers/timestamp.h"

namespace faultline {

struct Recovery {
  Timestamp time{};
  std::string revision;
};

class RecoveryLog {
 public:
  static constexpr size_t kMaxRevisions = 16;
  static constexpr size_t kTimesPerRevision = 16;

  // Records a recovery and forgets those older than `horizon`.
  void add(const std::string& revision, Timestamp time, Timestamp horizon);
  // The earliest recovery strictly after `after` whose revision `accept`s.
  std::optional<Recovery> earliest_after(
      Timestamp after, const std::function<bool(const std::string&)>& accept) const;

  // The earliest recovery strictly after after(revision), over the revisions
  // for which `after` gives a time (nullopt: not acceptable).
  std::optional<Recovery> earliest_where(
      const std::function<std::optional<Timestamp>(const std::string&)>& after) const;

  bool empty() const { return by_revision_.empty(); }
  Timestamp newest() const;

 private:
  std::map<std::string, std::set<Timestamp>> by_revision_;
};

}  // namespace faultline
