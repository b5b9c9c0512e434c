// Where the format readers put what they read: good records, errors, and the
// max_records count. Internal to parsers/. Not thread-safe; one per parse_input.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "parsers/parse.h"

namespace faultline {

class RecordSink {
 public:
  RecordSink(const ParseOptions& options, ParseResult& result)
      : options_(options), result_(result) {}

  const ParseOptions& options() const { return options_; }

  // Counts one input record at (index, offset) before it is read. The first
  // record beyond max_records is refused with one error naming the limit;
  // from then on every call returns false and readers stop.
  bool admit(size_t index, size_t offset);
  bool full() const { return full_; }

  void accept(LogRecord&& record) { result_.records.push_back(std::move(record)); }
  // The records accepted so far, in order (readers amend what later lines tell:
  // the time of lines before the first timestamp, the service of compose's exits).
  std::vector<LogRecord>& records() { return result_.records; }
  // `index` and `offset` within the body: the sink adds ParseOptions' base_index
  // and base_offset (as must a message that names a byte or line itself).
  void reject(size_t index, size_t offset, std::string field, std::string message);
  // A record kept, with something in it ignored (ParseResult::warnings).
  void warn(size_t index, size_t offset, std::string field, std::string message);
  // A record refused because it exceeds a configured limit (`limit` names the option).
  void reject_limit(size_t index, size_t offset, std::string_view limit, std::string message);

  // Rejects a record longer than max_line_bytes; false when it is within the limit.
  bool reject_if_too_long(size_t index, size_t offset, size_t size, std::string_view what);

  // The body is OTLP logs (ParseResult::otlp).
  void note_otlp() { result_.otlp = true; }
  // The OTLP request as a whole cannot be read (ParseResult::request_unreadable).
  void reject_request(size_t offset, std::string field, std::string message);

 private:
  const ParseOptions& options_;
  ParseResult& result_;
  bool full_ = false;
};

}  // namespace faultline
