#include "rules/rule_loader.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <exception>
#include <set>
#include <string_view>

#include <yaml-cpp/yaml.h>

#include "rules/hint.h"
#include "rules/lookup_table.h"
#include "rules/template.h"

namespace faultline {
namespace {

constexpr std::array<std::string_view, 15> kRuleKeys{"id",       "kind",    "pattern",    "severity", "summary",
                                                    "hint",     "hints",   "terminates", "match",    "examples",
                                                    "unless",   "fallback", "rewrite",   "context",  "lookup"};
constexpr std::array<std::string_view, 3> kContextKeys{"pattern", "pick", "unless"};
constexpr std::array<std::string_view, 3> kLookupKeys{"table", "key", "as"};
constexpr std::array<std::string_view, 2> kHintKeys{"when", "hint"};
constexpr std::array<std::string_view, 3> kMatchKeys{"severity", "stream", "resource_type"};
constexpr std::array<std::string_view, 2> kExampleKeys{"match", "no_match"};
// LogEntry severities (google.logging.type.LogSeverity), so that a typo in a
// `match: {severity: [...]}` filter is caught instead of silently never matching.
constexpr std::array<std::string_view, 9> kLogSeverities{
    "DEFAULT", "DEBUG", "INFO", "NOTICE", "WARNING", "ERROR", "CRITICAL", "ALERT", "EMERGENCY"};

size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

// "unknown key 'sevrity' (did you mean 'severity'?)", with the known keys when nothing is close.
template <size_t N>
std::string unknown_key_message(std::string_view key, const std::array<std::string_view, N>& known) {
  std::string message = "unknown key '" + std::string(key) + "'";
  std::string_view best;
  size_t best_distance = 3;
  for (std::string_view candidate : known) {
    const size_t d = edit_distance(key, candidate);
    if (d < best_distance) {
      best_distance = d;
      best = candidate;
    }
  }
  if (!best.empty()) return message + " (did you mean '" + std::string(best) + "'?)";
  message += " (known keys:";
  for (std::string_view candidate : known) message += " " + std::string(candidate);
  return message + ")";
}

template <size_t N>
bool contains(const std::array<std::string_view, N>& known, std::string_view key) {
  return std::find(known.begin(), known.end(), key) != known.end();
}

bool is_snake_case(std::string_view id) {
  if (id.empty() || !(id[0] >= 'a' && id[0] <= 'z')) return false;
  char previous = id[0];
  for (char c : id.substr(1)) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
    if (!ok || (c == '_' && previous == '_')) return false;
    previous = c;
  }
  return previous != '_';
}

std::string quoted(std::string_view text) {
  constexpr size_t kMax = 120;
  std::string out = "\"";
  for (char c : text.substr(0, kMax)) {
    if (c == '\n') out += "\\n";
    else if (c == '"') out += "\\\"";
    else out += c;
  }
  if (text.size() > kMax) out += "…";
  return out + "\"";
}

// RE2 refuses a capture name given to two groups, but a rule may name one group
// per alternative the same ("(?:A (?P<class>x)|(?P<class>y) B)"). Returns the
// pattern with each repeat renamed to a fresh name, and fills `original` with
// fresh name -> written name. Groups are "(?P<" outside a character class and
// not escaped; \Q…\E quotes are skipped.
std::string rename_repeated_groups(const std::string& pattern, std::map<std::string, std::string>& original) {
  struct Group {
    size_t name_begin, name_end;
  };
  std::vector<Group> groups;
  bool in_class = false;
  for (size_t i = 0; i < pattern.size(); ++i) {
    const char c = pattern[i];
    if (c == '\\') {
      if (i + 1 < pattern.size() && pattern[i + 1] == 'Q') {
        const size_t end = pattern.find("\\E", i + 2);
        if (end == std::string::npos) break;
        i = end + 1;
      } else {
        ++i;
      }
      continue;
    }
    if (in_class) {
      if (c == ']') in_class = false;
      continue;
    }
    if (c == '[') {
      in_class = true;
      // A ']' right after '[' or '[^' is a literal member, not the end.
      if (i + 1 < pattern.size() && pattern[i + 1] == '^') ++i;
      if (i + 1 < pattern.size() && pattern[i + 1] == ']') ++i;
      continue;
    }
    if (pattern.compare(i, 4, "(?P<") != 0) continue;
    const size_t end = pattern.find('>', i + 4);
    if (end == std::string::npos) break;
    groups.push_back(Group{i + 4, end});
  }
  std::set<std::string> used;
  for (const Group& g : groups) used.insert(pattern.substr(g.name_begin, g.name_end - g.name_begin));
  std::set<std::string> seen;
  std::string out;
  size_t copied = 0;
  for (const Group& g : groups) {
    const std::string name = pattern.substr(g.name_begin, g.name_end - g.name_begin);
    if (seen.insert(name).second) continue;
    std::string fresh;
    for (int n = 2; fresh.empty() || used.count(fresh); ++n) fresh = name + "__" + std::to_string(n);
    used.insert(fresh);
    original[fresh] = name;
    out.append(pattern, copied, g.name_begin - copied);
    out += fresh;
    copied = g.name_end;
  }
  out.append(pattern, copied, std::string::npos);
  return out;
}

// A missing key's node is invalid and Mark() would throw on it.
int line_of(const YAML::Node& node, int fallback) {
  if (!node.IsDefined()) return fallback;
  const YAML::Mark mark = node.Mark();
  return mark.line >= 0 ? mark.line + 1 : fallback;
}

// Parses one rule map; reports through `report` and keeps what it could read.
class RuleReader {
 public:
  RuleReader(const std::string& origin, std::vector<RuleProblem>& problems, int64_t max_mem,
             const LookupTables& tables)
      : origin_(origin), problems_(problems), max_mem_(max_mem), tables_(tables) {}

