// Event: a record that a rule matched, with that rule's verdict. Self-contained
// (copies what it needs), so it outlives a rule reload.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "parsers/log_record.h"
#include "rules/rule.h"

namespace faultline {

// A line an instance printed shortly before its crash that no cause rule
// explained: an error-level line, or the root exception of a trace. Crash
// evidence with no known cause carries them (incidents/suspect_lines.h).
struct SuspectLine {
  Timestamp time{};
  std::string instance;
  std::string line;  // at most 512 bytes
  int count = 1;     // in an incident: crashes this line preceded; `time` is the latest
  bool operator==(const SuspectLine&) const = default;
};

struct Event {
  std::string rule_id;
  RuleKind kind = RuleKind::cause;
  Severity severity = Severity::warning;
  bool terminates = false;
  bool fallback = false;  // Rule::fallback
  std::vector<std::pair<std::string, std::string>> captures;  // named groups that matched
  std::string summary;  // rendered from the rule's template
  std::string hint;     // rendered from the rule's template
  // A `hints:` variant gave the hint: the evidence decided it (rules/hint.h). An
  // incident prefers such a hint over a fallback one, e.g. that of the same
  // exception line seen before its whole traceback was assembled.
  bool hint_decided = false;

  // From the record.
  Timestamp time{};
  std::string service, namespace_name, cluster, revision, instance, stream, resource_type;
  std::string source_id;
  std::string sample;  // the matching line (not the whole trace), at most 1 KiB
  std::optional<Frame> culprit;
  // Exits, loops and fallback causes: the instance's suspect lines before it.
  std::vector<SuspectLine> suspects;

  // The capture of that name, or "" when absent.
  const std::string& capture(std::string_view name) const;
  // Counts as an exit: kind exit, or terminates.
  bool is_exit() const { return kind == RuleKind::exit || terminates; }
};

}  // namespace faultline
