#include "suggest/rule_draft.h"

#include <algorithm>
#include <array>
#include <set>
#include <string_view>

#include <re2/re2.h>
#include <yaml-cpp/yaml.h>

#include "incidents/fingerprint.h"
#include "parsers/utf8.h"
#include "rules/rule_loader.h"
#include "rules/rule_set.h"
#include "suggest/template_miner.h"

namespace faultline {
namespace {

constexpr size_t kMaxMatchExamples = 5;
constexpr size_t kMaxNoMatchExamples = 5;
constexpr size_t kMaxSummaryBytes = 200;
constexpr size_t kMaxIdWords = 4;
constexpr size_t kMaxNameBytes = 24;

// Levels and filler say nothing about which failure it is.
bool dull_word(std::string_view w) {
  static constexpr std::array<std::string_view, 34> words = {
      "fatal", "error", "err", "critical", "crit", "panic", "exception", "warning", "warn", "info",
      "debug", "emerg", "alert", "severe", "the", "an", "at", "of", "in", "on",
      "to", "for", "is", "was", "with", "and", "or", "from", "by", "be",
      "this", "that", "it", "as"};
  return w.size() < 2 || std::find(words.begin(), words.end(), w) != words.end();
}

// The fingerprint takes the first of these a cause captures: a value that
// varies per crash must not split one failure into many incidents.
bool fingerprint_name(std::string_view name) {
  return name == "module" || name == "class" || name == "library" || name == "port" || name == "code";
}

std::string lower_alnum_runs(std::string_view text, char separator) {
  std::string out;
  for (char c : text) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    const bool keep = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
    if (keep) out += c;
    else if (!out.empty() && out.back() != separator) out += separator;
  }
  while (!out.empty() && out.back() == separator) out.pop_back();
  return out;
}

// RE2 syntax: metacharacters escaped, control bytes as \x{..}, the rest (UTF-8 included) as is.
std::string quote_literal(std::string_view text) {
  static constexpr std::string_view meta = "\\.+*?()|[]{}^$";
  std::string out;
  for (unsigned char c : text) {
    if (c < 0x20 || c == 0x7f) {
      static constexpr char hex[] = "0123456789abcdef";
      out += "\\x{";
      out += hex[c >> 4];
      out += hex[c & 0xf];
      out += '}';
      continue;
    }
    if (meta.find(static_cast<char>(c)) != std::string_view::npos) out += '\\';
    out += static_cast<char>(c);
  }
  return out;
}

std::string brace_escaped(std::string_view text) {
  std::string out;
  for (char c : text) {
    out += c;
    if (c == '{' || c == '}') out += c;
  }
  return out;
}

std::string type_regex(const TemplateToken& token) {
  switch (token.type) {
    case ValueType::number: return R"([-+]?\d+(?:\.\d+)?)";
    case ValueType::numeric: return R"(\d[\dTZ:.,/+-]*)";
    case ValueType::duration: return R"(\d+(?:\.\d+)?(?:ns|us|µs|ms|s|min|m|h|d))";
    case ValueType::hex: return R"((?:0[xX])?[0-9a-fA-F]+)";
    case ValueType::uuid: return R"([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})";
    case ValueType::ip: return R"(\d{1,3}(?:\.\d{1,3}){3}(?::\d+)?)";
    case ValueType::path: return R"([^\s'"]+)";
    case ValueType::quoted: return std::string("[^") + token.head.back() + "]*";  // head ends with the quote
    case ValueType::word: break;
  }
  return R"(\S+)";
}

// The regex for a variable's varying part: its type's, if that holds every value seen, else any non-space run.
std::string value_regex(const TemplateToken& token) {
  const bool empty = std::find(token.values.begin(), token.values.end(), "") != token.values.end();
  std::string typed = type_regex(token);
  const auto digits = [](const std::string& v) {
    return std::all_of(v.begin(), v.end(), [](char c) { return c >= '0' && c <= '9'; });
  };
  if (token.type == ValueType::number && std::all_of(token.values.begin(), token.values.end(), digits)) typed = R"(\d+)";
  RE2 re(typed, RE2::Quiet);
  bool fits = re.ok();
  for (const std::string& value : token.values) fits = fits && (value.empty() || RE2::FullMatch(value, re));
  if (!fits) typed = R"(\S+)";
  if (!empty) return typed;
  return "(?:" + typed + ")?";
}

