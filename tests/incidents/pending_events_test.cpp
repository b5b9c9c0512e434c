#include <doctest/doctest.h>

#include "tests/support/event_builder.h"
#include "incidents/pending_events.h"
#include "incidents/recovery_log.h"

using namespace faultline;
using namespace faultline::incident_tests;

TEST_CASE("pending events: range take per scope, caps drop the oldest, stale ones expire") {
  PendingEvents pending({/*per_scope=*/3, /*total=*/5, /*horizon=*/std::chrono::minutes(15)});
  for (int i = 0; i < 4; ++i) pending.add("a", effect("e", at(i * 1s)), at(i * 1s));
  CHECK(pending.size() == 3);
  CHECK(pending.dropped() == 1);
  CHECK(pending.take("a", at(0s), at(0s)).empty());  // the oldest went first

  pending.add("b", effect("e", at(10s)), at(10s));
  pending.add("b", effect("e", at(11s)), at(11s));
  pending.add("b", effect("e", at(12s)), at(12s));  // total 6 > 5: a's oldest (1 s) goes
  CHECK(pending.size() == 5);
  CHECK(pending.take("a", at(0s), at(1s)).empty());

  auto taken = pending.take("b", at(10s), at(11s));
  REQUIRE(taken.size() == 2);
  CHECK(taken[0].time == at(10s));
  CHECK(pending.size() == 3);

  // An event older than its scope's newest minus the horizon is not kept.
  pending.add("b", effect("e", at(0s)), at(20min));
  CHECK(pending.take("b", at(0s), at(1h)).empty());  // and b's 12 s expired with it
  CHECK(pending.size() == 2);
}

TEST_CASE("the recovery log finds the first recovery after a failure, bounded per revision") {
  RecoveryLog log;
  const Timestamp horizon = at(0s);
  for (int i = 0; i < 40; ++i) log.add("svc-00002-b", at(60s + i * 10s), horizon);
  log.add("svc-00001-a", at(30s), horizon);
  auto any = [](const std::string&) { return true; };
  auto r = log.earliest_after(at(0s), any);
  REQUIRE(r);
  CHECK(r->revision == "svc-00001-a");
  r = log.earliest_after(at(0s), [](const std::string& rev) { return rev == "svc-00002-b"; });
  REQUIRE(r);
  CHECK(r->time == at(60s));
  // Past the kept earliest ones, the latest still answers.
  r = log.earliest_after(at(300s), any);
  REQUIRE(r);
  CHECK(r->time == at(60s + 39 * 10s));
  CHECK_FALSE(log.earliest_after(at(1h), any));
}
