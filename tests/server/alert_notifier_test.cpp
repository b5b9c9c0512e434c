// AlertNotifier against a recording transport: what Alertmanager would receive,
// when, and what happens when it is down.
#include <doctest/doctest.h>

#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>

#include "server/alerts/alert_notifier.h"

namespace faultline {
namespace {

using namespace std::chrono_literals;

Timestamp wall_now() {
  return Timestamp{std::chrono::time_point_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now())};
}

// Stands in for Alertmanager: keeps every POST body; can be made to refuse.
class RecordingTransport {
 public:
  AlertTransport transport() {
    return [this](const HttpUrl& url, const std::string& body) {
      std::lock_guard lock(mutex_);
      HttpClientResult result;
      if (down_) {
        result.error = "connect " + url.host + ": Connection refused";
        ++refused_;
      } else {
        posts_.push_back(nlohmann::json::parse(body));
        result.status = 200;
      }
      changed_.notify_all();
      return result;
    };
  }
  void set_down(bool down) {
    std::lock_guard lock(mutex_);
    down_ = down;
  }
  // Waits (up to `timeout`) until `ready` holds over the POSTs received so far.
  bool wait(const std::function<bool(const std::vector<nlohmann::json>&, int refused)>& ready,
            std::chrono::milliseconds timeout = 10s) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, timeout, [&] { return ready(posts_, refused_); });
  }
  std::vector<nlohmann::json> posts() {
    std::lock_guard lock(mutex_);
    return posts_;
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<nlohmann::json> posts_;
  int refused_ = 0;
  bool down_ = false;
};

Incident cascade(std::string id, bool crash_loop = false) {
  Incident incident;
  incident.id = std::move(id);
  incident.service = "checkout";
  incident.severity = crash_loop ? Severity::critical : Severity::warning;
  incident.crash_loop = crash_loop;
  incident.root_cause.rule = "python_module_not_found";
  incident.root_cause.message = "ModuleNotFoundError: No module named 'app.services.monitoring'";
  incident.root_cause.frame = Frame{"/app/app/main.py", 12, "<module>"};
  incident.chain = {{"python_module_not_found", RuleKind::cause, 2, {}, {}, incident.root_cause.message},
                    {"container_exit", RuleKind::exit, crash_loop ? 3 : 1, {}, {}, "Container called exit(3)."}};
  incident.exits = crash_loop ? 3 : 1;
  incident.exit_codes = {{"3", incident.exits}};
  incident.instances = {"i-1"};
  incident.revisions = {"checkout-00042-abc"};
  incident.summary = "Python module app.services.monitoring cannot be imported";
  incident.hint = "The module is the service's own package: check the image's COPY and WORKDIR.";
  incident.opened_at = wall_now() - 10s;
  return incident;
}

void change(AlertNotifier& notifier, IncidentChange::Type type, const Incident& incident) {
  notifier.on_change({type, incident.id, ""}, &incident);
  notifier.on_batch_end();
}

struct Counts {
  std::mutex mutex;
  std::map<std::string, size_t> by_result;
  AlertCounter counter() {
    return [this](std::string_view result, size_t n) {
      std::lock_guard lock(mutex);
      by_result[std::string(result)] += n;
    };
  }
  size_t operator[](const std::string& result) {
    std::lock_guard lock(mutex);
    return by_result[result];
  }
};

AlertNotifierOptions options(std::chrono::nanoseconds group_wait = 0s) {
  AlertNotifierOptions o;
  o.alertmanagers = {HttpUrl{false, "127.0.0.1", 9093, ""}};
  o.links = {"https://faultline.example.com", "https://runbooks.example.com/{rule}"};
  o.group_wait = group_wait;
  o.resend_interval = 1h;  // no re-sends during a test unless asked
  return o;
}

bool has_alert(const nlohmann::json& post, const std::string& crash_loop, bool resolved) {
  for (const auto& alert : post) {
    if (alert["labels"]["crash_loop"] != crash_loop) continue;
    const bool ended = parse_rfc3339(alert["endsAt"].get<std::string>()) <= wall_now();
    if (ended == resolved) return true;
  }
  return false;
}

}  // namespace

