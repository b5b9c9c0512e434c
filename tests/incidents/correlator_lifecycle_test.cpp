// Lifecycle: automatic resolution by a newer revision, reopen, the API, bounds.
#include <doctest/doctest.h>

#include "tests/support/event_builder.h"
#include "incidents/correlator.h"

using namespace faultline;
using namespace faultline::incident_tests;

namespace {

const std::string kOld = "pdf-renderer-00012-pov";
const std::string kNew = "pdf-renderer-00013-hiv";

Ev on(Ev ev, const std::string& revision, const std::string& instance = "") {
  return std::move(ev.service("pdf-renderer").revision(revision).instance(instance));
}

// Scenario 06: revision 00012 crash-loops on a missing module (3 restarts 7 s
// apart); 9 minutes later revision 00013 passes its startup probe and serves
// 2xx for 11 minutes.
std::vector<Event> recovery_scenario() {
  std::vector<Event> events;
  for (int i = 0; i < 3; ++i) {
    const std::string instance = "old-" + std::to_string(i);
    const Timestamp start = at(i * 7s);
    events.push_back(on(cause("python_module_not_found", start).capture("module", "reportlab").severity(Severity::critical), kOld, instance));
    events.push_back(on(effect("gunicorn_worker_boot_failed", start + 200ms), kOld, instance));
    events.push_back(on(exit_event(start + 500ms), kOld, instance));
  }
  events.push_back(on(recovery("cloud_run_startup_probe_succeeded", at(9min + 22s)), kNew, "new-0"));
  for (int i = 0; i < 30; ++i)
    events.push_back(on(recovery("cloud_run_request_ok", at(9min + 40s + i * 22s)), kNew, "new-0"));
  return events;
}

}  // namespace

TEST_CASE("a newer revision that starts and stays healthy resolves the incident at its recovery") {
  FakeWall wall;
  Correlator c({}, wall.clock());
  auto changes = feed(c, recovery_scenario());
  REQUIRE(c.incidents().size() == 1);
  const Incident& inc = *c.incidents()[0];
  CHECK(inc.state == IncidentState::resolved);
  CHECK(inc.crash_loop);
  CHECK(inc.exits == 3);
  REQUIRE(inc.resolved_at);
  CHECK(*inc.resolved_at == at(9min + 22s));
  CHECK(inc.resolved_by == "auto");
  CHECK(inc.resolved_by_revision == kNew);
  CHECK(inc.revisions == std::vector<std::string>{kOld});
  CHECK(inc.history.back().action == "resolved");
  CHECK(count_changes(changes, IncidentChange::Type::resolved) == 1);

  SUBCASE("in any arrival order") {
    const auto expected = comparable(inc);
    Correlator r({}, wall.clock());
    feed(r, reversed(recovery_scenario()));
    REQUIRE(r.incidents().size() == 1);
    CHECK(comparable(*r.incidents()[0]) == expected);
    for (unsigned seed = 1; seed <= 10; ++seed) {
      CAPTURE(seed);
      Correlator s({}, wall.clock());
      feed(s, shuffled(recovery_scenario(), seed));
      REQUIRE(s.incidents().size() == 1);
      CHECK(comparable(*s.incidents()[0]) == expected);
    }
  }
}

TEST_CASE("resolution waits for the quiet period of event time") {
  FakeWall wall;
  Correlator c({}, wall.clock());
  feed(c, {on(cause("python_module_not_found", at(0s)).capture("module", "reportlab"), kOld),
           on(recovery("cloud_run_startup_probe_succeeded", at(60s)), kNew)});
  CHECK(c.incidents()[0]->state == IncidentState::open);
  std::vector<IncidentChange> changes;
  c.advance(at(60s + 4min + 59s), &changes);
  CHECK(c.incidents()[0]->state == IncidentState::open);
  c.advance(at(60s + 5min), &changes);
  CHECK(c.incidents()[0]->state == IncidentState::resolved);
  CHECK(*c.incidents()[0]->resolved_at == at(60s));
  CHECK(count_changes(changes, IncidentChange::Type::resolved) == 1);
}

