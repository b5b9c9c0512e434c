// A compiled rule from a YAML rule pack (format in the README, "Writing rules").
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <re2/re2.h>

namespace faultline {

enum class RuleKind { cause, effect, exit, loop, recovery };
enum class Severity { info, warning, critical };

std::string_view to_string(RuleKind kind);
std::string_view to_string(Severity severity);
bool parse_rule_kind(std::string_view text, RuleKind& out);
bool parse_severity(std::string_view text, Severity& out);

// `rewrite:` for one capture: literal replacements applied to its value, in order
// (a JVM's "org/slf4j/LoggerFactory" becomes the "org.slf4j.LoggerFactory" that
// ClassNotFoundException prints, so both lines share one fingerprint).
struct CaptureRewrite {
  std::string capture;
  std::vector<std::pair<std::string, std::string>> replacements;  // from (non-empty) -> to
};

struct Rule {
  std::string id;
  RuleKind kind = RuleKind::cause;
  Severity severity = Severity::warning;
  std::string pattern;
  std::string summary;  // template: "{module}" is replaced by the capture of that name
  std::string hint;     // same template syntax
  bool terminates = false;  // the line itself means the instance ended (OOM kill): also an exit
  // `unless:` a line that this pattern also matches does not count (pytest's
  // "E   ModuleNotFoundError: …" is a test failure, not a crash); the rule then
  // looks for its pattern on the following lines of the record.
  std::string unless;
  // `fallback: true` (causes only): a cause only where no other cause explains
  // it, a catch-all ("Unhandled exception. System.X") or a report that a process
  // died without saying why (supervisord gave up, a probe killed it). On a record
  // where another cause fires it is dropped; near a real cause it joins that
  // cause's incident as an effect; alone it opens an incident of its own, which
  // a real cause arriving later absorbs.
  bool fallback = false;
  std::vector<CaptureRewrite> rewrites;

  // Optional `match:` filters; an empty list accepts everything.
  std::vector<std::string> match_severity;       // LogEntry severities, e.g. ERROR, CRITICAL
  std::vector<std::string> match_stream;         // stdout, stderr, system, requests, audit
  std::vector<std::string> match_resource_type;  // cloud_run_revision, k8s_container, …

  // Examples carried by the rule, checked at load and by `faultline rules test`.
  std::vector<std::string> examples_match;
  std::vector<std::string> examples_no_match;

  std::string file;  // where it was defined, for messages
  int line = 0;

  // The compiled pattern, shared and immutable. A name the pattern gives to
  // several groups (one per alternative) is renamed for RE2, which refuses
  // repeats; regex->pattern() is that form, `pattern` the one written.
  std::shared_ptr<const RE2> regex;
  std::shared_ptr<const RE2> unless_regex;  // null without `unless`
  // Named groups, in group order (index i = group i+1), each under the name the
  // pattern wrote: a repeated name appears once per group that bears it.
  std::vector<std::string> capture_names;
};

// The rule's first match in `text` on a line that its `unless` does not match.
// `groups` is resized to capture_names.size() + 1 (groups[0] is the whole match).
// Patterns never span lines, so the match lies within one line.
bool find_match(const Rule& rule, std::string_view text, std::vector<re2::StringPiece>& groups);

// The named captures of a match found by find_match: each name once, from the
// first of its groups that took part, with the rule's rewrites applied.
std::vector<std::pair<std::string, std::string>> captures_of(const Rule& rule,
                                                             const std::vector<re2::StringPiece>& groups);

}  // namespace faultline
