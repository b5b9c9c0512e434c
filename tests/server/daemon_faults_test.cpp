// Acceptance (issue 5, "Load and faults"): the real daemon on loopback under
// what production does to it — rule reloads in the middle of sustained ingest,
// slow clients up to the connection cap, a store whose disk is full, an
// Alertmanager that is down and comes back, 100,000 distinct services, hosts
// whose clocks are hours off. Each case is bounded in time, asserts what a user
// would notice (answers, incidents, metrics, alerts, memory) and never a timing
// threshold, and stops every process it starts by its PID.
#include <doctest/doctest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <filesystem>
#include <map>
#include <set>
#include <sstream>
#include <thread>

#include "parsers/timestamp.h"
#include "tests/server/daemon_process.h"
#include "tests/support/files.h"
#include "tests/support/peer_process.h"
#include "tests/support/subprocess.h"

namespace faultline::testing {
namespace {

namespace http = boost::beast::http;
using namespace std::chrono_literals;

std::string failure_file(const std::string& name) {
  return std::string(FAULTLINE_CORPUS) + "/failures/" + name + ".ndjson";
}

std::vector<std::string> all_failure_files() {
  std::vector<std::string> files;
  for (const auto& entry : std::filesystem::directory_iterator(std::string(FAULTLINE_CORPUS) + "/failures"))
    if (entry.path().extension() == ".ndjson") files.push_back(entry.path().string());
  std::sort(files.begin(), files.end());
  return files;
}

std::string ndjson(const std::vector<std::string>& lines) {
  std::string body;
  for (const auto& line : lines) body += line + "\n";
  return body;
}

// `faultline scan --json` over the files, in one pipeline.
nlohmann::json scan_incidents(const std::vector<std::string>& files) {
  std::vector<std::string> argv = {FAULTLINE_BINARY, "scan", "--json", "--rules", rules_dir()};
  argv.insert(argv.end(), files.begin(), files.end());
  RunResult scan = run_command(argv);
  auto json = nlohmann::json::parse(scan.out, nullptr, false);
  REQUIRE_MESSAGE((scan.exit_code == 0 || scan.exit_code == 1), scan.err);
  REQUIRE_MESSAGE((!json.is_discarded() && json.contains("incidents")), (scan.out + scan.err));
  return json["incidents"];
}

// Every incident the daemon holds, page after page.
nlohmann::json list_all_incidents(uint16_t port, size_t page_size = 1000, size_t* pages = nullptr,
                                  size_t* largest_page = nullptr) {
  nlohmann::json all = nlohmann::json::array();
  std::string cursor;
  size_t count = 0, largest = 0;
  for (;;) {
    HttpResult page = http_get(port, "/api/v1/incidents?state=all&limit=" + std::to_string(page_size) +
                                         (cursor.empty() ? "" : "&cursor=" + cursor));
    REQUIRE_MESSAGE(page.status == 200, page.body);
    const auto json = page.json();
    ++count;
    largest = std::max(largest, json["incidents"].size());
    for (const auto& incident : json["incidents"]) all.push_back(incident);
    if (json["next_cursor"].is_null()) break;
    cursor = json["next_cursor"].get<std::string>();
    REQUIRE(count < 10000);
  }
  if (pages) *pages = count;
  if (largest_page) *largest_page = largest;
  return all;
}

// What must agree between live ingest and replay: who, why, how much, how bad, where it stands.
std::string projection(const nlohmann::json& incident, bool with_chain = false) {
  nlohmann::json out = {{"service", incident.value("service", "")},
                        {"rule", incident["root_cause"].value("rule", "")},
                        {"captures", incident["root_cause"].value("captures", nlohmann::json::object())},
                        {"crash_loop", incident.value("crash_loop", false)},
                        {"exits", incident.value("exits", -1)},
                        {"occurrences", incident.value("occurrences", -1)},
                        {"state", incident.value("state", "")}};
  if (with_chain) {
    std::vector<std::string> chain;
    for (const auto& link : incident["chain"])
      chain.push_back(link.value("kind", "") + " " + link.value("rule", "") + " x" +
                      std::to_string(link.value("count", 0)));
    std::sort(chain.begin(), chain.end());
    out["chain"] = chain;
  }
  return out.dump();
}

std::vector<std::string> projections(const nlohmann::json& incidents, bool with_chain = false) {
  std::vector<std::string> out;
  for (const auto& incident : incidents) out.push_back(projection(incident, with_chain));
  std::sort(out.begin(), out.end());
  return out;
}

std::string joined(const std::vector<std::string>& lines) {
  std::string out;
  for (const auto& line : lines) out += line + "\n";
  return out;
}

// The exposition as series (name and labels, as written) -> value.
std::map<std::string, double> parse_metrics(const std::string& text) {
  std::map<std::string, double> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (line.empty() || line[0] == '#') continue;
    const size_t space = line.rfind(' ');
    if (space == std::string::npos) continue;
    out[line.substr(0, space)] = std::stod(line.substr(space + 1));
  }
  return out;
}

double metric(uint16_t port, const std::string& series) {
  auto metrics = parse_metrics(http_get(port, "/metrics").body);
  auto it = metrics.find(series);
  return it == metrics.end() ? -1 : it->second;
}

// 0 while nothing listens yet.
int status_of(uint16_t port, const std::string& target) {
  try {
    return http_get(port, target).status;
  } catch (const std::exception&) {
    return 0;
  }
}

// ---- raw connections, for clients that do not speak HTTP properly -------------

// A connected loopback socket whose reads give up after 10 s (-1 on failure).
int open_connection(uint16_t port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return -1;
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
    close(fd);
    return -1;
  }
  timeval timeout{10, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  return fd;
}

struct ReadOutcome {
  bool closed = false;  // the daemon closed (or reset) the connection
  std::string data;     // what it sent before that
};

// Reads until the daemon closes the connection, or 10 s pass with nothing.
ReadOutcome read_until_closed(int fd) {
  ReadOutcome outcome;
  char buffer[4096];
  for (;;) {
    ssize_t n = recv(fd, buffer, sizeof buffer, 0);
    if (n > 0) {
      outcome.data.append(buffer, static_cast<size_t>(n));
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    outcome.closed = n == 0 || errno == ECONNRESET;
    return outcome;
  }
}

std::string header_of(const std::string& response, const std::string& name) {
  std::istringstream in(response);
  for (std::string line; std::getline(in, line) && line != "\r";) {
    if (line.size() <= name.size() + 1 || line[name.size()] != ':') continue;
    std::string field = line.substr(0, name.size());
    std::transform(field.begin(), field.end(), field.begin(), [](unsigned char c) { return std::tolower(c); });
    if (field != name) continue;
    std::string value = line.substr(name.size() + 1);
    while (!value.empty() && (value.front() == ' ')) value.erase(0, 1);
    while (!value.empty() && (value.back() == '\r' || value.back() == ' ')) value.pop_back();
    return value;
  }
  return "";
}

// ---- timestamps -----------------------------------------------------------------

Timestamp wall_now() {
  return Timestamp{std::chrono::time_point_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now())};
}

Timestamp time_of(const std::string& log_entry) {
  return *parse_rfc3339(nlohmann::json::parse(log_entry)["timestamp"].get<std::string>());
}

// The LogEntry as a host whose clock is off by `shift` would have written it.
std::string shifted(const std::string& log_entry, std::chrono::nanoseconds shift) {
  auto entry = nlohmann::json::parse(log_entry);
  for (const char* field : {"timestamp", "receiveTimestamp"})
    if (entry.contains(field))
      entry[field] = format_rfc3339(*parse_rfc3339(entry[field].get<std::string>()) + shift);
  return entry.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::vector<std::string> shifted_to(const std::vector<std::string>& lines, Timestamp first) {
  const auto shift = first - time_of(lines.front());
  std::vector<std::string> out;
  for (const auto& line : lines) out.push_back(shifted(line, shift));
  return out;
}

}  // namespace

TEST_CASE("rules reloaded again and again under sustained ingest: every answer 200, scan's incidents") {
  TempDir dir;
  Daemon daemon(dir.file("faultline.db"));
  const auto files = all_failure_files();
  REQUIRE(files.size() >= 12);
  std::vector<std::vector<std::string>> scenarios;
  for (const auto& file : files) scenarios.push_back(read_lines(file));
  const double rules_loaded = metric(daemon.port(), "faultline_rules_loaded");
  REQUIRE(rules_loaded > 0);

  // Three clients push every scenario for at least four seconds (and at least one
  // whole pass each), alternating whole NDJSON batches and one Pub/Sub push per
  // line: every record arrives several times, in different interleavings.
  constexpr int kClients = 3;
  const auto load_for = 4s;
  const auto started = std::chrono::steady_clock::now();
  std::atomic<int> clients_running{kClients};
  std::vector<std::vector<std::string>> failures(kClients);
  std::vector<size_t> requests(kClients, 0);
  std::vector<std::thread> clients;
  for (int c = 0; c < kClients; ++c)
    clients.emplace_back([&, c] {
      auto post = [&](const std::string& target, const std::string& body, const std::string& type) {
        ++requests[c];
        try {
          HttpResult result = http_post(daemon.port(), target, body, type);
          if (result.status != 200)
            failures[c].push_back(target + " -> " + std::to_string(result.status) + " " + result.body);
        } catch (const std::exception& e) {
          failures[c].push_back(target + " -> " + e.what());
        }
      };
      for (size_t round = 0;; ++round) {
        for (size_t k = 0; k < scenarios.size(); ++k) {
          const size_t s = (k + static_cast<size_t>(c) * 4) % scenarios.size();
          if ((round + static_cast<size_t>(c)) % 2 == 0) {
            post("/v1/logs", ndjson(scenarios[s]), "application/x-ndjson");
          } else {
            for (size_t i = 0; i < scenarios[s].size(); ++i)
              post("/v1/push/pubsub", pubsub_envelope(scenarios[s][i], std::to_string(s) + "-" + std::to_string(i)),
                   "application/json");
          }
        }
        if (std::chrono::steady_clock::now() - started >= load_for) break;
      }
      clients_running.fetch_sub(1);
    });

  // Meanwhile: POST /-/reload and SIGHUP, alternately, until the clients are done.
  std::vector<std::string> reload_failures;
  int reloads = 0, hangups = 0;
  while (clients_running.load() > 0) {
    ++reloads;
    try {
      HttpResult reload = http_request(daemon.port(), http::verb::post, "/-/reload");
      if (reload.status != 200) reload_failures.push_back(std::to_string(reload.status) + " " + reload.body);
    } catch (const std::exception& e) {
      reload_failures.push_back(e.what());
    }
    std::this_thread::sleep_for(40ms);
    daemon.signal(SIGHUP);
    ++hangups;
    std::this_thread::sleep_for(40ms);
  }
  for (auto& client : clients) client.join();

  size_t total_requests = 0;
  for (int c = 0; c < kClients; ++c) {
    total_requests += requests[c];
    CHECK_MESSAGE(failures[c].empty(), joined(failures[c]));
  }
  MESSAGE(total_requests << " ingest requests, " << reloads << " reloads, " << hangups << " SIGHUPs");
  CHECK(reloads >= 10);
  CHECK_MESSAGE(reload_failures.empty(), joined(reload_failures));
  CHECK(daemon.wait_for_log("rules reloaded trigger=SIGHUP"));
  CHECK(http_get(daemon.port(), "/healthz").status == 200);
  CHECK(http_get(daemon.port(), "/readyz").status == 200);
  CHECK(metric(daemon.port(), "faultline_config_last_reload_successful") == 1);
  CHECK(metric(daemon.port(), "faultline_rules_loaded") == rules_loaded);

  const nlohmann::json live = list_all_incidents(daemon.port());
  const nlohmann::json replayed = scan_incidents(files);
  CHECK(live.size() == replayed.size());
  CHECK_MESSAGE(projections(live) == projections(replayed), (joined(projections(live)) + "--- scan:\n" + joined(projections(replayed))));
  CHECK(daemon.stop() == 0);  // never crashed: a clean drain and exit
}

TEST_CASE("slowloris up to the connection cap: normal clients served, over the cap 503, slow ones closed") {
  constexpr size_t kCap = 40;
  constexpr size_t kSlow = kCap - 5;
  TempDir dir;
  write_text(dir.file("faultline.yaml"), "limits:\n  max_connections: 40\ntimeouts:\n  header: 2s\n");
  Daemon daemon(dir.file("faultline.db"), {"--config", dir.file("faultline.yaml")});
  const auto seed = read_lines(failure_file("01_seed_netra_monitoring_cascade"));

  // Slow clients: a request line and headers, one byte every 200 ms, never finished.
  const std::string slow_request = "POST /v1/logs HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-ndjson\r\n"
                                   "X-Trickle: " + std::string(400, 't') + "\r\n";
  std::vector<int> slow;
  for (size_t i = 0; i < kSlow; ++i) {
    const int fd = open_connection(daemon.port());
    REQUIRE(fd >= 0);
    REQUIRE(send(fd, slow_request.data(), 1, MSG_NOSIGNAL) == 1);
    slow.push_back(fd);
  }
  std::atomic<bool> trickling{true};
  std::thread trickler([&] {
    for (size_t at = 1; trickling.load() && at < slow_request.size(); ++at) {
      std::this_thread::sleep_for(200ms);
      for (int fd : slow) send(fd, slow_request.data() + at, 1, MSG_NOSIGNAL | MSG_DONTWAIT);  // fails once closed
    }
  });

  // Normal clients are served meanwhile.
  CHECK(http_get(daemon.port(), "/healthz").status == 200);
  HttpResult seeded = http_post(daemon.port(), "/v1/logs", seed[0] + "\n", "application/x-ndjson");
  CHECK_MESSAGE(seeded.status == 200, seeded.body);
  CHECK(seeded.json().value("accepted", 0) == 1);
  // The daemon holds every slow connection (and this one).
  REQUIRE(eventually([&] { return metric(daemon.port(), "faultline_http_connections") == kSlow + 1; }, 1500ms));

  // Up to the cap and three beyond: the ones beyond are answered 503 at once.
  std::vector<int> extra;
  for (size_t i = 0; i < kCap - kSlow + 3; ++i) {
    const int fd = open_connection(daemon.port());
    REQUIRE(fd >= 0);
    extra.push_back(fd);
  }
  size_t rejected = 0, held = 0;
  for (int fd : extra) {
    ReadOutcome outcome = read_until_closed(fd);
    close(fd);
    CHECK(outcome.closed);
    if (outcome.data.empty()) {
      ++held;  // accepted, then closed at the header timeout: it never sent a byte
      continue;
    }
    ++rejected;
    CAPTURE(outcome.data);
    CHECK(outcome.data.starts_with("HTTP/1.1 503 "));
    CHECK(header_of(outcome.data, "retry-after") == "1");
    CHECK(header_of(outcome.data, "content-type") == "application/problem+json");
    const auto body = nlohmann::json::parse(outcome.data.substr(outcome.data.find("\r\n\r\n") + 4), nullptr, false);
    CHECK(body.value("status", 0) == 503);
    CHECK(body["limit"].value("name", "") == "limits.max_connections");
    CHECK(body["limit"].value("value", size_t{0}) == kCap);
  }
  // Never more than the cap at once; one connection of ours may still have been
  // on its way out when the extra ones arrived.
  CHECK(held <= kCap - kSlow);
  CHECK(held + 1 >= kCap - kSlow);
  CHECK(rejected >= 3);
  MESSAGE(kSlow << " slow clients held, " << held << " more accepted up to the cap, " << rejected << " refused with 503");

  // The header timeout closes every slow client, without an answer or with 408.
  for (int fd : slow) {
    ReadOutcome outcome = read_until_closed(fd);
    CAPTURE(outcome.data);
    CHECK(outcome.closed);
    CHECK((outcome.data.empty() || outcome.data.starts_with("HTTP/1.1 408 ")));
  }
  trickling.store(false);
  trickler.join();
  for (int fd : slow) close(fd);

  // Capacity is back: nobody is held, and a full house of clients is served again.
  CHECK(eventually([&] { return metric(daemon.port(), "faultline_http_connections") == 1; }, 3s));
  CHECK(metric(daemon.port(), "faultline_http_connections_rejected_total") == static_cast<double>(rejected));
  std::vector<int> idle;
  for (size_t i = 0; i + 2 < kCap; ++i) idle.push_back(open_connection(daemon.port()));
  CHECK(http_get(daemon.port(), "/healthz").status == 200);
  for (int fd : idle) {
    CHECK(fd >= 0);
    if (fd >= 0) close(fd);
  }
  HttpResult after = http_post(daemon.port(), "/v1/logs", seed[1] + "\n", "application/x-ndjson");
  CHECK_MESSAGE(after.status == 200, after.body);
  CHECK(daemon.stop() == 0);
}

// The disk is full: the daemon's file-size limit (RLIMIT_FSIZE, set from outside
// with util-linux prlimit on the running daemon) is lowered to the store's
// current size, so SQLite's next write past the end of its files fails with
// EFBIG, as it would with ENOSPC on a full volume.
TEST_CASE("store disk full: 503 with Retry-After, not ready, nothing acknowledged that is not stored") {
  const auto before = read_lines(failure_file("01_seed_netra_monitoring_cascade"));
  const auto during = read_lines(failure_file("12_shared_library_missing"));
  TempDir dir;
  const std::string store = dir.file("faultline.db");
  {
    Daemon daemon(store);
    for (size_t i = 0; i < before.size(); ++i) {
      HttpResult result = http_post(daemon.port(), "/v1/push/pubsub", pubsub_envelope(before[i], "before-" + std::to_string(i)));
      REQUIRE_MESSAGE(result.status == 200, result.body);
    }
    const auto size_of = [](const std::string& path) {
      std::error_code ec;
      auto size = std::filesystem::file_size(path, ec);
      return ec ? std::uintmax_t{0} : size;
    };
    const std::uintmax_t full = std::max(size_of(store), size_of(store + "-wal"));
    REQUIRE(full > 0);
    RunResult limit = run_command({"/usr/bin/prlimit", "--pid", std::to_string(daemon.pid()),
                                   "--fsize=" + std::to_string(full) + ":unlimited"});  // soft limit only: lifting it needs no privilege
    REQUIRE_MESSAGE(limit.exit_code == 0, ("prlimit on the daemon failed: " + limit.err));

    // A new cascade: what needs storing is refused, and says so.
    std::vector<size_t> refused;
    for (size_t i = 0; i < during.size(); ++i) {
      HttpResult result = http_post(daemon.port(), "/v1/push/pubsub", pubsub_envelope(during[i], "during-" + std::to_string(i)));
      CAPTURE(i);
      CAPTURE(result.body);
      REQUIRE((result.status == 200 || result.status == 503));
      if (result.status == 200) {
        CHECK(result.json().value("matched", -1) == 0);  // acknowledged only because nothing needed storing
        continue;
      }
      refused.push_back(i);
      CHECK(result.header("retry-after") == "1");
      CHECK(result.header("content-type") == "application/problem+json");
      const auto problem = result.json();
      CHECK(problem.value("status", 0) == 503);
      CHECK(problem.value("type", "").ends_with("store-unavailable"));
      CHECK(problem.contains("title"));
      CHECK(problem.value("detail", "").find("nothing from this request was acknowledged") != std::string::npos);
    }
    REQUIRE_MESSAGE(!refused.empty(), daemon.log());
    MESSAGE(refused.size() << " of " << during.size() << " pushes refused while the disk was full");
    HttpResult ready = http_get(daemon.port(), "/readyz");
    CHECK(ready.status == 503);
    CHECK(ready.header("retry-after") == "1");
    CHECK(ready.header("content-type") == "application/problem+json");
    CHECK(ready.body.find("store") != std::string::npos);
    CHECK(http_get(daemon.port(), "/healthz").status == 200);  // alive: no restart needed
    CHECK(metric(daemon.port(), "faultline_store_commit_failures_total") >= static_cast<double>(refused.size()));
    CHECK(metric(daemon.port(), "faultline_ingest_rejected_total{reason=\"store_unavailable\"}") ==
          static_cast<double>(refused.size()));

    // Space again; Pub/Sub redelivers what was not acknowledged.
    RunResult lift = run_command({"/usr/bin/prlimit", "--pid", std::to_string(daemon.pid()), "--fsize=unlimited:unlimited"});
    REQUIRE_MESSAGE(lift.exit_code == 0, lift.err);
    for (size_t i : refused) {
      HttpResult result = http_post(daemon.port(), "/v1/push/pubsub", pubsub_envelope(during[i], "during-" + std::to_string(i)));
      CHECK_MESSAGE(result.status == 200, result.body);
    }
    CHECK(eventually([&] { return status_of(daemon.port(), "/readyz") == 200; }, 5s));
    daemon.kill9();
  }

  // Everything acknowledged is in the store, counted once.
  write_text(dir.file("acknowledged.ndjson"), ndjson(before) + ndjson(during));
  const nlohmann::json replayed = scan_incidents({dir.file("acknowledged.ndjson")});
  Daemon restarted(store);
  const nlohmann::json stored = list_all_incidents(restarted.port());
  CHECK(stored.size() == replayed.size());
  CHECK_MESSAGE(projections(stored) == projections(replayed), (joined(projections(stored)) + "--- scan:\n" + joined(projections(replayed))));
  CHECK(restarted.stop() == 0);
}

// An ack or resolve that the store cannot commit is answered 503 ("nothing
// from this request was acknowledged"), so it must not be done: the incident
// shows its state before, the client's retry does it (no 409), and the store
// holds each action once.
TEST_CASE("store disk full during ack and resolve: 503 and not done, the retry does it, stored once") {
  const auto seed = read_lines(failure_file("01_seed_netra_monitoring_cascade"));
  TempDir dir;
  const std::string store = dir.file("faultline.db");
  std::string target;
  {
    Daemon daemon(store);
    REQUIRE(http_post(daemon.port(), "/v1/logs", ndjson(seed), "application/x-ndjson").status == 200);
    const nlohmann::json listed = http_get(daemon.port(), "/api/v1/incidents").json()["incidents"];
    REQUIRE(listed.size() == 1);
    target = "/api/v1/incidents/" + listed[0]["id"].get<std::string>();
    auto file_size_limit = [&](const std::string& limit) {
      RunResult r = run_command({"/usr/bin/prlimit", "--pid", std::to_string(daemon.pid()), "--fsize=" + limit});
      REQUIRE_MESSAGE(r.exit_code == 0, r.err);
    };
    for (const std::string action : {"ack", "resolve"}) {
      CAPTURE(action);
      const nlohmann::json before = http_get(daemon.port(), target).json()["state"];
      file_size_limit("1:unlimited");  // no write past the first byte of any file: the disk is full
      HttpResult refused = http_post(daemon.port(), target + "/" + action, R"({"by":"alice"})");
      CHECK(refused.status == 503);
      CHECK(refused.json().value("detail", "").find("nothing from this request was acknowledged") != std::string::npos);
      CHECK(http_get(daemon.port(), target).json()["state"] == before);
      file_size_limit("unlimited:unlimited");
      HttpResult retried = http_post(daemon.port(), target + "/" + action, R"({"by":"alice"})");
      CHECK_MESSAGE(retried.status == 200, retried.body);
    }
    daemon.kill9();
  }
  Daemon restarted(store);
  const nlohmann::json stored = http_get(restarted.port(), target).json();
  CHECK(stored["state"] == "resolved");
  std::map<std::string, int> actions;
  for (const auto& entry : stored["history"]) ++actions[entry["action"].get<std::string>()];
  CHECK(actions["acknowledged"] == 1);
  CHECK(actions["resolved"] == 1);
  CHECK(restarted.stop() == 0);
}

TEST_CASE("Alertmanager down, then back: the alert arrives once, with the root cause") {
  constexpr const char* kAlertmanager = "/usr/bin/prometheus-alertmanager";
  REQUIRE_MESSAGE(std::filesystem::exists(kAlertmanager), "prometheus-alertmanager is missing: run scripts/install-deps.sh");
  TempDir dir;
  const uint16_t am_port = free_loopback_port();  // nothing listens there yet
  write_text(dir.file("faultline.yaml"), "alerts:\n  group_wait: 0s\n");
  Daemon daemon(dir.file("faultline.db"), {"--config", dir.file("faultline.yaml"), "--alertmanager",
                                           "http://127.0.0.1:" + std::to_string(am_port)});
  const std::string seed = read_file(failure_file("01_seed_netra_monitoring_cascade"));
  HttpResult ingest = http_post(daemon.port(), "/v1/logs", seed, "application/x-ndjson");
  REQUIRE_MESSAGE(ingest.status == 200, ingest.body);  // ingest never waits for Alertmanager

  const std::string failed = "faultline_alerts_sent_total{result=\"failed\"}";
  REQUIRE_MESSAGE(eventually([&] { return metric(daemon.port(), failed) > 0; }, 10s), daemon.log());
  CHECK(metric(daemon.port(), "faultline_alerts_sent_total{result=\"sent\"}") == 0);
  CHECK(http_get(daemon.port(), "/readyz").status == 200);  // a down Alertmanager does not make the daemon unready

  write_text(dir.file("am.yml"),
             "route: {receiver: 'null', group_by: [alertname], group_wait: 1s, group_interval: 5s, repeat_interval: 1h}\n"
             "receivers: [{name: 'null'}]\n");
  PeerProcess alertmanager({kAlertmanager, "--config.file=" + dir.file("am.yml"), "--storage.path=" + dir.file("am"),
                            "--web.listen-address=127.0.0.1:" + std::to_string(am_port), "--cluster.listen-address="},
                           dir.file("alertmanager.log"));
  auto active_alerts = [&] {
    HttpResult result;
    try {
      result = http_get(am_port, "/api/v2/alerts");
    } catch (const std::exception&) {
      return nlohmann::json::array();
    }
    return result.status == 200 ? result.json() : nlohmann::json::array();
  };
  // The retry that gets through is counted once Alertmanager has answered it: one
  // alert, not one per failed attempt, would be in that count.
  const std::string sent = "faultline_alerts_sent_total{result=\"sent\"}";
  REQUIRE_MESSAGE(eventually([&] { return metric(daemon.port(), sent) >= 1; }, 20s),
                  (daemon.log() + "\n" + alertmanager.log()));
  CHECK(metric(daemon.port(), sent) == 1);
  const nlohmann::json alerts = active_alerts();
  REQUIRE(alerts.size() == 1);
  const auto& labels = alerts[0]["labels"];
  CHECK(labels["alertname"] == "FaultlineIncident");
  CHECK(labels["service"] == "netra-backend-staging");
  CHECK(labels["root_cause"] == "python_module_not_found");
  CHECK(labels["severity"] == "critical");
  CHECK(labels["crash_loop"] == "true");
  CHECK(alerts[0]["status"]["state"] == "active");
  const auto incidents = http_get(daemon.port(), "/api/v1/incidents").json()["incidents"];
  REQUIRE(incidents.size() == 1);
  CHECK(labels["incident_id"] == incidents[0]["id"]);
  CHECK(metric(daemon.port(), sent) == 1);  // and none since
  CHECK(metric(daemon.port(), "faultline_alerts_sent_total{result=\"dropped\"}") == 0);
  CHECK(daemon.stop() == 0);
  alertmanager.stop();
}

TEST_CASE("100k distinct services: label cap, incident cap and bounded memory") {
  constexpr size_t kServices = 100000;
  constexpr size_t kBatch = 10000;
  constexpr size_t kMaxLabels = 200;
  constexpr size_t kMaxIncidents = 1000;
  TempDir dir;
  write_text(dir.file("faultline.yaml"),
             "limits:\n  max_service_labels: 200\ncorrelation:\n  max_incidents: 1000\n");
  Daemon daemon(dir.file("faultline.db"), {"--config", dir.file("faultline.yaml")});

  // Each service's container exits once with no cause line: a generic_exit incident per service.
  for (size_t first = 0; first < kServices; first += kBatch) {
    std::string body;
    for (size_t n = first; n < first + kBatch; ++n)
      body += R"({"service":"svc-)" + std::to_string(n) +
              R"(","stream":"system","severity":"WARNING","message":"Container called exit(1)."})" "\n";
    HttpResult result = http_post(daemon.port(), "/v1/logs", body, "application/x-ndjson");
    CAPTURE(first);
    REQUIRE_MESSAGE(result.status == 200, result.body);
    CHECK(result.json().value("accepted", 0) == kBatch);
    CHECK(result.json().value("matched", 0) == kBatch);
  }

  // Metrics: at most max_service_labels distinct services per metric, plus "_other".
  const auto metrics = parse_metrics(http_get(daemon.port(), "/metrics").body);
  std::map<std::string, std::set<std::string>> services_by_metric;
  double open_incidents = 0;
  for (const auto& [series, value] : metrics) {
    const size_t at = series.find("service=\"");
    if (at == std::string::npos) continue;
    const size_t start = at + 9;
    services_by_metric[series.substr(0, series.find('{'))].insert(series.substr(start, series.find('"', start) - start));
    if (series.starts_with("faultline_incidents_open{")) open_incidents += value;
  }
  REQUIRE(services_by_metric.count("faultline_container_exits_total"));
  REQUIRE(services_by_metric.count("faultline_incidents_opened_total"));
  for (const auto& metric_services : services_by_metric) {
    // Not a structured binding: clang before 16 cannot capture one in CAPTURE's lambda.
    const std::string& name = metric_services.first;
    const auto& services = metric_services.second;
    CAPTURE(name);
    CHECK(services.size() <= kMaxLabels + 1);
    for (const auto& service : services) CHECK((service == "_other" || service.starts_with("svc-")));
  }
  CHECK(services_by_metric["faultline_container_exits_total"].count("_other") == 1);
  CHECK(services_by_metric["faultline_incidents_opened_total"].count("_other") == 1);
  // At least every exit beyond the first 200 services was folded.
  CHECK(metrics.at("faultline_label_values_dropped_total{label=\"service\"}") >=
        static_cast<double>(kServices - kMaxLabels));
  CHECK(metrics.at("faultline_container_exits_total{code=\"1\",service=\"_other\"}") ==
        static_cast<double>(kServices - kMaxLabels));
  // The open-incident gauge counts what the daemon holds, not everything it ever saw.
  CHECK(open_incidents <= static_cast<double>(kMaxIncidents));

  // The correlator's cap: the API never lists more, and it kept the newest.
  size_t pages = 0, largest = 0;
  const nlohmann::json incidents = list_all_incidents(daemon.port(), 300, &pages, &largest);
  CHECK(incidents.size() <= kMaxIncidents);
  CHECK(incidents.size() >= kMaxIncidents * 9 / 10);
  CHECK(largest <= 300);
  for (const auto& incident : incidents) {
    const std::string service = incident.value("service", "");
    REQUIRE(service.starts_with("svc-"));
    CHECK(std::stoul(service.substr(4)) >= kServices - kBatch);  // from the last batch
    CHECK(incident["root_cause"]["rule"] == "generic_exit");
  }
  CHECK(http_get(daemon.port(), "/readyz").status == 200);

  // Peak memory: a bound on what 100k services may cost, not a speed.
  std::ifstream status("/proc/" + std::to_string(daemon.pid()) + "/status");
  size_t peak_kib = 0;
  for (std::string line; std::getline(status, line);)
    if (line.starts_with("VmHWM:")) peak_kib = std::stoul(line.substr(6));
  REQUIRE(peak_kib > 0);
  MESSAGE("peak RSS " << peak_kib / 1024 << " MiB");
  CHECK(peak_kib < 512 * 1024);
  CHECK(daemon.stop() == 0);
}