TEST_CASE("a failure inside the quiet period cancels the pending resolution") {
  FakeWall wall;
  Correlator c({}, wall.clock());
  feed(c, {on(cause("python_module_not_found", at(0s)).capture("module", "reportlab"), kOld),
           on(recovery("cloud_run_startup_probe_succeeded", at(60s)), kNew),
           // The new revision fails the same way two minutes later: not fixed.
           on(cause("python_module_not_found", at(3min)).capture("module", "reportlab"), kNew)});
  c.advance(at(30min));
  const Incident& inc = *c.incidents()[0];
  CHECK(inc.state == IncidentState::open);
  // 00013 failed too, so only a revision newer than 00013 can resolve it now.
  c.add(on(recovery("cloud_run_request_ok", at(31min)), kNew));
  c.advance(at(40min));
  CHECK(inc.state == IncidentState::open);
  c.add(on(recovery("cloud_run_startup_probe_succeeded", at(41min)), "pdf-renderer-00014-abc"));
  c.advance(at(46min));
  CHECK(inc.state == IncidentState::resolved);
  CHECK(inc.resolved_by_revision == "pdf-renderer-00014-abc");
}

TEST_CASE("a failure at exactly the end of the quiet period still cancels it") {
  FakeWall wall;
  Correlator c({}, wall.clock());
  feed(c, {on(cause("go_panic", at(0s)), kOld), on(recovery("cloud_run_request_ok", at(60s)), kNew),
           on(exit_event(at(60s + 5min)), kNew)});
  CHECK(c.incidents()[0]->state == IncidentState::open);
}

TEST_CASE("an older revision failing during the quiet period neither cancels nor reopens, in any order") {
  const std::vector<Event> events = {
      on(cause("go_panic", at(0s)), kOld), on(recovery("cloud_run_request_ok", at(60s)), kNew),
      // An old instance, still running while traffic moves to 00013, panics again.
      on(cause("go_panic", at(3min)), kOld), on(exit_event(at(3min + 1s)), kOld)};
  for (const auto& order : {events, reversed(events), shuffled(events, 1), shuffled(events, 2)}) {
    FakeWall wall;
    Correlator c({}, wall.clock());
    feed(c, order);
    c.advance(at(30min));
    const Incident& inc = *c.incidents()[0];
    CHECK(inc.state == IncidentState::resolved);
    CHECK(inc.resolved_at == at(60s));
    CHECK(inc.reopened == 0);
    auto recurred = std::find_if(inc.history.begin(), inc.history.end(),
                                 [](const HistoryEntry& h) { return h.action == "recurred_on_old_revision"; });
    REQUIRE(recurred != inc.history.end());
    CHECK(recurred->at == at(3min));
  }
}

TEST_CASE("the same revision passing its probe between OOM kills does not resolve (scenario 09)") {
  FakeWall wall;
  Correlator c({}, wall.clock());
  const std::string rev = "thumbnailer-00077-faj";
  std::vector<Event> events;
  for (int i = 0; i < 3; ++i) {
    const Timestamp kill = at(i * (13min + 50s) + 3min);
    const std::string instance = "inst-" + std::to_string(i);
    events.push_back(recovery("cloud_run_startup_probe_succeeded", kill - 3min).service("thumbnailer").revision(rev).instance(instance));
    for (int r = 0; r < 6; ++r)
      events.push_back(recovery("cloud_run_request_ok", kill - 2min + r * 20s).service("thumbnailer").revision(rev).instance(instance));
    events.push_back(cause("oom_killed", kill).terminates().severity(Severity::critical).service("thumbnailer")
                         .revision(rev).instance(instance).capture("limit_mib", "512").capture("used_mib", "523"));
    events.push_back(effect("cloud_run_request_failed", kill + 40ms).service("thumbnailer").revision(rev));
  }
  feed(c, events);
  c.advance(at(2h));
  REQUIRE(c.incidents().size() == 1);
  const Incident& inc = *c.incidents()[0];
  CHECK(inc.root_cause.rule == "oom_killed");
  CHECK(inc.exits == 3);
  CHECK_FALSE(inc.crash_loop);
  CHECK(inc.state == IncidentState::open);
  CHECK(inc.instances.size() == 3);
  CHECK(inc.severity == Severity::critical);
}

