#include "rules/rule_set.h"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "rules/hint.h"
#include "rules/rule_loader.h"
#include "rules/template.h"

namespace faultline {
namespace {

constexpr size_t kMaxSample = 1024;

bool equal_ignoring_case(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i])))
      return false;
  }
  return true;
}

bool passes(const std::vector<std::string>& accepted, std::string_view value) {
  if (accepted.empty()) return true;
  for (const std::string& candidate : accepted)
    if (equal_ignoring_case(candidate, value)) return true;
  return false;
}

bool passes_filters(const Rule& rule, const LogRecord& record) {
  return passes(rule.match_severity, record.severity) && passes(rule.match_stream, record.stream) &&
         passes(rule.match_resource_type, record.resource_type);
}

// A cause line that the application itself logged at DEBUG, INFO or NOTICE is a
// quote (a support ticket, a retry note, an excerpt in a message), not its
// crash. Effects, exits, loops and fallback causes (a process manager's report
// that something died) are not gated: supervisord and gunicorn log "exited",
// "gave up" and "Worker failed to boot" at INFO.
bool quoted_cause(const Rule& rule, const LogRecord& record) {
  if (rule.kind != RuleKind::cause || rule.fallback) return false;
  const std::string_view level = record.app_level;
  return level == "DEBUG" || level == "INFO" || level == "NOTICE";
}

// The line of `text` holding byte `pos`, without its line break, cut to
// kMaxSample bytes on a UTF-8 character boundary.
std::string sample_line(std::string_view text, size_t pos) {
  const size_t newline_before = pos == 0 ? std::string_view::npos : text.rfind('\n', pos - 1);
  const size_t begin = newline_before == std::string_view::npos ? 0 : newline_before + 1;
  size_t end = text.find('\n', pos);
  if (end == std::string_view::npos) end = text.size();
  if (end > begin && text[end - 1] == '\r') --end;
  if (end - begin > kMaxSample) {
    end = begin + kMaxSample;
    while (end > begin && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
  }
  return std::string(text.substr(begin, end - begin));
}

// A hint may also name the record's service, namespace and revision (in a
// command: `kubectl rollout restart deployment/{service} -n {namespace}`); a
// capture of the same name wins.
Captures with_record_names(Captures captures, const LogRecord& record) {
  const std::string* values[] = {&record.service, &record.namespace_name, &record.revision};
  static_assert(std::size(values) == std::size(kRecordNames));
  for (size_t i = 0; i < std::size(values); ++i) {
    const std::string_view name = kRecordNames[i];
    const std::string* value = values[i];
    if (value->empty()) continue;
    bool captured = false;
    for (const auto& capture : captures) captured = captured || capture.first == name;
    if (!captured) captures.emplace_back(name, *value);
  }
  return captures;
}

bool read_file(const std::filesystem::path& path, std::string& out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::ostringstream buffer;
  buffer << in.rdbuf();
  if (in.bad()) return false;
  out = buffer.str();
  return true;
}

// The rule files a path names: itself, or the *.yaml/*.yml files directly inside
// it, sorted by name.
void collect_files(const std::string& path, std::vector<std::filesystem::path>& files,
                   std::vector<RuleProblem>& problems) {
  namespace fs = std::filesystem;
  std::error_code error;
  const fs::file_status status = fs::status(path, error);
  if (error || !fs::exists(status)) {
    problems.push_back(RuleProblem{path, 0, "", "no such file or directory"});
    return;
  }
  if (!fs::is_directory(status)) {
    files.emplace_back(path);
    return;
  }
  std::vector<fs::path> found;
  for (fs::directory_iterator it(path, error), end; !error && it != end; it.increment(error)) {
    const fs::path& entry = it->path();
    const std::string extension = entry.extension().string();
    std::error_code type_error;
    if ((extension == ".yaml" || extension == ".yml") && fs::is_regular_file(entry, type_error))
      found.push_back(entry);
  }
  if (error) {
    problems.push_back(RuleProblem{path, 0, "", "cannot list directory: " + error.message()});
    return;
  }
  if (found.empty()) {
    problems.push_back(RuleProblem{path, 0, "", "directory holds no *.yaml or *.yml rule files"});
    return;
  }
  std::sort(found.begin(), found.end());
  files.insert(files.end(), found.begin(), found.end());
}

// A lookup table file: NAME.table.yaml (or .yml) among the pack files, so that
// a flat directory (a Kubernetes ConfigMap) holds both.
bool is_table_file(const std::filesystem::path& file) {
  const std::string name = file.filename().string();
  return name.ends_with(".table.yaml") || name.ends_with(".table.yml");
}

// The lookup tables that go with a single pack file: those beside it.
void collect_tables_beside(const std::string& path, std::vector<std::filesystem::path>& tables) {
  namespace fs = std::filesystem;
  std::error_code error;
  if (fs::is_directory(path, error)) return;  // a directory's tables are among its files
  const fs::path folder = fs::path(path).parent_path().empty() ? fs::path(".") : fs::path(path).parent_path();
  for (fs::directory_iterator it(folder, error), end; !error && it != end; it.increment(error))
    if (is_table_file(it->path()) && it->path() != fs::path(path)) tables.push_back(it->path());
}

}  // namespace