  // Returns true when the rule is valid; `rule` is filled either way.
  bool read(const YAML::Node& node, Rule& rule) {
    ok_ = true;
    rule.file = origin_;
    rule.line = line_of(node, 0);
    line_ = rule.line;
    if (!node.IsMap()) {
      report(rule.line, "each entry of `rules` must be a map (id: …, kind: …, pattern: …)");
      return false;
    }
    // The id first, so that every later problem names the rule.
    if (const YAML::Node id = node["id"]; id && id.IsScalar()) rule_id_ = id.Scalar();

    std::set<std::string> seen;
    // A default-constructed YAML::Node counts as defined (null), so presence is tracked apart.
    YAML::Node examples, match, rewrite, context, lookup, hints;
    bool has_examples = false, has_match = false, has_rewrite = false, has_context = false, has_lookup = false,
         has_hints = false;
    int fallback_line = 0;
    for (auto it = node.begin(); it != node.end(); ++it) {
      const int key_line = line_of(it->first, rule.line);
      if (!it->first.IsScalar()) {
        report(key_line, "keys must be plain names");
        continue;
      }
      const std::string key = it->first.Scalar();
      if (!seen.insert(key).second) {
        report(key_line, "key '" + key + "' is given twice");
        continue;
      }
      const YAML::Node value = it->second;
      if (!contains(kRuleKeys, key)) {
        report(key_line, unknown_key_message(key, kRuleKeys));
      } else if (key == "id") {
        read_id(value, rule);
      } else if (key == "kind") {
        std::string text;
        if (scalar(value, key, text) && !parse_rule_kind(text, rule.kind))
          report(line_of(value, key_line),
                 "kind: unknown kind '" + text + "' (expected cause, effect, exit, loop or recovery)");
      } else if (key == "severity") {
        std::string text;
        if (scalar(value, key, text) && !parse_severity(text, rule.severity))
          report(line_of(value, key_line),
                 "severity: unknown severity '" + text + "' (expected info, warning or critical)");
      } else if (key == "pattern") {
        if (scalar(value, key, rule.pattern) && rule.pattern.empty())
          report(line_of(value, key_line), "pattern: is empty");
      } else if (key == "summary") {
        if (scalar(value, key, rule.summary) && rule.summary.empty())
          report(line_of(value, key_line), "summary: is empty");
      } else if (key == "hint") {
        scalar(value, key, rule.hint);
      } else if (key == "terminates") {
        read_bool(value, key, rule.terminates);
      } else if (key == "fallback") {
        if (read_bool(value, key, rule.fallback) && rule.fallback)
          fallback_line = line_of(value, key_line);
      } else if (key == "unless") {
        if (scalar(value, key, rule.unless) && rule.unless.empty())
          report(line_of(value, key_line), "unless: is empty");
      } else if (key == "rewrite") {
        rewrite = value;
        has_rewrite = true;
      } else if (key == "context") {
        context = value;
        has_context = true;
      } else if (key == "lookup") {
        lookup = value;
        has_lookup = true;
      } else if (key == "hints") {
        hints = value;
        has_hints = true;
      } else if (key == "match") {
        match = value;
        has_match = true;
      } else if (key == "examples") {
        examples = value;
        has_examples = true;
      }
    }
    for (std::string_view required : {"id", "kind", "pattern", "severity", "summary"}) {
      if (!seen.count(std::string(required)))
        report(rule.line, "missing required key '" + std::string(required) + "'");
    }
    if (has_match) read_match(match, rule);
    compile(node, rule);
    compile_unless(node, rule);
    if (has_context) read_context(context, rule);
    if (has_rewrite) read_rewrite(rewrite, rule);
    if (has_lookup) read_lookups(lookup, rule);
    if (has_hints) read_hints(hints, rule);
    if (fallback_line > 0 && rule.kind != RuleKind::cause)
      report(fallback_line, "fallback: only a cause can be a fallback (this rule's kind is " +
                                std::string(to_string(rule.kind)) + "); a fallback cause gives way to any "
                                "other cause that fires on the same record");
    check_template(line_of(node["summary"], line_), "summary", rule.summary, rule, rule.capture_names);
    check_template(line_of(node["hint"], line_), "hint", rule.hint, rule, hint_names(rule));
    read_examples(has_examples, examples, rule);
    return ok_;
  }

