// JSON that applications log: one object per event, as pino, bunyan, winston,
// structlog, python-json-logger, logback/logstash-logback-encoder, zap, logrus,
// log/slog, .NET's JSON console, Serilog's CLEF, ECS loggers and MongoDB write it;
// and Docker's json-file lines. Internal to parsers/.
//
// An application record is read for:
//   message  msg | message | event (structlog) | @m | Message | @mt | log
//   level    level | severity | lvl | levelname | log.level | log.level (nested) |
//            @l | LogLevel | loglevel, a name or a number (app_level.h); MongoDB's
//            one-letter "s" (with "t"): I, W, E, F, D1..D5
//   time     time | timestamp | ts | @timestamp | @t | Timestamp | date | asctime |
//            t.$date, the first that json_time (json_fields.h) reads: RFC 3339,
//            the log_time.h forms, or a Unix epoch in s, ms, µs or ns (told
//            apart by magnitude) as a number or digits
//   errors   err | error | exception | exc_info | @x | Exception | stack_trace |
//            stacktrace | stack, and ECS's flat error.type / error.message /
//            error.stack_trace. A string is taken as it is (a formatted
//            traceback, zap's error text); an object as "<type>: <message>" (type
//            from type | kind | name | class | exc_type | exception_class, message
//            from message | msg | exc_value | exception_message) followed by its
//            stack (stack | stack_trace | stacktrace | backtrace; a string or an
//            array of frame strings); an array as each of its elements.
// The record's text is the message, then each error part on its own lines, in the
// order above; a part the text already contains is left out (a stack that repeats
// the message, an error equal to the message). So a traceback or Java/Node stack
// logged inside a JSON record reaches the rules and the trace reader (culprit.h)
// as lines, exactly as the runtime printed it.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "parsers/json_fields.h"
#include "parsers/timestamp.h"

namespace faultline {

struct AppRecord {
  std::string text;               // message and error parts; empty when the record has neither
  std::string_view level;         // canonical level name (static storage), or empty
  std::optional<Timestamp> time;  // unreadable or absent: nullopt (never an error)
};

// False when `object` is not an object, or has neither a message nor an error part.
bool read_app_record(const Json& object, AppRecord& out);

// Appends the error parts of `object` to `text` as described above.
void append_error_parts(const Json& object, std::string& text);

// Appends one error given by its parts, as an error object is appended above:
// "<type>: <message>" (or whichever is given), left out when the stack already
// says it, then the stack (a string, or an array of frame strings; may be null).
// For errors that arrive as separate fields: ECS's error.*, OpenTelemetry's
// exception.* attributes.
void append_error(std::string_view type, std::string_view message, const Json* stack, std::string& text);

// The application level `object` names, or empty. A shipper's flat record
// passes false: its `severity` is often the transport's (syslog-ng's ${LEVEL} is
// "notice" for every line of a file), not what the application said.
std::string_view app_level_of(const Json& object, bool severity_is_the_apps = true);

// A line that is one JSON object (after trimming blanks), as found in plain text.
struct JsonLine {
  enum class Kind { none, docker, application } kind = Kind::none;
  // docker: the "log" string, less its one trailing newline; application: as AppRecord.
  std::string text;
  std::string stream;             // docker's "stream"
  std::optional<Timestamp> time;  // docker's "time", or the record's time
  std::string_view level;         // application records only
  bool partial = false;           // docker: a 16 KiB piece of a longer line (no newline at its end)
};

// Docker json-file: {"log":"…\n","stream":"stderr","time":"…"} ("log" and either
// of the others, no message member). An application record as read_app_record
// reads it. Kind::none for anything else (not JSON, not an object, neither
// shape), which the caller keeps as text.
JsonLine read_json_line(std::string_view line);

// Text a transport carried as one string (textPayload, a Loki line, a flat
// record's message, Docker's log): when it is itself the JSON document of an
// application logger, `text` becomes that record's text and `app_level` its
// level (and `time`, when given and empty, its time); otherwise a level at the
// start of its first line (line_prefix.h) fills an empty `app_level`.
void read_carried_text(std::string& text, std::string& app_level, std::optional<Timestamp>* time = nullptr);

}  // namespace faultline