TEST_CASE("three exits more than a window apart are not a crash loop, within it they are") {
  FakeWall wall;
  Correlator c({}, wall.clock());
  feed(c, {cause("go_panic", at(0s)).service("a"), exit_event(at(1s)).service("a"),
           cause("go_panic", at(11min)).service("a"), exit_event(at(11min + 1s)).service("a"),
           cause("go_panic", at(22min)).service("a"), exit_event(at(22min + 1s)).service("a")});
  CHECK_FALSE(c.incidents()[0]->crash_loop);
  c.add(exit_event(at(22min + 30s)).service("a"));  // 11:01, 22:01, 22:30 span more than 10 min
  CHECK_FALSE(c.incidents()[0]->crash_loop);
  c.add(exit_event(at(22min + 50s)).service("a"));  // 22:01, 22:30, 22:50
  CHECK(c.incidents()[0]->crash_loop);
  CHECK(c.incidents()[0]->severity == Severity::critical);
}

TEST_CASE("the same cause after resolution reopens the incident, old news does not") {
  FakeWall wall;
  Correlator c({}, wall.clock());
  feed(c, {on(cause("python_module_not_found", at(0s)).capture("module", "reportlab"), kOld),
           on(recovery("cloud_run_startup_probe_succeeded", at(60s)), kNew)});
  c.advance(at(10min));
  const std::string id = c.incidents()[0]->id;
  REQUIRE(c.find(id)->state == IncidentState::resolved);

  std::vector<IncidentChange> changes;
  // A line from before the recovery, delivered late: counted, nothing else.
  c.add(on(cause("python_module_not_found", at(30s)).capture("module", "reportlab"), kOld), &changes);
  CHECK(c.find(id)->state == IncidentState::resolved);
  CHECK(c.find(id)->occurrences == 2);
  CHECK(count_changes(changes, IncidentChange::Type::reopened) == 0);

  // A regression on a later revision.
  c.add(on(cause("python_module_not_found", at(20min)).capture("module", "reportlab"), "pdf-renderer-00014-xyz"), &changes);
  const Incident& inc = *c.find(id);
  CHECK(c.incidents().size() == 1);
  CHECK(inc.state == IncidentState::open);
  CHECK(inc.reopened == 1);
  CHECK_FALSE(inc.resolved_at);
  CHECK_FALSE(inc.resolved_by);
  CHECK(inc.history.back().action == "reopened");
  CHECK(count_changes(changes, IncidentChange::Type::reopened) == 1);
}

TEST_CASE("a recurrence on a revision older than the one that recovered is not a regression") {
  FakeWall wall;
  Correlator c({}, wall.clock());
  feed(c, {on(cause("python_module_not_found", at(0s)).capture("module", "reportlab"), kOld),
           on(recovery("cloud_run_startup_probe_succeeded", at(60s)), kNew)});
  c.advance(at(10min));
  std::vector<IncidentChange> changes;
  // An old instance still taking traffic fails again, and exits.
  c.add(on(cause("python_module_not_found", at(11min)).capture("module", "reportlab"), kOld), &changes);
  c.add(on(exit_event(at(11min + 1s)), kOld), &changes);
  c.add(on(cause("python_module_not_found", at(12min)).capture("module", "reportlab"), kOld), &changes);
  REQUIRE(c.incidents().size() == 1);
  const Incident& inc = *c.incidents()[0];
  CHECK(inc.state == IncidentState::resolved);
  CHECK(inc.reopened == 0);
  CHECK(inc.exits == 1);
  CHECK(std::count_if(inc.history.begin(), inc.history.end(),
                      [](const HistoryEntry& h) { return h.action == "recurred_on_old_revision"; }) == 1);
  CHECK(count_changes(changes, IncidentChange::Type::reopened) == 0);
  CHECK(count_changes(changes, IncidentChange::Type::opened) == 0);
}

TEST_CASE("without revisions (Kubernetes without pod-template-hash) any recovery counts") {
  FakeWall wall;
  Correlator c({}, wall.clock());
  feed(c, {cause("python_module_not_found", at(0s)).service("web").k8s("c", "n").capture("module", "m"),
           recovery("uvicorn_startup_complete", at(2min)).service("web").k8s("c", "n")});
  c.advance(at(7min));
  CHECK(c.incidents()[0]->state == IncidentState::resolved);
  CHECK_FALSE(c.incidents()[0]->resolved_by_revision);
}