TEST_CASE("skewed clocks and reversed delivery: one incident per cascade, scan's chain, no negative delay") {
  const Timestamp now = wall_now();
  TempDir dir;
  // A host whose clock runs three hours fast (its lines pushed newest first), one
  // five hours slow (one batch).
  const auto future = shifted_to(read_lines(failure_file("10_node_cannot_find_module")), now + 3h);
  const auto past = shifted_to(read_lines(failure_file("11_java_class_not_found")), now - 5h);
  // A service whose new revision went healthy a minute ago: its incident waits
  // for resolve_quiet (5 min) without a failure before it resolves.
  auto recovery = read_lines(failure_file("06_recovery_after_fix"));
  const auto probe = std::find_if(recovery.begin(), recovery.end(), [](const std::string& line) {
    return line.find("STARTUP TCP probe succeeded") != std::string::npos;
  });
  REQUIRE(probe != recovery.end());
  recovery.erase(probe + 3, recovery.end());  // the probe and two 2xx requests
  recovery = shifted_to(recovery, now - 1min - (time_of(recovery.back()) - time_of(recovery.front())));
  // Delivered newest first, one push per line.
  const auto reversed = read_lines(failure_file("03_two_services_interleaved"));

  write_text(dir.file("future.ndjson"), ndjson(future));
  write_text(dir.file("past.ndjson"), ndjson(past));
  write_text(dir.file("recovery.ndjson"), ndjson(recovery));
  nlohmann::json expected = nlohmann::json::array();
  for (const std::string& file : {dir.file("recovery.ndjson"), dir.file("past.ndjson"), failure_file("03_two_services_interleaved"),
                                  dir.file("future.ndjson")})
    for (const auto& incident : scan_incidents({file})) expected.push_back(incident);

  Daemon daemon(dir.file("faultline.db"));
  size_t sent = 0, accepted = 0;
  auto push = [&](const std::vector<std::string>& lines, const std::string& prefix, bool newest_first) {
    for (size_t k = 0; k < lines.size(); ++k) {
      const size_t i = newest_first ? lines.size() - 1 - k : k;
      HttpResult result = http_post(daemon.port(), "/v1/push/pubsub", pubsub_envelope(lines[i], prefix + std::to_string(i)));
      REQUIRE_MESSAGE(result.status == 200, result.body);
      CHECK(result.json()["rejected"].empty());
      accepted += result.json().value("accepted", 0);
      ++sent;
    }
  };
  push(recovery, "recovery-", false);
  HttpResult past_batch = http_post(daemon.port(), "/v1/logs", ndjson(past), "application/x-ndjson");
  REQUIRE_MESSAGE(past_batch.status == 200, past_batch.body);
  accepted += past_batch.json().value("accepted", 0);
  sent += past.size();
  push(reversed, "reversed-", true);
  push(future, "future-", true);
  CHECK(accepted == sent);  // nothing dropped, nothing taken for a duplicate

  const nlohmann::json live = list_all_incidents(daemon.port());
  CHECK(live.size() == expected.size());
  CHECK_MESSAGE(projections(live, true) == projections(expected, true),
                (joined(projections(live, true)) + "--- scan:\n" + joined(projections(expected, true))));
  std::set<std::string> services;
  for (const auto& incident : live) {
    CAPTURE(incident.value("service", ""));
    services.insert(incident.value("service", ""));
    REQUIRE(incident["detection_delay_seconds"].is_number());
    CHECK(incident["detection_delay_seconds"].get<double>() >= 0);
  }
  CHECK(services == std::set<std::string>{"pdf-renderer", "ledger-service", "billing-api", "notifier", "webhooks"});
  // The host three hours ahead did not end pdf-renderer's quiet period for it.
  for (const auto& incident : live)
    if (incident["service"] == "pdf-renderer") CHECK(incident["state"] == "open");
  CHECK(daemon.stop() == 0);
}

}  // namespace faultline::testing
