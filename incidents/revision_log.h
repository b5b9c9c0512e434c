// RevisionLog: what each revision of one scope did, as far as its events show,
// for deploy-revision correlation (correlator.h): when it was first seen,
// whether it ever recovered (startup complete, 2xx), and when it failed.
//
// Bounds: kMaxRevisions per scope (beyond it the revision whose latest event
// is oldest goes first); per revision the latest kMaxFailureTimes failure
// times. Within those bounds every answer depends only on the set of events
// noted, not on their order. Not thread-safe.
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <set>
#include <string>

#include "parsers/timestamp.h"

namespace faultline {

class RevisionLog {
 public:
  static constexpr size_t kMaxRevisions = 32;
  static constexpr size_t kMaxFailureTimes = 64;

  struct Seen {
    Timestamp first{};
    Timestamp last{};
    bool recovered = false;
    std::set<Timestamp> failures;  // cause, failing exit and loop events
  };

  // One event of `revision` (not empty) at `time`.
  void note(const std::string& revision, Timestamp time, bool failure, bool recovery);

  const Seen* find(const std::string& revision) const;

  // The revision deployed before `revision`: for Cloud Run names (revision.h)
  // the highest-numbered one of the same service below it; otherwise the one
  // first seen latest before it (ties by name). Only revisions seen here count.
  std::optional<std::string> previous(const std::string& revision) const;

  // Whether `revision` was healthy when its successor appeared at `until`:
  // false when it failed within [until - window, until); else true when it
  // ever recovered; else unknown.
  std::optional<bool> healthy_before(const std::string& revision, Timestamp until,
                                     std::chrono::nanoseconds window) const;

 private:
  std::map<std::string, Seen> by_revision_;
};

}  // namespace faultline
