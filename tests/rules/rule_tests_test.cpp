// `faultline rules test`: the shipped tests pass, and a wrong expectation or a
// broken test file says precisely what and where.
#include <filesystem>
#include <string>
#include <vector>

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include "rules/rule_tests.h"

namespace faultline {
namespace {

const std::string kTestsDir = std::string(FAULTLINE_SOURCE_DIR) + "/rules/packs/tests";

PackTestReport run(const std::string& yaml) { return run_pack_tests_text(yaml, "t.yaml", kTestsDir); }

std::vector<std::string> all_failures(const PackTestReport& report) {
  std::vector<std::string> out;
  for (const PackTestCase& c : report.cases) out.insert(out.end(), c.failures.begin(), c.failures.end());
  return out;
}

std::vector<std::string> all_problems(const PackTestReport& report) {
  std::vector<std::string> out;
  for (const RuleProblem& problem : report.problems) out.push_back(problem.describe());
  return out;
}

TEST_SUITE("rule pack tests") {
  TEST_CASE("the default pack's shipped tests pass") {
    size_t files = 0, cases = 0;
    for (const auto& entry : std::filesystem::directory_iterator(kTestsDir)) {
      if (entry.path().extension() != ".yaml") continue;
      ++files;
      const PackTestReport report = run_pack_tests(entry.path().string());
      INFO(report.describe());
      CHECK(report.passed());
      CHECK(report.rules != nullptr);
      cases += report.cases.size();
    }
    CHECK(files >= 4);
    CHECK(cases >= 10);
  }

  TEST_CASE("a wrong expectation produces a precise failure") {
    const PackTestReport report = run(R"yaml(rule_files: [..]
tests:
  - name: x
    lines:
      - "hello"
      - "ModuleNotFoundError: No module named 'a.b'"
      - "Container called exit(3)."
      - "ModuleNotFoundError: No module named 'a.b'\nContainer called exit(3)."
      - "ModuleNotFoundError: No module named 'a'"
    expect:
      - {line: 0, rule: python_module_not_found}
      - {line: 1, rule: python_module_not_found, captures: {module: a.c, nope: z}}
      - {line: 1, rule: container_exit}
      - {line: 3, rule: python_module_not_found, captures: {module: a.b}}
      - {line: 4, rule: python_module_not_found, summary: "Python module b cannot be imported"}
      - {line: 4, rule: python_modul_not_found}
    expect_no_match: [2]
  - name: passing
    lines: ["Container called exit(3)."]
    expect: [{line: 0, rule: container_exit, captures: {code: "3"}}]
)yaml");
    REQUIRE(report.problems.empty());
    REQUIRE(report.cases.size() == 2);
    CHECK_FALSE(report.passed());
    CHECK(report.failed_cases() == 1);
    CHECK(report.cases[1].passed());
    const std::vector<std::string> expected = {
        "test 'x' line 0: expected rule python_module_not_found, got none",
        "test 'x' line 1: rule python_module_not_found: capture module: expected 'a.c', got 'a.b'",
        "test 'x' line 1: rule python_module_not_found: capture nope: expected 'z', got none",
        "test 'x' line 1: expected rule container_exit, got python_module_not_found",
        "test 'x' line 4: rule python_module_not_found: summary: expected 'Python module b cannot be imported', "
        "got 'Python module a cannot be imported'",
        "test 'x' line 4: expected rule python_modul_not_found, which the rule files do not define",
        "test 'x' line 3: unexpected rule container_exit (sample: Container called exit(3).)",
        "test 'x' line 2: expected no match, got container_exit",
    };
    CHECK(all_failures(report) == expected);
    CHECK(report.describe() ==
          "t.yaml: FAILED: 1 of 2 tests failed\n"
          "  t.yaml:3: test 'x' line 0: expected rule python_module_not_found, got none\n"
          "  t.yaml:3: " + expected[1] + "\n  t.yaml:3: " + expected[2] + "\n  t.yaml:3: " + expected[3] +
              "\n  t.yaml:3: " + expected[4] + "\n  t.yaml:3: " + expected[5] + "\n  t.yaml:3: " + expected[6] +
              "\n  t.yaml:3: " + expected[7] + "\n");
    // What ran is kept for incident-level checks: the records and their events.
    REQUIRE(report.cases[0].events.size() == 5);
    CHECK(report.cases[0].events[3].size() == 2);
  }

  TEST_CASE("`others` asserts silence on every line that expect does not name") {
    const PackTestReport report = run(R"yaml(rule_files: [..]
tests:
  - name: quiet
    lines: ["Container called exit(3).", "all good", "Container called exit(1)."]
    expect: [{line: 0, rule: container_exit}]
    expect_no_match: others
)yaml");
    REQUIRE(report.problems.empty());
    CHECK(all_failures(report) == std::vector<std::string>{"test 'quiet' line 2: expected no match, got container_exit"});
  }

  TEST_CASE("line maps set the fields that match filters read") {
    const PackTestReport report = run(R"yaml(rule_files: [..]
tests:
  - name: filters
    lines:
      - {text: "GET 200 https://a.run.app/", stream: requests, severity: INFO, service: api, revision: api-1,
         instance: i-1, namespace: prod, cluster: c1, resource_type: cloud_run_revision, source_id: s1,
         time: "2025-10-06T16:14:45.214802Z"}
      - {text: "GET 200 https://a.run.app/", stream: stdout}
    expect: [{line: 0, rule: cloud_run_request_ok}]
    expect_no_match: [1]
)yaml");
    INFO(report.describe());
    REQUIRE(report.passed());
    const LogRecord& record = report.cases[0].records[0];
    CHECK(record.stream == "requests");
    CHECK(record.service == "api");
    CHECK(record.namespace_name == "prod");
    CHECK(record.cluster == "c1");
    CHECK(record.source_id == "s1");
    CHECK(report.cases[0].events[0][0].time == record.time);
    CHECK(record.time.time_since_epoch().count() != 0);
  }

  TEST_CASE("`incidents:` is kept as JSON for incident-level evaluation") {
    const PackTestReport report = run(R"yaml(rule_files: [..]
tests:
  - name: with incidents
    lines: ["Container called exit(3)."]
    incidents:
      - {root_cause: generic_exit, exit_code: 3, crash_loop: false, revision: null, ratio: 0.5, label: '3', note: "x"}
  - name: without
    lines: ["x y z"]
)yaml");
    REQUIRE(report.passed());
    CHECK(nlohmann::json::parse(report.cases[0].incidents_json) ==
          nlohmann::json::parse(R"([{"root_cause":"generic_exit","exit_code":3,"crash_loop":false,"revision":null,
                                     "ratio":0.5,"label":"3","note":"x"}])"));
    CHECK(report.cases[1].incidents_json.empty());
  }