std::string capture_name(const std::vector<TemplateToken>& tokens, size_t i, std::set<std::string>& taken) {
  const TemplateToken& token = tokens[i];
  std::string name;
  // "shard=7": the key; "shard 7": the word before it.
  if (!token.head.empty()) name = lower_alnum_runs(token.head, '_');
  // Only a lower-case word names what follows ("shard 7"); "Tue 2021-08-31" and "UTC; 6min" do not.
  const auto lower_case = [](const std::string& text) {
    return std::none_of(text.begin(), text.end(), [](char c) { return c >= 'A' && c <= 'Z'; });
  };
  if (name.empty() && i > 0 && !tokens[i - 1].variable && lower_case(tokens[i - 1].text)) {
    std::string word = lower_alnum_runs(tokens[i - 1].text, '_');
    if (word.find('_') == std::string::npos && !dull_word(word)) name = word;
  }
  if (name.empty() || !(name[0] >= 'a' && name[0] <= 'z')) name = std::string(to_string(token.type));
  if (name.size() > kMaxNameBytes) name.resize(kMaxNameBytes);
  while (!name.empty() && name.back() == '_') name.pop_back();
  if (fingerprint_name(name)) name += "_value";
  std::string unique = name;
  for (int n = 2; taken.count(unique); ++n) unique = name + std::to_string(n);
  taken.insert(unique);
  return unique;
}

std::string rule_id(const DraftSource& source, const LogTemplate& t) {
  std::string id = lower_alnum_runs(source.service, '_');
  while (!id.empty() && !(id[0] >= 'a' && id[0] <= 'z')) id.erase(0, 1);
  if (id.empty()) id = "service";
  std::set<std::string> used;
  for (size_t start = 0; start < id.size();) {
    size_t end = id.find('_', start);
    if (end == std::string::npos) end = id.size();
    used.insert(id.substr(start, end - start));
    start = end + 1;
  }
  size_t words = 0;
  for (const TemplateToken& token : t.tokens) {
    if (token.variable || words == kMaxIdWords) continue;
    const std::string runs = lower_alnum_runs(token.text, ' ');
    for (size_t start = 0; start < runs.size() && words < kMaxIdWords;) {
      size_t end = runs.find(' ', start);
      if (end == std::string::npos) end = runs.size();
      const std::string word = runs.substr(start, end - start);
      start = end + 1;
      const bool letters = std::all_of(word.begin(), word.end(), [](char c) { return c >= 'a' && c <= 'z'; });
      if (!letters || dull_word(word) || used.count(word)) continue;
      used.insert(word);
      id += "_" + word;
      ++words;
    }
  }
  if (words == 0) id += "_crash";
  if (id.size() > 64) id.resize(64);
  while (id.back() == '_') id.pop_back();
  return id;
}

bool has_anchor_word(const LogTemplate& t) {
  for (const TemplateToken& token : t.tokens) {
    if (token.variable) continue;
    size_t run = 0;
    for (char c : token.text) {
      run = ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) ? run + 1 : 0;
      if (run >= 3) return true;
    }
  }
  return false;
}

std::string plural(size_t n, std::string_view one, std::string_view many) {
  return std::to_string(n) + " " + std::string(n == 1 ? one : many);
}

// The first line of a suspect, without a carriage return; "" when it cannot go into a YAML rule.
std::string usable(std::string_view line) {
  line = line.substr(0, line.find('\n'));
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  if (find_invalid_utf8(line) != std::string_view::npos) return {};
  return std::string(line);
}

}  // namespace

