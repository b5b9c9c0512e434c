// Internal to incidents/: the state behind Correlator (correlator.h), shared by
// the files that implement it, one idea each. correlator.cpp: the public API and
// where an event goes (lookups, creating, joining, dropping incidents).
// evidence.cpp: what an event adds to an incident (chain, exits per run, crash
// loops). auto_resolution.cpp: recoveries and resolving once quiet.
// generic_incidents.cpp: incidents without a known cause, and handing their
// events to the cause that explains them. Nothing outside incidents/ includes it.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "incidents/correlator.h"
#include "incidents/fingerprint.h"
#include "incidents/pending_events.h"
#include "incidents/recovery_log.h"
#include "incidents/revision_log.h"

namespace faultline {
namespace correlator_detail {

constexpr size_t kMaxRevisions = 100;
constexpr size_t kMaxInstances = 1000;

// Names (revisions, instances) in order of first appearance by event time, then
// name, independent of arrival order; at most `cap` of them. `names` is the
// incident's public list, kept in step with `times_` (each name's first time).
// A name is found by a linear search of `names`: at most kMaxInstances short
// strings, searched only for failure events, where a hash map per list would
// cost every incident a few hundred bytes.
class FirstSeen {
 public:
  static constexpr size_t npos = static_cast<size_t>(-1);
  // Where note() left the name (`index`, npos when empty or beyond the cap) and
  // how the others moved: it went in new at `index`, or moved up from `from`.
  struct Placed {
    size_t index = npos;
    size_t from = npos;
    bool inserted = false;
  };

  Placed note(const std::string& name, Timestamp t, size_t cap, std::vector<std::string>& names) {
    if (name.empty()) return {};
    Placed placed;
    if (auto known = std::find(names.begin(), names.end(), name); known != names.end()) {
      const size_t old = static_cast<size_t>(known - names.begin());
      if (t >= times_[old]) return {old, npos, false};
      times_.erase(times_.begin() + static_cast<std::ptrdiff_t>(old));
      names.erase(known);
      placed.from = old;
    } else {
      if (names.size() >= cap) return {};
      placed.inserted = true;
    }
    const size_t at = position(t, name, names);
    times_.insert(times_.begin() + static_cast<std::ptrdiff_t>(at), t);
    names.insert(names.begin() + static_cast<std::ptrdiff_t>(at), name);
    placed.index = at;
    return placed;
  }

  void clear() { times_.clear(); }

 private:
  // Where (t, name) sits (or would sit) in the (time, name) order.
  size_t position(Timestamp t, const std::string& name, const std::vector<std::string>& names) const {
    size_t lo = 0, hi = times_.size();
    while (lo < hi) {
      const size_t mid = (lo + hi) / 2;
      if (times_[mid] < t || (times_[mid] == t && names[mid] < name))
        lo = mid + 1;
      else
        hi = mid;
    }
    return lo;
  }

