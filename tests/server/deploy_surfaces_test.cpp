// Where a bad deploy shows: the alert, the scan table, MTTR per revision.
#include <doctest/doctest.h>

#include "server/alerts/alert_payload.h"
#include "server/cli/incident_table.h"
#include "incidents/mttr_stats.h"

namespace faultline {
namespace {

Timestamp at(int seconds) { return Timestamp{std::chrono::seconds(1'800'000'000 + seconds)}; }

const char* kRollback = "gcloud run services update-traffic orders-api --to-revisions=orders-api-00203-lux=100";

Incident on_revision(std::string revision, int opened, std::optional<int> resolved, bool bad) {
  Incident i;
  i.id = "id-" + revision + "-" + std::to_string(opened);
  i.service = "orders-api";
  i.root_cause.rule = "python_module_not_found";
  i.revisions = {revision};
  i.opened_at = i.last_seen = at(opened);
  if (resolved) {
    i.state = IncidentState::resolved;
    i.resolved_at = at(*resolved);
    i.resolved_by = "auto";
  }
  i.deploy = DeployInfo{revision, "orders-api-00203-lux", bad, bad, at(opened), std::nullopt};
  if (bad) i.deploy->rollback_hint = kRollback;
  return i;
}

}  // namespace

TEST_CASE("a bad deploy's alert names the healthy revision and carries the rollback command") {
  Incident bad = on_revision("orders-api-00204-xyz", 0, std::nullopt, true);
  nlohmann::json alert = alert_json(bad, AlertLinks{"https://faultline.example.com", ""}, at(10), at(300));
  CHECK(alert["annotations"]["rollback_hint"] == kRollback);
  CHECK(alert["annotations"]["description"].get<std::string>().find(
            "bad deploy: first seen on orders-api-00204-xyz; orders-api-00203-lux before it was healthy") !=
        std::string::npos);

  Incident fine = on_revision("orders-api-00204-xyz", 0, std::nullopt, false);
  alert = alert_json(fine, AlertLinks{"https://faultline.example.com", ""}, at(10), at(300));
  CHECK_FALSE(alert["annotations"].contains("rollback_hint"));
  CHECK(alert["annotations"]["description"].get<std::string>().find("bad deploy") == std::string::npos);
}

TEST_CASE("the scan table marks a bad deploy and prints the rollback command") {
  std::string table = render_incident_table({on_revision("orders-api-00204-xyz", 0, std::nullopt, true)});
  CHECK(table.find("BAD DEPLOY") != std::string::npos);
  CHECK(table.find(std::string("  rollback: ") + kRollback + "\n") != std::string::npos);
  table = render_incident_table({on_revision("orders-api-00204-xyz", 0, std::nullopt, false)});
  CHECK(table.find("BAD DEPLOY") == std::string::npos);
  CHECK(table.find("rollback") == std::string::npos);
}

TEST_CASE("MTTR per revision: grouped by the revision an incident was first seen on") {
  std::vector<Incident> incidents = {
      on_revision("orders-api-00204-xyz", 0, 600, true),    // bad deploy, MTTR 600
      on_revision("orders-api-00204-xyz", 1000, 1300, false),  // MTTR 300
      on_revision("orders-api-00205-abc", 2000, std::nullopt, false),  // open
      on_revision("orders-api-00190-old", -90000, -89000, false),      // before the window
  };
  incidents[1].acknowledged_at = at(1060);
  Incident no_revision = on_revision("x", 0, 100, false);
  no_revision.deploy.reset();
  incidents.push_back(no_revision);

  MttrReport report = compute_mttr(incidents, at(-100), std::nullopt);
  nlohmann::json json = to_json(report.revisions);
  REQUIRE(json.size() == 2);
  CHECK(json[0] == nlohmann::json{{"service", "orders-api"}, {"revision", "orders-api-00204-xyz"}, {"incidents", 2},
                                  {"resolved", 2}, {"bad_deploy", true}, {"mttr_seconds", 450.0},
                                  {"mtta_seconds", 60.0}});
  CHECK(json[1] == nlohmann::json{{"service", "orders-api"}, {"revision", "orders-api-00205-abc"}, {"incidents", 1},
                                  {"resolved", 0}, {"bad_deploy", false}, {"mttr_seconds", nullptr},
                                  {"mtta_seconds", nullptr}});
  // The overall figures are unchanged by the grouping, and all time includes the old revision.
  CHECK(report.overall.mttr.count == 3);
  CHECK(compute_mttr(incidents, std::nullopt, std::nullopt).revisions.size() == 3);
  CHECK(compute_mttr(incidents, std::nullopt, std::string("other")).revisions.empty());
}

}  // namespace faultline
