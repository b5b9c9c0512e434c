#include "rules/rule.h"

#include <array>
#include <utility>

namespace faultline {
namespace {

constexpr std::array<std::pair<RuleKind, std::string_view>, 5> kKinds{{
    {RuleKind::cause, "cause"},
    {RuleKind::effect, "effect"},
    {RuleKind::exit, "exit"},
    {RuleKind::loop, "loop"},
    {RuleKind::recovery, "recovery"},
}};

constexpr std::array<std::pair<Severity, std::string_view>, 3> kSeverities{{
    {Severity::info, "info"},
    {Severity::warning, "warning"},
    {Severity::critical, "critical"},
}};

}  // namespace

std::string_view to_string(RuleKind kind) {
  for (const auto& [value, name] : kKinds)
    if (value == kind) return name;
  return "cause";
}

std::string_view to_string(Severity severity) {
  for (const auto& [value, name] : kSeverities)
    if (value == severity) return name;
  return "warning";
}

bool parse_rule_kind(std::string_view text, RuleKind& out) {
  for (const auto& [value, name] : kKinds) {
    if (name == text) {
      out = value;
      return true;
    }
  }
  return false;
}

bool parse_severity(std::string_view text, Severity& out) {
  for (const auto& [value, name] : kSeverities) {
    if (name == text) {
      out = value;
      return true;
    }
  }
  return false;
}

}  // namespace faultline
