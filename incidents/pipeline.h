// Pipeline: records -> dedup -> rules -> correlator, the one path that both
// `faultline scan` and the daemon use, so that replaying an export gives the
// incidents that live ingest gave.
//
// Detection never waits for multi-line assembly: every record is matched as it
// arrives (a multi-line payload as a whole), so an acknowledged request's events
// are already correlated when ingest() returns. Assembly of one-line-per-entry
// traces runs beside it and only adds context (the culprit frame) to incidents.
//
// Thread-safe: one mutex serialises correlation (which is order-sensitive by
// nature); matching runs before taking it. prepare() is that matching on its
// own, so that a caller with many batches (scan) can match several at once on
// other threads and commit them one by one in order.
//
// Journal mode (several replicas, set_journal): ingest(), tick() and the
// lifecycle calls do not correlate; they hand an EventBatch to the journal, and
// the journal calls apply() on every replica for every batch, in one order.
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "incidents/correlator.h"
#include "incidents/deduplicator.h"
#include "incidents/event_batch.h"
#include "incidents/service_lines.h"
#include "incidents/suspect_lines.h"
#include "parsers/multiline.h"
#include "parsers/parse.h"
#include "rules/rule_set.h"

namespace faultline {

struct PipelineConfig {
  CorrelatorConfig correlator;
  MultilineOptions multiline;
  std::chrono::nanoseconds dedup_horizon = std::chrono::hours(1);
  size_t dedup_max_entries = 1'000'000;
};

struct IngestSummary {
  size_t accepted = 0;    // records taken in (not duplicates)
  size_t matched = 0;     // accepted records that at least one rule matched
  size_t duplicates = 0;  // records whose source_id was seen within the dedup horizon
  size_t undecided = 0;   // records RE2::Set could not decide on (matched rule by rule instead)
  std::vector<IncidentChange> changes;
};

// Sees every event and incident change, under the pipeline's lock, in order.
// The daemon's store and metrics implement it; a throwing observer fails the ingest.
class PipelineObserver {
 public:
  virtual ~PipelineObserver() = default;
  virtual void on_event(const Event&) {}
  // `incident` is null when the change removed it (merged).
  virtual void on_change(const IncidentChange&, const Incident*) {}
  // Called once per ingest()/finish()/tick() after all its changes: the commit point.
  virtual void on_batch_end() {}
};

// Takes the batches of a pipeline in journal mode. stage() is called under the
// pipeline's lock, in order, and must not block.
class BatchJournal {
 public:
  virtual ~BatchJournal() = default;
  virtual void stage(EventBatch batch) = 0;
  // Drops a staged lifecycle action that is not appended yet: its commit failed
  // and its caller was told so. Called from that failing commit (Pipeline::undo).
  virtual void withdraw(const LifecycleAction& action) = 0;
};

// How full the bounded state is, for metrics.
struct PipelineStats {
  CorrelatorStats correlator;
  size_t dedup_ids = 0;
  size_t traces_pending = 0;  // multi-line traces being assembled
  size_t suspect_instances = 0;  // instances whose last error lines are kept
  size_t sampled_services = 0;   // services whose ordinary lines are sampled (ServiceLines)
};

// A batch of records put in event order and matched, not yet correlated
// (Pipeline::prepare). Records, their events and whether an unmatched record is
// a suspect line (SuspectLog) are kept side by side, so that nothing is moved
// to pair them up.
struct PreparedBatch {
  std::vector<LogRecord> records;    // by event time, arrival order among equal times
  std::vector<std::vector<Event>> events;  // per record
  std::vector<bool> suspect;         // per record: no event, and reads as an error
  size_t undecided = 0;              // records RE2::Set could not decide on
};

class Pipeline {
 public:
  Pipeline(std::shared_ptr<const RuleSet> rules, PipelineConfig config, WallClock wall_clock);

  // prepare() then commit().
  IngestSummary ingest(std::vector<LogRecord> records);
  // Sorts and matches without the pipeline's lock: safe on any thread, beside
  // other prepare() and commit() calls.
  PreparedBatch prepare(std::vector<LogRecord> records) const;
  // Correlates a prepared batch; batches are correlated in the order of the calls.
  IngestSummary commit(PreparedBatch batch);
  // End of input (scan): flushes pending traces and lets event time settle.
  IngestSummary finish();
  // Daemon timer: flushes traces silent for longer than flush_after (wall time).
  IngestSummary tick(Timestamp wall_now);

  void set_rules(std::shared_ptr<const RuleSet> rules);
  std::shared_ptr<const RuleSet> rules() const;
  void set_observer(PipelineObserver* observer);  // not owned; nullptr to detach
  // Journal mode: not owned; set before the first ingest.
  void set_journal(BatchJournal* journal);
  // Correlates one journal entry (journal mode, every replica, in journal order).
  void apply(const EventBatch& batch);

  std::vector<Incident> incidents() const;  // snapshot, ordered by opened_at
  PipelineStats stats() const;
  std::optional<Incident> incident(const std::string& id) const;
  // Lines the incident's service printed that no rule matched (ServiceLines), to
  // show that a rule drafted from its suspect lines keeps quiet on them.
  std::vector<std::string> service_lines(const Incident& incident) const;
  // Acknowledges or resolves (in journal mode: stages the action, applied from the journal).
  LifecycleResult act(const LifecycleAction& action);
  // Takes act()'s action back when its commit failed (the undo of the caller's
  // sync), so that an action answered 503 is never applied later: the
  // correlator restores the incident, or the journal drops the action it has
  // not appended.
  void undo(const LifecycleAction& action);
  // Restart: incidents and dedup ids from the store.
  void restore(std::vector<Incident> incidents, const std::vector<std::pair<std::string, Timestamp>>& seen_ids);

 private:
  void correlate(PreparedBatch& batch, IngestSummary& summary);
  void note_suspects(const LogRecord& record, bool suspect, std::vector<Event>& events);
  void add_event(const Event& event, std::vector<IncidentChange>& changes);
  void add_context(const Event& event, std::vector<IncidentChange>& changes);
  void add_trace_context(const std::vector<LogRecord>& records, std::vector<IncidentChange>& changes);
  void notify(const std::vector<IncidentChange>& changes);
  // The cause events of assembled traces that carry a culprit frame.
  std::vector<Event> trace_contexts(const std::vector<LogRecord>& records) const;
  void stage_contexts(std::vector<LogRecord>& assembled, IngestSummary& summary);
  LifecycleResult stage_lifecycle(LifecycleAction action);
  LifecycleResult apply_lifecycle(const LifecycleAction& action, std::vector<IncidentChange>& changes);

  mutable std::mutex mutex_;
  std::shared_ptr<const RuleSet> rules_;
  PipelineConfig config_;
  WallClock wall_clock_;
  std::optional<Timestamp> applying_wall_;  // apply(): the batch's staging time stands in for the wall clock
  Correlator correlator_;
  Deduplicator dedup_;
  MultilineAssembler assembler_;
  SuspectLog suspects_;
  ServiceLines service_lines_;
  PipelineObserver* observer_ = nullptr;
  BatchJournal* journal_ = nullptr;
};

}  // namespace faultline
