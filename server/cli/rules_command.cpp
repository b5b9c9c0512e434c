#include "server/cli/rules_command.h"

#include <chrono>
#include <cstdio>
#include <map>

#include "incidents/incident_expectation.h"
#include "incidents/pipeline.h"
#include "rules/rule_tests.h"
#include "rules/rule_set.h"
#include "rules/rules_path.h"
#include "server/cli/replay_files.h"
#include "suggest/rule_draft.h"

namespace faultline {
namespace {

constexpr const char* kHelp = R"(Usage: faultline rules check [PATH]
       faultline rules list [PATH] [--patterns]
       faultline rules test FILE.yaml...
       faultline rules suggest [--rules PATH] [--format F] [--service S] FILE... | -

check  Loads a rule pack (a YAML file, or every *.yaml in a directory; default: the
       bundled pack) and reports every problem at once with file:line and rule id:
       RE2 syntax, duplicate ids, unknown kinds or keys, {captures} that do not exist,
       examples that do not behave as declared. Exit 0 when valid, 2 otherwise.

list   Prints the rules of a pack: id, kind, severity and summary; with --patterns,
       only the RE2 patterns, one per line (for grep -f / rg -f comparisons).

test   Runs rule test files: per case, input lines, the rules that must fire on each
       (with captures), lines on which nothing may fire, and the incidents the lines
       must open (service, root_cause, module, crash_loop, exits, state, ...).
       Exit 0 when every case passes, 1 when one fails, 2 when a file is invalid.

suggest
       Scans log files as `faultline scan` does (same formats and options) and, for
       every incident whose cause no rule knows, drafts a `kind: cause` rule from
       the lines its instances printed last before crashing: a template mined
       across instances (constant words literal, numbers, ids, paths and quoted
       names as named captures), a summary, and examples from the real lines. Each
       draft is checked as `rules check` would before it is printed; one YAML
       document per incident, separated by '---', to review and save into a pack.
       Exit 0 when a rule was drafted, 1 when none was (no incident without a
       known cause, or no draft possible: the reason is on standard error),
       2 on usage, rule or input errors.
)";

int check(const std::string& path) {
  std::vector<RuleProblem> problems;
  auto rules = RuleSet::load(path, problems);
  for (const auto& problem : problems) std::fprintf(stderr, "%s\n", problem.describe().c_str());
  if (!rules) {
    std::fprintf(stderr, "%s: INVALID: %zu problem(s)\n", path.c_str(), problems.size());
    return 2;
  }
  std::map<RuleKind, int> by_kind;
  for (const Rule& rule : rules->rules()) ++by_kind[rule.kind];
  std::printf("%s: OK: %zu rules (", path.c_str(), rules->rules().size());
  const char* separator = "";
  for (const auto& [kind, count] : by_kind) {
    std::printf("%s%d %.*s", separator, count, int(to_string(kind).size()), to_string(kind).data());
    separator = ", ";
  }
  std::printf(")\n");
  return 0;
}

int list(const std::string& path, bool patterns_only) {
  std::vector<RuleProblem> problems;
  auto rules = RuleSet::load(path, problems);
  if (!rules) {
    for (const auto& problem : problems) std::fprintf(stderr, "%s\n", problem.describe().c_str());
    return 2;
  }
  for (const Rule& rule : rules->rules()) {
    if (patterns_only) {
      std::printf("%s\n", rule.pattern.c_str());
      continue;
    }
    std::printf("%-36s %-9.*s %-9.*s %s\n", rule.id.c_str(), int(to_string(rule.kind).size()),
                to_string(rule.kind).data(), int(to_string(rule.severity).size()), to_string(rule.severity).data(),
                rule.summary.c_str());
  }
  return 0;
}

// Replays a case's lines through the same pipeline as scan and the daemon.
std::string check_incidents(const PackTestCase& test, const std::shared_ptr<const RuleSet>& rules) {
  nlohmann::json expected = nlohmann::json::parse(test.incidents_json, nullptr, false);
  if (!expected.is_array()) return "incidents: expected a list of incidents";
  Pipeline pipeline(rules, PipelineConfig{}, [] { return Timestamp{}; });
  pipeline.ingest(test.records);
  pipeline.finish();
  nlohmann::json actual = nlohmann::json::array();
  for (const Incident& incident : pipeline.incidents()) actual.push_back(to_json(incident));
  return compare_incidents(expected, actual);
}

int test(const std::vector<std::string>& files) {
  bool invalid = false, failed = false;
  for (const std::string& file : files) {
    PackTestReport report = run_pack_tests(file);
    if (!report.problems.empty()) {
      std::fputs(report.describe().c_str(), stdout);
      invalid = true;
      continue;
    }
    size_t incident_failures = 0;
    std::string incident_report;
    for (const PackTestCase& test : report.cases) {
      if (test.incidents_json.empty()) continue;
      std::string why = check_incidents(test, report.rules);
      if (why.empty()) continue;
      ++incident_failures;
      incident_report += "  " + file + ":" + std::to_string(test.line) + ": test '" + test.name + "' incidents:\n";
      for (size_t start = 0; start < why.size();) {
        size_t end = why.find('\n', start);
        if (end == std::string::npos) end = why.size();
        incident_report += "    " + why.substr(start, end - start) + "\n";
        start = end + 1;
      }
    }
    if (report.passed() && incident_failures == 0) {
      std::fputs(report.describe().c_str(), stdout);
      continue;
    }
    failed = true;
    if (!report.passed()) std::fputs(report.describe().c_str(), stdout);
    else std::printf("%s: FAILED:\n", file.c_str());
    std::fputs(incident_report.c_str(), stdout);
  }
  return invalid ? 2 : failed ? 1 : 0;
}

int suggest(const std::vector<std::string>& args) {
  std::string rules_path;
  InputFormat format = InputFormat::automatic;
  ParseOptions parse;
  std::vector<std::string> files;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    const bool takes_value = arg == "--rules" || arg == "--format" || arg == "--service" || arg == "--revision" ||
                             arg == "--instance";
    if (takes_value && i + 1 >= args.size()) {
      std::fprintf(stderr, "faultline rules suggest: %s expects a value\n", arg.c_str());
      return 2;
    }
    if (arg == "--rules") rules_path = args[++i];
    else if (arg == "--format") {
      if (!parse_input_format(args[++i], format)) {
        std::fprintf(stderr, "faultline rules suggest: --format expects auto, logentry, ndjson, text, pubsub, loki or msgpack\n");
        return 2;
      }
    } else if (arg == "--service") parse.service = args[++i];
    else if (arg == "--revision") parse.revision = args[++i];
    else if (arg == "--instance") parse.instance = args[++i];
    else if (arg.size() > 1 && arg[0] == '-') {
      std::fprintf(stderr, "faultline rules suggest: unknown option %s\n", arg.c_str());
      return 2;
    } else files.push_back(arg);
  }
  if (files.empty()) {
    std::fprintf(stderr, "faultline rules suggest: no input: give one or more files, or - for standard input\n");
    return 2;
  }
  if (rules_path.empty()) rules_path = default_rules_path();
  std::vector<RuleProblem> problems;
  auto rules = RuleSet::load(rules_path, problems);
  if (!rules) {
    for (const auto& problem : problems) std::fprintf(stderr, "%s\n", problem.describe().c_str());
    std::fprintf(stderr, "faultline rules suggest: %zu problem(s) in rules %s\n", problems.size(), rules_path.c_str());
    return 2;
  }
  auto wall_clock = [] { return Timestamp{std::chrono::system_clock::now()}; };
  Pipeline pipeline(rules, PipelineConfig{}, wall_clock);
  parse.arrival = wall_clock();
  const ReplayCounts counts = replay_files(pipeline, files, format, parse, "faultline rules suggest");
  pipeline.finish();