  const std::string& rule_id() const { return rule_id_; }

 private:
  void report(int line, std::string message) {
    ok_ = false;
    problems_.push_back(RuleProblem{origin_, line, rule_id_, std::move(message)});
  }

  bool scalar(const YAML::Node& value, std::string_view key, std::string& out) {
    if (!value.IsScalar()) {
      report(line_of(value, line_), std::string(key) + ": must be a string");
      return false;
    }
    out = value.Scalar();
    return true;
  }

  bool read_bool(const YAML::Node& value, std::string_view key, bool& out) {
    try {
      if (value.IsScalar()) {
        out = value.as<bool>();
        return true;
      }
    } catch (const YAML::Exception&) {
    }
    report(line_of(value, line_), std::string(key) + ": must be true or false");
    return false;
  }

  void read_id(const YAML::Node& value, Rule& rule) {
    if (!scalar(value, "id", rule.id)) return;
    if (!is_snake_case(rule.id))
      report(line_of(value, line_), "id: '" + rule.id +
                                        "' is not snake_case (lower-case letters, digits and single "
                                        "underscores, starting with a letter); ids are metric labels");
  }

  bool string_list(const YAML::Node& value, std::string_view key, std::vector<std::string>& out) {
    if (value.IsScalar()) {
      out.push_back(value.Scalar());
      return true;
    }
    if (!value.IsSequence()) {
      report(line_of(value, line_), std::string(key) + ": must be a list of strings");
      return false;
    }
    bool all = true;
    for (const YAML::Node& item : value) {
      if (item.IsScalar()) {
        out.push_back(item.Scalar());
      } else {
        report(line_of(item, line_), std::string(key) + ": every item must be a string");
        all = false;
      }
    }
    return all;
  }

  void read_match(const YAML::Node& match, Rule& rule) {
    if (!match.IsMap()) {
      report(line_of(match, line_), "match: must be a map of filters (severity, stream, resource_type)");
      return;
    }
    for (auto it = match.begin(); it != match.end(); ++it) {
      const int key_line = line_of(it->first, line_);
      const std::string key = it->first.IsScalar() ? it->first.Scalar() : std::string();
      if (!contains(kMatchKeys, key)) {
        report(key_line, "match: " + unknown_key_message(key, kMatchKeys));
        continue;
      }
      std::vector<std::string>& target = key == "severity" ? rule.match_severity
                                         : key == "stream" ? rule.match_stream
                                                           : rule.match_resource_type;
      if (!string_list(it->second, "match." + key, target) || key != "severity") continue;
      for (const std::string& severity : target) {
        std::string upper = severity;
        for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
        if (!contains(kLogSeverities, upper))
          report(line_of(it->second, key_line),
                 "match.severity: '" + severity +
                     "' is not a LogEntry severity (DEFAULT, DEBUG, INFO, NOTICE, WARNING, ERROR, "
                     "CRITICAL, ALERT, EMERGENCY)");
      }
    }
  }

