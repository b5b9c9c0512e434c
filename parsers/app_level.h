// The application's own level of a record (LogRecord::app_level), in Cloud
// Logging's LogSeverity names so that it compares with the transport severity:
// DEBUG, INFO, NOTICE, WARNING, ERROR, CRITICAL, ALERT, EMERGENCY.
// Internal to parsers/.
#pragma once

#include <string_view>

namespace faultline {

// The name for a level word as loggers write it, any case: trace/debug/verbose/
// fine -> DEBUG; info/information/log/system -> INFO; notice/note -> NOTICE;
// warn/warning -> WARNING; error/err/severe -> ERROR; fatal/critical/crit/dpanic
// -> CRITICAL; alert -> ALERT; emerg/emergency/panic -> EMERGENCY. Empty for
// anything else.
std::string_view canonical_level(std::string_view word);

// A numeric level: pino and bunyan's 10 trace, 20 debug, 30 info, 40 warn,
// 50 error, 60 fatal; below 10, the syslog scale (GELF, RFC 5424 PRI % 8):
// 0 emerg … 7 debug.
std::string_view numeric_level(double level);

// MongoDB's structured log severity ("s"): I, W, E, F, D1..D5.
std::string_view mongo_level(std::string_view s);

}  // namespace faultline
