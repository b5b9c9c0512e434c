// `faultline scan` as a user runs it: exit codes scripts gate on, the readable
// table, --json, and precise errors on bad input (never a crash).
#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

#include "tests/support/files.h"
#include "tests/support/subprocess.h"

namespace fs = std::filesystem;
using faultline::testing::read_file;
using faultline::testing::run_command;

namespace {

const std::string kBinary = FAULTLINE_BINARY;
const std::string kFailures = std::string(FAULTLINE_CORPUS) + "/failures/";

struct TempDir {
  fs::path path;
  TempDir() {
    path = fs::temp_directory_path() / ("faultline-scan-test-" + std::to_string(::getpid()) + "-" +
                                        std::to_string(counter()++));
    fs::create_directories(path);
  }
  ~TempDir() { fs::remove_all(path); }
  std::string write(const std::string& name, const std::string& content) const {
    std::ofstream(path / name, std::ios::binary) << content;
    return (path / name).string();
  }
  static int& counter() {
    static int n = 0;
    return n;
  }
};


}  // namespace

TEST_CASE("scan exits 1 and prints the seed incident when a cascade is open") {
  auto r = run_command({kBinary, "scan", kFailures + "01_seed_netra_monitoring_cascade.ndjson"});
  CHECK(r.exit_code == 1);
  CHECK(r.out.find("netra-backend-staging") != std::string::npos);
  CHECK(r.out.find("python_module_not_found") != std::string::npos);
  CHECK(r.out.find("gcp_auth_context_middleware.py:23") != std::string::npos);
  CHECK(r.err == "");
}

TEST_CASE("scan --json prints the incident shape, and exits 0 when nothing is open") {
  auto open = run_command({kBinary, "scan", "--json", kFailures + "03_two_services_interleaved.ndjson"});
  CHECK(open.exit_code == 1);
  auto json = nlohmann::json::parse(open.out);
  CHECK(json["incidents"].size() == 2);

  auto healthy = run_command({kBinary, "scan", "--json", kFailures + "02_healthy_startup_no_incident.ndjson"});
  CHECK(healthy.exit_code == 0);
  CHECK(nlohmann::json::parse(healthy.out)["incidents"].empty());

  auto resolved = run_command({kBinary, "scan", "--json", kFailures + "06_recovery_after_fix.ndjson"});
  CHECK(resolved.exit_code == 0);
  CHECK(nlohmann::json::parse(resolved.out)["incidents"][0]["state"] == "resolved");
}

TEST_CASE("scan reads standard input and gcloud's JSON array export") {
  std::string ndjson = read_file(kFailures + "10_node_cannot_find_module.ndjson");
  auto from_stdin = run_command({kBinary, "scan", "--json", "-"}, ndjson);
  CHECK(from_stdin.exit_code == 1);

  std::string array = "[";
  size_t start = 0;
  while (start < ndjson.size()) {
    size_t end = ndjson.find('\n', start);
    if (end == std::string::npos) end = ndjson.size();
    if (end > start) array += (array.size() > 1 ? ",\n" : "") + ndjson.substr(start, end - start);
    start = end + 1;
  }
  array += "]";
  auto from_array = run_command({kBinary, "scan", "--json", "-"}, array);
  CHECK(from_array.exit_code == 1);
  // Everything but the wall-clock detection time is the same.
  auto without_detection = [](std::string out) {
    auto incidents = nlohmann::json::parse(out)["incidents"];
    for (auto& incident : incidents) incident.erase("detected_at"), incident.erase("detection_delay_seconds");
    return incidents;
  };
  CHECK(without_detection(from_array.out) == without_detection(from_stdin.out));
}

TEST_CASE("a record whose time cannot be read is scanned all the same, with a warning and no input error") {
  TempDir dir;
  auto file = dir.write("times.ndjson",
                        R"({"time":"2017-08-15 18:10:12","service":"pdf","message":"ok"})"
                        "\n"
                        R"({"time":"yesterday","service":"billing","message":"ModuleNotFoundError: No module named 'stripe'"})"
                        "\n");
  auto r = run_command({kBinary, "scan", "--json", file});
  CHECK(r.exit_code == 1);  // the incident is open; a warning is not an input error
  CHECK(r.err.find(": warning: record 1 (byte 62): time: cannot read \"yesterday\" as a time") != std::string::npos);
  auto incidents = nlohmann::json::parse(r.out)["incidents"];
  REQUIRE(incidents.size() == 1);
  CHECK(incidents[0]["service"] == "billing");
}

