// Loading rule packs: every problem reported at once, with file:line and rule id.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <vector>

#include <doctest/doctest.h>
#include <yaml-cpp/yaml.h>

#include "rules/rule_loader.h"
#include "rules/rule_set.h"

namespace faultline {
namespace {

std::vector<RuleProblem> problems_of(const std::string& yaml) {
  std::vector<RuleProblem> problems;
  auto set = RuleSet::load_text(yaml, "pack.yaml", problems);
  CHECK(set == nullptr);
  return problems;
}

// The described problem that contains `needle`, or "" (so a failed CHECK prints all of them).
std::string find_problem(const std::vector<RuleProblem>& problems, const std::string& needle) {
  for (const RuleProblem& problem : problems)
    if (problem.describe().find(needle) != std::string::npos) return problem.describe();
  std::string all;
  for (const RuleProblem& problem : problems) all += "\n  " + problem.describe();
  FAIL_CHECK("no problem contains \"" << needle << "\"; problems:" << all);
  return "";
}

const char* const kValid = R"yaml(rules:
  - id: python_module_not_found
    kind: cause
    pattern: "ModuleNotFoundError: No module named '(?P<module>[^']+)'"
    severity: critical
    summary: "Python module {module} cannot be imported"
    examples:
      match: ["ModuleNotFoundError: No module named 'a.b'"]
)yaml";

TEST_SUITE("rule loading") {
  TEST_CASE("a valid rule loads with its fields, captures and location") {
    std::vector<RuleProblem> problems;
    auto set = RuleSet::load_text(kValid, "pack.yaml", problems);
    REQUIRE(problems.empty());
    REQUIRE(set != nullptr);
    const Rule* rule = set->find("python_module_not_found");
    REQUIRE(rule != nullptr);
    CHECK(rule->kind == RuleKind::cause);
    CHECK(rule->severity == Severity::critical);
    CHECK(rule->capture_names == std::vector<std::string>{"module"});
    CHECK(rule->file == "pack.yaml");
    CHECK(rule->line == 2);
    CHECK(rule->regex != nullptr);
    CHECK(set->find("nope") == nullptr);
    CHECK(set->source() == "pack.yaml");
  }

  TEST_CASE("a broken pack reports every problem at once, each with file:line and rule id") {
    const std::string yaml = R"yaml(rules:
  - id: bad_regex
    kind: cause
    pattern: "No module named '(?P<module>[^']+"
    severity: critical
    summary: "x"
    examples: {match: ["No module named 'a'"]}
  - id: dup
    kind: cause
    pattern: "a+b"
    severity: info
    summary: "x"
    examples: {match: ["ab"]}
  - id: dup
    kind: cause
    pattern: "c+d"
    severity: info
    summary: "x"
    examples: {match: ["cd"]}
  - id: odd_kind
    kind: symptom
    pattern: "x+y"
    severity: info
    summary: "x"
    examples: {match: ["xy"]}
  - id: typo
    kind: cause
    pattern: "x+z"
    sevrity: info
    summary: "x"
    examples: {match: ["xz"]}
  - id: bad_template
    kind: effect
    pattern: "Worker \\(pid:\\d+\\) exited with code (?P<code>\\d+)"
    severity: warning
    summary: "exited with {nope}"
    hint: "code {code}"
    examples: {match: ["Worker (pid:7) exited with code 3"]}
  - id: NotSnake
    kind: cause
    pattern: "q+"
    severity: loud
    examples: {match: ["q"]}
)yaml";
    const std::vector<RuleProblem> problems = problems_of(yaml);
    CHECK(find_problem(problems, "pack.yaml:4: rule bad_regex: pattern: missing ): ") != "");
    CHECK(find_problem(problems, "pack.yaml:14: rule dup: duplicate id: already defined at pack.yaml:8") != "");
    CHECK(find_problem(problems, "pack.yaml:21: rule odd_kind: kind: unknown kind 'symptom'") != "");
    CHECK(find_problem(problems, "pack.yaml:29: rule typo: unknown key 'sevrity' (did you mean 'severity'?)") != "");
    CHECK(find_problem(problems, "pack.yaml:26: rule typo: missing required key 'severity'") != "");
    CHECK(find_problem(problems, "pack.yaml:36: rule bad_template: summary: {nope} is not a capture of the pattern (captures: code)") != "");
    CHECK(find_problem(problems, "rule NotSnake: id: 'NotSnake' is not snake_case") != "");
    CHECK(find_problem(problems, "rule NotSnake: severity: unknown severity 'loud'") != "");
    CHECK(find_problem(problems, "rule NotSnake: missing required key 'summary'") != "");
    CHECK(problems.size() == 9);
  }

