// Replicator: this replica's side of the shared journal (incidents/postgres_store.h).
//
// - As the pipeline's BatchJournal it takes each request's EventBatch (under
//   the pipeline's lock, in memory). As the CommitPoint, sync() appends what
//   was staged to the journal in one transaction (group commit, like
//   StoreObserver), then waits until this replica has applied it, so the
//   answer to a POST is visible in this replica's API when it arrives.
// - Its thread applies the journal, everyone's entries in journal order, to the
//   pipeline (woken by NOTIFY, polling as a fallback).
// - One replica leads (a PostgreSQL session lock, released when its process
//   dies): it writes the incidents snapshot with the journal position it
//   reflects, prunes old dedup ids and journal entries, and sends the alerts.
//   A replica that takes the lead writes its whole state once.
//
// A batch that fails to append stays staged and goes with the next sync(); the
// pipeline has already counted its records as seen, so nothing a client will
// retry is lost. An ack or resolve is the exception: its caller's undo
// withdraws it, so that an action answered 503 is not applied later.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <set>
#include <string>
#include <thread>

#include "incidents/pipeline.h"
#include "store/postgres_store.h"
#include "store/commit_point.h"
#include "server/log.h"

namespace faultline {

struct ReplicatorOptions {
  std::chrono::nanoseconds dedup_horizon = std::chrono::hours(1);
  // Journal entries the snapshot holds are kept this long, for replicas that lag.
  std::chrono::seconds journal_retention = std::chrono::hours(1);
  // How long sync() waits for this replica to apply its own append.
  std::chrono::milliseconds apply_wait{10000};
  // Called on the replicator's thread when this replica starts or stops leading.
  std::function<void(bool leading)> leadership;
  // Called once, from the replicator's thread, when this replica can no longer
  // follow the journal (it fell behind what was pruned, or applying failed
  // midway): it stops applying, and only a restart, which reloads the
  // snapshot, brings it back. The daemon shuts down.
  std::function<void(const std::string& reason)> fatal;
};

class Replicator final : public BatchJournal, public CommitPoint, public PipelineObserver {
 public:
  // `applied`: the journal position `pipeline` was restored to (the snapshot's).
  // `replica` names this process in journal keys (with a random nonce).
  Replicator(Pipeline& pipeline, PostgresStore& store, PostgresJournal& journal, int64_t applied,
             const std::string& replica, ReplicatorOptions options, Logger& log, WallClock wall_clock);
  ~Replicator() override;  // stop()

  void start();
  void stop();

  void stage(EventBatch batch) override;
  void withdraw(const LifecycleAction& action) override;
  uint64_t sealed() const override { return sealed_.load(); }
  using CommitPoint::sync;
  void sync(uint64_t batch, const Undo& undo) override;
  bool healthy() const override { return append_healthy_.load() && apply_healthy_.load(); }

  // The snapshot writer's view: ids of incidents the applied entries changed.
  void on_change(const IncidentChange& change, const Incident* incident) override;

  bool leading() const { return leading_.load(); }
  int64_t applied() const;

 private:
  void run();
  bool step();  // one round of the thread; true when it should not wait
  void write_snapshot();
  void wait_applied(int64_t seq);
  // Appends one batch under `key`; on failure keeps it as failed_. Under commit_mutex_.
  void append(EventBatch batch, std::string key);

  Pipeline& pipeline_;
  PostgresStore& store_;
  PostgresJournal& journal_;
  ReplicatorOptions options_;
  Logger& log_;
  WallClock wall_clock_;

  // Staging (ingest threads, under the pipeline's lock).
  std::mutex staged_mutex_;
  EventBatch staged_;
  std::atomic<uint64_t> sealed_{0};

  // Appending (one sync() at a time).
  std::mutex commit_mutex_;
  // A batch whose append failed, retried alone under the same key: had its
  // COMMIT gone through unseen, the retry must not append it twice.
  EventBatch failed_;
  std::string failed_key_;
  const std::string key_prefix_;  // this process: replica name and a random nonce
  uint64_t next_key_ = 0;
  int64_t last_seq_ = 0;  // the newest entry this replica appended
  uint64_t committed_ = 0;
  std::chrono::steady_clock::time_point last_append_{};
  std::atomic<bool> append_healthy_{true};

  // Applying (the replicator's thread).
  mutable std::mutex applied_mutex_;
  std::condition_variable applied_changed_;
  int64_t applied_ = 0;
  bool stopping_ = false;
  std::atomic<bool> apply_healthy_{true};
  std::atomic<bool> leading_{false};
  std::set<std::string> changed_ids_;  // only touched by the thread (on_change runs inside apply)
  bool snapshot_whole_ = false;        // just took the lead: write everything
  int64_t snapshot_seq_ = -1;          // the journal position the snapshot last recorded
  std::chrono::steady_clock::time_point last_snapshot_{};
  std::string last_error_;  // logged once per distinct failure
  std::chrono::steady_clock::time_point last_lead_attempt_{}, last_prune_{};
  std::thread thread_;
};

}  // namespace faultline
