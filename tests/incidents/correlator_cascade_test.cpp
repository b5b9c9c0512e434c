// Cascades: which events end up in which incident, in any arrival order.
#include <doctest/doctest.h>

#include "tests/support/event_builder.h"
#include "incidents/correlator.h"
#include "incidents/fingerprint.h"

using namespace faultline;
using namespace faultline::incident_tests;

namespace {

Correlator make(FakeWall& wall, CorrelatorConfig config = {}) { return Correlator(config, wall.clock()); }

}  // namespace

TEST_CASE("the seed cascade is one critical crash-loop incident named after its cause") {
  FakeWall wall;
  Correlator correlator = make(wall);
  auto changes = feed(correlator, seed_events());

  auto incidents = correlator.incidents();
  REQUIRE(incidents.size() == 1);
  const Incident& inc = *incidents[0];
  CHECK(inc.root_cause.rule == "python_module_not_found");
  CHECK(inc.fingerprint == "v1|//netra-backend-staging|python_module_not_found|module=" + kSeedModule);
  CHECK(inc.id == incident_id(inc.fingerprint));
  CHECK(inc.state == IncidentState::open);
  CHECK(inc.severity == Severity::critical);
  CHECK(inc.crash_loop);
  CHECK(inc.exits == 3);
  CHECK(inc.exit_codes == std::vector<std::pair<std::string, int>>{{"3", 3}});
  CHECK(inc.occurrences == 6);
  CHECK(inc.instances.size() == 3);
  CHECK(inc.revisions == std::vector<std::string>{kSeedRevision});
  CHECK(inc.summary == "Python module " + kSeedModule + " cannot be imported");
  // The message is the first cause line; the frame comes from the traceback's line.
  CHECK(inc.root_cause.message.find("Middleware setup failure details") == 0);
  REQUIRE(inc.root_cause.frame);
  CHECK(inc.root_cause.frame->line == 23);

  // The chain reads like the cascade: cause, effects, the exit.
  REQUIRE(inc.chain.size() == 6);
  CHECK(inc.chain[0].rule == "python_module_not_found");
  CHECK(inc.chain[0].count == 6);
  CHECK(inc.chain[1].rule == "middleware_setup_failed");
  CHECK(inc.chain[1].kind == RuleKind::effect);
  CHECK(inc.chain[1].count == 3);
  CHECK(inc.chain.back().rule == "container_exit");
  CHECK(inc.chain.back().kind == RuleKind::exit);
  CHECK(inc.chain.back().count == 3);
  CHECK(link(inc, "cloud_run_request_failed")->count == 3);

  // The effect logged 0.2 ms before the cause line opens the clock.
  CHECK(inc.opened_at == at(5814300us));
  CHECK(inc.last_seen == at(5814300us + 14s + 4848551us));

  // Notified on transitions: opened once, escalated once (the third exit).
  CHECK(count_changes(changes, IncidentChange::Type::opened) == 1);
  CHECK(count_changes(changes, IncidentChange::Type::escalated) == 1);
  CHECK(count_changes(changes, IncidentChange::Type::merged) == 0);
  REQUIRE(inc.history.size() == 2);
  CHECK(inc.history[0].action == "opened");
  CHECK(inc.history[1].action == "crash_loop");
  CHECK(inc.history[1].at == at(5814300us + 14s + 4148551us));
}

TEST_CASE("arrival order does not change the seed incident") {
  FakeWall wall;
  Correlator in_order = make(wall);
  feed(in_order, seed_events());
  const auto expected = comparable(*in_order.incidents().at(0));

  SUBCASE("reversed") {
    Correlator c = make(wall);
    auto changes = feed(c, reversed(seed_events()));
    REQUIRE(c.incidents().size() == 1);
    CHECK(comparable(*c.incidents()[0]) == expected);
    // The exit that arrived first opened a generic_exit incident; the cause merged it.
    CHECK(count_changes(changes, IncidentChange::Type::merged) >= 1);
    for (const auto& change : changes)
      if (change.type == IncidentChange::Type::merged) CHECK(change.merged_into == c.incidents()[0]->id);
  }
  SUBCASE("shuffled") {
    for (unsigned seed = 1; seed <= 25; ++seed) {
      CAPTURE(seed);
      Correlator c = make(wall);
      feed(c, shuffled(seed_events(), seed));
      REQUIRE(c.incidents().size() == 1);
      CHECK(comparable(*c.incidents()[0]) == expected);
    }
  }
}

