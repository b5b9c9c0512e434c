#include <doctest/doctest.h>

#include "server/log.h"

namespace faultline {

TEST_CASE("log lines: time, level, component, message, key=value") {
  Timestamp at = *parse_rfc3339("2026-11-25T12:00:00.123Z");
  CHECK(format_log_line(at, LogLevel::info, "serve", "listening",
                        {{"addr", "127.0.0.1:8080"}, {"rules_loaded", 42}, {"store", "./var/faultline.db"}}) ==
        "2026-11-25T12:00:00Z info serve listening addr=127.0.0.1:8080 rules_loaded=42 store=./var/faultline.db");
  CHECK(format_log_line(at, LogLevel::warn, "rules", "reload failed",
                        {{"first", "a.yaml:3: bad \"x\""}, {"empty", ""}, {"multi", "a\nb"}, {"ok", true}}) ==
        "2026-11-25T12:00:00Z warn rules reload failed first=\"a.yaml:3: bad \\\"x\\\"\" empty=\"\" multi=\"a\\nb\" ok=true");
}

TEST_CASE("levels filter") {
  LogLevel level;
  CHECK(parse_log_level("warn", level));
  CHECK(level == LogLevel::warn);
  CHECK_FALSE(parse_log_level("loud", level));
  std::FILE* sink = std::tmpfile();
  Logger log(LogLevel::warn, sink, [] { return Timestamp{}; });
  log.info("x", "hidden");
  log.error("x", "shown");
  std::rewind(sink);
  char buffer[256] = {};
  size_t n = std::fread(buffer, 1, sizeof buffer - 1, sink);
  CHECK(std::string(buffer, n) == "1970-01-01T00:00:00Z error x shown\n");
  std::fclose(sink);
}

}  // namespace faultline
