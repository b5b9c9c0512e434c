#include "server/http/worker_pool.h"

#include <algorithm>

#include <boost/asio/post.hpp>

namespace faultline {

WorkerPool::WorkerPool(std::string name, size_t threads, size_t queue, Logger& log)
    : name_(std::move(name)), capacity_(std::max<size_t>(1, threads) + queue), log_(log),
      pool_(std::max<size_t>(1, threads)) {}

WorkerPool::~WorkerPool() { join(); }

bool WorkerPool::try_submit(std::function<void()> job) {
  if (closed_.load()) return false;
  size_t current = in_flight_.load();
  do {
    if (current >= capacity_) return false;
  } while (!in_flight_.compare_exchange_weak(current, current + 1));
  boost::asio::post(pool_, [this, job = std::move(job)] {
    try {
      job();
    } catch (const std::exception& e) {
      log_.error("worker", "job failed", {{"pool", name_}, {"error", e.what()}});
    } catch (...) {
      log_.error("worker", "job failed", {{"pool", name_}, {"error", "unknown"}});
    }
    {
      std::lock_guard lock(mutex_);
      in_flight_.fetch_sub(1);
    }
    idle_.notify_all();
  });
  return true;
}

bool WorkerPool::wait_idle(std::chrono::steady_clock::time_point deadline) {
  std::unique_lock lock(mutex_);
  return idle_.wait_until(lock, deadline, [&] { return in_flight_.load() == 0; });
}

void WorkerPool::join() {
  closed_.store(true);
  pool_.join();
}

}  // namespace faultline