TEST_CASE("bad input: a precise error naming the record and exit 2, the good records still scanned") {
  TempDir dir;
  std::string all = read_file(kFailures + "12_shared_library_missing.ndjson");

  SUBCASE("invalid JSON in the middle of NDJSON") {
    auto file = dir.write("bad.ndjson", all + "{\"insertId\": \"x\", oops}\n");
    auto r = run_command({kBinary, "scan", "--json", file});
    CHECK(r.exit_code == 2);
    CHECK(r.err.find("record 12") != std::string::npos);
    CHECK(nlohmann::json::parse(r.out)["incidents"].size() == 1);  // the good records
  }
  SUBCASE("bad base64 in a Pub/Sub envelope") {
    auto file = dir.write("bad.json", R"({"message":{"data":"@@not base64@@","messageId":"1"},"subscription":"s"})");
    auto r = run_command({kBinary, "scan", "--format", "pubsub", file});
    CHECK(r.exit_code == 2);
    CHECK(r.err.find("message.data") != std::string::npos);
    CHECK(r.err.find("base64") != std::string::npos);
  }
  SUBCASE("a 10 MB line") {
    auto file = dir.write("huge.log", std::string(10 << 20, 'x') + "\nContainer called exit(3).\n");
    auto r = run_command({kBinary, "scan", "--format", "text", "--service", "svc", file});
    CHECK(r.exit_code == 2);
    CHECK(r.err.find("record 0") != std::string::npos);
  }
  SUBCASE("invalid UTF-8") {
    auto file = dir.write("latin1.log", "ok line\ncaf\xe9 au lait\n");
    auto r = run_command({kBinary, "scan", "--format", "text", file});
    CHECK(r.exit_code == 2);
    CHECK(r.err.find("UTF-8") != std::string::npos);
    CHECK(r.err.find("record 1") != std::string::npos);
  }
  SUBCASE("a missing file") {
    auto r = run_command({kBinary, "scan", (dir.path / "nope.log").string()});
    CHECK(r.exit_code == 2);
    CHECK(r.err.find("nope.log") != std::string::npos);
  }
  SUBCASE("a broken rule file") {
    auto rules = dir.write("broken.yaml", "rules:\n  - id: x\n    kind: cause\n    pattern: \"(unclosed\"\n    severity: critical\n    summary: s\n");
    auto r = run_command({kBinary, "scan", "--rules", rules, kFailures + "01_seed_netra_monitoring_cascade.ndjson"});
    CHECK(r.exit_code == 2);
    CHECK(r.err.find("broken.yaml:") != std::string::npos);
    CHECK(r.err.find("missing )") != std::string::npos);
  }
  SUBCASE("usage errors") {
    CHECK(run_command({kBinary, "scan"}).exit_code == 2);
    CHECK(run_command({kBinary, "scan", "--format", "xml", "f"}).exit_code == 2);
    CHECK(run_command({kBinary, "scan", "--bogus", "f"}).exit_code == 2);
    auto help = run_command({kBinary, "scan", "--help"});
    CHECK(help.exit_code == 0);
    CHECK(help.out.find("Usage: faultline scan") != std::string::npos);
  }
}

TEST_CASE("a file of many pieces: errors in line order with their line numbers, the cascade found as in a small file") {
  // Several MiB, so that the scan reads it in several pieces and works on them
  // side by side; what it reports must not show it.
  TempDir dir;
  const std::string healthy = "2025-03-01T10:00:00Z GET /healthz 200 OK\n";
  const std::string cascade =
      "2025-03-01T10:00:01Z Traceback (most recent call last):\n"
      "2025-03-01T10:00:01Z   File \"/app/main.py\", line 3, in <module>\n"
      "2025-03-01T10:00:01Z     import netra_core\n"
      "2025-03-01T10:00:01Z ModuleNotFoundError: No module named 'netra_core'\n"
      "2025-03-01T10:00:02Z Container called exit(1).\n";
  const std::vector<size_t> bad_lines = {7, 60000, 120000, 149999};
  std::string big;
  std::vector<size_t> bad_offsets;
  for (size_t line = 0; line < 150000; ++line) {
    if (std::find(bad_lines.begin(), bad_lines.end(), line) == bad_lines.end()) {
      big += healthy;
      continue;
    }
    bad_offsets.push_back(big.size());
    big += "caf\xe9\n";
  }
  REQUIRE(big.size() > (4u << 20));
  auto large = run_command({kBinary, "scan", "--json", "--format", "text", "--service", "web",
                            dir.write("large.log", big + cascade)});
  auto small = run_command({kBinary, "scan", "--json", "--format", "text", "--service", "web",
                            dir.write("small.log", healthy + cascade)});
  CHECK(large.exit_code == 2);
  size_t at = 0;
  for (size_t i = 0; i < bad_lines.size() && at != std::string::npos; ++i) {
    at = large.err.find(
        "record " + std::to_string(bad_lines[i]) + " (byte " + std::to_string(bad_offsets[i]) + ")", at);
    CHECK_MESSAGE(at != std::string::npos, "line " << bad_lines[i] << " in " << large.err);
  }
  CHECK(large.err.find("4 input error(s)") != std::string::npos);
  CHECK(small.exit_code == 1);
  auto large_incidents = nlohmann::json::parse(large.out)["incidents"];
  auto small_incidents = nlohmann::json::parse(small.out)["incidents"];
  REQUIRE(small_incidents.size() == 1);
  REQUIRE(large_incidents.size() == 1);
  for (auto* incident : {&large_incidents[0], &small_incidents[0]}) {  // when the scan ran
    incident->erase("detected_at");
    incident->erase("detection_delay_seconds");
  }
  CHECK(large_incidents == small_incidents);
}
