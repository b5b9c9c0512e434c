// Test support: the corpus failure scenarios, and what must agree between live
// ingest and `faultline scan` replaying the same file.
#pragma once

#include <algorithm>
#include <filesystem>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tests/server/daemon_process.h"
#include "tests/support/subprocess.h"

namespace faultline::testing {

inline std::vector<std::string> scenario_files() {
  std::vector<std::string> files;
  for (const auto& entry : std::filesystem::directory_iterator(std::string(FAULTLINE_CORPUS) + "/failures"))
    if (entry.path().extension() == ".ndjson") files.push_back(entry.path().string());
  std::sort(files.begin(), files.end());
  return files;
}

// Every line index twice, shuffled, as Pub/Sub may redeliver and reorder; the
// order is fixed per scenario name, so a failure can be rerun.
inline std::vector<size_t> deliveries_twice(size_t lines, const std::string& name, std::mt19937& random) {
  std::vector<size_t> deliveries;
  for (size_t i = 0; i < lines; ++i) deliveries.insert(deliveries.end(), {i, i});
  random.seed(static_cast<unsigned>(std::hash<std::string>{}(name)));
  std::shuffle(deliveries.begin(), deliveries.end(), random);
  return deliveries;
}

// What must agree between live ingest and replay: who, why, how bad, and where it stands.
inline nlohmann::json projection(const nlohmann::json& incident) {
  return {{"service", incident.value("service", "")},
          {"rule", incident["root_cause"].value("rule", "")},
          {"captures", incident["root_cause"].value("captures", nlohmann::json::object())},
          {"crash_loop", incident.value("crash_loop", false)},
          {"exits", incident.value("exits", -1)},
          {"state", incident.value("state", "")}};
}

inline std::vector<std::string> projections(const nlohmann::json& incidents) {
  std::vector<std::string> out;
  for (const auto& incident : incidents) out.push_back(projection(incident).dump());
  std::sort(out.begin(), out.end());
  return out;
}

inline std::optional<nlohmann::json> scan_incidents(const std::string& file) {
  RunResult scan = run_command({FAULTLINE_BINARY, "scan", "--json", "--rules", rules_dir(), file});
  if (scan.exit_code != 0 && scan.exit_code != 1) return std::nullopt;
  auto json = nlohmann::json::parse(scan.out, nullptr, false);
  if (json.is_discarded() || !json.contains("incidents")) return std::nullopt;
  return json["incidents"];
}

}  // namespace faultline::testing
