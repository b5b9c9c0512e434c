#include "server/rule_reloader.h"

namespace faultline {

RuleReloader::RuleReloader(std::string path, Pipeline& pipeline, Metrics& metrics, Logger& log)
    : path_(std::move(path)), pipeline_(pipeline), metrics_(metrics), log_(log) {}

ReloadOutcome RuleReloader::reload(std::string_view trigger) {
  std::lock_guard lock(mutex_);
  ReloadOutcome outcome;
  auto rules = RuleSet::load(path_, outcome.problems);
  if (!rules) {
    outcome.rules = pipeline_.rules()->rules().size();
    metrics_.reload_result(false);
    std::string first = outcome.problems.empty() ? "no rules" : outcome.problems.front().describe();
    log_.warn("rules", "reload failed, keeping the old rules",
              {{"trigger", trigger}, {"rules", path_}, {"problems", outcome.problems.size()},
               {"first", first}, {"rules_loaded", outcome.rules}});
    for (const RuleProblem& problem : outcome.problems)
      log_.debug("rules", "reload problem", {{"problem", problem.describe()}});
    return outcome;
  }
  outcome.ok = true;
  outcome.rules = rules->rules().size();
  pipeline_.set_rules(std::move(rules));
  metrics_.rules_loaded(outcome.rules);
  metrics_.reload_result(true);
  log_.info("rules", "reloaded", {{"trigger", trigger}, {"rules", path_}, {"rules_loaded", outcome.rules}});
  return outcome;
}

}  // namespace faultline
