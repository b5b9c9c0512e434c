// What one event adds to the incident it joins: its cause, the chain of rules,
// revisions and instances, its timeline mark, and exits counted once per failed
// run (several lines can report the end of one run), with the crash loops those
// exits make. The rules here decide an incident's numbers; where the event goes
// is decided in correlator.cpp.
#include <algorithm>
#include <chrono>
#include <functional>
#include <string>
#include <tuple>
#include <vector>

#include "codec/units.h"
#include "incidents/correlator_state.h"
#include "incidents/exit_code.h"
#include "incidents/history.h"

namespace faultline {

using namespace correlator_detail;

namespace {

constexpr size_t kMaxCoverTimes = 1024;
constexpr size_t kMaxExitTimes = 1024;
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

// Marks point at names by position, and both caps fit a mark's fields.
static_assert(kMaxInstances < TimelineMark::kNoInstance && kMaxRevisions < TimelineMark::kNoRevision);

void follow_names(Timeline& marks, MarkField field, const FirstSeen::Placed& placed) {
  if (placed.inserted) name_inserted(marks, field, placed.index);
  else if (placed.from != FirstSeen::npos) name_moved(marks, field, placed.from, placed.index);
}

// The event's mark on the incident's timeline, after its names took their places.
void mark_timeline(Incident& inc, const Event& e, const FirstSeen::Placed& revision,
                   const FirstSeen::Placed& instance) {
  follow_names(inc.timeline, MarkField::revision, revision);
  follow_names(inc.timeline, MarkField::instance, instance);
  if (e.kind == RuleKind::recovery) return;
  add_mark(inc.timeline, TimelineMark(e.time, e.kind,
                                      instance.index == FirstSeen::npos ? TimelineMark::kNoInstance : instance.index,
                                      revision.index == FirstSeen::npos ? TimelineMark::kNoRevision : revision.index));
}

// The latest failure per revision; past kMaxRevisions revisions, further ones
// count under "" (no revision).
void note_failure(std::vector<std::pair<std::string, Timestamp>>& latest, const std::string& revision,
                  Timestamp at) {
  auto find = [&](const std::string& name) {
    return std::find_if(latest.begin(), latest.end(), [&](const auto& entry) { return entry.first == name; });
  };
  auto known = find(revision);
  if (known == latest.end() && latest.size() > kMaxRevisions) known = find("");
  if (known != latest.end())
    known->second = std::max(known->second, at);
  else
    latest.emplace_back(latest.size() > kMaxRevisions ? std::string() : revision, at);
}

}  // namespace

void Correlator::State::mark_crash_loop(Tracked& t, Timestamp at, const std::string& note) {
  if (t.inc.crash_loop && t.crash_loop_at && *t.crash_loop_at <= at) return;
  t.inc.crash_loop = true;
  t.crash_loop_at = at;
  date_history(t.inc, "crash_loop", at, "auto", note);
}

// Finds the earliest span of `window` that holds crash_loop_exits exits, among
// the spans that include `time` (earlier spans were checked when their exits came).
void Correlator::State::check_crash_loop(Tracked& t, Timestamp time) {
  const size_t n = static_cast<size_t>(std::max(1, cfg.crash_loop_exits));
  std::vector<Timestamp> near(std::lower_bound(t.exit_times.begin(), t.exit_times.end(), time - cfg.window),
                              std::upper_bound(t.exit_times.begin(), t.exit_times.end(), time + cfg.window));
  for (size_t j = n - 1; j < near.size(); ++j) {
    if (near[j] - near[j + 1 - n] <= cfg.window) {
      mark_crash_loop(t, near[j],
                      std::to_string(n) + " exits within " + format_duration(cfg.window));
      return;
    }
  }
}

void Correlator::State::link_chain(Incident& inc, const Event& e) {
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
void Correlator::State::add_suspects(Incident& inc, const std::vector<SuspectLine>& lines) {
  auto insert = [&](SuspectLine line) {
    auto at = std::upper_bound(inc.suspects.begin(), inc.suspects.end(), line.time,
                               [](Timestamp t, const SuspectLine& s) { return t < s.time; });
    inc.suspects.insert(at, std::move(line));
    if (inc.suspects.size() > kMaxSuspectLines) inc.suspects.erase(inc.suspects.begin());
  };
  for (const SuspectLine& line : lines) {
    auto same = std::find_if(inc.suspects.begin(), inc.suspects.end(), [&](const SuspectLine& s) {
      return s.instance == line.instance && s.line == line.line;
    });
    if (same == inc.suspects.end()) {
      insert(line);
      continue;
    }
    if (line.time <= same->time) continue;  // the same crash's line seen again, or an older one
    SuspectLine later = std::move(*same);
    inc.suspects.erase(same);
    later.time = line.time;
    ++later.count;
    insert(std::move(later));
  }
}

void Correlator::State::count_exit_code(Incident& inc, const std::string& label) {
  auto it = std::find_if(inc.exit_codes.begin(), inc.exit_codes.end(),
                         [&](const auto& entry) { return entry.first == label; });
  if (it != inc.exit_codes.end()) {
    ++it->second;
    return;
  }
  inc.exit_codes.emplace_back(label, 1);
  std::sort(inc.exit_codes.begin(), inc.exit_codes.end());
}

bool Correlator::State::take_hint(Tracked& t, const Event& e, bool root) {
  // The root event's hint, unless a decided one is already there and this is a
  // fallback; any event's decided hint over a fallback one (the same exception
  // line logged alone before its traceback, whose frames decide).
  const bool take = root ? (e.hint_decided || !t.hint_decided) : (e.hint_decided && !t.hint_decided);
  if (!take) return false;
  std::string hint = e.hint;
  if (!t.deploy_note.empty()) hint += (hint.empty() ? "" : " ") + t.deploy_note;
  const bool changed = hint != t.inc.hint;
  t.inc.hint = std::move(hint);
  t.hint_decided = e.hint_decided;
  return changed;
}

void Correlator::State::fold(Tracked& t, const Event& e, bool as_cause) {
  Incident& inc = t.inc;
  if (as_cause) {
    ++inc.occurrences;
    insert_time(t.cover, e.time, true, kMaxCoverTimes);
    t.cause_severity = std::max(t.cause_severity, e.severity);
    if (!t.root_time || e.time < *t.root_time ||
        (e.time == *t.root_time && e.sample < inc.root_cause.message)) {
      t.root_time = e.time;
      inc.root_cause.message = e.sample;
      if (!t.exit_only()) {
        inc.root_cause.captures = e.captures;
        inc.summary = e.summary;
      }
    }
    if (!t.exit_only()) take_hint(t, e, t.root_time == e.time && inc.root_cause.message == e.sample);
    if (!t.exit_only() && e.culprit && (!t.frame_time || e.time < *t.frame_time)) {
      inc.root_cause.frame = e.culprit;
      t.frame_time = e.time;
    }
  }
  if (e.is_exit() || ends_kubernetes_run(e)) {
    RunEnd* run = nullptr;
    if (new_run_ended(t, e, run)) {
      ++inc.exits;
      insert_time(t.exit_times, e.time, false, kMaxExitTimes);
      check_crash_loop(t, e.time);
    }
    // The run's code, from whichever piece of its evidence names one (an OOM
    // kill names none; the platform's "terminated by signal 9" does).
    if (auto label = exit_label(e); label && !(run && run->coded)) {
      count_exit_code(inc, *label);
      if (run) run->coded = true;
    }
  } else if (e.kind == RuleKind::cause || e.kind == RuleKind::effect) {
    if (auto runs = t.runs.find(e.instance); runs != t.runs.end()) {
      auto after = std::upper_bound(runs->second.begin(), runs->second.end(), e.time,
                                    [](Timestamp time, const RunEnd& end) { return time < end.at; });
      if (after != runs->second.begin()) std::prev(after)->failed_since = true;
    }
  }
  if (e.kind == RuleKind::loop) mark_crash_loop(t, e.time, e.rule_id);
  if (t.generic) add_suspects(inc, e.suspects);
  link_chain(inc, e);
  const FirstSeen::Placed revision = t.revisions.note(e.revision, e.time, kMaxRevisions, inc.revisions);
  const FirstSeen::Placed instance = t.instances.note(e.instance, e.time, kMaxInstances, inc.instances);
  mark_timeline(inc, e, revision, instance);
  if (!t.any_event || e.time < inc.opened_at) {
    inc.opened_at = e.time;
    date_history(inc, "opened", e.time, "auto", inc.root_cause.rule);
  }
  if (!t.any_event || e.time > inc.last_seen) inc.last_seen = e.time;
  if (!t.any_event || e.time > inc.last_failure) inc.last_failure = e.time;
  note_failure(t.last_failure_by_revision, e.revision, e.time);
  if (as_cause) {
    const std::pair<Timestamp, std::string> cause{e.time, e.revision};
    auto at = std::lower_bound(t.cause_revisions.begin(), t.cause_revisions.end(), cause);
    if (at == t.cause_revisions.end() || *at != cause) t.cause_revisions.insert(at, cause);
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
bool Correlator::State::ends_kubernetes_run(const Event& e) {
  return e.kind == RuleKind::cause && !e.fallback && e.resource_type == "k8s_container";
}

// `run` is set to the run the evidence ended (null beyond kMaxInstances). The
// evidence joins the counted end nearest to it in time when that is within
// kSameRun and it is not the same line again; otherwise it is a new run's end.
bool Correlator::State::new_run_ended(Tracked& t, const Event& e, RunEnd*& run) {
  auto it = t.runs.find(e.instance);
  if (it == t.runs.end()) {
    if (t.runs.size() >= kMaxInstances) return true;
    it = t.runs.emplace(e.instance, InstanceRuns{}).first;
  }
  InstanceRuns& ends = it->second;
  RunEnd* nearest = nullptr;
  auto nearest_gap = std::chrono::nanoseconds::max();
  for (RunEnd& end : ends) {
    const auto gap = e.time > end.at ? e.time - end.at : end.at - e.time;
    if (gap <= nearest_gap) {  // among equals the later end, the latest run at that time
      nearest_gap = gap;
      nearest = &end;
    }
  }
  if (nearest && nearest_gap <= kSameRun) {
    // A fatal error prints its cause on several lines (the traceback, then a
    // wrapper that repeats it): only time separates a Kubernetes run from the next.
    const bool repeated =
        e.is_exit() && std::find(nearest->rules.begin(), nearest->rules.end(), e.rule_id) != nearest->rules.end();
    if (!repeated && !(nearest_gap.count() == 0 && nearest->failed_since)) {
      nearest->failed_since = false;
      if (nearest->rules.size() < 8) nearest->rules.push_back(e.rule_id);
      run = nearest;
      return false;
    }
  }
  auto at = std::upper_bound(ends.begin(), ends.end(), e.time,
                             [](Timestamp time, const RunEnd& end) { return time < end.at; });
  at = ends.insert(at, RunEnd{e.time, {e.rule_id}});
  if (ends.size() > kMaxRunEnds) {
    const bool oldest = at == ends.begin();
    ends.erase(ends.begin());
    if (oldest) return true;  // older than every end kept: counted, not remembered
    --at;
  }
  run = &*at;
  return true;
}

}  // namespace faultline
