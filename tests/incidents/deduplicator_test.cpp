#include <doctest/doctest.h>

#include <algorithm>
#include <deque>
#include <random>
#include <string>
#include <vector>

#include "tests/support/event_builder.h"
#include "incidents/deduplicator.h"

using namespace faultline;
using namespace faultline::incident_tests;

TEST_CASE("a source id seen within the horizon is a duplicate") {
  Deduplicator dedup(std::chrono::hours(1), 100);
  CHECK_FALSE(dedup.seen_before("abc|run.googleapis.com%2Fstderr", at(0s)));
  CHECK(dedup.seen_before("abc|run.googleapis.com%2Fstderr", at(10min)));
  CHECK_FALSE(dedup.seen_before("abd|run.googleapis.com%2Fstderr", at(10min)));
  // Redelivered after the horizon has passed since it was first seen: new again.
  CHECK(dedup.seen_before("abc|run.googleapis.com%2Fstderr", at(59min)));
  CHECK_FALSE(dedup.seen_before("abc|run.googleapis.com%2Fstderr", at(61min)));
  CHECK(dedup.seen_before("abc|run.googleapis.com%2Fstderr", at(62min)));
}

TEST_CASE("an empty source id is never a duplicate") {
  Deduplicator dedup;
  CHECK_FALSE(dedup.seen_before("", at(0s)));
  CHECK_FALSE(dedup.seen_before("", at(0s)));
  CHECK(dedup.size() == 0);
}

TEST_CASE("the deduplicator keeps at most max_entries, forgetting the oldest first") {
  Deduplicator dedup(std::chrono::hours(1), 3);
  for (const char* id : {"a", "b", "c", "d"}) CHECK_FALSE(dedup.seen_before(id, at(0s)));
  CHECK(dedup.size() == 3);
  CHECK(dedup.seen_before("d", at(1s)));
  CHECK(dedup.seen_before("b", at(1s)));
  CHECK_FALSE(dedup.seen_before("a", at(1s)));  // evicted, so recorded anew
}

TEST_CASE("expired ids are forgotten as time moves on, so memory follows the horizon") {
  Deduplicator dedup(std::chrono::minutes(1), 1000);
  for (int i = 0; i < 100; ++i) dedup.seen_before("id-" + std::to_string(i), at(i * 1s));
  CHECK(dedup.size() == 61);
  // Ids restored with the time they were stored count from that time.
  Deduplicator restored(std::chrono::hours(1), 1000);
  restored.seen_before("old", at(0s));
  CHECK(restored.seen_before("old", at(30min)));
  CHECK_FALSE(restored.seen_before("old", at(2h)));
}

TEST_CASE("at the cap the newest ids are kept and exactly the oldest are forgotten") {
  Deduplicator dedup(std::chrono::hours(1), 1000);
  for (int i = 0; i < 2500; ++i) CHECK_FALSE(dedup.seen_before("id-" + std::to_string(i), at(0s)));
  CHECK(dedup.size() == 1000);
  // A duplicate changes nothing, so the survivors can all be asked first.
  for (int i = 1500; i < 2500; ++i) CHECK(dedup.seen_before("id-" + std::to_string(i), at(1s)));
  CHECK(dedup.size() == 1000);
  // The newest forgotten id is new again; recording it pushes out the oldest survivor.
  CHECK_FALSE(dedup.seen_before("id-1499", at(1s)));
  CHECK(dedup.seen_before("id-1501", at(1s)));
  CHECK(dedup.seen_before("id-1499", at(1s)));
  CHECK_FALSE(dedup.seen_before("id-1500", at(1s)));  // and so on: now 1501 is out
  CHECK(dedup.seen_before("id-1502", at(1s)));
  CHECK(dedup.seen_before("id-2499", at(1s)));
  CHECK(dedup.size() == 1000);
}

TEST_CASE("an id is a duplicate up to exactly the horizon after it was first recorded") {
  Deduplicator dedup(std::chrono::hours(1), 100);
  CHECK_FALSE(dedup.seen_before("a", at(0s)));
  CHECK_FALSE(dedup.seen_before("b", at(30min)));
  CHECK(dedup.seen_before("a", at(1h)));
  CHECK(dedup.size() == 2);
  CHECK_FALSE(dedup.seen_before("a", at(1h + 1ns)));  // expired, so recorded anew at 1h+1ns
  CHECK(dedup.seen_before("b", at(1h + 30min)));
  CHECK(dedup.size() == 2);
  CHECK_FALSE(dedup.seen_before("c", at(1h + 30min + 1ns)));  // b expires
  CHECK(dedup.size() == 2);
  CHECK(dedup.seen_before("a", at(1h + 30min + 1ns)));
}

