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

bool find_line_match(const RE2& regex, const RE2* unless, std::string_view text, size_t from,
                     std::vector<re2::StringPiece>& groups) {
  const re2::StringPiece all(text.data(), text.size());
  while (from <= text.size()) {
    // The whole text stays the context, so ^, $ and \b see the real neighbours.
    if (!regex.Match(all, from, text.size(), RE2::UNANCHORED, groups.data(), static_cast<int>(groups.size())))
      return false;
    if (!unless) return true;
    const size_t at = static_cast<size_t>(groups[0].data() - text.data());
    const size_t newline_before = at == 0 ? std::string_view::npos : text.rfind('\n', at - 1);
    const size_t begin = newline_before == std::string_view::npos ? 0 : newline_before + 1;
    size_t end = text.find('\n', at);
    if (end == std::string_view::npos) end = text.size();
    if (!RE2::PartialMatch(re2::StringPiece(text.data() + begin, end - begin), *unless)) return true;
    from = end + 1;  // that line does not count: the next one may
  }
  groups.assign(groups.size(), re2::StringPiece());
  return false;
}

bool find_match(const Rule& rule, std::string_view text, std::vector<re2::StringPiece>& groups) {
  groups.assign(rule.capture_names.size() + 1, re2::StringPiece());
  if (!rule.regex) return false;
  if (find_line_match(*rule.regex, rule.unless_regex.get(), text, 0, groups)) return true;
  groups.assign(groups.size(), re2::StringPiece());
  return false;
}

std::string rewritten(const Rule& rule, const std::string& name, std::string value) {
  for (const CaptureRewrite& rewrite : rule.rewrites) {
    if (rewrite.capture != name) continue;
    for (const auto& [from, to] : rewrite.replacements) {
      for (size_t at = value.find(from); at != std::string::npos; at = value.find(from, at + to.size()))
        value.replace(at, from.size(), to);
    }
  }
  return value;
}

std::vector<std::pair<std::string, std::string>> captures_of(const Rule& rule,
                                                             const std::vector<re2::StringPiece>& groups) {
  std::vector<std::pair<std::string, std::string>> captures;
  for (size_t i = 0; i < rule.capture_names.size() && i + 1 < groups.size(); ++i) {
    const std::string& name = rule.capture_names[i];
    const re2::StringPiece& group = groups[i + 1];
    if (name.empty() || group.data() == nullptr) continue;
    bool known = false;
    for (const auto& capture : captures) known = known || capture.first == name;
    if (known) continue;  // a repeated name: the first of its groups that took part
    std::string value = rewritten(rule, name, std::string(group.data(), group.size()));
    captures.emplace_back(name, std::move(value));
  }
  return captures;
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
