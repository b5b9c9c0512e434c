// Operator log: one line per event on stderr, "TIME LEVEL COMPONENT MESSAGE key=value…",
// e.g. `2026-11-25T12:00:00Z info serve listening addr=127.0.0.1:8080 rules_loaded=42`.
// Values with spaces, quotes or '=' are double-quoted with \" and \\ escapes, and
// newlines become \n, so every event is exactly one line for grep and log shippers.
// Per-request lines are debug only: at info the log says what changed, not what flowed.
//
// Thread-safe: a line is formatted first and written with one call under a mutex.
#pragma once

#include <atomic>
#include <concepts>
#include <cstdio>
#include <functional>
#include <initializer_list>
#include <mutex>
#include <string>
#include <string_view>

#include "parsers/timestamp.h"

namespace faultline {

enum class LogLevel { debug, info, warn, error };
std::string_view to_string(LogLevel level);
bool parse_log_level(std::string_view text, LogLevel& out);

struct LogField {
  std::string_view key;
  std::string value;
  LogField(std::string_view k, std::string_view v) : key(k), value(v) {}
  LogField(std::string_view k, const char* v) : key(k), value(v ? v : "") {}
  LogField(std::string_view k, const std::string& v) : key(k), value(v) {}
  template <std::integral T>
  LogField(std::string_view k, T v) : key(k), value(std::to_string(v)) {}
  LogField(std::string_view k, bool v) : key(k), value(v ? "true" : "false") {}
};

// The line without its trailing newline.
std::string format_log_line(Timestamp at, LogLevel level, std::string_view component, std::string_view message,
                            std::initializer_list<LogField> fields);

class Logger {
 public:
  using Clock = std::function<Timestamp()>;
  explicit Logger(LogLevel level = LogLevel::info, std::FILE* out = stderr, Clock clock = {});

  void set_level(LogLevel level) { level_.store(level); }
  bool enabled(LogLevel level) const { return level >= level_.load(); }

  void log(LogLevel level, std::string_view component, std::string_view message,
           std::initializer_list<LogField> fields = {});
  void debug(std::string_view c, std::string_view m, std::initializer_list<LogField> f = {}) { log(LogLevel::debug, c, m, f); }
  void info(std::string_view c, std::string_view m, std::initializer_list<LogField> f = {}) { log(LogLevel::info, c, m, f); }
  void warn(std::string_view c, std::string_view m, std::initializer_list<LogField> f = {}) { log(LogLevel::warn, c, m, f); }
  void error(std::string_view c, std::string_view m, std::initializer_list<LogField> f = {}) { log(LogLevel::error, c, m, f); }

 private:
  std::atomic<LogLevel> level_;
  std::FILE* out_;
  Clock clock_;
  std::mutex mutex_;
};

}  // namespace faultline
