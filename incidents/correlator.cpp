#include "incidents/correlator.h"

#include <algorithm>
#include <optional>
#include <set>
#include <tuple>
#include <unordered_map>
#include <utility>

#include "codec/units.h"
#include "incidents/deploy.h"
#include "incidents/exit_code.h"
#include "incidents/fingerprint.h"
#include "incidents/history.h"
#include "incidents/pending_events.h"
#include "incidents/recovery_log.h"
#include "incidents/revision.h"
#include "incidents/revision_log.h"

namespace faultline {
namespace {

constexpr size_t kMaxCoverTimes = 1024;
constexpr size_t kMaxExitTimes = 1024;
constexpr size_t kMaxRevisions = 100;
constexpr size_t kMaxInstances = 1000;
constexpr size_t kMaxGenericMembers = 512;
constexpr size_t kMaxScopes = 10000;
// Exit evidence of one instance this close to a counted exit is the same run ending.
constexpr std::chrono::seconds kSameRun{5};

int kind_rank(RuleKind kind) {
  switch (kind) {
    case RuleKind::cause: return 0;
    case RuleKind::effect: return 1;
    case RuleKind::exit: return 2;
    case RuleKind::loop: return 3;
    case RuleKind::recovery: return 4;
  }
  return 5;
}

Timestamp saturating_minus(Timestamp t, std::chrono::nanoseconds d) {
  return t < Timestamp::min() + d ? Timestamp::min() : t - d;
}

template <class Set>
void insert_capped(Set& set, Timestamp t, size_t cap) {
  set.insert(t);
  if (set.size() > cap) set.erase(set.begin());
}

// Names (revisions, instances) in order of first appearance by event time, then
// name, independent of arrival order; at most `cap` of them. `names` is the
// incident's public list, kept in step with `times_`.
class FirstSeen {
 public:
  void note(const std::string& name, Timestamp t, size_t cap, std::vector<std::string>& names) {
    if (name.empty()) return;
    auto known = first_.find(name);
    if (known != first_.end()) {
      if (t >= known->second) return;
      const size_t old = position(known->second, name, names);
      times_.erase(times_.begin() + static_cast<std::ptrdiff_t>(old));
      names.erase(names.begin() + static_cast<std::ptrdiff_t>(old));
      known->second = t;
    } else {
      if (first_.size() >= cap) return;
      first_.emplace(name, t);
    }
    const size_t at = position(t, name, names);
    times_.insert(times_.begin() + static_cast<std::ptrdiff_t>(at), t);
    names.insert(names.begin() + static_cast<std::ptrdiff_t>(at), name);
  }

  void clear() {
    first_.clear();
    times_.clear();
  }

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

  std::unordered_map<std::string, Timestamp> first_;
  std::vector<Timestamp> times_;
};

// Everything the correlator knows about one incident beyond its public shape.
// One instance's last counted exit, so that the pieces of evidence one failed
// run leaves (gunicorn's shutdown, then the platform's exit line) count once.
struct InstanceRun {
  Timestamp last_exit{};
  std::vector<std::string> rules;  // the exit rules that showed this run's end
  bool failed_since = false;       // a cause or effect of the instance arrived after that exit
  bool coded = false;              // the run's exit code or signal is counted in exit_codes
};

struct Tracked {
  Incident inc;
  std::string scope;
  // Opened without a real cause (generic_exit, or a fallback cause such as
  // supervisord giving up): a real cause arriving later absorbs its events.
  bool generic = false;
  bool exit_only() const { return inc.root_cause.rule == kGenericExitRule; }
  std::string module;                  // the root cause's module capture, for effect preference
  std::set<Timestamp> cover;           // cause times (generic_exit: its exit times)
  std::multiset<Timestamp> exit_times;
  std::map<std::string, InstanceRun> runs;  // by instance, at most kMaxInstances
  std::optional<Timestamp> root_time;  // the event root_cause, summary and hint come from
  std::optional<Timestamp> frame_time;
  std::optional<Timestamp> crash_loop_at;
  FirstSeen revisions, instances;
  Severity cause_severity = Severity::info;
  bool any_event = false;
  std::optional<Recovery> pending;  // the recovery that resolves it once quiet
  // Latest failure per revision ("" for none; at most kMaxRevisions + 1), so that
  // an older revision still failing does not hold back a newer one's recovery.
  // Empty for a restored incident: then inc.last_failure stands for all.
  std::map<std::string, Timestamp> last_failure_by_revision;
  std::set<std::pair<Timestamp, std::string>> cause_revisions;  // (time, revision), capped
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
  std::optional<DeployInfo> shown_deploy;  // inc.deploy as last reported
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

}  // namespace

struct Correlator::State {
  CorrelatorConfig cfg;
  WallClock wall;
  std::unordered_map<std::string, std::unique_ptr<Tracked>> by_id;
  std::unordered_map<std::string, std::string> id_by_fingerprint;
  std::unordered_map<std::string, ScopeState> scopes;
  PendingEvents pending;
  std::set<std::pair<Timestamp, std::string>> deadlines;  // recovery + quiet, incident id
  Timestamp now = Timestamp::min();
  uint64_t incidents_dropped = 0;

  State(CorrelatorConfig config, WallClock clock)
      : cfg(config),
        wall(std::move(clock)),
        pending(PendingEvents::Limits{config.max_pending_per_scope, config.max_pending_total,
                                      config.max_lateness}) {}

  // ---- lookups -------------------------------------------------------------

  Tracked* find_fingerprint(const std::string& fp) {
    auto it = id_by_fingerprint.find(fp);
    if (it == id_by_fingerprint.end()) return nullptr;
    auto t = by_id.find(it->second);
    return t == by_id.end() ? nullptr : t->second.get();
  }

  Tracked* find_id(const std::string& id) {
    auto it = by_id.find(id);
    return it == by_id.end() ? nullptr : it->second.get();
  }

