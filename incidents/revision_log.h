// RevisionLog: what each revision of one scope did, as far as its events show,
// for deploy-revision correlation (correlator.h): when it was first seen,
// whether it ever recovered (startup complete, 2xx), when it failed, and the
// fingerprints of the lines it printed (what a bad deploy prints that the
// revision before it never did).
//
// Bounds: kMaxRevisions per scope (beyond it the revision whose latest event
// is oldest goes first); per revision the latest kMaxFailureTimes failure
// times and kMaxPrinted distinct fingerprints (beyond that, what it printed is
// unknown). Within those bounds every answer depends only on the set of events
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
  static constexpr size_t kMaxPrinted = 64;

  struct Seen {
    Timestamp first{};
    Timestamp last{};
    bool recovered = false;
    std::set<Timestamp> failures;  // cause, failing exit and loop events
    std::set<std::string> printed;  // fingerprints (fingerprint.h) of its events
    bool printed_overflow = false;  // more than kMaxPrinted: `printed` is cleared
  };

  // One event of `revision` (not empty) at `time`; `fingerprint` is the event's
  // make_fingerprint.
  void note(const std::string& revision, Timestamp time, bool failure, bool recovery,
            const std::string& fingerprint);

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

  // Whether `revision` printed a line with this fingerprint, or with
  // `any_capture` one of its rule whatever the capture (`fingerprint` then made
  // without one); nullopt when the revision was not seen or printed too many kinds.
  std::optional<bool> printed(const std::string& revision, const std::string& fingerprint,
                              bool any_capture = false) const;

 private:
  std::map<std::string, Seen> by_revision_;
};

}  // namespace faultline
