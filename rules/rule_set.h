// RuleSet: an immutable, compiled set of rules. Load once, share as
// std::shared_ptr<const RuleSet>, reload by building a new one and swapping.
// Thread-safe for concurrent match() calls (RE2 and RE2::Set are).
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <re2/set.h>

#include "rules/event.h"
#include "rules/prefilter.h"
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

struct RuleSetOptions {
  // Memory budget of the RE2::Set's DFA. Generous: the set is compiled once and
  // shared by every thread, and a DFA that runs out of memory makes match()
  // fall back to rule-by-rule matching (and return false).
  int64_t set_max_mem = int64_t{64} << 20;
  // Budget of each rule's own RE2 (RE2's default).
  int64_t rule_max_mem = int64_t{8} << 20;
  // Skip the set for records that contain none of the rules' literal atoms
  // (rules/prefilter.h). Off only to compare results in tests.
  bool prefilter = true;
};

class RuleSet {
 public:
  // Loads a YAML file or every *.yaml/*.yml file of a directory (sorted by name).
  // On any problem returns nullptr and fills `problems` with every problem found
  // (not only the first): YAML syntax, missing/unknown fields, bad kind/severity,
  // RE2 syntax (RE2's own message), duplicate ids, "{name}" in summary/hint that is
  // not a capture, examples that do not behave as declared, a pack without rules.
  // Only files directly inside a directory are read, so a pack's `tests/` folder
  // (rule tests, see rules/pack_test.h) is never taken for rules. Files named
  // *.table.yaml are lookup tables (rules/lookup_table.h), read before the rules
  // that name them in `lookup:`; a single pack file gets those beside it.
  static std::shared_ptr<const RuleSet> load(const std::string& path, std::vector<RuleProblem>& problems,
                                             const RuleSetOptions& options = {});
  // Several files or directories as one pack (ids unique across all of them).
  static std::shared_ptr<const RuleSet> load_all(const std::vector<std::string>& paths,
                                                 std::vector<RuleProblem>& problems,
                                                 const RuleSetOptions& options = {});
  // Same, from YAML text (for tests); `origin` names it in messages. `tables`:
  // lookup tables as (origin, YAML text) pairs, read before the rules.
  static std::shared_ptr<const RuleSet> load_text(
      const std::string& yaml, const std::string& origin, std::vector<RuleProblem>& problems,
      const RuleSetOptions& options = {}, const std::vector<std::pair<std::string, std::string>>& tables = {});

  // Appends one Event per rule that matches the record's text: a literal
  // prefilter drops records no rule can match, one RE2::Set pass over the text
  // finds candidates, then each winner's own RE2 fills captures and
  // locates the sample line. Patterns never span lines (compiled with never_nl,
  // so neither '.' nor a negated class like [^']+ crosses a '\n'), so a rule
  // matches an assembled trace exactly where it matches its lines alone.
  // A rule fires at most once per record, on the first match of its pattern on a
  // line that its `unless` pattern does not match. A `fallback` cause is dropped
  // when another cause fires on the same record.
  // A candidate is kept only if the record passes the rule's `match:` filters
  // (severity compared case-insensitively, stream and resource type too; an empty
  // filter accepts all, a set filter rejects a record without that field).
  // Events are appended in kind order (cause, effect, exit, loop, recovery),
  // then in rule order, so output is deterministic. Returns false when RE2::Set
  // could not tell (out of memory / inconsistent, or no set could be built) for
  // a record the prefilter let through: the caller counts it, and the record is
  // then matched rule by rule so nothing is missed. Allocates nothing for a
  // record that no rule matches.
  bool match(const LogRecord& record, std::vector<Event>& out) const;

  const std::vector<Rule>& rules() const { return rules_; }
  const Rule* find(std::string_view id) const;
  std::string source() const { return source_; }
  // True when the RE2::Set could not be compiled within set_max_mem: every
  // record the prefilter lets through then goes to each rule's RE2 in turn, and
  // match() returns false for it.
  bool degraded() const { return set_ == nullptr; }
  // The literal prefilter over the rules without `match:` filters, or null when
  // one of them has no literal of 4+ bytes that all its matches contain (then
  // every record goes through the set). Rules with filters stay out of it: their
  // literals can be common ("GET 200 https://…" on request logs), and their
  // filters already say which records they can fire on.
  const Prefilter* prefilter() const { return prefilter_.get(); }

 private:
  RuleSet() = default;
  static std::shared_ptr<const RuleSet> build(std::vector<Rule> rules, std::string source,
                                              const RuleSetOptions& options);
  void emit(const LogRecord& record, std::vector<int>& candidates, std::vector<Event>& out) const;
  bool cannot_match(const LogRecord& record) const;

  std::vector<Rule> rules_;
  std::unique_ptr<RE2::Set> set_;  // pattern i is rules_[i]; null when it could not be compiled
  std::unique_ptr<const Prefilter> prefilter_;
  std::vector<size_t> filtered_rules_;  // rules with `match:` filters, which the prefilter leaves out
  std::string source_;
};

}  // namespace faultline
