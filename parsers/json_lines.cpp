#include "parsers/json_lines.h"

#include "parsers/json_document.h"
#include "parsers/lines.h"

namespace faultline {
namespace {

using Handler = std::function<void(const JsonRecordText&)>;
using TextHandler = std::function<bool(const Line&)>;

size_t skip_space(std::string_view text, size_t pos) {
  while (pos < text.size() && is_json_space(text[pos])) ++pos;
  return pos;
}

std::string_view trim(std::string_view text, size_t& offset) {
  size_t begin = skip_space(text, 0);
  size_t end = text.size();
  while (end > begin && is_json_space(text[end - 1])) --end;
  offset += begin;
  return text.substr(begin, end - begin);
}

// Tracks strings and bracket depth one byte at a time.
class Scanner {
 public:
  // Feeds body[pos] (may skip an escaped byte by advancing pos). Returns the
  // depth change: +1 for an opening bracket, -1 for a closing one, else 0.
  int feed(std::string_view body, size_t& pos) {
    char c = body[pos];
    if (in_string_) {
      if (c == '\\' && pos + 1 < body.size() && body[pos + 1] != '\n' && body[pos + 1] != '\r')
        ++pos;
      else if (c == '"' || c == '\n' || c == '\r')
        in_string_ = false;
      return 0;
    }
    if (c == '"') in_string_ = true;
    if (c == '{' || c == '[') return 1;
    if (c == '}' || c == ']') return -1;
    return 0;
  }
  bool in_string() const { return in_string_; }