  void compile(const YAML::Node& node, Rule& rule) {
    if (rule.pattern.empty()) return;
    const int line = line_of(node["pattern"], line_);
    if (rule.pattern.find('\n') != std::string::npos) {
      report(line, "pattern: contains a line break; a pattern matches within one line (write it on one "
                   "line, e.g. as a `|-` block scalar of a single line)");
      return;
    }
    std::map<std::string, std::string> original;
    const std::string renamed = rename_repeated_groups(rule.pattern, original);
    auto regex = std::make_shared<const RE2>(renamed, rule_regex_options(max_mem_));
    if (!regex->ok()) {
      report(line, "pattern: " + regex->error());
      return;
    }
    if (RE2::PartialMatch("", *regex)) {
      report(line, "pattern: matches the empty text, so it would fire on every record");
      return;
    }
    rule.capture_names.assign(static_cast<size_t>(regex->NumberOfCapturingGroups()), std::string());
    for (const auto& [index, name] : regex->CapturingGroupNames()) {
      auto written = original.find(name);
      rule.capture_names[static_cast<size_t>(index - 1)] = written == original.end() ? name : written->second;
    }
    rule.regex = std::move(regex);
  }

  void compile_unless(const YAML::Node& node, Rule& rule) {
    if (rule.unless.empty()) return;
    const int line = line_of(node["unless"], line_);
    if (rule.unless.find('\n') != std::string::npos) {
      report(line, "unless: contains a line break; it is matched against one line");
      return;
    }
    auto regex = std::make_shared<const RE2>(rule.unless, rule_regex_options(max_mem_));
    if (!regex->ok()) {
      report(line, "unless: " + regex->error());
      return;
    }
    if (RE2::PartialMatch("", *regex)) {
      report(line, "unless: matches the empty text, so the rule would never fire");
      return;
    }
    rule.unless_regex = std::move(regex);
  }

  // rewrite: {capture: {from: to, ...}, ...}
  void read_rewrite(const YAML::Node& rewrite, Rule& rule) {
    const int line = line_of(rewrite, line_);
    if (!rewrite.IsMap()) {
      report(line, "rewrite: must be a map of capture name -> {from: to} literal replacements");
      return;
    }
    for (auto it = rewrite.begin(); it != rewrite.end(); ++it) {
      const int key_line = line_of(it->first, line);
      const std::string capture = it->first.IsScalar() ? it->first.Scalar() : std::string();
      const std::vector<std::string> names = hint_names(rule);
      if (rule.regex && std::find(names.begin(), names.end(), capture) == names.end()) {
        report(key_line, "rewrite: '" + capture + "' is not a capture of the pattern or of a context pattern");
        continue;
      }
      if (!it->second.IsMap() || it->second.size() == 0) {
        report(key_line, "rewrite." + capture + ": must be a map of literal replacements, e.g. {\"/\": \".\"}");
        continue;
      }
      CaptureRewrite entry{capture, {}};
      for (auto r = it->second.begin(); r != it->second.end(); ++r) {
        if (!r->first.IsScalar() || !r->second.IsScalar() || r->first.Scalar().empty()) {
          report(line_of(r->first, key_line),
                 "rewrite." + capture + ": each replacement maps a non-empty string to a string");
          continue;
        }
        entry.replacements.emplace_back(r->first.Scalar(), r->second.Scalar());
      }
      rule.rewrites.push_back(std::move(entry));
    }
  }

  // `known`: the names the template may use.
  void check_template(int line, std::string_view key, const std::string& text, const Rule& rule,
                      const std::vector<std::string>& known) {
    if (text.empty()) return;
    std::vector<std::string> names;
    std::string error;
    if (!template_names(text, names, error)) report(line, std::string(key) + ": " + error);
    if (!rule.regex) return;  // the pattern's own problem is already reported
    for (const std::string& name : names) {
      if (std::find(known.begin(), known.end(), name) != known.end()) continue;
      report(line, std::string(key) + ": {" + name + "} is not " + known_names(rule, known));
    }
  }

