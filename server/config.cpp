#include "server/config.h"

#include <algorithm>
#include <charconv>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <limits>
#include <sstream>
#include <thread>

#include <boost/asio/ip/address.hpp>
#include <yaml-cpp/yaml.h>

#include "codec/units.h"
#include "rules/rules_path.h"
#include "server/http/http_client.h"
#include "store/pg_connection.h"

namespace faultline {
namespace {

using namespace std::chrono_literals;

// A value that does not fit its setting; the caller adds where it came from.
struct BadValue {
  std::string expected;
  std::string got;
};

std::string quote(std::string_view text) { return "'" + std::string(text) + "'"; }

uint64_t require_count(std::string_view text, uint64_t min, uint64_t max) {
  uint64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value < min || value > max) {
    std::string what = min == 0 ? "a whole number" : "a whole number of at least " + std::to_string(min);
    if (max != std::numeric_limits<uint64_t>::max()) what += " and at most " + std::to_string(max);
    throw BadValue{what, std::string(text)};
  }
  return value;
}

size_t require_size(std::string_view text) {
  auto value = parse_size(text);
  if (!value || *value == 0) throw BadValue{"a size like 10MiB, 512KiB or 65536 (bytes)", std::string(text)};
  return static_cast<size_t>(*value);
}

std::chrono::nanoseconds require_duration(std::string_view text, bool allow_zero = false) {
  auto value = parse_duration(text);
  if (!value || (!allow_zero && value->count() == 0))
    throw BadValue{"a duration like 30s, 5m or 1h", std::string(text)};
  return *value;
}

std::string require_text(std::string_view text) {
  if (text.empty()) throw BadValue{"a non-empty value", ""};
  return std::string(text);
}

// A shared secret: long enough not to be guessed, and only characters that
// survive a header and a query string. The value never appears in a message.
std::string require_token(std::string_view text) {
  const bool printable = std::all_of(text.begin(), text.end(), [](char c) { return c > ' ' && c < 127 && c != '&' && c != '#'; });
  if (text.size() < 16 || !printable)
    throw BadValue{"a token of at least 16 printable characters without spaces, '&' or '#'",
                   "(hidden, " + std::to_string(text.size()) + " characters)"};
  return std::string(text);
}

// One setting: how it is written and applied, and what `serve --help` says of
// it; the defaults shown there are read from a default ServeConfig, never typed.
struct Setting {
  std::string_view key;   // config key, dotted for sections
  std::string_view flag;  // "" when the setting has no flag
  bool repeatable = false;
  std::function<void(ServeConfig&, std::string_view)> apply;
  std::string_view arg;   // the flag's argument in --help, "" for none
  std::string_view help;  // flags only
  std::function<std::string(const ServeConfig&)> shown;  // the default, as the config file writes it
};

const std::vector<Setting>& settings() {
  static const std::vector<Setting> table = {
      {"listen", "--listen", false,
       [](ServeConfig& c, std::string_view v) {
         if (!parse_listen_address(v, c.host, c.port))
           throw BadValue{"HOST:PORT with HOST an IP address or localhost, e.g. 127.0.0.1:8080", std::string(v)};
         c.listen = std::string(v);
       },
       "HOST:PORT", "address to listen on; port 0 picks a free port (with $PORT set: 0.0.0.0:$PORT)",
       [](const ServeConfig& c) { return std::string(c.listen); }},
      {"rules", "--rules", false, [](ServeConfig& c, std::string_view v) { c.rules = require_text(v); },
       "PATH", "rule pack file or directory ($FAULTLINE_RULES, else the bundled pack)",
       [](const ServeConfig& c) { return std::string(c.rules); }},
      {"store", "--store", false, [](ServeConfig& c, std::string_view v) { c.store = require_text(v); },
       "PATH|URL", "SQLite incident store file (created when missing), or postgres://user@host:5432/db for replicas sharing one PostgreSQL database (password: $PGPASSWORD or ~/.pgpass)",
       [](const ServeConfig& c) { return std::string(c.store); }},
      {"log_level", "--log-level", false,
       [](ServeConfig& c, std::string_view v) {
         if (!parse_log_level(v, c.log_level)) throw BadValue{"one of debug, info, warn, error", std::string(v)};
       },
       "LEVEL", "debug, info, warn or error",
       [](const ServeConfig& c) { return std::string(to_string(c.log_level)); }},
      {"io_threads", "--io-threads", false,
       [](ServeConfig& c, std::string_view v) { c.io_threads = static_cast<unsigned>(require_count(v, 1, 1024)); },
       "N", "HTTP I/O threads (0: one per core)",
       [](const ServeConfig& c) { return c.io_threads ? std::to_string(c.io_threads) : ""; }},
      {"alertmanager", "--alertmanager", true,
       [](ServeConfig& c, std::string_view v) {
         std::string error;
         if (!parse_http_url(v, error))
           throw BadValue{"an Alertmanager URL like http://alertmanager:9093 (" + error + ")", pg::redact_url(v)};
         c.alertmanager.emplace_back(v);
       },
       "URL", "Alertmanager to push one alert per incident to, e.g. http://127.0.0.1:9093 (repeatable; none: no alerts)",
       [](const ServeConfig&) { return std::string(); }},
      {"insecure", "--insecure", false,
       [](ServeConfig& c, std::string_view v) {
         if (v != "true" && v != "false") throw BadValue{"true or false", std::string(v)};
         c.auth.insecure = v == "true";
       },
       "", "allow a non-loopback --listen without ingest and API tokens",
       [](const ServeConfig& c) { return std::string(c.auth.insecure ? "true" : "false"); }},
      {"port_file", "--port-file", false, [](ServeConfig& c, std::string_view v) { c.port_file = require_text(v); },
       "PATH", "write the bound port there once listening",
       [](const ServeConfig& c) { return std::string(c.port_file); }},

      {"limits.max_body", "", false, [](ServeConfig& c, std::string_view v) { c.limits.max_body = require_size(v); },
       "", "",
       [](const ServeConfig& c) { return format_size(c.limits.max_body); }},
      {"limits.max_decompressed_body", "", false,
       [](ServeConfig& c, std::string_view v) { c.limits.max_decompressed_body = require_size(v); },
       "", "",
       [](const ServeConfig& c) { return format_size(c.limits.max_decompressed_body); }},
      {"limits.max_header", "", false,
       [](ServeConfig& c, std::string_view v) {
         size_t size = require_size(v);
         // Beast's header_limit is 32-bit; anything near that is a mistake anyway.
         if (size < 1024 || size > (size_t{1} << 20)) throw BadValue{"a size between 1KiB and 1MiB", std::string(v)};
         c.limits.max_header = size;
       },
       "", "",
       [](const ServeConfig& c) { return format_size(c.limits.max_header); }},
      {"limits.max_line", "", false, [](ServeConfig& c, std::string_view v) { c.limits.max_line = require_size(v); },
       "", "",
       [](const ServeConfig& c) { return format_size(c.limits.max_line); }},
      {"limits.max_records", "", false,
       [](ServeConfig& c, std::string_view v) { c.limits.max_records = require_count(v, 1, 100'000'000); },
       "", "",
       [](const ServeConfig& c) { return std::to_string(c.limits.max_records); }},
      {"limits.max_connections", "", false,
       [](ServeConfig& c, std::string_view v) { c.limits.max_connections = require_count(v, 1, 1'000'000); },
       "", "",
       [](const ServeConfig& c) { return std::to_string(c.limits.max_connections); }},
      {"limits.max_service_labels", "", false,
       [](ServeConfig& c, std::string_view v) { c.limits.max_service_labels = require_count(v, 1, 1'000'000); },
       "", "",
       [](const ServeConfig& c) { return std::to_string(c.limits.max_service_labels); }},
      {"limits.ingest_queue", "", false,
       [](ServeConfig& c, std::string_view v) { c.limits.ingest_queue = require_count(v, 0, 1'000'000); },
       "", "",
       [](const ServeConfig& c) { return std::to_string(c.limits.ingest_queue); }},
      {"limits.ingest_threads", "", false,
       [](ServeConfig& c, std::string_view v) {
         c.limits.ingest_threads = static_cast<unsigned>(require_count(v, 1, 1024));
       },
       "", "",
       // 0 (the default) is not a value one can write: as many as I/O threads.
       [](const ServeConfig& c) { return c.limits.ingest_threads ? std::to_string(c.limits.ingest_threads) : ""; }},

      {"timeouts.header", "", false, [](ServeConfig& c, std::string_view v) { c.timeouts.header = require_duration(v); },
       "", "",
       [](const ServeConfig& c) { return format_duration(c.timeouts.header); }},
      {"timeouts.idle", "", false, [](ServeConfig& c, std::string_view v) { c.timeouts.idle = require_duration(v); },
       "", "",
       [](const ServeConfig& c) { return format_duration(c.timeouts.idle); }},
      {"timeouts.request", "", false,
       [](ServeConfig& c, std::string_view v) { c.timeouts.request = require_duration(v); },
       "", "",
       [](const ServeConfig& c) { return format_duration(c.timeouts.request); }},
      {"timeouts.drain", "", false, [](ServeConfig& c, std::string_view v) { c.timeouts.drain = require_duration(v); },
       "", "",
       [](const ServeConfig& c) { return format_duration(c.timeouts.drain); }},
      {"timeouts.retry_after", "", false,
       [](ServeConfig& c, std::string_view v) {
         auto d = require_duration(v);
         if (d < 1s) throw BadValue{"a duration of at least 1s (Retry-After is in whole seconds)", std::string(v)};
         c.timeouts.retry_after = d;
       },
       "", "",
       [](const ServeConfig& c) { return format_duration(c.timeouts.retry_after); }},

      {"alerts.resend_interval", "", false,
       [](ServeConfig& c, std::string_view v) {
         auto d = require_duration(v);
         if (d < 1s || d > 1h) throw BadValue{"a duration between 1s and 1h (below Alertmanager's resolve_timeout)", std::string(v)};
         c.alerts.resend_interval = d;
       },
       "", "",
       [](const ServeConfig& c) { return format_duration(c.alerts.resend_interval); }},
      {"alerts.group_wait", "", false,
       [](ServeConfig& c, std::string_view v) { c.alerts.group_wait = require_duration(v, true); },
       "", "",
       [](const ServeConfig& c) { return format_duration(c.alerts.group_wait); }},
      {"alerts.timeout", "", false, [](ServeConfig& c, std::string_view v) { c.alerts.timeout = require_duration(v); },
       "", "",
       [](const ServeConfig& c) { return format_duration(c.alerts.timeout); }},
      {"alerts.max_pending_resolved", "", false,
       [](ServeConfig& c, std::string_view v) { c.alerts.max_pending_resolved = require_count(v, 1, 10'000'000); },
       "", "",
       [](const ServeConfig& c) { return std::to_string(c.alerts.max_pending_resolved); }},
      {"alerts.external_url", "", false,
       [](ServeConfig& c, std::string_view v) {
         if (!(v.starts_with("http://") || v.starts_with("https://")))
           throw BadValue{"the URL on-call uses to reach this daemon, e.g. https://faultline.example.com", std::string(v)};
         c.alerts.external_url = std::string(v);
         while (c.alerts.external_url.ends_with('/')) c.alerts.external_url.pop_back();
       },
       "", "",
       [](const ServeConfig& c) { return std::string(c.alerts.external_url); }},
      {"alerts.runbook_url", "", false, [](ServeConfig& c, std::string_view v) { c.alerts.runbook_url = require_text(v); },
       "", "",
       [](const ServeConfig& c) { return std::string(c.alerts.runbook_url); }},

      {"auth.ingest_tokens", "", true,
       [](ServeConfig& c, std::string_view v) { c.auth.ingest_tokens.push_back(require_token(v)); },
       "", "",
       [](const ServeConfig&) { return std::string(); }},
      {"auth.read_tokens", "", true,
       [](ServeConfig& c, std::string_view v) { c.auth.read_tokens.push_back(require_token(v)); },
       "", "",
       [](const ServeConfig&) { return std::string(); }},
      {"auth.write_tokens", "", true,
       [](ServeConfig& c, std::string_view v) { c.auth.write_tokens.push_back(require_token(v)); },
       "", "",
       [](const ServeConfig&) { return std::string(); }},
      {"auth.oidc_audience", "", false, [](ServeConfig& c, std::string_view v) { c.auth.oidc_audience = require_text(v); },
       "", "",
       [](const ServeConfig& c) { return std::string(c.auth.oidc_audience); }},
      {"auth.oidc_emails", "", true,
       [](ServeConfig& c, std::string_view v) { c.auth.oidc_emails.push_back(require_text(v)); },
       "", "",
       [](const ServeConfig&) { return std::string(); }},
      {"auth.oidc_issuers", "", true,
       [](ServeConfig& c, std::string_view v) { c.auth.oidc_issuers.push_back(require_text(v)); },
       "", "",
       [](const ServeConfig&) { return std::string(); }},
      {"auth.oidc_jwks_file", "", false,
       [](ServeConfig& c, std::string_view v) { c.auth.oidc_jwks_file = require_text(v); },
       "", "",
       [](const ServeConfig& c) { return std::string(c.auth.oidc_jwks_file); }},
      {"auth.oidc_jwks_url", "", false,
       [](ServeConfig& c, std::string_view v) {
         std::string error;
         if (!parse_http_url(v, error))
           throw BadValue{"the JWKS URL, e.g. https://www.googleapis.com/oauth2/v3/certs (" + error + ")",
                          pg::redact_url(v)};
         c.auth.oidc_jwks_url = std::string(v);
       },
       "", "",
       [](const ServeConfig& c) { return std::string(c.auth.oidc_jwks_url); }},
      {"auth.oidc_ca_file", "", false, [](ServeConfig& c, std::string_view v) { c.auth.oidc_ca_file = require_text(v); },
       "", "",
       [](const ServeConfig& c) { return std::string(c.auth.oidc_ca_file); }},
      {"auth.clock_skew", "", false,
       [](ServeConfig& c, std::string_view v) {
         c.auth.clock_skew = std::chrono::duration_cast<std::chrono::seconds>(require_duration(v, true));
       },
       "", "",
       [](const ServeConfig& c) { return format_duration(c.auth.clock_skew); }},
      {"auth.jwks_refresh", "", false,
       [](ServeConfig& c, std::string_view v) { c.auth.jwks_refresh = require_duration(v); },
       "", "",
       [](const ServeConfig& c) { return format_duration(c.auth.jwks_refresh); }},

      {"correlation.window", "", false,
       [](ServeConfig& c, std::string_view v) { c.correlation.window = require_duration(v); },
       "", "",
       [](const ServeConfig& c) { return format_duration(c.correlation.window); }},
      {"correlation.crash_loop_exits", "", false,
       [](ServeConfig& c, std::string_view v) {
         c.correlation.crash_loop_exits = static_cast<int>(require_count(v, 2, 1000));
       },
       "", "",
       [](const ServeConfig& c) { return std::to_string(c.correlation.crash_loop_exits); }},
      {"correlation.resolve_quiet", "", false,
       [](ServeConfig& c, std::string_view v) { c.correlation.resolve_quiet = require_duration(v); },
       "", "",
       [](const ServeConfig& c) { return format_duration(c.correlation.resolve_quiet); }},
      {"correlation.max_incidents", "", false,
       [](ServeConfig& c, std::string_view v) { c.correlation.max_incidents = require_count(v, 1, 100'000'000); },
       "", "",
       [](const ServeConfig& c) { return std::to_string(c.correlation.max_incidents); }},
      {"correlation.max_pending_events", "", false,
       [](ServeConfig& c, std::string_view v) { c.correlation.max_pending_total = require_count(v, 1, 100'000'000); },
       "", "",
       [](const ServeConfig& c) { return std::to_string(c.correlation.max_pending_total); }},
      {"correlation.dedup_horizon", "", false,
       [](ServeConfig& c, std::string_view v) { c.dedup_horizon = require_duration(v); },
       "", "",
       [](const ServeConfig& c) { return format_duration(c.dedup_horizon); }},
      {"correlation.dedup_max_entries", "", false,
       [](ServeConfig& c, std::string_view v) { c.dedup_max_entries = require_count(v, 1, 1'000'000'000); },
       "", "",
       [](const ServeConfig& c) { return std::to_string(c.dedup_max_entries); }},

      {"multiline.max_lines", "", false,
       [](ServeConfig& c, std::string_view v) { c.multiline.max_lines = require_count(v, 1, 1'000'000); },
       "", "",
       [](const ServeConfig& c) { return std::to_string(c.multiline.max_lines); }},
      {"multiline.max_bytes", "", false,
       [](ServeConfig& c, std::string_view v) { c.multiline.max_bytes = require_size(v); },
       "", "",
       [](const ServeConfig& c) { return format_size(c.multiline.max_bytes); }},
      {"multiline.max_pending", "", false,
       [](ServeConfig& c, std::string_view v) { c.multiline.max_pending = require_count(v, 1, 10'000'000); },
       "", "",
       [](const ServeConfig& c) { return std::to_string(c.multiline.max_pending); }},
      {"multiline.flush_after", "", false,
       [](ServeConfig& c, std::string_view v) { c.multiline.flush_after = require_duration(v); },
       "", "",
       [](const ServeConfig& c) { return format_duration(c.multiline.flush_after); }},
  };
  return table;
}

const Setting* find_key(std::string_view key) {
  for (const Setting& s : settings())
    if (s.key == key) return &s;
  return nullptr;
}

const Setting* find_flag(std::string_view flag) {
  for (const Setting& s : settings())
    if (!s.flag.empty() && s.flag == flag) return &s;
  return nullptr;
}

bool is_section(std::string_view key) {
  return key == "limits" || key == "timeouts" || key == "alerts" || key == "auth" || key == "correlation" ||
         key == "multiline";
}

// The keys valid under `prefix` ("" for the top level), for "unknown setting" messages.
std::string known_keys(std::string_view prefix) {
  std::string out;
  auto add = [&](std::string_view name) {
    if (!out.empty()) out += ", ";
    out += name;
  };
  if (prefix.empty()) {
    for (std::string_view section : {"limits", "timeouts", "alerts", "auth", "correlation", "multiline"}) add(section);
    for (const Setting& s : settings())
      if (s.key.find('.') == std::string_view::npos) add(s.key);
  } else {
    std::string lead = std::string(prefix) + ".";
    for (const Setting& s : settings())
      if (s.key.starts_with(lead)) add(s.key.substr(lead.size()));
  }
  return out;
}

void apply(const Setting& setting, ServeConfig& config, std::string_view value, const std::string& where) {
  try {
    setting.apply(config, value);
  } catch (const BadValue& bad) {
    throw ConfigError(where + ": expected " + bad.expected + ", got " + quote(bad.got));
  }
}

void apply_yaml_map(const YAML::Node& map, const std::string& prefix, const std::string& origin, ServeConfig& config,
                    std::vector<std::string>& seen_keys) {
  for (const auto& entry : map) {
    const std::string name = entry.first.Scalar();
    const std::string key = prefix.empty() ? name : prefix + "." + name;
    const YAML::Node& value = entry.second;
    const std::string where = origin + ": " + key;
    if (prefix.empty() && is_section(name)) {
      if (value.IsNull()) continue;
      if (!value.IsMap()) throw ConfigError(where + ": expected a mapping of settings (" + known_keys(name) + ")");
      apply_yaml_map(value, key, origin, config, seen_keys);
      continue;
    }
    const Setting* setting = find_key(key);
    if (!setting)
      throw ConfigError(where + ": unknown setting (known" + (prefix.empty() ? "" : " in " + prefix) + ": " +
                        known_keys(prefix) + ")");
    seen_keys.push_back(key);
    if (value.IsSequence()) {
      if (!setting->repeatable) throw ConfigError(where + ": expected one value, got a list");
      for (const auto& item : value) {
        if (!item.IsScalar()) throw ConfigError(where + ": expected a list of strings");
        apply(*setting, config, item.Scalar(), where);
      }
    } else if (value.IsScalar()) {
      apply(*setting, config, value.Scalar(), where);
    } else if (value.IsNull()) {
      throw ConfigError(where + ": has no value (remove the line to keep the default)");
    } else {
      throw ConfigError(where + ": expected a value, got a mapping");
    }
  }
}

void load_yaml_file(const std::string& path, ServeConfig& config, std::vector<std::string>& seen_keys) {
  const std::string origin = "config " + path;
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ConfigError(origin + ": cannot read the file (does it exist and is it readable?)");
  std::stringstream text;
  text << in.rdbuf();
  YAML::Node root;
  try {
    root = YAML::Load(text.str());
  } catch (const YAML::Exception& e) {
    throw ConfigError(origin + ": line " + std::to_string(e.mark.line + 1) + ": " + e.msg);
  }
  if (root.IsNull()) return;  // an empty file means all defaults
  if (!root.IsMap()) throw ConfigError(origin + ": expected a mapping of settings at the top level");
  apply_yaml_map(root, "", origin, config, seen_keys);
}

}  // namespace

bool parse_listen_address(std::string_view text, std::string& host, uint16_t& port) {
  std::string_view host_part, port_part;
  if (text.starts_with("[")) {
    auto close = text.find(']');
    if (close == std::string_view::npos || close + 1 >= text.size() || text[close + 1] != ':') return false;
    host_part = text.substr(1, close - 1);
    port_part = text.substr(close + 2);
  } else {
    auto colon = text.rfind(':');
    if (colon == std::string_view::npos) return false;
    host_part = text.substr(0, colon);
    port_part = text.substr(colon + 1);
    if (host_part.find(':') != std::string_view::npos) return false;  // a bare IPv6 address needs brackets
  }
  unsigned value = 0;
  auto [end, ec] = std::from_chars(port_part.data(), port_part.data() + port_part.size(), value);
  if (port_part.empty() || ec != std::errc() || end != port_part.data() + port_part.size() || value > 65535)
    return false;
  std::string resolved;
  if (host_part.empty()) resolved = "0.0.0.0";
  else if (host_part == "localhost") resolved = "127.0.0.1";
  else {
    boost::system::error_code error;
    boost::asio::ip::make_address(std::string(host_part), error);
    if (error) return false;
    resolved = std::string(host_part);
  }
  host = resolved;
  port = static_cast<uint16_t>(value);
  return true;
}

ServeEnvironment process_environment() {
  ServeEnvironment env;
  if (const char* port = std::getenv("PORT"); port && *port) env.port = port;
  if (const char* rules = std::getenv("FAULTLINE_RULES"); rules && *rules) env.rules = rules;
  if (const char* t = std::getenv("FAULTLINE_INGEST_TOKENS"); t && *t) env.ingest_tokens = t;
  if (const char* t = std::getenv("FAULTLINE_READ_TOKENS"); t && *t) env.read_tokens = t;
  if (const char* t = std::getenv("FAULTLINE_WRITE_TOKENS"); t && *t) env.write_tokens = t;
  env.default_rules = default_rules_path();
  env.hardware_threads = std::max(1u, std::thread::hardware_concurrency());
  return env;
}

ServeCommandLine load_serve_config(const std::vector<std::string>& args, const ServeEnvironment& env) {
  ServeCommandLine result;
  ServeConfig& config = result.config;

  // Flags first into a list, so that --config is read before the flags override it.
  std::vector<std::pair<const Setting*, std::string>> flags;
  std::string config_file;
  for (size_t i = 0; i < args.size(); ++i) {
    std::string name = args[i];
    std::optional<std::string> value;
    if (name == "-h" || name == "--help") {
      result.help = true;
      return result;
    }
    if (auto eq = name.find('='); name.starts_with("--") && eq != std::string::npos) {
      value = name.substr(eq + 1);
      name = name.substr(0, eq);
    }
    const Setting* setting = find_flag(name);
    if (!setting && name != "--config") {
      if (name.starts_with("-")) throw ConfigError("unknown flag " + name + " (see 'faultline serve --help')");
      throw ConfigError("unexpected argument " + quote(name) + " (serve takes only flags; see 'faultline serve --help')");
    }
    if (!value && name == "--insecure") value = "true";  // a switch: --insecure alone
    if (!value) {
      if (i + 1 >= args.size()) throw ConfigError("flag " + name + ": expects a value");
      value = args[++i];
    }
    if (name == "--config") {
      if (!config_file.empty()) throw ConfigError("flag --config: given twice");
      if (value->empty()) throw ConfigError("flag --config: expects a file name");
      config_file = *value;
    } else {
      flags.emplace_back(setting, *value);
    }
  }

  std::vector<std::string> file_keys;
  if (!config_file.empty()) {
    load_yaml_file(config_file, config, file_keys);
    config.config_file = config_file;
  }
  auto in_file = [&](std::string_view key) {
    return std::find(file_keys.begin(), file_keys.end(), key) != file_keys.end();
  };

  bool alertmanager_flag_seen = false;
  std::vector<std::string> flag_keys;
  for (const auto& [setting, value] : flags) {
    if (setting->repeatable && !alertmanager_flag_seen) {
      config.alertmanager.clear();  // flags replace the file's list rather than adding to it
      alertmanager_flag_seen = true;
    }
    if (!setting->repeatable &&
        std::find(flag_keys.begin(), flag_keys.end(), setting->key) != flag_keys.end())
      throw ConfigError("flag " + std::string(setting->flag) + ": given twice");
    flag_keys.emplace_back(setting->key);
    apply(*setting, config, value, "flag " + std::string(setting->flag));
  }
  auto from_flag = [&](std::string_view key) {
    return std::find(flag_keys.begin(), flag_keys.end(), key) != flag_keys.end();
  };

  if (!from_flag("listen") && !in_file("listen") && env.port) {
    unsigned port = 0;
    auto [end, ec] = std::from_chars(env.port->data(), env.port->data() + env.port->size(), port);
    if (ec != std::errc() || end != env.port->data() + env.port->size() || port > 65535)
      throw ConfigError("environment PORT: expected a port number (0-65535), got " + quote(*env.port));
    config.host = "0.0.0.0";
    config.port = static_cast<uint16_t>(port);
    config.listen = "0.0.0.0:" + std::to_string(port);
  }

  if (from_flag("rules")) config.rules_origin = "flag";
  else if (in_file("rules")) config.rules_origin = "config";
  else if (env.rules) {
    config.rules = *env.rules;
    config.rules_origin = "environment";
  } else {
    config.rules = env.default_rules.empty() ? "rules/packs" : env.default_rules;
    config.rules_origin = "default";
  }

  auto add_tokens = [](const std::optional<std::string>& list, std::vector<std::string>& into, const char* name) {
    if (!list) return;
    std::string_view rest = *list;
    while (!rest.empty()) {
      const size_t comma = rest.find(',');
      std::string_view token = rest.substr(0, comma);
      rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(comma + 1);
      while (!token.empty() && token.front() == ' ') token.remove_prefix(1);
      while (!token.empty() && token.back() == ' ') token.remove_suffix(1);
      if (token.empty()) continue;
      try {
        into.push_back(require_token(token));
      } catch (const BadValue& bad) {
        throw ConfigError(std::string("environment ") + name + ": expected " + bad.expected);  // no token in the message
      }
    }
  };
  add_tokens(env.ingest_tokens, config.auth.ingest_tokens, "FAULTLINE_INGEST_TOKENS");
  add_tokens(env.read_tokens, config.auth.read_tokens, "FAULTLINE_READ_TOKENS");
  add_tokens(env.write_tokens, config.auth.write_tokens, "FAULTLINE_WRITE_TOKENS");
  if (!config.auth.oidc_audience.empty() && config.auth.oidc_jwks_file.empty() && config.auth.oidc_jwks_url.empty())
    throw ConfigError("auth.oidc_audience is set but neither auth.oidc_jwks_file nor auth.oidc_jwks_url says where "
                      "the signing keys are (Google's: https://www.googleapis.com/oauth2/v3/certs)");
  if (config.auth.oidc_audience.empty() && (!config.auth.oidc_jwks_file.empty() || !config.auth.oidc_jwks_url.empty()))
    throw ConfigError("auth.oidc_jwks_file/auth.oidc_jwks_url need auth.oidc_audience (the push subscription's audience)");

  if (config.io_threads == 0) config.io_threads = std::max(1u, env.hardware_threads);
  if (config.limits.ingest_threads == 0) config.limits.ingest_threads = std::max(2u, config.io_threads);
  if (config.limits.max_decompressed_body < config.limits.max_body)
    throw ConfigError(std::string(config_file.empty() ? "settings" : "config " + config_file) +
                      ": limits.max_decompressed_body is " + format_size(config.limits.max_decompressed_body) +
                      "; it must be at least limits.max_body, " + format_size(config.limits.max_body));
  return result;
}

namespace {

// Appends `words` to `out`, breaking lines before column 80 and indenting
// continuation lines by `indent`.
void append_wrapped(std::string& out, std::string_view words, size_t indent, size_t column) {
  size_t at = column;
  while (!words.empty()) {
    const size_t space = words.find(' ');
    const std::string_view word = words.substr(0, space);
    if (at > indent && at + 1 + word.size() > 80) {
      out += "\n" + std::string(indent, ' ');
      at = indent;
    } else if (at > indent) {
      out += ' ';
      ++at;
    }
    out += word;
    at += word.size();
    words = space == std::string_view::npos ? std::string_view() : words.substr(space + 1);
  }
  out += '\n';
}

}  // namespace

std::string serve_usage() {
  const ServeConfig defaults;
  std::string out = R"(Usage: faultline serve [options]

Runs the daemon: log ingest over HTTP (Pub/Sub push, NDJSON, plain text, Loki
push), cascade incidents with an API, and Prometheus metrics at /metrics.
With no options it listens on 127.0.0.1:8080 (0.0.0.0:$PORT when PORT is set),
loads the bundled rule pack and keeps incidents in ./var/faultline.db.

Options (each is also a key of the --config file, '-' written '_'):
)";
  auto option = [&](std::string_view flag, std::string_view arg, std::string text) {
    std::string head = "  " + std::string(flag) + (arg.empty() ? "" : " " + std::string(arg));
    head.resize(std::max<size_t>(head.size() + 1, 25), ' ');
    out += head;
    append_wrapped(out, text, 25, head.size() - 1);
  };
  for (const Setting& s : settings()) {
    if (s.flag.empty()) continue;
    std::string text(s.help);
    if (const std::string value = s.shown(defaults); !value.empty() && value != "0" && value != "false")
      text += " (default: " + value + ")";
    option(s.flag, s.arg, text);
  }
  option("--config", "FILE", "YAML configuration; flags override it");
  option("-h, --help", "", "this help");

  out += "\nConfig file sections (sizes like 10MiB, durations like 30s; defaults in brackets):\n";
  std::string section, line;
  auto flush = [&] {
    if (section.empty()) return;
    std::string head = "  " + section + ":";
    head.resize(15, ' ');
    out += head;
    append_wrapped(out, line, 15, 15);
    line.clear();
  };
  for (const Setting& s : settings()) {
    const size_t dot = s.key.find('.');
    if (dot == std::string_view::npos) continue;
    if (s.key.substr(0, dot) != section) {
      flush();
      section = std::string(s.key.substr(0, dot));
    }
    // A name and its default stay on one line: joined by \x01 until wrapped.
    std::string item(s.key.substr(dot + 1));
    if (const std::string value = s.shown(defaults); !value.empty()) item += "\x01(" + value + ")";
    else if (s.repeatable) item += "\x01(a list)";
    line += (line.empty() ? "" : ", ") + item;
  }
  flush();
  std::replace(out.begin(), out.end(), '\x01', ' ');
  out += R"(
Tokens may also come from $FAULTLINE_INGEST_TOKENS, $FAULTLINE_READ_TOKENS and
$FAULTLINE_WRITE_TOKENS (comma-separated), which keeps them out of files.
limits.ingest_threads 0 means as many as I/O threads (at least 2);
alerts.external_url empty means http://<listen address>.

Signals: SIGTERM/SIGINT drain in-flight requests and exit; SIGHUP reloads rules.
Exit status: 0 after a clean shutdown, 1 on a runtime failure, 2 on bad configuration.
)";
  return out;
}

}  // namespace faultline
