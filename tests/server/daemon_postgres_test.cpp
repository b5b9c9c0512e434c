// Replicas on PostgreSQL (issue 6): two `faultline serve` processes on one real
// PostgreSQL database behave as one daemon. Messages split randomly between
// them and delivered twice give the incidents scan gives; killing one with
// kill -9 mid-stream loses nothing it acknowledged; the survivor takes the lead.
#include <doctest/doctest.h>

#include <atomic>
#include <map>
#include <random>
#include <thread>

#include "incidents/incident_expectation.h"
#include "tests/server/daemon_process.h"
#include "tests/server/scenario_support.h"
#include "tests/support/files.h"
#include "tests/support/postgres_server.h"

namespace faultline::testing {
namespace {

PostgresServer& postgres() {
  static PostgresServer server;  // one server for the suite, a database per test
  return server;
}

std::string fresh_database(const std::string& purpose) {
  static int counter = 0;
  return postgres().create_database("replicas_" + purpose + "_" + std::to_string(getpid()) + "_" +
                                    std::to_string(counter++));
}

nlohmann::json listed_incidents(const Daemon& daemon) {
  HttpResult listed = http_get(daemon.port(), "/api/v1/incidents?state=all&limit=1000");
  return listed.status == 200 ? listed.json()["incidents"] : nlohmann::json::array();
}

// Replicas apply each other's entries within milliseconds; allow for a busy machine.
bool replicas_agree_with(const std::vector<const Daemon*>& replicas, const std::vector<std::string>& wanted) {
  return eventually(
      [&] {
        for (const Daemon* replica : replicas)
          if (projections(listed_incidents(*replica)) != wanted) return false;
        return true;
      },
      std::chrono::seconds(20));
}

// A sample without labels from /metrics, or -1.
double metric(const Daemon& daemon, const std::string& name) {
  const std::string text = http_get(daemon.port(), "/metrics").body;
  const auto at = text.find("\n" + name + " ");
  return at == std::string::npos ? -1 : std::stod(text.substr(at + name.size() + 2));
}

}  // namespace

TEST_CASE("two replicas on one PostgreSQL database: every scenario split between them, delivered twice, gives scan's incidents") {
  const auto files = scenario_files();
  REQUIRE(files.size() >= 12);
  for (const std::string& file : files) {
    const std::string name = std::filesystem::path(file).stem().string();
    CAPTURE(name);
    const std::string url = fresh_database("scenario");
    Daemon a(url), b(url);
    Daemon* replicas[] = {&a, &b};

    const auto lines = read_lines(file);
    std::mt19937 random;
    const std::vector<size_t> deliveries = deliveries_twice(lines.size(), name, random);
    for (size_t index : deliveries) {
      Daemon& to = *replicas[random() % 2];
      HttpResult result =
          http_post(to.port(), "/v1/push/pubsub", pubsub_envelope(lines[index], name + "-" + std::to_string(index)));
      REQUIRE_MESSAGE(result.status == 200, result.body);
    }

    auto replayed = scan_incidents(file);
    REQUIRE(replayed);
    CHECK_MESSAGE(replicas_agree_with({&a, &b}, projections(*replayed)),
                  "a: " << listed_incidents(a).dump() << "\nb: " << listed_incidents(b).dump());
    const auto expected = nlohmann::json::parse(read_file(file.substr(0, file.size() - 7) + ".expected.json"));
    for (Daemon* replica : replicas) {
      const nlohmann::json live = listed_incidents(*replica);
      CHECK_MESSAGE(compare_incidents(expected["incidents"], live).empty(), compare_incidents(expected["incidents"], live));
    }
    CHECK(a.stop() == 0);
    CHECK(b.stop() == 0);
  }
}

TEST_CASE("kill -9 of a replica mid-stream: nothing it acknowledged is lost, the other takes the lead") {
  const std::string url = fresh_database("kill");
  // Several scenarios at once, so the stream is long enough to be cut in the middle.
  std::vector<std::string> lines;
  std::string combined;
  for (const char* scenario : {"01_seed_netra_monitoring_cascade", "03_two_services_interleaved", "09_cloud_run_oom"}) {
    const std::string file = std::string(FAULTLINE_CORPUS) + "/failures/" + scenario + ".ndjson";
    for (auto& line : read_lines(file)) {
      combined += line + "\n";
      lines.push_back(std::move(line));
    }
  }
  TempDir dir;
  write_text(dir.file("combined.ndjson"), combined);
  auto replayed = scan_incidents(dir.file("combined.ndjson"));
  REQUIRE(replayed);
  const auto wanted = projections(*replayed);

  auto a = std::make_unique<Daemon>(url);
  REQUIRE(a->wait_for_log("leading"));  // the first replica leads: it is the one killed
  auto b = std::make_unique<Daemon>(url);

  // Pub/Sub's side: a message is done once a replica answered 200; anything
  // else is redelivered (here: to the survivor, after the kill).
  std::vector<std::atomic<bool>> acknowledged(lines.size());
  std::atomic<size_t> next{0};
  const uint16_t doomed = a->port(), survivor = b->port();
  auto push = [&](uint16_t port) {
    for (size_t i; (i = next.fetch_add(1)) < lines.size();) {
      try {
        if (http_post(port, "/v1/push/pubsub", pubsub_envelope(lines[i], "kill-" + std::to_string(i))).status == 200)
          acknowledged[i] = true;
      } catch (const std::exception&) {
        // The replica died under this request: not acknowledged.
      }
    }
  };
  std::thread to_doomed(push, doomed), to_survivor(push, survivor);
  REQUIRE(eventually([&] { return next.load() >= lines.size() / 2; }));
  a->kill9();
  to_doomed.join();
  to_survivor.join();

  size_t redelivered = 0;
  for (size_t i = 0; i < lines.size(); ++i) {
    if (acknowledged[i]) continue;
    HttpResult result = http_post(survivor, "/v1/push/pubsub", pubsub_envelope(lines[i], "kill-" + std::to_string(i)));
    REQUIRE_MESSAGE(result.status == 200, result.body);
    ++redelivered;
  }
  MESSAGE(redelivered << " of " << lines.size() << " messages were not acknowledged before the kill");
  CHECK(replicas_agree_with({b.get()}, wanted));
  CHECK(b->wait_for_log("leading: this replica writes the snapshot"));

  // The killed replica comes back from the snapshot and the journal, and agrees,
  // down to detection times (taken where each batch arrived, not where it is applied).
  a = std::make_unique<Daemon>(url);
  CHECK(replicas_agree_with({a.get(), b.get()}, wanted));
  auto detected = [](const Daemon& replica) {
    std::map<std::string, std::string> at;
    for (const auto& incident : listed_incidents(replica)) at[incident["id"]] = incident["detected_at"].dump();
    return at;
  };
  CHECK(detected(*a) == detected(*b));
  CHECK(b->stop() == 0);
  CHECK(a->stop() == 0);

  // Both gone: a fresh replica starts from what the leader wrote.
  Daemon fresh(url);
  CHECK(replicas_agree_with({&fresh}, wanted));
}

TEST_CASE("replicas: an incident acknowledged on one is acknowledged on the other, resolve races give one answer") {
  const std::string url = fresh_database("lifecycle");
  Daemon a(url), b(url);
  const auto lines = read_lines(std::string(FAULTLINE_CORPUS) + "/failures/01_seed_netra_monitoring_cascade.ndjson");
  std::string body;
  for (const auto& line : lines) body += line + "\n";
  REQUIRE(http_post(a.port(), "/v1/logs", body, "application/x-ndjson").status == 200);
  REQUIRE(eventually([&] { return listed_incidents(b).size() == 1; }));
  const std::string id = listed_incidents(b)[0]["id"];

  HttpResult ack = http_post(b.port(), "/api/v1/incidents/" + id + "/ack", R"({"by":"alice"})");
  REQUIRE_MESSAGE(ack.status == 200, ack.body);
  CHECK(ack.json()["state"] == "acknowledged");
  CHECK(eventually([&] { return listed_incidents(a)[0]["state"] == "acknowledged"; }));

  // Both replicas are asked to resolve at once: one history entry, one state.
  std::atomic<int> ok{0};
  std::thread first([&] { ok += http_post(a.port(), "/api/v1/incidents/" + id + "/resolve", "{}").status == 200; });
  std::thread second([&] { ok += http_post(b.port(), "/api/v1/incidents/" + id + "/resolve", "{}").status == 200; });
  first.join();
  second.join();
  CHECK(ok >= 1);
  for (const Daemon* replica : {&a, &b}) {
    CHECK(eventually([&] { return listed_incidents(*replica)[0]["state"] == "resolved"; }));
    int resolutions = 0;
    const nlohmann::json incident = http_get(replica->port(), "/api/v1/incidents/" + id).json();
    for (const auto& entry : incident["history"])
      resolutions += entry["action"] == "resolved";
    CHECK(resolutions == 1);
  }

  // For operators: exactly one leads, and both applied the same journal.
  CHECK(metric(a, "faultline_replica_leading") + metric(b, "faultline_replica_leading") == 1);
  CHECK(eventually([&] {
    const double position = metric(a, "faultline_journal_position");
    return position > 0 && position == metric(b, "faultline_journal_position");
  }));
}

TEST_CASE("replicas: an ack whose journal append fails is answered 503 and never applied later") {
  const std::string url = fresh_database("append_fails");
  const std::string database = url.substr(url.rfind('/') + 1);
  Daemon a(url);
  const auto lines = read_lines(std::string(FAULTLINE_CORPUS) + "/failures/01_seed_netra_monitoring_cascade.ndjson");
  std::string body;
  for (const auto& line : lines) body += line + "\n";
  REQUIRE(http_post(a.port(), "/v1/logs", body, "application/x-ndjson").status == 200);
  REQUIRE(listed_incidents(a).size() == 1);
  const std::string target = "/api/v1/incidents/" + listed_incidents(a)[0]["id"].get<std::string>();

  // The database refuses journal appends for a while.
  RunResult refuse = postgres().psql(database,
      "CREATE FUNCTION refuse_append() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION "
      "'appends refused'; END $$; CREATE TRIGGER refuse_append BEFORE INSERT ON journal FOR EACH ROW "
      "EXECUTE FUNCTION refuse_append()");
  REQUIRE_MESSAGE(refuse.exit_code == 0, refuse.err);
  HttpResult refused = http_post(a.port(), target + "/ack", R"({"by":"alice"})");
  CHECK(refused.status == 503);
  RunResult allow = postgres().psql(database, "DROP TRIGGER refuse_append ON journal");
  REQUIRE_MESSAGE(allow.exit_code == 0, allow.err);

  // The next append (a redelivery's) must not carry the refused ack along.
  REQUIRE(http_post(a.port(), "/v1/logs", body, "application/x-ndjson").status == 200);
  CHECK(http_get(a.port(), target).json()["state"] == "open");
  HttpResult retried = http_post(a.port(), target + "/ack", R"({"by":"alice"})");
  CHECK_MESSAGE(retried.status == 200, retried.body);
  CHECK(retried.json()["state"] == "acknowledged");
  Daemon b(url);  // a replica that reads the journal from the start sees one ack
  REQUIRE(eventually([&] { return !listed_incidents(b).empty() && listed_incidents(b)[0]["state"] == "acknowledged"; }));
  int acks = 0;
  const nlohmann::json history = http_get(b.port(), target).json()["history"];
  for (const auto& entry : history) acks += entry["action"] == "acknowledged";
  CHECK_MESSAGE(acks == 1, history.dump());
  CHECK(a.stop() == 0);
  CHECK(b.stop() == 0);
}

TEST_CASE("a --store URL that cannot be reached stops the daemon with exit 2, naming the server, not the password") {
  const std::string url = "postgres://faultline:s3cret@127.0.0.1:" + std::to_string(free_loopback_port()) + "/x";
  RunResult run = run_command({FAULTLINE_BINARY, "serve", "--listen", "127.0.0.1:0", "--store", url, "--rules", rules_dir()});
  CHECK(run.exit_code == 2);
  CHECK(run.err.find("postgres://faultline:***@127.0.0.1:") != std::string::npos);
  CHECK(run.err.find("s3cret") == std::string::npos);
}

}  // namespace faultline::testing
