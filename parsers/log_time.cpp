#include "parsers/log_time.h"

#include <array>
#include <cstdint>
#include <utility>

namespace faultline {
namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_upper(char c) { return c >= 'A' && c <= 'Z'; }
bool is_alpha(char c) { return is_upper(c) || (c >= 'a' && c <= 'z'); }

bool digits(std::string_view s, size_t& pos, size_t count, int& out) {
  if (pos + count > s.size()) return false;
  int value = 0;
  for (size_t i = 0; i < count; ++i) {
    if (!is_digit(s[pos + i])) return false;
    value = value * 10 + (s[pos + i] - '0');
  }
  pos += count;
  out = value;
  return true;
}

// One or two digits (a day printed as "4" or " 4" or "04").
bool day_digits(std::string_view s, size_t& pos, int& out) {
  if (pos < s.size() && s[pos] == ' ') ++pos;
  if (digits(s, pos, 2, out)) return true;
  return digits(s, pos, 1, out);
}

bool expect(std::string_view s, size_t& pos, char c) {
  if (pos >= s.size() || s[pos] != c) return false;
  ++pos;
  return true;
}

// "HH:MM:SS" with an optional ".fff" or ",fff" fraction.
bool clock(std::string_view s, size_t& pos, int& hour, int& minute, int& second, int64_t& nanos) {
  if (!digits(s, pos, 2, hour) || !expect(s, pos, ':') || !digits(s, pos, 2, minute) ||
      !expect(s, pos, ':') || !digits(s, pos, 2, second))
    return false;
  nanos = 0;
  if (pos + 1 < s.size() && (s[pos] == '.' || s[pos] == ',') && is_digit(s[pos + 1])) {
    ++pos;
    int count = 0;
    while (pos < s.size() && is_digit(s[pos])) {
      if (count < 9) {
        nanos = nanos * 10 + (s[pos] - '0');
        ++count;
      }
      ++pos;
    }
    for (int i = count; i < 9; ++i) nanos *= 10;
  }
  return true;
}

// Zone abbreviations loggers print after a time, with their usual offset in minutes.
constexpr std::array<std::pair<std::string_view, int>, 37> kZones = {{
    {"UTC", 0},      {"GMT", 0},      {"WET", 0},      {"WEST", 60},    {"BST", 60},
    {"CET", 60},     {"CEST", 120},   {"EET", 120},    {"EEST", 180},   {"MSK", 180},
    {"SAST", 120},   {"IST", 330},    {"WIB", 420},    {"ICT", 420},    {"HKT", 480},
    {"SGT", 480},    {"AWST", 480},   {"JST", 540},    {"KST", 540},    {"ACST", 570},
    {"AEST", 600},   {"AEDT", 660},   {"NZST", 720},   {"NZDT", 780},   {"BRT", -180},
    {"ART", -180},   {"EST", -300},   {"EDT", -240},   {"CST", -360},   {"CDT", -300},
    {"MST", -420},   {"MDT", -360},   {"PST", -480},   {"PDT", -420},   {"AKST", -540},
    {"AKDT", -480},  {"HST", -600},
}};

// A zone right after the time at `pos`; advances past it and sets the offset.
void zone(std::string_view s, size_t& pos, int& offset_minutes) {
  offset_minutes = 0;
  if (pos >= s.size()) return;
  if (s[pos] == 'Z' || s[pos] == 'z') {
    if (pos + 1 < s.size() && is_alpha(s[pos + 1])) return;
    ++pos;
    return;
  }
  auto numeric = [&](size_t at, bool need_four) {
    if (at >= s.size() || (s[at] != '+' && s[at] != '-')) return false;
    int sign = s[at] == '-' ? -1 : 1;
    size_t p = at + 1;
    int hours = 0, minutes = 0;
    if (!digits(s, p, 2, hours)) return false;
    if (p < s.size() && s[p] == ':') {
      size_t q = p + 1;
      if (!digits(s, q, 2, minutes)) return false;
      p = q;
    } else if (!digits(s, p, 2, minutes)) {
      if (need_four) return false;
      minutes = 0;
    }
    if (p < s.size() && is_digit(s[p])) return false;
    if (hours > 23 || minutes > 59) return false;
    offset_minutes = sign * (hours * 60 + minutes);
    pos = p;
    return true;
  };
  if (numeric(pos, false)) return;
  if (s[pos] != ' ') return;
  if (numeric(pos + 1, true)) return;
  size_t end = pos + 1;
  while (end < s.size() && is_upper(s[end]) && end - pos <= 5) ++end;
  if (end < s.size() && (is_alpha(s[end]) || is_digit(s[end]))) return;
  std::string_view name = s.substr(pos + 1, end - pos - 1);
  for (const auto& [abbreviation, minutes] : kZones) {
    if (name == abbreviation) {
      offset_minutes = minutes;
      pos = end;
      return;
    }
  }
}

bool finish(std::string_view s, size_t pos, int year, int month, int day, TimeSpan& out) {
  int hour, minute, second;
  int64_t nanos;
  if (!clock(s, pos, hour, minute, second, nanos)) return false;
  int offset = 0;
  zone(s, pos, offset);
  auto time = civil_time(year, month, day, hour, minute, second, nanos, offset);
  if (!time) return false;
  out.time = *time;
  out.length = pos;
  return true;
}

// "2023-01-01T00:00:00", "2023-01-01 00:00:00", "2024/06/22 16:54:59"
bool year_first(std::string_view s, TimeSpan& out) {
  size_t pos = 0;
  int year, month, day;
  if (!digits(s, pos, 4, year) || pos >= s.size() || (s[pos] != '-' && s[pos] != '/')) return false;
  char separator = s[pos++];
  if (!digits(s, pos, 2, month) || !expect(s, pos, separator) || !digits(s, pos, 2, day)) return false;
  if (pos >= s.size() || (s[pos] != 'T' && s[pos] != 't' && s[pos] != ' ')) return false;
  return finish(s, pos + 1, year, month, day, out);
}

// "25-Sep-2016 17:22:20" (php-fpm)
bool day_first(std::string_view s, TimeSpan& out) {
  size_t pos = 0;
  int day, year;
  if (!digits(s, pos, 2, day) || !expect(s, pos, '-')) return false;
  int month = pos + 3 <= s.size() ? month_number(s.substr(pos, 3)) : 0;
  if (month == 0) return false;
  pos += 3;
  if (!expect(s, pos, '-') || !digits(s, pos, 4, year) || !expect(s, pos, ' ')) return false;
  return finish(s, pos, year, month, day, out);
}

// "Sun Dec 04 04:47:44 2005", "Thu Dec  7 00:05:14 2017" (asctime: Apache, dmesg -T)
bool weekday_first(std::string_view s, TimeSpan& out) {
  if (s.size() < 24 || !is_alpha(s[0]) || !is_alpha(s[1]) || !is_alpha(s[2]) || s[3] != ' ') return false;
  int month = month_number(s.substr(4, 3));
  if (month == 0 || s[7] != ' ') return false;
  size_t pos = 8;
  int day, hour, minute, second, year;
  int64_t nanos;
  if (!day_digits(s, pos, day) || !expect(s, pos, ' ') || !clock(s, pos, hour, minute, second, nanos) ||
      !expect(s, pos, ' ') || !digits(s, pos, 4, year))
    return false;
  if (pos < s.size() && is_digit(s[pos])) return false;
  auto time = civil_time(year, month, day, hour, minute, second, nanos, 0);
  if (!time) return false;
  out.time = *time;
  out.length = pos;
  return true;
}

}  // namespace

