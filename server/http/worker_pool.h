// WorkerPool: a fixed set of threads for blocking work (pipeline ingest with its
// store commit, API calls that take the pipeline lock, rule reloads), so that
// I/O threads only do I/O.
//
// Bounded: at most `threads + queue` jobs are admitted (running or waiting).
// try_submit() never blocks; when the pool is full it returns false and the
// caller answers 429 with Retry-After, which is how back-pressure reaches Pub/Sub
// and shippers. A job that throws is logged and swallowed (jobs answer their own
// errors; this is the last line).
// Thread-safe.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <string>

#include <boost/asio/thread_pool.hpp>

#include "server/log.h"

namespace faultline {

class WorkerPool {
 public:
  WorkerPool(std::string name, size_t threads, size_t queue, Logger& log);
  ~WorkerPool();  // join()s
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  bool try_submit(std::function<void()> job);
  size_t in_flight() const { return in_flight_.load(); }
  size_t capacity() const { return capacity_; }

  // True when no job is running or waiting before `deadline`.
  bool wait_idle(std::chrono::steady_clock::time_point deadline);
  // Runs every admitted job, then stops the threads. Later submissions are refused.
  void join();

 private:
  std::string name_;
  size_t capacity_;
  Logger& log_;
  boost::asio::thread_pool pool_;
  std::atomic<size_t> in_flight_{0};
  std::atomic<bool> closed_{false};
  std::mutex mutex_;
  std::condition_variable idle_;
};

}  // namespace faultline
