// Multi-line assembly: joins consecutive lines of one (service, instance, stream)
// that form an exception trace (Python incl. chained tracebacks, Java, Go panics,
// Node stacks; also C#, Ruby, PHP and Dart as fluent-plugin-detect-exceptions
// knows them) into one LogRecord, and names the culprit frame. Detection never
// depends on it (rules match the exception line alone); it adds context.
// Not thread-safe: one assembler per ingest stream or per scan.
//
// Grouping. A trace starts at a line that can start one (parsers/trace_grammar.h)
// and goes on while lines continue it. It ends
// - at the first line that does not continue it: that line then passes through,
//   or starts the next trace;
// - when its stream has been silent for flush_after of event time: checked by
//   flush_older_than, and by push() when the stream's next line is that much newer;
// - at max_lines / max_bytes: what has been gathered is emitted, and the rest of
//   the trace is gathered into a new record (each piece is summarised on its own);
// - at a record that already holds several lines (see push()).
// Lines that only might belong (blank lines, Dart message lines) are held back
// until a later line decides; when the trace ends first, they are fed again as
// ordinary lines, in order.
//
// The assembled record is the first line's record (time, service, revision,
// instance, stream, severity, resource, source_id, http_status all from the first
// line) with text = every line's text joined by '\n'. So only the first line's
// source_id stands for the trace: dedup before assembly, as the pipeline does.
// A trace of two or more lines gets `exceptions` and `culprit` (annotate_trace); a
// candidate start that nothing continued comes out unchanged.
//
// Latency: a line that may start a trace is held until the next line of its
// stream decides, or until flush_after of silence. Java, JS and C# traces have no
// fixed first line, so any line with "…Error:" / "…Exception:" is such a candidate;
// a Python trace stays open after its exception line in case a chained traceback
// follows. Call flush_older_than regularly (with the newest event time seen, or the
// wall clock) so that these are not held longer than flush_after.
//
// Output order: records of one (service, instance, stream) come out in the order
// they went in (a trace where its first line was); across streams a held trace
// comes out after lines of other streams that arrived later.
//
// Cost: a line of a stream with nothing pending costs a few prefix/suffix checks and
// one scan for ':' (no regex, no allocation beyond moving the record); a pending
// trace costs one map lookup per line of any stream. Time and memory are linear in
// the input; a pending trace holds at most max_bytes of text plus
// kMaxTentativeLines held lines.
#pragma once

#include <chrono>
#include <cstddef>
#include <map>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "parsers/log_record.h"
#include "parsers/trace_grammar.h"

namespace faultline {

struct MultilineOptions {
  size_t max_lines = 1000;          // a trace longer than this is emitted in pieces
  size_t max_bytes = 256 * 1024;    // likewise for bytes
  // A pending trace is complete when its stream has been silent this long (event time).
  std::chrono::nanoseconds flush_after = std::chrono::seconds(2);
  // Streams with a trace pending at once; beyond it, new traces are not assembled
  // (their lines pass through one by one), so hostile input cannot grow the state.
  size_t max_pending = 10000;
};

class MultilineAssembler {
 public:
  explicit MultilineAssembler(MultilineOptions options = {});

  // Feeds one record (one line, or a whole multi-line payload). Appends to `out`
  // every record that is complete, in order; a line that cannot start or continue
  // a trace passes straight through (after any trace it ended).
  // A record whose text has several lines is taken as a whole trace: it ends the
  // trace pending on its stream, is annotated (annotate_trace, unless it already
  // carries exceptions or a culprit) and passes through.
  void push(LogRecord record, std::vector<LogRecord>& out);
  // Emits pending traces whose last line is older than now - flush_after.
  // Linear in the number of pending traces.
  void flush_older_than(Timestamp now, std::vector<LogRecord>& out);
  // Emits everything pending (end of input).
  void flush_all(std::vector<LogRecord>& out);
  // Traces pending (one at most per service, instance and stream).
  size_t pending() const;

 private:
  struct Pending {
    LogRecord head;               // the first line's record; its text grows line by line
    TraceState state;
    size_t lines = 0;             // lines in head.text
    std::vector<LogRecord> held;  // tentative lines, in order, not yet in head.text
    size_t held_bytes = 0;
    Timestamp last_time{};        // newest event time of any of its lines
  };
  using Key = std::tuple<std::string, std::string, std::string>;  // service, instance, stream
  using KeyView = std::tuple<std::string_view, std::string_view, std::string_view>;
  struct KeyLess {
    using is_transparent = void;
    static KeyView view(const Key& k) { return {std::get<0>(k), std::get<1>(k), std::get<2>(k)}; }
    static const KeyView& view(const KeyView& k) { return k; }
    template <class A, class B>
    bool operator()(const A& a, const B& b) const { return view(a) < view(b); }
  };
  using PendingMap = std::map<Key, Pending, KeyLess>;

  void feed(LogRecord&& record, std::vector<LogRecord>& out);
  void start_or_pass(LogRecord&& record, std::vector<LogRecord>& out);
  void append(Pending& pending, LogRecord&& line, std::vector<LogRecord>& out);
  void emit(LogRecord&& record, size_t lines, std::vector<LogRecord>& out);
  void close(PendingMap::iterator it, std::vector<LogRecord>& out);
  void close_stream(const KeyView& key, std::vector<LogRecord>& out);

  MultilineOptions options_;
  PendingMap pending_;
};

// For a record whose text already holds a whole trace (one multi-line textPayload):
// fills `exceptions` (root cause first) and `culprit`, as parsers/culprit.h defines
// them. No-op for other text (a single line, or lines that form no trace).
void annotate_trace(LogRecord& record);

}  // namespace faultline
