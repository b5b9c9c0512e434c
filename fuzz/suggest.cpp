// Fuzz target: rule suggestion (suggest/template_miner.h, suggest/rule_draft.h)
// on arbitrary log text, which is what suspect lines are.
//
// Each input line is a suspect line of one of four instances, every third one
// a line of the service that did not precede a crash. Checks: mining and
// drafting never throw or crash; a draft is given exactly when no error is;
// a draft always loads as a pack of one cause rule with no problem, and that
// rule matches every line it gives as a match example.
#include <string>
#include <vector>

#include "fuzz/fuzz_support.h"
#include "rules/rule_set.h"
#include "suggest/rule_draft.h"
#include "suggest/template_miner.h"

using faultline::fuzz::require;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view rest = faultline::fuzz::bytes(data, size);
  faultline::DraftSource source;
  source.service = "fuzz-service";
  faultline::TemplateMiner miner;
  for (size_t n = 0; !rest.empty(); ++n) {
    const size_t nl = rest.find('\n');
    std::string line(rest.substr(0, nl));
    rest = nl == std::string_view::npos ? std::string_view() : rest.substr(nl + 1);
    miner.add(line, "i" + std::to_string(n % 4));
    if (n % 3 == 2) {
      source.service_lines.push_back(std::move(line));
      continue;
    }
    faultline::SuspectLine suspect;
    suspect.instance = "i" + std::to_string(n % 4);
    suspect.line = std::move(line);
    suspect.count = static_cast<int>(n % 3) + 1;
    source.suspects.push_back(std::move(suspect));
  }
  for (const faultline::LogTemplate& t : miner.templates()) (void)t.describe();

  const faultline::RuleDraft draft = faultline::draft_rule(source);
  require(draft.ok() == !draft.yaml.empty(), "a draft and its error disagree: " + draft.error);
  if (!draft.ok()) return 0;
  std::vector<faultline::RuleProblem> problems;
  auto rules = faultline::RuleSet::load_text(draft.yaml, "draft.yaml", problems);
  std::string why;
  for (const auto& p : problems) why += p.describe() + "\n";
  require(rules != nullptr, "the draft does not load:\n" + why + draft.yaml);
  require(rules->rules().size() == 1 && rules->rules()[0].kind == faultline::RuleKind::cause,
          "the draft is not one cause rule:\n" + draft.yaml);
  const faultline::Rule& rule = rules->rules()[0];
  require(!rule.examples_match.empty(), "the draft has no match example");
  std::vector<re2::StringPiece> groups;
  for (const std::string& example : rule.examples_match)
    require(faultline::find_match(rule, example, groups), "the draft misses its own example: " + example);
  return 0;
}