TEST_CASE("an acknowledge or resolve whose commit failed is taken back, and nothing else") {
  FakeWall wall;
  Correlator c({}, wall.clock());
  c.add(cause("go_panic", at(0s)).service("api"));
  const std::string id = c.incidents()[0]->id;
  const LifecycleAction ack{LifecycleKind::acknowledge, id, "ana", "looking", at(2min)};
  const LifecycleAction resolve{LifecycleKind::resolve, id, "", "rolled back", at(3min)};

  CHECK_FALSE(c.undo(ack));  // not applied: nothing to take back
  REQUIRE(c.acknowledge(id, ack.by, ack.note, ack.at) == LifecycleResult::ok);
  std::vector<IncidentChange> changes;
  CHECK(c.undo(ack, &changes));
  CHECK(c.find(id)->state == IncidentState::open);
  CHECK_FALSE(c.find(id)->acknowledged_at);
  CHECK(c.find(id)->history.size() == 1);  // "opened" only
  CHECK(count_changes(changes, IncidentChange::Type::updated) == 1);
  CHECK(c.acknowledge(id, ack.by, ack.note, ack.at) == LifecycleResult::ok);  // the retry is no conflict

  REQUIRE(c.resolve(id, resolve.by, resolve.note, resolve.at) == LifecycleResult::ok);
  CHECK_FALSE(c.undo(ack));  // the incident no longer shows the ack as its last word
  CHECK(c.undo(resolve));
  const Incident& back = *c.find(id);
  CHECK(back.state == IncidentState::acknowledged);
  CHECK(back.acknowledged_at == at(2min));
  CHECK_FALSE(back.resolved_at);
  CHECK_FALSE(back.resolved_by);
  CHECK(back.history.size() == 2);
  CHECK(c.resolve(id, resolve.by, resolve.note, resolve.at) == LifecycleResult::ok);
}

TEST_CASE("a resolve taken back leaves the automatic resolution it cancelled pending again") {
  FakeWall wall;
  Correlator c({}, wall.clock());
  feed(c, {on(cause("python_module_not_found", at(0s)).capture("module", "reportlab"), kOld),
           on(recovery("cloud_run_startup_probe_succeeded", at(60s)), kNew)});
  const std::string id = c.incidents()[0]->id;
  const LifecycleAction resolve{LifecycleKind::resolve, id, "ana", "", at(2min)};
  REQUIRE(c.resolve(id, resolve.by, resolve.note, resolve.at) == LifecycleResult::ok);
  REQUIRE(c.undo(resolve));
  CHECK(c.find(id)->state == IncidentState::open);
  c.advance(at(60s + 5min));
  CHECK(c.find(id)->state == IncidentState::resolved);
  CHECK(c.find(id)->resolved_by == "auto");
  CHECK(*c.find(id)->resolved_at == at(60s));
}

TEST_CASE("acknowledge and resolve through the API") {
  FakeWall wall;
  Correlator c({}, wall.clock());
  c.add(cause("go_panic", at(0s)).service("api"));
  const std::string id = c.incidents()[0]->id;
  std::vector<IncidentChange> changes;

  CHECK(c.acknowledge("nope", "ana", "", at(1min)) == LifecycleResult::not_found);
  CHECK(c.resolve("nope", "ana", "", at(1min)) == LifecycleResult::not_found);

  CHECK(c.acknowledge(id, "ana", "looking", at(2min), &changes) == LifecycleResult::ok);
  CHECK(c.find(id)->state == IncidentState::acknowledged);
  CHECK(c.find(id)->acknowledged_at == at(2min));
  CHECK(c.acknowledge(id, "bob", "", at(3min)) == LifecycleResult::conflict);
  CHECK(c.find(id)->acknowledged_at == at(2min));

  CHECK(c.resolve(id, "ana", "rolled back", at(4min), &changes) == LifecycleResult::ok);
  const Incident& inc = *c.find(id);
  CHECK(inc.state == IncidentState::resolved);
  CHECK(inc.resolved_at == at(4min));
  CHECK(inc.resolved_by == "ana");
  CHECK_FALSE(inc.resolved_by_revision);
  CHECK(c.resolve(id, "ana", "", at(5min)) == LifecycleResult::conflict);
  CHECK(c.acknowledge(id, "ana", "", at(5min)) == LifecycleResult::conflict);

  REQUIRE(inc.history.size() == 3);
  CHECK(inc.history[1].action == "acknowledged");
  CHECK(inc.history[1].by == "ana");
  CHECK(inc.history[1].note == "looking");
  CHECK(inc.history[2].action == "resolved");
  CHECK(inc.history[2].note == "rolled back");
  CHECK(count_changes(changes, IncidentChange::Type::acknowledged) == 1);
  CHECK(count_changes(changes, IncidentChange::Type::resolved) == 1);

  // Resolving an open incident directly works too.
  std::vector<IncidentChange> opened;
  c.add(cause("go_panic", at(0s)).service("other"), &opened);
  REQUIRE(opened.size() == 1);
  CHECK(c.resolve(opened[0].incident_id, "", "", at(6min)) == LifecycleResult::ok);
  CHECK(c.find(opened[0].incident_id)->resolved_by == "api");
}

