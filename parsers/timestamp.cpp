#include "parsers/timestamp.h"

#include <charconv>
#include <cmath>
#include <cstdio>

namespace faultline {
namespace {

bool read_digits(std::string_view s, size_t& pos, size_t count, int& out) {
  if (pos + count > s.size()) return false;
  int value = 0;
  for (size_t i = 0; i < count; ++i) {
    char c = s[pos + i];
    if (c < '0' || c > '9') return false;
    value = value * 10 + (c - '0');
  }
  pos += count;
  out = value;
  return true;
}

bool expect(std::string_view s, size_t& pos, char c) {
  if (pos >= s.size() || s[pos] != c) return false;
  ++pos;
  return true;
}

// Timestamp counts nanoseconds in 64 bits (1677-09-21 .. 2262-04-11): a year
// outside 1678..2261 would overflow it, or overflow the windows added to it.
constexpr int kFirstYear = 1678;
constexpr int kLastYear = 2261;

// Nanoseconds per unit of an epoch of this magnitude (see epoch_time).
int64_t nanos_per_unit(double magnitude) {
  if (magnitude >= 1e17) return 1;
  if (magnitude >= 1e14) return 1000;
  if (magnitude >= 1e11) return 1000000;
  return 1000000000;
}

// Epochs are never negative here, so only the end of the range can be passed.
std::optional<Timestamp> before_last_year_ends(int64_t nanos) {
  using namespace std::chrono;
  constexpr Timestamp kEnd{sys_days{year{kLastYear + 1} / 1 / 1}};
  const Timestamp t{nanoseconds{nanos}};
  if (t >= kEnd) return std::nullopt;
  return t;
}

bool all_digits(std::string_view s) { return s.find_first_not_of("0123456789") == std::string_view::npos; }

}  // namespace

std::optional<Timestamp> parse_rfc3339(std::string_view s) {
  using namespace std::chrono;
  size_t pos = 0;
  int year, month, day, hour, minute, second;
  if (!read_digits(s, pos, 4, year) || !expect(s, pos, '-') || !read_digits(s, pos, 2, month) ||
      !expect(s, pos, '-') || !read_digits(s, pos, 2, day))
    return std::nullopt;
  if (pos >= s.size() || (s[pos] != 'T' && s[pos] != 't' && s[pos] != ' ')) return std::nullopt;
  ++pos;
  if (!read_digits(s, pos, 2, hour) || !expect(s, pos, ':') || !read_digits(s, pos, 2, minute) ||
      !expect(s, pos, ':') || !read_digits(s, pos, 2, second))
    return std::nullopt;
  int64_t nanos = 0;
  if (pos < s.size() && s[pos] == '.') {
    ++pos;
    int digits = 0;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
      if (digits < 9) {
        nanos = nanos * 10 + (s[pos] - '0');
        ++digits;
      }
      ++pos;
    }
    if (digits == 0) return std::nullopt;
    for (int i = digits; i < 9; ++i) nanos *= 10;
  }
  int offset_minutes = 0;
  if (pos < s.size() && (s[pos] == 'Z' || s[pos] == 'z')) {
    ++pos;
  } else if (pos < s.size() && (s[pos] == '+' || s[pos] == '-')) {
    int sign = s[pos] == '-' ? -1 : 1;
    ++pos;
    int oh, om;
    if (!read_digits(s, pos, 2, oh) || !expect(s, pos, ':') || !read_digits(s, pos, 2, om) || oh > 23 || om > 59)
      return std::nullopt;
    offset_minutes = sign * (oh * 60 + om);
  } else {
    return std::nullopt;
  }
  if (pos != s.size()) return std::nullopt;
  return civil_time(year, month, day, hour, minute, second, nanos, offset_minutes);
}

std::optional<Timestamp> civil_time(int year, int month, int day, int hour, int minute, int second,
                                    int64_t nanos, int offset_minutes) {
  using namespace std::chrono;
  if (month < 1 || month > 12 || day < 1 || day > 31) return std::nullopt;
  if (hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 60) return std::nullopt;
  if (nanos < 0 || nanos > 999999999 || offset_minutes < -24 * 60 || offset_minutes > 24 * 60)
    return std::nullopt;
  if (year < kFirstYear || year > kLastYear) return std::nullopt;
  year_month_day ymd{std::chrono::year{year}, std::chrono::month{static_cast<unsigned>(month)},
                     std::chrono::day{static_cast<unsigned>(day)}};
  if (!ymd.ok()) return std::nullopt;
  auto t = sys_days{ymd} + hours{hour} + minutes{minute} + seconds{second} + nanoseconds{nanos} -
           minutes{offset_minutes};
  return Timestamp{t};
}

std::optional<Timestamp> epoch_time(uint64_t value) {
  const int64_t unit = nanos_per_unit(static_cast<double>(value));
  if (value > static_cast<uint64_t>(INT64_MAX / unit)) return std::nullopt;
  return before_last_year_ends(static_cast<int64_t>(value) * unit);
}

std::optional<Timestamp> epoch_time(double value) {
  if (!std::isfinite(value) || value < 0 || value >= 9.2e18) return std::nullopt;
  const int64_t unit = nanos_per_unit(value);
  const double whole = std::floor(value);
  if (whole > static_cast<double>(INT64_MAX / unit) - 1) return std::nullopt;
  // A double holds a seconds or milliseconds epoch to about a microsecond, so
  // round the fraction there: 1758000000.123 means .123000, not .122999906.
  const int64_t fraction_step = unit >= 1000000 ? 1000 : 1;
  const int64_t fraction =
      std::llround((value - whole) * static_cast<double>(unit / fraction_step)) * fraction_step;
  return before_last_year_ends(static_cast<int64_t>(whole) * unit + fraction);
}

std::optional<Timestamp> parse_epoch(std::string_view text) {
  const size_t dot = text.find('.');
  const std::string_view whole = text.substr(0, dot);
  const std::string_view fraction = dot == std::string_view::npos ? std::string_view() : text.substr(dot + 1);
  const bool has_dot = dot != std::string_view::npos;
  if (whole.empty() || !all_digits(whole) || !all_digits(fraction) || (has_dot && fraction.empty()))
    return std::nullopt;
  uint64_t value = 0;
  auto [end, ec] = std::from_chars(whole.data(), whole.data() + whole.size(), value);
  if (ec != std::errc()) return std::nullopt;
  const std::optional<Timestamp> t = epoch_time(value);
  if (!t) return std::nullopt;
  // The fraction is of the unit the whole part's magnitude names, to the nanosecond.
  int64_t nanos = 0, scale = nanos_per_unit(static_cast<double>(value));
  for (char c : fraction.substr(0, 9)) {
    scale /= 10;
    nanos += (c - '0') * scale;
  }
  return before_last_year_ends(t->time_since_epoch().count() + nanos);
}

std::string format_rfc3339(Timestamp t) {
  using namespace std::chrono;
  auto day = floor<days>(t);
  year_month_day ymd{day};
  hh_mm_ss hms{t - day};
  char buf[64];
  int n = std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02d", int(ymd.year()),
                        unsigned(ymd.month()), unsigned(ymd.day()), int(hms.hours().count()),
                        int(hms.minutes().count()), int(hms.seconds().count()));
  std::string out(buf, static_cast<size_t>(n));
  auto frac = hms.subseconds().count();
  if (frac != 0) {
    char fbuf[16];
    std::snprintf(fbuf, sizeof fbuf, ".%09lld", static_cast<long long>(frac));
    std::string f(fbuf);
    while (f.back() == '0') f.pop_back();
    out += f;
  }
  out += 'Z';
  return out;
}

}  // namespace faultline
