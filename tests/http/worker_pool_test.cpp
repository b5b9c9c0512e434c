#include <doctest/doctest.h>

#include <future>

#include "server/http/worker_pool.h"

namespace faultline {

TEST_CASE("a full pool refuses work instead of queueing without bound") {
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> sink{std::fopen("/dev/null", "w"), &std::fclose};
  Logger log(LogLevel::error, sink.get());
  WorkerPool pool("test", 1, 1, log);  // one running + one waiting
  std::promise<void> started, release;
  std::shared_future<void> released = release.get_future().share();

  CHECK(pool.try_submit([&] {
    started.set_value();
    released.wait();
  }));
  started.get_future().wait();
  CHECK(pool.try_submit([&] { released.wait(); }));  // waits in the queue
  CHECK_FALSE(pool.try_submit([] {}));                // 429 territory
  CHECK(pool.in_flight() == 2);

  release.set_value();
  CHECK(pool.wait_idle(std::chrono::steady_clock::now() + std::chrono::minutes(1)));
  CHECK(pool.try_submit([] { throw std::runtime_error("a job's own failure is logged, not fatal"); }));
  CHECK(pool.wait_idle(std::chrono::steady_clock::now() + std::chrono::minutes(1)));
  pool.join();
  CHECK_FALSE(pool.try_submit([] {}));
}

}  // namespace faultline