TEST_CASE("an acknowledged generic_exit incident hands its acknowledgement to the cause that absorbs it") {
  FakeWall wall;
  Correlator c({}, wall.clock());
  c.add(exit_event(at(10s)).service("api"));
  const std::string generic = c.incidents()[0]->id;
  REQUIRE(c.acknowledge(generic, "ana", "on it", at(1min)) == LifecycleResult::ok);
  c.add(cause("go_panic", at(9s)).service("api"));
  REQUIRE(c.incidents().size() == 1);
  CHECK(c.incidents()[0]->state == IncidentState::acknowledged);
  CHECK(c.incidents()[0]->acknowledged_at == at(1min));
}

TEST_CASE("beyond max_incidents the oldest resolved incidents are dropped first") {
  FakeWall wall;
  CorrelatorConfig config;
  config.max_incidents = 3;
  Correlator c(config, wall.clock());
  c.add(cause("go_panic", at(0s)).service("a"));
  c.add(cause("go_panic", at(1s)).service("b"));
  c.add(cause("go_panic", at(2s)).service("c"));
  REQUIRE(c.resolve(c.incidents()[1]->id, "ana", "", at(3s)) == LifecycleResult::ok);
  c.add(cause("go_panic", at(4s)).service("d"));
  std::vector<std::string> services;
  for (const Incident* inc : c.incidents()) services.push_back(inc->service);
  CHECK(services == std::vector<std::string>{"a", "c", "d"});
  CHECK(c.stats().incidents_dropped == 1);
  c.add(cause("go_panic", at(5s)).service("e"));
  services.clear();
  for (const Incident* inc : c.incidents()) services.push_back(inc->service);
  CHECK(services == std::vector<std::string>{"c", "d", "e"});
}

TEST_CASE("a restored incident keeps correlating after a restart") {
  FakeWall wall;
  Correlator before({}, wall.clock());
  feed(before, {cause("python_module_not_found", at(0s)).service("api").capture("module", "m"),
                exit_event(at(1s)).service("api")});
  Incident saved = *before.incidents()[0];

  Correlator after({}, wall.clock());
  after.restore(saved);
  std::vector<IncidentChange> changes;
  after.add(exit_event(at(8s)).service("api"), &changes);
  after.add(cause("python_module_not_found", at(14s)).service("api").capture("module", "m"), &changes);
  after.add(exit_event(at(15s)).service("api"), &changes);
  REQUIRE(after.incidents().size() == 1);
  const Incident& inc = *after.incidents()[0];
  CHECK(inc.id == saved.id);
  CHECK(inc.exits == 3);
  CHECK(inc.occurrences == 2);
  CHECK(count_changes(changes, IncidentChange::Type::opened) == 0);
  CHECK(after.acknowledge(saved.id, "ana", "", at(1min)) == LifecycleResult::ok);
}

TEST_CASE("an earlier recovery delivered after the resolution moves resolved_at back to it") {
  FakeWall wall;
  Correlator c({}, wall.clock());
  std::vector<IncidentChange> changes;
  c.add(on(cause("python_module_not_found", at(0s)).capture("module", "reportlab"), kOld), &changes);
  c.add(on(recovery("cloud_run_request_ok", at(12min)), kNew), &changes);
  c.advance(at(20min), &changes);
  REQUIRE(c.incidents()[0]->resolved_at == at(12min));
  c.add(on(recovery("cloud_run_startup_probe_succeeded", at(9min)), kNew), &changes);
  const Incident& inc = *c.incidents()[0];
  CHECK(inc.resolved_at == at(9min));
  CHECK(inc.last_seen == at(9min));
  CHECK(inc.history.back().action == "resolved");
  CHECK(inc.history.back().at == at(9min));
  CHECK(count_changes(changes, IncidentChange::Type::resolved) == 1);
  // A recovery from the failing revision itself never moves it.
  c.add(on(recovery("cloud_run_request_ok", at(1min)), kOld), &changes);
  CHECK(inc.resolved_at == at(9min));
}