  std::optional<Cover> covers(const Tracked& t, Timestamp time) const {
    auto after = t.cover.upper_bound(time);
    if (after != t.cover.begin()) {
      auto prev = std::prev(after);
      if (time - *prev <= cfg.window) return Cover{true, time - *prev};
    }
    if (after != t.cover.end() && *after - time <= cfg.lead_tolerance)
      return Cover{false, *after - time};
    return std::nullopt;
  }

  // A resolved incident takes only late news, or the old revision still failing.
  static bool accepts(const Tracked& t, const Event& e) {
    if (t.inc.state != IncidentState::resolved) return true;
    if (e.time <= t.inc.resolved_at.value_or(Timestamp::max())) return true;
    return t.inc.resolved_by_revision && is_older_revision(e.revision, *t.inc.resolved_by_revision);
  }

  Tracked* best_for(const ScopeState& scope, const Event& e) const {
    using Rank = std::tuple<int, int, int, std::chrono::nanoseconds, const std::string*>;
    Tracked* best = nullptr;
    Rank best_rank{};
    const std::string& module = e.capture("module");
    for (Tracked* t : scope.incidents) {
      if (t->exit_only() && e.is_exit()) continue;  // exits go to the generic_exit of their own code
      if (!accepts(*t, e)) continue;
      auto cover = covers(*t, e.time);
      if (!cover) continue;
      Rank rank{t->generic ? 1 : 0, !module.empty() && module == t->module ? 0 : 1,
                cover->precedes ? 0 : 1, cover->distance, &t->inc.fingerprint};
      auto less = [](const Rank& a, const Rank& b) {
        if (std::get<0>(a) != std::get<0>(b)) return std::get<0>(a) < std::get<0>(b);
        if (std::get<1>(a) != std::get<1>(b)) return std::get<1>(a) < std::get<1>(b);
        if (std::get<2>(a) != std::get<2>(b)) return std::get<2>(a) < std::get<2>(b);
        if (std::get<3>(a) != std::get<3>(b)) return std::get<3>(a) < std::get<3>(b);
        return *std::get<4>(a) < *std::get<4>(b);
      };
      if (!best || less(rank, best_rank)) {
        best = t;
        best_rank = rank;
      }
    }
    return best;
  }

  // ---- folding an event into an incident ------------------------------------

  void mark_crash_loop(Tracked& t, Timestamp at, const std::string& note) {
    if (t.inc.crash_loop && t.crash_loop_at && *t.crash_loop_at <= at) return;
    t.inc.crash_loop = true;
    t.crash_loop_at = at;
    date_history(t.inc, "crash_loop", at, "auto", note);
  }

  // Finds the earliest span of `window` that holds crash_loop_exits exits, among
  // the spans that include `time` (earlier spans were checked when their exits came).
  void check_crash_loop(Tracked& t, Timestamp time) {
    const size_t n = static_cast<size_t>(std::max(1, cfg.crash_loop_exits));
    std::vector<Timestamp> near(t.exit_times.lower_bound(time - cfg.window),
                                t.exit_times.upper_bound(time + cfg.window));
    for (size_t j = n - 1; j < near.size(); ++j) {
      if (near[j] - near[j + 1 - n] <= cfg.window) {
        mark_crash_loop(t, near[j],
                        std::to_string(n) + " exits within " + format_duration(cfg.window));
        return;
      }
    }
  }

  static void link_chain(Incident& inc, const Event& e) {
    auto it = std::find_if(inc.chain.begin(), inc.chain.end(),
                           [&](const ChainLink& link) { return link.rule == e.rule_id; });
    if (it == inc.chain.end()) {
      inc.chain.push_back(ChainLink{e.rule_id, e.kind, 1, e.time, e.time, e.sample});
    } else {
      ++it->count;
      if (e.time < it->first_seen || (e.time == it->first_seen && e.sample < it->sample)) {
        it->first_seen = e.time;
        it->sample = e.sample;
      }
      if (e.time > it->last_seen) it->last_seen = e.time;
    }
    std::sort(inc.chain.begin(), inc.chain.end(), [](const ChainLink& a, const ChainLink& b) {
      return std::make_tuple(kind_rank(a.kind), a.first_seen, std::cref(a.rule)) <
             std::make_tuple(kind_rank(b.kind), b.first_seen, std::cref(b.rule));
    });
  }

  // Without a known cause, the lines each crash's instance printed last stand in
  // for it: each (instance, line) once, counted per crash it preceded, the
  // latest kMaxSuspectLines by time, oldest first.
  static void add_suspects(Incident& inc, const std::vector<SuspectLine>& lines) {
    for (const SuspectLine& line : lines) {
      auto same = std::find_if(inc.suspects.begin(), inc.suspects.end(), [&](const SuspectLine& s) {
        return s.instance == line.instance && s.line == line.line;
      });
      if (same != inc.suspects.end()) {
        if (line.time <= same->time) continue;  // the same crash's line seen again, or an older one
        SuspectLine moved = std::move(*same);
        inc.suspects.erase(same);
        moved.time = line.time;
        ++moved.count;
        insert_suspect(inc, std::move(moved));
      } else {
        insert_suspect(inc, line);
      }
    }
  }
  static void insert_suspect(Incident& inc, SuspectLine line) {
    auto at = std::upper_bound(inc.suspects.begin(), inc.suspects.end(), line.time,
                               [](Timestamp t, const SuspectLine& s) { return t < s.time; });
    inc.suspects.insert(at, std::move(line));
    if (inc.suspects.size() > kMaxSuspectLines) inc.suspects.erase(inc.suspects.begin());
  }

  static void count_exit_code(Incident& inc, const std::string& label) {
    auto it = std::find_if(inc.exit_codes.begin(), inc.exit_codes.end(),
                           [&](const auto& entry) { return entry.first == label; });
    if (it != inc.exit_codes.end()) {
      ++it->second;
      return;
    }
    inc.exit_codes.emplace_back(label, 1);
    std::sort(inc.exit_codes.begin(), inc.exit_codes.end());
  }