TEST_CASE("exits with no cause open a generic_exit incident at once, merged when the cause arrives") {
  FakeWall wall;
  Correlator c = make(wall);
  std::vector<IncidentChange> changes;
  for (int i = 0; i < 3; ++i)
    c.add(exit_event(at(10s + i * 7s)).service("api").revision("api-00001-abc").instance("i" + std::to_string(i)),
          &changes);

  REQUIRE(c.incidents().size() == 1);
  const Incident generic = *c.incidents()[0];
  CHECK(generic.root_cause.rule == "generic_exit");
  CHECK(generic.fingerprint == "v1|//api|generic_exit|code=3");
  CHECK(generic.exits == 3);
  CHECK(generic.crash_loop);
  CHECK(generic.summary ==
        "api exited with code 3 (application boot failure by convention) 3 times; no root cause line was found");
  CHECK(generic.hint.find("gunicorn") != std::string::npos);
  CHECK(count_changes(changes, IncidentChange::Type::opened) == 1);

  changes.clear();
  c.add(cause("python_module_not_found", at(9s)).service("api").revision("api-00001-abc").capture("module", "app.x"),
        &changes);
  REQUIRE(c.incidents().size() == 1);
  const Incident& merged = *c.incidents()[0];
  CHECK(merged.root_cause.rule == "python_module_not_found");
  CHECK(merged.exits == 3);
  CHECK(merged.crash_loop);
  CHECK(merged.instances.size() == 3);
  CHECK(merged.opened_at == at(9s));
  CHECK(c.find(generic.id) == nullptr);
  REQUIRE(count_changes(changes, IncidentChange::Type::merged) == 1);
  for (const auto& change : changes)
    if (change.type == IncidentChange::Type::merged) {
      CHECK(change.incident_id == generic.id);
      CHECK(change.merged_into == merged.id);
    }
  // Detection happened when the generic incident opened, before the cause arrived.
  CHECK(merged.detected_at == generic.detected_at);
}

TEST_CASE("a late cause takes only the exits its window covers") {
  FakeWall wall;
  Correlator c = make(wall);
  // One exit 20 minutes before the cause, two just after it.
  feed(c, {exit_event(at(0s)).service("api"), exit_event(at(20min + 2s)).service("api"),
           exit_event(at(20min + 9s)).service("api"), cause("go_panic", at(20min)).service("api")});
  auto incidents = c.incidents();
  REQUIRE(incidents.size() == 2);
  CHECK(incidents[0]->root_cause.rule == "generic_exit");
  CHECK(incidents[0]->exits == 1);
  CHECK(incidents[0]->opened_at == at(0s));
  CHECK(incidents[1]->root_cause.rule == "go_panic");
  CHECK(incidents[1]->exits == 2);
  CHECK(incidents[1]->fingerprint == "v1|//api|go_panic|");
}

TEST_CASE("two services interleaved give two incidents, each with its own exits") {
  FakeWall wall;
  Correlator c = make(wall);
  std::vector<Event> events;
  for (int i = 0; i < 4; ++i) {
    const auto start = at(i * 6s);
    events.push_back(cause("python_module_not_found", start).service("billing-api").capture("module", "billing.payments.stripe_helpers"));
    events.push_back(exit_event(start + 1s).service("billing-api"));
    events.push_back(cause("python_module_not_found", start + 3s).service("notifier").capture("module", "google.cloud.pubsub_v1"));
    events.push_back(exit_event(start + 4s).service("notifier"));
  }
  for (auto order : {events, reversed(events), shuffled(events, 7)}) {
    Correlator c2 = make(wall);
    feed(c2, order);
    auto incidents = c2.incidents();
    REQUIRE(incidents.size() == 2);
    for (const Incident* inc : incidents) {
      CAPTURE(inc->service);
      CHECK(inc->exits == 4);
      CHECK(inc->crash_loop);
      CHECK(inc->occurrences == 4);
    }
    CHECK(incidents[0]->service == "billing-api");
    CHECK(incidents[1]->service == "notifier");
  }
}