  // "a capture of the pattern (captures: module, package)", and the context and
  // lookup names when the rule has them.
  static std::string known_names(const Rule& rule, const std::vector<std::string>& known) {
    std::set<std::string> record(std::begin(kRecordNames), std::end(kRecordNames)), listed;
    std::string list;
    for (const std::string& name : known)
      if (!name.empty() && !record.count(name) && listed.insert(name).second)
        list += (list.empty() ? " " : ", ") + name;
    const bool extended = !rule.context.empty() || !rule.lookups.empty();
    const bool hint = known.size() > rule.capture_names.size();
    std::string out = extended ? "a capture of the pattern or of a context pattern, or a lookup"
                               : "a capture of the pattern";
    out += " (" + (list.empty() ? std::string("the pattern has no named captures")
                                : std::string(extended ? "known names:" : "captures:") + list) + ")";
    if (hint) out += "; a hint may also name the record's service, namespace and revision";
    return out;
  }

  // The names a hint may use: the pattern's captures, then the context
  // patterns', then the lookups' (so far as they are read).
  static std::vector<std::string> hint_names(const Rule& rule) {
    std::vector<std::string> names = rule.capture_names;
    names.insert(names.end(), std::begin(kRecordNames), std::end(kRecordNames));
    for (const ContextPattern& context : rule.context)
      names.insert(names.end(), context.capture_names.begin(), context.capture_names.end());
    for (const Lookup& lookup : rule.lookups) {
      if (!lookup.table || lookup.table->fields.empty()) {
        names.push_back(lookup.as);
        continue;
      }
      for (const std::string& field : lookup.table->fields) names.push_back(lookup.as + "_" + field);
    }
    return names;
  }

  // context: [{pattern: …, pick: first|last, unless: …}, …] (a plain string is a pattern)
  void read_context(const YAML::Node& list, Rule& rule) {
    if (!list.IsSequence()) {
      report(line_of(list, line_), "context: must be a list of {pattern, pick, unless}");
      return;
    }
    for (const YAML::Node& item : list) {
      const int line = line_of(item, line_);
      ContextPattern context;
      context.line = line;
      std::string pick = "first";
      if (item.IsScalar()) {
        context.pattern = item.Scalar();
      } else if (item.IsMap()) {
        for (auto it = item.begin(); it != item.end(); ++it) {
          const std::string key = it->first.IsScalar() ? it->first.Scalar() : std::string();
          const int key_line = line_of(it->first, line);
          if (!contains(kContextKeys, key)) {
            report(key_line, "context: " + unknown_key_message(key, kContextKeys));
            continue;
          }
          std::string& target = key == "pattern" ? context.pattern : key == "unless" ? context.unless : pick;
          scalar(it->second, "context." + key, target);
        }
      } else {
        report(line, "context: each entry must be a map {pattern, pick, unless} or a pattern");
        continue;
      }
      if (pick != "first" && pick != "last") {
        report(line, "context.pick: '" + pick + "' is neither first nor last");
        continue;
      }
      context.last = pick == "last";
      if (context.pattern.empty()) {
        report(line, "context: an entry has no `pattern`");
        continue;
      }
      if (compile_context(context, rule)) rule.context.push_back(std::move(context));
    }
  }

