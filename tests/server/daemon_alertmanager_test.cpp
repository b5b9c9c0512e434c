// Acceptance (issue 4): the daemon and a real Alertmanager (Debian's
// prometheus-alertmanager) on loopback. The seed cascade — nine cause lines, six
// effects, three exits — is one alert with the root cause's labels; resolving
// the incident through the API resolves it in Alertmanager.
#include <doctest/doctest.h>

#include <filesystem>

#include "tests/server/daemon_process.h"
#include "tests/support/files.h"
#include "tests/support/peer_process.h"

namespace faultline::testing {
namespace {

constexpr const char* kAlertmanager = "/usr/bin/prometheus-alertmanager";

// 0 while nothing listens yet.
int status_of(uint16_t port, const std::string& target) {
  try {
    return http_get(port, target).status;
  } catch (const std::exception&) {
    return 0;
  }
}

// Alerts the daemon has delivered, counted once Alertmanager has answered the POST.
double sent_alerts(uint16_t port) {
  const std::string text = http_get(port, "/metrics").body;
  const std::string series = "faultline_alerts_sent_total{result=\"sent\"} ";
  const auto at = text.find(series);
  return at == std::string::npos ? 0 : std::stod(text.substr(at + series.size()));
}

// Active alerts as Alertmanager lists them (resolved ones drop out of this list).
nlohmann::json active_alerts(uint16_t port) {
  HttpResult result = http_get(port, "/api/v2/alerts");
  return result.status == 200 ? result.json() : nlohmann::json::array();
}

}  // namespace

TEST_CASE("the seed cascade is one Alertmanager alert, resolved there when the incident is resolved") {
  REQUIRE_MESSAGE(std::filesystem::exists(kAlertmanager),
                  "prometheus-alertmanager is missing: run scripts/install-deps.sh");
  TempDir dir;
  write_text(dir.file("am.yml"),
             "route: {receiver: 'null', group_by: [alertname], group_wait: 1s, group_interval: 5s, repeat_interval: 1h}\n"
             "receivers: [{name: 'null'}]\n");
  const uint16_t am_port = free_loopback_port();
  PeerProcess alertmanager({kAlertmanager, "--config.file=" + dir.file("am.yml"), "--storage.path=" + dir.file("am"),
                            "--web.listen-address=127.0.0.1:" + std::to_string(am_port), "--cluster.listen-address="},
                           dir.file("alertmanager.log"));
  REQUIRE_MESSAGE(eventually([&] { return alertmanager.running() && status_of(am_port, "/-/ready") == 200; }),
                  alertmanager.log());

  write_text(dir.file("faultline.yaml"), "alerts:\n  group_wait: 1s\n  resend_interval: 30s\n");
  Daemon daemon(dir.file("faultline.db"), {"--config", dir.file("faultline.yaml"), "--alertmanager",
                                           "http://127.0.0.1:" + std::to_string(am_port)});
  const std::string seed = read_file(std::string(FAULTLINE_CORPUS) + "/failures/01_seed_netra_monitoring_cascade.ndjson");
  REQUIRE(http_post(daemon.port(), "/v1/logs", seed, "application/x-ndjson").status == 200);

  // The cascade came in one request, so its alert went out in one POST, escalated
  // or not: once that POST is counted, a duplicate or an escalation's second label
  // set would be in the count. (The last check counts every alert of the test.)
  REQUIRE_MESSAGE(eventually([&] { return sent_alerts(daemon.port()) >= 1; }), daemon.log());
  CHECK(sent_alerts(daemon.port()) == 1);
  const nlohmann::json alerts = active_alerts(am_port);
  REQUIRE(alerts.size() == 1);
  const auto& labels = alerts[0]["labels"];
  CHECK(labels["alertname"] == "FaultlineIncident");
  CHECK(labels["service"] == "netra-backend-staging");
  CHECK(labels["root_cause"] == "python_module_not_found");
  CHECK(labels["severity"] == "critical");
  CHECK(labels["crash_loop"] == "true");
  CHECK(alerts[0]["status"]["state"] == "active");
  CHECK(alerts[0]["annotations"]["description"].get<std::string>().find("exit container_exit x3") !=
        std::string::npos);

  const std::string id = labels["incident_id"];
  nlohmann::json incident = http_get(daemon.port(), "/api/v1/incidents/" + id).json();
  REQUIRE(incident["root_cause"]["rule"] == "python_module_not_found");
  REQUIRE(http_post(daemon.port(), "/api/v1/incidents/" + id + "/resolve", R"({"by":"alice","note":"image rebuilt"})")
              .status == 200);
  CHECK_MESSAGE(eventually([&] { return active_alerts(am_port).empty(); }), daemon.log());

  // Counted once the POST's answer is back, which can be just after Alertmanager
  // shows it: the firing alert and its resolve, nothing else.
  CHECK_MESSAGE(eventually([&] { return sent_alerts(daemon.port()) == 2; }, std::chrono::seconds(5)),
                sent_alerts(daemon.port()));
  CHECK(daemon.stop() == 0);
  alertmanager.stop();
}

}  // namespace faultline::testing
