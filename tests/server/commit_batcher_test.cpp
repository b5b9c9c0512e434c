// Answers that wait for the store's commit (server/commit_batcher.h).
#include <doctest/doctest.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <future>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "server/commit_batcher.h"
#include "server/http/worker_pool.h"
#include "store/commit_point.h"
#include "store/store.h"

namespace faultline {
namespace {

// Commits whatever it is asked to; the first commit can be held back, and
// commits can be made to fail as a full disk makes them.
class FakeCommits final : public CommitPoint {
 public:
  uint64_t sealed() const override { return 0; }
  bool healthy() const override { return true; }
  void sync(uint64_t batch, const Undo&) override {
    std::unique_lock lock(mutex_);
    ++syncs_;
    held_.wait(lock, [&] { return !hold_; });
    if (fail_) throw StoreError("disk full");
    committed_ = std::max(committed_, batch);
  }
  void hold(bool on) {
    std::lock_guard lock(mutex_);
    hold_ = on;
    held_.notify_all();
  }
  void fail(bool on) {
    std::lock_guard lock(mutex_);
    fail_ = on;
  }
  uint64_t committed() {
    std::lock_guard lock(mutex_);
    return committed_;
  }
  int syncs() {
    std::lock_guard lock(mutex_);
    return syncs_;
  }

 private:
  std::mutex mutex_;
  std::condition_variable held_;
  bool hold_ = false, fail_ = false;
  uint64_t committed_ = 0;
  int syncs_ = 0;
};

struct Answer {
  std::promise<void> done;
  uint64_t committed_then = 0;
  bool failed = false;
};

TEST_CASE("answers waiting for a commit come after a commit that covers them, and share it") {
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> sink{std::fopen("/dev/null", "w"), &std::fclose};
  Logger log(LogLevel::error, sink.get());
  WorkerPool pool("test", 2, 8, log);
  FakeCommits store;
  auto batcher = std::make_shared<CommitBatcher>(store, pool);

  std::vector<Answer> answers(4);
  auto wait_for = [&](uint64_t batch, Answer& answer) {
    batcher->after_commit(batch, [&store, &answer](std::exception_ptr failure) {
      answer.committed_then = store.committed();
      answer.failed = failure != nullptr;
      answer.done.set_value();
    });
  };

  SUBCASE("the ones that queue while a commit runs are answered by the next one") {
    store.hold(true);
    wait_for(1, answers[0]);
    while (store.syncs() == 0) std::this_thread::yield();  // the first commit is under way
    wait_for(2, answers[1]);
    wait_for(3, answers[2]);
    wait_for(2, answers[3]);
    store.hold(false);
    for (Answer& answer : answers) answer.done.get_future().wait();
    CHECK(answers[0].committed_then >= 1);
    for (size_t i = 1; i < answers.size(); ++i) CHECK(answers[i].committed_then == 3);
    CHECK(store.syncs() == 2);
    for (const Answer& answer : answers) CHECK_FALSE(answer.failed);
  }

  SUBCASE("a commit that fails reaches every answer that waited for it") {
    store.fail(true);
    store.hold(true);
    wait_for(1, answers[0]);
    while (store.syncs() == 0) std::this_thread::yield();
    wait_for(2, answers[1]);
    store.hold(false);
    for (size_t i = 0; i < 2; ++i) answers[i].done.get_future().wait();
    CHECK(answers[0].failed);
    CHECK(answers[1].failed);
    store.fail(false);
    wait_for(3, answers[2]);
    answers[2].done.get_future().wait();
    CHECK_FALSE(answers[2].failed);
    CHECK(answers[2].committed_then == 3);
  }

  CHECK(pool.wait_idle(std::chrono::steady_clock::now() + std::chrono::minutes(1)));
  pool.join();
}

TEST_CASE("with the worker pool full, the answer waits for a commit on the calling thread, not a 429") {
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> sink{std::fopen("/dev/null", "w"), &std::fclose};
  Logger log(LogLevel::error, sink.get());
  WorkerPool pool("test", 1, 0, log);
  std::promise<void> started, release;
  std::shared_future<void> released = release.get_future().share();
  REQUIRE(pool.try_submit([&] {
    started.set_value();
    released.wait();
  }));
  started.get_future().wait();

  FakeCommits store;
  auto batcher = std::make_shared<CommitBatcher>(store, pool);
  bool answered = false;
  batcher->after_commit(7, [&](std::exception_ptr failure) { answered = failure == nullptr && store.committed() == 7; });
  CHECK(answered);  // before after_commit returned

  release.set_value();
  CHECK(pool.wait_idle(std::chrono::steady_clock::now() + std::chrono::minutes(1)));
  pool.join();
}

}  // namespace
}  // namespace faultline
