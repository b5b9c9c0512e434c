#include "incidents/incident_expectation.h"

#include <algorithm>
#include <vector>

namespace faultline {
namespace {

std::string as_text(const nlohmann::json& value) {
  if (value.is_string()) return value.get<std::string>();
  return value.dump();
}

// The actions of `history`, in order.
nlohmann::json history_actions(const nlohmann::json& actual) {
  nlohmann::json actions = nlohmann::json::array();
  for (const auto& entry : actual.value("history", nlohmann::json::array())) actions.push_back(entry.value("action", ""));
  return actions;
}

// Whether `want` (actions) appears in `actions` in that order, not necessarily adjacent.
bool is_subsequence(const nlohmann::json& want, const nlohmann::json& actions) {
  size_t next = 0;
  for (const auto& action : actions)
    if (next < want.size() && action == want[next]) ++next;
  return next == want.size();
}

// Why `actual` does not satisfy `expected`, or "" when it does.
std::string mismatch(const nlohmann::json& expected, const nlohmann::json& actual) {
  const nlohmann::json cause = actual.value("root_cause", nlohmann::json::object());
  for (const auto& [field, want] : expected.items()) {
    if (want.is_null()) continue;
    nlohmann::json got;
    if (field == "history") {
      got = history_actions(actual);
      if (!want.is_array() || !is_subsequence(want, got)) return field + ": expected " + want.dump() + " in order, got " + got.dump();
      continue;
    }
    if (field == "suspect_line") {  // a piece of text some suspect line holds
      const nlohmann::json lines = actual.value("suspect_lines", nlohmann::json::array());
      // Not `want` in the lambda: clang before 16 cannot capture a structured binding.
      const std::string text = want.get<std::string>();
      const bool found = std::any_of(lines.begin(), lines.end(), [&text](const nlohmann::json& s) {
        return s.value("line", "").find(text) != std::string::npos;
      });
      if (!found) return field + ": expected a suspect line with " + want.dump() + ", got " + lines.dump();
      continue;
    }
    if (field == "root_cause") got = cause.value("rule", "");
    else if (field == "revision" || field == "first_revision") got = actual.value("first_revision", nlohmann::json());
    else if (field == "module" || field == "name" || field == "class" || field == "library" || field == "port")
      got = cause.value(field, nlohmann::json());
    else if (field == "exit_code") got = cause.value("code", nlohmann::json());
    else if (field == "bad_deploy" || field == "previous_revision" || field == "previous_healthy" || field == "rollback_hint" ||
             field == "new_line") {
      const nlohmann::json deploy = actual.value("deploy", nlohmann::json());
      got = deploy.is_object() ? deploy.value(field, nlohmann::json()) : nlohmann::json();
    }
    else got = actual.value(field, nlohmann::json());
    if (as_text(got) != as_text(want)) return field + ": expected " + as_text(want) + ", got " + as_text(got);
  }
  return "";
}

}  // namespace

std::string compare_incidents(const nlohmann::json& expected, const nlohmann::json& actual) {
  std::string report;
  std::vector<bool> used(actual.size(), false);
  for (const auto& want : expected) {
    std::string closest;
    bool found = false;
    for (size_t i = 0; i < actual.size() && !found; ++i) {
      if (used[i]) continue;
      std::string why = mismatch(want, actual[i]);
      if (why.empty()) found = used[i] = true;
      else if (closest.empty() || actual[i].value("service", "") == want.value("service", "")) closest = why;
    }
    if (!found) report += "missing " + want.dump() + (closest.empty() ? "" : " (closest: " + closest + ")") + "\n";
  }
  for (size_t i = 0; i < actual.size(); ++i)
    if (!used[i])
      report += "unexpected incident " + actual[i].value("service", "") + " " +
                actual[i].value("root_cause", nlohmann::json::object()).value("rule", "") + " (" + actual[i].value("summary", "") + ")\n";
  return report;
}

}  // namespace faultline
