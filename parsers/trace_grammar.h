// The line grammar of exception traces: which line starts a trace, which lines
// continue it, and what part each line plays. The assembler uses it to group
// lines as they arrive; annotate_trace uses it to read a whole trace, so a trace
// gives the same result whether it came as one payload or one line per entry.
//
// Plain string scanning, no regex and no allocation: begin_trace runs on every
// ingested line (a few prefix/suffix checks and one scan for ':'), and
// continue_trace on every line of a stream that has a trace pending.
// Stateless functions over a small value type; thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace faultline {

enum class TraceLanguage : uint8_t {
  python,  // "Traceback (most recent call last):" … "ExceptionType: message", chained tracebacks
  stack,   // Java, JavaScript/Node and C#: "X: message" then "  at …" frames, "Caused by:";
           // also Node's "file.js:12" / code / caret preamble
  go,      // "panic: …", "fatal error: …", "http: panic serving …", goroutine blocks
  ruby,    // Rails "XError (message):" and "file.rb:N:in `m'" frames
  php,     // "PHP Fatal error: …" / "exception '…' with message '…'", "Stack trace:", "#N" frames
  dart,    // "Unhandled exception:", message lines, "#N" frames
};

// What a line is within its trace; the trace summary is built from these roles.
enum class LineRole : uint8_t {
  header,     // "Traceback …", "goroutine N [running]:", Node's "file.js:12", "Unhandled exception:"
  exception,  // an exception of the cause chain: the first line, "Caused by: …", Python's last line
  side,       // an exception outside the chain: Java "Suppressed: …" and the causes nested in it
  frame,      // a stack frame (Go: the "\t/path/file.go:12 +0x39" line)
  function,   // Go: the function line that precedes its file line
  boundary,   // C#: "--- End of inner exception stack trace ---"
  other,      // code and caret lines, blank lines, messages, "Require stack:", "... 27 more", …
};

struct TraceState {
  TraceLanguage language = TraceLanguage::python;
  uint8_t phase = 0;  // grammar-internal position within the trace
  uint8_t count = 0;  // grammar-internal counter (message lines seen, …)
};

enum class Verdict : uint8_t {
  belongs,    // the line is part of the trace
  tentative,  // part of the trace only if a later line `belongs` (blank lines, Dart message
              // lines, Node's code line); if the trace ends first, it never was
  last,       // belongs, and nothing can follow it (PHP "thrown in …"): the trace is complete
  ends,       // not part of the trace: the trace ended before this line
};

struct Step {
  Verdict verdict = Verdict::ends;
  LineRole role = LineRole::other;
};

// Tentative lines a trace may hold in a row; one more and the trace ends. Bounds
// the lines held back from output and the work of giving them back.
inline constexpr size_t kMaxTentativeLines = 16;

// True when `line` (one line, no '\n'; a trailing '\r' is ignored) starts a trace;
// then `state` and `role` describe it. Starts are deliberately broad, as in
// fluent-plugin-detect-exceptions: any line with "…Exception:", "…Error:" or
// "…Throwable:" (or ending in one of those words) may start a Java/JS/C# trace,
// since such traces have no fixed first line.
bool begin_trace(std::string_view line, TraceState& state, LineRole& role);

// Classifies the next line of a trace in `state` and advances the state. After
// Verdict::ends the state is meaningless.
Step continue_trace(TraceState& state, std::string_view line);

}  // namespace faultline
