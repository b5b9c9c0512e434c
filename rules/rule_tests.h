// Rule tests: `faultline rules test FILE.yaml`, in the spirit of `promtool test
// rules`. A test file names rule files and lists test cases; each case feeds
// lines through the rules and states which rules must fire on which line, with
// which captures.
//
//   rule_files: [..]                 # files or directories, relative to this file
//   tests:
//     - name: seed cascade           # required
//       lines:                       # required; each a string, or a map for the
//         - "ModuleNotFoundError: No module named 'a.b'"   #   fields `match:` filters see
//         - {text: "Container called exit(3).", severity: WARNING, stream: system,
//            resource_type: cloud_run_revision, service: api, time: "2025-09-16T00:42:35Z"}
//       expect:                      # rules that fire, by 0-based line index
//         - {line: 0, rule: python_module_not_found, captures: {module: a.b}}
//         - {line: 1, rule: container_exit, captures: {code: "3"}, summary: "…"}
//       expect_no_match: [2]         # lines on which no rule may fire; or `others`:
//                                    #   every line that `expect` does not name
//       incidents: [...]             # incident-level assertions: kept as JSON, not
//                                    #   evaluated here (see PackTestCase::incidents_json)
//
// Semantics: on a line that `expect` names, exactly the expected rules must fire
// (an extra rule is a failure, so overlapping rules are caught); each listed
// capture must equal the event's capture; `summary`, when given, must equal the
// rendered summary. Lines that neither key names are not checked. Line maps take
// text (required), severity, stream, resource_type, service, namespace, cluster,
// revision, instance, source_id and time (RFC 3339). Every rule's inline
// examples are checked when the rule files load.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "parsers/log_record.h"
#include "rules/event.h"
#include "rules/rule_set.h"

namespace faultline {

struct PackTestCase {
  std::string name;
  int line = 0;                          // where the case starts in the test file
  std::vector<LogRecord> records;        // the case's lines, in order
  std::vector<std::vector<Event>> events;  // what the rules produced for each record
  // "test 'x' line 0: expected rule python_module_not_found, got none"; empty = passed.
  std::vector<std::string> failures;
  // The case's `incidents:` value as JSON text ("" when absent), for incident-level
  // evaluation on top of this runner (replay `records` through the correlator).
  std::string incidents_json;
  bool passed() const { return failures.empty(); }
};

struct PackTestReport {
  std::string file;
  // The test file or its rule files could not be loaded; then no case ran.
  std::vector<RuleProblem> problems;
  std::shared_ptr<const RuleSet> rules;  // the rules the cases ran against (null on problems)
  std::vector<PackTestCase> cases;

  bool passed() const;
  size_t failed_cases() const;
  // promtool-like text: "FILE: SUCCESS: 4 tests passed" or "FILE: FAILED:" followed by
  // one indented line per problem or failure ("  FILE:12: test 'x' line 0: …").
  std::string describe() const;
};

// Runs one test file. Never throws; every problem (YAML syntax, unknown keys,
// bad line indices, rule files that do not load) is reported at once.
PackTestReport run_pack_tests(const std::string& test_file);
// Same from text; rule_files are resolved against `base_dir`, `origin` names it in messages.
PackTestReport run_pack_tests_text(const std::string& yaml, const std::string& origin,
                                   const std::string& base_dir);

}  // namespace faultline