  static void render_generic(Tracked& t) {
    Incident& inc = t.inc;
    std::string label = "unknown";
    for (const auto& [name, value] : inc.root_cause.captures)
      if (name == "code") label = value;
    const std::string times = inc.exits == 1 ? "once" : std::to_string(inc.exits) + " times";
    std::string meaning(exit_meaning(label));
    std::string what;
    if (label == "unknown")
      what = "exited without a known exit code";
    else if (label.rfind("SIG", 0) == 0)
      what = "was terminated by " + label;
    else
      what = "exited with code " + label;
    if (!meaning.empty()) what += " (" + meaning + ")";
    if (inc.exits == 0) what = "keeps being restarted";  // only a restart loop shows the crashes
    else what += " " + times;
    inc.summary = inc.service + " " + what + "; no root cause line was found";
    inc.hint = std::string(exit_hint(label));
    if (!inc.suspects.empty())
      inc.hint += " The lines it printed last before crashing are listed as suspect lines.";
  }

  void fold(Tracked& t, const Event& e, bool as_cause) {
    Incident& inc = t.inc;
    if (as_cause) {
      ++inc.occurrences;
      insert_capped(t.cover, e.time, kMaxCoverTimes);
      t.cause_severity = std::max(t.cause_severity, e.severity);
      if (!t.root_time || e.time < *t.root_time ||
          (e.time == *t.root_time && e.sample < inc.root_cause.message)) {
        t.root_time = e.time;
        inc.root_cause.message = e.sample;
        if (!t.exit_only()) {
          inc.root_cause.captures = e.captures;
          inc.summary = e.summary;
          inc.hint = e.hint;
        }
      }
      if (!t.exit_only() && e.culprit && (!t.frame_time || e.time < *t.frame_time)) {
        inc.root_cause.frame = e.culprit;
        t.frame_time = e.time;
      }
    }
    if (e.is_exit() || ends_kubernetes_run(e)) {
      InstanceRun* run = nullptr;
      if (new_run_ended(t, e, run)) {
        ++inc.exits;
        insert_capped(t.exit_times, e.time, kMaxExitTimes);
        check_crash_loop(t, e.time);
      }
      // The run's code, from whichever piece of its evidence names one (an OOM
      // kill names none; the platform's "terminated by signal 9" does).
      if (auto label = exit_label(e); label && !(run && run->coded)) {
        count_exit_code(inc, *label);
        if (run) run->coded = true;
      }
    } else if (e.kind == RuleKind::cause || e.kind == RuleKind::effect) {
      if (auto run = t.runs.find(e.instance); run != t.runs.end()) run->second.failed_since = true;
    }
    if (e.kind == RuleKind::loop) mark_crash_loop(t, e.time, e.rule_id);
    if (t.generic) add_suspects(inc, e.suspects);
    link_chain(inc, e);
    t.revisions.note(e.revision, e.time, kMaxRevisions, inc.revisions);
    t.instances.note(e.instance, e.time, kMaxInstances, inc.instances);
    if (!t.any_event || e.time < inc.opened_at) {
      inc.opened_at = e.time;
      date_history(inc, "opened", e.time, "auto", inc.root_cause.rule);
    }
    if (!t.any_event || e.time > inc.last_seen) inc.last_seen = e.time;
    if (!t.any_event || e.time > inc.last_failure) inc.last_failure = e.time;
    auto known = t.last_failure_by_revision.find(e.revision);
    if (known != t.last_failure_by_revision.end())
      known->second = std::max(known->second, e.time);
    else if (t.last_failure_by_revision.size() <= kMaxRevisions)
      t.last_failure_by_revision.emplace(e.revision, e.time);
    else
      t.last_failure_by_revision[""] = std::max(t.last_failure_by_revision[""], e.time);
    if (as_cause) {
      t.cause_revisions.emplace(e.time, e.revision);
      if (t.cause_revisions.size() > kMaxCoverTimes) t.cause_revisions.erase(t.cause_revisions.begin());
    }
    t.any_event = true;
    inc.severity = inc.crash_loop ? Severity::critical : t.cause_severity;
    if (t.exit_only()) render_generic(t);
  }

  // One exit per failed run: other exit evidence of an instance a few seconds
  // after the exit already counted is the same run ending (gunicorn's master,
  // then Cloud Run's "Container called exit"); the same line again is the next
  // run (supervisord restarting a program in quick succession). Lines without
  // times all carry the arrival time; there a cause or effect of the instance
  // between two exits also marks a new run.
  // A container on Kubernetes logs no exit line of its own: its fatal error is the
  // evidence that the run failed (the kubelet restarts it), so on k8s_container
  // a cause counts as its run's exit.
  static bool ends_kubernetes_run(const Event& e) {
    return e.kind == RuleKind::cause && !e.fallback && e.resource_type == "k8s_container";
  }

  // `run` is set to the instance's run (null beyond kMaxInstances).
  static bool new_run_ended(Tracked& t, const Event& e, InstanceRun*& run) {
    auto it = t.runs.find(e.instance);
    if (it == t.runs.end()) {
      if (t.runs.size() < kMaxInstances) {
        run = &t.runs.emplace(e.instance, InstanceRun{e.time}).first->second;
        run->rules.push_back(e.rule_id);
      }
      return true;
    }
    run = &it->second;
    const auto gap = e.time > run->last_exit ? e.time - run->last_exit : run->last_exit - e.time;
    // A fatal error prints its cause on several lines (the traceback, then a
    // wrapper that repeats it): only time separates a Kubernetes run from the next.
    const bool repeated = e.is_exit() && std::find(run->rules.begin(), run->rules.end(), e.rule_id) != run->rules.end();
    const bool counts = gap > kSameRun || repeated || (gap.count() == 0 && run->failed_since);
    if (counts) *run = InstanceRun{e.time};
    run->failed_since = false;
    if (run->rules.size() < 8) run->rules.push_back(e.rule_id);
    return counts;
  }

