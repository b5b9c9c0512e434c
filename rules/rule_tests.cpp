#include "rules/rule_tests.h"

#include <algorithm>
#include <charconv>
#include <exception>
#include <filesystem>
#include <fstream>
#include <optional>
#include <set>
#include <sstream>
#include <utility>

#include <nlohmann/json.hpp>
#include <yaml-cpp/yaml.h>

#include "parsers/timestamp.h"
#include "rules/rule_loader.h"

namespace faultline {
namespace {

struct Expectation {
  int file_line = 0;
  size_t index = 0;
  std::string rule;
  std::vector<std::pair<std::string, std::string>> captures;
  std::optional<std::string> summary;
};

struct CaseSpec {
  PackTestCase result;
  std::vector<Expectation> expect;
  std::vector<size_t> no_match;
  bool no_match_others = false;
};

int line_of(const YAML::Node& node, int fallback) {
  if (!node.IsDefined()) return fallback;
  const YAML::Mark mark = node.Mark();
  return mark.line >= 0 ? mark.line + 1 : fallback;
}

std::string lowercase(std::string text) {
  for (char& c : text) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  return text;
}

// Plain (unquoted) YAML scalars become JSON booleans, nulls and numbers as YAML 1.2's
// core schema reads them; quoted scalars stay strings.
nlohmann::json scalar_to_json(const YAML::Node& node) {
  const std::string& text = node.Scalar();
  if (node.Tag() == "!") return text;
  const std::string lower = lowercase(text);
  if (lower == "true") return true;
  if (lower == "false") return false;
  if (lower == "null" || text == "~" || text.empty()) return nullptr;
  const char* begin = text.data();
  const char* end = begin + text.size();
  long long integer = 0;
  if (auto [ptr, ec] = std::from_chars(begin, end, integer); ec == std::errc() && ptr == end) return integer;
  double real = 0;
  if (auto [ptr, ec] = std::from_chars(begin, end, real); ec == std::errc() && ptr == end) return real;
  return text;
}

nlohmann::json yaml_to_json(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Scalar:
      return scalar_to_json(node);
    case YAML::NodeType::Sequence: {
      nlohmann::json array = nlohmann::json::array();
      for (const YAML::Node& item : node) array.push_back(yaml_to_json(item));
      return array;
    }
    case YAML::NodeType::Map: {
      nlohmann::json object = nlohmann::json::object();
      for (auto it = node.begin(); it != node.end(); ++it)
        object[it->first.IsScalar() ? it->first.Scalar() : it->first.as<std::string>("")] =
            yaml_to_json(it->second);
      return object;
    }
    default:
      return nullptr;
  }
}

std::string join_rules(const std::vector<Event>& events) {
  std::string out;
  for (const Event& event : events) out += (out.empty() ? "" : ", ") + event.rule_id;
  return out.empty() ? "none" : out;
}

class TestFileReader {
 public:
  TestFileReader(const std::string& origin, std::vector<RuleProblem>& problems)
      : origin_(origin), problems_(problems) {}

  void read(const YAML::Node& root, const std::string& base_dir, std::vector<std::string>& rule_files,
            std::vector<CaseSpec>& cases) {
    if (!root.IsMap()) {
      report(line_of(root, 1), "", "expected a map with `rule_files` and `tests`");
      return;
    }
    bool has_rule_files = false, has_tests = false;
    for (auto it = root.begin(); it != root.end(); ++it) {
      const std::string key = it->first.IsScalar() ? it->first.Scalar() : std::string();
      const int key_line = line_of(it->first, 1);
      line_ = key_line;
      if (key == "rule_files") {
        has_rule_files = true;
        std::vector<std::string> names;
        if (strings(it->second, "rule_files", "", names)) {
          if (names.empty()) report(line_of(it->second, key_line), "", "rule_files: names no rule file or directory");
          for (const std::string& name : names) {
            const std::filesystem::path path(name);
            rule_files.push_back(path.is_absolute() ? name : (std::filesystem::path(base_dir) / path).string());
          }
        }
      } else if (key == "tests") {
        has_tests = true;
        if (!it->second.IsSequence()) {
          report(line_of(it->second, key_line), "", "`tests` must be a list of test cases");
          continue;
        }
        // A copy: `it->second` belongs to a temporary that dies before the loop runs.
        const YAML::Node tests = it->second;
        for (const YAML::Node& node : tests) read_case(node, cases);
      } else {
        report(key_line, "", "unknown key '" + key + "' (known keys: rule_files tests)");
      }
    }
    if (!has_rule_files) report(line_of(root, 1), "", "missing `rule_files` (the rule files or directories to test)");
    if (!has_tests) report(line_of(root, 1), "", "missing `tests` (a list of test cases)");
  }

