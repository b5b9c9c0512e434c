// `faultline rules suggest` end to end: three instances crash on a fatal line
// no rule knows, among noise; the drafted rule passes `rules check` and `rules
// test`, matches the line on every instance and nothing of the noise corpus,
// and with it in the pack `scan` names it as the root cause.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

#include "rules/rule_set.h"
#include "tests/support/files.h"
#include "tests/support/subprocess.h"

namespace fs = std::filesystem;
using faultline::testing::read_file;
using faultline::testing::run_command;

namespace {

const std::string kBinary = FAULTLINE_BINARY;
const std::string kScenario =
    std::string(FAULTLINE_CORPUS) + "/failures/18_unknown_fatal_line_three_instances.ndjson";

struct TempDir {
  fs::path path;
  TempDir() {
    path = fs::temp_directory_path() / ("faultline-suggest-test-" + std::to_string(::getpid()));
    fs::create_directories(path);
  }
  ~TempDir() { fs::remove_all(path); }
};

}  // namespace

TEST_CASE("rules suggest drafts a rule for an unknown fatal line that scan then names as the root cause") {
  auto drafted = run_command({kBinary, "rules", "suggest", kScenario});
  REQUIRE_MESSAGE(drafted.exit_code == 0, drafted.err);
  const std::string& yaml = drafted.out;
  CHECK(yaml.find("kind: cause") != std::string::npos);

  TempDir dir;
  const fs::path pack = dir.path / "pack";
  fs::create_directories(pack);
  for (const auto& entry : fs::directory_iterator(std::string(FAULTLINE_SOURCE_DIR) + "/rules/packs"))
    if (entry.path().extension() == ".yaml") fs::copy_file(entry.path(), pack / entry.path().filename());
  std::ofstream(pack / "suggested.yaml") << yaml;

  // It passes rules check, alone and beside the bundled pack.
  auto alone = run_command({kBinary, "rules", "check", (pack / "suggested.yaml").string()});
  CHECK_MESSAGE(alone.exit_code == 0, alone.err);
  auto together = run_command({kBinary, "rules", "check", pack.string()});
  CHECK_MESSAGE(together.exit_code == 0, together.err);

  std::vector<faultline::RuleProblem> problems;
  auto rules = faultline::RuleSet::load((pack / "suggested.yaml").string(), problems);
  REQUIRE(rules);
  REQUIRE(rules->rules().size() == 1);
  const faultline::Rule& rule = rules->rules()[0];

  // It matches the fatal line of every instance, whatever its numbers.
  std::set<std::string> instances_seen, instances_matched;
  std::ifstream scenario(kScenario);
  for (std::string line; std::getline(scenario, line);) {
    auto entry = nlohmann::json::parse(line);
    const std::string text = entry.value("textPayload", "");
    if (text.rfind("FATAL: ledger shard ", 0) != 0) continue;
    instances_seen.insert(entry["labels"]["instanceId"]);
    if (RE2::PartialMatch(text, *rule.regex)) instances_matched.insert(entry["labels"]["instanceId"]);
  }
  CHECK(instances_seen.size() == 3);
  CHECK(instances_matched == instances_seen);
  CHECK(RE2::PartialMatch("FATAL: ledger shard 41 checksum mismatch at offset 123", *rule.regex));

  // It matches no line of the noise corpus.
  size_t noise_lines = 0;
  for (const auto& entry : fs::directory_iterator(std::string(FAULTLINE_NOISE))) {
    std::ifstream noise(entry.path());
    for (std::string line; std::getline(noise, line); ++noise_lines)
      CHECK_MESSAGE(!RE2::PartialMatch(line, *rule.regex), line);
  }
  CHECK(noise_lines > 10'000);

  // It passes rules test: the scenario's fatal lines fire it, its own no_match lines do not.
  std::ostringstream test;
  test << "rule_files: [pack/suggested.yaml]\ntests:\n  - name: drafted rule\n    lines:\n"
       << "      - \"FATAL: ledger shard 5 checksum mismatch at offset 1024\"\n"
       << "      - \"ledger-sync 2.3.0 starting (build 9f3e1d2)\"\n"
       << "    expect:\n      - {line: 0, rule: " << rule.id << ", captures: {shard: \"5\", offset: \"1024\"}}\n"
       << "    expect_no_match: [1]\n";
  std::ofstream(dir.path / "suggested_test.yaml") << test.str();
  auto tested = run_command({kBinary, "rules", "test", (dir.path / "suggested_test.yaml").string()});
  CHECK_MESSAGE(tested.exit_code == 0, tested.out);

  // With it in the pack, scan names it as the root cause of one incident.
  auto scanned = run_command({kBinary, "scan", "--json", "--rules", pack.string(), kScenario});
  CHECK(scanned.exit_code == 1);
  auto incidents = nlohmann::json::parse(scanned.out)["incidents"];
  REQUIRE(incidents.size() == 1);
  CHECK(incidents[0]["root_cause"]["rule"] == rule.id);
  CHECK(incidents[0]["service"] == "ledger-sync");
  CHECK(incidents[0]["suspect_lines"].empty());

  // Nothing left to draft once the rule knows the failure.
  auto again = run_command({kBinary, "rules", "suggest", "--rules", pack.string(), kScenario});
  CHECK(again.exit_code == 1);
  CHECK(again.out == "");
  CHECK(again.err.find("no incident without a known cause") != std::string::npos);
}

TEST_CASE("rules suggest: usage errors exit 2 with a message") {
  auto none = run_command({kBinary, "rules", "suggest"});
  CHECK(none.exit_code == 2);
  CHECK(none.err.find("no input") != std::string::npos);
  auto bad = run_command({kBinary, "rules", "suggest", "--format", "yaml", kScenario});
  CHECK(bad.exit_code == 2);
  auto help = run_command({kBinary, "rules", "suggest", "--help"});
  CHECK(help.exit_code == 0);
  CHECK(help.out.find("suggest") != std::string::npos);
}