  // ---- automatic resolution -------------------------------------------------

  // The latest failure that a recovery on `revision` must follow: failures of
  // revisions older than it are old instances still running, not a sign that
  // the newer revision is unhealthy.
  static Timestamp last_failure_against(const Tracked& t, const std::string& revision) {
    if (t.last_failure_by_revision.empty()) return t.inc.last_failure;
    Timestamp last = Timestamp::min();
    for (const auto& [failing, time] : t.last_failure_by_revision)
      if (time > last && !is_older_revision(failing, revision)) last = time;
    return last;
  }

  static bool qualifies(const Tracked& t, const Recovery& r) {
    return r.time > last_failure_against(t, r.revision) && is_newer_revision(r.revision, t.inc.revisions);
  }

  void cancel_pending(Tracked& t) {
    if (!t.pending) return;
    deadlines.erase({t.pending->time + cfg.resolve_quiet, t.inc.id});
    t.pending.reset();
  }

  void set_pending(Tracked& t, Recovery r) {
    cancel_pending(t);
    deadlines.insert({r.time + cfg.resolve_quiet, t.inc.id});
    t.pending = std::move(r);
  }

  void seek_recovery(Tracked& t) {
    if (t.inc.state == IncidentState::resolved) return;
    auto scope = scopes.find(t.scope);
    if (scope == scopes.end()) return;
    auto r = scope->second.recoveries.earliest_where([&](const std::string& revision) -> std::optional<Timestamp> {
      if (!is_newer_revision(revision, t.inc.revisions)) return std::nullopt;
      return last_failure_against(t, revision);
    });
    if (r && (!t.pending || r->time < t.pending->time)) set_pending(t, std::move(*r));
  }

  // A failure joined the incident: a pending recovery it contradicts is void.
  void after_failure(Tracked& t) {
    if (t.inc.state == IncidentState::resolved) return;
    if (t.pending && !qualifies(t, *t.pending)) cancel_pending(t);
    if (!t.pending) seek_recovery(t);
  }

  std::string resolution_note(const Recovery& r) const {
    std::string note = "healthy after the last failure";
    if (!r.revision.empty()) note = "revision " + r.revision + " " + note;
    return note + ", no failure for " + format_duration(cfg.resolve_quiet);
  }

  void resolve_automatically(Tracked& t, const Recovery& r, Changes& changes) {
    Incident& inc = t.inc;
    inc.state = IncidentState::resolved;
    inc.resolved_at = r.time;
    inc.resolved_by = "auto";
    if (r.revision.empty())
      inc.resolved_by_revision.reset();
    else
      inc.resolved_by_revision = r.revision;
    if (r.time > inc.last_seen) inc.last_seen = r.time;
    t.old_revision_at.reset();
    add_history(inc, HistoryEntry{r.time, "resolved", "auto", resolution_note(r)});
    note_old_revision_recurrence(t);
    changes.add(IncidentChange::Type::resolved, inc.id);
  }

  // Causes from an older revision after the recovery did not stop the
  // resolution (qualifies); in time order they would have come after it, as
  // recurrences on the old revision, so the history says so.
  void note_old_revision_recurrence(Tracked& t) {
    Incident& inc = t.inc;
    if (!inc.resolved_at || !inc.resolved_by_revision) return;
    for (auto it = t.cause_revisions.lower_bound({*inc.resolved_at + std::chrono::nanoseconds(1), std::string()});
         it != t.cause_revisions.end(); ++it) {
      if (!is_older_revision(it->second, *inc.resolved_by_revision)) continue;
      if (t.old_revision_at && *t.old_revision_at <= it->first) return;
      recurred_on_old_revision(t, it->first, it->second, inc.root_cause.rule);
      return;
    }
  }

  // Records (once per resolution, in `noted`) a cause of `revision` at `at`,
  // older than `recovered`, the revision that resolved the incident. Dated at
  // the earliest such recurrence, whatever order they arrive in.
  static void recurred_on_old_revision(Incident& inc, std::optional<Timestamp>& noted, Timestamp at,
                                       const std::string& revision, const std::string& recovered,
                                       const std::string& rule) {
    if (noted && *noted <= at) return;
    if (noted) {
      auto entry = std::find_if(inc.history.begin(), inc.history.end(), [&](const HistoryEntry& h) {
        return h.action == "recurred_on_old_revision" && h.at == *noted;
      });
      if (entry != inc.history.end()) inc.history.erase(entry);
    }
    add_history(inc, HistoryEntry{at, "recurred_on_old_revision", "auto",
                                  rule + " on " + revision + ", older than " + recovered});
    noted = at;
  }

  void recurred_on_old_revision(Tracked& t, Timestamp at, const std::string& revision, const std::string& rule) {
    recurred_on_old_revision(t.inc, t.old_revision_at, at, revision, *t.inc.resolved_by_revision, rule);
  }

  // A cause that arrived after the reopen but falls inside an earlier
  // resolution, from a revision older than the one that recovered then.
  void recurred_in_past_resolution(Tracked& t, const Event& e) {
    for (auto& past : t.past_resolutions)
      if (past.resolved_at < e.time && e.time < past.reopened_at && is_older_revision(e.revision, past.revision))
        recurred_on_old_revision(t.inc, past.old_revision_at, e.time, e.revision, past.revision, e.rule_id);
  }

  void finalize(Timestamp limit, bool inclusive, Changes& changes) {
    while (!deadlines.empty()) {
      auto [deadline, id] = *deadlines.begin();
      if (inclusive ? deadline > limit : deadline >= limit) break;
      deadlines.erase(deadlines.begin());
      Tracked* t = find_id(id);
      if (!t || !t->pending) continue;
      Recovery r = std::move(*t->pending);
      t->pending.reset();
      resolve_automatically(*t, r, changes);
    }
  }

  // ---- incidents: create, join, merge, drop ----------------------------------

