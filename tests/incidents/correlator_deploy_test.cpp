// Deploy-revision correlation: the previous revision, its health, bad deploys
// and their rollback command, the same whatever order the events arrive in.
#include <doctest/doctest.h>

#include "tests/support/event_builder.h"
#include "incidents/correlator.h"
#include "incidents/revision_log.h"

using namespace faultline;
using namespace faultline::incident_tests;

namespace {

const std::string kPrev = "orders-api-00203-lux";
const std::string kNew = "orders-api-00204-xyz";

Ev on(Ev ev, const std::string& revision) { return std::move(ev.service("orders-api").revision(revision)); }

Ev missing(const std::string& module, Timestamp t) {
  return std::move(cause("python_module_not_found", t)
                       .capture("module", module)
                       .sample("ModuleNotFoundError: No module named '" + module + "'")
                       .summary("m", "Copy it."));
}

// 00203 starts healthy and serves; 3 min later 00204 crash-loops.
std::vector<Event> bad_deploy_events() {
  std::vector<Event> events = {on(recovery("uvicorn_startup_complete", at(0s)), kPrev)};
  for (int i = 0; i < 10; ++i) events.push_back(on(recovery("cloud_run_request_ok", at(20s + i * 30s)), kPrev));
  events.push_back(on(effect("gunicorn_worker_boot_failed", at(3min)), kNew));
  for (int i = 0; i < 3; ++i) {
    events.push_back(on(missing("orders.pricing", at(3min + 1s + i * 7s)), kNew));
    events.push_back(on(exit_event(at(3min + 2s + i * 7s)), kNew));
  }
  return events;
}

std::vector<nlohmann::json> replay(const std::vector<Event>& events) {
  FakeWall wall;
  Correlator c({}, wall.clock());
  for (const Event& e : events) c.add(e);
  std::vector<nlohmann::json> out;
  for (const Incident* i : c.incidents()) out.push_back(to_json(*i));
  return out;
}

}  // namespace

TEST_CASE("a crash loop on a new revision after a healthy one is a bad deploy, in any order") {
  auto in_order = replay(bad_deploy_events());
  REQUIRE(in_order.size() == 1);
  const nlohmann::json& deploy = in_order[0]["deploy"];
  CHECK(deploy["revision"] == kNew);
  CHECK(deploy["previous_revision"] == kPrev);
  CHECK(deploy["previous_healthy"] == true);
  CHECK(deploy["bad_deploy"] == true);
  CHECK(deploy["revision_first_seen"] == format_rfc3339(at(3min)));
  CHECK(deploy["rollback_hint"] == "gcloud run services update-traffic orders-api --to-revisions=" + kPrev + "=100");
  CHECK(deploy["new_line"] == "ModuleNotFoundError: No module named 'orders.pricing'");
  CHECK(in_order[0]["hint"] == "Copy it. First seen on " + kNew + "; " + kPrev +
                                   " was healthy and never printed `ModuleNotFoundError: No module named "
                                   "'orders.pricing'`: roll back with "
                                   "`gcloud run services update-traffic orders-api --to-revisions=" + kPrev + "=100`.");
  CHECK(replay(reversed(bad_deploy_events())) == in_order);
  for (unsigned seed : {1u, 2u, 3u, 4u}) {
    CAPTURE(seed);
    CHECK(replay(shuffled(bad_deploy_events(), seed)) == in_order);
  }
}

TEST_CASE("a previous revision failing just before the deploy was not healthy") {
  auto events = bad_deploy_events();
  // Another failure of 00203 two minutes before 00204 appeared: its own incident.
  events.push_back(on(missing("orders.legacy", at(1min)), kPrev));
  auto incidents = replay(events);
  REQUIRE(incidents.size() == 2);
  const nlohmann::json& fresh = incidents[1]["deploy"];
  CHECK(fresh["revision"] == kNew);
  CHECK(fresh["previous_revision"] == kPrev);
  CHECK(fresh["previous_healthy"] == false);
  CHECK(fresh["bad_deploy"] == false);
  CHECK(fresh["rollback_hint"] == nullptr);
  CHECK(incidents[1]["hint"].get<std::string>().find("was failing too") != std::string::npos);
  CHECK(incidents[0]["deploy"]["previous_revision"] == nullptr);
  // Which incident an exit joins can depend on arrival order here; the deploy verdict cannot.
  CHECK(replay(shuffled(events, 7))[1]["deploy"] == fresh);

  // A failure more than `window` before the deploy is history, not ill health.
  events.back() = on(missing("orders.legacy", at(-20min)), kPrev);
  CHECK(replay(events)[1]["deploy"]["previous_healthy"] == true);
}

