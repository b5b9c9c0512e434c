// Acceptance (issue 3): kill -9 during ingest, restart on the same store:
// every incident whose events were answered 2xx is there, and redelivering
// everything (as Pub/Sub does for unacknowledged messages, and may do for
// acknowledged ones) counts nothing twice.
#include <doctest/doctest.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "tests/server/daemon_process.h"
#include "incidents/incident_expectation.h"
#include "tests/support/files.h"
#include "tests/support/subprocess.h"

namespace faultline::testing {
namespace {

std::string key_of(const nlohmann::json& incident) {
  return incident.value("service", "") + "|" + incident["root_cause"].value("rule", "") + "|" +
         incident["root_cause"].value("captures", nlohmann::json::object()).dump();
}

nlohmann::json scan(const std::string& file) {
  RunResult result = run_command({FAULTLINE_BINARY, "scan", "--json", "--rules", rules_dir(), file});
  auto json = nlohmann::json::parse(result.out, nullptr, false);
  REQUIRE_MESSAGE(!json.is_discarded(), result.err);
  return json["incidents"];
}

std::string message_id(size_t index) { return "msg-" + std::to_string(index); }

}  // namespace

TEST_CASE("kill -9 during ingest loses nothing acknowledged and double-counts nothing") {
  for (const char* name : {"01_seed_netra_monitoring_cascade", "03_two_services_interleaved"}) {
    CAPTURE(name);
    const std::string file = std::string(FAULTLINE_CORPUS) + "/failures/" + name + ".ndjson";
    const auto lines = read_lines(file);
    TempDir dir;
    const std::string store = dir.file("faultline.db");

    std::vector<size_t> acknowledged;
    {
      Daemon daemon(store);
      // The first half in the foreground; every one must be acknowledged.
      const size_t half = lines.size() / 2;
      for (size_t i = 0; i < half; ++i) {
        HttpResult result = http_post(daemon.port(), "/v1/push/pubsub", pubsub_envelope(lines[i], message_id(i)));
        REQUIRE(result.status == 200);
        acknowledged.push_back(i);
      }
      // The rest from a second thread; kill -9 once it has had one more answer,
      // so the kill lands while it is sending (or just about to).
      std::mutex mutex;
      std::condition_variable answered;
      size_t more = 0;
      std::vector<size_t> late;
      std::thread sender([&] {
        for (size_t i = half; i < lines.size(); ++i) {
          int status = 0;
          try {
            status = http_post(daemon.port(), "/v1/push/pubsub", pubsub_envelope(lines[i], message_id(i))).status;
          } catch (const std::exception&) {
            break;  // the daemon died under this request: not acknowledged
          }
          std::lock_guard lock(mutex);
          if (status == 200) late.push_back(i);
          ++more;
          answered.notify_all();
          if (status != 200) break;
        }
        std::lock_guard lock(mutex);
        more = lines.size();
        answered.notify_all();
      });
      {
        std::unique_lock lock(mutex);
        answered.wait(lock, [&] { return more >= 1; });
      }
      daemon.kill9();
      sender.join();
      acknowledged.insert(acknowledged.end(), late.begin(), late.end());
    }

    // What the acknowledged lines alone give, by replay.
    std::string acked_text;
    for (size_t i : acknowledged) acked_text += lines[i] + "\n";
    write_text(dir.file("acked.ndjson"), acked_text);
    const nlohmann::json acked_incidents = scan(dir.file("acked.ndjson"));

    Daemon restarted(store);
    const auto after_crash = http_get(restarted.port(), "/api/v1/incidents?state=all&limit=1000").json()["incidents"];
    for (const auto& want : acked_incidents) {
      CAPTURE(key_of(want));
      bool found = false;
      for (const auto& got : after_crash) {
        if (key_of(got) != key_of(want)) continue;
        found = true;
        CHECK(got["exits"].get<int>() >= want["exits"].get<int>());
        CHECK(got["occurrences"].get<int>() >= want["occurrences"].get<int>());
      }
      CHECK(found);
    }

    // Pub/Sub redelivers: everything once more, the acknowledged ones included.
    for (size_t i = 0; i < lines.size(); ++i) {
      HttpResult result = http_post(restarted.port(), "/v1/push/pubsub", pubsub_envelope(lines[i], message_id(i)));
      REQUIRE_MESSAGE(result.status == 200, result.body);
    }
    const auto final_incidents = http_get(restarted.port(), "/api/v1/incidents?state=all&limit=1000").json()["incidents"];
    const auto replayed = scan(file);
    REQUIRE(final_incidents.size() == replayed.size());
    for (const auto& want : replayed) {
      CAPTURE(key_of(want));
      bool found = false;
      for (const auto& got : final_incidents) {
        if (key_of(got) != key_of(want)) continue;
        found = true;
        CHECK(got["exits"] == want["exits"]);
        CHECK(got["occurrences"] == want["occurrences"]);
        CHECK(got["crash_loop"] == want["crash_loop"]);
        CHECK(got["state"] == want["state"]);
      }
      CHECK(found);
    }
    CHECK(restarted.stop() == 0);
  }
}

}  // namespace faultline::testing
