#include "server/body_pieces.h"

#include <algorithm>

namespace faultline {
namespace {

bool is_blank(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

// Line breaks in `text`: "\n", "\r\n" and a bare "\r" each count once.
size_t count_lines(std::string_view text) {
  size_t n = 0;
  for (size_t i = 0; i < text.size(); ++i)
    if (text[i] == '\n' || (text[i] == '\r' && (i + 1 == text.size() || text[i + 1] != '\n'))) ++n;
  return n;
}

// NDJSON: the first non-blank byte opens an object whose line ends with '}'
// (as scan tells NDJSON from a pretty-printed document).
bool looks_ndjson(std::string_view body) {
  size_t first = body.starts_with("\xEF\xBB\xBF") ? 3 : 0;
  while (first < body.size() && is_blank(body[first])) ++first;
  if (first >= body.size() || body[first] != '{') return false;
  std::string_view line = body.substr(first, body.find('\n', first) - first);
  while (!line.empty() && is_blank(line.back())) line.remove_suffix(1);
  return !line.empty() && line.back() == '}';
}

}  // namespace

std::vector<BodyPiece> ndjson_pieces(std::string_view body, size_t piece_bytes, size_t max_lines) {
  std::vector<BodyPiece> pieces;
  if (body.size() <= piece_bytes || !looks_ndjson(body) || count_lines(body) >= max_lines) {
    pieces.push_back(BodyPiece{body, 0, 0});
    return pieces;
  }
  size_t start = 0, line = 0;
  while (start < body.size()) {
    size_t end = body.size();
    for (size_t from = start + piece_bytes; from < body.size();) {
      const size_t newline = body.find('\n', from);
      if (newline == std::string_view::npos) break;
      if (newline + 1 < body.size() && body[newline + 1] == '{') {
        end = newline + 1;
        break;
      }
      from = newline + 1;
    }
    const std::string_view text = body.substr(start, end - start);
    pieces.push_back(BodyPiece{text, start, line});
    line += count_lines(text);
    start = end;
  }
  return pieces;
}

}  // namespace faultline
