// Correlator: turns events into cascade incidents with the semantics of
// the README ("API reference", "Incidents") and tests/corpus/failures/README.md. Event time
// drives every decision, so the same events in any arrival order give the same
// incidents; the wall clock is used only for detection delay.
// Not thread-safe: the owner serialises calls.
//
// Semantics, where the contract leaves room:
// - Scope = (cluster, namespace, service). Nothing correlates across scopes.
// - Fingerprint and id: incidents/fingerprint.h.
// - A cause (kind cause, including terminates causes such as oom_killed) opens
//   or joins the incident of its fingerprint. Joining a resolved incident with
//   an event time after resolved_at reopens it (a regression), unless the cause
//   comes from a Cloud Run revision older than the one that recovered it: that
//   is the old revision still running, recorded once per resolution as history
//   "recurred_on_old_revision" (dated at the earliest such cause), not a reopen.
//   A cause on the same or a newer revision reopens. A cause at or before
//   resolved_at is late news: it counts, nothing else.
// - An effect, exit or loop joins an incident of its scope that one of whose
//   causes covers it: cause - lead_tolerance <= time <= cause + window. The
//   tolerance exists because a runtime often prints the consequence a few
//   milliseconds before the line that names the cause. Preference among
//   candidates: an incident with a cause over a generic_exit one, then equal
//   `module` captures, then a cause that precedes the event over one that
//   follows it, then the nearest cause, then the smaller fingerprint. A resolved
//   incident takes only events at or before resolved_at (or from an older
//   revision, as above). Once attached, an event stays where it is.
// - An exit that no cause covers opens (or joins) the generic_exit incident of
//   its scope and exit label (exit_code.h), at once: live detection does not
//   wait. Exit code 0 never opens one (a clean stop is not a failure); it waits
//   in the pending buffer like an effect. When a cause arrives that covers some
//   of a generic_exit incident's events, those events move into the cause's
//   incident; a generic_exit incident left without exits is deleted (change
//   `merged`, `merged_into` set) and its leftover effects are placed again.
//   A generic_exit incident restored from the store, or one that outgrew its
//   512 kept events, no longer gives events away.
// - A loop that no cause covers opens (or joins) the generic_exit incident of
//   its scope like an exit with no code: a CrashLoopBackOff alone is a crash.
// - A fallback cause (Rule::fallback: supervisord giving up, a probe killing the
//   container) joins, as an effect, a covering incident that has a real cause.
//   Otherwise it opens (or joins) an incident of its own rule and captures,
//   which takes the generic_exit events of its scope from a window before it to
//   a window after, and which a real cause absorbs like a generic_exit.
// - Effects that no incident covers wait in a pending buffer (pending_events.h)
//   and are placed again whenever an incident gains a cause time (or a generic
//   incident an exit) covering them. They never open an incident themselves: a
//   503 alone is not an incident.
// - exits counts failed runs: an exit or terminates event counts, except when
//   another exit rule of the same instance already counted within 5 s (one run
//   ends with gunicorn's shutdown and then the platform's exit line), and, for
//   events of equal time (plain text carries the arrival time), unless a cause
//   or effect of the instance came between. The same exit rule again is always a
//   new run. exit_codes counts each run's code or signal once, from whichever of
//   its lines names one. On Kubernetes (resource k8s_container) a container logs
//   no exit line: a cause is its run's exit evidence, and causes of an instance
//   within 5 s are one run. occurrences counts causes (for generic_exit: its own
//   exits).
// - Crash loop: crash_loop_exits exits of the incident within any span of
//   `window` event time, or any loop event. Sticky for the incident's life.
//   History "crash_loop" is dated at the event that completed the condition.
// - Severity: the highest severity among the incident's cause events (for
//   generic_exit: its exits); critical once in a crash loop.
// - Auto-resolve: a recovery event of the scope from a newer revision
//   (revision.h), later than the incident's last failure on any revision not
//   older than the recovery's, becomes the incident's pending recovery (the
//   earliest such). Such a failure at or after it cancels it. A failure of an
//   older Cloud Run revision (an old instance still running while traffic moves)
//   neither holds back nor cancels it: once resolved, the earliest cause from an
//   older revision after resolved_at is recorded as "recurred_on_old_revision",
//   as if it had arrived after the resolution. When event time (advance(), or any event) reaches recovery +
//   resolve_quiet, the incident resolves with resolved_at = the recovery's time.
//   Recoveries are also remembered per scope (recovery_log.h), so failures that
//   arrive after the recovery lines still resolve, and a qualifying recovery
//   that arrives after the resolution but is earlier than it moves resolved_at
//   (and resolved_by_revision) back to it. A resolution, once final, is not
//   undone by late events: a late failure at or before resolved_at is old news,
//   a later cause reopens.
// - Deploy-revision correlation (Incident::deploy, deploy.h, revision_log.h):
//   every event with a revision, of any kind, is noted in its scope's revision
//   log: first event time, whether it ever recovered, its failure times (cause,
//   loop, exit other than code 0). An incident's `deploy.revision` is its first
//   revision; revision_first_seen that revision's earliest event in the scope.
//   The previous revision is, for Cloud Run names, the highest-numbered one of
//   the same service below it that the scope has seen; otherwise the revision
//   whose earliest event comes last before the incident revision's. It was
//   healthy when it failed nowhere in [revision_first_seen - window,
//   revision_first_seen) and ever produced a recovery; unhealthy when it failed
//   there; unknown (null) when neither, or when no previous revision was seen.
//   bad_deploy: previous healthy and every revision of the incident is its first
//   one; then rollback_hint names the command (gcloud for Cloud Run, kubectl
//   rollout undo on Kubernetes; no region, since records carry none) and
//   new_line the incident's first line the previous revision never printed
//   (root cause by fingerprint, then chain causes and effects by rule; unknown
//   past RevisionLog::kMaxPrinted), and the hint ends with a sentence saying so. Recomputed for the whole scope after
//   every event, so it depends on the set of events, not their order (an
//   `updated` change when it moves). A restored incident keeps its stored
//   deploy until the events seen since the restart know a previous revision.
// - Lateness: the pending and recovery buffers forget what is older than the
//   scope's newest event time minus max_lateness. Event time for quiet periods
//   is the newest event time over all scopes (advance()), so a service that goes
//   silent after its fix still resolves. With max_clock_ahead set (the daemon),
//   that clock runs at most max_clock_ahead past the wall clock: one host whose
//   clock is hours fast must not end every service's quiet period at once.
// - Clocks: opened_at is the earliest event of the incident (it moves earlier
//   when older events arrive); last_seen the latest event, including the
//   recovery that resolved it; detected_at the wall clock when first opened.
// - Lifecycle API: acknowledge open -> acknowledged; resolve open|acknowledged
//   -> resolved (resolved_by = by, or "api" when empty). Reopen clears
//   acknowledged_at and the resolution fields; history keeps them.
// - History entries are kept in time order; "opened" and "crash_loop" carry the
//   event time of what caused them, so replaying the same events in another
//   order gives the same history. At most 100 entries (the oldest after
//   "opened" go first).
// - Bounds: max_incidents (beyond it, resolved incidents with the oldest
//   last_seen go first, then open ones, in batches of 1%; each is reported as
//   change `dropped`, so the store, metrics and alerts forget it too); per incident 1024
//   cause times and exit times, 100 revisions, 1000 instance ids (the instance
//   count stops there), the latest failure of 101 revisions (later ones share
//   one entry), 16 reopened resolutions remembered for late recurrences; the pending buffer as configured; 10,000 scopes with
//   recovery and revision logs (the stalest without incidents go first); per
//   scope 32 revisions in the revision log (the one whose latest event is
//   oldest goes first) with their latest 64 failure times.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "incidents/event_batch.h"
#include "incidents/incident.h"
#include "rules/event.h"