  std::vector<Timestamp> times_;
};

// Inserts `t` in the sorted `times`: once when `distinct`, else after its
// equals. Past `cap` times the earliest goes.
inline void insert_time(std::vector<Timestamp>& times, Timestamp t, bool distinct,
                        size_t cap = static_cast<size_t>(-1)) {
  auto at = std::upper_bound(times.begin(), times.end(), t);
  if (distinct && at != times.begin() && *std::prev(at) == t) return;
  times.insert(at, t);
  if (times.size() > cap) times.erase(times.begin());
}

// Everything the correlator knows about one incident beyond its public shape.
// One failed run's end on an instance, as the pieces of evidence it left show it
// (gunicorn's shutdown, then the platform's exit line), so that it counts once.
struct RunEnd {
  Timestamp at{};
  std::vector<std::string> rules;  // the exit rules that showed this run's end
  bool failed_since = false;       // a cause or effect of the instance arrived at or after it
  bool coded = false;              // the run's exit code or signal is counted in exit_codes
};

// An instance's counted run ends by time, the latest kMaxRunEnds: evidence that
// arrives out of order still finds the run it belongs to.
using InstanceRuns = std::vector<RunEnd>;
inline constexpr size_t kMaxRunEnds = 64;

struct Tracked {
  Incident inc;
  std::string scope;
  // Opened without a real cause (generic_exit, or a fallback cause such as
  // supervisord giving up): a real cause arriving later absorbs its events.
  bool generic = false;
  bool exit_only() const { return inc.root_cause.rule == kGenericExitRule; }
  std::string module;                  // the root cause's module capture, for effect preference
  // Sorted vectors, not trees: most incidents hold a few times, and a tree
  // node costs more than the time it holds.
  std::vector<Timestamp> cover;        // distinct cause times (generic_exit: its exit times)
  std::vector<Timestamp> exit_times;   // run ends, repeats kept
  std::map<std::string, InstanceRuns> runs;  // by instance, at most kMaxInstances
  std::optional<Timestamp> root_time;  // the event root_cause, summary and hint come from
  std::optional<Timestamp> frame_time;
  bool hint_decided = false;  // inc.hint came from a `hints:` variant (Event::hint_decided)
  std::optional<Timestamp> crash_loop_at;
  FirstSeen revisions, instances;
  Severity cause_severity = Severity::info;
  bool any_event = false;
  std::optional<Recovery> pending;  // the recovery that resolves it once quiet
  // Latest failure per revision ("" for none; at most kMaxRevisions + 1), so that
  // an older revision still failing does not hold back a newer one's recovery.
  // Empty for a restored incident: then inc.last_failure stands for all.
  std::vector<std::pair<std::string, Timestamp>> last_failure_by_revision;
  std::vector<std::pair<Timestamp, std::string>> cause_revisions;  // (time, revision) sorted, distinct, capped
  // The earliest recurrence on an older revision since the current resolution.
  std::optional<Timestamp> old_revision_at;
  // Automatic resolutions that a later cause reopened (the latest 16): a cause
  // of an older revision delivered late into one of them is a recurrence
  // there, as it would have been in time order.
  struct PastResolution {
    Timestamp resolved_at{}, reopened_at{};
    std::string revision;
    std::optional<Timestamp> old_revision_at;
  };
  std::vector<PastResolution> past_resolutions;
  std::string deploy_note;  // what refresh_deploy appended to inc.hint
  bool restored = false;
  // generic_exit only: its events, so that a late cause can claim them.
  std::vector<Event> members;
  bool members_complete = true;
};

struct ScopeState {
  std::vector<Tracked*> incidents;
  Timestamp newest = Timestamp::min();
  RecoveryLog recoveries;
  RevisionLog revisions;
};

struct Cover {
  bool precedes = true;
  std::chrono::nanoseconds distance{};
};

// The changes of one call: each (type, incident) once, and no `updated` for an
// incident that already has a change in this call.
class Changes {
 public:
  explicit Changes(std::vector<IncidentChange>* out) : out_(out), start_(out ? out->size() : 0) {}
  void add(IncidentChange::Type type, const std::string& id, const std::string& merged_into = {}) {
    if (!out_) return;
    for (size_t i = start_; i < out_->size(); ++i) {
      const IncidentChange& c = (*out_)[i];
      if (c.incident_id != id) continue;
      if (c.type == type || type == IncidentChange::Type::updated) return;
    }
    out_->push_back(IncidentChange{type, id, merged_into});
  }

 private:
  std::vector<IncidentChange>* out_;
  size_t start_;
};

}  // namespace correlator_detail

struct Correlator::State {
  using Changes = correlator_detail::Changes;
  using Cover = correlator_detail::Cover;
  using RunEnd = correlator_detail::RunEnd;
  using ScopeState = correlator_detail::ScopeState;
  using Tracked = correlator_detail::Tracked;

  CorrelatorConfig cfg;
  WallClock wall;
  // Keyed by views of each incident's own id and fingerprint, which never
  // change once it is created: no second copy of either per incident.
  std::unordered_map<std::string_view, std::unique_ptr<Tracked>> by_id;
  std::unordered_map<std::string_view, Tracked*> by_fingerprint;
  std::unordered_map<std::string, ScopeState> scopes;
  PendingEvents pending;
  std::set<std::pair<Timestamp, std::string>> deadlines;  // recovery + quiet, incident id
  Timestamp now = Timestamp::min();
  uint64_t incidents_dropped = 0;