  Tracked& create(const Scope& scope, const std::string& key, const std::string& fp,
                  std::string_view rule, bool generic, Changes& changes) {
    std::string id = incident_id(fp);
    for (int i = 1; by_id.count(id); ++i) id = incident_id(fp + "#" + std::to_string(i));
    auto owned = std::make_unique<Tracked>();
    Tracked& t = *owned;
    t.inc.id = id;
    t.inc.fingerprint = fp;
    t.inc.service = scope.service;
    t.inc.namespace_name = scope.namespace_name;
    t.inc.cluster = scope.cluster;
    t.inc.root_cause.rule = std::string(rule);
    if (wall) t.inc.detected_at = wall();
    t.scope = key;
    t.generic = generic;
    by_id.emplace(id, std::move(owned));
    id_by_fingerprint[fp] = id;
    scopes[key].incidents.push_back(&t);
    changes.add(IncidentChange::Type::opened, id);
    return t;
  }

  void remove(Tracked* t) {
    cancel_pending(*t);
    auto scope = scopes.find(t->scope);
    if (scope != scopes.end()) std::erase(scope->second.incidents, t);
    auto fp = id_by_fingerprint.find(t->inc.fingerprint);
    if (fp != id_by_fingerprint.end() && fp->second == t->inc.id) id_by_fingerprint.erase(fp);
    by_id.erase(t->inc.id);
  }

  void reopen(Tracked& t, const Event& e, Changes& changes) {
    Incident& inc = t.inc;
    if (inc.resolved_at && inc.resolved_by_revision) {
      t.past_resolutions.push_back({*inc.resolved_at, e.time, *inc.resolved_by_revision, t.old_revision_at});
      if (t.past_resolutions.size() > 16) t.past_resolutions.erase(t.past_resolutions.begin());
    }
    inc.state = IncidentState::open;
    ++inc.reopened;
    inc.acknowledged_at.reset();
    inc.resolved_at.reset();
    inc.resolved_by.reset();
    inc.resolved_by_revision.reset();
    t.old_revision_at.reset();
    std::string note = e.rule_id;
    if (!e.revision.empty()) note += " on " + e.revision;
    add_history(inc, HistoryEntry{e.time, "reopened", "auto", note});
    changes.add(IncidentChange::Type::reopened, inc.id);
  }

  void attach(Tracked& t, const Event& e, bool as_cause, Changes& changes) {
    const bool was_crash_loop = t.inc.crash_loop;
    const Severity was_severity = t.inc.severity;
    const bool was_empty = !t.any_event;
    fold(t, e, as_cause);
    if (t.generic && t.members_complete) {
      if (t.members.size() >= kMaxGenericMembers) {
        t.members_complete = false;
        t.members.clear();
        t.members.shrink_to_fit();
      } else {
        t.members.push_back(e);
      }
    }
    after_failure(t);
    if (!was_empty && ((t.inc.crash_loop && !was_crash_loop) || t.inc.severity > was_severity))
      changes.add(IncidentChange::Type::escalated, t.inc.id);
    changes.add(IncidentChange::Type::updated, t.inc.id);
  }

  // A cause (or a generic_exit's own exit) joins the incident of its fingerprint.
  void join_as_cause(Tracked& t, const Event& e, Changes& changes) {
    if (t.inc.state == IncidentState::resolved && e.time > t.inc.resolved_at.value_or(e.time)) {
      if (t.inc.resolved_by_revision && is_older_revision(e.revision, *t.inc.resolved_by_revision)) {
        recurred_on_old_revision(t, e.time, e.revision, e.rule_id);
      } else {
        reopen(t, e, changes);
      }
    } else {
      recurred_in_past_resolution(t, e);
    }
    attach(t, e, true, changes);
  }

  // Whether `e` was folded into `g` as its cause: a generic_exit's own exits, a
  // fallback incident's own fallback events.
  static bool own_cause(const Tracked& g, const Event& e) {
    return g.exit_only() ? e.is_exit() : e.fallback && e.rule_id == g.inc.root_cause.rule;
  }

  // Rebuilds a generic incident's evidence from the events it keeps. Identity,
  // lifecycle and deploy stay; everything fold() derives from events is cleared
  // here and folded again (a new derived field of Incident belongs in this list).
  void rebuild(Tracked& g, std::vector<Event> kept) {
    Incident& inc = g.inc;
    inc.revisions.clear();
    inc.instances.clear();
    inc.root_cause.message.clear();
    inc.root_cause.frame.reset();
    inc.chain.clear();
    inc.exits = 0;
    inc.exit_codes.clear();
    inc.suspects.clear();
    inc.crash_loop = false;
    inc.occurrences = 0;
    inc.opened_at = inc.last_seen = inc.last_failure = Timestamp{};
    std::erase_if(inc.history, [](const HistoryEntry& entry) { return entry.action == "crash_loop"; });
    g.cover.clear();
    g.exit_times.clear();
    g.runs.clear();
    g.frame_time.reset();
    g.last_failure_by_revision.clear();
    g.cause_revisions.clear();
    g.root_time.reset();
    g.crash_loop_at.reset();
    g.revisions.clear();
    g.instances.clear();
    g.cause_severity = Severity::info;
    g.any_event = false;
    g.members = std::move(kept);
    for (const Event& m : g.members) fold(g, m, own_cause(g, m));
    if (g.pending && !qualifies(g, *g.pending)) cancel_pending(g);
  }

  void transfer_acknowledgement(const Tracked& from, Tracked& to, Changes& changes) {
    if (from.inc.state != IncidentState::acknowledged || to.inc.state != IncidentState::open) return;
    to.inc.state = IncidentState::acknowledged;
    to.inc.acknowledged_at = from.inc.acknowledged_at;
    for (const auto& entry : from.inc.history)
      if (entry.action == "acknowledged") add_history(to.inc, entry);
    changes.add(IncidentChange::Type::acknowledged, to.inc.id);
  }

