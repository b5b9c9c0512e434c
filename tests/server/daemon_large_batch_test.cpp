// A large NDJSON batch on /v1/logs is read and matched a piece at a time: what
// the client sees is what one whole read gives — every good record taken,
// each bad one reported with its line and byte in the body, an incident opened
// from a cause line near the end.
#include <doctest/doctest.h>

#include "tests/server/daemon_process.h"

namespace faultline::testing {
namespace {

std::string flat(int i, const std::string& message) {
  return R"({"time":"2026-12-01T10:00:00Z","service":"batch","severity":"INFO","message":")" + message + " " +
         std::to_string(i) + "\"}\n";
}

}  // namespace

TEST_CASE("a 4 MiB NDJSON batch: all good records taken, bad lines named by line and byte of the whole body") {
  TempDir dir;
  Daemon daemon(dir.file("faultline.db"));
  std::string body;
  std::vector<size_t> bad_offsets;
  const int kLines = 40000;
  for (int i = 0; i < kLines; ++i) {
    if (i == 10 || i == 30000) {
      bad_offsets.push_back(body.size());
      body += "{\"service\": broken " + std::to_string(i) + "}\n";
    } else if (i == 20000) {
      body += "\n";  // a blank line still counts as a line
    } else if (i == kLines - 5) {
      body += R"({"time":"2026-12-01T10:00:01Z","service":"batch","message":"ModuleNotFoundError: No module named 'late.cause'"})"
              "\n";
    } else {
      body += flat(i, "request served in 12 ms, nothing to see here, padding the line out to about a hundred bytes");
    }
  }
  REQUIRE(body.size() > (4 << 20));

  HttpResult result = http_post(daemon.port(), "/v1/logs", body, "application/x-ndjson");
  REQUIRE_MESSAGE(result.status == 200, result.body.substr(0, 500));
  const nlohmann::json summary = result.json();
  CHECK(summary["accepted"] == kLines - 3);
  CHECK(summary["matched"] == 1);
  REQUIRE(summary["rejected"].size() == 2);
  for (size_t k = 0; k < 2; ++k) {
    const nlohmann::json& error = summary["rejected"][k];
    const size_t line = k == 0 ? 10 : 30000;
    CHECK(error["index"] == line);
    CHECK(error["offset"] == bad_offsets[k]);
    // The byte the JSON parser stopped at, counted in the whole body.
    CHECK(error["error"].get<std::string>().starts_with("record " + std::to_string(line) + " (byte " +
                                                        std::to_string(bad_offsets[k]) + "): invalid JSON at byte " +
                                                        std::to_string(bad_offsets[k] + 12)));
  }
  const nlohmann::json incidents = http_get(daemon.port(), "/api/v1/incidents?service=batch").json()["incidents"];
  REQUIRE(incidents.size() == 1);
  CHECK(incidents[0]["root_cause"]["module"] == "late.cause");
  CHECK(daemon.stop() == 0);
}

}  // namespace faultline::testing
