#include "parsers/culprit.h"

#include <algorithm>
#include <charconv>
#include <cstddef>
#include <initializer_list>

#include "parsers/trace_grammar.h"

namespace faultline {

namespace {

using std::string_view;
constexpr size_t npos = string_view::npos;

struct TracedLine {
  LineRole role;
  string_view text;
};

// Frames of one exception (or one Go goroutine, one C# segment), innermost first.
using Frames = std::vector<Frame>;

bool is_space(char c) { return c == ' ' || c == '\t'; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }

string_view ltrim(string_view s) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  return s;
}
string_view rtrim(string_view s) {
  while (!s.empty() && (is_space(s.back()) || s.back() == '\r')) s.remove_suffix(1);
  return s;
}
string_view trim(string_view s) { return rtrim(ltrim(s)); }
bool contains(string_view s, string_view what) { return s.find(what) != npos; }

// A positive line number, all digits.
bool parse_line_number(string_view digits, int& out) {
  if (digits.empty()) return false;
  for (char c : digits)
    if (!is_digit(c)) return false;
  int value = 0;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
  if (ec != std::errc() || end != digits.data() + digits.size() || value <= 0) return false;
  out = value;
  return true;
}

// "path:12", "path:12:5" (line, column), "path:line 33" (.NET).
bool split_location(string_view loc, Frame& frame) {
  loc = trim(loc);
  size_t colon = loc.rfind(':');
  if (colon == npos) return false;
  string_view tail = loc.substr(colon + 1);
  if (tail.starts_with("line ")) tail.remove_prefix(5);
  int number = 0;
  if (!parse_line_number(tail, number)) return false;
  string_view head = loc.substr(0, colon);
  size_t previous = head.rfind(':');
  int line = 0;
  if (previous != npos && parse_line_number(head.substr(previous + 1), line)) {
    head = head.substr(0, previous);
  } else {
    line = number;
  }
  if (head.empty()) return false;
  frame.file = std::string(head);
  frame.line = line;
  return true;
}

// Index of the '(' that matches the ')' ending `s`, or npos.
size_t matching_open_paren(string_view s) {
  if (s.empty() || s.back() != ')') return npos;
  size_t depth = 0;
  for (size_t i = s.size(); i-- > 0;) {
    if (s[i] == ')') {
      ++depth;
    } else if (s[i] == '(') {
      if (--depth == 0) return i;
    }
  }
  return npos;
}

// ---- frame parsers, one per language ----

// '  File "/app/x.py", line 23, in <module>'
bool parse_python_frame(string_view line, Frame& frame) {
  string_view t = ltrim(line);
  if (!t.starts_with("File \"")) return false;
  t.remove_prefix(6);
  size_t quote = t.find('"');
  if (quote == npos || quote == 0) return false;
  frame.file = std::string(t.substr(0, quote));
  string_view rest = t.substr(quote + 1);
  if (!rest.starts_with(", line ")) return false;
  rest.remove_prefix(7);
  size_t digits = 0;
  while (digits < rest.size() && is_digit(rest[digits])) ++digits;
  if (!parse_line_number(rest.substr(0, digits), frame.line)) return false;
  rest = rest.substr(digits);
  frame.function = rest.starts_with(", in ") ? std::string(rtrim(rest.substr(5))) : std::string();
  return true;
}

// Java "at a.b.C.m(C.java:12)", Node "at f (/app/x.js:3:9)" / "at /app/x.js:3:9",
// C# "at A.B.M() in c:/x/B.cs:line 33" and Mono "at A.B.M (args) [0x0] in /x/B.cs:9".
bool parse_stack_frame(string_view line, Frame& frame) {
  string_view t = ltrim(line);
  if (t.starts_with("eval at ")) {
    t.remove_prefix(8);
  } else if (t.starts_with("at ")) {
    t.remove_prefix(3);
  } else {
    return false;
  }
  t = rtrim(t);
  if (t.ends_with(" {")) t = rtrim(t.substr(0, t.size() - 2));
  string_view function;
  string_view location;
  if (size_t open = matching_open_paren(t); open != npos) {
    function = rtrim(t.substr(0, open));
    location = t.substr(open + 1, t.size() - open - 2);
    // "eval at Bar.z (myscript.js:10:3)": the innermost location is the code's.
    while (true) {
      size_t inner = matching_open_paren(location);
      if (inner == npos) break;
      location = location.substr(inner + 1, location.size() - inner - 2);
    }
  } else if (size_t in = t.rfind(" in "); in != npos) {
    function = rtrim(t.substr(0, std::min(t.find('('), in)));
    location = t.substr(in + 4);
  } else {
    location = t;
  }
  if (!split_location(location, frame)) return false;
  // "java.base/java.lang.Thread.run", "app//com.x.Main.main": drop the module or loader.
  if (size_t slash = function.rfind('/'); slash != npos && function.find(' ') == npos)
    function = function.substr(slash + 1);
  frame.function = std::string(function);
  return true;
}

// Go function line: "main.main.func1(0xc420024120)", "created by main.main in goroutine 1".
string_view go_function_name(string_view line) {
  string_view t = rtrim(line);
  if (t.starts_with("created by ")) {
    t.remove_prefix(11);
    if (size_t in = t.find(" in goroutine "); in != npos) t = t.substr(0, in);
    return t;
  }
  if (size_t open = matching_open_paren(t); open != npos) return t.substr(0, open);
  return t;
}

// Go file line: "\t/app/main.go:12 +0x39 fp=… sp=…".
bool parse_go_location(string_view line, Frame& frame) {
  string_view t = ltrim(line);
  if (size_t space = t.find(' '); space != npos) t = t.substr(0, space);
  return split_location(t, frame);
}

// "  app/controllers/books_controller.rb:69:in `recursivewordload'", "\tfrom x.rb:5:in `<main>'".
bool parse_ruby_frame(string_view line, Frame& frame) {
  string_view t = ltrim(line);
  if (t.starts_with("from ")) t.remove_prefix(5);
  size_t rb = t.find(".rb:");
  if (rb == npos) return false;
  frame.file = std::string(t.substr(0, rb + 3));
  string_view rest = t.substr(rb + 4);
  size_t digits = 0;
  while (digits < rest.size() && is_digit(rest[digits])) ++digits;
  if (!parse_line_number(rest.substr(0, digits), frame.line)) return false;
  rest = rest.substr(digits);
  string_view function;
  if (rest.starts_with(":in ")) {
    function = rtrim(rest.substr(4));
    if (!function.empty() && (function.front() == '`' || function.front() == '\'')) function.remove_prefix(1);
    if (!function.empty() && function.back() == '\'') function.remove_suffix(1);
  }
  frame.function = std::string(function);
  return true;
}

// Dart "#0      main.<anonymous closure> (file:///x/dartFile.dart:15:20)".
bool parse_dart_frame(string_view line, Frame& frame) {
  string_view t = line.substr(1);
  while (!t.empty() && is_digit(t.front())) t.remove_prefix(1);
  t = trim(t);
  size_t open = matching_open_paren(t);
  if (open == npos) return false;
  if (!split_location(t.substr(open + 1, t.size() - open - 2), frame)) return false;
  frame.function = std::string(rtrim(t.substr(0, open)));
  return true;
}

// ---- which frames are the application's ----

bool starts_with_any(string_view s, std::initializer_list<string_view> prefixes) {
  for (string_view p : prefixes)
    if (s.starts_with(p)) return true;
  return false;
}

bool contains_any(string_view s, std::initializer_list<string_view> parts) {
  for (string_view p : parts)
    if (contains(s, p)) return true;
  return false;
}

// `marker` followed by a digit: "/lib/python3.11/", "/ruby/3.2.0/", "actionpack (5.1.4) ".
bool contains_before_digit(string_view s, string_view marker) {
  for (size_t pos = s.find(marker); pos != npos; pos = s.find(marker, pos + 1)) {
    size_t after = pos + marker.size();
    if (after < s.size() && is_digit(s[after])) return true;
  }
  return false;
}

bool is_application_frame(TraceLanguage language, const Frame& f) {
  string_view file = f.file;
  string_view function = f.function;
  if (file.starts_with("<")) return false;  // <frozen importlib._bootstrap>, <string>, <anonymous>
  switch (language) {
    case TraceLanguage::python:
      return !contains_any(file, {"/site-packages/", "/dist-packages/"}) &&
             !contains_before_digit(file, "/lib/python");
    case TraceLanguage::stack:
      return !starts_with_any(function, {"java.", "javax.", "jakarta.", "sun.", "com.sun.", "jdk.", "kotlin.",
                                         "kotlinx.", "scala.", "org.springframework.", "org.apache.catalina.",
                                         "org.apache.tomcat.", "io.netty.", "System.", "Microsoft."}) &&
             !contains(file, "node_modules/") && !starts_with_any(file, {"node:", "internal/"});
    case TraceLanguage::go:
      return !(function == "panic" || starts_with_any(function, {"runtime.", "runtime/"})) &&
             !contains_any(file, {"/usr/local/go/src/", "/usr/lib/go/src/", "/go/src/runtime/", "/pkg/mod/",
                                  "/vendor/"});
    case TraceLanguage::ruby:
      return !contains(file, "/gems/") && !contains_before_digit(file, "/ruby/") &&
             !contains_before_digit(file, " (");
    case TraceLanguage::php:
      return !contains(file, "/vendor/");
    case TraceLanguage::dart:
      return !file.starts_with("dart:") && !file.starts_with("package:flutter/") && !contains(file, "/.pub-cache/");
  }
  return true;
}

bool usable(const Frame& f) { return !f.file.empty() && f.line > 0; }

// `search` lists frame groups root cause first, each innermost first.
std::optional<Frame> pick_culprit(TraceLanguage language, const std::vector<const Frames*>& search) {
  for (const Frames* frames : search)
    for (const Frame& f : *frames)
      if (usable(f) && is_application_frame(language, f)) return f;
  for (const Frames* frames : search)
    for (const Frame& f : *frames)
      if (usable(f)) return f;
  return std::nullopt;
}

// ---- per-language summaries ----

void summarize_python(const std::vector<TracedLine>& lines, TraceSummary& out) {
  std::vector<Frames> tracebacks;
  for (const TracedLine& l : lines) {
    if (l.role == LineRole::header || tracebacks.empty()) tracebacks.emplace_back();
    if (l.role == LineRole::frame) {
      Frame f;
      if (parse_python_frame(l.text, f)) tracebacks.back().push_back(std::move(f));
    } else if (l.role == LineRole::exception) {
      out.exceptions.emplace_back(rtrim(l.text));
    }
  }
  // Python prints the outermost frame first.
  Frames& root = tracebacks.front();
  std::reverse(root.begin(), root.end());
  out.culprit = pick_culprit(TraceLanguage::python, {&root});
}

std::string clean_stack_exception(string_view text) {
  string_view t = trim(text);
  if (t.starts_with("Caused by:")) t = ltrim(t.substr(10));
  return std::string(t);
}

void summarize_stack(const std::vector<TracedLine>& lines, TraceSummary& out) {
  struct Block {
    string_view exception;
    Frames frames;
  };
  std::vector<Block> chain;              // print order: outermost exception first
  std::vector<Frames> segments(1);       // C#: frames split at "--- End of inner exception stack trace ---"
  bool in_side = false;                  // frames of a Suppressed: exception are not the chain's
  for (const TracedLine& l : lines) {
    switch (l.role) {
      case LineRole::exception:
        chain.push_back({l.text, {}});
        in_side = false;
        break;
      case LineRole::side:
        in_side = true;
        break;
      case LineRole::boundary:
        segments.emplace_back();
        break;
      case LineRole::frame: {
        Frame f;
        if (in_side || chain.empty() || !parse_stack_frame(l.text, f)) break;
        segments.back().push_back(f);
        chain.back().frames.push_back(std::move(f));
        break;
      }
      default:
        break;
    }
  }
  if (chain.empty()) return;
  std::vector<const Frames*> search;
  string_view first = trim(chain.front().exception);
  if (chain.size() == 1 && contains(first, " ---> ")) {
    // C#: "Outer: m ---> Inner: m"; the innermost exception's frames are printed first.
    std::vector<string_view> parts;
    for (size_t start = 0;;) {
      size_t arrow = first.find(" ---> ", start);
      parts.push_back(trim(first.substr(start, arrow == npos ? npos : arrow - start)));
      if (arrow == npos) break;
      start = arrow + 6;
    }
    for (size_t i = parts.size(); i-- > 0;) out.exceptions.emplace_back(parts[i]);
    for (const Frames& segment : segments) search.push_back(&segment);
  } else {
    // Java: the innermost "Caused by:" is printed last.
    for (size_t i = chain.size(); i-- > 0;) {
      out.exceptions.push_back(clean_stack_exception(chain[i].exception));
      search.push_back(&chain[i].frames);
    }
  }
  out.culprit = pick_culprit(TraceLanguage::stack, search);
}

void summarize_go(const std::vector<TracedLine>& lines, TraceSummary& out) {
  std::vector<Frames> goroutines;
  string_view function;
  bool runtime_stack = false;  // frames under "runtime stack:" are the runtime's, not a goroutine's
  for (const TracedLine& l : lines) {
    switch (l.role) {
      case LineRole::exception:
        out.exceptions.emplace_back(trim(l.text));
        break;
      case LineRole::header:
        goroutines.emplace_back();
        runtime_stack = false;
        break;
      case LineRole::other:
        if (trim(l.text) == "runtime stack:") runtime_stack = true;
        break;
      case LineRole::function:
        function = go_function_name(l.text);
        break;
      case LineRole::frame: {
        Frame f;
        if (runtime_stack || !parse_go_location(l.text, f)) break;
        f.function = std::string(function);
        if (goroutines.empty()) goroutines.emplace_back();
        goroutines.back().push_back(std::move(f));
        break;
      }
      default:
        break;
    }
  }
  if (!goroutines.empty()) out.culprit = pick_culprit(TraceLanguage::go, {&goroutines.front()});
}

void summarize_ruby(const std::vector<TracedLine>& lines, TraceSummary& out) {
  Frames frames;
  for (const TracedLine& l : lines) {
    if (l.role == LineRole::exception) {
      out.exceptions.emplace_back(trim(l.text));
    } else if (l.role == LineRole::frame) {
      Frame f;
      if (parse_ruby_frame(l.text, f)) frames.push_back(std::move(f));
    }
  }
  out.culprit = pick_culprit(TraceLanguage::ruby, {&frames});
}

// PHP prints "#N file(line): callee()": the location is in the caller, whose name is
// on the next line, and the exception line ends with the throw site "in file:line".
void summarize_php(const std::vector<TracedLine>& lines, TraceSummary& out) {
  struct Entry {
    Frame location;  // file and line, when the entry has them
    string_view callee;
  };
  std::vector<Entry> entries;
  Frame thrown_at;
  bool has_thrown_at = false;
  for (const TracedLine& l : lines) {
    if (l.role == LineRole::exception) {
      string_view t = trim(l.text);
      out.exceptions.emplace_back(t);
      if (size_t in = t.rfind(" in "); in != npos) has_thrown_at = split_location(t.substr(in + 4), thrown_at);
    } else if (l.role == LineRole::frame) {
      string_view t = l.text.substr(1);
      while (!t.empty() && is_digit(t.front())) t.remove_prefix(1);
      t = trim(t);
      Entry e;
      if (size_t call = t.find("): "); call != npos && !t.starts_with("[")) {
        string_view where = t.substr(0, call);
        size_t open = where.rfind('(');
        if (open != npos && parse_line_number(where.substr(open + 1), e.location.line))
          e.location.file = std::string(where.substr(0, open));
        e.callee = t.substr(call + 3);
      } else if (size_t colon = t.find("]: "); colon != npos) {
        e.callee = t.substr(colon + 3);
      } else {
        e.callee = t;
      }
      if (size_t open = e.callee.find('('); open != npos) e.callee = e.callee.substr(0, open);
      entries.push_back(std::move(e));
    }
  }
  Frames frames;
  if (has_thrown_at) {
    if (!entries.empty()) thrown_at.function = std::string(entries.front().callee);
    frames.push_back(std::move(thrown_at));
  }
  for (size_t i = 0; i < entries.size(); ++i) {
    Frame f = std::move(entries[i].location);
    if (f.file.empty()) continue;
    if (i + 1 < entries.size()) f.function = std::string(entries[i + 1].callee);
    frames.push_back(std::move(f));
  }
  out.culprit = pick_culprit(TraceLanguage::php, {&frames});
}

void summarize_dart(const std::vector<TracedLine>& lines, TraceSummary& out) {
  Frames frames;
  for (const TracedLine& l : lines) {
    if (l.role == LineRole::exception) {
      out.exceptions.emplace_back(trim(l.text));
    } else if (l.role == LineRole::frame) {
      Frame f;
      if (parse_dart_frame(l.text, f)) frames.push_back(std::move(f));
    }
  }
  out.culprit = pick_culprit(TraceLanguage::dart, {&frames});
}

std::vector<string_view> split_lines(string_view text) {
  std::vector<string_view> lines;
  for (size_t start = 0;;) {
    size_t nl = text.find('\n', start);
    string_view line = text.substr(start, nl == npos ? npos : nl - start);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    lines.push_back(line);
    if (nl == npos) break;
    start = nl + 1;
  }
  return lines;
}

// The first trace of two or more lines, run through the same grammar the assembler uses.
bool find_trace(const std::vector<string_view>& all, TraceLanguage& language, std::vector<TracedLine>& trace) {
  std::vector<TracedLine> held;
  for (size_t i = 0; i < all.size(); ++i) {
    TraceState state;
    LineRole role;
    if (!begin_trace(all[i], state, role)) continue;
    trace.assign(1, {role, all[i]});
    held.clear();
    for (size_t j = i + 1; j < all.size(); ++j) {
      Step step = continue_trace(state, all[j]);
      if (step.verdict == Verdict::ends) break;
      if (step.verdict == Verdict::tentative) {
        if (held.size() >= kMaxTentativeLines) break;
        held.push_back({step.role, all[j]});
        continue;
      }
      trace.insert(trace.end(), held.begin(), held.end());
      held.clear();
      trace.push_back({step.role, all[j]});
      if (step.verdict == Verdict::last) break;
    }
    if (trace.size() >= 2) {
      language = state.language;
      return true;
    }
  }
  return false;
}

}  // namespace

bool summarize_trace(std::string_view text, TraceSummary& out) {
  if (text.find('\n') == npos) return false;
  TraceLanguage language;
  std::vector<TracedLine> trace;
  if (!find_trace(split_lines(text), language, trace)) return false;
  TraceSummary summary;
  switch (language) {
    case TraceLanguage::python:
      summarize_python(trace, summary);
      break;
    case TraceLanguage::stack:
      summarize_stack(trace, summary);
      break;
    case TraceLanguage::go:
      summarize_go(trace, summary);
      break;
    case TraceLanguage::ruby:
      summarize_ruby(trace, summary);
      break;
    case TraceLanguage::php:
      summarize_php(trace, summary);
      break;
    case TraceLanguage::dart:
      summarize_dart(trace, summary);
      break;
  }
  out = std::move(summary);
  return true;
}

}  // namespace faultline