TEST_CASE("an opened incident becomes one alert carrying the cascade's evidence") {
  RecordingTransport am;
  Logger log(LogLevel::error);
  Counts counts;
  AlertNotifier notifier(options(), am.transport(), counts.counter(), log, wall_now);
  notifier.start();
  Incident incident = cascade("abc123");
  change(notifier, IncidentChange::Type::opened, incident);
  REQUIRE(am.wait([](const auto& posts, int) { return !posts.empty(); }));

  const nlohmann::json alert = am.posts().front().at(0);
  CHECK(alert["labels"] == nlohmann::json{{"alertname", "FaultlineIncident"}, {"service", "checkout"},
                                          {"root_cause", "python_module_not_found"}, {"severity", "warning"},
                                          {"crash_loop", "false"}, {"incident_id", "abc123"}});
  const auto& annotations = alert["annotations"];
  CHECK(annotations["summary"] == incident.summary);
  CHECK(annotations["hint"] == incident.hint);
  CHECK(annotations["culprit"] == "/app/app/main.py:12 in <module>");
  CHECK(annotations["runbook_url"] == "https://runbooks.example.com/python_module_not_found");
  CHECK(annotations["incident_url"] == "https://faultline.example.com/api/v1/incidents/abc123");
  CHECK(annotations["description"].get<std::string>().find("cause python_module_not_found x2: ModuleNotFoundError") == 0);
  CHECK(alert["generatorURL"] == annotations["incident_url"]);
  // Active: ends in the future (3 × resend interval), so Alertmanager keeps it firing.
  CHECK(parse_rfc3339(alert["endsAt"].get<std::string>()) > wall_now() + 1h);

  // More occurrences are not transitions: nothing more is sent.
  incident.chain[0].count = 5;
  change(notifier, IncidentChange::Type::updated, incident);
  notifier.stop();
  CHECK(am.posts().size() == 1);
  CHECK(counts["sent"] == 1);
}

TEST_CASE("escalation to a crash loop resolves the old label set before the new one fires") {
  RecordingTransport am;
  Logger log(LogLevel::error);
  Counts counts;
  AlertNotifier notifier(options(), am.transport(), counts.counter(), log, wall_now);
  notifier.start();
  change(notifier, IncidentChange::Type::opened, cascade("abc123"));
  REQUIRE(am.wait([](const auto& posts, int) { return posts.size() == 1; }));
  change(notifier, IncidentChange::Type::escalated, cascade("abc123", true));
  REQUIRE(am.wait([](const auto& posts, int) { return posts.size() == 2; }));
  const nlohmann::json post = am.posts()[1];
  REQUIRE(post.size() == 2);
  CHECK(post[0]["labels"]["crash_loop"] == "false");  // first in the array: resolved first
  CHECK(has_alert(post, "false", true));
  CHECK(has_alert(post, "true", false));
  CHECK(post[1]["labels"]["severity"] == "critical");

  // Resolving sends the current label set with endsAt now.
  Incident resolved = cascade("abc123", true);
  resolved.state = IncidentState::resolved;
  change(notifier, IncidentChange::Type::resolved, resolved);
  REQUIRE(am.wait([](const auto& posts, int) { return posts.size() == 3; }));
  notifier.stop();  // the sender records the delivery after the POST returns: let it finish
  CHECK(am.posts().size() == 3);
  CHECK(am.posts()[2].size() == 1);
  CHECK(has_alert(am.posts()[2], "true", true));
  CHECK(notifier.firing() == 0);
  CHECK(notifier.pending_resolved() == 0);
}

TEST_CASE("an exit merged into its cause within group_wait pages no one") {
  RecordingTransport am;
  Logger log(LogLevel::error);
  Counts counts;
  AlertNotifier notifier(options(300ms), am.transport(), counts.counter(), log, wall_now);
  notifier.start();
  Incident generic = cascade("generic1");
  generic.root_cause.rule = "generic_exit";
  change(notifier, IncidentChange::Type::opened, generic);
  notifier.on_change({IncidentChange::Type::merged, "generic1", "abc123"}, nullptr);
  change(notifier, IncidentChange::Type::opened, cascade("abc123"));
  REQUIRE(am.wait([](const auto& posts, int) { return !posts.empty(); }));
  notifier.stop();
  const auto posts = am.posts();
  REQUIRE(posts.size() == 1);
  REQUIRE(posts[0].size() == 1);
  CHECK(posts[0][0]["labels"]["root_cause"] == "python_module_not_found");
}

TEST_CASE("while Alertmanager is down alerts are retried with backoff and arrive once it is back") {
  RecordingTransport am;
  Logger log(LogLevel::error);
  Counts counts;
  am.set_down(true);
  AlertNotifier notifier(options(), am.transport(), counts.counter(), log, wall_now);
  notifier.start();
  Incident incident = cascade("abc123");
  change(notifier, IncidentChange::Type::opened, incident);
  incident.state = IncidentState::resolved;
  Incident other = cascade("def456");
  change(notifier, IncidentChange::Type::opened, other);
  // Backoff 1 s, 2 s: the second refusal comes about a second after the first.
  REQUIRE(am.wait([](const auto&, int refused) { return refused >= 2; }));
  change(notifier, IncidentChange::Type::resolved, incident);  // resolved while unreachable
  CHECK(notifier.pending_resolved() == 1);
  am.set_down(false);
  REQUIRE(am.wait([](const auto& posts, int) { return !posts.empty(); }));
  notifier.stop();
  const nlohmann::json post = am.posts().front();
  // The resolve kept for it and the still-firing alert, in one POST.
  REQUIRE(post.size() == 2);
  CHECK(post[0]["labels"]["incident_id"] == "abc123");
  CHECK(parse_rfc3339(post[0]["endsAt"].get<std::string>()) <= wall_now());
  CHECK(post[1]["labels"]["incident_id"] == "def456");
  CHECK(counts["failed"] >= 2);
  CHECK(counts["sent"] == 2);
  CHECK(notifier.pending_resolved() == 0);
}

