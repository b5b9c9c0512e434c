// Correlator: the public API (correlator.h) and where each event goes: the
// incident whose cause covers it, a new incident for a new cause, or the wait
// for one; creating, joining, reopening and dropping incidents, and the bounds.
// What an event adds to an incident, automatic resolution and incidents without
// a known cause are ideas of their own, in evidence.cpp, auto_resolution.cpp and
// generic_incidents.cpp; correlator_state.h holds the state they share.
#include "incidents/correlator.h"

#include <algorithm>
#include <memory>
#include <optional>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "incidents/correlator_state.h"
#include "incidents/deploy.h"
#include "incidents/exit_code.h"
#include "incidents/fingerprint.h"
#include "incidents/history.h"
#include "incidents/revision.h"

namespace faultline {
namespace {

constexpr size_t kMaxGenericMembers = 512;
constexpr size_t kMaxScopes = 10000;

}  // namespace

using namespace correlator_detail;

Correlator::State::State(CorrelatorConfig config, WallClock clock)
    : cfg(config),
      wall(std::move(clock)),
      pending(PendingEvents::Limits{config.max_pending_per_scope, config.max_pending_total,
                                    config.max_lateness}) {}

// ---- lookups -------------------------------------------------------------

Tracked* Correlator::State::find_fingerprint(const std::string& fp) {
  auto it = by_fingerprint.find(fp);
  return it == by_fingerprint.end() ? nullptr : it->second;
}

// The fingerprint now finds `t`. The entry is replaced, not assigned: its key
// is a view of the fingerprint of the incident it pointed at before.
void Correlator::State::index_fingerprint(Tracked& t) {
  by_fingerprint.erase(t.inc.fingerprint);
  by_fingerprint.emplace(t.inc.fingerprint, &t);
}

Tracked* Correlator::State::find_id(const std::string& id) {
  auto it = by_id.find(id);
  return it == by_id.end() ? nullptr : it->second.get();
}

std::optional<Cover> Correlator::State::covers(const Tracked& t, Timestamp time) const {
  auto after = std::upper_bound(t.cover.begin(), t.cover.end(), time);
  if (after != t.cover.begin()) {
    auto prev = std::prev(after);
    if (time - *prev <= cfg.window) return Cover{true, time - *prev};
  }
  if (after != t.cover.end() && *after - time <= cfg.lead_tolerance)
    return Cover{false, *after - time};
  return std::nullopt;
}

// A resolved incident takes only late news, or the old revision still failing.
bool Correlator::State::accepts(const Tracked& t, const Event& e) {
  if (t.inc.state != IncidentState::resolved) return true;
  if (e.time <= t.inc.resolved_at.value_or(Timestamp::max())) return true;
  return t.inc.resolved_by_revision && is_older_revision(e.revision, *t.inc.resolved_by_revision);
}

Tracked* Correlator::State::best_for(const ScopeState& scope, const Event& e) const {
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

// ---- incidents: create, join, merge, drop ----------------------------------

Tracked& Correlator::State::create(const Scope& scope, const std::string& key, const std::string& fp,
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
  by_id.emplace(t.inc.id, std::move(owned));
  index_fingerprint(t);
  scopes[key].incidents.push_back(&t);
  changes.add(IncidentChange::Type::opened, id);
  return t;
}

void Correlator::State::remove(Tracked* t) {
  cancel_pending(*t);
  auto scope = scopes.find(t->scope);
  if (scope != scopes.end()) std::erase(scope->second.incidents, t);
  auto fp = by_fingerprint.find(t->inc.fingerprint);
  if (fp != by_fingerprint.end() && fp->second == t) by_fingerprint.erase(fp);
  // Erase by position: the key is a view of the id the erase destroys.
  if (auto owned = by_id.find(t->inc.id); owned != by_id.end()) by_id.erase(owned);
}

void Correlator::State::reopen(Tracked& t, const Event& e, Changes& changes) {
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

void Correlator::State::attach(Tracked& t, const Event& e, bool as_cause, Changes& changes) {
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
void Correlator::State::join_as_cause(Tracked& t, const Event& e, Changes& changes) {
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

// An incident gained a cover time: waiting effects it explains are placed again.
void Correlator::State::absorb_pending(const std::string& key, Timestamp time, Changes& changes) {
  for (Event& e : pending.take(key, time - cfg.lead_tolerance, time + cfg.window))
    place(key, std::move(e), changes);
}

// Effects, exits, loops and fallback causes: join the best covering incident,
// else wait. Crash evidence does not wait: a failing exit or a loop opens the
// generic_exit incident of its code, a fallback cause an incident of its own.
void Correlator::State::place(const std::string& key, Event e, Changes& changes) {
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

void Correlator::State::on_cause(const std::string& key, const Event& e, Changes& changes) {
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

// ---- deploy-revision correlation --------------------------------------------

// Recomputed for the whole scope after every event: a late recovery of the
// previous revision, or an earlier event of the incident's own, changes the
// answer of an incident the event did not join.
void Correlator::State::refresh_deploy(const std::string& key, Changes& changes) {
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
    // inc.deploy is only ever set here (and restored with the incident), so
    // it is what was last reported.
    const bool same_deploy = inc.deploy == fresh;
    inc.deploy = std::move(fresh);
    t->deploy_note = deploy_note(inc);
    if (!t->deploy_note.empty()) hint += (hint.empty() ? "" : " ") + t->deploy_note;
    if (hint == inc.hint && same_deploy) continue;
    inc.hint = std::move(hint);
    changes.add(IncidentChange::Type::updated, inc.id);
  }
}

// ---- bounds ----------------------------------------------------------------

// Event time as far as quiet periods go (CorrelatorConfig::max_clock_ahead).
Timestamp Correlator::State::quiet_clock(Timestamp t) const {
  if (cfg.max_clock_ahead <= std::chrono::nanoseconds::zero() || !wall) return t;
  const Timestamp limit = wall() + cfg.max_clock_ahead;
  return t < limit ? t : limit;
}

void Correlator::State::enforce_bounds(Changes& changes) {
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
  if (!event.revision.empty())
    scope.revisions.note(event.revision, event.time, failure, event.kind == RuleKind::recovery,
                         make_fingerprint(scope_of(event), event.rule_id, primary_capture(event)));
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
  if (!t) return false;
  // The assembled trace may decide the hint that its exception line alone could not.
  const bool hint = !t->exit_only() && State::take_hint(*t, event, false);
  if (t->frame_time && *t->frame_time <= event.time) return hint;
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
    insert_time(t.cover, link.first_seen, true);
    insert_time(t.cover, link.last_seen, true);
    if (!t.root_time || link.first_seen < *t.root_time) t.root_time = link.first_seen;
  }
  for (const ChainLink& link : incident.chain) {
    if (link.kind != RuleKind::exit) continue;
    insert_time(t.exit_times, link.first_seen, false);
    if (link.count > 1) insert_time(t.exit_times, link.last_seen, false);
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
  Tracked* raw = &t;
  s.index_fingerprint(t);
  s.scopes[t.scope].incidents.push_back(raw);
  s.by_id.emplace(t.inc.id, std::move(owned));
  s.seek_recovery(*raw);
  Changes none(nullptr);
  s.enforce_bounds(none);
}

CorrelatorStats Correlator::stats() const {
  return CorrelatorStats{state_->by_id.size(), state_->pending.size(), state_->pending.dropped(),
                         state_->incidents_dropped};
}

}  // namespace faultline