  bool compile_context(ContextPattern& context, const Rule& rule) {
    const int line = context.line;
    if (context.pattern.find('\n') != std::string::npos || context.unless.find('\n') != std::string::npos) {
      report(line, "context: a pattern contains a line break; it is matched within one line");
      return false;
    }
    const std::vector<std::string> known = hint_names(rule);
    context.references = context_references(context.pattern);
    std::string probe = context.pattern;  // references stand for a literal while checking
    for (const std::string& name : context.references) {
      if (std::find(known.begin(), known.end(), name) == known.end()) {
        report(line, "context: {" + name + "} is not " + known_names(rule, known) +
                         "; a context pattern refers to captures found before it");
        return false;
      }
      probe.replace(probe.find("{" + name + "}"), name.size() + 2, "x");
    }
    std::map<std::string, std::string> original;
    const std::string renamed = rename_repeated_groups(probe, original);
    auto regex = std::make_shared<const RE2>(renamed, rule_regex_options(max_mem_));
    if (!regex->ok()) {
      report(line, "context: pattern: " + regex->error());
      return false;
    }
    if (RE2::PartialMatch("", *regex)) {
      report(line, "context: pattern matches the empty text, so it says nothing about the record");
      return false;
    }
    context.capture_names.assign(static_cast<size_t>(regex->NumberOfCapturingGroups()), std::string());
    for (const auto& [index, name] : regex->CapturingGroupNames()) {
      auto written = original.find(name);
      const std::string& as_written = written == original.end() ? name : written->second;
      context.capture_names[static_cast<size_t>(index - 1)] = as_written;
      if (written == original.end() && std::find(known.begin(), known.end(), name) != known.end()) {
        report(line, "context: capture '" + name + "' is already a capture of the pattern or of an earlier "
                     "context pattern; give it another name");
        return false;
      }
    }
    if (context.references.empty()) {
      context.regex = std::move(regex);
    } else {
      // Compiled per match, with the captures quoted in; keep the form RE2 accepts.
      std::map<std::string, std::string> unused;
      context.pattern = rename_repeated_groups(context.pattern, unused);
    }
    if (!context.unless.empty()) {
      auto unless = std::make_shared<const RE2>(context.unless, rule_regex_options(max_mem_));
      if (!unless->ok()) {
        report(line, "context: unless: " + unless->error());
        return false;
      }
      context.unless_regex = std::move(unless);
    }
    return true;
  }

  // lookup: [{table: NAME, key: CAPTURE, as: NAME}, …]
  void read_lookups(const YAML::Node& list, Rule& rule) {
    if (!list.IsSequence()) {
      report(line_of(list, line_), "lookup: must be a list of {table, key, as}");
      return;
    }
    for (const YAML::Node& item : list) {
      const int line = line_of(item, line_);
      if (!item.IsMap()) {
        report(line, "lookup: each entry must be a map {table, key, as}");
        continue;
      }
      Lookup lookup;
      std::string table;
      bool ok = true;
      for (auto it = item.begin(); it != item.end(); ++it) {
        const std::string key = it->first.IsScalar() ? it->first.Scalar() : std::string();
        if (!contains(kLookupKeys, key)) {
          report(line_of(it->first, line), "lookup: " + unknown_key_message(key, kLookupKeys));
          ok = false;
          continue;
        }
        std::string& target = key == "table" ? table : key == "key" ? lookup.key : lookup.as;
        ok = scalar(it->second, "lookup." + key, target) && ok;
      }
      if (!ok) continue;
      if (table.empty() || lookup.key.empty() || lookup.as.empty()) {
        report(line, "lookup: each entry needs `table`, `key` (a capture) and `as` (the name of the result)");
        continue;
      }
      auto found = tables_.find(table);
      if (found == tables_.end()) {
        std::string names;
        for (const auto& [name, unused] : tables_) names += (names.empty() ? "" : ", ") + name;
        report(line, "lookup: unknown table '" + table + "' (" +
                         (names.empty() ? std::string("no tables are loaded: tables are the *.table.yaml "
                                                      "files beside the rule files")
                                        : "known tables: " + names) + ")");
        rule.lookups.push_back(std::move(lookup));  // its name stays known: no follow-on problems
        continue;
      }
      lookup.table = found->second;
      const std::vector<std::string> known = hint_names(rule);
      if (std::find(known.begin(), known.end(), lookup.key) == known.end()) {
        report(line, "lookup: key '" + lookup.key + "' is not " + known_names(rule, known));
        continue;
      }
      if (!is_snake_case(lookup.as)) {
        report(line, "lookup: as '" + lookup.as + "' must be snake_case (it names a template value)");
        continue;
      }
      if (std::find(known.begin(), known.end(), lookup.as) != known.end()) {
        report(line, "lookup: as '" + lookup.as + "' is already a capture name; give the result another name");
        continue;
      }
      rule.lookups.push_back(std::move(lookup));
    }
  }