TEST_CASE("after a burst expires the deduplicator keeps working from a small size") {
  Deduplicator dedup(std::chrono::minutes(1), 100'000);
  for (int i = 0; i < 50'000; ++i) CHECK_FALSE(dedup.seen_before("burst-" + std::to_string(i), at(0s)));
  CHECK(dedup.size() == 50'000);
  CHECK_FALSE(dedup.seen_before("after", at(2min)));
  CHECK(dedup.size() == 1);
  for (int i = 0; i < 100; ++i) CHECK_FALSE(dedup.seen_before("burst-" + std::to_string(i), at(2min)));
  for (int i = 0; i < 100; ++i) CHECK(dedup.seen_before("burst-" + std::to_string(i), at(2min + 30s)));
  CHECK(dedup.seen_before("after", at(3min)));
  CHECK(dedup.size() == 101);
}

namespace {

// The documented behaviour written the simplest way: ids in recording order,
// searched one by one.
class ReferenceDeduplicator {
 public:
  ReferenceDeduplicator(std::chrono::nanoseconds horizon, size_t max_entries)
      : horizon_(horizon), max_entries_(max_entries) {}

  bool seen_before(const std::string& id, Timestamp now) {
    newest_ = std::max(newest_, now);
    while (!order_.empty() && order_.front().second < newest_ - horizon_) order_.pop_front();
    const auto it = std::find_if(order_.begin(), order_.end(), [&](const auto& entry) { return entry.first == id; });
    if (it != order_.end()) {
      if (it->second >= newest_ - horizon_) return true;
      order_.erase(it);  // recorded before a clock that went back: recorded anew
    }
    while (order_.size() >= max_entries_) order_.pop_front();
    order_.emplace_back(id, now);
    return false;
  }
  size_t size() const { return order_.size(); }

 private:
  std::chrono::nanoseconds horizon_;
  size_t max_entries_;
  Timestamp newest_ = Timestamp::min();  // set by the first call
  std::deque<std::pair<std::string, Timestamp>> order_;
};

// Several times `max_entries` ids through the deduplicator, a fixed-seed mix of
// new ids and repeats of the last `window` ids, compared call by call with the
// reference. The clock moves up to 10 ms a call; with `back_percent`, a call
// instead passes a time up to twice the horizon before the newest (as a restore
// or a clock that went back does), which leaves expired ids behind newer ones.
void churn(std::chrono::nanoseconds horizon, size_t window, int back_percent) {
  constexpr size_t kCap = 1000;
  Deduplicator dedup(horizon, kCap);
  ReferenceDeduplicator reference(horizon, kCap);
  std::mt19937_64 random(20261206);
  std::vector<std::string> ids;
  Timestamp now = at(0s);
  size_t duplicates = 0;
  for (int call = 0; call < 10'000; ++call) {
    std::string id;
    if (ids.empty() || random() % 100 < 45) {
      id = "insert-" + std::to_string(ids.size());
      ids.push_back(id);
    } else {
      id = ids[ids.size() - 1 - random() % std::min(ids.size(), window)];
    }
    Timestamp when;
    if (static_cast<int>(random() % 100) < back_percent) {
      when = now - std::chrono::nanoseconds(static_cast<int64_t>(random() % (2 * horizon.count())));
    } else {
      now += std::chrono::microseconds(static_cast<int64_t>(random() % 10'000));
      when = now;
    }
    const bool expected = reference.seen_before(id, when);
    duplicates += expected;
    INFO("call " << call << ", id " << id);
    REQUIRE(dedup.seen_before(id, when) == expected);
    REQUIRE(dedup.size() == reference.size());
    REQUIRE(dedup.size() <= kCap);
  }
  // Both answers were exercised, not only one.
  CHECK(duplicates > 1000);
  CHECK(duplicates < 9000);
}

}  // namespace

TEST_CASE("many times max_entries ids through a small cap match the reference call by call") {
  SUBCASE("the cap forgets") { churn(std::chrono::hours(1), 3000, 0); }
  SUBCASE("the horizon forgets") { churn(std::chrono::seconds(5), 1000, 0); }
  SUBCASE("the cap forgets, times go back") { churn(std::chrono::hours(1), 3000, 10); }
  SUBCASE("the horizon forgets, times go back") { churn(std::chrono::seconds(5), 1000, 10); }
}
