// ServeConfig: everything `faultline serve` can be told, with the
// defaults, read from an optional YAML file (--config) and then flags, which win.
//
// Every flag is also a config key (the flag's name with '-' → '_'); keys not
// reachable by a flag live in sections: limits.*, timeouts.*, alerts.*, auth.*,
// correlation.*, multiline.*. Sizes are written 10MiB / 512KiB / 64KB / plain bytes; durations
// 500ms / 30s / 5m / 1h / 7d (or combinations like 1h30m).
//
// Bad configuration is fatal: load_serve_config throws ConfigError whose message
// names the setting and what was expected ("config faultline.yaml:
// limits.max_body: expected a size like 10MiB, got 'ten'"); run_serve prints it
// once and exits 2. Unknown keys and flags are errors too (a typo must not
// silently leave a default in force).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "incidents/correlator.h"
#include "parsers/multiline.h"
#include "server/auth/auth_settings.h"
#include "server/log.h"

namespace faultline {

struct ConfigError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct ServeLimits {
  size_t max_body = size_t{10} << 20;               // bytes on the wire (413 beyond)
  size_t max_decompressed_body = size_t{64} << 20;  // bytes after gunzip (413 beyond)
  size_t max_header = size_t{16} << 10;             // request line + header fields (431 beyond)
  size_t max_line = size_t{1} << 20;                // one record/line; a longer one is rejected
  size_t max_records = 100000;                      // records per request (413 beyond)
  size_t max_connections = 1024;                    // beyond: 503 and close, counted
  size_t max_service_labels = 200;                  // distinct service label values in metrics
  size_t ingest_queue = 256;                        // ingest requests waiting for a worker (429 beyond)
  unsigned ingest_threads = 0;                      // 0: as many as io threads (at least 2)
};

struct ServeTimeouts {
  std::chrono::nanoseconds header = std::chrono::seconds(10);    // first byte .. end of headers
  std::chrono::nanoseconds idle = std::chrono::seconds(60);      // keep-alive wait for the next request
  std::chrono::nanoseconds request = std::chrono::seconds(30);   // reading a body; writing a response
  std::chrono::nanoseconds drain = std::chrono::seconds(20);     // SIGTERM: in-flight requests finish within
  std::chrono::nanoseconds retry_after = std::chrono::seconds(1);  // Retry-After on 429/503
};

struct ServeAlerts {
  std::chrono::nanoseconds resend_interval = std::chrono::minutes(1);  // < Alertmanager's resolve_timeout (5m)
  std::chrono::nanoseconds group_wait = std::chrono::seconds(5);       // a new incident's first send waits this
  std::chrono::nanoseconds timeout = std::chrono::seconds(10);         // one POST to one Alertmanager
  size_t max_pending_resolved = 10000;  // resolved alerts awaiting delivery; beyond, the oldest are dropped
  std::string external_url;             // base URL of this daemon in alerts; default http://<listen address>
  std::string runbook_url;              // "{rule}" becomes the root-cause rule id
};

struct ServeConfig {
  std::string listen = "127.0.0.1:8080";  // as written; host and port below
  std::string host = "127.0.0.1";
  uint16_t port = 8080;
  std::string rules;                        // file or directory
  std::string rules_origin;                 // flag | config | environment | default
  std::string store = "./var/faultline.db";
  LogLevel log_level = LogLevel::info;
  unsigned io_threads = 0;                  // 0 is resolved to the hardware's cores
  std::vector<std::string> alertmanager;    // Alertmanager base URLs, http://host:port[/prefix]
  std::string port_file;                    // when set, the bound port is written there
  std::string config_file;                  // the --config file, "" when none
  ServeLimits limits;
  ServeTimeouts timeouts;
  ServeAlerts alerts;
  ServeAuth auth;
  CorrelatorConfig correlation;
  MultilineOptions multiline;
  std::chrono::nanoseconds dedup_horizon = std::chrono::hours(1);
  size_t dedup_max_entries = 1'000'000;
};

// What the process environment contributes (injected so tests need not setenv).
struct ServeEnvironment {
  std::optional<std::string> port;   // $PORT (Cloud Run): listen on 0.0.0.0:$PORT by default
  std::optional<std::string> rules;  // $FAULTLINE_RULES
  std::optional<std::string> ingest_tokens, read_tokens, write_tokens;  // $FAULTLINE_{INGEST,READ,WRITE}_TOKENS
  std::string default_rules;         // the bundled pack's location when nothing else names one
  unsigned hardware_threads = 1;
};
ServeEnvironment process_environment();

struct ServeCommandLine {
  bool help = false;
  ServeConfig config;
};

// Flags, then the --config file they name, then the environment. Throws ConfigError.
ServeCommandLine load_serve_config(const std::vector<std::string>& args, const ServeEnvironment& env);

// The --help text.
std::string serve_usage();

// "HOST:PORT", "[v6]:PORT", ":PORT" (all interfaces). False when malformed.
bool parse_listen_address(std::string_view text, std::string& host, uint16_t& port);

}  // namespace faultline