namespace faultline {

struct CorrelatorConfig {
  std::chrono::nanoseconds window = std::chrono::minutes(10);        // cause -> effect/exit attachment
  int crash_loop_exits = 3;                                           // exits within window = crash loop
  std::chrono::nanoseconds resolve_quiet = std::chrono::minutes(5);   // no failure this long after recovery
  size_t max_incidents = 10000;  // oldest resolved incidents are dropped first beyond this
  // An effect may be logged this long before the cause line it follows.
  std::chrono::nanoseconds lead_tolerance = std::chrono::seconds(5);
  // How far behind its scope's newest event an event may arrive and still be
  // correlated as if it had arrived in order (pending effects, recent recoveries).
  std::chrono::nanoseconds max_lateness = std::chrono::hours(1);
  size_t max_pending_per_scope = 256;
  size_t max_pending_total = 65536;
  // Zero: event time alone ends quiet periods (replays, tests). Positive: event
  // time beyond the wall clock plus this does not advance that clock.
  std::chrono::nanoseconds max_clock_ahead{0};
};

using WallClock = std::function<Timestamp()>;

struct IncidentChange {
  // dropped: forgotten beyond max_incidents.
  enum class Type { opened, updated, escalated, reopened, acknowledged, resolved, merged, dropped };
  Type type = Type::updated;
  std::string incident_id;
  std::string merged_into;  // for `merged`: the incident that absorbed this one
};

enum class LifecycleResult { ok, not_found, conflict };

// What bounded state had to forget, for metrics.
struct CorrelatorStats {
  size_t incidents = 0;
  size_t pending_events = 0;
  uint64_t pending_dropped = 0;    // effects/loops forgotten before a cause claimed them
  uint64_t incidents_dropped = 0;  // incidents forgotten beyond max_incidents
};

class Correlator {
 public:
  Correlator(CorrelatorConfig config, WallClock wall_clock);
  ~Correlator();