  // The line being read: where an unexpected exception is reported.
  int line() const { return line_; }

 private:
  void report(int line, const std::string& test, std::string message) {
    problems_.push_back(RuleProblem{origin_, line, "", test.empty() ? message : "test '" + test + "': " + message});
  }

  bool strings(const YAML::Node& node, const std::string& key, const std::string& test,
               std::vector<std::string>& out) {
    if (node.IsScalar()) {
      out.push_back(node.Scalar());
      return true;
    }
    if (node.IsSequence()) {
      bool all = true;
      for (const YAML::Node& item : node) {
        if (item.IsScalar()) {
          out.push_back(item.Scalar());
        } else {
          report(line_of(item, 0), test, key + ": every item must be a string");
          all = false;
        }
      }
      return all;
    }
    report(line_of(node, 0), test, key + ": must be a string or a list of strings");
    return false;
  }

  bool index(const YAML::Node& node, const std::string& key, const std::string& test, size_t lines,
             size_t& out) {
    long long value = -1;
    if (node.IsScalar()) {
      const std::string& text = node.Scalar();
      auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
      if (ec != std::errc() || ptr != text.data() + text.size()) value = -1;
    }
    if (value < 0) {
      report(line_of(node, 0), test, key + ": must be a line index (0-based)");
      return false;
    }
    if (static_cast<size_t>(value) >= lines) {
      report(line_of(node, 0), test,
             key + ": line " + std::to_string(value) + " does not exist (the test has " + std::to_string(lines) +
                 (lines == 1 ? " line)" : " lines)"));
      return false;
    }
    out = static_cast<size_t>(value);
    return true;
  }

  void read_case(const YAML::Node& node, std::vector<CaseSpec>& cases) {
    CaseSpec spec;
    spec.result.line = line_of(node, line_);
    line_ = spec.result.line;
    if (!node.IsMap()) {
      report(spec.result.line, "", "each test case must be a map (name, lines, expect, …)");
      return;
    }
    if (const YAML::Node name = node["name"]; name && name.IsScalar()) spec.result.name = name.Scalar();
    const std::string& test = spec.result.name;
    if (test.empty()) report(spec.result.line, "", "test case without a `name`");

    // Lines first: expectations are checked against their count.
    if (const YAML::Node lines = node["lines"]; lines && lines.IsSequence() && lines.size() > 0) {
      for (const YAML::Node& line : lines) read_line(line, test, spec.result.records);
    } else {
      report(spec.result.line, test, "`lines` must be a non-empty list of log lines");
    }
    const size_t count = spec.result.records.size();

    for (auto it = node.begin(); it != node.end(); ++it) {
      const std::string key = it->first.IsScalar() ? it->first.Scalar() : std::string();
      const YAML::Node value = it->second;
      line_ = line_of(it->first, spec.result.line);
      if (key == "name" || key == "lines") continue;
      if (key == "expect") {
        if (!value.IsSequence()) {
          report(line_of(value, spec.result.line), test, "expect: must be a list of {line, rule, captures}");
          continue;
        }
        for (const YAML::Node& item : value) read_expectation(item, test, count, spec.expect);
      } else if (key == "expect_no_match") {
        if (value.IsScalar() && value.Scalar() == "others") {
          spec.no_match_others = true;
        } else if (value.IsSequence()) {
          for (const YAML::Node& item : value) {
            size_t i = 0;
            if (index(item, "expect_no_match", test, count, i)) spec.no_match.push_back(i);
          }
        } else {
          report(line_of(value, spec.result.line), test,
                 "expect_no_match: must be a list of line indices, or `others`");
        }
      } else if (key == "incidents") {
        try {
          spec.result.incidents_json = yaml_to_json(value).dump();
        } catch (const nlohmann::json::exception&) {  // dump() refuses what is not UTF-8
          report(line_of(value, line_), test, "incidents: a value is not valid UTF-8");
        }
      } else {
        report(line_of(it->first, spec.result.line), test,
               "unknown key '" + key + "' (known keys: name lines expect expect_no_match incidents)");
      }
    }
    cases.push_back(std::move(spec));
  }