TEST_CASE("on Kubernetes the namespace and cluster are part of the fingerprint") {
  FakeWall wall;
  Correlator c = make(wall);
  feed(c, {cause("python_module_not_found", at(0s)).service("web").k8s("prod-eu", "shop").capture("module", "x"),
           exit_event(at(2s)).service("web").k8s("prod-eu", "shop"),
           cause("python_module_not_found", at(1s)).service("web").k8s("prod-eu", "blog").capture("module", "x")});
  auto incidents = c.incidents();
  REQUIRE(incidents.size() == 2);
  CHECK(incidents[0]->fingerprint == "v1|prod-eu/shop/web|python_module_not_found|module=x");
  CHECK(incidents[0]->exits == 1);  // the fatal error and the exit 2 s later: one failed run
  CHECK(incidents[1]->fingerprint == "v1|prod-eu/blog/web|python_module_not_found|module=x");
  CHECK(incidents[1]->exits == 1);  // a container's fatal error on Kubernetes is its run's end
  CHECK(incidents[0]->id != incidents[1]->id);
}

TEST_CASE("a loop event makes a crash loop on its own") {
  FakeWall wall;
  Correlator c = make(wall);
  std::vector<IncidentChange> changes;
  c.add(cause("node_module_not_found", at(0s)).service("web").k8s("c", "ns").capture("module", "express"), &changes);
  CHECK_FALSE(c.incidents()[0]->crash_loop);
  CHECK(c.incidents()[0]->severity == Severity::warning);
  c.add(exit_event(at(1s), "1").service("web").k8s("c", "ns"), &changes);
  c.add(loop_event(at(30s)).service("web").k8s("c", "ns"), &changes);
  const Incident& inc = *c.incidents()[0];
  CHECK(inc.crash_loop);
  CHECK(inc.severity == Severity::critical);
  CHECK(inc.exits == 1);
  CHECK(inc.chain.back().kind == RuleKind::loop);
  CHECK(count_changes(changes, IncidentChange::Type::escalated) == 1);
}

TEST_CASE("a 503 alone opens nothing, but waits for a cause that explains it") {
  FakeWall wall;
  Correlator c = make(wall);
  c.add(effect("cloud_run_request_failed", at(5s)).service("api"));
  c.add(effect("cloud_run_request_failed", at(3s)).service("api"));
  CHECK(c.incidents().empty());
  CHECK(c.stats().pending_events == 2);

  // A cause 2 s before the first 503 claims both; one far later would not.
  c.add(cause("python_module_not_found", at(1s)).service("api").capture("module", "m"));
  REQUIRE(c.incidents().size() == 1);
  CHECK(link(*c.incidents()[0], "cloud_run_request_failed")->count == 2);
  CHECK(c.stats().pending_events == 0);
}

TEST_CASE("an effect joins the incident whose module it names, else the nearest cause") {
  FakeWall wall;
  Correlator c = make(wall);
  c.add(cause("python_module_not_found", at(0s)).service("api").capture("module", "a"));
  c.add(cause("python_module_not_found", at(10s)).service("api").capture("module", "b"));
  c.add(effect("middleware_setup_failed", at(12s)).service("api").capture("module", "a"));
  c.add(effect("gunicorn_worker_boot_failed", at(12s)).service("api"));
  auto incidents = c.incidents();
  REQUIRE(incidents.size() == 2);
  CHECK(link(*incidents[0], "middleware_setup_failed") != nullptr);
  CHECK(link(*incidents[0], "gunicorn_worker_boot_failed") == nullptr);
  CHECK(link(*incidents[1], "gunicorn_worker_boot_failed") != nullptr);
  CHECK(link(*incidents[1], "middleware_setup_failed") == nullptr);
}