 private:
  bool in_string_ = false;
};

// From `pos`, the position of the first ',' or ']' outside strings at depth 0,
// or body size when there is none. A stray '}' at depth 0 stays in the element,
// whose parse then reports it.
size_t find_element_end(std::string_view body, size_t pos) {
  Scanner scanner;
  size_t depth = 0;
  for (; pos < body.size(); ++pos) {
    bool was_in_string = scanner.in_string();
    int step = scanner.feed(body, pos);
    if (was_in_string) continue;
    char c = body[pos];
    if (step > 0) {
      ++depth;
    } else if (step < 0) {
      if (depth > 0)
        --depth;
      else if (c == ']')
        return pos;
    } else if (c == ',' && depth == 0) {
      return pos;
    }
  }
  return body.size();
}

// For a value starting with '{' or '[' at `pos`: the position just after its
// closing bracket, or npos when it never closes.
size_t find_value_end(std::string_view body, size_t pos) {
  Scanner scanner;
  size_t depth = 0;
  for (; pos < body.size(); ++pos) {
    bool was_in_string = scanner.in_string();
    int step = scanner.feed(body, pos);
    if (was_in_string) continue;
    if (step > 0) ++depth;
    if (step < 0 && depth > 0 && --depth == 0) return pos + 1;
  }
  return std::string_view::npos;
}

size_t line_end(std::string_view body, size_t pos) {
  size_t end = body.find_first_of("\r\n", pos);
  return end == std::string_view::npos ? body.size() : end;
}

// Counts the record and reports it when over max_line_bytes; true if reported.
bool too_long(RecordSink& sink, size_t index, size_t offset, size_t size, std::string_view what) {
  if (size <= sink.options().max_line_bytes) return false;
  if (sink.admit(index, offset)) sink.reject_if_too_long(index, offset, size, what);
  return true;
}

void read_array(std::string_view body, size_t open, RecordSink& sink, const Handler& handle) {
  size_t pos = skip_space(body, open + 1);
  size_t index = 0;
  if (pos < body.size() && body[pos] == ']') {
    ++pos;
  } else {
    for (;;) {
      if (sink.full()) return;
      size_t end = find_element_end(body, pos);
      size_t offset = pos;
      std::string_view text = trim(body.substr(pos, end - pos), offset);
      if (text.empty() && end == body.size()) {
        sink.reject(index, body.size(), "",
                    "unterminated JSON array: missing ']' at the end of the body");
        return;
      }
      if (text.empty()) {
        if (sink.admit(index, pos))
          sink.reject(index, pos, "", "empty JSON array element (a stray or trailing ',')");
      } else if (!too_long(sink, index, offset, text.size(), "the array element")) {
        handle(JsonRecordText{index, offset, text, false});
      }
      ++index;
      if (end == body.size()) {
        sink.reject(index, body.size(), "",
                    "unterminated JSON array: missing ']' at the end of the body");
        return;
      }
      pos = end + 1;
      if (body[end] == ']') break;
    }
  }
  pos = skip_space(body, pos);
  if (pos < body.size())
    sink.reject(index, pos, "",
                "unexpected data after the JSON array at byte " +
                    std::to_string(pos + sink.options().base_offset));
}

void read_lines(std::string_view body, size_t start, size_t first_index, RecordSink& sink,
                const Handler& handle, const TextHandler* text_line) {
  LineReader reader(body, start);
  Line line;
  bool mixed = false;  // a text line was seen: blank lines are text from then on
  while (reader.next(line)) {
    if (sink.full()) return;
    size_t offset = line.offset;
    std::string_view text = trim(line.text, offset);
    if (text_line && (text.empty() ? mixed : !looks_like_json(text, 0))) {
      mixed = true;
      Line whole = line;
      whole.number = first_index + line.number;
      if (!(*text_line)(whole)) return;
      continue;
    }
    if (text.empty()) continue;
    size_t index = first_index + line.number;
    if (too_long(sink, index, offset, text.size(), "the line")) continue;
    handle(JsonRecordText{index, offset, text, false});
  }
}

void read_values(std::string_view body, size_t start, RecordSink& sink, const Handler& handle,
                 const TextHandler* text_line) {
  size_t index = 0;
  for (size_t pos = skip_space(body, start); pos < body.size();
       pos = skip_space(body, pos), ++index) {
    if (sink.full()) return;
    size_t end = line_end(body, pos);  // what is not a bracketed value ends with its line
    if (text_line && !looks_like_json(body, pos)) {
      // Text after the documents: the rest is read line by line, from this line's start.
      size_t line_start = body.find_last_of("\r\n", pos);
      line_start = line_start == std::string_view::npos ? start : line_start + 1;
      return read_lines(body, std::max(line_start, start), index, sink, handle, text_line);
    }
    if (body[pos] == '{' || body[pos] == '[') {
      end = find_value_end(body, pos);
      if (end == std::string_view::npos) return read_lines(body, pos, index, sink, handle, text_line);
    }
    std::string_view text = body.substr(pos, end - pos);
    bool whole_body = index == 0 && skip_space(body, end) == body.size();
    if (whole_body || !too_long(sink, index, pos, text.size(), "the JSON value"))
      handle(JsonRecordText{index, pos, text, whole_body});
    pos = end;
  }
}

}  // namespace

void read_json_records(std::string_view body, size_t start, RecordSink& sink,
                       const Handler& handle, const TextHandler* text_line) {
  size_t first = skip_space(body, start);
  if (first >= body.size()) return;
  if (body[first] == '[') return read_array(body, first, sink, handle);
  size_t first_line_end = line_end(body, first);
  size_t first_value_end = body[first] == '{' ? find_value_end(body, first) : first_line_end;
  if (first_value_end != std::string_view::npos && first_value_end <= first_line_end &&
      skip_space(body, first_line_end) < body.size())
    return read_lines(body, start, 0, sink, handle, text_line);  // numbered from `start`: blank lines count
  read_values(body, first, sink, handle, text_line);
}

bool looks_like_json(std::string_view text, size_t first) {
  if (first >= text.size() || (text[first] != '{' && text[first] != '[')) return false;
  size_t next = skip_space(text, first + 1);
  if (next >= text.size()) return false;
  char c = text[next];
  return text[first] == '{' ? (c == '"' || c == '}') : (c == '{' || c == ']');
}

bool json_body_is_text(std::string_view body, size_t first) {
  constexpr size_t kLinesLooked = 8;
  if (!looks_like_json(body, first)) return true;
  size_t first_line_end = line_end(body, first);
  // An array's first element stands for it ("[" then "]" is JSON already).
  size_t value = first;
  if (body[first] == '[') {
    value = skip_space(body, first + 1);
    if (body[value] != '{') return false;
  }
  size_t value_end = find_value_end(body, value);
  // A value that spans lines (a pretty-printed document) or never closes is JSON.
  if (value_end == std::string_view::npos || value_end > first_line_end) return false;
  auto parses = [](std::string_view text) {
    nlohmann::json parsed;
    JsonSyntaxError error;
    return parse_json_document(text, parsed, error);
  };
  if (parses(body.substr(value, value_end - value))) return false;
  LineReader reader(body, first_line_end);
  Line line;
  size_t looked = 0;
  while (looked < kLinesLooked && reader.next(line)) {
    size_t offset = 0;
    std::string_view text = trim(line.text, offset);
    if (text.empty()) continue;
    ++looked;
    if (looks_like_json(text, 0) && parses(text)) return false;
  }
  return true;
}

}  // namespace faultline