  // hints: [{when: [NAME, …], hint: TEMPLATE}, …]
  void read_hints(const YAML::Node& list, Rule& rule) {
    if (!list.IsSequence()) {
      report(line_of(list, line_), "hints: must be a list of {when: [captures], hint: template}");
      return;
    }
    const std::vector<std::string> known = hint_names(rule);
    for (const YAML::Node& item : list) {
      const int line = line_of(item, line_);
      if (!item.IsMap()) {
        report(line, "hints: each entry must be a map {when: [captures], hint: template}");
        continue;
      }
      HintVariant variant;
      variant.line = line;
      bool has_when = false, ok = true;
      for (auto it = item.begin(); it != item.end(); ++it) {
        const std::string key = it->first.IsScalar() ? it->first.Scalar() : std::string();
        if (!contains(kHintKeys, key)) {
          report(line_of(it->first, line), "hints: " + unknown_key_message(key, kHintKeys));
          ok = false;
        } else if (key == "when") {
          has_when = true;
          ok = string_list(it->second, "hints.when", variant.when) && ok;
        } else {
          ok = scalar(it->second, "hints.hint", variant.hint) && ok;
        }
      }
      if (!ok) continue;
      if (!has_when || variant.when.empty() || variant.hint.empty()) {
        report(line, "hints: each entry needs `when` (the captures that must be present) and a non-empty "
                     "`hint`; the rule's `hint:` is the fallback");
        continue;
      }
      for (const std::string& name : variant.when)
        if (std::find(known.begin(), known.end(), name) == known.end())
          report(line, "hints.when: '" + name + "' is not " + known_names(rule, known));
      check_template(line_of(item["hint"], line), "hints.hint", variant.hint, rule, known);
      rule.hints.push_back(std::move(variant));
    }
    if (!rule.hints.empty() && rule.hint.empty())
      report(line_of(list, line_), "hints: a rule with `hints` also needs `hint:`, the fallback when no "
                                   "variant's conditions hold");
  }

  void read_examples(bool present, const YAML::Node& examples, Rule& rule) {
    if (!present) {
      report(line_, "missing `examples`: every rule carries at least one line it must match "
                    "(examples: {match: [...], no_match: [...]})");
      return;
    }
    if (!examples.IsMap()) {
      report(line_of(examples, line_), "examples: must be a map with `match` and `no_match` lists");
      return;
    }
    YAML::Node matching, not_matching;
    for (auto it = examples.begin(); it != examples.end(); ++it) {
      const std::string key = it->first.IsScalar() ? it->first.Scalar() : std::string();
      if (key == "match") {
        matching = it->second;
        string_list(matching, "examples.match", rule.examples_match);
      } else if (key == "no_match") {
        not_matching = it->second;
        string_list(not_matching, "examples.no_match", rule.examples_no_match);
      } else {
        report(line_of(it->first, line_), "examples: " + unknown_key_message(key, kExampleKeys));
      }
    }
    if (rule.examples_match.empty()) {
      report(line_of(examples, line_), "examples: no `match` example; every rule carries at least one "
                                       "line it must match");
    }
    if (!rule.regex) return;
    check_examples(matching, rule.examples_match, true, rule);
    check_examples(not_matching, rule.examples_no_match, false, rule);
    if (!rule.unless_regex) return;
    // `unless` is part of what the rule means: some no_match example must show it at work.
    bool shown = false;
    for (const std::string& example : rule.examples_no_match)
      shown = shown || RE2::PartialMatch(example, *rule.regex);
    if (!shown)
      report(line_of(examples, line_),
             "examples: no `no_match` example shows `unless` at work; add a line that the pattern "
             "matches and `unless` excludes");
  }

  void check_examples(const YAML::Node& list, const std::vector<std::string>& examples, bool should_match,
                      const Rule& rule) {
    std::vector<re2::StringPiece> groups;
    for (size_t i = 0; i < examples.size(); ++i) {
      const int line = list.IsSequence() && i < list.size() ? line_of(list[i], line_) : line_of(list, line_);
      const bool matched = find_match(rule, examples[i], groups);
      if (should_match && !matched) {
        const bool excluded = rule.unless_regex && RE2::PartialMatch(examples[i], *rule.regex);
        report(line, "examples: match example " + quoted(examples[i]) +
                         (excluded ? " matches the pattern but also `unless`, so the rule does not fire"
                                   : " does not match the pattern"));
      }
      if (!should_match && matched)
        report(line, "examples: no_match example " + quoted(examples[i]) + " matches the pattern (at " +
                         quoted(std::string_view(groups[0].data(), groups[0].size())) + ")" +
                         (rule.unless_regex ? " and not `unless`" : ""));
    }
  }