  TEST_CASE("RE2's own message is reported for a bad pattern") {
    const std::vector<RuleProblem> problems = problems_of(R"yaml(rules:
  - id: bad
    kind: cause
    pattern: "(?P<x>a"
    severity: info
    summary: s
    examples: {match: [a]}
)yaml");
    REQUIRE(problems.size() == 1);
    CHECK(problems[0].describe() == "pack.yaml:4: rule bad: pattern: missing ): (?P<x>a");
  }

  TEST_CASE("YAML syntax errors carry yaml-cpp's message and line") {
    const std::vector<RuleProblem> problems = problems_of("rules:\n  - id: a\n    kind: [cause\n");
    REQUIRE(problems.size() == 1);
    CHECK(problems[0].file == "pack.yaml");
    CHECK(problems[0].line >= 3);
    CHECK(problems[0].message.rfind("YAML syntax: ", 0) == 0);
    CHECK(problems[0].rule_id.empty());
  }

  TEST_CASE("what yaml-cpp throws while reading is reported at its line and column, else at the line read") {
    YAML::Mark mark;
    mark.line = 4;
    mark.column = 6;
    CHECK(unexpected_yaml("pack.yaml", 2, YAML::BadConversion(mark)).describe() ==
          "pack.yaml:5: unexpected YAML structure at column 7: bad conversion");
    CHECK(unexpected_yaml("pack.yaml", 2, std::runtime_error("boom")).describe() ==
          "pack.yaml:2: unexpected YAML structure: boom");
  }

  TEST_CASE("document shape: not a map, missing or wrong `rules`, unknown top-level keys") {
    CHECK(find_problem(problems_of(""), "empty document") != "");
    CHECK(find_problem(problems_of("- a\n- b\n"), "expected a map with a `rules` list") != "");
    CHECK(find_problem(problems_of("rulez: []\n"), "unknown key 'rulez' (did you mean 'rules'?)") != "");
    CHECK(find_problem(problems_of("rulez: []\n"), "missing `rules`") != "");
    CHECK(find_problem(problems_of("rules: 3\n"), "`rules` must be a list") != "");
    CHECK(find_problem(problems_of("rules: [3]\n"), "each entry of `rules` must be a map") != "");
    CHECK(find_problem(problems_of("rules: []\n"), "pack.yaml: the pack defines no rules") != "");
  }

  TEST_CASE("examples are checked at load: a failing example rejects the rule, naming it and the example") {
    const std::vector<RuleProblem> problems = problems_of(R"yaml(rules:
  - id: container_exit
    kind: exit
    pattern: "Container called exit\\((?P<code>\\d+)\\)\\."
    severity: warning
    summary: "exit {code}"
    examples:
      match:
        - "Container called exit(3)."
        - "Container exited with 3"
      no_match:
        - "Container called exit(0)."
)yaml");
    CHECK(find_problem(problems, "pack.yaml:10: rule container_exit: examples: match example \"Container exited with 3\" does not match the pattern") != "");
    CHECK(find_problem(problems, "pack.yaml:12: rule container_exit: examples: no_match example \"Container called exit(0).\" matches the pattern (at \"Container called exit(0).\")") != "");
    CHECK(problems.size() == 2);
  }

  TEST_CASE("a rule without a match example is rejected") {
    CHECK(find_problem(problems_of("rules:\n  - {id: a, kind: cause, pattern: x, severity: info, summary: s}\n"),
                       "rule a: missing `examples`") != "");
    CHECK(find_problem(problems_of("rules:\n  - {id: a, kind: cause, pattern: x, severity: info, summary: s, "
                                   "examples: {no_match: [y]}}\n"),
                       "rule a: examples: no `match` example") != "");
  }

