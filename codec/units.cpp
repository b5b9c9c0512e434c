#include "codec/units.h"

#include <charconv>
#include <limits>
#include <utility>

namespace faultline {
namespace {

bool parse_number_unit(std::string_view& text, uint64_t& number, std::string_view& unit) {
  size_t digits = 0;
  while (digits < text.size() && text[digits] >= '0' && text[digits] <= '9') ++digits;
  if (digits == 0) return false;
  auto [end, ec] = std::from_chars(text.data(), text.data() + digits, number);
  if (ec != std::errc()) return false;
  size_t letters = digits;
  while (letters < text.size() && ((text[letters] >= 'a' && text[letters] <= 'z') ||
                                   (text[letters] >= 'A' && text[letters] <= 'Z')))
    ++letters;
  unit = text.substr(digits, letters - digits);
  text.remove_prefix(letters);
  return true;
}

}  // namespace

std::optional<uint64_t> parse_size(std::string_view text) {
  while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
  while (!text.empty() && text.back() == ' ') text.remove_suffix(1);
  uint64_t number = 0;
  std::string_view unit;
  if (!parse_number_unit(text, number, unit)) return std::nullopt;
  while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
  if (unit.empty() && !text.empty()) {  // "10 MiB"
    std::string_view rest = text;
    size_t letters = 0;
    while (letters < rest.size() && rest[letters] != ' ') ++letters;
    unit = rest.substr(0, letters);
    text.remove_prefix(letters);
  }
  if (!text.empty()) return std::nullopt;
  struct Unit {
    std::string_view name;
    uint64_t factor;
  };
  static constexpr Unit units[] = {{"", 1},          {"B", 1},           {"KiB", 1ull << 10}, {"MiB", 1ull << 20},
                                   {"GiB", 1ull << 30}, {"KB", 1000},    {"kB", 1000},        {"MB", 1000'000},
                                   {"GB", 1000'000'000}};
  for (const Unit& u : units) {
    if (u.name != unit) continue;
    if (number > std::numeric_limits<uint64_t>::max() / u.factor) return std::nullopt;
    return number * u.factor;
  }
  return std::nullopt;
}

std::string format_size(uint64_t bytes) {
  if (bytes != 0 && bytes % (1u << 20) == 0) return std::to_string(bytes >> 20) + "MiB";
  if (bytes != 0 && bytes % (1u << 10) == 0) return std::to_string(bytes >> 10) + "KiB";
  return std::to_string(bytes) + "B";
}

std::optional<std::chrono::nanoseconds> parse_duration(std::string_view text) {
  while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
  while (!text.empty() && text.back() == ' ') text.remove_suffix(1);
  if (text == "0") return std::chrono::nanoseconds{0};
  if (text.empty()) return std::nullopt;
  std::chrono::nanoseconds total{0};
  const int64_t max_seconds = int64_t{100} * 365 * 24 * 3600;  // keeps nanoseconds far from overflow
  while (!text.empty()) {
    uint64_t number = 0;
    std::string_view unit;
    if (!parse_number_unit(text, number, unit)) return std::nullopt;
    int64_t ns_per_unit = 0;
    if (unit == "ms") ns_per_unit = 1'000'000;
    else if (unit == "s") ns_per_unit = 1'000'000'000;
    else if (unit == "m") ns_per_unit = 60'000'000'000;
    else if (unit == "h") ns_per_unit = 3600'000'000'000;
    else if (unit == "d") ns_per_unit = 86400'000'000'000;
    else if (unit == "w") ns_per_unit = 7 * 86400'000'000'000;
    else return std::nullopt;
    if (number > static_cast<uint64_t>(max_seconds) * 1'000'000'000 / static_cast<uint64_t>(ns_per_unit))
      return std::nullopt;
    total += std::chrono::nanoseconds{static_cast<int64_t>(number) * ns_per_unit};
    if (total > std::chrono::seconds(max_seconds)) return std::nullopt;
  }
  return total;
}

std::string format_duration(std::chrono::seconds d) {
  const int64_t count = d.count();
  // The magnitude as unsigned, so that the most negative count has one too.
  uint64_t rest = count < 0 ? 0 - static_cast<uint64_t>(count) : static_cast<uint64_t>(count);
  if (rest == 0) return "0s";
  std::string out = count < 0 ? "-" : "";
  static constexpr std::pair<uint64_t, std::string_view> units[] = {{86400, "d"}, {3600, "h"}, {60, "m"}, {1, "s"}};
  for (auto [unit, name] : units) {
    if (rest < unit) continue;
    out += std::to_string(rest / unit);
    out += name;
    rest %= unit;
  }
  return out;
}

std::string format_duration(std::chrono::nanoseconds d) {
  using namespace std::chrono;
  if (d <= 0ns) return d == 0ns ? "0s" : "-" + format_duration(-d);
  static constexpr std::pair<nanoseconds, std::string_view> units[] = {
      {hours(24), "d"}, {hours(1), "h"}, {minutes(1), "m"}, {seconds(1), "s"}, {milliseconds(1), "ms"}};
  std::string out;
  for (auto [unit, name] : units) {
    if (d < unit) continue;
    out += std::to_string(d / unit);
    out += name;
    d %= unit;
  }
  return out.empty() ? "0s" : out;  // below a millisecond
}

}  // namespace faultline
