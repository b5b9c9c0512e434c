// A Loki stream's labels as the protobuf push carries them: one string in the
// form Prometheus' labels.String() writes and Loki parses,
//
//   {app="checkout", namespace="shop", pod="checkout-7d4b9c-x2x9q"}
//
// Names are [A-Za-z_][A-Za-z0-9_]*; values are Go string literals: double-quoted
// with Go's escapes (\" \\ \n \t \r \a \b \f \v, \xHH, \NNN octal, \uHHHH,
// \UHHHHHHHH), or back-quoted and raw. Spaces, tabs and newlines are allowed
// between tokens; `{}` is an empty set. Only `=` is accepted (a matcher such as
// `=~` is a query, not a stream), a name may appear once, no trailing comma, and
// every value must be valid UTF-8 once unescaped. (A JSON push carries the same
// labels as an object and needs none of this.) Internal to parsers/.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace faultline {

struct LokiLabel {
  std::string name;
  std::string value;
};

struct LokiLabelsError {
  size_t offset = 0;    // byte offset in the labels string
  std::string message;  // "at byte 14: expected '=' after the label name app, got ':'"
};

// The labels in their written order, or false with `error` set (and `out` unspecified).
bool parse_loki_labels(std::string_view text, std::vector<LokiLabel>& out, LokiLabelsError& error);

}  // namespace faultline
