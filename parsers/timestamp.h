// Event time: UTC instants with nanosecond resolution, as Cloud Logging writes them.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace faultline {

using Timestamp = std::chrono::sys_time<std::chrono::nanoseconds>;

// Parses RFC 3339 ("2025-09-16T00:42:33.819300Z", "…+00:00", 0–9 fraction digits).
// Returns nullopt for anything else, and for years outside 1678..2261 (what
// 64-bit nanoseconds hold, with room for windows added to it); never throws.
std::optional<Timestamp> parse_rfc3339(std::string_view text);

// Formats as RFC 3339 UTC with the shortest fraction that keeps the value
// (whole seconds print no fraction): "2025-09-16T00:42:33.8193Z".
std::string format_rfc3339(Timestamp t);

}  // namespace faultline
