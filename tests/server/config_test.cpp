#include <doctest/doctest.h>

#include <limits>
#include <regex>
#include <sstream>
#include <vector>

#include "codec/units.h"
#include "server/config.h"
#include "tests/server/daemon_process.h"

namespace faultline {
namespace {

using namespace std::chrono_literals;

ServeEnvironment test_env() {
  ServeEnvironment env;
  env.default_rules = "/bundled/rules";
  env.hardware_threads = 4;
  return env;
}

std::string error_of(const std::vector<std::string>& args, const ServeEnvironment& env = test_env()) {
  try {
    load_serve_config(args, env);
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("sizes") {
  CHECK(parse_size("10MiB") == 10u << 20);
  CHECK(parse_size("512KiB") == 512u << 10);
  CHECK(parse_size("1GiB") == 1ull << 30);
  CHECK(parse_size("64KB") == 64000u);
  CHECK(parse_size("4096") == 4096u);
  CHECK(parse_size("10 MiB") == 10u << 20);
  CHECK_FALSE(parse_size("ten"));
  CHECK_FALSE(parse_size("-1"));
  CHECK_FALSE(parse_size("10XB"));
  CHECK_FALSE(parse_size(""));
  CHECK_FALSE(parse_size("99999999999999999999GiB"));
}

TEST_CASE("durations") {
  CHECK(parse_duration("30s") == 30s);
  CHECK(parse_duration("5m") == 5min);
  CHECK(parse_duration("1h") == 1h);
  CHECK(parse_duration("1h30m") == 90min);
  CHECK(parse_duration("500ms") == 500ms);
  CHECK(parse_duration("7d") == 168h);
  CHECK(parse_duration("0") == 0s);
  // Written as read: largest unit first, round-tripping.
  for (std::chrono::nanoseconds d : std::vector<std::chrono::nanoseconds>{0ns, 500ms, 30s, 130s, 90min, 168h,
                                                                         26h + 3min + 4s + 5ms}) {
    CAPTURE(format_duration(d));
    CHECK(parse_duration(format_duration(d)) == d);
  }
  CHECK(format_duration(130s) == "2m10s");
  CHECK(format_duration(std::chrono::nanoseconds(90min)) == "1h30m");
  // Whole seconds over the whole int64 range (a JWT's exp can be anything).
  CHECK(format_duration(std::chrono::seconds(std::numeric_limits<int64_t>::max())) == "106751991167300d15h30m7s");
  CHECK(format_duration(std::chrono::seconds(std::numeric_limits<int64_t>::min())) == "-106751991167300d15h30m8s");
  CHECK_FALSE(parse_duration("30"));  // a unit is required
  CHECK_FALSE(parse_duration("soon"));
  CHECK_FALSE(parse_duration("5 parsecs"));
}

TEST_CASE("listen addresses") {
  std::string host;
  uint16_t port = 0;
  CHECK(parse_listen_address("127.0.0.1:8080", host, port));
  CHECK(host == "127.0.0.1");
  CHECK(port == 8080);
  CHECK(parse_listen_address(":9000", host, port));
  CHECK(host == "0.0.0.0");
  CHECK(parse_listen_address("[::1]:0", host, port));
  CHECK(host == "::1");
  CHECK(port == 0);
  CHECK(parse_listen_address("localhost:1", host, port));
  CHECK(host == "127.0.0.1");
  CHECK_FALSE(parse_listen_address("8080", host, port));
  CHECK_FALSE(parse_listen_address("127.0.0.1:70000", host, port));
  CHECK_FALSE(parse_listen_address("::1:80", host, port));
  CHECK_FALSE(parse_listen_address("example.com:80", host, port));
}

TEST_CASE("defaults are the documented ones") {
  auto command = load_serve_config({}, test_env());
  const ServeConfig& c = command.config;
  CHECK(c.host == "127.0.0.1");
  CHECK(c.port == 8080);
  CHECK(c.store == "./var/faultline.db");
  CHECK(c.rules == "/bundled/rules");
  CHECK(c.rules_origin == "default");
  CHECK(c.io_threads == 4);
  CHECK(c.limits.max_body == 10u << 20);
  CHECK(c.limits.max_decompressed_body == 64u << 20);
  CHECK(c.limits.max_header == 16u << 10);
  CHECK(c.limits.max_connections == 1024);
  CHECK(c.timeouts.header == 10s);
  CHECK(c.timeouts.idle == 60s);
  CHECK(c.timeouts.request == 30s);
  CHECK(c.timeouts.drain == 20s);
  CHECK(c.correlation.window == 10min);
}

TEST_CASE("PORT and FAULTLINE_RULES from the environment, flags win") {
  ServeEnvironment env = test_env();
  env.port = "9999";
  env.rules = "/env/rules";
  auto c = load_serve_config({}, env).config;
  CHECK(c.listen == "0.0.0.0:9999");
  CHECK(c.rules == "/env/rules");
  CHECK(c.rules_origin == "environment");
  c = load_serve_config({"--listen", "127.0.0.1:1234", "--rules=/flag/rules"}, env).config;
  CHECK(c.port == 1234);
  CHECK(c.rules == "/flag/rules");
  CHECK(c.rules_origin == "flag");
  env.port = "http";
  CHECK(error_of({}, env) == "environment PORT: expected a port number (0-65535), got 'http'");
}

TEST_CASE("config file, then flags") {
  testing::TempDir dir;
  testing::write_text(dir.file("f.yaml"), R"(listen: 0.0.0.0:7000
rules: /file/rules
alertmanager: [http://am1:9093, http://am2:9093]
log_level: debug
limits:
  max_body: 1MiB
  max_service_labels: 50
timeouts:
  header: 2s
correlation:
  window: 15m
  crash_loop_exits: 4
multiline:
  flush_after: 3s
alerts:
  resend_interval: 2m
  external_url: https://faultline.example.com/
)");
  auto c = load_serve_config({"--config", dir.file("f.yaml"), "--io-threads", "3"}, test_env()).config;
  CHECK(c.port == 7000);
  CHECK(c.rules_origin == "config");
  CHECK(c.alertmanager.size() == 2);
  CHECK(c.log_level == LogLevel::debug);
  CHECK(c.limits.max_body == 1u << 20);
  CHECK(c.limits.max_service_labels == 50);
  CHECK(c.timeouts.header == 2s);
  CHECK(c.correlation.window == 15min);
  CHECK(c.correlation.crash_loop_exits == 4);
  CHECK(c.multiline.flush_after == 3s);
  CHECK(c.alerts.resend_interval == 2min);
  CHECK(c.alerts.external_url == "https://faultline.example.com");
  CHECK(c.io_threads == 3);
  c = load_serve_config({"--config", dir.file("f.yaml"), "--listen", "127.0.0.1:1", "--alertmanager", "http://x:1"},
                        test_env()).config;
  CHECK(c.port == 1);
  CHECK(c.alertmanager == std::vector<std::string>{"http://x:1"});
}

TEST_CASE("bad configuration names the setting, once") {
  testing::TempDir dir;
  const std::string file = dir.file("faultline.yaml");
  testing::write_text(file, "limits:\n  max_body: ten\n");
  CHECK(error_of({"--config", file}) ==
        "config " + file + ": limits.max_body: expected a size like 10MiB, 512KiB or 65536 (bytes), got 'ten'");
  testing::write_text(file, "limits:\n  max_bodyy: 1MiB\n");
  CHECK(error_of({"--config", file}).starts_with("config " + file + ": limits.max_bodyy: unknown setting (known in limits: max_body,"));
  testing::write_text(file, "listn: 1.2.3.4:5\n");
  CHECK(error_of({"--config", file}).starts_with("config " + file + ": listn: unknown setting"));
  testing::write_text(file, "timeouts:\n  drain: 20\n");
  CHECK(error_of({"--config", file}) == "config " + file + ": timeouts.drain: expected a duration like 30s, 5m or 1h, got '20'");
  testing::write_text(file, "listen: [unclosed\n");
  CHECK(error_of({"--config", file}).starts_with("config " + file + ": line "));
  CHECK(error_of({"--config", dir.file("missing.yaml")}).find("cannot read") != std::string::npos);
  CHECK(error_of({"--log-level", "loud"}) == "flag --log-level: expected one of debug, info, warn, error, got 'loud'");
  CHECK(error_of({"--io-threads", "0"}).starts_with("flag --io-threads: expected a whole number of at least 1"));
  CHECK(error_of({"--alertmanager", "am:9093"}) ==
        "flag --alertmanager: expected an Alertmanager URL like http://alertmanager:9093 (expected an http:// or "
        "https:// URL), got 'am:9093'");
  testing::write_text(file, "alerts:\n  resend_interval: 2h\n");
  CHECK(error_of({"--config", file}) == "config " + file +
                                            ": alerts.resend_interval: expected a duration between 1s and 1h (below "
                                            "Alertmanager's resolve_timeout), got '2h'");
  // A URL's password is not repeated in the message.
  CHECK(error_of({"--alertmanager", "http://am:secret-password@am:9093"}) ==
        "flag --alertmanager: expected an Alertmanager URL like http://alertmanager:9093 (credentials in the URL "
        "(user:password@host) are not supported), got 'http://am:***@am:9093'");
  // A limit that contradicts another gives both values.
  testing::write_text(file, "limits:\n  max_body: 10MiB\n  max_decompressed_body: 1MiB\n");
  CHECK(error_of({"--config", file}) == "config " + file +
                                            ": limits.max_decompressed_body is 1MiB; it must be at least "
                                            "limits.max_body, 10MiB");
  CHECK(error_of({"--bogus"}) == "unknown flag --bogus (see 'faultline serve --help')");
  CHECK(error_of({"--store"}) == "flag --store: expects a value");
  CHECK(error_of({"--store", "a", "--store", "b"}) == "flag --store: given twice");
}

TEST_CASE("--help") {
  CHECK(load_serve_config({"--help"}, test_env()).help);
  CHECK(serve_usage().find("--alertmanager URL") != std::string::npos);
}

TEST_CASE("--help shows the real defaults: written back as a config file, they change nothing") {
  // "  limits:      max_body (10MiB), max_header (16KiB), …" -> limits:\n  max_body: 10MiB …
  const std::string usage = serve_usage();
  const std::string sections = usage.substr(usage.find("Config file sections"));
  std::string yaml, current;
  size_t values = 0;
  std::istringstream lines(sections.substr(sections.find('\n') + 1));
  for (std::string line; std::getline(lines, line) && !line.empty();) {
    if (line.size() > 2 && line[2] != ' ') {
      current = line.substr(2, line.find(':') - 2);
      yaml += current + ":\n";
      line = line.substr(line.find(':') + 1);
    }
    static const std::regex item(R"(([a-z_]+) \(([^()]+)\))");
    for (std::sregex_iterator it(line.begin(), line.end(), item), end; it != end; ++it) {
      if ((*it)[2] == "a list") continue;
      yaml += "  " + (*it)[1].str() + ": " + (*it)[2].str() + "\n";
      ++values;
    }
  }
  CHECK(values > 25);
  testing::TempDir dir;
  const std::string file = dir.file("defaults.yaml");
  testing::write_text(file, yaml);
  INFO(yaml);
  const ServeConfig shown = load_serve_config({"--config", file}, test_env()).config;
  const ServeConfig plain = load_serve_config({}, test_env()).config;
  CHECK(shown.limits.max_body == plain.limits.max_body);
  CHECK(shown.limits.max_header == plain.limits.max_header);
  CHECK(shown.multiline.max_bytes == plain.multiline.max_bytes);
  CHECK(shown.timeouts.idle == plain.timeouts.idle);
  CHECK(shown.alerts.resend_interval == plain.alerts.resend_interval);
  CHECK(shown.correlation.window == plain.correlation.window);
  CHECK(shown.dedup_horizon == plain.dedup_horizon);
  CHECK(usage.find("max_body (" + std::to_string(plain.limits.max_body >> 20) + "MiB)") != std::string::npos);
}

}  // namespace faultline
