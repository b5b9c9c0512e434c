#include "parsers/line_prefix.h"

#include <array>

#include "parsers/app_level.h"
#include "parsers/log_time.h"

namespace faultline {
namespace {

constexpr size_t kScanBytes = 200;  // a level further in is part of the message
constexpr int kMaxSkipped = 5;      // tokens a level may follow

bool is_space(char c) { return c == ' ' || c == '\t'; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_upper(char c) { return c >= 'A' && c <= 'Z'; }
bool is_lower(char c) { return c >= 'a' && c <= 'z'; }

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

bool all_of(std::string_view s, bool (*pred)(char)) {
  if (s.empty()) return false;
  for (char c : s)
    if (!pred(c)) return false;
  return true;
}

// Upper-case words that are levels wherever they stand among the first tokens.
// Others ("LOG", "NOTE", "ERR") need a colon or brackets.
bool strong_level_word(std::string_view word) {
  static constexpr std::array<std::string_view, 15> kStrong = {
      "TRACE", "DEBUG", "INFO",  "NOTICE", "WARN",  "WARNING", "ERROR",  "FATAL",
      "CRITICAL", "CRIT", "ALERT", "EMERG", "SEVERE", "PANIC", "VERBOSE"};
  for (std::string_view strong : kStrong)
    if (word == strong) return true;
  return false;
}

struct Token {
  enum Kind { word, bracket, pair } kind = word;
  std::string_view text;   // the whole word; a bracket's trimmed inside; a pair's value
  std::string_view key;    // a pair's key
  size_t end = 0;          // position just after the token
};

bool next_token(std::string_view line, size_t pos, Token& t) {
  if (pos >= line.size()) return false;
  const char c = line[pos];
  if (c == '[' || c == '<') {
    const char close = c == '[' ? ']' : '>';
    size_t limit = std::min(line.size(), pos + 80);
    for (size_t i = pos + 1; i < limit; ++i) {
      if (line[i] == close) {
        t.kind = Token::bracket;
        t.text = trim(line.substr(pos + 1, i - pos - 1));
        t.end = i + 1;
        return true;
      }
    }
    return false;
  }
  size_t end = pos;
  while (end < line.size() && !is_space(line[end])) ++end;
  std::string_view word = line.substr(pos, end - pos);
  size_t equals = word.find('=');
  if (equals != std::string_view::npos && equals > 0) {
    t.kind = Token::pair;
    t.key = word.substr(0, equals);
    size_t value = pos + equals + 1;
    if (value < line.size() && line[value] == '"') {
      size_t quote = line.find('"', value + 1);
      if (quote == std::string_view::npos || quote - value > 120) return false;
      t.text = line.substr(value + 1, quote - value - 1);
      t.end = quote + 1;
    } else {
      t.text = line.substr(value, end - value);
      t.end = end;
    }
    return true;
  }
  t.kind = Token::word;
  t.text = word;
  t.end = end;
  return true;
}

// The level a token names, or empty.
std::string_view level_of(const Token& t) {
  switch (t.kind) {
    case Token::bracket: {
      std::string_view inner = t.text;
      size_t cut = inner.find_first_of(" /:");
      return canonical_level(inner.substr(0, cut));
    }
    case Token::pair: {
      std::string_view key = t.key;
      if (key == "level" || key == "lvl" || key == "severity" || key == "loglevel" || key == "log.level")
        return canonical_level(t.text);
      return {};
    }
    case Token::word: {
      size_t cut = t.text.find_first_of(":/!,");
      std::string_view head = t.text.substr(0, cut);
      bool colon = cut != std::string_view::npos && t.text[cut] == ':';
      if (colon) {
        // Monolog / Laravel: "production.ERROR:", "deprecation.INFO:"
        size_t dot = head.rfind('.');
        return canonical_level(dot == std::string_view::npos ? head : head.substr(dot + 1));
      }
      if (all_of(head, is_upper) && strong_level_word(head)) return canonical_level(head);
      return {};
    }
  }
  return {};
}

bool logger_char(char c) {
  return is_digit(c) || is_upper(c) || is_lower(c) || c == '_' || c == '.' || c == '$' || c == '@' || c == '-';
}

bool is_separator(const Token& t) {
  if (t.kind != Token::word || t.text.empty()) return false;
  for (char c : t.text)
    if (std::string_view("-|:=>*#").find(c) == std::string_view::npos) return false;
  return true;
}

// Tokens a level may follow (see line_prefix.h). `after_separator`: a plain
// lower-case word is a logger name there ("… - werkzeug - INFO - …").
bool skippable(const Token& t, bool first, bool after_separator) {
  if (t.kind != Token::word) return true;
  std::string_view w = t.text;
  if (w.size() > 64) return false;
  if (all_of(w, is_digit)) return true;  // pid, thread id
  auto in = [](std::string_view s, std::string_view chars) {
    if (s.empty()) return false;
    for (char c : s)
      if (chars.find(c) == std::string_view::npos) return false;
    return true;
  };
  if (is_separator(t)) return true;
  if (is_digit(w[0]) && in(w, "0123456789:.,") && w.find(':') != std::string_view::npos) return true;  // time
  if (is_digit(w[0]) && in(w, "0123456789-/")) return true;               // date
  if (w[0] == '#' && all_of(w.substr(1), is_digit)) return true;          // "#1"
  size_t colon = w.find(':');
  if (colon != std::string_view::npos && colon > 0 && all_of(w.substr(0, colon), is_digit) &&
      colon + 1 < w.size() && all_of(w.substr(colon + 1), is_upper))
    return true;  // Redis "1:M"
  if (w.size() >= 2 && w.size() <= 5 && all_of(w, is_upper)) return true;  // zone names, "GET"
  if (colon == std::string_view::npos && all_of(w, logger_char) &&
      w.find_first_of("._@") != std::string_view::npos)
    return true;  // logger name
  if (after_separator && all_of(w, logger_char) && w.find(':') == std::string_view::npos) return true;
  if (first && colon == w.size() - 1 && colon > 0) {
    std::string_view name = w.substr(0, colon);
    bool program = true;
    for (char c : name) program = program && (is_lower(c) || is_digit(c) || c == '_' || c == '-' || c == '.');
    return program;  // "nginx:", "bash:"
  }
  return false;
}

std::string_view scan_level(std::string_view line, size_t pos, int skipped = 0) {
  bool first = pos == 0;
  bool after_separator = false;
  while (skipped <= kMaxSkipped && pos < line.size() && pos < kScanBytes) {
    while (pos < line.size() && is_space(line[pos])) ++pos;
    Token t;
    if (!next_token(line, pos, t)) return {};
    if (std::string_view level = level_of(t); !level.empty()) return level;
    if (!skippable(t, first, after_separator)) return {};
    first = false;
    after_separator = is_separator(t);
    ++skipped;
    pos = t.end;
  }
  return {};
}

// klog: "E0101 12:00:00.000000    1 file.go:12] msg"
bool read_klog(std::string_view line, Timestamp reference, LinePrefix& out) {
  if (line.size() < 24) return false;
  std::string_view level;
  switch (line[0]) {
    case 'I': level = "INFO"; break;
    case 'W': level = "WARNING"; break;
    case 'E': level = "ERROR"; break;
    case 'F': level = "CRITICAL"; break;
    default: return false;
  }
  for (size_t i = 1; i <= 4; ++i)
    if (!is_digit(line[i])) return false;
  if (line[5] != ' ') return false;
  // "12:00:00.000000"
  for (size_t i : {6, 7, 9, 10, 12, 13, 15, 16, 17, 18, 19, 20})
    if (!is_digit(line[i])) return false;
  if (line[8] != ':' || line[11] != ':' || line[14] != '.') return false;
  size_t pos = 21;
  if (pos >= line.size() || !is_space(line[pos])) return false;
  while (pos < line.size() && is_space(line[pos])) ++pos;
  size_t thread = pos;
  while (pos < line.size() && is_digit(line[pos])) ++pos;
  if (pos == thread || pos >= line.size() || line[pos] != ' ') return false;
  ++pos;
  size_t limit = std::min(line.size(), pos + 160);
  size_t close = pos;
  while (close < limit && line[close] != ']' && !is_space(line[close])) ++close;
  if (close >= limit || line[close] != ']' || close == pos) return false;
  auto two = [&](size_t at) { return (line[at] - '0') * 10 + (line[at + 1] - '0'); };
  int64_t micros = 0;
  for (size_t i = 15; i <= 20; ++i) micros = micros * 10 + (line[i] - '0');
  out.time = inferred_year_time(two(1), two(3), two(6), two(9), two(12), micros * 1000, reference);
  out.level = level;
  out.strip = close + 1 < line.size() && line[close + 1] == ' ' ? close + 2 : close + 1;
  return true;
}

// After a stripped timestamp: a padded upper-case level ("…267  INFO 1 ---") goes too.
size_t strip_padding(std::string_view line, size_t strip) {
  size_t pos = strip;
  while (pos < line.size() && line[pos] == ' ') ++pos;
  if (pos == strip) return strip;
  size_t end = pos;
  while (end < line.size() && is_upper(line[end])) ++end;
  if (end < line.size() && line[end] != ' ' && line[end] != ':' && line[end] != ']') return strip;
  return strong_level_word(line.substr(pos, end - pos)) ? pos : strip;
}

}  // namespace

LinePrefix read_line_prefix(std::string_view line, Timestamp reference) {
  LinePrefix out;
  if (line.empty()) return out;
  if (read_klog(line, reference, out)) return out;

  // "E, [2023-01-01T00:00:00.123456 #1] ERROR -- : msg" (Ruby's Logger)
  size_t open = std::string_view::npos;
  if (line.size() > 4 && is_upper(line[0]) && line[1] == ',' && line[2] == ' ' && line[3] == '[')
    open = 3;
  else if (line[0] == '[')
    open = 0;

  TimeSpan span;
  if (open != std::string_view::npos && read_log_time(line.substr(open + 1), span)) {
    size_t after = open + 1 + span.length;
    size_t close = line.find(']', after);
    if (close != std::string_view::npos && close - after <= 64) {
      out.time = span.time;
      out.strip = close + 1 < line.size() && line[close + 1] == ' ' ? close + 2 : close + 1;
      out.strip = strip_padding(line, out.strip);
      // celery: "[… ,756: WARNING/MainProcess]"; Ruby: "[… #1]"
      std::string_view inside = line.substr(after, close - after);
      while (!inside.empty() && (inside.front() == ':' || is_space(inside.front()))) inside.remove_prefix(1);
      out.level = scan_level(inside, 0, 1);
      if (out.level.empty()) out.level = scan_level(line, out.strip, 1);
      return out;
    }
  }
  if (open == std::string_view::npos && read_log_time(line, span) &&
      (span.length == line.size() || is_space(line[span.length]))) {
    out.time = span.time;
    out.strip = span.length < line.size() ? span.length + 1 : span.length;
    out.strip = strip_padding(line, out.strip);
    out.level = scan_level(line, out.strip, 1);
    return out;
  }

  // No timestamp first: a level may be, with a timestamp after it
  // ("ERROR 2020-04-08 11:59:35,029 [main] …", "[ERROR] 2023-10-26 19:57:30.940 …"),
  // or logfmt's time="…" level=….
  out.level = scan_level(line, 0);
  Token t;
  if (next_token(line, 0, t)) {
    if (t.kind == Token::pair && t.key == "time") {
      if (read_log_time(t.text, span)) out.time = span.time;
      else if (auto rfc = parse_rfc3339(t.text)) out.time = rfc;
    } else if (!level_of(t).empty()) {
      size_t next = t.end;
      while (next < line.size() && is_space(line[next])) ++next;
      if (next < line.size() && read_log_time(line.substr(next), span)) out.time = span.time;
    }
  }
  return out;
}

}  // namespace faultline
