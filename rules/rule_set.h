// RuleSet: an immutable, compiled set of rules. Load once, share as
// std::shared_ptr<const RuleSet>, reload by building a new one and swapping.
// Thread-safe for concurrent match() calls (RE2 and RE2::Set are).
#pragma once

#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include <re2/set.h>

#include "rules/event.h"
#include "rules/rule.h"

namespace faultline {

// One problem found while loading: "rules/packs/python.yaml:42: rule python_x: pattern: missing )".
struct RuleProblem {
  std::string file;
  int line = 0;
  std::string rule_id;  // "" when the problem is not inside a rule
  std::string message;
  std::string describe() const;
};

class RuleSet {
 public:
  // Loads a YAML file or every *.yaml/*.yml file of a directory (sorted by name).
  // On any problem returns nullptr and fills `problems` with every problem found
  // (not only the first): YAML syntax, missing/unknown fields, bad kind/severity,
  // RE2 syntax (RE2's own message), duplicate ids, "{name}" in summary/hint that is
  // not a capture, examples that do not behave as declared.
  static std::shared_ptr<const RuleSet> load(const std::string& path, std::vector<RuleProblem>& problems);
  // Same, from YAML text (for tests); `origin` names it in messages.
  static std::shared_ptr<const RuleSet> load_text(const std::string& yaml, const std::string& origin,
                                                  std::vector<RuleProblem>& problems);

  // Appends one Event per rule that matches the record's text: one RE2::Set pass
  // over the text finds candidates, then each winner's own RE2 fills captures and
  // locates the sample line. Patterns never span lines ('.' excludes '\n'), so a
  // rule matches an assembled trace exactly where it matches its lines alone.
  // A rule fires at most once per record. Returns false when RE2::Set
  // could not tell (out of memory / inconsistent): the caller counts it, and the
  // record is then matched rule by rule so nothing is missed.
  bool match(const LogRecord& record, std::vector<Event>& out) const;

  const std::vector<Rule>& rules() const { return rules_; }
  const Rule* find(std::string_view id) const;
  std::string source() const { return source_; }

 private:
  RuleSet() = default;
  std::vector<Rule> rules_;
  std::unique_ptr<RE2::Set> set_;
  std::string source_;
};

}  // namespace faultline
