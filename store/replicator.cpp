#include "store/replicator.h"

#include <random>

namespace faultline {
namespace {

using Clock = std::chrono::steady_clock;

constexpr size_t kEntriesPerRead = 256;
// NOTIFY wakes the thread at once; this only bounds the wait when it is lost.
constexpr auto kPoll = std::chrono::milliseconds(200);
constexpr auto kRetryAfterError = std::chrono::seconds(1);
constexpr auto kLeadAttemptEvery = std::chrono::seconds(1);
constexpr auto kPruneEvery = std::chrono::minutes(1);
// A batch that only moves the event-time clock (noise lines) is appended at
// most this often: quiet periods and auto-resolve need it, nothing else does.
constexpr auto kClockAppendEvery = std::chrono::seconds(1);
// The snapshot is a checkpoint (the journal holds everything after it): the
// leader writes it at most this often, not after every applied entry.
constexpr auto kSnapshotEvery = std::chrono::seconds(1);
constexpr size_t kSnapshotAfterChanges = 1000;

std::string random_nonce() {
  std::random_device random;
  char text[17];
  std::snprintf(text, sizeof text, "%08x%08x", random(), random());
  return text;
}

}  // namespace

Replicator::Replicator(Pipeline& pipeline, PostgresStore& store, PostgresJournal& journal, int64_t applied,
                       const std::string& replica, ReplicatorOptions options, Logger& log, WallClock wall_clock)
    : pipeline_(pipeline),
      store_(store),
      journal_(journal),
      options_(std::move(options)),
      log_(log),
      wall_clock_(std::move(wall_clock)),
      key_prefix_(replica + "/" + random_nonce() + "/"),
      applied_(applied) {}

Replicator::~Replicator() { stop(); }

void Replicator::start() { thread_ = std::thread([this] { run(); }); }

void Replicator::stop() {
  {
    std::lock_guard lock(applied_mutex_);
    stopping_ = true;
  }
  applied_changed_.notify_all();
  if (thread_.joinable()) thread_.join();
}

int64_t Replicator::applied() const {
  std::lock_guard lock(applied_mutex_);
  return applied_;
}

void Replicator::stage(EventBatch batch) {
  std::lock_guard lock(staged_mutex_);
  const bool durable = batch.needs_journal();
  staged_.append(std::move(batch));
  if (durable) sealed_.fetch_add(1);
}

void Replicator::withdraw(const LifecycleAction& action) {
  // Only from the undo of a failing sync(), which holds commit_mutex_ (failed_'s lock).
  std::erase(failed_.lifecycle, action);
  std::lock_guard lock(staged_mutex_);
  std::erase(staged_.lifecycle, action);
}

void Replicator::sync(uint64_t batch, const Undo& undo) {
  std::unique_lock commit_lock(commit_mutex_);
  try {
    // A failed batch goes first, alone: every caller retries it until it lands,
    // and what was staged since stays staged meanwhile.
    if (!failed_.empty()) append(std::move(failed_), std::move(failed_key_));
    EventBatch work;
    uint64_t through = committed_;
    {
      std::lock_guard lock(staged_mutex_);
      const bool clock_due = staged_.clock && Clock::now() - last_append_ >= kClockAppendEvery;
      if (committed_ < batch || clock_due) {
        work = std::move(staged_);
        staged_ = EventBatch{};
        through = sealed_.load();
      }
    }
    // Covered from here on: appended now, or kept in failed_ for the next sync().
    committed_ = std::max(committed_, through);
    if (!work.empty()) append(std::move(work), key_prefix_ + std::to_string(next_key_++));
  } catch (const StoreError&) {
    // Still under commit_mutex_: no retry can append the action before it is withdrawn.
    if (undo) undo();
    throw;
  }
  const int64_t seq = last_seq_;
  commit_lock.unlock();
  // Also when a concurrent sync() appended this request's batch, or when all of
  // it was there already: answer only once this replica shows it.
  if (seq > 0) wait_applied(seq);
}

void Replicator::append(EventBatch batch, std::string key) {
  try {
    PostgresJournal::Appended appended = journal_.append(batch, key, wall_clock_());
    if (appended.seq) last_seq_ = std::max(last_seq_, *appended.seq);
  } catch (const StoreError&) {
    failed_ = std::move(batch);
    failed_key_ = std::move(key);
    append_healthy_.store(false);
    throw;
  }
  failed_ = EventBatch{};
  failed_key_.clear();
  last_append_ = Clock::now();
  append_healthy_.store(true);
}

void Replicator::wait_applied(int64_t seq) {
  std::unique_lock lock(applied_mutex_);
  if (!applied_changed_.wait_for(lock, options_.apply_wait, [&] { return applied_ >= seq || stopping_; }))
    // Durable already; only this replica's view lags (its thread is failing).
    log_.warn("journal", "own append not applied in time", {{"seq", seq}, {"applied", applied_}});
}

void Replicator::on_change(const IncidentChange& change, const Incident*) { changed_ids_.insert(change.incident_id); }

void Replicator::run() {
  while (true) {
    bool more = false;
    try {
      more = step();
      if (!apply_healthy_.exchange(true)) log_.info("journal", "applying again", {{"applied", applied()}});
      last_error_.clear();
    } catch (const JournalGap& e) {
      apply_healthy_.store(false);
      if (options_.fatal) options_.fatal(std::string(e.what()) + "; restart this replica: it reloads the snapshot");
      break;
    } catch (const StoreError& e) {
      // Leadership follows the session: a lost connection released the lock,
      // and the next step() says so.
      apply_healthy_.store(false);
      if (last_error_ != e.what()) log_.error("journal", "cannot apply the journal", {{"error", e.what()}});
      last_error_ = e.what();
      std::unique_lock lock(applied_mutex_);
      applied_changed_.wait_for(lock, kRetryAfterError, [&] { return stopping_; });
    } catch (const std::exception& e) {
      // Applying stopped midway through an entry: retrying would count part of it twice.
      apply_healthy_.store(false);
      if (options_.fatal) options_.fatal(std::string("applying a journal entry failed midway: ") + e.what());
      break;
    }
    {
      std::lock_guard lock(applied_mutex_);
      if (stopping_) return;
    }
    if (!more) {
      try {
        journal_.wait(kPoll);
      } catch (const StoreError&) {
        // Reported by the next step().
      }
    }
  }
  // Stopped for good: nobody waits for an entry this replica will not apply.
  {
    std::lock_guard lock(applied_mutex_);
    stopping_ = true;
  }
  applied_changed_.notify_all();
}

bool Replicator::step() {
  const auto now = Clock::now();
  if (!journal_.leading() && now - last_lead_attempt_ >= kLeadAttemptEvery) {
    last_lead_attempt_ = now;
    if (journal_.try_lead()) snapshot_whole_ = true;
  }
  if (leading_.load() != journal_.leading()) {
    leading_.store(journal_.leading());
    log_.info("journal", leading_ ? "leading: this replica writes the snapshot and sends alerts" : "no longer leading",
              {{"applied", applied()}});
    if (options_.leadership) options_.leadership(leading_.load());
  }

  std::vector<PostgresJournal::Entry> entries = journal_.read_after(applied(), kEntriesPerRead);
  for (const PostgresJournal::Entry& entry : entries) {
    pipeline_.apply(entry.batch);
    {
      std::lock_guard lock(applied_mutex_);
      applied_ = entry.seq;
    }
    applied_changed_.notify_all();
  }

  if (journal_.leading()) {
    if (snapshot_whole_ || changed_ids_.size() >= kSnapshotAfterChanges || now - last_snapshot_ >= kSnapshotEvery)
      write_snapshot();
    if (now - last_prune_ >= kPruneEvery) {
      last_prune_ = now;
      journal_.prune(wall_clock_() - options_.dedup_horizon, options_.journal_retention, applied());
    }
  } else {
    changed_ids_.clear();  // the leader writes them
  }
  return entries.size() == kEntriesPerRead;
}

void Replicator::write_snapshot() {
  last_snapshot_ = Clock::now();
  if (snapshot_whole_) {
    store_.replace_all(pipeline_.incidents(), applied());
    snapshot_seq_ = applied();
    snapshot_whole_ = false;
    changed_ids_.clear();
    return;
  }
  if (changed_ids_.empty() && applied() == snapshot_seq_) return;
  for (const std::string& id : changed_ids_) {
    if (auto incident = pipeline_.incident(id)) store_.upsert(*incident);
    else store_.remove(id);
  }
  store_.set_snapshot_seq(applied());
  try {
    store_.commit();
  } catch (const StoreError&) {
    store_.rollback();  // changed_ids_ keeps the ids: written with the next commit
    throw;
  }
  changed_ids_.clear();
  snapshot_seq_ = applied();
}

}  // namespace faultline
