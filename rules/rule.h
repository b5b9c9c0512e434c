// A compiled rule from a YAML rule pack (format in the README, "Writing rules").
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <re2/re2.h>

namespace faultline {

enum class RuleKind { cause, effect, exit, loop, recovery };
enum class Severity { info, warning, critical };

std::string_view to_string(RuleKind kind);
std::string_view to_string(Severity severity);
bool parse_rule_kind(std::string_view text, RuleKind& out);
bool parse_severity(std::string_view text, Severity& out);

struct Rule {
  std::string id;
  RuleKind kind = RuleKind::cause;
  Severity severity = Severity::warning;
  std::string pattern;
  std::string summary;  // template: "{module}" is replaced by the capture of that name
  std::string hint;     // same template syntax
  bool terminates = false;  // the line itself means the instance ended (OOM kill): also an exit
  // A cause only where no other cause explains it: a report that a process died
  // without saying why (supervisord gave up, a probe killed it). Near a real cause
  // it joins that cause's incident as an effect; alone it opens an incident of
  // its own, which a real cause arriving later absorbs.
  bool fallback = false;

  // Optional `match:` filters; an empty list accepts everything.
  std::vector<std::string> match_severity;       // LogEntry severities, e.g. ERROR, CRITICAL
  std::vector<std::string> match_stream;         // stdout, stderr, system, requests, audit
  std::vector<std::string> match_resource_type;  // cloud_run_revision, k8s_container, …

  // Examples carried by the rule, checked at load and by `faultline rules test`.
  std::vector<std::string> examples_match;
  std::vector<std::string> examples_no_match;

  std::string file;  // where it was defined, for messages
  int line = 0;

  std::shared_ptr<const RE2> regex;         // compiled pattern, shared and immutable
  std::vector<std::string> capture_names;   // named groups, in group order (index i = group i+1)
};

}  // namespace faultline
