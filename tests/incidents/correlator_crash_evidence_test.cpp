// Crash evidence: one exit per failed run whichever lines show it, loops and
// fallback causes that open an incident when no cause explains them, and how a
// real cause arriving later takes their events.
#include <doctest/doctest.h>

#include <algorithm>

#include "incidents/correlator.h"
#include "tests/support/event_builder.h"

using namespace faultline;
using namespace faultline::incident_tests;

namespace {

Correlator make(FakeWall& wall) { return Correlator(CorrelatorConfig{}, wall.clock()); }

Ev gunicorn_shutdown(Timestamp t) {
  return Ev("gunicorn_master_shutdown", RuleKind::exit, t).service("api").instance("i1");
}

}  // namespace

TEST_CASE("crash evidence: the pieces one run leaves count as one exit, each new run as another") {
  FakeWall wall;
  Correlator c = make(wall);
  for (int run = 0; run < 3; ++run) {
    const auto start = at(run * 7s);
    c.add(cause("python_module_not_found", start).service("api").instance("i1").capture("module", "m"));
    c.add(gunicorn_shutdown(start + 200ms));
    c.add(exit_event(start + 900ms).service("api").instance("i1"));
  }
  REQUIRE(c.incidents().size() == 1);
  const Incident& inc = *c.incidents()[0];
  CHECK(inc.exits == 3);
  CHECK(inc.crash_loop);
  CHECK(inc.exit_codes == std::vector<std::pair<std::string, int>>{{"3", 3}});
}

TEST_CASE("crash evidence: the same lines on two instances are two runs") {
  FakeWall wall;
  Correlator c = make(wall);
  c.add(cause("python_module_not_found", at(0s)).service("api").instance("i1").capture("module", "m"));
  c.add(exit_event(at(1s)).service("api").instance("i1"));
  c.add(exit_event(at(1s)).service("api").instance("i2"));
  REQUIRE(c.incidents().size() == 1);
  CHECK(c.incidents()[0]->exits == 2);
}

TEST_CASE("crash evidence: lines without times tell runs apart by the failures between them") {
  FakeWall wall;
  Correlator c = make(wall);
  // Plain text carries the arrival time on every line: a new traceback between
  // two exit lines is a new run; two exit lines in a row are one.
  for (int run = 0; run < 2; ++run) {
    c.add(cause("python_module_not_found", at(0s)).service("api").capture("module", "m"));
    c.add(gunicorn_shutdown(at(0s)).instance(""));
    c.add(exit_event(at(0s)).service("api"));
  }
  REQUIRE(c.incidents().size() == 1);
  CHECK(c.incidents()[0]->exits == 2);
}

TEST_CASE("crash evidence: a loop alone opens the unknown-cause incident, in a crash loop") {
  FakeWall wall;
  Correlator c = make(wall);
  c.add(loop_event(at(0s)).service("api"));
  REQUIRE(c.incidents().size() == 1);
  const Incident& inc = *c.incidents()[0];
  CHECK(inc.root_cause.rule == "generic_exit");
  CHECK(inc.crash_loop);
  CHECK(inc.exits == 0);
}

TEST_CASE("crash evidence: a fallback cause alone opens its own incident, and takes the exits before it") {
  FakeWall wall;
  Correlator c = make(wall);
  // supervisord: the program exits four times, then supervisord gives up.
  for (int i = 0; i < 4; ++i)
    c.add(Ev("supervisor_exited", RuleKind::exit, at(i * 2s)).service("web").capture("code", "1"));
  REQUIRE(c.incidents().size() == 1);
  CHECK(c.incidents()[0]->root_cause.rule == "generic_exit");
  std::vector<IncidentChange> changes;
  c.add(cause("supervisor_fatal", at(9s)).service("web").fallback().capture("program", "nginx")
            .summary("supervisord gave up on nginx", "see its last lines"),
        &changes);
  REQUIRE(c.incidents().size() == 1);
  const Incident& inc = *c.incidents()[0];
  CHECK(inc.root_cause.rule == "supervisor_fatal");
  CHECK(inc.root_cause.captures == std::vector<std::pair<std::string, std::string>>{{"program", "nginx"}});
  CHECK(inc.summary == "supervisord gave up on nginx");
  CHECK(inc.exits == 4);
  CHECK(inc.crash_loop);
}

TEST_CASE("crash evidence: beside a real cause a fallback is an effect, and a late cause absorbs it") {
  FakeWall wall;
  SUBCASE("the cause first") {
    Correlator c = make(wall);
    c.add(cause("tls_certificate_missing", at(0s)).service("web").capture("path", "/etc/ssl/x.pem"));
    c.add(cause("supervisor_fatal", at(5s)).service("web").fallback().capture("program", "nginx"));
    REQUIRE(c.incidents().size() == 1);
    CHECK(c.incidents()[0]->root_cause.rule == "tls_certificate_missing");
    CHECK(c.incidents()[0]->occurrences == 1);
  }
  SUBCASE("the fallback first: the cause absorbs its incident") {
    Correlator c = make(wall);
    std::vector<IncidentChange> changes;
    c.add(cause("supervisor_fatal", at(5s)).service("web").fallback().capture("program", "nginx"));
    REQUIRE(c.incidents().size() == 1);
    const std::string fallback_id = c.incidents()[0]->id;
    c.add(cause("tls_certificate_missing", at(4s)).service("web").capture("path", "/etc/ssl/x.pem"), &changes);
    REQUIRE(c.incidents().size() == 1);
    CHECK(c.incidents()[0]->root_cause.rule == "tls_certificate_missing");
    const bool merged = std::any_of(changes.begin(), changes.end(), [&](const IncidentChange& ch) {
      return ch.type == IncidentChange::Type::merged && ch.incident_id == fallback_id;
    });
    CHECK(merged);
  }
}

TEST_CASE("crash evidence: on Kubernetes each run's fatal error is its exit, whatever it prints") {
  FakeWall wall;
  Correlator c = make(wall);
  // Three runs of one pod 10 s, 20 s and 40 s apart (the kubelet's back-off);
  // each prints the cause twice (the traceback line and a wrapper repeating it).
  for (auto start : {10s, 30s, 70s}) {
    for (auto offset : {0ms, 3ms})
      c.add(cause("python_module_not_found", at(start + offset)).service("web").k8s("prod", "shop")
                .instance("web-7d4b9c8f6d-x2x9z").capture("module", "m"));
  }
  REQUIRE(c.incidents().size() == 1);
  CHECK(c.incidents()[0]->exits == 3);
  CHECK(c.incidents()[0]->occurrences == 6);
}