TEST_CASE("a bad deploy names the first line the previous revision never printed, and only then") {
  // 00203 printed the same rule long before the deploy, for another module
  // (whose name starts with the new one): the fingerprint, not the rule, makes
  // 00204's line new.
  auto events = bad_deploy_events();
  events.push_back(on(missing("orders.pricing_legacy", at(-20min)), kPrev));
  auto incidents = replay(events);
  REQUIRE(incidents.size() == 2);
  CHECK(incidents[1]["deploy"]["bad_deploy"] == true);
  CHECK(incidents[1]["deploy"]["new_line"] == "ModuleNotFoundError: No module named 'orders.pricing'");
  CHECK(replay(shuffled(events, 5))[1]["deploy"] == incidents[1]["deploy"]);

  // Crashes that no cause line explains: the chain's effect lines are compared by rule.
  auto unexplained = [](bool printed_before) {
    std::vector<Event> events = {on(recovery("uvicorn_startup_complete", at(0s)), kPrev)};
    if (printed_before) events.push_back(on(effect("gunicorn_worker_boot_failed", at(-20min)), kPrev));
    for (int i = 0; i < 3; ++i) {
      events.push_back(on(effect("gunicorn_worker_boot_failed", at(3min + i * 7s)), kNew));
      events.push_back(on(exit_event(at(3min + 1s + i * 7s)), kNew));
    }
    return replay(events);
  };
  incidents = unexplained(false);
  REQUIRE(incidents.size() == 1);
  CHECK(incidents[0]["deploy"]["bad_deploy"] == true);
  CHECK(incidents[0]["deploy"]["new_line"] == "gunicorn_worker_boot_failed line");
  CHECK(incidents[0]["hint"].get<std::string>().find("never printed `gunicorn_worker_boot_failed line`") !=
        std::string::npos);
  // The previous revision printed it too: nothing is new, the rollback stays.
  incidents = unexplained(true);
  REQUIRE(incidents.size() == 1);
  CHECK(incidents[0]["deploy"]["bad_deploy"] == true);
  CHECK(incidents[0]["deploy"]["new_line"] == nullptr);
  CHECK(incidents[0]["hint"].get<std::string>().find("never printed") == std::string::npos);
  CHECK(incidents[0]["hint"].get<std::string>().find("roll back with") != std::string::npos);

  // A previous revision that printed more kinds of line than are kept: unknown, so silent.
  events = bad_deploy_events();
  for (size_t i = 0; i <= RevisionLog::kMaxPrinted; ++i)
    events.push_back(on(recovery("probe_" + std::to_string(i), at(10s)), kPrev));
  incidents = replay(events);
  REQUIRE(incidents.size() == 1);
  CHECK(incidents[0]["deploy"]["bad_deploy"] == true);
  CHECK(incidents[0]["deploy"]["new_line"] == nullptr);
}

TEST_CASE("a revision seen only through effects has an unknown health, and no revision means no deploy") {
  // The 503 is too old to join the incident; it only says 00203 existed.
  auto incidents = replay({on(effect("cloud_run_request_failed", at(-20min)), kPrev), on(missing("m", at(5min)), kNew),
                           Event(missing("n", at(6min)).service("shipper"))});
  REQUIRE(incidents.size() == 2);
  CHECK(incidents[0]["deploy"]["previous_revision"] == kPrev);
  CHECK(incidents[0]["deploy"]["previous_healthy"] == nullptr);
  CHECK(incidents[0]["deploy"]["bad_deploy"] == false);
  CHECK(incidents[1]["deploy"] == nullptr);
}

TEST_CASE("Kubernetes pod-template-hashes are ordered by first event, and rolled back with kubectl") {
  auto k8s = [](Ev ev, const std::string& hash) {
    return Event(ev.service("checkout").k8s("prod", "shop").revision(hash));
  };
  std::vector<Event> events = {k8s(recovery("spring_boot_started", at(0s)), "7d9f8c6b5"),
                               k8s(recovery("spring_boot_started", at(-1h)), "5c6d7e8f9"),
                               k8s(missing("m", at(10min)), "86b7d4c9f"),
                               k8s(loop_event(at(11min)), "86b7d4c9f")};
  auto incidents = replay(events);
  REQUIRE(incidents.size() == 1);
  CHECK(incidents[0]["deploy"]["previous_revision"] == "7d9f8c6b5");
  CHECK(incidents[0]["deploy"]["bad_deploy"] == true);
  CHECK(incidents[0]["deploy"]["rollback_hint"] == "kubectl rollout undo deployment/checkout -n shop");
  CHECK(replay(reversed(events)) == incidents);
}

TEST_CASE("an incident failing on the old and the new revision is not a bad deploy") {
  auto events = bad_deploy_events();
  events.push_back(on(missing("orders.pricing", at(3min + 30s)), kPrev));
  auto incidents = replay(events);
  REQUIRE(incidents.size() == 1);
  CHECK(incidents[0]["deploy"]["revision"] == kNew);
  CHECK(incidents[0]["deploy"]["bad_deploy"] == false);
  CHECK(incidents[0]["deploy"]["new_line"] == nullptr);
  CHECK(incidents[0]["hint"].get<std::string>().find("never printed") == std::string::npos);
}

TEST_CASE("recurrences on an older revision are dated at the earliest, whatever the arrival order") {
  const std::string old_rev = "pdf-renderer-00012-pov", fixed = "pdf-renderer-00013-hiv";
  auto pdf = [](Ev ev, const std::string& revision) { return Event(ev.service("pdf-renderer").revision(revision)); };
  for (bool late_first : {false, true}) {
    CAPTURE(late_first);
    FakeWall wall;
    Correlator c({}, wall.clock());
    c.add(pdf(missing("reportlab", at(0s)), old_rev));
    c.add(pdf(recovery("cloud_run_startup_probe_succeeded", at(60s)), fixed));
    c.advance(at(10min));
    std::vector<Timestamp> times = {at(12min), at(11min)};
    if (late_first) std::swap(times[0], times[1]);
    for (Timestamp t : times) c.add(pdf(missing("reportlab", t), old_rev));
    const Incident& inc = *c.incidents()[0];
    CHECK(inc.state == IncidentState::resolved);
    auto it = std::find_if(inc.history.begin(), inc.history.end(),
                           [](const HistoryEntry& h) { return h.action == "recurred_on_old_revision"; });
    REQUIRE(it != inc.history.end());
    CHECK(it->at == at(11min));
    // The revision that recovered failing itself is a regression.
    c.add(pdf(missing("reportlab", at(13min)), fixed));
    CHECK(c.incidents()[0]->state == IncidentState::open);
    CHECK(c.incidents()[0]->reopened == 1);
  }
}
