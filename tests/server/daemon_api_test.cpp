// The on-call API, operations endpoints and /metrics of the real daemon.
#include <doctest/doctest.h>

#include <filesystem>
#include <map>
#include <optional>

#include "parsers/gzip.h"
#include "tests/server/daemon_process.h"
#include "incidents/incident_expectation.h"
#include "rules/rule_set.h"
#include "tests/support/files.h"
#include "tests/support/subprocess.h"

namespace faultline::testing {
namespace {

std::string scenario(const std::string& name) { return std::string(FAULTLINE_CORPUS) + "/failures/" + name; }

double metric_value(const std::string& exposition, const std::string& series) {
  auto at = exposition.find("\n" + series + " ");
  if (at == std::string::npos) return -1;
  return std::stod(exposition.substr(at + series.size() + 2));
}

}  // namespace

TEST_CASE("incident lifecycle through the API: list, get, ack, resolve, stats") {
  TempDir dir;
  Daemon daemon(dir.file("faultline.db"));
  // gzip, as Fluent Bit and Vector send it.
  HttpResult ingest = http_post(daemon.port(), "/v1/logs", gzip_compress(read_file(scenario("01_seed_netra_monitoring_cascade.ndjson"))),
                                "application/x-ndjson", {{"Content-Encoding", "gzip"}});
  REQUIRE_MESSAGE(ingest.status == 200, ingest.body);
  CHECK(ingest.json()["matched"].get<int>() > 0);

  HttpResult listed = http_get(daemon.port(), "/api/v1/incidents");
  REQUIRE(listed.status == 200);
  REQUIRE(listed.json()["incidents"].size() == 1);
  const std::string id = listed.json()["incidents"][0]["id"];

  HttpResult one = http_get(daemon.port(), "/api/v1/incidents/" + id);
  REQUIRE(one.status == 200);
  CHECK(one.json()["root_cause"]["rule"] == "python_module_not_found");
  CHECK(one.json()["chain"].size() >= 2);

  HttpResult ack = http_post(daemon.port(), "/api/v1/incidents/" + id + "/ack", R"({"by":"alice","note":"looking"})");
  REQUIRE_MESSAGE(ack.status == 200, ack.body);
  CHECK(ack.json()["state"] == "acknowledged");
  CHECK(http_post(daemon.port(), "/api/v1/incidents/" + id + "/ack", R"({"by":"bob"})").status == 409);
  // The default list is the active incidents: acknowledged ones stay in it.
  CHECK(http_get(daemon.port(), "/api/v1/incidents").json()["incidents"].size() == 1);

  HttpResult resolve = http_post(daemon.port(), "/api/v1/incidents/" + id + "/resolve", R"({"by":"alice","note":"rolled back"})");
  REQUIRE_MESSAGE(resolve.status == 200, resolve.body);
  CHECK(resolve.json()["state"] == "resolved");
  CHECK(resolve.json()["resolved_by"] == "alice");
  CHECK(http_post(daemon.port(), "/api/v1/incidents/" + id + "/resolve", "").status == 409);

  CHECK(http_get(daemon.port(), "/api/v1/incidents").json()["incidents"].empty());
  CHECK(http_get(daemon.port(), "/api/v1/incidents?state=resolved").json()["incidents"].size() == 1);
  CHECK(http_get(daemon.port(), "/api/v1/incidents?state=all").json()["incidents"].size() == 1);

  HttpResult stats = http_get(daemon.port(), "/api/v1/stats/mttr?window=all");
  REQUIRE(stats.status == 200);
  auto overall = stats.json()["overall"];
  CHECK(overall["mttr"]["count"] == 1);
  CHECK(overall["mttr"]["by_resolved_by"]["manual"]["count"] == 1);
  CHECK(overall["mttr"]["by_resolved_by"]["auto"]["count"] == 0);
  CHECK(overall["mtta"]["count"] == 1);
  CHECK(stats.json()["services"].contains("netra-backend-staging"));

  HttpResult rules = http_get(daemon.port(), "/api/v1/rules");
  REQUIRE(rules.status == 200);
  bool counted = false;
  const nlohmann::json listed_rules = rules.json()["rules"];
  for (const auto& rule : listed_rules)
    if (rule["id"] == "python_module_not_found") counted = rule["matches"].get<int>() > 0;
  CHECK(counted);

  CHECK(http_get(daemon.port(), "/healthz").status == 200);
  CHECK(http_get(daemon.port(), "/readyz").status == 200);

  // The lifecycle survives a restart.
  CHECK(daemon.stop() == 0);
  Daemon again(dir.file("faultline.db"));
  auto restored = http_get(again.port(), "/api/v1/incidents/" + id).json();
  CHECK(restored["state"] == "resolved");
  CHECK(restored["resolved_by"] == "alice");
  CHECK(again.stop() == 0);
}

TEST_CASE("the incident's timeline picture: linked from the incident, one row per instance, kept across a restart") {
  TempDir dir;
  std::optional<Daemon> daemon(std::in_place, dir.file("faultline.db"));
  HttpResult ingest = http_post(daemon->port(), "/v1/logs", read_file(scenario("01_seed_netra_monitoring_cascade.ndjson")),
                                "application/x-ndjson");
  REQUIRE_MESSAGE(ingest.status == 200, ingest.body);
  const nlohmann::json incident = http_get(daemon->port(), "/api/v1/incidents").json()["incidents"][0];
  const std::string link = incident["links"]["timeline"];
  CHECK(link == "/api/v1/incidents/" + incident["id"].get<std::string>() + "/timeline.svg");

  auto rows = [](const std::string& svg) {
    size_t n = 0;
    for (size_t at = svg.find("<g class=\"row\" data-instance=\"0069"); at != std::string::npos;
         at = svg.find("<g class=\"row\" data-instance=\"0069", at + 1))
      ++n;
    return n;
  };
  HttpResult picture = http_get(daemon->port(), link);
  REQUIRE(picture.status == 200);
  CHECK(picture.header("content-type") == "image/svg+xml; charset=utf-8");
  CHECK(picture.header("content-security-policy") == "default-src 'none'; frame-ancestors 'none'");
  CHECK(rows(picture.body) == 3);
  CHECK(picture.body.find("<g class=\"mark cause\"") != std::string::npos);

  HttpResult unknown = http_get(daemon->port(), "/api/v1/incidents/0000000000000000/timeline.svg");
  CHECK(unknown.status == 404);
  CHECK(unknown.header("content-type") == "application/problem+json");
  CHECK(http_get(daemon->port(), "/api/v1/incidents/bad%20id/timeline.svg").status == 400);

  // The marks are stored with the incident: the same picture after a restart.
  CHECK(daemon->stop() == 0);
  daemon.emplace(dir.file("faultline.db"));
  HttpResult again = http_get(daemon->port(), link);
  REQUIRE(again.status == 200);
  CHECK(again.body == picture.body);
  CHECK(daemon->stop() == 0);
}

TEST_CASE("NDJSON times as shippers write them are read, and a record whose time is not is matched all the same and reported") {
  TempDir dir;
  Daemon daemon(dir.file("faultline.db"));
  const std::string body =
      R"({"time":"2017-08-15 18:10:12","service":"pdf","message":"ModuleNotFoundError: No module named 'reportlab'"})"
      "\n"
      R"({"time":"yesterday","service":"billing","message":"ModuleNotFoundError: No module named 'stripe'"})"
      "\n";
  HttpResult result = http_post(daemon.port(), "/v1/logs", body, "application/x-ndjson");
  REQUIRE_MESSAGE(result.status == 200, result.body);
  const nlohmann::json summary = result.json();
  CHECK(summary["accepted"] == 2);
  CHECK(summary["matched"] == 2);
  CHECK(summary["rejected"].empty());
  REQUIRE(summary["warnings"].size() == 1);
  CHECK(summary["warnings"][0]["index"] == 1);
  CHECK(summary["warnings"][0]["field"] == "time");
  CHECK(summary["warnings"][0]["warning"].get<std::string>().starts_with(
      "record 1 (byte 108): time: cannot read \"yesterday\" as a time"));

  const nlohmann::json incidents = http_get(daemon.port(), "/api/v1/incidents").json()["incidents"];
  REQUIRE(incidents.size() == 2);
  std::map<std::string, std::string> opened;
  for (const auto& incident : incidents) opened[incident["service"]] = incident["opened_at"];
  CHECK(opened["pdf"] == "2017-08-15T18:10:12Z");
  CHECK(opened.count("billing") == 1);  // at its arrival time
  CHECK(daemon.stop() == 0);
}

TEST_CASE("incident list pages with a cursor") {
  TempDir dir;
  Daemon daemon(dir.file("faultline.db"));
  REQUIRE(http_post(daemon.port(), "/v1/logs", read_file(scenario("03_two_services_interleaved.ndjson")),
                    "application/x-ndjson").status == 200);
  auto first = http_get(daemon.port(), "/api/v1/incidents?state=all&limit=1").json();
  REQUIRE(first["incidents"].size() == 1);
  REQUIRE(first["next_cursor"].is_string());
  auto second = http_get(daemon.port(), "/api/v1/incidents?state=all&limit=1&cursor=" +
                                            first["next_cursor"].get<std::string>()).json();
  REQUIRE(second["incidents"].size() == 1);
  CHECK(second["incidents"][0]["id"] != first["incidents"][0]["id"]);
  if (second["next_cursor"].is_string()) {
    auto third = http_get(daemon.port(), "/api/v1/incidents?state=all&limit=1&cursor=" +
                                             second["next_cursor"].get<std::string>()).json();
    CHECK(third["incidents"].empty());
  }
  auto by_service = http_get(daemon.port(), "/api/v1/incidents?state=all&service=notifier").json();
  REQUIRE(by_service["incidents"].size() == 1);
  CHECK(by_service["incidents"][0]["service"] == "notifier");
  CHECK(daemon.stop() == 0);
}

TEST_CASE("GET /metrics passes promtool check metrics") {
  TempDir dir;
  Daemon daemon(dir.file("faultline.db"));
  REQUIRE(http_post(daemon.port(), "/v1/logs", read_file(scenario("01_seed_netra_monitoring_cascade.ndjson")),
                    "application/x-ndjson").status == 200);
  REQUIRE(http_post(daemon.port(), "/v1/logs", "{bad", "application/x-ndjson").status == 400);
  HttpResult metrics = http_get(daemon.port(), "/metrics");
  REQUIRE(metrics.status == 200);
  CHECK(metrics.header("content-type").find("text/plain; version=0.0.4") == 0);
  for (const char* name :
       {"faultline_ingest_requests_total", "faultline_ingest_records_total", "faultline_ingest_bytes_total",
        "faultline_ingest_rejected_total", "faultline_rule_matches_total", "faultline_incidents_opened_total",
        "faultline_incidents_open", "faultline_container_exits_total", "faultline_crash_loops_total",
        "faultline_incident_resolve_seconds", "faultline_incident_ack_seconds", "faultline_detection_delay_seconds",
        "faultline_alerts_sent_total", "faultline_rules_loaded", "faultline_config_last_reload_successful",
        "faultline_build_info"})
    CHECK_MESSAGE(metrics.body.find(std::string("# TYPE ") + name + " ") != std::string::npos, name);
  CHECK(metrics.body.find(R"(faultline_ingest_requests_total{code="200",endpoint="logs"} 1)") != std::string::npos);
  CHECK(metrics.body.find(R"(faultline_crash_loops_total{service="netra-backend-staging"} 1)") != std::string::npos);
  // Bounded state: what is held, against its configured limit.
  CHECK(metrics.body.find(R"(faultline_state_entries{state="incidents"} 1)") != std::string::npos);
  CHECK(metrics.body.find(R"(faultline_state_limit{state="incidents"} 10000)") != std::string::npos);
  CHECK(metrics.body.find(R"(faultline_state_limit{state="dedup_ids"} 1000000)") != std::string::npos);
  CHECK(metrics.body.find(R"(faultline_state_dropped_total{state="pending_events"} 0)") != std::string::npos);

  REQUIRE_MESSAGE(std::filesystem::exists("/usr/bin/promtool"),
                  "promtool is missing: run scripts/install-deps.sh (Debian package prometheus)");
  RunResult check = run_command({"/usr/bin/promtool", "check", "metrics"}, metrics.body);
  CHECK_MESSAGE(check.exit_code == 0, (check.out + check.err));
  CHECK(daemon.stop() == 0);
}

TEST_CASE("rule reload: an invalid pack keeps the old rules and says why") {
  TempDir dir;
  const auto rules = dir.path() / "rules";
  std::filesystem::copy(rules_dir(), rules, std::filesystem::copy_options::recursive);
  Daemon daemon(dir.file("faultline.db"), {"--rules", rules.string()});
  const size_t loaded = http_get(daemon.port(), "/api/v1/rules").json()["rules"].size();
  REQUIRE(loaded > 0);

  CHECK(http_request(daemon.port(), boost::beast::http::verb::post, "/-/reload").status == 200);

  write_text((rules / "zz_broken.yaml").string(), "rules:\n  - id: broken\n    kind: cause\n    pattern: \"(unclosed\"\n");
  HttpResult failed = http_request(daemon.port(), boost::beast::http::verb::post, "/-/reload");
  CHECK(failed.status == 500);
  CHECK(failed.header("content-type") == "application/problem+json");
  CHECK(failed.json()["errors"].size() >= 1);
  CHECK(failed.body.find("zz_broken.yaml") != std::string::npos);
  CHECK(metric_value(http_get(daemon.port(), "/metrics").body, "faultline_config_last_reload_successful") == 0);
  CHECK(http_get(daemon.port(), "/api/v1/rules").json()["rules"].size() == loaded);  // old rules in force
  CHECK(http_get(daemon.port(), "/readyz").status == 200);

  std::filesystem::remove(rules / "zz_broken.yaml");
  daemon.signal(SIGHUP);
  REQUIRE(daemon.wait_for_log("rules reloaded trigger=SIGHUP"));
  CHECK(metric_value(http_get(daemon.port(), "/metrics").body, "faultline_config_last_reload_successful") == 1);
  CHECK(daemon.stop() == 0);
}

TEST_CASE("bad configuration exits 2 with one message naming the setting") {
  TempDir dir;
  write_text(dir.file("bad.yaml"), "limits:\n  max_body: ten\n");
  RunResult bad_size = run_command({FAULTLINE_BINARY, "serve", "--config", dir.file("bad.yaml")});
  CHECK(bad_size.exit_code == 2);
  CHECK(bad_size.err == "faultline: config " + dir.file("bad.yaml") +
                           ": limits.max_body: expected a size like 10MiB, 512KiB or 65536 (bytes), got 'ten'\n");

  RunResult bad_flag = run_command({FAULTLINE_BINARY, "serve", "--listen", "nowhere"});
  CHECK(bad_flag.exit_code == 2);
  CHECK(bad_flag.err.find("--listen") != std::string::npos);

  RunResult unknown = run_command({FAULTLINE_BINARY, "serve", "--colour", "blue"});
  CHECK(unknown.exit_code == 2);
  CHECK(unknown.err.find("unknown flag --colour") != std::string::npos);

  RunResult bad_rules = run_command({FAULTLINE_BINARY, "serve", "--rules", dir.file("missing"), "--store",
                                     dir.file("x.db"), "--listen", "127.0.0.1:0"});
  CHECK(bad_rules.exit_code == 2);
  CHECK(bad_rules.err.find("rules " + dir.file("missing")) != std::string::npos);

  RunResult help = run_command({FAULTLINE_BINARY, "serve", "--help"});
  CHECK(help.exit_code == 0);
  CHECK(help.out.find("--listen HOST:PORT") != std::string::npos);
}

TEST_CASE("GET /api/v1/incidents/{id}/suggested-rule drafts a rule for an unknown cause, and says why not for a known one") {
  TempDir dir;
  Daemon daemon(dir.file("faultline.db"));
  for (const char* name : {"18_unknown_fatal_line_three_instances.ndjson", "01_seed_netra_monitoring_cascade.ndjson"}) {
    HttpResult ingest = http_post(daemon.port(), "/v1/logs", read_file(scenario(name)), "application/x-ndjson");
    REQUIRE_MESSAGE(ingest.status == 200, ingest.body);
  }
  std::string unknown, known;
  const nlohmann::json incidents = http_get(daemon.port(), "/api/v1/incidents").json()["incidents"];
  for (const auto& incident : incidents)
    (incident["root_cause"]["rule"] == "generic_exit" ? unknown : known) = incident["id"];
  REQUIRE(!unknown.empty());
  REQUIRE(!known.empty());

  HttpResult draft = http_get(daemon.port(), "/api/v1/incidents/" + unknown + "/suggested-rule");
  REQUIRE_MESSAGE(draft.status == 200, draft.body);
  CHECK(draft.header("content-type") == "application/yaml; charset=utf-8");
  CHECK(draft.body.find("kind: cause") != std::string::npos);
  CHECK(draft.body.find("FATAL: ledger shard (?P<shard>\\d+) checksum mismatch") != std::string::npos);
  // The service's own ordinary lines are the examples it must not match.
  CHECK(draft.body.find("no_match:") != std::string::npos);
  std::vector<RuleProblem> problems;
  CHECK(RuleSet::load_text(draft.body, "suggested-rule", problems));

  HttpResult refused = http_get(daemon.port(), "/api/v1/incidents/" + known + "/suggested-rule");
  CHECK(refused.status == 409);
  CHECK(refused.header("content-type") == "application/problem+json");
  CHECK(refused.json()["detail"].get<std::string>().find("has a known cause: rule python_module_not_found") !=
        std::string::npos);
  CHECK(http_get(daemon.port(), "/api/v1/incidents/0000000000000000/suggested-rule").status == 404);

  // The sample of ordinary lines per service is bounded state like the others.
  HttpResult metrics = http_get(daemon.port(), "/metrics");
  CHECK(metrics.body.find("faultline_state_entries{state=\"sampled_services\"}") != std::string::npos);
}

}  // namespace faultline::testing
