// Multi-line assembly: joins consecutive lines of one (service, instance, stream)
// that form an exception trace (Python incl. chained tracebacks, Java, Go panics,
// Node stacks) into one LogRecord, and names the culprit frame. Detection never
// depends on it (rules match the exception line alone); it adds context.
// Not thread-safe: one assembler per ingest stream or per scan.
#pragma once

#include <chrono>
#include <cstddef>
#include <map>
#include <string>
#include <tuple>
#include <vector>

#include "parsers/log_record.h"

namespace faultline {

struct MultilineOptions {
  size_t max_lines = 1000;          // a trace longer than this is emitted in pieces
  size_t max_bytes = 256 * 1024;    // likewise for bytes
  // A pending trace is complete when its stream has been silent this long (event time).
  std::chrono::nanoseconds flush_after = std::chrono::seconds(2);
};

class MultilineAssembler {
 public:
  explicit MultilineAssembler(MultilineOptions options = {});

  // Feeds one record (one line, or a whole multi-line payload). Appends to `out`
  // every record that is complete, in order; a line that cannot start or continue
  // a trace passes straight through (after any trace it ended).
  void push(LogRecord record, std::vector<LogRecord>& out);
  // Emits pending traces whose last line is older than now - flush_after.
  void flush_older_than(Timestamp now, std::vector<LogRecord>& out);
  // Emits everything pending (end of input).
  void flush_all(std::vector<LogRecord>& out);
  size_t pending() const;

 private:
  struct Pending;
  using Key = std::tuple<std::string, std::string, std::string>;  // service, instance, stream
  MultilineOptions options_;
  std::map<Key, std::vector<LogRecord>> pending_;  // implementation may change this
};

// For a record whose text already holds a whole trace (one multi-line textPayload):
// fills `exceptions` (root cause first) and `culprit`. No-op for other text.
void annotate_trace(LogRecord& record);

}  // namespace faultline