  State(CorrelatorConfig config, WallClock clock);

  // ---- correlator.cpp: lookups, placing events, creating and joining incidents
  void index_fingerprint(Tracked& t);
  Tracked* find_fingerprint(const std::string& fp);
  Tracked* find_id(const std::string& id);
  std::optional<Cover> covers(const Tracked& t, Timestamp time) const;
  static bool accepts(const Tracked& t, const Event& e);
  Tracked* best_for(const ScopeState& scope, const Event& e) const;
  Tracked& create(const Scope& scope, const std::string& key, const std::string& fp,
                  std::string_view rule, bool generic, Changes& changes);
  void remove(Tracked* t);
  void reopen(Tracked& t, const Event& e, Changes& changes);
  void attach(Tracked& t, const Event& e, bool as_cause, Changes& changes);
  void join_as_cause(Tracked& t, const Event& e, Changes& changes);
  void absorb_pending(const std::string& key, Timestamp time, Changes& changes);
  void place(const std::string& key, Event e, Changes& changes);
  void on_cause(const std::string& key, const Event& e, Changes& changes);
  void refresh_deploy(const std::string& key, Changes& changes);
  Timestamp quiet_clock(Timestamp t) const;
  void enforce_bounds(Changes& changes);

  // ---- evidence.cpp: folding an event into an incident
  void mark_crash_loop(Tracked& t, Timestamp at, const std::string& note);
  void check_crash_loop(Tracked& t, Timestamp time);
  static void link_chain(Incident& inc, const Event& e);
  static void count_exit_code(Incident& inc, const std::string& label);
  static void add_suspects(Incident& inc, const std::vector<SuspectLine>& lines);
  void fold(Tracked& t, const Event& e, bool as_cause);
  // Takes e's hint when it is the root event's, or when the evidence decided it
  // and the current hint is a fallback; keeps the deploy sentence at its end.
  static bool take_hint(Tracked& t, const Event& e, bool root);
  static bool ends_kubernetes_run(const Event& e);
  static bool new_run_ended(Tracked& t, const Event& e, RunEnd*& run);

  // ---- auto_resolution.cpp: recoveries, pending resolutions, recurrences
  static Timestamp last_failure_against(const Tracked& t, const std::string& revision);
  static bool qualifies(const Tracked& t, const Recovery& r);
  void cancel_pending(Tracked& t);
  void set_pending(Tracked& t, Recovery r);
  void seek_recovery(Tracked& t);
  void after_failure(Tracked& t);
  std::string resolution_note(const Recovery& r) const;
  void resolve_automatically(Tracked& t, const Recovery& r, Changes& changes);
  void note_old_revision_recurrence(Tracked& t);
  static void recurred_on_old_revision(Incident& inc, std::optional<Timestamp>& noted, Timestamp at,
                                       const std::string& revision, const std::string& recovered,
                                       const std::string& rule);
  void recurred_on_old_revision(Tracked& t, Timestamp at, const std::string& revision, const std::string& rule);
  void recurred_in_past_resolution(Tracked& t, const Event& e);
  void finalize(Timestamp limit, bool inclusive, Changes& changes);
  void move_resolution(Tracked& t, const Recovery& r, Changes& changes);
  void on_recovery(const std::string& key, const Event& e, Changes& changes);

  // ---- generic_incidents.cpp: incidents without a known cause
  static void render_generic(Tracked& t);
  static bool own_cause(const Tracked& g, const Event& e);
  void rebuild(Tracked& g, std::vector<Event> kept);
  void transfer_acknowledgement(const Tracked& from, Tracked& to, Changes& changes);
  void absorb_generics(Tracked& c, Timestamp time, Changes& changes);
  void open_generic(const std::string& key, Event e, const std::string& label, Changes& changes);
};

}  // namespace faultline
