// Dates and times as log lines print them at their start, beyond RFC 3339.
// Internal to parsers/. Plain character scanning, no allocation, never throws.
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>

#include "parsers/timestamp.h"

namespace faultline {

struct TimeSpan {
  Timestamp time{};
  size_t length = 0;  // bytes of the text the date and time took
};

// A date and time with a year at the start of `text`:
//   2023-01-01T00:00:00.000Z   2023-01-01 00:00:00,123   2024-04-12 10:31:59 +0000
//   2023-01-01T00:00:00+01:00  2021-10-31T17:29:41+0100  2019-10-10 16:14:42.538 MSK
//   2024/06/22 16:54:59        25-Sep-2016 17:22:20      Sun Dec 04 04:47:44 2005
// Seconds are required; a fraction may follow after '.' or ','. A zone may follow
// directly (Z, +01:00, +0100, +01) or after one space (+0000, or a common
// abbreviation such as UTC, CEST, MSK, EST, with its usual offset); without one
// the time is taken as UTC. False, `out` untouched, when `text` does not start so.
bool read_log_time(std::string_view text, TimeSpan& out);

// A whole string that is a time, as a JSON record's time field holds it: any
// form read_log_time reads, spanning all of `text` (so RFC 3339, and also
// "2017-08-15 18:10:12" without a zone, "+0200", "… CEST"), or a Unix epoch
// written as digits (parse_epoch). nullopt for anything else; parse_rfc3339 is
// the strict reader, for what a protocol defines as RFC 3339.
std::optional<Timestamp> parse_log_time(std::string_view text);

// A date without a year at the start of `text`, as syslog and journald print it:
// "Oct 31 17:29:41", "Aug  4 16:15:59", "Oct 31 17:29:41.123456" (short-precise),
// "12月 21 22:22:32" (a CJK locale). The year is the latest that does not put
// the time more than two days after `reference` (the previous line's time, or the
// arrival time): a December line read in January belongs to the year before, and
// a January line after a December one to the year after it.
bool read_syslog_time(std::string_view text, Timestamp reference, TimeSpan& out);

// The instant of month/day/time in the year read_syslog_time chooses.
std::optional<Timestamp> inferred_year_time(int month, int day, int hour, int minute, int second,
                                           int64_t nanos, Timestamp reference);

// A month's English abbreviation ("Jan", "jan", "JAN") -> 1..12; 0 otherwise.
int month_number(std::string_view abbreviation);

}  // namespace faultline
