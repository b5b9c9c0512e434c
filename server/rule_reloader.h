// RuleReloader: SIGHUP and POST /-/reload. Loads the configured rule path
// again; a valid pack is swapped into the pipeline (incidents and open windows
// stay: events already carry what they need), an invalid one leaves the old
// rules in force, logs why and sets faultline_config_last_reload_successful 0.
// Thread-safe; reloads are serialised. Blocking (reads files, compiles RE2):
// call it from a worker, not an I/O thread.
#pragma once

#include <cstddef>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "incidents/pipeline.h"
#include "rules/rule_set.h"
#include "server/log.h"
#include "server/metrics.h"

namespace faultline {

struct ReloadOutcome {
  bool ok = false;
  size_t rules = 0;  // rules in force afterwards (the old count when it failed)
  std::vector<RuleProblem> problems;
};

class RuleReloader {
 public:
  RuleReloader(std::string path, Pipeline& pipeline, Metrics& metrics, Logger& log);
  // `trigger` names the cause in the log line: "SIGHUP" or "api".
  ReloadOutcome reload(std::string_view trigger);
  const std::string& path() const { return path_; }

 private:
  std::string path_;
  Pipeline& pipeline_;
  Metrics& metrics_;
  Logger& log_;
  std::mutex mutex_;
};

}  // namespace faultline
