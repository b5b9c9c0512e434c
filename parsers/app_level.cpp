#include "parsers/app_level.h"

#include <array>
#include <cmath>
#include <utility>

namespace faultline {

std::string_view canonical_level(std::string_view word) {
  if (word.empty() || word.size() > 13) return {};
  char lower[16];
  for (size_t i = 0; i < word.size(); ++i) {
    char c = word[i];
    lower[i] = c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
  }
  std::string_view w(lower, word.size());
  static constexpr std::array<std::pair<std::string_view, std::string_view>, 28> kNames = {{
      {"trace", "DEBUG"},     {"debug", "DEBUG"},       {"dbg", "DEBUG"},
      {"verbose", "DEBUG"},   {"fine", "DEBUG"},        {"finer", "DEBUG"},
      {"finest", "DEBUG"},    {"info", "INFO"},         {"information", "INFO"},
      {"informational", "INFO"}, {"log", "INFO"},       {"system", "INFO"},
      {"notice", "NOTICE"},   {"note", "NOTICE"},       {"warn", "WARNING"},
      {"warning", "WARNING"}, {"error", "ERROR"},       {"err", "ERROR"},
      {"severe", "ERROR"},    {"fatal", "CRITICAL"},    {"critical", "CRITICAL"},
      {"crit", "CRITICAL"},   {"dpanic", "CRITICAL"},   {"alert", "ALERT"},
      {"emerg", "EMERGENCY"}, {"emergency", "EMERGENCY"}, {"panic", "EMERGENCY"},
      {"default", ""},
  }};
  for (const auto& [name, level] : kNames)
    if (w == name) return level;
  return {};
}

std::string_view numeric_level(double level) {
  if (!std::isfinite(level) || level < 0) return {};
  if (level < 10) {
    static constexpr std::array<std::string_view, 8> kSyslog = {
        "EMERGENCY", "ALERT", "CRITICAL", "ERROR", "WARNING", "NOTICE", "INFO", "DEBUG"};
    return kSyslog[static_cast<size_t>(level)];
  }
  if (level >= 60) return "CRITICAL";
  if (level >= 50) return "ERROR";
  if (level >= 40) return "WARNING";
  if (level >= 30) return "INFO";
  return "DEBUG";
}

std::string_view mongo_level(std::string_view s) {
  if (s == "I") return "INFO";
  if (s == "W") return "WARNING";
  if (s == "E") return "ERROR";
  if (s == "F") return "CRITICAL";
  if (s.size() == 2 && s[0] == 'D' && s[1] >= '1' && s[1] <= '5') return "DEBUG";
  return {};
}

}  // namespace faultline
