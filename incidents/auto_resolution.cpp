// Automatic resolution: a recovery event of a revision newer than the failing
// ones, with no failure after it for resolve_quiet, resolves an incident. Kept
// apart from how events are counted because late delivery makes it subtle:
// pending deadlines, a late earlier recovery moving the resolution, and causes
// of older revisions recorded as recurrences rather than reopening.
#include <algorithm>
#include <chrono>
#include <optional>
#include <string>
#include <utility>

#include "codec/units.h"
#include "incidents/correlator_state.h"
#include "incidents/history.h"
#include "incidents/revision.h"

namespace faultline {
namespace {

Timestamp saturating_minus(Timestamp t, std::chrono::nanoseconds d) {
  return t < Timestamp::min() + d ? Timestamp::min() : t - d;
}

}  // namespace

using namespace correlator_detail;

// The latest failure that a recovery on `revision` must follow: failures of
// revisions older than it are old instances still running, not a sign that
// the newer revision is unhealthy.
Timestamp Correlator::State::last_failure_against(const Tracked& t, const std::string& revision) {
  if (t.last_failure_by_revision.empty()) return t.inc.last_failure;
  Timestamp last = Timestamp::min();
  for (const auto& [failing, time] : t.last_failure_by_revision)
    if (time > last && !is_older_revision(failing, revision)) last = time;
  return last;
}

bool Correlator::State::qualifies(const Tracked& t, const Recovery& r) {
  return r.time > last_failure_against(t, r.revision) && is_newer_revision(r.revision, t.inc.revisions);
}

void Correlator::State::cancel_pending(Tracked& t) {
  if (!t.pending) return;
  deadlines.erase({t.pending->time + cfg.resolve_quiet, t.inc.id});
  t.pending.reset();
}

void Correlator::State::set_pending(Tracked& t, Recovery r) {
  cancel_pending(t);
  deadlines.insert({r.time + cfg.resolve_quiet, t.inc.id});
  t.pending = std::move(r);
}

void Correlator::State::seek_recovery(Tracked& t) {
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
void Correlator::State::after_failure(Tracked& t) {
  if (t.inc.state == IncidentState::resolved) return;
  if (t.pending && !qualifies(t, *t.pending)) cancel_pending(t);
  if (!t.pending) seek_recovery(t);
}

std::string Correlator::State::resolution_note(const Recovery& r) const {
  std::string note = "healthy after the last failure";
  if (!r.revision.empty()) note = "revision " + r.revision + " " + note;
  return note + ", no failure for " + format_duration(cfg.resolve_quiet);
}

void Correlator::State::resolve_automatically(Tracked& t, const Recovery& r, Changes& changes) {
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
void Correlator::State::note_old_revision_recurrence(Tracked& t) {
  Incident& inc = t.inc;
  if (!inc.resolved_at || !inc.resolved_by_revision) return;
  const std::pair<Timestamp, std::string> after{*inc.resolved_at + std::chrono::nanoseconds(1), std::string()};
  for (auto it = std::lower_bound(t.cause_revisions.begin(), t.cause_revisions.end(), after);
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
void Correlator::State::recurred_on_old_revision(Incident& inc, std::optional<Timestamp>& noted, Timestamp at,
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

void Correlator::State::recurred_on_old_revision(Tracked& t, Timestamp at, const std::string& revision,
                                                 const std::string& rule) {
  recurred_on_old_revision(t.inc, t.old_revision_at, at, revision, *t.inc.resolved_by_revision, rule);
}

// A cause that arrived after the reopen but falls inside an earlier
// resolution, from a revision older than the one that recovered then.
void Correlator::State::recurred_in_past_resolution(Tracked& t, const Event& e) {
  for (auto& past : t.past_resolutions)
    if (past.resolved_at < e.time && e.time < past.reopened_at && is_older_revision(e.revision, past.revision))
      recurred_on_old_revision(t.inc, past.old_revision_at, e.time, e.revision, past.revision, e.rule_id);
}

void Correlator::State::finalize(Timestamp limit, bool inclusive, Changes& changes) {
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

// A recovery earlier than the one that resolved the incident, delivered late,
// is where the resolution really happened: the same answer as in time order.
void Correlator::State::move_resolution(Tracked& t, const Recovery& r, Changes& changes) {
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

void Correlator::State::on_recovery(const std::string& key, const Event& e, Changes& changes) {
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

}  // namespace faultline
