// The incident JSON shape of the README's API reference, as the API and `scan --json` print it.
#include <doctest/doctest.h>

#include "tests/support/event_builder.h"
#include "incidents/correlator.h"

using namespace faultline;
using namespace faultline::incident_tests;
using nlohmann::json;

TEST_CASE("the seed incident's JSON carries the cascade and its evidence") {
  FakeWall wall;
  wall.now = at(45s);
  Correlator c({}, wall.clock());
  feed(c, seed_events());
  const json j = to_json(*c.incidents().at(0));

  for (const char* key : {"id", "fingerprint", "fingerprint_fields", "state", "severity", "service",
                          "namespace", "cluster", "revisions", "first_revision", "instances",
                          "instance_ids", "root_cause", "chain", "exits", "exit_codes", "crash_loop",
                          "occurrences", "reopened", "opened_at", "last_seen", "acknowledged_at",
                          "resolved_at", "resolved_by", "resolved_by_revision", "detected_at",
                          "detection_delay_seconds", "summary", "hint", "history"})
    CHECK_MESSAGE(j.contains(key), key);

  CHECK(j["state"] == "open");
  CHECK(j["severity"] == "critical");
  CHECK(j["service"] == kSeedService);
  CHECK(j["namespace"].is_null());
  CHECK(j["cluster"].is_null());
  CHECK(j["first_revision"] == kSeedRevision);
  CHECK(j["instances"] == 3);
  CHECK(j["instance_ids"].size() == 3);
  CHECK(j["exits"] == 3);
  CHECK(j["exit_codes"] == json{{"3", 3}});
  CHECK(j["crash_loop"] == true);
  CHECK(j["reopened"] == 0);
  CHECK(j["opened_at"] == "2025-09-16T00:42:35.8143Z");
  CHECK(j["acknowledged_at"].is_null());
  CHECK(j["resolved_at"].is_null());
  CHECK(j["resolved_by"].is_null());
  CHECK(j["detection_delay_seconds"].get<double>() == doctest::Approx(45 - 5.8143));

  const json& root = j["root_cause"];
  CHECK(root["rule"] == "python_module_not_found");
  CHECK(root["module"] == kSeedModule);
  CHECK(root["captures"]["module"] == kSeedModule);
  CHECK(root["frame"]["file"] == "/app/netra_backend/app/middleware/gcp_auth_context_middleware.py");
  CHECK(root["frame"]["line"] == 23);
  CHECK(root["frame"]["function"] == "<module>");

  CHECK(j["fingerprint_fields"] == json{{"version", "v1"},
                                        {"service", kSeedService},
                                        {"rule", "python_module_not_found"},
                                        {"module", kSeedModule}});

  const json& first = j["chain"][0];
  CHECK(first["rule"] == "python_module_not_found");
  CHECK(first["kind"] == "cause");
  CHECK(first["count"] == 6);
  CHECK(first["first_seen"] == "2025-09-16T00:42:35.8145Z");
  CHECK(first["sample"].get<std::string>().find("ModuleNotFoundError") != std::string::npos);
  CHECK(j["chain"].back()["kind"] == "exit");

  CHECK(j["history"][0] == json{{"at", "2025-09-16T00:42:35.8143Z"}, {"action", "opened"},
                                {"by", "auto"}, {"note", "python_module_not_found"}});
}

TEST_CASE("numeric captures read as numbers, and captures never shadow the message") {
  FakeWall wall;
  Correlator c({}, wall.clock());
  c.add(cause("container_port_timeout", at(0s)).service("storefront").capture("port", "8080"));
  c.add(cause("go_panic", at(0s)).service("api").capture("message", "runtime error: index out of range"));
  c.add(exit_event(at(1min), "127").service("geo"));
  std::map<std::string, json> by_service;
  for (const Incident* inc : c.incidents()) by_service[inc->service] = to_json(*inc);

  CHECK(by_service["storefront"]["root_cause"]["port"] == 8080);
  CHECK(by_service["storefront"]["fingerprint_fields"]["port"] == "8080");
  CHECK(by_service["storefront"]["root_cause"]["frame"].is_null());
  CHECK(by_service["storefront"]["exits"] == 0);
  CHECK(by_service["storefront"]["crash_loop"] == false);

  CHECK(by_service["api"]["root_cause"]["message"] == "go_panic line");
  CHECK(by_service["api"]["root_cause"]["captures"]["message"] == "runtime error: index out of range");

  const json& generic = by_service["geo"];
  CHECK(generic["root_cause"]["rule"] == "generic_exit");
  CHECK(generic["root_cause"]["code"] == 127);
  CHECK(generic["summary"] == "geo exited with code 127 (command or shared library not found) once; no root cause line was found");
  CHECK(generic["hint"].get<std::string>().find("ldd") != std::string::npos);
  CHECK(generic["first_revision"].is_null());
}

TEST_CASE("a Kubernetes incident names its namespace and cluster") {
  FakeWall wall;
  Correlator c({}, wall.clock());
  c.add(cause("java_class_not_found", at(0s)).service("ledger").k8s("gke-prod", "payments").capture("class", "a.b.C"));
  const json j = to_json(*c.incidents()[0]);
  CHECK(j["namespace"] == "payments");
  CHECK(j["cluster"] == "gke-prod");
  CHECK(j["fingerprint"] == "v1|gke-prod/payments/ledger|java_class_not_found|class=a.b.C");
  CHECK(j["fingerprint_fields"]["cluster"] == "gke-prod");
  CHECK(j["fingerprint_fields"]["class"] == "a.b.C");
  CHECK(j["revisions"] == json::array());
}

TEST_CASE("a resolved incident shows who resolved it and with which revision") {
  FakeWall wall;
  Correlator c({}, wall.clock());
  feed(c, {cause("go_panic", at(0s)).service("svc").revision("svc-00001-aaa"),
           recovery("cloud_run_startup_probe_succeeded", at(1min)).service("svc").revision("svc-00002-bbb")});
  c.advance(at(7min));
  const json j = to_json(*c.incidents()[0]);
  CHECK(j["state"] == "resolved");
  CHECK(j["resolved_at"] == "2025-09-16T00:43:30Z");
  CHECK(j["resolved_by"] == "auto");
  CHECK(j["resolved_by_revision"] == "svc-00002-bbb");
  CHECK(j["last_seen"] == "2025-09-16T00:43:30Z");
  CHECK(j["history"].back()["action"] == "resolved");
}