  // A cause at `time` joined `c`: generic events it explains move into `c`. A
  // real cause takes every generic incident's events from lead_tolerance before
  // it; a fallback cause (which reports a death after the fact) takes only
  // generic_exit events, from a whole window before it.
  void absorb_generics(Tracked& c, Timestamp time, Changes& changes) {
    const Timestamp from = time - (c.generic ? cfg.window : cfg.lead_tolerance), to = time + cfg.window;
    std::vector<Tracked*> generics;
    for (Tracked* t : scopes[c.scope].incidents)
      if (t->generic && t != &c && (!c.generic || t->exit_only()) && t->members_complete && !t->members.empty())
        generics.push_back(t);
    for (Tracked* g : generics) {
      std::vector<Event> moved, kept;
      for (Event& m : g->members)
        (m.time >= from && m.time <= to && accepts(c, m) ? moved : kept).push_back(std::move(m));
      g->members.clear();
      if (moved.empty()) {
        g->members = std::move(kept);
        continue;
      }
      for (const Event& m : moved) attach(c, m, false, changes);
      if (g->inc.detected_at && (!c.inc.detected_at || *g->inc.detected_at < *c.inc.detected_at))
        c.inc.detected_at = g->inc.detected_at;
      const bool keeps_exits =
          std::any_of(kept.begin(), kept.end(), [&](const Event& e) { return own_cause(*g, e); });
      if (keeps_exits) {
        rebuild(*g, std::move(kept));
        changes.add(IncidentChange::Type::updated, g->inc.id);
        continue;
      }
      transfer_acknowledgement(*g, c, changes);
      const std::string gone = g->inc.id;
      const std::string scope_key_copy = g->scope;
      remove(g);
      changes.add(IncidentChange::Type::merged, gone, c.inc.id);
      for (Event& e : kept) place(scope_key_copy, std::move(e), changes);
    }
  }

  // An incident gained a cover time: waiting effects it explains are placed again.
  void absorb_pending(const std::string& key, Timestamp time, Changes& changes) {
    for (Event& e : pending.take(key, time - cfg.lead_tolerance, time + cfg.window))
      place(key, std::move(e), changes);
  }

  void open_generic(const std::string& key, Event e, const std::string& label, Changes& changes) {
    const Scope scope = scope_of(e);
    const std::string fp =
        make_fingerprint(scope, kGenericExitRule, std::make_pair(std::string("code"), label));
    Tracked* t = find_fingerprint(fp);
    if (!t) {
      t = &create(scope, key, fp, kGenericExitRule, true, changes);
      t->inc.root_cause.captures = {{"code", label}};
    }
    const Timestamp time = e.time;
    join_as_cause(*t, e, changes);
    absorb_pending(key, time, changes);
  }

  // Effects, exits, loops and fallback causes: join the best covering incident,
  // else wait. Crash evidence does not wait: a failing exit or a loop opens the
  // generic_exit incident of its code, a fallback cause an incident of its own.
  void place(const std::string& key, Event e, Changes& changes) {
    ScopeState& scope = scopes[key];
    Tracked* t = best_for(scope, e);
    if (t && !(e.fallback && t->generic)) {
      if (e.fallback) e.kind = RuleKind::effect;  // beside a real cause, it is one of its effects
      attach(*t, e, false, changes);
      return;
    }
    if (e.fallback) {
      on_cause(key, e, changes);
      return;
    }
    if (t) {
      attach(*t, e, false, changes);
      return;
    }
    if (e.is_exit() || e.kind == RuleKind::loop) {
      const std::string label = exit_label(e).value_or("unknown");
      if (label != "0") {
        open_generic(key, std::move(e), label, changes);
        return;
      }
    }
    pending.add(key, std::move(e), scope.newest);
  }

  void on_cause(const std::string& key, const Event& e, Changes& changes) {
    const Scope scope = scope_of(e);
    const std::string fp = make_fingerprint(scope, e.rule_id, primary_capture(e));
    Tracked* t = find_fingerprint(fp);
    if (!t) {
      t = &create(scope, key, fp, e.rule_id, e.fallback, changes);
      t->module = e.capture("module");
    }
    join_as_cause(*t, e, changes);
    absorb_generics(*t, e.time, changes);
    absorb_pending(key, e.time, changes);
  }

  // A recovery earlier than the one that resolved the incident, delivered late,
  // is where the resolution really happened: the same answer as in time order.
  void move_resolution(Tracked& t, const Recovery& r, Changes& changes) {
    Incident& inc = t.inc;
    inc.resolved_at = r.time;
    if (r.revision.empty())
      inc.resolved_by_revision.reset();
    else
      inc.resolved_by_revision = r.revision;
    inc.last_seen = std::max(inc.last_failure, r.time);
    redate_last_history(inc, "resolved", r.time, resolution_note(r));
    note_old_revision_recurrence(t);
    changes.add(IncidentChange::Type::updated, inc.id);
  }

  void on_recovery(const std::string& key, const Event& e, Changes& changes) {
    ScopeState& scope = scopes[key];
    scope.recoveries.add(e.revision, e.time, saturating_minus(scope.newest, cfg.max_lateness));
    Recovery r{e.time, e.revision};
    for (Tracked* t : scope.incidents) {
      if (!qualifies(*t, r)) continue;
      if (t->inc.state == IncidentState::resolved) {
        if (t->inc.resolved_by == "auto" && t->inc.resolved_at && r.time < *t->inc.resolved_at)
          move_resolution(*t, r, changes);
      } else if (!t->pending || r.time < t->pending->time) {
        set_pending(*t, r);
      }
    }
  }

  // ---- deploy-revision correlation --------------------------------------------