  const std::string& origin_;
  std::vector<RuleProblem>& problems_;
  int64_t max_mem_;
  const LookupTables& tables_;
  bool ok_ = true;
  int line_ = 0;
  std::string rule_id_;
};

}  // namespace

RuleProblem unexpected_yaml(const std::string& origin, int line, const std::exception& error) {
  const auto* yaml = dynamic_cast<const YAML::Exception*>(&error);
  if (yaml && !yaml->mark.is_null())
    return RuleProblem{origin, yaml->mark.line + 1, "",
                       "unexpected YAML structure at column " + std::to_string(yaml->mark.column + 1) + ": " + yaml->msg};
  return RuleProblem{origin, line, "", std::string("unexpected YAML structure: ") + error.what()};
}

RE2::Options rule_regex_options(int64_t max_mem) {
  RE2::Options options;
  options.set_log_errors(false);
  options.set_never_nl(true);
  options.set_max_mem(max_mem);
  return options;
}

void RulePackLoader::add(const std::string& yaml, const std::string& origin) {
  YAML::Node root;
  try {
    root = YAML::Load(yaml);
  } catch (const YAML::ParserException& e) {
    problems_.push_back(RuleProblem{origin, e.mark.line >= 0 ? e.mark.line + 1 : 0, "", "YAML syntax: " + e.msg});
    return;
  } catch (const std::exception& e) {
    problems_.push_back(RuleProblem{origin, 0, "", std::string("YAML: ") + e.what()});
    return;
  }
  int line = 1;  // of the rule being read
  try {
    if (!root.IsMap()) {
      problems_.push_back(RuleProblem{origin, line_of(root, 1), "",
                                      root.IsNull() ? "empty document: expected a map with a `rules` list"
                                                    : "expected a map with a `rules` list at the top level"});
      return;
    }
    YAML::Node list;
    bool has_list = false;
    for (auto it = root.begin(); it != root.end(); ++it) {
      const std::string key = it->first.IsScalar() ? it->first.Scalar() : std::string();
      if (key == "rules") {
        list = it->second;
        has_list = true;
      } else
        problems_.push_back(RuleProblem{origin, line_of(it->first, 1), "",
                                        unknown_key_message(key, std::array<std::string_view, 1>{"rules"})});
    }
    if (!has_list) {
      problems_.push_back(RuleProblem{origin, line_of(root, 1), "", "missing `rules` (a list of rules)"});
      return;
    }
    if (!list.IsSequence()) {
      if (!list.IsNull())
        problems_.push_back(RuleProblem{origin, line_of(list, 1), "", "`rules` must be a list of rules"});
      return;
    }
    for (const YAML::Node& node : list) {
      line = line_of(node, line);
      Rule rule;
      RuleReader reader(origin, problems_, rule_max_mem_, tables_);
      bool valid = reader.read(node, rule);
      if (!rule.id.empty()) {
        const std::string here = origin + ":" + std::to_string(rule.line);
        auto [it, inserted] = defined_at_.emplace(rule.id, here);
        if (!inserted) {
          problems_.push_back(
              RuleProblem{origin, rule.line, rule.id, "duplicate id: already defined at " + it->second});
          valid = false;
        }
      }
      if (valid) rules_.push_back(std::move(rule));
    }
  } catch (const std::exception& e) {
    problems_.push_back(unexpected_yaml(origin, line, e));  // yaml-cpp reports misuse by exception
  }
}

void RulePackLoader::add_table(const std::string& yaml, const std::string& origin) {
  auto table = read_lookup_table(yaml, origin, problems_);
  if (!table) return;
  auto [it, inserted] = tables_.emplace(table->name, table);
  if (!inserted)
    problems_.push_back(RuleProblem{origin, 1, "", "table: name '" + table->name + "' is already defined in " +
                                                       it->second->file});
}

}  // namespace faultline
