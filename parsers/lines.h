// Line splitting for text and NDJSON bodies: a line ends at "\n", "\r\n" or a
// bare "\r" (old Mac files, and stray carriage returns in Windows logs). The
// terminator is not part of the line. A last line without terminator counts; the
// empty remainder after a final terminator does not.
#pragma once

#include <cstddef>
#include <string_view>

namespace faultline {

struct Line {
  std::string_view text;  // without its terminator; points into the body
  size_t offset = 0;      // byte offset of the line's first byte in the body
  size_t number = 0;      // 0-based line number in the body
};

// Reads lines from `body` starting at byte `start` (which counts as line 0).
// Linear in the body size whatever the line lengths or terminator mix: each byte
// is searched at most once for '\n' and once for '\r'. Does not own the body.
class LineReader {
 public:
  explicit LineReader(std::string_view body, size_t start = 0);
  bool next(Line& line);

 private:
  size_t search(char c, size_t from) const;

  std::string_view body_;
  size_t pos_;
  size_t number_ = 0;
  // Position of the next '\n' / '\r' at or after pos_ (body size when none);
  // a value below pos_ is stale and searched again from pos_.
  size_t next_lf_;
  size_t next_cr_;
};

}  // namespace faultline