int month_number(std::string_view m) {
  if (m.size() != 3) return 0;
  static constexpr std::array<std::string_view, 12> kMonths = {"jan", "feb", "mar", "apr", "may", "jun",
                                                               "jul", "aug", "sep", "oct", "nov", "dec"};
  char lower[3];
  for (size_t i = 0; i < 3; ++i) lower[i] = static_cast<char>(m[i] | 0x20);
  std::string_view l(lower, 3);
  for (size_t i = 0; i < kMonths.size(); ++i)
    if (l == kMonths[i]) return static_cast<int>(i) + 1;
  return 0;
}

bool read_log_time(std::string_view text, TimeSpan& out) {
  if (text.size() < 15) return false;
  if (is_digit(text[0])) return is_digit(text[2]) ? year_first(text, out) : day_first(text, out);
  return weekday_first(text, out);
}

std::optional<Timestamp> parse_log_time(std::string_view text) {
  if (auto epoch = parse_epoch(text)) return epoch;
  TimeSpan span;
  if (read_log_time(text, span) && span.length == text.size()) return span.time;
  return std::nullopt;
}

std::optional<Timestamp> inferred_year_time(int month, int day, int hour, int minute, int second,
                                           int64_t nanos, Timestamp reference) {
  using namespace std::chrono;
  // Logs are not written ahead of their reader (nor, much, of the line before):
  // the latest such year, allowing two days of skew and of a new year's night.
  const Timestamp latest = reference + days{2};
  const int year = int(year_month_day{floor<days>(reference)}.year());
  std::optional<Timestamp> best;
  for (int candidate : {year + 1, year, year - 1}) {
    auto time = civil_time(candidate, month, day, hour, minute, second, nanos, 0);
    if (!time) continue;
    best = time;  // the earliest so far, if none fits
    if (*time <= latest) return time;
  }
  return best;
}

bool read_syslog_time(std::string_view s, Timestamp reference, TimeSpan& out) {
  size_t pos = 0;
  int month = 0;
  if (s.size() >= 4 && is_alpha(s[0])) {
    month = month_number(s.substr(0, 3));
    pos = 3;
  } else {
    // "12月" / "3月": digits, then U+6708 (E6 9C 88).
    int value = 0;
    while (pos < s.size() && pos < 2 && is_digit(s[pos])) value = value * 10 + (s[pos++] - '0');
    if (pos == 0 || s.substr(pos, 3) != "\xE6\x9C\x88") return false;
    pos += 3;
    month = value;
  }
  if (month < 1 || month > 12 || !expect(s, pos, ' ')) return false;
  int day, hour, minute, second;
  int64_t nanos;
  if (!day_digits(s, pos, day) || !expect(s, pos, ' ') || !clock(s, pos, hour, minute, second, nanos))
    return false;
  auto time = inferred_year_time(month, day, hour, minute, second, nanos, reference);
  if (!time) return false;
  out.time = *time;
  out.length = pos;
  return true;
}

}  // namespace faultline
