// Event time: UTC instants with nanosecond resolution, as Cloud Logging writes them.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace faultline {

using Timestamp = std::chrono::sys_time<std::chrono::nanoseconds>;

// Parses RFC 3339 ("2025-09-16T00:42:33.819300Z", "…+00:00", 0–9 fraction digits).
// Returns nullopt for anything else, and for years outside 1678..2261 (what
// 64-bit nanoseconds hold, with room for windows added to it); never throws.
std::optional<Timestamp> parse_rfc3339(std::string_view text);

// The instant of a civil date and time at a UTC offset (minutes east), with the
// same range and validity checks as parse_rfc3339 (second 60 allowed, as leap
// seconds are written); nullopt when any field is out of range. Never throws.
std::optional<Timestamp> civil_time(int year, int month, int day, int hour, int minute, int second,
                                    int64_t nanos = 0, int offset_minutes = 0);

// A Unix epoch in seconds, milliseconds, microseconds or nanoseconds, told
// apart by magnitude: a 2020s instant is ~1.7e9 s, 1.7e12 ms, 1.7e15 µs,
// 1.7e18 ns. Integers stay exact (nanosecond epochs do not fit a double's
// mantissa). nullopt when negative, not finite, or beyond parse_rfc3339's range.
std::optional<Timestamp> epoch_time(uint64_t value);
std::optional<Timestamp> epoch_time(double value);
// The same written as digits with an optional fraction of the unit, exactly:
// "1502820612", "1502820612.345", "1502820612345". nullopt for anything else
// (signs, exponents, blanks, an empty part around the '.').
std::optional<Timestamp> parse_epoch(std::string_view text);

// Formats as RFC 3339 UTC with the shortest fraction that keeps the value
// (whole seconds print no fraction): "2025-09-16T00:42:33.8193Z".
std::string format_rfc3339(Timestamp t);

}  // namespace faultline
