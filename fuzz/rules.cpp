// Fuzz target: RuleSet::load_text on YAML rule packs (rules/rule_set.h), the
// loader behind `faultline rules check`, `--rules` and reloads, with the bundled
// lookup tables; and the same input read as a lookup table (rules/lookup_table.h).
//
// Checks: load_text never throws; it returns a set exactly when it reports no
// problem; every problem describes itself. When the pack loads, its own
// examples and every line of the input are matched, with the literal prefilter
// and without it: the prefilter may only skip records no rule matches, so both
// must give the same events (rule_set.h).
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "fuzz/fuzz_support.h"
#include "parsers/utf8.h"
#include "rules/lookup_table.h"
#include "rules/rule_set.h"

namespace {

using faultline::Event;
using faultline::LogRecord;
using faultline::RuleProblem;
using faultline::RuleSet;
using faultline::fuzz::require;

std::string events_text(const std::vector<Event>& events) {
  std::string out;
  for (const Event& e : events) {
    out += e.rule_id + "|" + e.summary + "|" + e.hint + "|" + e.sample;
    for (const auto& [name, value] : e.captures) out += "|" + name + "=" + value;
    out += "\n";
  }
  return out;
}

// The bundled tables as (origin, text), read once.
const std::vector<std::pair<std::string, std::string>>& bundled_tables() {
  static const auto tables = [] {
    std::vector<std::pair<std::string, std::string>> out;
    std::error_code error;
    for (std::filesystem::directory_iterator it(FAULTLINE_FUZZ_RULES, error), end; !error && it != end;
         it.increment(error)) {
      if (!it->path().filename().string().ends_with(".table.yaml")) continue;
      std::ifstream in(it->path());
      std::ostringstream text;
      text << in.rdbuf();
      out.emplace_back(it->path().string(), text.str());
    }
    return out;
  }();
  return tables;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string yaml(faultline::fuzz::bytes(data, size));
  std::vector<RuleProblem> table_problems;
  auto table = faultline::read_lookup_table(yaml, "fuzz_table.yaml", table_problems);
  require((table == nullptr) == !table_problems.empty(), "read_lookup_table: a result and its problems disagree");
  for (const RuleProblem& p : table_problems) (void)p.describe();
  if (table)
    for (const auto& [key, values] : table->entries)
      require(table->find(key) == &values, "a table does not find its own key");

  std::vector<RuleProblem> problems;
  auto rules = RuleSet::load_text(yaml, "fuzz.yaml", problems, {}, bundled_tables());
  require((rules == nullptr) == !problems.empty(), "load_text: a result and its problems disagree");
  for (const RuleProblem& p : problems) (void)p.describe();
  if (!rules) return 0;

  faultline::RuleSetOptions no_prefilter;
  no_prefilter.prefilter = false;
  std::vector<RuleProblem> again;
  auto plain = RuleSet::load_text(yaml, "fuzz.yaml", again, no_prefilter, bundled_tables());
  require(plain != nullptr, "a pack that loads with the prefilter does not load without it");

  std::vector<std::string> texts;
  for (const faultline::Rule& rule : rules->rules()) {
    texts.insert(texts.end(), rule.examples_match.begin(), rule.examples_match.end());
    texts.insert(texts.end(), rule.examples_no_match.begin(), rule.examples_no_match.end());
  }
  std::string_view rest = yaml;
  while (!rest.empty()) {
    size_t nl = rest.find('\n');
    std::string line(rest.substr(0, nl));
    if (faultline::find_invalid_utf8(line) == std::string::npos) texts.push_back(std::move(line));
    if (nl == std::string_view::npos) break;
    rest.remove_prefix(nl + 1);
  }
  std::vector<Event> with, without;
  for (const std::string& text : texts) {
    LogRecord record;
    record.text = text;
    record.severity = "ERROR";
    record.stream = "stderr";
    record.resource_type = "cloud_run_revision";
    with.clear();
    without.clear();
    rules->match(record, with);
    plain->match(record, without);
    require(events_text(with) == events_text(without),
            "the prefilter changed what matched: " + faultline::printable_excerpt(text));
  }
  return 0;
}