RuleDraft draft_rule(const DraftSource& source) {
  RuleDraft draft;
  TemplateMiner miner;
  std::set<std::string> all_instances;
  for (const SuspectLine& s : source.suspects) {
    const std::string line = usable(s.line);
    if (line.empty()) continue;
    miner.add(line, s.instance, static_cast<size_t>(std::max(s.count, 1)));
    all_instances.insert(s.instance);
  }
  draft.instances_total = all_instances.size();
  std::vector<LogTemplate> templates = miner.templates();
  auto chosen = std::find_if(templates.begin(), templates.end(), has_anchor_word);
  if (chosen == templates.end()) {
    draft.error = templates.empty() ? "no suspect line to draft a rule from"
                                    : "the suspect lines hold no constant word to anchor a rule on (" +
                                          printable_excerpt(templates.front().describe()) + ")";
    return draft;
  }
  const LogTemplate& t = *chosen;
  draft.template_text = t.describe();

  // Pattern and summary, token by token.
  std::set<std::string> names;
  std::string pattern, summary;
  bool summary_cut = false;
  for (size_t i = 0; i < t.tokens.size(); ++i) {
    const TemplateToken& token = t.tokens[i];
    if (i > 0) pattern += ' ';
    std::string piece;
    if (!token.variable) {
      pattern += quote_literal(token.text);
      piece = brace_escaped(token.text);
    } else {
      const std::string name = capture_name(t.tokens, i, names);
      pattern += quote_literal(token.head) + "(?P<" + name + ">" + value_regex(token) + ")" + quote_literal(token.tail);
      piece = brace_escaped(token.head) + "{" + name + "}" + brace_escaped(token.tail);
    }
    if (summary_cut) continue;
    if (summary.size() + piece.size() + 1 > kMaxSummaryBytes) {
      summary += " …";
      summary_cut = true;
      continue;
    }
    summary += (i > 0 ? " " : "") + piece;
  }
  draft.pattern = pattern;
  draft.rule_id = rule_id(source, t);

  RE2 regex(pattern, rule_regex_options(RuleSetOptions{}.rule_max_mem));
  if (!regex.ok()) {
    draft.error = "the drafted pattern does not compile: " + regex.error();
    return draft;
  }
  std::set<std::string> template_lines(t.lines.begin(), t.lines.end());
  std::vector<std::string> matching;
  std::set<std::string> instances, suspect_texts;
  for (const SuspectLine& s : source.suspects) {
    const std::string line = usable(s.line);
    suspect_texts.insert(line);
    if (line.empty() || !RE2::PartialMatch(line, regex)) continue;
    draft.crashes += static_cast<size_t>(std::max(s.count, 1));
    instances.insert(s.instance);
    if (std::find(matching.begin(), matching.end(), line) == matching.end()) matching.push_back(line);
  }
  draft.lines = matching.size();
  draft.instances = instances.size();
  if (matching.empty()) {
    draft.error = "the drafted pattern matches none of the suspect lines it was drafted from: " + pattern;
    return draft;
  }
  if (matching.size() > kMaxMatchExamples) matching.resize(kMaxMatchExamples);
  std::vector<std::string> not_matching;
  for (const std::string& raw : source.service_lines) {
    const std::string line = usable(raw);
    if (line.empty() || suspect_texts.count(line) || RE2::PartialMatch(line, regex)) continue;
    if (std::find(not_matching.begin(), not_matching.end(), line) != not_matching.end()) continue;
    not_matching.push_back(line);
    if (not_matching.size() == kMaxNoMatchExamples) break;
  }

  const std::string hint = "Drafted from " + plural(draft.lines, "line", "lines") + " that " +
                           plural(draft.instances, "instance", "instances") + " of " + brace_escaped(source.service) +
                           " printed before " + plural(draft.crashes, "crash", "crashes") +
                           " that no rule explained; review the pattern, the summary and this hint (say what to "
                           "fix) before adding it to a pack.";
  YAML::Emitter out;
  out.SetIndent(2);
  std::string comment = "Drafted by faultline rules suggest";
  if (!source.incident_id.empty()) comment += " from incident " + source.incident_id;
  comment += " (" + plural(draft.instances, "instance", "instances") + " of " +
             std::to_string(draft.instances_total) + " printed it before crashing)";
  out << YAML::Comment(comment);
  out << YAML::BeginMap << YAML::Key << "rules" << YAML::Value << YAML::BeginSeq << YAML::BeginMap;
  out << YAML::Key << "id" << YAML::Value << draft.rule_id;
  out << YAML::Key << "kind" << YAML::Value << "cause";
  out << YAML::Key << "severity" << YAML::Value << std::string(to_string(source.severity));
  out << YAML::Key << "pattern" << YAML::Value << YAML::SingleQuoted << pattern;
  out << YAML::Key << "summary" << YAML::Value << YAML::DoubleQuoted << summary;
  out << YAML::Key << "hint" << YAML::Value << YAML::DoubleQuoted << hint;
  out << YAML::Key << "examples" << YAML::Value << YAML::BeginMap;
  out << YAML::Key << "match" << YAML::Value << YAML::BeginSeq;
  for (const std::string& line : matching) out << YAML::DoubleQuoted << line;
  out << YAML::EndSeq;
  if (!not_matching.empty()) {
    out << YAML::Key << "no_match" << YAML::Value << YAML::BeginSeq;
    for (const std::string& line : not_matching) out << YAML::DoubleQuoted << line;
    out << YAML::EndSeq;
  }
  out << YAML::EndMap << YAML::EndMap << YAML::EndSeq << YAML::EndMap;
  if (!out.good()) {
    draft.error = "the drafted rule cannot be written as YAML: " + out.GetLastError();
    return draft;
  }
  std::string yaml = std::string(out.c_str()) + "\n";

  // Loaded as a pack is: every example checked against the compiled rule.
  std::vector<RuleProblem> problems;
  if (!RuleSet::load_text(yaml, "suggested rule", problems)) {
    draft.error = "the drafted rule does not load:";
    for (const RuleProblem& p : problems) draft.error += "\n  " + p.describe();
    return draft;
  }
  draft.yaml = std::move(yaml);
  return draft;
}

RuleDraft draft_rule(const Incident& incident, std::vector<std::string> service_lines) {
  if (incident.suspects.empty()) {
    RuleDraft draft;
    draft.error = incident.root_cause.rule == kGenericExitRule
                      ? "incident " + incident.id + " kept no suspect lines: its instances printed no error line before crashing"
                      : "incident " + incident.id + " has a known cause: rule " + incident.root_cause.rule;
    return draft;
  }
  DraftSource source;
  source.incident_id = incident.id;
  source.service = incident.service;
  source.severity = incident.crash_loop ? Severity::critical : std::max(incident.severity, Severity::warning);
  source.suspects = incident.suspects;
  source.service_lines = std::move(service_lines);
  return draft_rule(source);
}

}  // namespace faultline
