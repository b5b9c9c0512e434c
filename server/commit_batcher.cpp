#include "server/commit_batcher.h"

#include <algorithm>

#include "server/http/worker_pool.h"
#include "store/commit_point.h"

namespace faultline {

void CommitBatcher::after_commit(uint64_t batch, Done done) {
  {
    std::lock_guard lock(mutex_);
    waiting_.emplace_back(batch, std::move(done));
    if (running_) return;  // the run in progress takes it in its next round
    running_ = true;
  }
  if (pool_.try_submit([self = shared_from_this()] { self->run(true); })) return;
  run(false);
}

void CommitBatcher::run(bool on_worker) {
  std::vector<std::pair<uint64_t, Done>> round;
  for (;;) {
    {
      std::lock_guard lock(mutex_);
      if (waiting_.empty()) {
        running_ = false;
        return;
      }
      round.swap(waiting_);
    }
    uint64_t newest = 0;
    for (const auto& [batch, done] : round) newest = std::max(newest, batch);
    std::exception_ptr failure;
    try {
      store_.sync(newest);
    } catch (...) {
      failure = std::current_exception();
    }
    for (auto& [batch, done] : round) done(failure);
    round.clear();
    if (on_worker) continue;
    {
      std::lock_guard lock(mutex_);
      if (waiting_.empty()) {
        running_ = false;
        return;
      }
    }
    // More arrived while this thread committed: a worker takes them if one is free.
    if (pool_.try_submit([self = shared_from_this()] { self->run(true); })) return;
  }
}

}  // namespace faultline
