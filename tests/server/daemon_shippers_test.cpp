// What log shippers send, unchanged: Fluent Bit's http output with its default
// MessagePack format, and a shipper that cannot label its records, which names
// the service in the URL (?service=) on any ingest route, or names none at all.
#include <doctest/doctest.h>

#include <algorithm>

#include <msgpack.hpp>

#include "parsers/gzip.h"
#include "parsers/timestamp.h"
#include "tests/server/daemon_process.h"
#include "tests/server/scenario_support.h"
#include "tests/support/files.h"

namespace faultline::testing {
namespace {

std::string seed_file() { return std::string(FAULTLINE_SOURCE_DIR) + "/examples/seed-cascade.ndjson"; }

// Fluent Bit's EventTime: ext type 0, big-endian seconds then nanoseconds.
struct EventTime {
  uint32_t seconds = 0, nanos = 0;
};

// The LogEntry's stream as the LogEntry parser reads it from logName.
std::string stream_of(const nlohmann::json& entry) {
  std::string log_name = entry.value("logName", "");
  if (log_name.ends_with("%2Fvarlog%2Fsystem")) return "system";
  return log_name.substr(log_name.rfind("%2F") + 3);
}

// One seed LogEntry as Fluent Bit 2.1+ posts it after its tail input (the
// container's line in "log") and kubernetes filter: [[EventTime, {}], record].
void pack_event(msgpack::packer<msgpack::sbuffer>& packer, const nlohmann::json& entry) {
  const Timestamp time = *parse_rfc3339(entry["timestamp"].get<std::string>());
  const auto nanos = time.time_since_epoch().count();
  const EventTime at{static_cast<uint32_t>(nanos / 1000000000), static_cast<uint32_t>(nanos % 1000000000)};
  const auto& labels = entry["resource"]["labels"];
  // The container wrote a JSON line when Cloud Logging shows a jsonPayload.
  const std::string line =
      entry.contains("textPayload") ? entry["textPayload"].get<std::string>() : entry["jsonPayload"].dump();

  packer.pack_array(2);
  packer.pack_array(2);
  char ext[8];
  for (int i = 0; i < 4; ++i) {
    ext[i] = static_cast<char>(at.seconds >> (24 - 8 * i));
    ext[4 + i] = static_cast<char>(at.nanos >> (24 - 8 * i));
  }
  packer.pack_ext(8, 0);
  packer.pack_ext_body(ext, 8);
  packer.pack_map(0);
  packer.pack_map(4);
  packer.pack(std::string("log"));
  packer.pack(line);
  packer.pack(std::string("stream"));
  packer.pack(stream_of(entry));
  packer.pack(std::string("severity"));
  packer.pack(entry.value("severity", "DEFAULT"));
  packer.pack(std::string("kubernetes"));
  // Cloud Run's request log lines name no instance.
  const std::string instance = entry.contains("labels") ? entry["labels"].value("instanceId", "") : "";
  packer.pack_map(instance.empty() ? 2 : 3);
  packer.pack(std::string("container_name"));
  packer.pack(labels["service_name"].get<std::string>());
  if (!instance.empty()) {
    packer.pack(std::string("pod_name"));
    packer.pack(instance);
  }
  packer.pack(std::string("labels"));
  packer.pack_map(1);
  packer.pack(std::string("pod-template-hash"));
  packer.pack(labels["revision_name"].get<std::string>());
}

nlohmann::json culprit_frames(const nlohmann::json& incidents) {
  nlohmann::json frames = nlohmann::json::array();
  for (const auto& incident : incidents) frames.push_back(incident["root_cause"].value("frame", nlohmann::json()));
  return frames;
}

}  // namespace

TEST_CASE("Fluent Bit msgpack: the seed cascade as its http output posts it gives scan's incident, culprit frame included") {
  msgpack::sbuffer packed;
  msgpack::packer<msgpack::sbuffer> packer(packed);
  const auto lines = read_lines(seed_file());
  for (const std::string& line : lines) pack_event(packer, nlohmann::json::parse(line));
  const std::string body(packed.data(), packed.size());
  auto scanned = scan_incidents(seed_file());
  REQUIRE(scanned);

  // As it is, and with the output's `compress gzip`.
  for (bool gzipped : {false, true}) {
    CAPTURE(gzipped);
    TempDir dir;
    Daemon daemon(dir.file("faultline.db"));
    std::vector<std::pair<std::string, std::string>> headers = {{"User-Agent", "Fluent-Bit"}};
    if (gzipped) headers.emplace_back("Content-Encoding", "gzip");
    HttpResult posted = http_post(daemon.port(), "/v1/logs", gzipped ? gzip_compress(body) : body,
                                  "application/msgpack", headers);
    REQUIRE_MESSAGE(posted.status == 200, posted.body);
    CHECK(posted.json()["accepted"] == lines.size());
    CHECK(posted.json()["rejected"].empty());
    CHECK_FALSE(posted.json().contains("unknown_service"));

    HttpResult listed = http_get(daemon.port(), "/api/v1/incidents?state=all");
    REQUIRE(listed.status == 200);
    const nlohmann::json live = listed.json()["incidents"];
    REQUIRE(live.size() == 1);
    CHECK(projections(live) == projections(*scanned));
    CHECK(culprit_frames(live) == culprit_frames(*scanned));
    const nlohmann::json frame = live[0]["root_cause"]["frame"];
    CHECK(frame.value("file", "") == "/app/netra_backend/app/middleware/gcp_auth_context_middleware.py");
    CHECK(frame.value("line", 0) == 23);
    CHECK(live[0]["root_cause"]["rule"] == "python_module_not_found");
    CHECK(daemon.stop() == 0);
  }
}

TEST_CASE("?service= names the records that name none, on every ingest route") {
  TempDir dir;
  Daemon daemon(dir.file("faultline.db"));
  const uint16_t port = daemon.port();
  const std::string crash = "ModuleNotFoundError: No module named 'stripe'";
  const nlohmann::json entry = {{"insertId", "e1"},
                                {"logName", "projects/p/logs/app"},
                                {"resource", {{"type", "generic_task"}}},
                                {"timestamp", "2025-09-16T00:42:35Z"},
                                {"textPayload", crash}};
  struct Route {
    std::string target, body, type;
  };
  const std::vector<Route> routes = {
      {"/v1/push/pubsub?service=from-pubsub", pubsub_envelope(entry.dump(), "m-1"), "application/json"},
      {"/v1/logs?service=from-logs", nlohmann::json{{"message", crash}}.dump() + "\n", "application/x-ndjson"},
      {"/v1/logs/raw?service=from-raw", crash + "\n", "text/plain"},
      {"/loki/api/v1/push?service=from-loki",
       R"({"streams":[{"stream":{"filename":"/var/log/app.log"},"values":[["1758000000000000000",")" + crash +
           R"("]]}]})",
       "application/json"},
      {"/v1/logs?service=from-fluent-bit", std::string("\x92\x01\x81\xa3log\xd9\x2d") + crash, "application/msgpack"},
  };
  for (const Route& route : routes) {
    CAPTURE(route.target);
    HttpResult result = http_post(port, route.target, route.body, route.type);
    REQUIRE_MESSAGE(result.status == 200, result.body);
    CHECK(result.json()["accepted"] == 1);
    CHECK_FALSE(result.json().contains("unknown_service"));
  }
  HttpResult listed = http_get(port, "/api/v1/incidents");
  const nlohmann::json incidents = listed.json()["incidents"];
  std::vector<std::string> services;
  for (const auto& incident : incidents) services.push_back(incident["service"]);
  std::sort(services.begin(), services.end());
  CHECK(services == std::vector<std::string>{"from-fluent-bit", "from-logs", "from-loki", "from-pubsub", "from-raw"});

  // A record's own service wins over the URL's.
  HttpResult own = http_post(port, "/v1/logs?service=from-url",
                             nlohmann::json{{"service", "own"}, {"message", crash}}.dump(), "application/x-ndjson");
  REQUIRE(own.status == 200);
  CHECK(http_get(port, "/api/v1/incidents?service=own").json()["incidents"].size() == 1);
  CHECK(http_get(port, "/api/v1/incidents?service=from-url").json()["incidents"].empty());
  CHECK(daemon.stop() == 0);
}

