#include "incidents/pipeline.h"

#include <algorithm>

#include "incidents/fingerprint.h"

namespace faultline {

// A record of the batch (still in the caller's vector, not a second copy of
// the batch's records) and the events its rules gave.
struct Pipeline::Matched {
  LogRecord& record;
  std::vector<Event> events;
};

Pipeline::Pipeline(std::shared_ptr<const RuleSet> rules, PipelineConfig config, WallClock wall_clock)
    : rules_(std::move(rules)),
      config_(config),
      wall_clock_(std::move(wall_clock)),
      correlator_(config.correlator, [this] { return applying_wall_ ? *applying_wall_ : wall_clock_(); }),
      dedup_(config.dedup_horizon, config.dedup_max_entries),
      assembler_(config.multiline),
      suspects_(SuspectLog::Limits{.window = config.correlator.window}) {}

IngestSummary Pipeline::ingest(std::vector<LogRecord> records) {
  IngestSummary summary;
  auto rules = this->rules();
  // Event order, not arrival order: exports such as `gcloud logging read` list newest
  // first, and traces only assemble when their lines are in sequence.
  auto by_time = [](const LogRecord& a, const LogRecord& b) { return a.time < b.time; };
  if (!std::is_sorted(records.begin(), records.end(), by_time))
    std::stable_sort(records.begin(), records.end(), by_time);

  // Matching is the expensive part and needs no shared state: do it before locking.
  std::vector<Matched> batch;
  batch.reserve(records.size());
  for (auto& record : records) {
    Matched m{record, {}};
    if (m.record.text.find('\n') != std::string::npos) annotate_trace(m.record);
    if (!rules->match(m.record, m.events)) ++summary.undecided;
    batch.push_back(std::move(m));
  }

  std::lock_guard lock(mutex_);
  correlate(batch, summary);
  return summary;
}

void Pipeline::correlate(std::vector<Matched>& batch, IngestSummary& summary) {
  const Timestamp now = wall_clock_();
  std::vector<LogRecord> assembled;
  EventBatch staged;
  for (auto& m : batch) {
    if (dedup_.seen_before(m.record.source_id, now)) {
      ++summary.duplicates;
      continue;
    }
    ++summary.accepted;
    if (!m.events.empty()) ++summary.matched;
    note_suspects(m);
    if (journal_) {
      staged.clock = std::max(staged.clock.value_or(m.record.time), m.record.time);
      for (Event& event : m.events) staged.events.push_back(std::move(event));
    } else {
      for (const Event& event : m.events) add_event(event, summary.changes);
      correlator_.advance(m.record.time, &summary.changes);
    }
    // Drained per record: the assembler passes most records straight back, and
    // collecting them all would copy the whole batch once more.
    assembler_.push(std::move(m.record), assembled);
    if (!assembled.empty()) {
      if (journal_) {
        for (Event& event : trace_contexts(assembled)) staged.contexts.push_back(std::move(event));
      } else {
        add_trace_context(assembled, summary.changes);
      }
      assembled.clear();
    }
  }
  if (journal_) {
    staged.wall = now;
    if (!staged.empty()) journal_->stage(std::move(staged));
    return;
  }
  notify(summary.changes);
}

// Unmatched records may be what an unknown crash was about; crash evidence
// carries the suspects of its instance, for an incident with no known cause.
void Pipeline::note_suspects(Matched& m) {
  if (m.events.empty()) {
    suspects_.note(m.record);
    return;
  }
  for (Event& event : m.events)
    if (event.is_exit() || event.kind == RuleKind::loop || event.fallback) event.suspects = suspects_.before(event);
}

std::vector<Event> Pipeline::trace_contexts(const std::vector<LogRecord>& records) const {
  std::vector<Event> contexts, events;
  for (const LogRecord& record : records) {
    if (!record.culprit) continue;
    events.clear();
    rules_->match(record, events);
    for (Event& event : events)
      if (event.kind == RuleKind::cause) contexts.push_back(std::move(event));
  }
  return contexts;
}

void Pipeline::add_event(const Event& event, std::vector<IncidentChange>& changes) {
  if (observer_) observer_->on_event(event);
  correlator_.add(event, &changes);
}

void Pipeline::add_context(const Event& event, std::vector<IncidentChange>& changes) {
  if (!correlator_.add_context(event)) return;
  // The store must learn the frame too.
  auto fingerprint = make_fingerprint(scope_of(event), event.rule_id, primary_capture(event));
  changes.push_back({IncidentChange::Type::updated, incident_id(fingerprint), {}});
}

void Pipeline::add_trace_context(const std::vector<LogRecord>& records, std::vector<IncidentChange>& changes) {
  for (const Event& event : trace_contexts(records)) add_context(event, changes);
}

// tick()/finish(): traces assembled since are correlated now, or in journal mode
// become a batch of their own.
void Pipeline::stage_contexts(std::vector<LogRecord>& assembled, IngestSummary& summary) {
  if (!journal_) {
    add_trace_context(assembled, summary.changes);
    notify(summary.changes);
    return;
  }
  EventBatch staged;
  staged.contexts = trace_contexts(assembled);
  staged.wall = wall_clock_();
  if (staged.needs_journal()) journal_->stage(std::move(staged));
}

void Pipeline::apply(const EventBatch& batch) {
  std::lock_guard lock(mutex_);
  applying_wall_ = batch.wall;
  std::vector<IncidentChange> changes;
  for (const Event& event : batch.events) {
    add_event(event, changes);
    correlator_.advance(event.time, &changes);
  }
  if (batch.clock) correlator_.advance(*batch.clock, &changes);
  for (const Event& event : batch.contexts) add_context(event, changes);
  // The result was decided where the action was taken (stage_lifecycle); a
  // conflict here means another replica's action came first.
  for (const LifecycleAction& a : batch.lifecycle) apply_lifecycle(a, changes);
  applying_wall_.reset();
  notify(changes);
}

// Journal mode: decided here on this replica's view, applied everywhere later.
// A concurrent action on another replica may win the race; the caller reads
// the incident after the journal applied this one and shows what happened.
LifecycleResult Pipeline::stage_lifecycle(LifecycleAction action) {
  const Incident* incident = correlator_.find(action.incident_id);
  if (!incident) return LifecycleResult::not_found;
  const bool allowed = action.kind == LifecycleKind::acknowledge ? incident->state == IncidentState::open
                                                                 : incident->state != IncidentState::resolved;
  if (!allowed) return LifecycleResult::conflict;
  EventBatch staged;
  staged.lifecycle.push_back(std::move(action));
  staged.wall = wall_clock_();
  journal_->stage(std::move(staged));
  return LifecycleResult::ok;
}

void Pipeline::notify(const std::vector<IncidentChange>& changes) {
  if (!observer_) return;
  for (const IncidentChange& change : changes) observer_->on_change(change, correlator_.find(change.incident_id));
  observer_->on_batch_end();
}

IngestSummary Pipeline::finish() {
  IngestSummary summary;
  std::lock_guard lock(mutex_);
  std::vector<LogRecord> assembled;
  assembler_.flush_all(assembled);
  stage_contexts(assembled, summary);
  return summary;
}

IngestSummary Pipeline::tick(Timestamp wall_now) {
  IngestSummary summary;
  std::lock_guard lock(mutex_);
  std::vector<LogRecord> assembled;
  assembler_.flush_older_than(wall_now, assembled);
  stage_contexts(assembled, summary);
  return summary;
}

void Pipeline::set_rules(std::shared_ptr<const RuleSet> rules) {
  std::lock_guard lock(mutex_);
  rules_ = std::move(rules);
}

std::shared_ptr<const RuleSet> Pipeline::rules() const {
  std::lock_guard lock(mutex_);
  return rules_;
}

void Pipeline::set_observer(PipelineObserver* observer) {
  std::lock_guard lock(mutex_);
  observer_ = observer;
}

void Pipeline::set_journal(BatchJournal* journal) {
  std::lock_guard lock(mutex_);
  journal_ = journal;
}

PipelineStats Pipeline::stats() const {
  std::lock_guard lock(mutex_);
  return {correlator_.stats(), dedup_.size(), assembler_.pending(), suspects_.instances()};
}

std::vector<Incident> Pipeline::incidents() const {
  std::lock_guard lock(mutex_);
  std::vector<Incident> out;
  for (const Incident* incident : correlator_.incidents()) out.push_back(*incident);
  return out;
}

std::optional<Incident> Pipeline::incident(const std::string& id) const {
  std::lock_guard lock(mutex_);
  const Incident* found = correlator_.find(id);
  if (!found) return std::nullopt;
  return *found;
}

LifecycleResult Pipeline::apply_lifecycle(const LifecycleAction& a, std::vector<IncidentChange>& changes) {
  return a.kind == LifecycleKind::acknowledge ? correlator_.acknowledge(a.incident_id, a.by, a.note, a.at, &changes)
                                              : correlator_.resolve(a.incident_id, a.by, a.note, a.at, &changes);
}

LifecycleResult Pipeline::act(const LifecycleAction& action) {
  std::lock_guard lock(mutex_);
  if (journal_) return stage_lifecycle(action);
  std::vector<IncidentChange> changes;
  auto result = apply_lifecycle(action, changes);
  notify(changes);
  return result;
}

void Pipeline::undo(const LifecycleAction& action) {
  std::lock_guard lock(mutex_);
  if (journal_) {
    journal_->withdraw(action);
    return;
  }
  std::vector<IncidentChange> changes;
  if (correlator_.undo(action, &changes)) notify(changes);
}

void Pipeline::restore(std::vector<Incident> incidents,
                       const std::vector<std::pair<std::string, Timestamp>>& seen_ids) {
  std::lock_guard lock(mutex_);
  for (auto& incident : incidents) correlator_.restore(std::move(incident));
  for (const auto& [id, at] : seen_ids) dedup_.seen_before(id, at);
}

}  // namespace faultline
