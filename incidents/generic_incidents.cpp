// Incidents without a known cause: a failing exit or a crash loop with no cause
// line near it opens a generic_exit incident of its exit code at once, and a
// fallback cause (supervisord giving up) an incident of its own. When a real
// cause arrives, it takes the events it explains; what is left is rebuilt from
// the events the generic incident keeps.
#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "incidents/correlator_state.h"
#include "incidents/exit_code.h"
#include "incidents/fingerprint.h"
#include "incidents/history.h"

namespace faultline {

using namespace correlator_detail;

void Correlator::State::render_generic(Tracked& t) {
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
  if (inc.exits == 0)
    what = "keeps being restarted";  // only a restart loop shows the crashes
  else
    what += " " + times;
  inc.summary = inc.service + " " + what + "; no root cause line was found";
  inc.hint = exit_hint(label, inc.service, inc.namespace_name);
  if (!inc.suspects.empty()) inc.hint += " The lines it printed last before crashing are listed as suspect lines.";
}

// Whether `e` was folded into `g` as its cause: a generic_exit's own exits, a
// fallback incident's own fallback events.
bool Correlator::State::own_cause(const Tracked& g, const Event& e) {
  return g.exit_only() ? e.is_exit() : e.fallback && e.rule_id == g.inc.root_cause.rule;
}

// Rebuilds a generic incident's evidence from the events it keeps. Identity,
// lifecycle and deploy stay; everything fold() derives from events is cleared
// here and folded again (a new derived field of Incident belongs in this list).
void Correlator::State::rebuild(Tracked& g, std::vector<Event> kept) {
  Incident& inc = g.inc;
  inc.revisions.clear();
  inc.instances.clear();
  inc.root_cause.message.clear();
  inc.root_cause.frame.reset();
  inc.chain.clear();
  inc.exits = 0;
  inc.exit_codes.clear();
  inc.suspects.clear();
  inc.timeline.clear();
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

void Correlator::State::transfer_acknowledgement(const Tracked& from, Tracked& to, Changes& changes) {
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
void Correlator::State::absorb_generics(Tracked& c, Timestamp time, Changes& changes) {
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
    for (Event& m : moved) {
      if (m.fallback && !c.generic) m.kind = RuleKind::effect;  // beside a real cause, one of its effects
      attach(c, m, false, changes);
    }
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

void Correlator::State::open_generic(const std::string& key, Event e, const std::string& label, Changes& changes) {
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

}  // namespace faultline