TEST_CASE("an effect logged just before its cause belongs to it, one logged long before does not") {
  FakeWall wall;
  Correlator c = make(wall);
  c.add(effect("middleware_setup_failed", at(0s)).service("api"));
  c.add(effect("middleware_setup_failed", at(57s)).service("api"));
  c.add(cause("python_module_not_found", at(60s)).service("api").capture("module", "m"));
  REQUIRE(c.incidents().size() == 1);
  CHECK(link(*c.incidents()[0], "middleware_setup_failed")->count == 1);
  CHECK(c.incidents()[0]->opened_at == at(57s));
}

TEST_CASE("exit code 0 never opens a generic_exit incident") {
  FakeWall wall;
  Correlator c = make(wall);
  for (int i = 0; i < 5; ++i) c.add(exit_event(at(i * 1s), "0").service("api"));
  CHECK(c.incidents().empty());
}

TEST_CASE("signals count under their names, an OOM kill is a cause and an exit, the kill and its signal one run") {
  FakeWall wall;
  Correlator c = make(wall);
  feed(c, {cause("oom_killed", at(0s)).service("img").terminates().capture("limit_mib", "512").capture("used_mib", "523"),
           Ev("container_terminated_signal", RuleKind::exit, at(1s)).service("img").capture("signal", "9")});
  REQUIRE(c.incidents().size() == 1);
  const Incident& inc = *c.incidents()[0];
  CHECK(inc.fingerprint == "v1|//img|oom_killed|");
  CHECK(inc.exits == 1);
  CHECK(inc.occurrences == 1);
  CHECK(inc.exit_codes == std::vector<std::pair<std::string, int>>{{"SIGKILL", 1}});
}

TEST_CASE("a trace assembled later adds its culprit frame without counting") {
  FakeWall wall;
  Correlator c = make(wall);
  Event line = cause("python_module_not_found", at(0s)).service("api").capture("module", "m");
  c.add(line);
  CHECK_FALSE(c.incidents()[0]->root_cause.frame);
  Event with_frame = line;
  with_frame.culprit = Frame{"app/main.py", 7, "<module>"};
  CHECK(c.add_context(with_frame));
  const Incident& inc = *c.incidents()[0];
  REQUIRE(inc.root_cause.frame);
  CHECK(inc.root_cause.frame->file == "app/main.py");
  CHECK(inc.occurrences == 1);
  CHECK_FALSE(c.add_context(with_frame));
}

TEST_CASE("detected_at is the wall clock when first opened") {
  FakeWall wall;
  Correlator c = make(wall);
  wall.now = at(42s);
  c.add(cause("go_panic", at(40s)).service("api"));
  wall.now = at(99s);
  c.add(cause("go_panic", at(41s)).service("api"));
  const Incident& inc = *c.incidents()[0];
  REQUIRE(inc.detected_at);
  CHECK(*inc.detected_at == at(42s));
  CHECK(to_json(inc)["detection_delay_seconds"].get<double>() == doctest::Approx(2.0));
}

TEST_CASE("pending effects are bounded per scope and counted when dropped") {
  FakeWall wall;
  CorrelatorConfig config;
  config.max_pending_per_scope = 4;
  config.max_pending_total = 6;
  Correlator c = make(wall, config);
  for (int i = 0; i < 10; ++i) c.add(effect("cloud_run_request_failed", at(i * 1s)).service("a"));
  CHECK(c.stats().pending_events == 4);
  for (int i = 0; i < 10; ++i) c.add(effect("cloud_run_request_failed", at(i * 1s)).service("b"));
  CHECK(c.stats().pending_events == 6);
  CHECK(c.stats().pending_dropped == 14);
  // The six newest by event time survive (a and b at 7, 8, 9 s): a cause at 9 s
  // claims b's three.
  c.add(cause("go_panic", at(9s)).service("b"));
  CHECK(link(*c.incidents()[0], "cloud_run_request_failed")->count == 3);
  CHECK(c.incidents()[0]->opened_at == at(7s));
}