TEST_CASE("resolved alerts waiting for a down Alertmanager are bounded, and the overflow counted") {
  RecordingTransport am;
  Logger log(LogLevel::error);
  Counts counts;
  am.set_down(true);
  AlertNotifierOptions o = options();
  o.max_pending_resolved = 3;
  AlertNotifier notifier(o, am.transport(), counts.counter(), log, wall_now);
  // Not started: nothing is sent, state only accumulates.
  std::vector<Incident> seeded;
  for (int i = 0; i < 5; ++i) seeded.push_back(cascade("id" + std::to_string(i)));
  notifier.seed(seeded);
  CHECK(notifier.firing() == 5);
  for (Incident& incident : seeded) {
    incident.state = IncidentState::resolved;
    change(notifier, IncidentChange::Type::resolved, incident);
  }
  CHECK(notifier.firing() == 0);
  CHECK(notifier.pending_resolved() == 3);
  CHECK(counts["dropped"] == 2);
}

TEST_CASE("a replica that does not lead sends nothing, and on taking the lead sends what it kept, resolves included") {
  RecordingTransport am;
  Logger log(LogLevel::error);
  Counts counts;
  AlertNotifierOptions o = options();
  o.max_pending_resolved = 2;
  AlertNotifier notifier(o, am.transport(), counts.counter(), log, wall_now);
  notifier.set_sending(false);
  notifier.start();
  Incident resolved = cascade("gone"), open = cascade("still-open");
  change(notifier, IncidentChange::Type::opened, resolved);
  change(notifier, IncidentChange::Type::opened, open);
  resolved.state = IncidentState::resolved;
  change(notifier, IncidentChange::Type::resolved, resolved);
  for (int i = 0; i < 3; ++i) {  // more resolves than kept: the overflow is not a follower's to count
    Incident churn = cascade("churn" + std::to_string(i));
    change(notifier, IncidentChange::Type::opened, churn);
    churn.state = IncidentState::resolved;
    change(notifier, IncidentChange::Type::resolved, churn);
  }
  CHECK_FALSE(am.wait([](const auto& posts, int) { return !posts.empty(); }, 300ms));
  CHECK(counts["dropped"] == 0);

  notifier.set_sending(true);  // took the lead
  REQUIRE(am.wait([](const auto& posts, int) { return !posts.empty(); }));
  const nlohmann::json post = am.posts().front();
  std::map<std::string, bool> ended;
  for (const auto& alert : post)
    ended[alert["labels"]["incident_id"]] = parse_rfc3339(alert["endsAt"].get<std::string>()) <= wall_now();
  CHECK(ended.at("still-open") == false);
  CHECK(ended.size() == 3);  // the open one and the two newest resolves kept
  CHECK(ended.at("churn2") == true);
  notifier.stop();
}

TEST_CASE("Alertmanager URLs are checked, and an unreachable one is a clear transport error") {
  std::string error;
  auto url = parse_http_url("http://alertmanager.monitoring:9093/am/", error);
  REQUIRE(url);
  CHECK(url->host == "alertmanager.monitoring");
  CHECK(url->port == 9093);
  CHECK(url->path == "/am");
  CHECK(parse_http_url("http://[::1]:9093", error)->host == "::1");
  CHECK(parse_http_url("https://am.example.com", error)->port == 443);
  CHECK(parse_http_url("https://am.example.com", error)->tls);
  CHECK_FALSE(parse_http_url("http://am:99999", error));
  CHECK(error == "bad port '99999'");
  CHECK_FALSE(parse_http_url("am:9093", error));
  CHECK_FALSE(parse_http_url("http://:9093", error));

  // Credentials are refused as such, not taken for a host name or a port.
  for (const char* with_credentials : {"http://user:secret@am:9093", "https://user@am.example.com/"}) {
    CHECK_FALSE(parse_http_url(with_credentials, error));
    CHECK(error == "credentials in the URL (user:password@host) are not supported");
  }
  // A query string is part of the request target, not of the port; a fragment is never sent.
  url = parse_http_url("http://am:9093?tenant=a#top", error);
  REQUIRE_MESSAGE(url, error);
  CHECK(url->port == 9093);
  CHECK(url->path.empty());
  CHECK(url->query == "?tenant=a");
  CHECK(url->text() == "http://am:9093?tenant=a");
  url = parse_http_url("https://idp.example.com/oauth2/v3/certs?v=2", error);
  REQUIRE_MESSAGE(url, error);
  CHECK(url->host == "idp.example.com");
  CHECK(url->path == "/oauth2/v3/certs");
  CHECK(url->query == "?v=2");

  // Port 1 on loopback: nothing listens there.
  HttpClientResult result = http_post(HttpUrl{false, "127.0.0.1", 1, ""}, "/api/v2/alerts", "[]", "application/json",
                                      HttpClientOptions{2s});
  CHECK_FALSE(result.ok());
  CHECK(result.describe().find("connect 127.0.0.1:1: ") == 0);
}

}  // namespace faultline
