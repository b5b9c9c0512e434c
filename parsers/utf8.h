// UTF-8 validation for input bytes. Every string a parser puts into a LogRecord
// is valid UTF-8, so that later stages can serialise it to JSON without failing.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace faultline {

// Offset of the first byte that does not start a well-formed UTF-8 sequence
// (RFC 3629: no overlong forms, no surrogates, nothing above U+10FFFF), or
// std::string_view::npos when `text` is valid. Linear time, no allocation.
size_t find_invalid_utf8(std::string_view text);

// `text` made safe to quote in an error message: at most `max_bytes` bytes of it
// (cut on a character boundary, "…" appended when cut), control characters and
// invalid UTF-8 bytes written as \n, \t, \xNN escapes. Always valid UTF-8.
std::string printable_excerpt(std::string_view text, size_t max_bytes = 80);

}  // namespace faultline