  // Adds one event (any kind) and appends the transitions it caused.
  void add(const Event& event, std::vector<IncidentChange>* changes = nullptr);
  // Context from a trace assembled after its lines were correlated: sets the
  // root-cause frame of the incident of this cause event's fingerprint when the
  // event carries a culprit and is earlier than the frame's current source; and
  // its hint, when the whole trace decided it and the incident's is a fallback.
  // Counts nothing, opens nothing. True when the incident changed.
  bool add_context(const Event& event);
  // Tells the correlator that event time has reached `t` (call it for every record,
  // matched or not): finalises automatic resolutions whose quiet period has passed.
  void advance(Timestamp t, std::vector<IncidentChange>* changes = nullptr);

  // API transitions. ack: open -> acknowledged (conflict when resolved or already acked).
  // resolve: open|acknowledged -> resolved (conflict when already resolved).
  LifecycleResult acknowledge(const std::string& id, const std::string& by, const std::string& note,
                              Timestamp at, std::vector<IncidentChange>* changes = nullptr);
  LifecycleResult resolve(const std::string& id, const std::string& by, const std::string& note,
                          Timestamp at, std::vector<IncidentChange>* changes = nullptr);
  // Takes back an acknowledge or resolve applied here whose commit then failed,
  // so that the caller, told it failed, finds the incident as it was (change
  // `updated`). Only while the incident still shows the action (its state and
  // history entry): a change built on it since, such as a reopen, stays. False
  // when there was nothing to take back.
  bool undo(const LifecycleAction& action, std::vector<IncidentChange>* changes = nullptr);

  // All incidents, ordered by opened_at then id.
  std::vector<const Incident*> incidents() const;
  const Incident* find(const std::string& id) const;
  // Restores a persisted incident (daemon restart), so correlation continues.
  // Replaces an incident with the same id.
  void restore(Incident incident);

  CorrelatorStats stats() const;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace faultline
