// Finds where the elements of a JSON array end while the array is read in
// pieces, so that a file holding one large array (a `gcloud logging read
// --format=json` export) can be parsed a run of elements at a time instead of
// whole. It only tracks strings and nesting; the elements themselves are parsed
// later, by parse_input, which reports what is wrong with them.
//
// The framing matches json_lines.h's reading of a whole array: a raw line break
// ends a string (so an unbalanced quote cannot hide the brackets of the lines
// after it), a backslash escapes the next byte unless that is a line break, and
// a stray closing '}' at the element's own level stays in the element.
#pragma once

#include <cstddef>
#include <string_view>

namespace faultline {

class JsonArraySplitter {
 public:
  enum class Stop {
    more,         // every byte given was scanned: feed the bytes that follow
    element_end,  // a ',' between two elements of the array
    array_end,    // the ']' that closes the array
  };

  // Scans `bytes` from `pos`, which the caller starts just after the array's
  // opening '[' and then continues byte after byte across calls (the bytes may
  // be moved between calls, not changed). Stops at the array's next top-level
  // ',' or its closing ']', with `pos` on that byte; else at the end of `bytes`.
  // After array_end, further calls return array_end at once.
  Stop scan(std::string_view bytes, size_t& pos);

 private:
  size_t depth_ = 0;  // brackets open inside the current element
  bool in_string_ = false;
  bool escaped_ = false;  // the previous byte was a backslash inside a string
  bool ended_ = false;
};

}  // namespace faultline
