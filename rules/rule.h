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

// `context:` a pattern searched over the whole matched record (every line of an
// assembled trace), not only the matched line: the importing frame of a Python
// traceback, a site-packages path with a version. Its named captures become
// template names for the hint. It may refer to a capture found before it as
// "{name}", inserted RE2-quoted; it is then compiled per match, and skipped when
// that capture is absent.
struct ContextPattern {
  std::string pattern;  // as written
  std::string unless;   // a line that this also matches does not count
  bool last = false;    // `pick: last`: the last occurrence in the record, not the first
  std::shared_ptr<const RE2> regex;         // null when the pattern refers to captures
  std::shared_ptr<const RE2> unless_regex;  // null without `unless`
  std::vector<std::string> capture_names;   // in group order, as in Rule::capture_names
  std::vector<std::string> references;      // the "{name}"s of the pattern
  int line = 0;
};

struct LookupTable;

// `lookup:` resolves a capture through a table shipped with the packs
// (rules/lookup_table.h): the value, or its longest prefix, becomes the
// capture `as` (or "<as>_<field>" for each field of a table of maps).
struct Lookup {
  std::string key;  // a capture of the pattern or of a context pattern
  std::string as;
  std::shared_ptr<const LookupTable> table;
};

// One of `hints:`: the first variant whose `when` captures are all present
// (non-empty) gives the hint; `hint:` is the fallback.
struct HintVariant {
  std::vector<std::string> when;
  std::string hint;
  int line = 0;
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
  std::vector<ContextPattern> context;
  std::vector<Lookup> lookups;
  std::vector<HintVariant> hints;

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

// The first match of `regex` in `text` at or after byte `from` on a line that
// `unless` (when not null) does not match; `groups` holds regex's groups + 1.
bool find_line_match(const RE2& regex, const RE2* unless, std::string_view text, size_t from,
                     std::vector<re2::StringPiece>& groups);

// `value` after the rule's rewrites for the capture `name`.
std::string rewritten(const Rule& rule, const std::string& name, std::string value);

// The rule's first match in `text` on a line that its `unless` does not match.
// `groups` is resized to capture_names.size() + 1 (groups[0] is the whole match).
// Patterns never span lines, so the match lies within one line.
bool find_match(const Rule& rule, std::string_view text, std::vector<re2::StringPiece>& groups);

// The named captures of a match found by find_match: each name once, from the
// first of its groups that took part, with the rule's rewrites applied.
std::vector<std::pair<std::string, std::string>> captures_of(const Rule& rule,
                                                             const std::vector<re2::StringPiece>& groups);

}  // namespace faultline
