// One MessagePack value of a body, framed and read into Json. Internal to parsers/.
//
// Built on msgpack-c's C++ parser (Debian's libmsgpack-cxx-dev, header-only,
// used without Boost) through its visitor interface: msgpack-c's own object
// unpacking allocates what an array or map header declares before the elements
// arrive, so a 5-byte header claiming 2^32 elements would cost gigabytes. The
// visitor allocates only for elements that are actually there, and stops at
// kMaxMsgpackDepth levels of nesting, so memory stays proportional to the bytes.
//
// Mapping: nil -> null, booleans, integers (unsigned and negative), float32/64
// -> number, str -> string (must be valid UTF-8), bin -> binary, ext -> binary
// with the ext type as subtype (Fluent Bit's EventTime is ext 0 of 8 bytes),
// array -> array, map -> object (keys must be strings; a repeated key keeps the
// last value).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "parsers/json_fields.h"

namespace faultline {

// Deeper nesting is refused: no log record needs it, and it bounds the parser's stack.
constexpr size_t kMaxMsgpackDepth = 100;

struct MsgpackRead {
  enum class Status {
    ok,         // `end` is set; with `out`, the value is in it
    content,    // framed (`end` is set), but a key or string cannot be read into Json: `error`
    invalid,    // a byte that no MessagePack value starts with, at `error_offset`
    truncated,  // the body ends inside the value
    too_deep,   // nested deeper than kMaxMsgpackDepth
  };
  Status status = Status::ok;
  size_t end = 0;           // offset just after the value (ok, content)
  size_t error_offset = 0;  // where reading failed (invalid, truncated)
  // content: the path inside the value ("log", "kubernetes.labels") and what is
  // wrong; otherwise what went wrong, with the byte offset, in `error.message`.
  FieldError error;

  bool framed() const { return status == Status::ok || status == Status::content; }
};

// Reads the value that starts at body[offset]. With `out` == nullptr it only
// finds where the value ends (no allocation beyond the nesting stack). Never throws
// parse errors; only allocation failures escape.
MsgpackRead read_msgpack_value(std::string_view body, size_t offset, Json* out);

}  // namespace faultline
