#pragma once
// Sizes and durations as people write them in configuration, flags and query
// parameters, read and written by the same rules so that one round-trips the other.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace faultline {

// "10MiB" → 10485760, "64KB", "4096", "10 MiB"; nullopt for anything else
// (negative, overflow, unknown unit).
std::optional<uint64_t> parse_size(std::string_view text);
// In the largest binary unit that divides it: 10485760 → "10MiB", 1536 → "1536B".
std::string format_size(uint64_t bytes);
// "30s" → 30 s; "1h30m"; "500ms"; "7d"; "0". nullopt for a bare number or unknown unit.
std::optional<std::chrono::nanoseconds> parse_duration(std::string_view text);
// The form parse_duration reads, largest unit first: 1h, 5m, 2m10s, 1h30m, 500ms;
// "0s" for zero (and for less than a millisecond).
std::string format_duration(std::chrono::nanoseconds d);
// The same for whole seconds, over the whole int64 range (as a JWT's exp and iat
// can be): no conversion to nanoseconds, which would overflow past 292 years.
std::string format_duration(std::chrono::seconds d);

}  // namespace faultline
