// Acceptance (issue 3): every failure scenario, POSTed as Pub/Sub push envelopes
// in random order with every message delivered twice, gives through the API the
// incidents `faultline scan --json` gives for the same file.
#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <random>

#include "tests/server/daemon_process.h"
#include "tests/server/scenario_support.h"
#include "incidents/incident_expectation.h"
#include "tests/support/files.h"
#include "tests/support/subprocess.h"

namespace faultline::testing {

TEST_CASE("every scenario as shuffled, twice-delivered Pub/Sub pushes gives scan's incidents") {
  const auto files = scenario_files();
  REQUIRE(files.size() >= 12);
  for (const std::string& file : files) {
    const std::string name = std::filesystem::path(file).stem().string();
    CAPTURE(name);
    TempDir dir;
    Daemon daemon(dir.file("faultline.db"));

    const auto lines = read_lines(file);
    std::mt19937 random;
    const std::vector<size_t> deliveries = deliveries_twice(lines.size(), name, random);

    size_t accepted = 0, duplicates = 0;
    for (size_t index : deliveries) {
      HttpResult result = http_post(daemon.port(), "/v1/push/pubsub",
                                    pubsub_envelope(lines[index], name + "-" + std::to_string(index)));
      REQUIRE_MESSAGE(result.status == 200, result.body);
      accepted += result.json().value("accepted", 0);
      duplicates += result.json().value("duplicates", 0);
    }
    CHECK(accepted == lines.size());
    CHECK(duplicates == lines.size());

    HttpResult listed = http_get(daemon.port(), "/api/v1/incidents?state=all&limit=1000");
    REQUIRE(listed.status == 200);
    const nlohmann::json live = listed.json()["incidents"];
    CHECK(listed.json()["next_cursor"].is_null());

    if (auto replayed = scan_incidents(file)) {
      CHECK(projections(live) == projections(*replayed));
    } else {
      MESSAGE("faultline scan --json is not available; comparing with " << name << ".expected.json");
    }
    const auto expected = nlohmann::json::parse(read_file(file.substr(0, file.size() - 7) + ".expected.json"));
    CHECK_MESSAGE(compare_incidents(expected["incidents"], live).empty(), compare_incidents(expected["incidents"], live));

    CHECK(daemon.stop() == 0);
  }
}

}  // namespace faultline::testing
