#include "server/log.h"

#include <chrono>

namespace faultline {
namespace {

bool needs_quotes(std::string_view value) {
  if (value.empty()) return true;
  for (char c : value)
    if (c == ' ' || c == '"' || c == '=' || c == '\\' || static_cast<unsigned char>(c) < 0x20) return true;
  return false;
}

void append_value(std::string& line, std::string_view value) {
  if (!needs_quotes(value)) {
    line += value;
    return;
  }
  line += '"';
  for (char c : value) {
    switch (c) {
      case '"': line += "\\\""; break;
      case '\\': line += "\\\\"; break;
      case '\n': line += "\\n"; break;
      case '\r': line += "\\r"; break;
      case '\t': line += "\\t"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) line += ' ';
        else line += c;
    }
  }
  line += '"';
}

}  // namespace

std::string_view to_string(LogLevel level) {
  switch (level) {
    case LogLevel::debug: return "debug";
    case LogLevel::info: return "info";
    case LogLevel::warn: return "warn";
    case LogLevel::error: return "error";
  }
  return "info";
}

bool parse_log_level(std::string_view text, LogLevel& out) {
  if (text == "debug") out = LogLevel::debug;
  else if (text == "info") out = LogLevel::info;
  else if (text == "warn" || text == "warning") out = LogLevel::warn;
  else if (text == "error") out = LogLevel::error;
  else return false;
  return true;
}

std::string format_log_line(Timestamp at, LogLevel level, std::string_view component, std::string_view message,
                            std::initializer_list<LogField> fields) {
  // Whole seconds: the operator log is for people; events carry their own times.
  std::string line = format_rfc3339(std::chrono::floor<std::chrono::seconds>(at));
  line += ' ';
  line += to_string(level);
  line += ' ';
  line += component;
  line += ' ';
  line += message;
  for (const LogField& field : fields) {
    line += ' ';
    line += field.key;
    line += '=';
    append_value(line, field.value);
  }
  return line;
}

Logger::Logger(LogLevel level, std::FILE* out, Clock clock)
    : level_(level), out_(out), clock_(clock ? std::move(clock) : Clock([] {
        return Timestamp{std::chrono::time_point_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now())};
      })) {}

void Logger::log(LogLevel level, std::string_view component, std::string_view message,
                 std::initializer_list<LogField> fields) {
  if (!enabled(level)) return;
  std::string line = format_log_line(clock_(), level, component, message, fields);
  line += '\n';
  std::lock_guard lock(mutex_);
  std::fwrite(line.data(), 1, line.size(), out_);
  std::fflush(out_);
}

}  // namespace faultline