  // Recomputed for the whole scope after every event: a late recovery of the
  // previous revision, or an earlier event of the incident's own, changes the
  // answer of an incident the event did not join.
  void refresh_deploy(const std::string& key, Changes& changes) {
    auto scope = scopes.find(key);
    if (scope == scopes.end()) return;
    for (Tracked* t : scope->second.incidents) {
      Incident& inc = t->inc;
      std::optional<DeployInfo> fresh = correlate_deploy(inc, scope->second.revisions, cfg.window);
      // After a restart the log starts empty: keep what the store knew until
      // the events seen since know at least a previous revision again.
      if (t->restored && inc.deploy && fresh && !fresh->previous_revision &&
          inc.deploy->revision == fresh->revision)
        fresh = inc.deploy;
      std::string hint = inc.hint;
      if (!t->deploy_note.empty() && hint.ends_with(" " + t->deploy_note))
        hint.resize(hint.size() - t->deploy_note.size() - 1);
      else if (!t->deploy_note.empty() && hint == t->deploy_note)
        hint.clear();
      inc.deploy = std::move(fresh);
      t->deploy_note = deploy_note(inc);
      if (!t->deploy_note.empty()) hint += (hint.empty() ? "" : " ") + t->deploy_note;
      if (hint == inc.hint && inc.deploy == t->shown_deploy) continue;
      inc.hint = std::move(hint);
      t->shown_deploy = inc.deploy;
      changes.add(IncidentChange::Type::updated, inc.id);
    }
  }

  // ---- bounds ----------------------------------------------------------------

  // Event time as far as quiet periods go (CorrelatorConfig::max_clock_ahead).
  Timestamp quiet_clock(Timestamp t) const {
    if (cfg.max_clock_ahead <= std::chrono::nanoseconds::zero() || !wall) return t;
    const Timestamp limit = wall() + cfg.max_clock_ahead;
    return t < limit ? t : limit;
  }

