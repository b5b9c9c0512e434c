#include "rules/hint.h"

#include <memory>

#include <re2/re2.h>

#include "rules/lookup_table.h"
#include "rules/rule_loader.h"
#include "rules/template.h"

namespace faultline {
namespace {

bool is_name_start(char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_'; }
bool is_name_char(char c) { return is_name_start(c) || (c >= '0' && c <= '9'); }

// Length of a "{name}" reference at pattern[pos] == '{', or 0.
size_t reference_length(std::string_view pattern, size_t pos) {
  if (pos >= 2 && pattern[pos - 2] == '\\' && (pattern[pos - 1] == 'p' || pattern[pos - 1] == 'P')) return 0;
  size_t end = pos + 1;
  if (end >= pattern.size() || !is_name_start(pattern[end])) return 0;
  while (end < pattern.size() && is_name_char(pattern[end])) ++end;
  if (end >= pattern.size() || pattern[end] != '}') return 0;
  return end - pos + 1;
}

const std::string* value_of(const Captures& captures, std::string_view name) {
  for (const auto& [key, value] : captures)
    if (key == name) return &value;
  return nullptr;
}

void add(Captures& captures, const std::string& name, std::string value) {
  if (value.empty() || value_of(captures, name)) return;  // the first value found stays
  captures.emplace_back(name, std::move(value));
}

// The pattern with every reference replaced by its capture, RE2-quoted; false
// when a referenced capture is absent.
bool expand(std::string_view pattern, const Captures& captures, std::string& out) {
  for (size_t pos = 0; pos < pattern.size(); ++pos) {
    if (pattern[pos] == '\\' && pos + 1 < pattern.size()) {
      out += pattern.substr(pos, 2);
      ++pos;
      continue;
    }
    const size_t length = pattern[pos] == '{' ? reference_length(pattern, pos) : 0;
    if (length == 0) {
      out += pattern[pos];
      continue;
    }
    const std::string* value = value_of(captures, pattern.substr(pos + 1, length - 2));
    if (!value || value->empty()) return false;
    out += RE2::QuoteMeta(*value);
    pos += length - 1;
  }
  return true;
}

void search_context(const Rule& rule, const ContextPattern& context, std::string_view text, Captures& captures) {
  std::shared_ptr<const RE2> regex = context.regex;
  if (!regex) {
    std::string expanded;
    if (!expand(context.pattern, captures, expanded)) return;
    // Same budget and options as the rule's own patterns (never across lines).
    regex = std::make_shared<const RE2>(expanded, rule_regex_options(int64_t{8} << 20));
    if (!regex->ok()) return;
  }
  std::vector<re2::StringPiece> groups(context.capture_names.size() + 1), found;
  size_t from = 0;
  while (find_line_match(*regex, context.unless_regex.get(), text, from, groups)) {
    found = groups;
    if (!context.last) break;
    const size_t end = static_cast<size_t>(groups[0].data() - text.data()) + groups[0].size();
    from = groups[0].empty() ? end + 1 : end;
  }
  if (found.empty()) return;
  for (size_t i = 0; i < context.capture_names.size(); ++i) {
    const std::string& name = context.capture_names[i];
    if (name.empty() || found[i + 1].data() == nullptr) continue;
    add(captures, name, rewritten(rule, name, std::string(found[i + 1].data(), found[i + 1].size())));
  }
}

}  // namespace

std::vector<std::string> context_references(std::string_view pattern) {
  std::vector<std::string> names;
  for (size_t pos = 0; pos < pattern.size(); ++pos) {
    if (pattern[pos] == '\\') {
      ++pos;
      continue;
    }
    const size_t length = pattern[pos] == '{' ? reference_length(pattern, pos) : 0;
    if (length == 0) continue;
    names.emplace_back(pattern.substr(pos + 1, length - 2));
    pos += length - 1;
  }
  return names;
}

Captures hint_captures(const Rule& rule, std::string_view text, Captures captures) {
  for (const ContextPattern& context : rule.context) search_context(rule, context, text, captures);
  for (const Lookup& lookup : rule.lookups) {
    const std::string* key = value_of(captures, lookup.key);
    if (!key || !lookup.table) continue;
    const std::vector<std::string>* values = lookup.table->find(*key);
    if (!values) continue;
    if (lookup.table->fields.empty()) {
      add(captures, lookup.as, values->front());
      continue;
    }
    for (size_t i = 0; i < lookup.table->fields.size() && i < values->size(); ++i)
      add(captures, lookup.as + "_" + lookup.table->fields[i], (*values)[i]);
  }
  return captures;
}

std::string render_hint(const Rule& rule, std::string_view text, const Captures& captures, bool* decided) {
  if (decided) *decided = false;
  if (rule.context.empty() && rule.lookups.empty() && rule.hints.empty())
    return render_template(rule.hint, captures);
  const Captures all = hint_captures(rule, text, captures);
  for (const HintVariant& variant : rule.hints) {
    bool holds = true;
    for (const std::string& name : variant.when) {
      const std::string* value = value_of(all, name);
      holds = holds && value && !value->empty();
    }
    if (!holds) continue;
    if (decided) *decided = true;
    return render_template(variant.hint, all);
  }
  return render_template(rule.hint, all);
}

}  // namespace faultline