  size_t unknown = 0, drafted = 0;
  for (const Incident& incident : pipeline.incidents()) {
    if (incident.suspects.empty()) continue;
    ++unknown;
    const RuleDraft draft = draft_rule(incident, pipeline.service_lines(incident));
    if (!draft.ok()) {
      std::fprintf(stderr, "faultline rules suggest: incident %s (%s): no rule drafted: %s\n", incident.id.c_str(),
                   incident.service.c_str(), draft.error.c_str());
      continue;
    }
    std::printf("%s%s", drafted++ > 0 ? "---\n" : "", draft.yaml.c_str());
  }
  if (unknown == 0) std::fprintf(stderr, "faultline rules suggest: no incident without a known cause\n");
  if (counts.input_errors > 0) {
    std::fprintf(stderr, "faultline rules suggest: %zu input error(s); the good records were scanned\n",
                 counts.input_errors);
    return 2;
  }
  return drafted > 0 ? 0 : 1;
}

}  // namespace

int run_rules(const std::vector<std::string>& args) {
  if (args.empty() || args[0] == "-h" || args[0] == "--help") {
    std::fputs(kHelp, args.empty() ? stderr : stdout);
    return args.empty() ? 2 : 0;
  }
  for (const auto& arg : args)
    if (arg == "-h" || arg == "--help") {
      std::fputs(kHelp, stdout);
      return 0;
    }
  std::vector<std::string> rest(args.begin() + 1, args.end());
  if (args[0] == "check") {
    if (rest.size() > 1) {
      std::fprintf(stderr, "faultline rules check: expects one PATH\n");
      return 2;
    }
    return check(rest.empty() ? default_rules_path() : rest[0]);
  }
  if (args[0] == "list") {
    bool patterns_only = false;
    std::string path;
    for (const auto& arg : rest) {
      if (arg == "--patterns") patterns_only = true;
      else if (path.empty() && arg[0] != '-') path = arg;
      else {
        std::fprintf(stderr, "faultline rules list: unexpected argument '%s'\n", arg.c_str());
        return 2;
      }
    }
    return list(path.empty() ? default_rules_path() : path, patterns_only);
  }
  if (args[0] == "test") {
    if (rest.empty()) {
      std::fprintf(stderr, "faultline rules test: expects one or more test files\n");
      return 2;
    }
    return test(rest);
  }
  if (args[0] == "suggest") return suggest(rest);
  std::fprintf(stderr, "faultline rules: unknown subcommand '%s'\n\n%s", args[0].c_str(), kHelp);
  return 2;
}

}  // namespace faultline
