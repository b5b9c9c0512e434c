// Parsing one JSON value with errors located in the caller's coordinates.
// Internal to parsers/.
#pragma once

#include <cstddef>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace faultline {

struct JsonSyntaxError {
  size_t position = 0;        // byte offset within the parsed text
  bool has_position = true;   // false for errors nlohmann does not locate (number overflow)
  bool invalid_utf8 = false;  // the text is not UTF-8 at `position`
  std::string detail;         // nlohmann's reason, without its line/column prefix

  // "invalid UTF-8 at byte N" or "invalid JSON at byte N: <detail>", where
  // N = base + position (base: where the text starts in the body); "invalid
  // JSON: <detail>" when there is no position.
  std::string message(size_t base) const;
};

// Parses `text` as exactly one JSON value (surrounding whitespace allowed).
// Never throws. nlohmann's parser is iterative, so nesting depth does not grow
// the call stack; it does cost memory, which the caller bounds by text size.
bool parse_json_document(std::string_view text, nlohmann::json& out, JsonSyntaxError& error);

// Compact JSON of `value`, or false when it nests deeper than `max_depth`
// (nlohmann's serializer recurses once per level, so depth must be bounded
// before dumping input-controlled values).
bool dump_compact(const nlohmann::json& value, size_t max_depth, std::string& out);

}  // namespace faultline
