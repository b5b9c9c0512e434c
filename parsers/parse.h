// Turning request bodies and files into LogRecords. Every entry point keeps the
// good records of a batch and reports each bad one with its index, byte offset
// and the field at fault; none of them throws on any input.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "parsers/log_record.h"

namespace faultline {

enum class InputFormat {
  automatic,  // sniff: Pub/Sub envelope, Loki push, JSON array/object, NDJSON, else text
  logentry,   // one LogEntry, a JSON array of them (gcloud --format=json), or NDJSON of them
  ndjson,     // NDJSON / JSON array of LogEntries or flat records {"time","service","message",…}
  text,       // plain text, one record per line (CRLF and bare CR handled)
  pubsub,     // Pub/Sub push envelope, wrapped or unwrapped (the body is the LogEntry itself)
  loki,       // Loki push JSON: {"streams":[{"stream":{labels},"values":[["ns","line"],…]}]}
};

// "auto", "logentry", "ndjson", "text", "pubsub", "loki"; false when unknown.
bool parse_input_format(std::string_view name, InputFormat& out);

struct RecordError {
  size_t index = 0;   // 0-based record index within the body (line number - 1 for NDJSON/text)
  size_t offset = 0;  // byte offset in the body where the bad record starts
  std::string field;  // JSON pointer-ish path of the offending field ("message.data"), or ""
  std::string message;  // what is wrong, e.g. "invalid base64 at character 17"
  // "record 3 (byte 1234): message.data: invalid base64 at character 17"
  std::string describe() const;
};

struct ParseResult {
  std::vector<LogRecord> records;
  std::vector<RecordError> errors;
  size_t input_records = 0;  // records seen, good and bad
};

struct ParseOptions {
  size_t max_line_bytes = 1 << 20;   // a longer line/record is rejected (error), not truncated
  size_t max_records = 100000;       // records beyond this are rejected with one error
  Timestamp arrival{};               // event time for records that carry none
  // Defaults for records that do not name them (query parameters of /v1/logs/raw, scan flags).
  std::string service;
  std::string revision;
  std::string instance;
};

ParseResult parse_input(std::string_view body, InputFormat format, const ParseOptions& options);

}  // namespace faultline