std::string RuleProblem::describe() const {
  std::string out = file;
  if (line > 0) out += ":" + std::to_string(line);
  out += ": ";
  if (!rule_id.empty()) out += "rule " + rule_id + ": ";
  return out + message;
}

std::shared_ptr<const RuleSet> RuleSet::load(const std::string& path, std::vector<RuleProblem>& problems,
                                             const RuleSetOptions& options) {
  return load_all({path}, problems, options);
}

std::shared_ptr<const RuleSet> RuleSet::load_all(const std::vector<std::string>& paths,
                                                 std::vector<RuleProblem>& problems,
                                                 const RuleSetOptions& options) {
  std::vector<std::filesystem::path> collected, files, tables;
  std::vector<RuleProblem> found;
  for (const std::string& path : paths) {
    collect_files(path, collected, found);
    collect_tables_beside(path, tables);
  }
  for (auto& file : collected) (is_table_file(file) ? tables : files).push_back(std::move(file));
  std::sort(tables.begin(), tables.end());
  tables.erase(std::unique(tables.begin(), tables.end()), tables.end());
  RulePackLoader loader(options.rule_max_mem);
  for (RuleProblem& problem : found) loader.add_problem(std::move(problem));
  // Tables first: a rule's lookup names one.
  for (const auto& file : tables) {
    std::string text;
    if (!read_file(file, text)) {
      loader.add_problem(RuleProblem{file.string(), 0, "", "cannot read file"});
      continue;
    }
    loader.add_table(text, file.string());
  }
  for (const auto& file : files) {
    std::string text;
    if (!read_file(file, text)) {
      loader.add_problem(RuleProblem{file.string(), 0, "", "cannot read file"});
      continue;
    }
    loader.add(text, file.string());
  }
  if (!loader.problems().empty()) {
    problems.insert(problems.end(), loader.problems().begin(), loader.problems().end());
    return nullptr;
  }
  std::string source;
  for (const std::string& path : paths) source += (source.empty() ? "" : ",") + path;
  if (loader.rules().empty()) {
    problems.push_back(RuleProblem{source, 0, "", "the pack defines no rules"});
    return nullptr;
  }
  return build(std::move(loader.rules()), source, options);
}

std::shared_ptr<const RuleSet> RuleSet::load_text(const std::string& yaml, const std::string& origin,
                                                  std::vector<RuleProblem>& problems,
                                                  const RuleSetOptions& options,
                                                  const std::vector<std::pair<std::string, std::string>>& tables) {
  RulePackLoader loader(options.rule_max_mem);
  for (const auto& [table_origin, table_yaml] : tables) loader.add_table(table_yaml, table_origin);
  loader.add(yaml, origin);
  if (loader.problems().empty() && loader.rules().empty())
    loader.add_problem(RuleProblem{origin, 0, "", "the pack defines no rules"});
  if (!loader.problems().empty()) {
    problems.insert(problems.end(), loader.problems().begin(), loader.problems().end());
    return nullptr;
  }
  return build(std::move(loader.rules()), origin, options);
}

