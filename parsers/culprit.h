// Reading a whole exception trace: its exception lines, root cause first, and the
// culprit frame — the innermost frame of the root cause that is the application's
// own code rather than the runtime's, a framework's or a dependency's.
//
// Root cause, per language:
// - Python: the first traceback of a chain (Python prints the original exception
//   first, then "During handling …" / "The above exception was the direct cause …").
// - Java: the innermost "Caused by:" (printed last); the exception list runs from it
//   out to the top-level exception. "Suppressed:" exceptions are not in the chain.
// - C#: the innermost exception of "Outer ---> Inner", whose frames come before
//   "--- End of inner exception stack trace ---".
// - Go: the first panic line (a re-panic follows "[recovered]"); frames are those of
//   the first goroutine, the one that panicked.
// - Node, Ruby, PHP, Dart: the one exception.
//
// Culprit: the innermost application frame of the root cause. Not application code:
// site-packages/dist-packages, Python's stdlib (…/lib/pythonX.Y/), "<frozen …>" and
// other "<…>" pseudo-files; node_modules and node:internal; Go's runtime, GOROOT
// (/usr/local/go/src/), the module cache and vendor/; java., javax., jakarta., sun.,
// com.sun., jdk., kotlin., scala., org.springframework., org.apache.catalina.,
// org.apache.tomcat., io.netty.; .NET System. and Microsoft.; Ruby gems and stdlib;
// PHP vendor/; Dart's dart: libraries and the pub cache. Java and C# elide the frames a
// cause shares with the exception that wraps it ("... 27 more"), so there the search
// goes on through the enclosing exceptions' frames. When no frame qualifies the
// culprit is the root cause's innermost frame; with no frame at all, none.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "parsers/log_record.h"

namespace faultline {

struct TraceSummary {
  // Exception lines, root cause first, trimmed of indentation and of Java's
  // "Caused by: " label; otherwise as printed (a log prefix on Java's first line stays).
  std::vector<std::string> exceptions;
  std::optional<Frame> culprit;
};

// Reads the first trace of two or more lines in `text` (lines separated by '\n',
// a trailing '\r' ignored) and fills `out`. Returns false, leaving `out` alone, when
// the text holds no such trace. Linear in the text; never throws on any input
// (short of std::bad_alloc).
bool summarize_trace(std::string_view text, TraceSummary& out);

}  // namespace faultline
