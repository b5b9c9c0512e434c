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
// An RFC 3339 string; an unparseable one is an error too, because silently
// using another time would misplace the record in correlation windows.
bool read_rfc3339(const Json& object, std::string_view key, std::string_view prefix,
                  std::optional<Timestamp>& out, FieldError& error);

// Removes one trailing line ending ("\n" or "\r\n"), which loggers that write
// whole lines leave in textPayload, Docker's "log" and Loki lines.
void strip_one_newline(std::string& text);

}  // namespace faultline
