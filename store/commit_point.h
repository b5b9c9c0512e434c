// CommitPoint: what a handler waits for before it answers 2xx. With SQLite it
// is the group commit of the incidents a request changed (store_observer.h);
// with PostgreSQL the append of its events to the shared journal
// (replicator.h). Either way: once sync() returns, what the request brought
// survives kill -9 of this process.
#pragma once

#include <cstdint>
#include <functional>

namespace faultline {

class CommitPoint {
 public:
  using Undo = std::function<void()>;
  virtual ~CommitPoint() = default;
  // Batches handed over so far (a sequence number).
  virtual uint64_t sealed() const = 0;
  // Returns once every batch up to `batch` is durable. Throws StoreError
  // (answer 503 + Retry-After; the batch is kept and retried).
  void sync(uint64_t batch) { sync(batch, nullptr); }
  // The same for a change that must not be applied once its caller is told it
  // failed (ack, resolve: a retry would find it done and get 409). When the
  // commit fails, `undo` runs before any later commit can write the change,
  // then the StoreError propagates.
  virtual void sync(uint64_t batch, const Undo& undo) = 0;
  // The last commit succeeded (readiness).
  virtual bool healthy() const = 0;
};

}  // namespace faultline
