#include <doctest/doctest.h>

#include <re2/re2.h>

#include "rules/rule_set.h"
#include "suggest/rule_draft.h"

using namespace faultline;

namespace {

SuspectLine suspect(std::string instance, std::string line, int count = 1) {
  SuspectLine s;
  s.instance = std::move(instance);
  s.line = std::move(line);
  s.count = count;
  return s;
}

DraftSource ledger_source() {
  DraftSource source;
  source.incident_id = "0123456789abcdef";
  source.service = "ledger-worker";
  source.suspects = {
      suspect("ledger-worker-a", "FATAL: ledger shard 7 checksum mismatch at offset 81920", 2),
      suspect("ledger-worker-b", "FATAL: ledger shard 12 checksum mismatch at offset 4096"),
      suspect("ledger-worker-c", "ERROR retrying upstream fetch"),
      suspect("ledger-worker-c", "FATAL: ledger shard 3 checksum mismatch at offset 77"),
  };
  source.service_lines = {"ledger-worker 3.4.1 starting (build 5e1c2a9)", "loading settings from /etc/ledger/settings.toml",
                          "FATAL: ledger shard 7 checksum mismatch at offset 81920"};
  return source;
}

}  // namespace

TEST_CASE("a draft from three instances' fatal lines is a cause rule that loads and matches each of them") {
  const RuleDraft draft = draft_rule(ledger_source());
  REQUIRE_MESSAGE(draft.ok(), draft.error);
  CHECK(draft.rule_id == "ledger_worker_shard_checksum_mismatch_offset");
  CHECK(draft.pattern == R"(FATAL: ledger shard (?P<shard>\d+) checksum mismatch at offset (?P<offset>\d+))");
  CHECK(draft.instances == 3);
  CHECK(draft.instances_total == 3);
  CHECK(draft.crashes == 4);

  std::vector<RuleProblem> problems;
  auto rules = RuleSet::load_text(draft.yaml, "draft.yaml", problems);
  REQUIRE(rules);
  REQUIRE(rules->rules().size() == 1);
  const Rule& rule = rules->rules()[0];
  CHECK(rule.kind == RuleKind::cause);
  CHECK(rule.summary == "FATAL: ledger shard {shard} checksum mismatch at offset {offset}");
  CHECK(rule.hint.find("Drafted from 3 lines that 3 instances of ledger-worker printed before 4 crashes") == 0);
  CHECK(rule.examples_match.size() == 3);
  // Lines of the service that did not precede a crash; the fatal line itself is not one.
  CHECK(rule.examples_no_match ==
        std::vector<std::string>{"ledger-worker 3.4.1 starting (build 5e1c2a9)", "loading settings from /etc/ledger/settings.toml"});
  CHECK(draft.yaml.find("# Drafted by faultline rules suggest from incident 0123456789abcdef") == 0);

  LogRecord record;
  record.text = "FATAL: ledger shard 99 checksum mismatch at offset 5";
  std::vector<Event> events;
  rules->match(record, events);
  REQUIRE(events.size() == 1);
  CHECK(events[0].summary == "FATAL: ledger shard 99 checksum mismatch at offset 5");
  CHECK(events[0].capture("shard") == "99");
}

TEST_CASE("regex metacharacters, braces and quotes in a line stay literal in the pattern and the summary") {
  DraftSource source;
  source.service = "Billing API";
  source.suspects = {suspect("a", R"(panic: bad config {"mode": "x"} (path=/srv/a.yml) [retry? no] $HOME\bin)"),
                     suspect("b", R"(panic: bad config {"mode": "y"} (path=/srv/b.yml) [retry? no] $HOME\bin)")};
  const RuleDraft draft = draft_rule(source);
  REQUIRE_MESSAGE(draft.ok(), draft.error);
  CHECK(draft.rule_id.rfind("billing_api_", 0) == 0);
  std::vector<RuleProblem> problems;
  auto rules = RuleSet::load_text(draft.yaml, "draft.yaml", problems);
  REQUIRE(rules);
  CHECK(rules->rules()[0].summary.find("{{") != std::string::npos);
  CHECK(RE2::PartialMatch(R"(panic: bad config {"mode": "zz"} (path=/srv/c.yml) [retry? no] $HOME\bin)", *rules->rules()[0].regex));
  CHECK_FALSE(RE2::PartialMatch("panic: bad config", *rules->rules()[0].regex));
}

TEST_CASE("a capture whose name would join the fingerprint is renamed, so one failure stays one incident") {
  DraftSource source;
  source.service = "api";
  source.suspects = {suspect("a", "bind failed on port 8080"), suspect("b", "bind failed on port 9090")};
  const RuleDraft draft = draft_rule(source);
  REQUIRE_MESSAGE(draft.ok(), draft.error);
  CHECK(draft.pattern.find("(?P<port_value>") != std::string::npos);
}

TEST_CASE("no draft, with the reason, for lines without a constant word or an incident with a known cause") {
  DraftSource source;
  source.service = "api";
  source.suspects = {suspect("a", "42"), suspect("b", "17 !")};
  RuleDraft draft = draft_rule(source);
  CHECK_FALSE(draft.ok());
  CHECK(draft.yaml.empty());
  CHECK(draft.error.find("no constant word") != std::string::npos);

  Incident known;
  known.id = "abc";
  known.root_cause.rule = "python_module_not_found";
  draft = draft_rule(known, {});
  CHECK(draft.error == "incident abc has a known cause: rule python_module_not_found");

  Incident quiet;
  quiet.id = "def";
  quiet.root_cause.rule = "generic_exit";
  draft = draft_rule(quiet, {});
  CHECK(draft.error.find("kept no suspect lines") != std::string::npos);
}