  void read_line(const YAML::Node& node, const std::string& test, std::vector<LogRecord>& records) {
    LogRecord record;
    if (node.IsScalar()) {
      record.text = node.Scalar();
      records.push_back(std::move(record));
      return;
    }
    if (!node.IsMap()) {
      report(line_of(node, 0), test, "lines: each line is a string or a map with `text`");
      records.push_back(std::move(record));  // keeps later indices right
      return;
    }
    bool has_text = false;
    for (auto it = node.begin(); it != node.end(); ++it) {
      const std::string key = it->first.IsScalar() ? it->first.Scalar() : std::string();
      const int key_line = line_of(it->first, 0);
      if (!it->second.IsScalar()) {
        report(key_line, test, "lines: " + key + " must be a string");
        continue;
      }
      const std::string& value = it->second.Scalar();
      if (key == "text") {
        record.text = value;
        has_text = true;
      } else if (key == "severity") record.severity = value;
      else if (key == "stream") record.stream = value;
      else if (key == "resource_type") record.resource_type = value;
      else if (key == "service") record.service = value;
      else if (key == "namespace") record.namespace_name = value;
      else if (key == "cluster") record.cluster = value;
      else if (key == "revision") record.revision = value;
      else if (key == "instance") record.instance = value;
      else if (key == "source_id") record.source_id = value;
      else if (key == "time") {
        if (auto time = parse_rfc3339(value)) record.time = *time;
        else report(key_line, test, "lines: time '" + value + "' is not RFC 3339 (2025-09-16T00:42:35Z)");
      } else {
        report(key_line, test,
               "lines: unknown field '" + key +
                   "' (known: text severity stream resource_type service namespace cluster revision "
                   "instance source_id time)");
      }
    }
    if (!has_text) report(line_of(node, 0), test, "lines: a line map needs `text`");
    records.push_back(std::move(record));
  }

  void read_expectation(const YAML::Node& node, const std::string& test, size_t lines,
                        std::vector<Expectation>& out) {
    Expectation expectation;
    expectation.file_line = line_of(node, 0);
    if (!node.IsMap()) {
      report(expectation.file_line, test, "expect: each item is a map {line, rule, captures}");
      return;
    }
    bool ok = true, has_line = false, has_rule = false;
    for (auto it = node.begin(); it != node.end(); ++it) {
      const std::string key = it->first.IsScalar() ? it->first.Scalar() : std::string();
      const YAML::Node value = it->second;
      if (key == "line") {
        has_line = true;
        ok = index(value, "expect.line", test, lines, expectation.index) && ok;
      } else if (key == "rule" && value.IsScalar()) {
        has_rule = true;
        expectation.rule = value.Scalar();
      } else if (key == "captures" && value.IsMap()) {
        for (auto capture = value.begin(); capture != value.end(); ++capture) {
          if (capture->first.IsScalar() && capture->second.IsScalar()) {
            expectation.captures.emplace_back(capture->first.Scalar(), capture->second.Scalar());
          } else {
            report(line_of(capture->first, expectation.file_line), test,
                   "expect.captures: names and values must be strings");
            ok = false;
          }
        }
      } else if (key == "summary" && value.IsScalar()) {
        expectation.summary = value.Scalar();
      } else if (key == "rule" || key == "captures" || key == "summary") {
        report(line_of(value, expectation.file_line), test,
               "expect." + key + (key == "captures" ? ": must be a map" : ": must be a string"));
        ok = false;
      } else {
        report(line_of(it->first, expectation.file_line), test,
               "expect: unknown key '" + key + "' (known keys: line rule captures summary)");
        ok = false;
      }
    }
    if (!has_line || !has_rule) {
      report(expectation.file_line, test, "expect: each item needs `line` and `rule`");
      ok = false;
    }
    if (ok) out.push_back(std::move(expectation));
  }

