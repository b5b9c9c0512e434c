// StoreObserver: makes the pipeline's results durable, so that the daemon
// answers 2xx only for what survives kill -9.
//
// As a PipelineObserver it only copies (under the pipeline's lock, no I/O): the
// incidents a batch changed, the incidents a merge removed, and the source ids
// of the batch's events (the ids whose redelivery after a restart must count as
// duplicates; records that matched no rule change nothing and are not stored).
// on_batch_end() seals the batch. sync() then writes every sealed batch and
// commits, outside the pipeline's lock: while one worker waits for the fsync,
// others keep correlating, and the next sync() commits all their batches at once
// (group commit). Only sealed batches are written, so a commit never holds part
// of a batch — a batch's source ids are never durable without its incidents.
//
// The caller of Pipeline::ingest()/acknowledge()/resolve()/tick() calls
// sync(sealed()) after it returns and answers 2xx only when sync returned. A
// StoreError propagates (answer 503 + Retry-After); the store keeps the failed
// batch pending and the next sync() writes it again (SqliteStore's contract).
// An ack or resolve passes an undo: it seals the incident as it was before the
// next sync() can start, so that copy is what the store ends up with.
//
// Thread-safe. The store is only touched inside sync() (one at a time), and by
// the daemon at startup before the observer is attached.
#pragma once

#include <atomic>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "incidents/pipeline.h"
#include "store/store.h"
#include "store/commit_point.h"

namespace faultline {

class StoreObserver final : public PipelineObserver, public CommitPoint {
 public:
  StoreObserver(IncidentStore& store, WallClock wall_clock);

  void on_event(const Event& event) override;
  void on_change(const IncidentChange& change, const Incident* incident) override;
  void on_batch_end() override;

  // Batches sealed so far (a sequence number).
  uint64_t sealed() const override { return sealed_.load(); }
  // Returns once every batch up to `batch` is committed (by this call or a
  // concurrent one). Throws StoreError, after running `undo` (CommitPoint).
  using CommitPoint::sync;
  void sync(uint64_t batch, const Undo& undo) override;
  // The last commit succeeded (readiness).
  bool healthy() const override { return healthy_.load(); }

 private:
  struct Pending {
    // Latest copy per incident id; nullopt means removed (merged away).
    std::unordered_map<std::string, std::optional<Incident>> incidents;
    std::vector<std::string> source_ids;
    bool empty() const { return incidents.empty() && source_ids.empty(); }
    void absorb(Pending&& later);
  };

  IncidentStore& store_;
  WallClock wall_clock_;

  Pending open_batch_;  // only touched under the pipeline's lock (observer calls)

  std::mutex sealed_mutex_;
  Pending sealed_batches_;
  std::atomic<uint64_t> sealed_{0};

  std::mutex commit_mutex_;
  uint64_t committed_ = 0;  // under commit_mutex_
  std::atomic<bool> healthy_{true};
};

}  // namespace faultline
