// Framing of JSON bodies into records with byte offsets, before any parsing.
// Internal to parsers/.
//
// - '[' starts a JSON array: each element is a record (gcloud logging read
//   --format=json, pretty-printed or not).
// - '{' whose first value ends on the first line: NDJSON, one record per line
//   (blank lines skipped; "\n", "\r\n" or "\r" end lines) — or, when nothing but
//   blanks follows that line, one document.
// - '{' whose first value spans lines: a sequence of JSON values (one
//   pretty-printed document, or `jq .` output of several). A value that never
//   closes makes the rest of the body be read as NDJSON lines, so a broken
//   first NDJSON line costs only itself.
//
// Boundaries are found by a linear scan that tracks strings and nesting depth (no
// recursion, no parse), so a bad record costs only itself and each good one is
// parsed once. A raw line break inside a string (never valid JSON) ends the
// string, so an unbalanced quote cannot hide the brackets of later lines.
#pragma once

#include <cstddef>
#include <functional>
#include <string_view>

#include "parsers/lines.h"
#include "parsers/record_sink.h"

namespace faultline {

struct JsonRecordText {
  size_t index = 0;   // array element or value index, or 0-based line number for NDJSON
  size_t offset = 0;  // where `text` starts in the body
  std::string_view text;
  // The body is this one document (a Loki push, a Pub/Sub envelope, one
  // LogEntry): its max_line_bytes check depends on what it turns out to be, so
  // the handler makes it. Other records were checked before being handed over.
  bool whole_body = false;
};

// Hands each record of the body from byte `start` on (line 0 of NDJSON; after
// any byte order mark) to `handle` in body order (the handler admits it to the sink). Records over
// max_line_bytes, an array without its ']', empty array elements and data after
// the array are reported to the sink directly. Stops once the sink is full.
//
// With `text_line` (automatic detection), NDJSON lines that do not start like
// JSON (looks_like_json) are handed to it whole, as the lines of a plain-text
// log mixed into the JSON one (a Go panic after zap's JSON lines); from the
// first such line on, blank lines are handed over too, since traces contain
// them. It returns false to stop reading.
void read_json_records(std::string_view body, size_t start, RecordSink& sink,
                       const std::function<void(const JsonRecordText&)>& handle,
                       const std::function<bool(const Line&)>* text_line = nullptr);

// JSON only when the opening bracket at `first` is followed by what a JSON body
// of records has next: '{' then '"' or '}', '[' then '{' or ']'. Log lines that
// start with a bracket ("[Sun Dec 04 04:47:44 2005] [error] …", "{main} …") do not.
bool looks_like_json(std::string_view text, size_t first);

// For a body that looks like JSON at `first`: true when it is text all the same
// — its first value ends on its first line without being JSON (Erlang terms such
// as {"Kernel pid terminated",application_controller,…}), and none of the next
// few lines that start like JSON is JSON either.
bool json_body_is_text(std::string_view body, size_t first);

// True for the JSON whitespace characters: space, tab, CR, LF.
inline bool is_json_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

}  // namespace faultline
