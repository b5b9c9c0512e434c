#include <doctest/doctest.h>

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
