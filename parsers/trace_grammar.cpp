#include "parsers/trace_grammar.h"

namespace faultline {

namespace {

enum Phase : uint8_t {
  // python
  kPyFrames,    // after "Traceback …", a frame or a code line
  kPyAfterExc,  // after the exception line: only a chain can follow
  kPyChain,     // after "During handling …" / "The above exception …": the next Traceback
  // stack
  kStkAfterExc,  // after an exception line
  kStkFrames,    // after a frame
  kStkNested,    // after "nested exception is:": its exception line follows
  kStkRequire,   // Node "Require stack:" and its "- /path" lines
  kStkProps,     // Node error properties between "at … {" and "}"
  kNodeHeader,   // after Node's "/path/file.js:12": the code line follows
  kNodeCode,     // after the code line: the caret line follows
  kNodeCaret,    // after the caret line: the exception line follows (after a blank line)
  // go
  kGoPanic,  // after "panic: …"
  kGoBlank,  // after a blank line: a goroutine header follows
  kGoStack,  // inside a goroutine block
  // ruby, php, dart
  kRbFrames,
  kPhpBegin,
  kPhpFrames,
  kDartMessage,
  kDartFrames,
};

// Dart prints a message of a few lines between "Unhandled exception:" and the frames.
constexpr uint8_t kMaxDartMessageLines = 8;

bool is_space(char c) { return c == ' ' || c == '\t'; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_lower(char c) { return c >= 'a' && c <= 'z'; }
bool is_alpha(char c) { return is_lower(c) || (c >= 'A' && c <= 'Z'); }
bool is_alnum(char c) { return is_alpha(c) || is_digit(c); }

std::string_view strip_cr(std::string_view line) {
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  return line;
}

std::string_view ltrim(std::string_view s) {
  size_t i = 0;
  while (i < s.size() && is_space(s[i])) ++i;
  return s.substr(i);
}

std::string_view rtrim(std::string_view s) {
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

bool is_blank(std::string_view line) { return ltrim(line).empty(); }
bool indented(std::string_view line) { return !line.empty() && is_space(line[0]); }
bool contains(std::string_view s, std::string_view what) { return s.find(what) != std::string_view::npos; }

// "…Exception", "…Error", "…Throwable": the names Java, JS and C# give their throwables.
bool ends_with_throwable_name(std::string_view s) {
  return s.ends_with("Exception") || s.ends_with("Error") || s.ends_with("Throwable");
}

// "ModuleNotFoundError: …", "django.core.exceptions.ImproperlyConfigured: …",
// "KeyboardInterrupt". Log-level prefixes ("INFO:", "ERROR:") and URLs are not.
bool is_python_exception_line(std::string_view line) {
  if (line.empty() || !(is_alpha(line[0]) || line[0] == '_')) return false;
  bool has_lower = false;
  size_t i = 0;
  for (; i < line.size() && line[i] != ':'; ++i) {
    char c = line[i];
    if (!(is_alnum(c) || c == '_' || c == '.')) return false;
    has_lower = has_lower || is_lower(c);
  }
  if (!has_lower) return false;
  return i == line.size() || i + 1 == line.size() || line[i + 1] != '/';
}

bool is_caret_line(std::string_view line) {
  std::string_view t = rtrim(ltrim(line));
  if (t.empty()) return false;
  for (char c : t)
    if (c != '^' && c != '~') return false;
  return true;
}

// "/usr/src/app/server.js:12", "node:internal/modules/cjs/loader:1228": the first
// line Node prints for an uncaught exception.
bool is_node_header(std::string_view line) {
  if (line.empty() || !is_digit(line.back())) return false;
  size_t colon = line.rfind(':');
  if (colon == std::string_view::npos || colon == 0) return false;
  for (size_t i = colon + 1; i < line.size(); ++i)
    if (!is_digit(line[i])) return false;
  if (line.find(' ') != std::string_view::npos || line.find('\t') != std::string_view::npos) return false;
  return line[0] == '/' || line.starts_with("node:") || line.starts_with("file://") ||
         line.starts_with("internal/");
}

bool is_goroutine_header(std::string_view line) {
  return line.starts_with("goroutine ") && rtrim(line).ends_with("]:");
}

// "main.main()", "panic({0x45cb40, 0x47ad70})", "net/http.(*conn).serve(…)", "created by …".
bool is_go_function_line(std::string_view line) {
  if (line.empty() || is_space(line[0])) return false;
  if (line.starts_with("created by ")) return true;
  size_t paren = line.find('(');
  if (paren == std::string_view::npos || paren == 0) return false;
  std::string_view name = line.substr(0, paren);
  return name.find(' ') == std::string_view::npos && name.find('\t') == std::string_view::npos;
}

bool is_hash_frame(std::string_view line) {
  return line.size() >= 2 && line[0] == '#' && is_digit(line[1]);
}

// "  app/controllers/books_controller.rb:69:in `recursivewordload'", "\tfrom x.rb:5:in `<main>'".
bool is_ruby_frame(std::string_view line) {
  return indented(line) && contains(line, ".rb:") && contains(line, ":in ");
}

bool starts_ruby_trace(std::string_view line) {
  // Rails: " NoMethodError (undefined method `x' for …):"
  if (line.ends_with("):")) return contains(line, "Error (") || contains(line, "Exception (");
  // Plain Ruby: "/app/x.rb:3:in `foo': undefined method `bar' for nil (NoMethodError)"
  if (line.ends_with(")")) return contains(line, ".rb:") && contains(line, ":in ");
  return false;
}

bool starts_php_trace(std::string_view line) {
  if (line.starts_with("PHP ")) {
    std::string_view rest = line.substr(4);
    return rest.starts_with("Fatal error:") || rest.starts_with("Parse error:") ||
           rest.starts_with("Warning:") || rest.starts_with("Notice:");
  }
  return line.starts_with("Fatal error: Uncaught ") || line.starts_with("exception '");
}

enum class ColonStart { none, stack, go };

// One pass over the line's colons: "…Exception:" / "…Error:" / "…Throwable:" start
// a Java/JS/C# trace; "panic: " (after a log prefix) and "http: panic serving" a Go one.
ColonStart classify_colons(std::string_view line) {
  for (size_t pos = line.find(':', 4); pos != std::string_view::npos; pos = line.find(':', pos + 1)) {
    std::string_view before = line.substr(0, pos);
    // Dispatch on the letter before ':' so that most colons cost one comparison.
    switch (line[pos - 1]) {
      case 'n':  // …Exception
      case 'r':  // …Error
      case 'e':  // …Throwable
        if (ends_with_throwable_name(before)) return ColonStart::stack;
        break;
      case ']': {  // Node: "Error [ERR_MODULE_NOT_FOUND]: …"
        size_t open = before.rfind('[');
        if (open != std::string_view::npos && open > 0 && before[open - 1] == ' ' &&
            ends_with_throwable_name(before.substr(0, open - 1)))
          return ColonStart::stack;
        break;
      }
      case 'c':  // panic: (after a log prefix)
        if (before.ends_with("panic") && (pos == 5 || !is_alnum(line[pos - 6])) && pos + 1 < line.size() &&
            line[pos + 1] == ' ')
          return ColonStart::go;
        break;
      case 'p':  // http: panic serving
        if (before.ends_with("http") && line.substr(pos).starts_with(": panic serving ")) return ColonStart::go;
        break;
      default:
        break;
    }
  }
  return ColonStart::none;
}

Step belongs(LineRole role) { return {Verdict::belongs, role}; }
Step tentative(LineRole role = LineRole::other) { return {Verdict::tentative, role}; }
constexpr Step kEnds{Verdict::ends, LineRole::other};

Step continue_python(TraceState& s, std::string_view line) {
  switch (s.phase) {
    case kPyFrames: {
      if (line.empty()) return kEnds;
      if (indented(line)) {
        std::string_view t = ltrim(line);
        if (t.empty()) return tentative();
        return belongs(t.starts_with("File \"") ? LineRole::frame : LineRole::other);
      }
      if (is_python_exception_line(line)) {
        s.phase = kPyAfterExc;
        return belongs(LineRole::exception);
      }
      return kEnds;
    }
    case kPyAfterExc:
      if (is_blank(line)) return tentative();
      if (line.starts_with("During handling of the above exception, another exception occurred:") ||
          line.starts_with("The above exception was the direct cause of the following exception:")) {
        s.phase = kPyChain;
        return belongs(LineRole::other);
      }
      return kEnds;
    case kPyChain:
      if (is_blank(line)) return tentative();
      if (line.starts_with("Traceback (most recent call last):")) {
        s.phase = kPyFrames;
        return belongs(LineRole::header);
      }
      return kEnds;
    default:
      return kEnds;
  }
}

Step continue_stack_body(TraceState& s, std::string_view line) {
  if (is_blank(line)) return tentative();
  std::string_view t = ltrim(line);
  bool indent = t.size() != line.size();
  if (indent && (t.starts_with("at ") || t.starts_with("eval at "))) {
    s.phase = rtrim(t).ends_with(" {") ? kStkProps : kStkFrames;
    return belongs(LineRole::frame);
  }
  if (t.starts_with("Caused by:")) {
    s.phase = kStkAfterExc;
    return belongs(indent ? LineRole::side : LineRole::exception);
  }
  if (t.starts_with("Suppressed:")) {
    s.phase = kStkAfterExc;
    return belongs(LineRole::side);
  }
  if (t.starts_with("... ") && (t.ends_with(" more") || t.ends_with(" common frames omitted"))) {
    s.phase = kStkFrames;
    return belongs(LineRole::other);
  }
  if (t.starts_with("nested exception is:")) {
    s.phase = kStkNested;
    return belongs(LineRole::other);
  }
  if (t.starts_with("--- End of ")) {
    s.phase = kStkFrames;
    return belongs(t.starts_with("--- End of inner exception stack trace ---") ? LineRole::boundary
                                                                                : LineRole::other);
  }
  if (line.starts_with("Require stack:")) {
    s.phase = kStkRequire;
    return belongs(LineRole::other);
  }
  if (s.phase == kStkRequire && line.starts_with("- ")) return belongs(LineRole::other);
  if (line.starts_with("Node.js v") || line.starts_with("(Use `node --trace")) {
    s.phase = kStkFrames;
    return belongs(LineRole::other);
  }
  return kEnds;
}

Step continue_stack(TraceState& s, std::string_view line) {
  switch (s.phase) {
    case kStkAfterExc:
    case kStkFrames:
    case kStkRequire:
      return continue_stack_body(s, line);
    case kStkNested:
      if (is_blank(line)) return tentative();
      s.phase = kStkAfterExc;
      return belongs(LineRole::other);
    case kStkProps:
      if (is_blank(line)) return tentative();
      if (rtrim(line) == "}") {
        s.phase = kStkFrames;
        return belongs(LineRole::other);
      }
      return indented(line) ? belongs(LineRole::other) : kEnds;
    case kNodeHeader:
      s.phase = kNodeCode;
      return tentative();
    case kNodeCode:
      if (!is_caret_line(line)) return kEnds;
      s.phase = kNodeCaret;
      return belongs(LineRole::other);
    case kNodeCaret:
      if (is_blank(line)) return tentative();
      s.phase = kStkAfterExc;
      return belongs(LineRole::exception);
    default:
      return kEnds;
  }
}

Step continue_go(TraceState& s, std::string_view line) {
  switch (s.phase) {
    case kGoPanic: {
      if (is_blank(line)) {
        s.phase = kGoBlank;
        return tentative();
      }
      if (is_goroutine_header(line)) {
        s.phase = kGoStack;
        return belongs(LineRole::header);
      }
      std::string_view t = ltrim(line);
      if (t.starts_with("[signal ")) return belongs(LineRole::other);
      if (indented(line) && t.starts_with("panic: ")) return belongs(LineRole::exception);
      return kEnds;
    }
    case kGoBlank:
      if (is_blank(line)) return tentative();
      if (is_goroutine_header(line)) {
        s.phase = kGoStack;
        return belongs(LineRole::header);
      }
      // "fatal error: unexpected signal …" prints the runtime's own stack first.
      if (rtrim(line) == "runtime stack:") {
        s.phase = kGoStack;
        return belongs(LineRole::other);
      }
      return kEnds;
    case kGoStack:
      if (is_blank(line)) {
        s.phase = kGoBlank;
        return tentative();
      }
      if (indented(line)) return belongs(LineRole::frame);
      if (is_go_function_line(line)) return belongs(LineRole::function);
      if (line.starts_with("...additional frames elided...")) return belongs(LineRole::other);
      return kEnds;
    default:
      return kEnds;
  }
}

Step continue_ruby(TraceState&, std::string_view line) {
  if (is_blank(line)) return line.empty() ? kEnds : tentative();
  return is_ruby_frame(line) ? belongs(LineRole::frame) : kEnds;
}

Step continue_php(TraceState& s, std::string_view line) {
  if (s.phase == kPhpBegin) {
    if (!line.starts_with("Stack trace:")) return kEnds;
    s.phase = kPhpFrames;
    return belongs(LineRole::other);
  }
  if (is_hash_frame(line)) return belongs(LineRole::frame);
  if (ltrim(line).starts_with("thrown in ")) return {Verdict::last, LineRole::other};
  return kEnds;
}

Step continue_dart(TraceState& s, std::string_view line) {
  if (is_hash_frame(line)) {
    s.phase = kDartFrames;
    return belongs(LineRole::frame);
  }
  if (s.phase == kDartFrames) {
    return rtrim(line) == "<asynchronous suspension>" ? belongs(LineRole::other) : kEnds;
  }
  if (s.count >= kMaxDartMessageLines) return kEnds;
  bool first_message = s.count == 0 && !is_blank(line);
  if (!is_blank(line)) ++s.count;
  return tentative(first_message ? LineRole::exception : LineRole::other);
}

TraceState state_of(TraceLanguage language, uint8_t phase) { return TraceState{language, phase, 0}; }

}  // namespace

bool begin_trace(std::string_view raw, TraceState& state, LineRole& role) {
  std::string_view line = strip_cr(raw);
  if (line.size() < 5) return false;  // "Error" is the shortest start
  switch (line[0]) {
    case 'T':
      if (line == "Traceback (most recent call last):") {
        state = state_of(TraceLanguage::python, kPyFrames);
        role = LineRole::header;
        return true;
      }
      break;
    case 'U':
      if (rtrim(line) == "Unhandled exception:") {
        state = state_of(TraceLanguage::dart, kDartMessage);
        role = LineRole::header;
        return true;
      }
      break;
    case 'p':
    case 'f':
      if (line.starts_with("panic: ") || line.starts_with("fatal error: ")) {
        state = state_of(TraceLanguage::go, kGoPanic);
        role = LineRole::exception;
        return true;
      }
      break;
    default:
      break;
  }
  if (starts_php_trace(line)) {
    state = state_of(TraceLanguage::php, kPhpBegin);
    role = LineRole::exception;
    return true;
  }
  if (is_node_header(line)) {
    state = state_of(TraceLanguage::stack, kNodeHeader);
    role = LineRole::header;
    return true;
  }
  if (starts_ruby_trace(line)) {
    state = state_of(TraceLanguage::ruby, kRbFrames);
    role = LineRole::exception;
    return true;
  }
  switch (classify_colons(line)) {
    case ColonStart::go:
      state = state_of(TraceLanguage::go, kGoPanic);
      role = LineRole::exception;
      return true;
    case ColonStart::stack:
      state = state_of(TraceLanguage::stack, kStkAfterExc);
      role = LineRole::exception;
      return true;
    case ColonStart::none:
      break;
  }
  std::string_view end = rtrim(line);
  // "V8 errors stack trace" is the header fluent-plugin-detect-exceptions knows for V8.
  if (ends_with_throwable_name(end) || end.ends_with("V8 errors stack trace")) {
    state = state_of(TraceLanguage::stack, kStkAfterExc);
    role = LineRole::exception;
    return true;
  }
  return false;
}

Step continue_trace(TraceState& state, std::string_view raw) {
  std::string_view line = strip_cr(raw);
  switch (state.language) {
    case TraceLanguage::python:
      return continue_python(state, line);
    case TraceLanguage::stack:
      return continue_stack(state, line);
    case TraceLanguage::go:
      return continue_go(state, line);
    case TraceLanguage::ruby:
      return continue_ruby(state, line);
    case TraceLanguage::php:
      return continue_php(state, line);
    case TraceLanguage::dart:
      return continue_dart(state, line);
  }
  return kEnds;
}

}  // namespace faultline
