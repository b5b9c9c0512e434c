// What an application puts before its message on a line: a timestamp and a
// level. Used by parsers/, and by suggest/ to mine the message after it.
//
// Time (only at the very start of the line, and only with a date):
//   2023-01-01T00:00:00.000Z msg        2023-01-01 00:00:00,123 msg    (log_time.h forms)
//   [2023-01-01 00:00:00 +0000] msg     [2018-05-17T08:19:35,939][INFO ]…  (bracketed)
//   [2025-02-04 21:06:52,756: WARNING/MainProcess] msg                    (celery)
//   E, [2023-01-01T00:00:00.123456 #1] ERROR -- : msg                     (Ruby Logger)
//   E0101 12:00:00.000000    1 file.go:12] msg                            (klog; year inferred)
//   time="2023-10-29T12:38:56Z" level=fatal msg="…"                       (logfmt: read, kept)
// `strip` covers the timestamp and the one space after it (a Ruby Logger
// prefix, or a whole klog header), so that the line reads from what the
// application wrote next; padding before an upper-case level ("…267  INFO") goes
// too. Lines whose indentation matters (trace frames) only ever lose what a
// logger or `docker logs -t` put before them.
//
// Level (app_level.h names), looked for in the first few tokens after the
// timestamp: "ERROR", "INFO:", "[error]", "[INFO ]", "<warn>", "level=error",
// "WARNING/MainProcess", "ERROR:root:…", "Warning: …", klog's letter. Tokens a
// level may follow are skipped: pids ("[9590]", "1", "1:M"), thread names
// ("[main]"), logger names ("uvicorn.error", "o.s.b.SpringApplication"), times,
// dates, zone names, separators ("-", "---", "|"), key=value pairs, and a
// program name with a colon at the very start ("nginx: [emerg] …"). Words in
// lower or mixed case count only with a colon or inside brackets, so prose
// ("an error occurred") and exception names ("Error: …" counts, "Errors are…"
// does not) do not pass for levels.
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>

#include "parsers/timestamp.h"

namespace faultline {

struct LinePrefix {
  size_t strip = 0;                // leading bytes that are the timestamp (see above)
  std::optional<Timestamp> time;   // from the leading timestamp or logfmt time=
  std::string_view level;          // canonical level name (static storage), or empty
};

// `reference` resolves dates printed without a year (klog): the previous line's
// time or the arrival time. Linear in the bytes looked at (at most a couple of
// hundred); never throws.
LinePrefix read_line_prefix(std::string_view line, Timestamp reference);

}  // namespace faultline