  TEST_CASE("patterns stay within one line") {
    // A negated class would cross a line break by default; never_nl keeps it on one line.
    std::vector<RuleProblem> problems;
    auto set = RuleSet::load_text(R"yaml(rules:
  - id: quoted
    kind: cause
    pattern: "name '(?P<name>[^']+)'"
    severity: info
    summary: s
    examples:
      match: ["name 'a'"]
      no_match: ["name 'a\nb'"]
)yaml",
                                  "pack.yaml", problems);
    CHECK(problems.empty());
    CHECK(set != nullptr);
    CHECK(find_problem(problems_of("rules:\n  - id: a\n    kind: cause\n    pattern: |\n      a\n      b\n    severity: info\n"
                                   "    summary: s\n    examples: {match: [a]}\n"),
                       "rule a: pattern: contains a line break") != "");
    CHECK(find_problem(problems_of("rules:\n  - {id: a, kind: cause, pattern: 'x*', severity: info, summary: s, "
                                   "examples: {match: [x]}}\n"),
                       "pattern: matches the empty text") != "");
  }

  TEST_CASE("match filters: known keys, LogEntry severities") {
    std::vector<RuleProblem> problems;
    auto set = RuleSet::load_text(R"yaml(rules:
  - id: a
    kind: recovery
    pattern: "^GET 200 "
    severity: info
    summary: s
    match: {severity: [info, NOTICE], stream: requests, resource_type: [cloud_run_revision]}
    examples: {match: ["GET 200 /"]}
)yaml",
                                  "pack.yaml", problems);
    REQUIRE(set != nullptr);
    CHECK(set->rules()[0].match_severity == std::vector<std::string>{"info", "NOTICE"});
    CHECK(set->rules()[0].match_stream == std::vector<std::string>{"requests"});

    const std::vector<RuleProblem> bad = problems_of(R"yaml(rules:
  - id: a
    kind: recovery
    pattern: "^GET 200 "
    severity: info
    summary: s
    match: {severity: [EROR], streams: [requests]}
    examples: {match: ["GET 200 /"]}
)yaml");
    CHECK(find_problem(bad, "match.severity: 'EROR' is not a LogEntry severity") != "");
    CHECK(find_problem(bad, "match: unknown key 'streams' (did you mean 'stream'?)") != "");
  }

  TEST_CASE("templates: braces, escapes and captures") {
    CHECK(find_problem(problems_of("rules:\n  - {id: a, kind: cause, pattern: '(?P<x>a)', severity: info, "
                                   "summary: 'open { brace', examples: {match: [a]}}\n"),
                       "summary: '{' at offset 5 does not start a {capture_name} reference") != "");
    CHECK(find_problem(problems_of("rules:\n  - {id: a, kind: cause, pattern: 'a', severity: info, "
                                   "summary: 's', hint: 'see {x}', examples: {match: [a]}}\n"),
                       "hint: {x} is not a capture of the pattern (the pattern has no named captures)") != "");
  }

  TEST_CASE("unless, fallback and rewrite are checked, each problem with its line") {
    const std::string yaml = R"yaml(rules:
  - id: bad_unless
    kind: cause
    pattern: "No module named '(?P<module>[^']+)'"
    unless: "(E"
    severity: critical
    summary: "{module}"
    examples: {match: ["No module named 'a'"]}
  - id: empty_unless
    kind: cause
    pattern: "No module named '(?P<module>[^']+)'"
    unless: "x*"
    severity: critical
    summary: "{module}"
    examples: {match: ["No module named 'a'"]}
  - id: unless_unshown
    kind: cause
    pattern: "No module named '(?P<module>[^']+)'"
    unless: "^E "
    severity: critical
    summary: "{module}"
    examples: {match: ["No module named 'a'"], no_match: ["all good"]}
  - id: unless_hides_example
    kind: cause
    pattern: "No module named '(?P<module>[^']+)'"
    unless: "^E "
    severity: critical
    summary: "{module}"
    examples: {match: ["E No module named 'a'"], no_match: ["E No module named 'b'"]}
  - id: effect_fallback
    kind: effect
    fallback: true
    pattern: "boom"
    severity: warning
    summary: "s"
    examples: {match: ["boom"]}
  - id: bad_rewrite
    kind: cause
    pattern: "NoClassDefFoundError: (?P<class>\\S+)"
    rewrite: {klass: {"/": "."}, class: {"": "."}}
    severity: critical
    summary: "{class}"
    examples: {match: ["NoClassDefFoundError: a/b"]}
)yaml";
    const std::vector<RuleProblem> problems = problems_of(yaml);
    CHECK(find_problem(problems, "pack.yaml:5: rule bad_unless: unless: missing ): (E") != "");
    CHECK(find_problem(problems, "pack.yaml:12: rule empty_unless: unless: matches the empty text") != "");
    CHECK(find_problem(problems, "pack.yaml:22: rule unless_unshown: examples: no `no_match` example shows `unless` at work") != "");
    CHECK(find_problem(problems, "rule unless_hides_example: examples: match example \"E No module named 'a'\" "
                                 "matches the pattern but also `unless`") != "");
    CHECK(find_problem(problems, "pack.yaml:32: rule effect_fallback: fallback: only a cause can be a fallback") != "");
    CHECK(find_problem(problems, "pack.yaml:40: rule bad_rewrite: rewrite: 'klass' is not a capture of the pattern") != "");
    CHECK(find_problem(problems, "rule bad_rewrite: rewrite.class: each replacement maps a non-empty string") != "");
  }

  TEST_CASE("a directory loads its *.yaml files in name order, not its subfolders") {
    namespace fs = std::filesystem;
    const fs::path dir = fs::temp_directory_path() / "faultline_rule_loader_test";
    fs::remove_all(dir);
    fs::create_directories(dir / "tests");
    auto write = [](const fs::path& path, const std::string& text) { std::ofstream(path) << text; };
    write(dir / "b.yaml", "rules:\n  - {id: b_rule, kind: cause, pattern: b, severity: info, summary: s, examples: {match: [b]}}\n");
    write(dir / "a.yml", "rules:\n  - {id: a_rule, kind: cause, pattern: a, severity: info, summary: s, examples: {match: [a]}}\n");
    write(dir / "notes.txt", "not yaml: [");
    write(dir / "tests" / "c.yaml", "rule_files: [..]\ntests: []\n");

    std::vector<RuleProblem> problems;
    auto set = RuleSet::load(dir.string(), problems);
    REQUIRE(problems.empty());
    REQUIRE(set != nullptr);
    REQUIRE(set->rules().size() == 2);
    CHECK(set->rules()[0].id == "a_rule");
    CHECK(set->rules()[1].id == "b_rule");
    CHECK(set->rules()[1].file == (dir / "b.yaml").string());

    // A duplicate across files names both places.
    write(dir / "c.yaml", "rules:\n  - {id: a_rule, kind: cause, pattern: c, severity: info, summary: s, examples: {match: [c]}}\n");
    problems.clear();
    CHECK(RuleSet::load(dir.string(), problems) == nullptr);
    REQUIRE(problems.size() == 1);
    CHECK(problems[0].describe() == (dir / "c.yaml").string() + ":2: rule a_rule: duplicate id: already defined at " +
                                        (dir / "a.yml").string() + ":2");
    fs::remove_all(dir);
  }

  TEST_CASE("missing paths and empty directories are problems, not crashes") {
    std::vector<RuleProblem> problems;
    CHECK(RuleSet::load("/nonexistent/faultline/rules", problems) == nullptr);
    REQUIRE(problems.size() == 1);
    CHECK(problems[0].describe() == "/nonexistent/faultline/rules: no such file or directory");

    const auto empty = std::filesystem::temp_directory_path() / "faultline_empty_rules";
    std::filesystem::create_directories(empty);
    problems.clear();
    CHECK(RuleSet::load(empty.string(), problems) == nullptr);
    CHECK(find_problem(problems, "holds no *.yaml or *.yml rule files") != "");
    std::filesystem::remove_all(empty);
  }

  TEST_CASE("enum names round-trip") {
    for (RuleKind kind : {RuleKind::cause, RuleKind::effect, RuleKind::exit, RuleKind::loop, RuleKind::recovery}) {
      RuleKind parsed{};
      CHECK(parse_rule_kind(to_string(kind), parsed));
      CHECK(parsed == kind);
    }
    for (Severity severity : {Severity::info, Severity::warning, Severity::critical}) {
      Severity parsed{};
      CHECK(parse_severity(to_string(severity), parsed));
      CHECK(parsed == severity);
    }
    RuleKind kind{};
    CHECK_FALSE(parse_rule_kind("Cause", kind));
  }
}

}  // namespace
}  // namespace faultline