  const std::string& origin_;
  std::vector<RuleProblem>& problems_;
  int line_ = 0;
};

void evaluate(CaseSpec& spec, const RuleSet& rules) {
  PackTestCase& result = spec.result;
  const std::string prefix = "test '" + result.name + "' line ";
  auto fail = [&](size_t line, const std::string& message) {
    result.failures.push_back(prefix + std::to_string(line) + ": " + message);
  };
  for (const LogRecord& record : result.records) {
    std::vector<Event> events;
    rules.match(record, events);
    result.events.push_back(std::move(events));
  }

  std::set<size_t> expected_lines;
  for (const Expectation& expectation : spec.expect) {
    expected_lines.insert(expectation.index);
    if (!rules.find(expectation.rule)) {
      fail(expectation.index, "expected rule " + expectation.rule + ", which the rule files do not define");
      continue;
    }
    const std::vector<Event>& events = result.events[expectation.index];
    auto event = std::find_if(events.begin(), events.end(),
                              [&](const Event& e) { return e.rule_id == expectation.rule; });
    if (event == events.end()) {
      fail(expectation.index, "expected rule " + expectation.rule + ", got " + join_rules(events));
      continue;
    }
    for (const auto& [name, want] : expectation.captures) {
      // Through a reference: clang before 16 cannot capture a structured binding.
      const auto& wanted_name = name;
      auto capture = std::find_if(event->captures.begin(), event->captures.end(),
                                  [&](const auto& c) { return c.first == wanted_name; });
      if (capture == event->captures.end())
        fail(expectation.index, "rule " + expectation.rule + ": capture " + name + ": expected '" + want +
                                    "', got none");
      else if (capture->second != want)
        fail(expectation.index, "rule " + expectation.rule + ": capture " + name + ": expected '" + want +
                                    "', got '" + capture->second + "'");
    }
    if (expectation.summary && *expectation.summary != event->summary)
      fail(expectation.index, "rule " + expectation.rule + ": summary: expected '" + *expectation.summary +
                                  "', got '" + event->summary + "'");
  }
  // On a line that `expect` names, every rule that fired must be expected there.
  for (size_t line : expected_lines) {
    for (const Event& event : result.events[line]) {
      const bool wanted = std::any_of(spec.expect.begin(), spec.expect.end(), [&](const Expectation& e) {
        return e.index == line && e.rule == event.rule_id;
      });
      if (!wanted) fail(line, "unexpected rule " + event.rule_id + " (sample: " + event.sample + ")");
    }
  }
  std::set<size_t> no_match(spec.no_match.begin(), spec.no_match.end());
  if (spec.no_match_others) {
    for (size_t i = 0; i < result.records.size(); ++i)
      if (!expected_lines.count(i)) no_match.insert(i);
  }
  for (size_t line : no_match) {
    if (!result.events[line].empty()) fail(line, "expected no match, got " + join_rules(result.events[line]));
  }
}

}  // namespace

bool PackTestReport::passed() const { return problems.empty() && failed_cases() == 0; }

size_t PackTestReport::failed_cases() const {
  return static_cast<size_t>(
      std::count_if(cases.begin(), cases.end(), [](const PackTestCase& c) { return !c.passed(); }));
}

std::string PackTestReport::describe() const {
  std::string out = file + ": ";
  if (!problems.empty()) {
    out += "FAILED: the tests could not run\n";
    for (const RuleProblem& problem : problems) out += "  " + problem.describe() + "\n";
    return out;
  }
  const size_t failed = failed_cases();
  if (failed == 0) return out + "SUCCESS: " + std::to_string(cases.size()) + " tests passed\n";
  out += "FAILED: " + std::to_string(failed) + " of " + std::to_string(cases.size()) + " tests failed\n";
  for (const PackTestCase& c : cases)
    for (const std::string& failure : c.failures) out += "  " + file + ":" + std::to_string(c.line) + ": " + failure + "\n";
  return out;
}

PackTestReport run_pack_tests_text(const std::string& yaml, const std::string& origin,
                                   const std::string& base_dir) {
  PackTestReport report;
  report.file = origin;
  YAML::Node root;
  try {
    root = YAML::Load(yaml);
  } catch (const YAML::ParserException& e) {
    report.problems.push_back(RuleProblem{origin, e.mark.line >= 0 ? e.mark.line + 1 : 0, "", "YAML syntax: " + e.msg});
    return report;
  } catch (const std::exception& e) {
    report.problems.push_back(RuleProblem{origin, 0, "", std::string("YAML: ") + e.what()});
    return report;
  }
  std::vector<std::string> rule_files;
  std::vector<CaseSpec> cases;
  TestFileReader reader(origin, report.problems);
  try {
    reader.read(root, base_dir, rule_files, cases);
  } catch (const std::exception& e) {
    report.problems.push_back(unexpected_yaml(origin, reader.line(), e));
  }
  // The rule files load even when the test file has problems, so that one run reports both.
  if (!rule_files.empty()) report.rules = RuleSet::load_all(rule_files, report.problems);
  if (!report.problems.empty() || !report.rules) {
    report.rules = nullptr;
    return report;
  }
  for (CaseSpec& spec : cases) {
    evaluate(spec, *report.rules);
    report.cases.push_back(std::move(spec.result));
  }
  return report;
}

PackTestReport run_pack_tests(const std::string& test_file) {
  std::ifstream in(test_file, std::ios::binary);
  if (!in) {
    PackTestReport report;
    report.file = test_file;
    report.problems.push_back(RuleProblem{test_file, 0, "", "cannot read file"});
    return report;
  }
  std::ostringstream text;
  text << in.rdbuf();
  std::string base_dir = std::filesystem::path(test_file).parent_path().string();
  if (base_dir.empty()) base_dir = ".";
  return run_pack_tests_text(text.str(), test_file, base_dir);
}

}  // namespace faultline
