// Typed, non-throwing access to members of parsed JSON objects, with errors that
// name the field. Internal to parsers/. JSON null counts as absent, as the
// protobuf JSON mapping that Cloud Logging follows allows.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "parsers/timestamp.h"

namespace faultline {

using Json = nlohmann::json;

// What is wrong with which field; the caller adds the record's index and offset.
struct FieldError {
  std::string field;    // dotted path from the record's root: "resource.labels.service_name"
  std::string message;  // "expected a string, got number"
};

// "object", "array", "string", "number", "boolean" or "null".
const char* json_type_name(const Json& value);

// `prefix` + "." + `key`, or `key` alone when prefix is empty.
std::string field_path(std::string_view prefix, std::string_view key);

// The member `key` of `object`; nullptr when `object` is not an object, or the
// member is absent or null.
const Json* find_member(const Json& object, std::string_view key);

// "expected <what>, got <type>" for the field prefix.key.
FieldError wrong_type(std::string_view prefix, std::string_view key, std::string_view what,
                      const Json& got);

// Optional members of one type. Absent (or null): true, `out` untouched.
// Present with another type: false, `error` names prefix.key. The string_view
// points into `object`, which must outlive it.
bool read_string(const Json& object, std::string_view key, std::string_view prefix,
                 std::string_view& out, FieldError& error);
bool read_object(const Json& object, std::string_view key, std::string_view prefix,
                 const Json*& out, FieldError& error);
// An RFC 3339 string, where a protocol defines one (Pub/Sub's publishTime); an
// unparseable one is an error, as the sender broke the protocol.
bool read_rfc3339(const Json& object, std::string_view key, std::string_view prefix,
                  std::optional<Timestamp>& out, FieldError& error);

// A time as a JSON value holds it: a string parse_log_time reads (RFC 3339, the
// forms loggers print, epoch digits), an epoch number (epoch_time), or
// MongoDB's {"$date": either}. nullopt for anything else; never throws.
std::optional<Timestamp> json_time(const Json& value);

// A record's own time member, as json_time reads it. Absent (or null): true,
// `out` untouched. Present but unreadable: false with `problem` naming it. The
// caller keeps the record with the next time there is and reports `problem` as
// a warning (time_warning): losing the line would hide its text from the rules.
bool read_time_field(const Json& object, std::string_view key, std::optional<Timestamp>& out,
                     FieldError& problem);
// `problem` as the warning of a record kept with the time `used` ("its arrival time").
FieldError time_warning(FieldError problem, std::string_view used);

// Removes one trailing line ending ("\n" or "\r\n"), which loggers that write
// whole lines leave in textPayload, Docker's "log" and Loki lines.
void strip_one_newline(std::string& text);

// `s` less its trailing line endings, spaces and tabs (a logged message's).
std::string_view trim_end(std::string_view s);

}  // namespace faultline