  TEST_CASE("a broken test file reports every problem, and no test runs") {
    const PackTestReport report = run(R"yaml(rule_files: [../missing_dir]
tests:
  - name: a
    lines: ["x"]
    expct: []
    expect:
      - {line: 3, rule: container_exit}
      - {rule: container_exit}
      - {line: 0, rule: container_exit, capture: {code: "3"}}
    expect_no_match: [-1]
  - lines: []
  - {name: b, lines: [{txt: "x"}, {text: "y", time: yesterday}]}
extra: 1
)yaml");
    CHECK(report.cases.empty());
    CHECK(report.rules == nullptr);
    CHECK_FALSE(report.passed());
    const std::vector<std::string> problems = all_problems(report);
    const std::vector<std::string> expected = {
        "t.yaml:5: test 'a': unknown key 'expct' (known keys: name lines expect expect_no_match incidents)",
        "t.yaml:7: test 'a': expect.line: line 3 does not exist (the test has 1 line)",
        "t.yaml:8: test 'a': expect: each item needs `line` and `rule`",
        "t.yaml:9: test 'a': expect: unknown key 'capture' (known keys: line rule captures summary)",
        "t.yaml:10: test 'a': expect_no_match: must be a line index (0-based)",
        "t.yaml:11: test case without a `name`",
        "t.yaml:11: `lines` must be a non-empty list of log lines",
        "t.yaml:12: test 'b': lines: unknown field 'txt' (known: text severity stream resource_type service "
        "namespace cluster revision instance source_id time)",
        "t.yaml:12: test 'b': lines: a line map needs `text`",
        "t.yaml:12: test 'b': lines: time 'yesterday' is not RFC 3339 (2025-09-16T00:42:35Z)",
        "t.yaml:13: unknown key 'extra' (known keys: rule_files tests)",
        kTestsDir + "/../missing_dir: no such file or directory",
    };
    CHECK(problems == expected);
    CHECK(report.describe().rfind("t.yaml: FAILED: the tests could not run\n  t.yaml:5: test 'a': unknown key", 0) == 0);
  }

  TEST_CASE("an `incidents:` value that is not UTF-8 is a problem at its line") {
    const PackTestReport report =
        run("rule_files: [..]\ntests:\n  - name: x\n    lines: [\"a\"]\n    incidents:\n      - {service: \"\xff\"}\n");
    CHECK(all_problems(report) == std::vector<std::string>{"t.yaml:6: test 'x': incidents: a value is not valid UTF-8"});
  }

  TEST_CASE("rule files that do not load are the report's problems") {
    const PackTestReport syntax = run("rule_files: [..]\ntests: [\n");
    REQUIRE(syntax.problems.size() == 1);
    CHECK(syntax.problems[0].message.rfind("YAML syntax: ", 0) == 0);

    const PackTestReport missing = run_pack_tests("/nonexistent/t.yaml");
    REQUIRE(missing.problems.size() == 1);
    CHECK(missing.problems[0].describe() == "/nonexistent/t.yaml: cannot read file");

    const PackTestReport no_files = run("rule_files: []\ntests: []\n");
    CHECK(all_problems(no_files) == std::vector<std::string>{"t.yaml:1: rule_files: names no rule file or directory"});

    const PackTestReport no_keys = run("{}\n");
    CHECK(all_problems(no_keys) == std::vector<std::string>{
                                       "t.yaml:1: missing `rule_files` (the rule files or directories to test)",
                                       "t.yaml:1: missing `tests` (a list of test cases)"});
  }
}

}  // namespace
}  // namespace faultline
