// Acceptance (issue 5, security): ingest and API tokens, Pub/Sub OIDC push
// tokens, read vs write, the loopback rule, and tokens kept out of the log.
#include <doctest/doctest.h>

#include <filesystem>

#include "tests/server/daemon_process.h"
#include "tests/support/raw_http.h"
#include "tests/server/test_jwt_signer.h"
#include "tests/support/files.h"
#include "tests/support/peer_process.h"
#include "tests/support/subprocess.h"

namespace faultline::testing {
namespace {

constexpr const char* kIngest = "ingest-token-0123456789";
constexpr const char* kRead = "read-token-0123456789ab";
constexpr const char* kWrite = "write-token-0123456789a";
constexpr const char* kAudience = "https://faultline.example.com/v1/push/pubsub";
constexpr const char* kPusher = "pubsub-push@proj.iam.gserviceaccount.com";

std::vector<std::pair<std::string, std::string>> bearer(const std::string& token) {
  return {{"Authorization", "Bearer " + token}};
}

std::string seed_line(size_t index) {
  return read_lines(std::string(FAULTLINE_CORPUS) + "/failures/01_seed_netra_monitoring_cascade.ndjson").at(index);
}

std::string auth_config(const std::string& jwks_line) {
  return std::string("auth:\n  ingest_tokens: [") + kIngest + "]\n  read_tokens: [" + kRead + "]\n  write_tokens: [" +
         kWrite + "]\n  oidc_audience: " + kAudience + "\n  oidc_emails: [" + kPusher + "]\n" + jwks_line;
}

// A JWKS document served over HTTP by Python's http.server, as a key URL is.
// The document is www/certs.json under `dir`; rewrite it to change what is served.
std::string write_jwks(TempDir& dir, const nlohmann::json& jwks) {
  std::filesystem::create_directories(dir.file("www"));
  write_text(dir.file("www/certs.json"), jwks.dump());
  return dir.file("www");
}

struct JwksServer {
  JwksServer(TempDir& dir, const nlohmann::json& jwks)
      : port(free_loopback_port()),
        process({"/usr/bin/python3", "-m", "http.server", "--bind", "127.0.0.1", "--directory", write_jwks(dir, jwks),
                 std::to_string(port)},
                dir.file("web.log")) {
    REQUIRE(eventually([&] {
      try {
        return http_get(port, "/certs.json").status == 200;
      } catch (const std::exception&) {
        return false;
      }
    }));
  }
  uint16_t port;
  PeerProcess process;
};

}  // namespace

TEST_CASE("tokens: ingest, Pub/Sub OIDC push, read-only and write API access") {
  TempDir dir;
  TestSigningKey google("k1"), stranger("k1");
  write_text(dir.file("jwks.json"), jwks_of({&google}).dump());
  write_text(dir.file("faultline.yaml"), auth_config("  oidc_jwks_file: " + dir.file("jwks.json") + "\n"));
  Daemon daemon(dir.file("faultline.db"), {"--config", dir.file("faultline.yaml"), "--log-level", "debug"});
  const uint16_t port = daemon.port();
  const std::string push = pubsub_envelope(seed_line(7), "m-1");

  // Ingest.
  HttpResult anonymous = http_post(port, "/v1/push/pubsub", push);
  CHECK(anonymous.status == 401);
  // Shippers that can only do Basic learn that it is accepted.
  CHECK(anonymous.header("www-authenticate") == "Bearer realm=\"faultline\", Basic realm=\"faultline\"");
  CHECK(anonymous.json()["detail"].get<std::string>().find("ingest token") != std::string::npos);
  CHECK(http_post(port, "/v1/push/pubsub?token=wrong-token-0123456789", push).status == 401);
  CHECK(http_post(port, "/v1/push/pubsub?token=" + std::string(kIngest), push).status == 200);
  CHECK(http_post(port, "/v1/logs", seed_line(8), "application/x-ndjson", bearer(kIngest)).status == 200);
  CHECK(http_post(port, "/v1/logs?token=" + std::string(kIngest), seed_line(8), "application/x-ndjson").status == 401);
  CHECK(http_post(port, "/v1/logs", seed_line(8), "application/x-ndjson", bearer(kRead)).status == 401);

  // The push subscription's OIDC token.
  const auto claims = push_claims(kAudience, kPusher);
  CHECK(http_post(port, "/v1/push/pubsub", pubsub_envelope(seed_line(9), "m-2"), "application/json",
                  bearer(google.sign(claims))).status == 200);
  HttpResult forged = http_post(port, "/v1/push/pubsub", pubsub_envelope(seed_line(10), "m-3"), "application/json",
                                bearer(stranger.sign(claims)));
  CHECK(forged.status == 401);
  CHECK(forged.json()["detail"] == "JWT signature does not verify.");
  auto expired = claims;
  expired["exp"] = claims["iat"].get<int64_t>() - 600;
  CHECK(http_post(port, "/v1/push/pubsub", push, "application/json", bearer(google.sign(expired))).json()["detail"]
            .get<std::string>()
            .starts_with("JWT expired"));

  // API: read with either token, write only with the write token.
  CHECK(http_get(port, "/api/v1/incidents").status == 401);
  HttpResult listed = http_request(port, boost::beast::http::verb::get, "/api/v1/incidents", "", bearer(kRead));
  REQUIRE(listed.status == 200);
  REQUIRE(listed.json()["incidents"].size() == 1);
  const std::string id = listed.json()["incidents"][0]["id"];
  CHECK(http_request(port, boost::beast::http::verb::get, "/api/v1/incidents/" + id, "", bearer(kWrite)).status == 200);
  HttpResult read_only = http_post(port, "/api/v1/incidents/" + id + "/ack", R"({"by":"bob"})", "application/json", bearer(kRead));
  CHECK(read_only.status == 403);
  CHECK(read_only.json()["detail"].get<std::string>().find("read-only") != std::string::npos);
  CHECK(http_post(port, "/api/v1/incidents/" + id + "/ack", R"({"by":"bob"})", "application/json", bearer(kWrite))
            .status == 200);
  CHECK(http_post(port, "/-/reload", "", "", bearer(kRead)).status == 403);
  // Probes and the scraper need no token.
  CHECK(http_get(port, "/healthz").status == 200);
  HttpResult metrics = http_get(port, "/metrics");
  CHECK(metrics.status == 200);
  CHECK(metrics.body.find(R"(faultline_ingest_rejected_total{reason="unauthorized"} 6)") != std::string::npos);

  // No token, in any form, reaches the log (debug logs every request's target).
  CHECK(daemon.stop() == 0);
  const std::string log = daemon.log();
  CHECK(log.find("token=REDACTED") != std::string::npos);
  for (const char* secret : {kIngest, kRead, kWrite}) CHECK(log.find(secret) == std::string::npos);
}

TEST_CASE("credentials are checked on the headers: no 100 Continue, the body unread, the connection closed") {
  TempDir dir;
  // A body that is waited for would hold the answer back until this timeout.
  write_text(dir.file("faultline.yaml"), std::string("auth:\n  ingest_tokens: [") + kIngest + "]\n  read_tokens: [" +
                                             kRead + "]\n  write_tokens: [" + kWrite + "]\ntimeouts:\n  request: 3s\n");
  Daemon daemon(dir.file("faultline.db"), {"--config", dir.file("faultline.yaml")});
  const std::string announced = "Content-Type: application/x-ndjson\r\nContent-Length: 1048576\r\n";

  // curl with a large body: it waits for 100 Continue before sending it.
  RawHttpConnection curl_like(daemon.port());
  curl_like.send("POST /v1/logs HTTP/1.1\r\nHost: x\r\n" + announced + "Expect: 100-continue\r\n\r\n");
  auto answers = curl_like.read_until_closed();
  REQUIRE(answers.size() == 1);
  CHECK(answers[0].result_int() == 401);
  CHECK(answers[0][boost::beast::http::field::www_authenticate] == "Bearer realm=\"faultline\", Basic realm=\"faultline\"");
  CHECK_FALSE(answers[0].keep_alive());

  // A client that just sends: answered after the headers, without waiting for the rest.
  RawHttpConnection eager(daemon.port());
  eager.send("POST /v1/logs HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer wrong-token-0123456789\r\n" + announced +
             "\r\n" + std::string(4096, '{'));
  answers = eager.read_until_closed();
  REQUIRE(answers.size() == 1);
  CHECK(answers[0].result_int() == 401);

  // A read token on a write route: 403, the same way.
  RawHttpConnection reader(daemon.port());
  reader.send("POST /api/v1/incidents/abc/ack HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + std::string(kRead) +
              "\r\nContent-Type: application/json\r\nContent-Length: 100000\r\nExpect: 100-continue\r\n\r\n");
  answers = reader.read_until_closed();
  REQUIRE(answers.size() == 1);
  CHECK(answers[0].result_int() == 403);

  // With the token, 100 Continue and the body as before.
  RawHttpConnection shipper(daemon.port());
  const std::string line = seed_line(8) + "\n";
  shipper.send("POST /v1/logs HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + std::string(kIngest) +
               "\r\nContent-Type: application/x-ndjson\r\nContent-Length: " + std::to_string(line.size()) +
               "\r\nExpect: 100-continue\r\nConnection: close\r\n\r\n");
  RawHttpConnection::Response interim;
  REQUIRE(shipper.read(interim));
  CHECK(interim.result_int() == 100);
  shipper.send(line);
  answers = shipper.read_until_closed();
  REQUIRE(answers.size() == 1);
  CHECK(answers[0].result_int() == 200);

  // The refused bodies were never read, so never counted.
  HttpResult metrics = http_get(daemon.port(), "/metrics");
  CHECK(metrics.body.find(R"(faultline_ingest_rejected_total{reason="unauthorized"} 2)") != std::string::npos);
  CHECK(metrics.body.find(R"(faultline_ingest_bytes_total{endpoint="logs"} )" + std::to_string(line.size())) !=
        std::string::npos);
  CHECK(daemon.stop() == 0);
}

std::vector<std::pair<std::string, std::string>> basic(const std::string& user, const std::string& password) {
  return {{"Authorization", "Basic " + base64_encode(user + ":" + password)}};
}

TEST_CASE("HTTP Basic: a token as the password, any user name, wherever a bearer token works") {
  TempDir dir;
  write_text(dir.file("faultline.yaml"), std::string("auth:\n  ingest_tokens: [") + kIngest + "]\n  read_tokens: [" +
                                             kRead + "]\n  write_tokens: [" + kWrite + "]\n");
  Daemon daemon(dir.file("faultline.db"), {"--config", dir.file("faultline.yaml"), "--log-level", "debug"});
  const uint16_t port = daemon.port();
  const std::string loki =
      R"({"streams":[{"stream":{"service":"api"},"values":[["1758000000000000000","panic: boom"]]}]})";

  // Ingest: every route, whatever the user name (Fluent Bit's http_User, Vector's
  // auth.user, syslog-ng's user() …); the scheme's name in any case.
  CHECK(http_post(port, "/v1/logs", seed_line(8), "application/x-ndjson", basic("fluent-bit", kIngest)).status == 200);
  CHECK(http_post(port, "/v1/logs/raw?service=api", "panic: boom\n", "text/plain", basic("", kIngest)).status == 200);
  CHECK(http_post(port, "/loki/api/v1/push", loki, "application/json", basic("promtail", kIngest)).status == 200);
  CHECK(http_post(port, "/v1/push/pubsub", pubsub_envelope(seed_line(7), "m-1"), "application/json",
                  {{"Authorization", "basic " + base64_encode(std::string("x:") + kIngest)}})
            .status == 200);
  // A wrong or misplaced token, and a header that is not user:password in base64.
  HttpResult wrong = http_post(port, "/v1/logs", seed_line(8), "application/x-ndjson", basic("fluent-bit", kRead));
  CHECK(wrong.status == 401);
  CHECK(wrong.header("www-authenticate") == "Bearer realm=\"faultline\", Basic realm=\"faultline\"");
  CHECK(http_post(port, "/v1/logs", seed_line(8), "application/x-ndjson", basic(kIngest, "")).status == 401);
  HttpResult garbled = http_post(port, "/v1/logs", seed_line(8), "application/x-ndjson",
                                 {{"Authorization", "Basic not*base64"}});
  CHECK(garbled.status == 401);
  CHECK(garbled.json()["detail"].get<std::string>().find("user:password") != std::string::npos);
  CHECK(http_post(port, "/v1/logs", seed_line(8), "application/x-ndjson",
                  {{"Authorization", "Basic " + base64_encode(kIngest)}})
            .status == 401);

  // The API: read and write tokens the same way; a read token still cannot write.
  HttpResult listed = http_request(port, boost::beast::http::verb::get, "/api/v1/incidents", "", basic("grafana", kRead));
  REQUIRE(listed.status == 200);
  REQUIRE(listed.json()["incidents"].size() >= 1);
  const std::string id = listed.json()["incidents"][0]["id"];
  CHECK(http_post(port, "/api/v1/incidents/" + id + "/ack", "{}", "application/json", basic("bob", kRead)).status == 403);
  CHECK(http_post(port, "/api/v1/incidents/" + id + "/ack", "{}", "application/json", basic("bob", kWrite)).status == 200);
  // The API challenges with Bearer alone: a Basic challenge would make a browser
  // put its password dialog over the on-call page.
  HttpResult api_refused = http_get(port, "/api/v1/incidents");
  CHECK(api_refused.status == 401);
  CHECK(api_refused.header("www-authenticate") == "Bearer realm=\"faultline\"");

  // The Authorization header, and so the credentials, never reach the log.
  CHECK(daemon.stop() == 0);
  const std::string log = daemon.log();
  CHECK(log.find("/v1/logs/raw?service=api") != std::string::npos);  // requests are logged at debug level
  for (const char* secret : {kIngest, kRead, kWrite}) {
    CHECK(log.find(secret) == std::string::npos);
    CHECK(log.find(base64_encode(std::string("fluent-bit:") + secret)) == std::string::npos);
  }
  CHECK(log.find("Basic") == std::string::npos);
}

TEST_CASE("a token in a percent-encoded ?token= is redacted from the log like a plain one") {
  TempDir dir;
  // Tokens only: auth_config's OIDC settings would need a key set.
  write_text(dir.file("faultline.yaml"), std::string("auth:\n  ingest_tokens: [") + kIngest + "]\n  read_tokens: [" +
                                             kRead + "]\n  write_tokens: [" + kWrite + "]\n");
  Daemon daemon(dir.file("faultline.db"), {"--config", dir.file("faultline.yaml"), "--log-level", "debug"});
  const std::string push = pubsub_envelope(seed_line(7), "m-1");
  // The router decodes parameter names, so each of these authenticates.
  for (const std::string name : {"%74oken", "tok%65n", "%74%6F%6B%65%6E"})
    CHECK(http_post(daemon.port(), "/v1/push/pubsub?" + name + "=" + kIngest + "&x=1", push).status == 200);
  CHECK(daemon.stop() == 0);
  const std::string log = daemon.log();
  CHECK(log.find("%74oken=REDACTED&x=1") != std::string::npos);
  CHECK_MESSAGE(log.find(kIngest) == std::string::npos, log);
}

TEST_CASE("the JWKS can come from a URL") {
  TempDir dir;
  TestSigningKey google("k1");
  JwksServer web(dir, jwks_of({&google}));
  const uint16_t web_port = web.port;
  write_text(dir.file("faultline.yaml"),
             auth_config("  oidc_jwks_url: http://127.0.0.1:" + std::to_string(web_port) + "/certs.json\n"));
  Daemon daemon(dir.file("faultline.db"), {"--config", dir.file("faultline.yaml")});
  CHECK(daemon.log().find("JWKS loaded") != std::string::npos);
  CHECK(http_post(daemon.port(), "/v1/push/pubsub", pubsub_envelope(seed_line(7), "m-1"), "application/json",
                  bearer(google.sign(push_claims(kAudience, kPusher)))).status == 200);
}

TEST_CASE("a JWKS file with a malformed key: serve refuses to start and names the key and field") {
  TempDir dir;
  TestSigningKey google("k1");
  nlohmann::json jwks = jwks_of({&google});
  jwks["keys"].push_back({{"kty", 5}, {"kid", "k2"}});
  write_text(dir.file("jwks.json"), jwks.dump());
  write_text(dir.file("faultline.yaml"), auth_config("  oidc_jwks_file: " + dir.file("jwks.json") + "\n"));
  RunResult refused = run_command({FAULTLINE_BINARY, "serve", "--listen", "127.0.0.1:0", "--config",
                                   dir.file("faultline.yaml"), "--store", dir.file("faultline.db"), "--rules", rules_dir()});
  CHECK(refused.exit_code == 2);  // a configuration error, not an abort
  CHECK_MESSAGE(refused.err.find("auth.oidc_jwks_file " + dir.file("jwks.json") +
                                 ": keys[1].kty: expected a string, got number") != std::string::npos,
                refused.err);
}

TEST_CASE("a JWKS URL whose document turns malformed: the daemon keeps its keys and says why") {
  TempDir dir;
  TestSigningKey google("k1");
  JwksServer web(dir, jwks_of({&google}));
  const uint16_t web_port = web.port;
  write_text(dir.file("faultline.yaml"), auth_config("  oidc_jwks_url: http://127.0.0.1:" + std::to_string(web_port) +
                                                     "/certs.json\n  jwks_refresh: 1s\n"));
  Daemon daemon(dir.file("faultline.db"), {"--config", dir.file("faultline.yaml")});
  REQUIRE(daemon.log().find("JWKS loaded") != std::string::npos);

  // The provider now publishes a key whose kty is a number (written whole, then renamed into place).
  nlohmann::json broken = jwks_of({&google});
  broken["keys"][0]["kty"] = 5;
  write_text(dir.file("www/certs.new"), broken.dump());
  std::filesystem::rename(dir.file("www/certs.new"), dir.file("www/certs.json"));
  REQUIRE_MESSAGE(daemon.wait_for_log("JWKS refresh failed"), daemon.log());
  CHECK(http_post(daemon.port(), "/v1/push/pubsub", pubsub_envelope(seed_line(7), "m-1"), "application/json",
                  bearer(google.sign(push_claims(kAudience, kPusher)))).status == 200);
  CHECK(daemon.stop() == 0);
  const std::string log = daemon.log();
  const size_t line = log.find("JWKS refresh failed");
  CHECK(log.substr(line, log.find('\n', line) - line).find("keys[0].kty: expected a string, got number") !=
        std::string::npos);
}

TEST_CASE("push tokens whose header or claims have the wrong JSON type: 401 naming the member, no error logged") {
  TempDir dir;
  TestSigningKey google("k1");
  write_text(dir.file("jwks.json"), jwks_of({&google}).dump());
  write_text(dir.file("faultline.yaml"), auth_config("  oidc_jwks_file: " + dir.file("jwks.json") + "\n"));
  Daemon daemon(dir.file("faultline.db"), {"--config", dir.file("faultline.yaml")});
  const auto claims = push_claims(kAudience, kPusher);
  auto claims_with = [&](const char* name, nlohmann::json value) {
    auto c = claims;
    c[name] = std::move(value);
    return c;
  };
  const std::vector<std::pair<std::string, std::string>> cases = {
      {google.sign_with_header({{"alg", 5}, {"kid", "k1"}}, claims), "JWT header alg must be a string, got number."},
      {google.sign_with_header({{"alg", "RS256"}, {"kid", nullptr}}, claims), "JWT header kid must be a string, got null."},
      {google.sign(claims_with("iss", 5)), "JWT iss must be a string, got number."},
      {google.sign(claims_with("email", nlohmann::json::array())), "JWT email must be a string, got array."},
  };
  for (const auto& [token, detail] : cases) {
    HttpResult refused = http_post(daemon.port(), "/v1/push/pubsub", pubsub_envelope(seed_line(7), "m-1"),
                                   "application/json", bearer(token));
    CHECK(refused.status == 401);
    CHECK(refused.json()["detail"] == detail);
  }
  CHECK(daemon.stop() == 0);
  // Unauthenticated clients must not be able to fill the log: refusals are debug lines only.
  const std::string log = daemon.log();
  CHECK_MESSAGE(log.find(" error ") == std::string::npos, log);
  CHECK(log.find("push token refused") == std::string::npos);
}

TEST_CASE("without tokens the daemon refuses to listen beyond loopback unless told --insecure") {
  TempDir dir;
  RunResult refused = run_command({FAULTLINE_BINARY, "serve", "--listen", "0.0.0.0:0", "--store",
                                   dir.file("faultline.db"), "--rules", rules_dir()});
  CHECK(refused.exit_code == 2);
  CHECK(refused.err.find("listen 0.0.0.0:0: not a loopback address, and no credential protects ingest") !=
        std::string::npos);
  CHECK(refused.err.find("--insecure") != std::string::npos);

  // Tokens shorter than 16 characters are refused, without echoing them.
  write_text(dir.file("faultline.yaml"), "auth:\n  ingest_tokens: [secret]\n");
  RunResult weak = run_command({FAULTLINE_BINARY, "serve", "--config", dir.file("faultline.yaml"), "--store",
                                dir.file("faultline.db"), "--rules", rules_dir()});
  CHECK(weak.exit_code == 2);
  CHECK(weak.err.find("auth.ingest_tokens: expected a token of at least 16 printable characters") != std::string::npos);
  CHECK(weak.err.find("secret") == std::string::npos);
}

}  // namespace faultline::testing