  void enforce_bounds(Changes& changes) {
    if (by_id.size() > cfg.max_incidents) {
      std::vector<Tracked*> all;
      all.reserve(by_id.size());
      for (auto& [id, t] : by_id) all.push_back(t.get());
      std::sort(all.begin(), all.end(), [](const Tracked* a, const Tracked* b) {
        const bool ra = a->inc.state == IncidentState::resolved;
        const bool rb = b->inc.state == IncidentState::resolved;
        if (ra != rb) return ra;
        if (a->inc.last_seen != b->inc.last_seen) return a->inc.last_seen < b->inc.last_seen;
        return a->inc.id < b->inc.id;
      });
      const size_t excess = by_id.size() - cfg.max_incidents;
      const size_t batch = std::min(all.size(), std::max(excess, cfg.max_incidents / 100));
      for (size_t i = 0; i < batch; ++i) {
        changes.add(IncidentChange::Type::dropped, all[i]->inc.id);
        remove(all[i]);
      }
      incidents_dropped += batch;
    }
    if (scopes.size() > kMaxScopes) {
      std::vector<std::pair<Timestamp, std::string>> idle;
      for (const auto& [key, scope] : scopes)
        if (scope.incidents.empty()) idle.emplace_back(scope.newest, key);
      std::sort(idle.begin(), idle.end());
      const size_t batch = std::min(idle.size(), std::max<size_t>(scopes.size() - kMaxScopes, kMaxScopes / 100));
      for (size_t i = 0; i < batch; ++i) scopes.erase(idle[i].second);
    }
  }
};

Correlator::Correlator(CorrelatorConfig config, WallClock wall_clock)
    : state_(std::make_unique<State>(config, std::move(wall_clock))) {}

Correlator::~Correlator() = default;

void Correlator::add(const Event& event, std::vector<IncidentChange>* changes) {
  State& s = *state_;
  Changes out(changes);
  // Quiet periods that ended before this event resolve first; one that ends
  // exactly at it is still open to this event's failure.
  const Timestamp clock = s.quiet_clock(event.time);
  s.finalize(clock, false, out);
  const std::string key = scope_key(scope_of(event));
  ScopeState& scope = s.scopes[key];
  if (event.time > scope.newest) scope.newest = event.time;
  // Exit code 0 is a clean stop: it says nothing against a revision's health.
  const bool failure = event.kind == RuleKind::cause || event.kind == RuleKind::loop ||
                       (event.is_exit() && exit_label(event).value_or("unknown") != "0");
  scope.revisions.note(event.revision, event.time, failure, event.kind == RuleKind::recovery);
  switch (event.kind) {
    case RuleKind::cause:
      if (event.fallback) s.place(key, event, out);
      else s.on_cause(key, event, out);
      break;
    case RuleKind::recovery: s.on_recovery(key, event, out); break;
    case RuleKind::effect:
    case RuleKind::exit:
    case RuleKind::loop: s.place(key, event, out); break;
  }
  s.refresh_deploy(key, out);
  if (clock > s.now) s.now = clock;
  s.finalize(s.now, true, out);
  s.enforce_bounds(out);
}

bool Correlator::add_context(const Event& event) {
  if (event.kind != RuleKind::cause || !event.culprit) return false;
  Tracked* t = state_->find_fingerprint(
      make_fingerprint(scope_of(event), event.rule_id, primary_capture(event)));
  if (!t || (t->frame_time && *t->frame_time <= event.time)) return false;
  t->inc.root_cause.frame = event.culprit;
  t->frame_time = event.time;
  return true;
}

void Correlator::advance(Timestamp t, std::vector<IncidentChange>* changes) {
  State& s = *state_;
  Changes out(changes);
  const Timestamp clock = s.quiet_clock(t);
  if (clock > s.now) s.now = clock;
  s.finalize(s.now, true, out);
}

LifecycleResult Correlator::acknowledge(const std::string& id, const std::string& by,
                                        const std::string& note, Timestamp at,
                                        std::vector<IncidentChange>* changes) {
  Tracked* t = state_->find_id(id);
  if (!t) return LifecycleResult::not_found;
  if (t->inc.state != IncidentState::open) return LifecycleResult::conflict;
  t->inc.state = IncidentState::acknowledged;
  t->inc.acknowledged_at = at;
  add_history(t->inc, HistoryEntry{at, "acknowledged", by, note});
  Changes(changes).add(IncidentChange::Type::acknowledged, id);
  return LifecycleResult::ok;
}

LifecycleResult Correlator::resolve(const std::string& id, const std::string& by,
                                    const std::string& note, Timestamp at,
                                    std::vector<IncidentChange>* changes) {
  Tracked* t = state_->find_id(id);
  if (!t) return LifecycleResult::not_found;
  if (t->inc.state == IncidentState::resolved) return LifecycleResult::conflict;
  state_->cancel_pending(*t);
  const std::string who = by.empty() ? "api" : by;
  t->inc.state = IncidentState::resolved;
  t->inc.resolved_at = at;
  t->inc.resolved_by = who;
  t->inc.resolved_by_revision.reset();
  t->old_revision_at.reset();
  add_history(t->inc, HistoryEntry{at, "resolved", who, note});
  Changes(changes).add(IncidentChange::Type::resolved, id);
  return LifecycleResult::ok;
}

bool Correlator::undo(const LifecycleAction& action, std::vector<IncidentChange>* changes) {
  const bool ack = action.kind == LifecycleKind::acknowledge;
  Tracked* t = state_->find_id(action.incident_id);
  if (!t || t->inc.state != (ack ? IncidentState::acknowledged : IncidentState::resolved)) return false;
  Incident& inc = t->inc;
  const std::string who = ack || !action.by.empty() ? action.by : "api";  // as acknowledge()/resolve() wrote it
  auto entry = std::find_if(inc.history.begin(), inc.history.end(), [&](const HistoryEntry& h) {
    return h.at == action.at && h.action == (ack ? "acknowledged" : "resolved") && h.by == who && h.note == action.note;
  });
  if (entry == inc.history.end()) return false;
  inc.history.erase(entry);
  if (ack) {
    inc.state = IncidentState::open;
    inc.acknowledged_at.reset();
  } else {
    // resolve() kept acknowledged_at, and an unresolved incident has no resolution.
    inc.state = inc.acknowledged_at ? IncidentState::acknowledged : IncidentState::open;
    inc.resolved_at.reset();
    inc.resolved_by.reset();
    inc.resolved_by_revision.reset();
    state_->seek_recovery(*t);  // the pending recovery resolve() cancelled
  }
  Changes(changes).add(IncidentChange::Type::updated, inc.id);
  return true;
}

std::vector<const Incident*> Correlator::incidents() const {
  std::vector<const Incident*> out;
  out.reserve(state_->by_id.size());
  for (const auto& [id, t] : state_->by_id) out.push_back(&t->inc);
  std::sort(out.begin(), out.end(), [](const Incident* a, const Incident* b) {
    return std::tie(a->opened_at, a->id) < std::tie(b->opened_at, b->id);
  });
  return out;
}

const Incident* Correlator::find(const std::string& id) const {
  auto it = state_->by_id.find(id);
  return it == state_->by_id.end() ? nullptr : &it->second->inc;
}

void Correlator::restore(Incident incident) {
  State& s = *state_;
  if (Tracked* old = s.find_id(incident.id)) s.remove(old);
  auto owned = std::make_unique<Tracked>();
  Tracked& t = *owned;
  t.scope = scope_key(Scope{incident.cluster, incident.namespace_name, incident.service});
  t.generic = incident.root_cause.rule == kGenericExitRule;
  for (const auto& [name, value] : incident.root_cause.captures)
    if (name == "module") t.module = value;
  // What the store keeps is the aggregate: its cause span stands in for the cause
  // times, and a restored generic_exit incident can no longer be split.
  const RuleKind cover_kind = t.generic ? RuleKind::exit : RuleKind::cause;
  for (const ChainLink& link : incident.chain) {
    if (link.kind != cover_kind) continue;
    t.cover.insert(link.first_seen);
    t.cover.insert(link.last_seen);
    if (!t.root_time || link.first_seen < *t.root_time) t.root_time = link.first_seen;
  }
  for (const ChainLink& link : incident.chain) {
    if (link.kind != RuleKind::exit) continue;
    t.exit_times.insert(link.first_seen);
    if (link.count > 1) t.exit_times.insert(link.last_seen);
  }
  if (incident.root_cause.frame) t.frame_time = t.root_time.value_or(incident.opened_at);
  for (const HistoryEntry& entry : incident.history)
    if (entry.action == "crash_loop") t.crash_loop_at = entry.at;
  if (incident.crash_loop && !t.crash_loop_at) t.crash_loop_at = incident.last_seen;
  // The stored lists are already in order of first appearance; keep that order.
  std::vector<std::string> revisions = std::move(incident.revisions);
  std::vector<std::string> instances = std::move(incident.instances);
  incident.revisions.clear();
  incident.instances.clear();
  for (size_t i = 0; i < revisions.size(); ++i)
    t.revisions.note(revisions[i], incident.opened_at + std::chrono::nanoseconds(i), kMaxRevisions,
                     incident.revisions);
  for (size_t i = 0; i < instances.size(); ++i)
    t.instances.note(instances[i], incident.opened_at + std::chrono::nanoseconds(i), kMaxInstances,
                     incident.instances);
  t.cause_severity = incident.severity;
  t.any_event = !incident.chain.empty();
  t.members_complete = false;
  t.restored = true;
  t.inc = std::move(incident);
  t.deploy_note = deploy_note(t.inc);
  t.shown_deploy = t.inc.deploy;
  Tracked* raw = &t;
  s.id_by_fingerprint[t.inc.fingerprint] = t.inc.id;
  s.scopes[t.scope].incidents.push_back(raw);
  s.by_id[t.inc.id] = std::move(owned);
  s.seek_recovery(*raw);
  Changes none(nullptr);
  s.enforce_bounds(none);
}

CorrelatorStats Correlator::stats() const {
  return CorrelatorStats{state_->by_id.size(), state_->pending.size(), state_->pending.dropped(),
                         state_->incidents_dropped};
}

}  // namespace faultline