std::shared_ptr<const RuleSet> RuleSet::build(std::vector<Rule> rules, std::string source,
                                              const RuleSetOptions& options) {
  std::shared_ptr<RuleSet> set(new RuleSet());
  set->rules_ = std::move(rules);
  set->source_ = std::move(source);
  auto compiled = std::make_unique<RE2::Set>(rule_regex_options(options.set_max_mem), RE2::UNANCHORED);
  bool ok = true;
  for (const Rule& rule : set->rules_) {
    std::string error;
    // Every pattern already compiled alone, so Add() fails only if the set itself is broken.
    // regex->pattern(): the form RE2 accepts (a repeated capture name renamed).
    if (compiled->Add(rule.regex->pattern(), &error) < 0) ok = false;
  }
  if (ok && compiled->Compile()) set->set_ = std::move(compiled);
  if (options.prefilter) {
    std::vector<std::string> patterns;
    for (size_t i = 0; i < set->rules_.size(); ++i) {
      const Rule& rule = set->rules_[i];
      if (rule.match_severity.empty() && rule.match_stream.empty() && rule.match_resource_type.empty())
        patterns.push_back(rule.regex->pattern());
      else
        set->filtered_rules_.push_back(i);
    }
    set->prefilter_ = Prefilter::build(patterns, rule_regex_options(options.rule_max_mem));
  }
  return set;
}

const Rule* RuleSet::find(std::string_view id) const {
  for (const Rule& rule : rules_)
    if (rule.id == id) return &rule;
  return nullptr;
}

bool RuleSet::match(const LogRecord& record, std::vector<Event>& out) const {
  if (cannot_match(record)) return true;
  const re2::StringPiece text(record.text.data(), record.text.size());
  if (set_) {
    // First pass without a result vector: the DFA may stop at the first match and
    // Match() allocates nothing, which is what nearly every record needs.
    RE2::Set::ErrorInfo info{RE2::Set::kNoError};
    if (!set_->Match(text, nullptr, &info)) {
      if (info.kind == RE2::Set::kNoError) return true;
    } else {
      std::vector<int> candidates;
      if (set_->Match(text, &candidates, &info)) {
        emit(record, candidates, out);
        return true;
      }
    }
  }
  // The set could not tell (DFA out of memory, inconsistent) or was never built:
  // every rule's own RE2 decides, so nothing is missed, and the caller is told.
  std::vector<int> all(rules_.size());
  for (size_t i = 0; i < all.size(); ++i) all[i] = static_cast<int>(i);
  emit(record, all, out);
  return false;
}

// Exact, not a guess: true only when no rule can fire on the record.
bool RuleSet::cannot_match(const LogRecord& record) const {
  if (!prefilter_) return false;
  for (size_t index : filtered_rules_)
    if (passes_filters(rules_[index], record)) return false;
  return !prefilter_->may_match(record.text);
}

void RuleSet::emit(const LogRecord& record, std::vector<int>& candidates, std::vector<Event>& out) const {
  std::sort(candidates.begin(), candidates.end(), [this](int a, int b) {
    const RuleKind ka = rules_[static_cast<size_t>(a)].kind, kb = rules_[static_cast<size_t>(b)].kind;
    return ka != kb ? ka < kb : a < b;
  });
  const std::string_view text = record.text;
  std::vector<size_t> fallbacks;  // positions in `out` of fallback causes
  bool specific_cause = false;
  std::vector<re2::StringPiece> groups;
  for (int index : candidates) {
    const Rule& rule = rules_[static_cast<size_t>(index)];
    if (!passes_filters(rule, record) || quoted_cause(rule, record)) continue;
    if (!find_match(rule, text, groups)) continue;

    Event event;
    event.rule_id = rule.id;
    event.kind = rule.kind;
    event.severity = rule.severity;
    event.terminates = rule.terminates;
    event.fallback = rule.fallback;
    event.captures = captures_of(rule, groups);
    event.summary = render_template(rule.summary, event.captures);
    event.hint = render_hint(rule, text, with_record_names(event.captures, record), &event.hint_decided);
    event.time = record.time;
    event.service = record.service;
    event.namespace_name = record.namespace_name;
    event.cluster = record.cluster;
    event.revision = record.revision;
    event.instance = record.instance;
    event.stream = record.stream;
    event.resource_type = record.resource_type;
    event.source_id = record.source_id;
    event.sample = sample_line(text, static_cast<size_t>(groups[0].data() - text.data()));
    event.culprit = record.culprit;
    if (rule.fallback) fallbacks.push_back(out.size());
    out.push_back(std::move(event));
    specific_cause = specific_cause || (rule.kind == RuleKind::cause && !rule.fallback);
  }
  // A catch-all cause gives way to a specific one on the same record: one crash, one incident.
  if (specific_cause)
    for (auto it = fallbacks.rbegin(); it != fallbacks.rend(); ++it)
      out.erase(out.begin() + static_cast<std::ptrdiff_t>(*it));
}

}  // namespace faultline
