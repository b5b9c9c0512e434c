// CommitPoint: what a handler waits for before it answers 2xx. With SQLite it
// is the group commit of the incidents a request changed (store_observer.h);
// with PostgreSQL the append of its events to the shared journal
// (replicator.h). Either way: once sync() returns, what the request brought
// survives kill -9 of this process.
#pragma once

#include <cstdint>

namespace faultline {

class CommitPoint {
 public:
  virtual ~CommitPoint() = default;
  // Batches handed over so far (a sequence number).
  virtual uint64_t sealed() const = 0;
  // Returns once every batch up to `batch` is durable. Throws StoreError
  // (answer 503 + Retry-After; the batch is kept and retried).
  virtual void sync(uint64_t batch) = 0;
  // The last commit succeeded (readiness).
  virtual bool healthy() const = 0;
};

}  // namespace faultline