TEST_CASE("records with no service anywhere are scanned under \"unknown\", and the answer says how to name them") {
  TempDir dir;
  Daemon daemon(dir.file("faultline.db"));
  // Plain text with no ?service= (this was a 400 once): compose's envelope names
  // its service; the bare line names none.
  HttpResult raw = http_post(daemon.port(), "/v1/logs/raw",
                             "web-1  | Error: Cannot find module 'express'\nModuleNotFoundError: No module named 'x'\n",
                             "text/plain");
  REQUIRE_MESSAGE(raw.status == 200, raw.body);
  CHECK(raw.json()["accepted"] == 2);
  CHECK(raw.json()["unknown_service"] == 1);
  CHECK(raw.json()["hint"].get<std::string>().find("?service=") != std::string::npos);

  HttpResult ndjson = http_post(daemon.port(), "/v1/logs", R"({"message":"ModuleNotFoundError: No module named 'y'"})",
                                "application/x-ndjson");
  REQUIRE(ndjson.status == 200);
  CHECK(ndjson.json()["unknown_service"] == 1);

  HttpResult listed = http_get(daemon.port(), "/api/v1/incidents?service=unknown");
  REQUIRE(listed.status == 200);
  CHECK(listed.json()["incidents"].size() == 2);
  CHECK(http_get(daemon.port(), "/api/v1/incidents?service=web").json()["incidents"].size() == 1);
  CHECK(daemon.stop() == 0);
}

TEST_CASE("faultline scan: records with no service are scanned under \"unknown\", with a note naming --service") {
  TempDir dir;
  write_text(dir.file("app.log"), "ModuleNotFoundError: No module named 'stripe'\n");
  RunResult scan = run_command({FAULTLINE_BINARY, "scan", "--json", "--rules", rules_dir(), dir.file("app.log")});
  CHECK(scan.exit_code == 1);
  auto incidents = nlohmann::json::parse(scan.out)["incidents"];
  REQUIRE(incidents.size() == 1);
  CHECK(incidents[0]["service"] == "unknown");
  CHECK(scan.err.find("1 record(s) named no service") != std::string::npos);
  CHECK(scan.err.find("--service") != std::string::npos);

  scan = run_command({FAULTLINE_BINARY, "scan", "--json", "--service", "billing", "--rules", rules_dir(),
                      dir.file("app.log")});
  CHECK(nlohmann::json::parse(scan.out)["incidents"][0]["service"] == "billing");
  CHECK(scan.err.find("named no service") == std::string::npos);
}

}  // namespace faultline::testing
