// Acceptance (issue 3): when the ingest workers are all busy the daemon answers
// 429 with Retry-After, keeps answering everything else, and a client that
// retries what was refused ends with exactly the incidents it would have had.
#include <doctest/doctest.h>

#include <barrier>
#include <filesystem>
#include <thread>

#include "tests/server/daemon_process.h"

namespace faultline::testing {
namespace {

// The seed cascade followed by the noise corpus as flat NDJSON records: a few MB
// that keep the single ingest worker busy long enough for the others to queue.
std::string heavy_body() {
  std::string body;
  for (const auto& line : read_lines(std::string(FAULTLINE_CORPUS) + "/failures/01_seed_netra_monitoring_cascade.ndjson"))
    body += line + "\n";
  for (const auto& line : read_lines(std::string(FAULTLINE_NOISE) + "/noise-text.log"))
    body += nlohmann::json{{"service", "padding"}, {"message", line}}.dump(-1, ' ', false,
                                                                          nlohmann::json::error_handler_t::replace) +
            "\n";
  return body;
}

}  // namespace

TEST_CASE("a full ingest queue answers 429 with Retry-After and nothing is lost once retried") {
  TempDir dir;
  write_text(dir.file("faultline.yaml"), "limits:\n  ingest_threads: 1\n  ingest_queue: 0\n");
  Daemon daemon(dir.file("faultline.db"), {"--config", dir.file("faultline.yaml")});
  const std::string body = heavy_body();
  REQUIRE(body.size() > (size_t{1} << 20));

  constexpr int kClients = 6;
  std::vector<HttpResult> results(kClients);
  std::barrier start(kClients);
  std::vector<std::thread> clients;
  for (int i = 0; i < kClients; ++i)
    clients.emplace_back([&, i] {
      start.arrive_and_wait();
      results[i] = http_post(daemon.port(), "/v1/logs", body, "application/x-ndjson");
    });
  // Answered while the ingest worker is busy: health and the API have their own threads.
  HttpResult health = http_get(daemon.port(), "/healthz");
  for (auto& client : clients) client.join();
  CHECK(health.status == 200);

  int refused = 0;
  int answered_429 = 0;  // first answers and retries
  for (int i = 0; i < kClients; ++i) {
    CAPTURE(results[i].body);
    REQUIRE((results[i].status == 200 || results[i].status == 429));
    if (results[i].status != 429) continue;
    ++refused;
    ++answered_429;
    CHECK(results[i].header("retry-after") == "1");
    CHECK(results[i].header("content-type") == "application/problem+json");
    CHECK(results[i].json()["type"].get<std::string>().ends_with("overloaded"));
    // The retry a well-behaved client makes after Retry-After.
    HttpResult retry;
    for (int attempt = 0; attempt < 50 && retry.status != 200; ++attempt) {
      if (attempt) std::this_thread::sleep_for(std::chrono::milliseconds(100));
      retry = http_post(daemon.port(), "/v1/logs", body, "application/x-ndjson");
      if (retry.status == 429) ++answered_429;
    }
    CHECK(retry.status == 200);
  }
  CHECK(refused >= 1);

  // Every client sent the same records: one incident, its exits counted once.
  nlohmann::json incidents = http_get(daemon.port(), "/api/v1/incidents").json()["incidents"];
  REQUIRE(incidents.size() == 1);
  CHECK(incidents[0]["service"] == "netra-backend-staging");
  CHECK(incidents[0]["exits"] == 3);
  CHECK(incidents[0]["crash_loop"] == true);

  const std::string metrics = http_get(daemon.port(), "/metrics").body;
  CHECK(metrics.find("faultline_ingest_rejected_total{reason=\"overloaded\"} " + std::to_string(answered_429)) !=
        std::string::npos);
}

}  // namespace faultline::testing
