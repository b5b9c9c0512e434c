// Cutting a large NDJSON request body into pieces of whole lines, so that the
// ingest route parses and matches it a piece at a time: a 50,000-line batch is
// then never held as 50,000 LogRecords at once.
#pragma once

#include <cstddef>
#include <string_view>
#include <vector>

namespace faultline {

struct BodyPiece {
  std::string_view text;
  size_t offset = 0;      // where `text` starts in the body
  size_t first_line = 0;  // the 0-based number of its first line ("\n", "\r\n" or "\r" end lines)
};

// The pieces of `body`, each about `piece_bytes` long and ending at a line
// break followed by a line that starts a JSON object, so that each piece reads
// as NDJSON as the whole body did. One piece (the whole body) when the body is
// not NDJSON — its first value does not end on its first line (an array, a
// pretty-printed document, text) — or when it holds more than `max_lines`
// lines: parse_input must see all of such a body to refuse it as a whole.
std::vector<BodyPiece> ndjson_pieces(std::string_view body, size_t piece_bytes, size_t max_lines);

}  // namespace faultline
