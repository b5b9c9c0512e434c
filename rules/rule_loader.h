// Reading rule packs: YAML text -> validated, compiled Rules. RuleSet uses it;
// it is separate so that every check lives in one place and every problem of a
// pack is found in one run (STYLE.md 7, 8).
#pragma once

#include <cstdint>
#include <exception>
#include <map>
#include <string>
#include <vector>

#include <re2/re2.h>

#include "rules/lookup_table.h"
#include "rules/rule.h"
#include "rules/rule_set.h"

namespace faultline {

// The RE2 options every rule pattern (and the RE2::Set) is compiled with: quiet,
// since errors become RuleProblems, and never_nl, so that no pattern can span
// lines — not even through a negated class like [^']+ — and a rule matches an
// assembled trace exactly where it matches one of its lines.
RE2::Options rule_regex_options(int64_t max_mem);

// A problem for what yaml-cpp (or anything else) threw while reading a pack or
// a test file, which must never take the daemon down: at the exception's mark
// (line and column) when it has one, else at `line`, the line being read.
RuleProblem unexpected_yaml(const std::string& origin, int line, const std::exception& error);

// Accumulates the rules of one or more YAML documents. Not thread-safe; used
// once per load.
class RulePackLoader {
 public:
  explicit RulePackLoader(int64_t rule_max_mem) : rule_max_mem_(rule_max_mem) {}

  // Parses one document of the rule pack format (README, "Writing rules"). Keeps each
  // valid rule (compiled, captures named, examples checked) and records every
  // problem; a rule with any problem is left out. Ids are unique across all
  // documents added to this loader. Never throws.
  void add(const std::string& yaml, const std::string& origin);
  void add_problem(RuleProblem problem) { problems_.push_back(std::move(problem)); }
  // Parses one lookup table document (rules/lookup_table.h). Tables are added
  // before the rules that look them up: an unknown table is a rule's problem.
  void add_table(const std::string& yaml, const std::string& origin);

  std::vector<Rule>& rules() { return rules_; }
  std::vector<RuleProblem>& problems() { return problems_; }

 private:
  int64_t rule_max_mem_;
  std::vector<Rule> rules_;
  std::vector<RuleProblem> problems_;
  LookupTables tables_;
  std::map<std::string, std::string> defined_at_;  // id -> "file:line", for duplicate reports
};

}  // namespace faultline
