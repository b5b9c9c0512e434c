// CommitBatcher: answers that wait for the store's commit, without a worker
// thread woken per request.
//
// A push that opened or changed an incident is answered once the store has
// committed it (commit_point.h). Handing each such answer to the worker pool
// woke a thread per request (a futex wake, a context switch, both workers then
// queueing on the same commit) for what one sync() covers anyway: a commit
// makes every batch sealed before it durable. Here the waiting answers are
// queued; one worker takes all of them, syncs to the newest batch among them,
// answers them, and goes on while more arrive. So under load one worker commits
// in a loop, and the I/O threads only append to a queue.
//
// Thread-safe. Outlives the jobs it submits (hold it by shared_ptr).
#pragma once

#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <utility>
#include <vector>

namespace faultline {

class CommitPoint;
class WorkerPool;

class CommitBatcher : public std::enable_shared_from_this<CommitBatcher> {
 public:
  // `done` gets nullptr once every batch up to the one it waited for is durable,
  // or what the commit threw (StoreError: nothing was acknowledged).
  using Done = std::function<void(std::exception_ptr)>;

  CommitBatcher(CommitPoint& store, WorkerPool& pool) : store_(store), pool_(pool) {}

  // Calls `done` after the commit of `batch`, on a worker of the pool, or on the
  // calling thread when the pool is full (the records are in the pipeline
  // already: a 429 would make the client's retry a duplicate answered early).
  void after_commit(uint64_t batch, Done done);

 private:
  // Commits and answers what is queued; `on_worker`: false on a caller's thread,
  // which answers one round and hands the rest to a worker if one is free.
  void run(bool on_worker);

  CommitPoint& store_;
  WorkerPool& pool_;
  std::mutex mutex_;
  std::vector<std::pair<uint64_t, Done>> waiting_;  // under mutex_
  bool running_ = false;                             // under mutex_: a run() owns the queue
};

}  // namespace faultline
