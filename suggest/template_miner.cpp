#include "suggest/template_miner.h"

#include <algorithm>
#include <array>
#include <string_view>

#include "parsers/line_prefix.h"

namespace faultline {
namespace {

constexpr std::string_view kEllipsis = "…";
constexpr size_t kMaxValues = 8;

bool is_alnum(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_hex_digit(char c) { return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }

bool is_number(std::string_view s) {
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) s.remove_prefix(1);
  if (s.empty() || !is_digit(s[0])) return false;
  bool dot = false;
  for (size_t i = 0; i < s.size(); ++i) {
    if (is_digit(s[i])) continue;
    if (s[i] != '.' || dot || i + 1 == s.size() || !is_digit(s[i + 1])) return false;
    dot = true;
  }
  return true;
}

// 2020-08-14, 17:16:42.123, 2020-08-14T17:16:42Z, 3.4.1: digits and separators, at least one of each.
bool is_numeric(std::string_view s) {
  if (s.empty() || !is_digit(s[0])) return false;
  static constexpr std::string_view separators = ":-.,/TZ+";
  bool separated = false;
  for (char c : s) {
    if (is_digit(c)) continue;
    if (separators.find(c) == std::string_view::npos) return false;
    separated = true;
  }
  return separated;
}

// 250ms, 6min, 1.5s, 30d.
bool is_duration(std::string_view s) {
  size_t i = 0;
  while (i < s.size() && (is_digit(s[i]) || (s[i] == '.' && i > 0))) ++i;
  if (i == 0) return false;
  static constexpr std::array<std::string_view, 9> units = {"ns", "us", "µs", "ms", "s", "m", "min", "h", "d"};
  return std::find(units.begin(), units.end(), s.substr(i)) != units.end();
}

// 0x1f, or six or more hex digits with at least one digit and one letter (a
// commit, a request id); "deadbeef" or "add" alone read as words.
bool is_hex(std::string_view s) {
  if (s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
    return std::all_of(s.begin() + 2, s.end(), is_hex_digit);
  if (s.size() < 6 || !std::all_of(s.begin(), s.end(), is_hex_digit)) return false;
  return std::any_of(s.begin(), s.end(), is_digit) && !std::all_of(s.begin(), s.end(), is_digit);
}

bool is_uuid(std::string_view s) {
  if (s.size() != 36) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    const bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash ? s[i] != '-' : !is_hex_digit(s[i])) return false;
  }
  return true;
}

// 10.0.0.1, optionally :port.
bool is_ip(std::string_view s) {
  if (const size_t colon = s.find(':'); colon != std::string_view::npos) {
    std::string_view port = s.substr(colon + 1);
    if (port.empty() || port.size() > 5 || !std::all_of(port.begin(), port.end(), is_digit)) return false;
    s = s.substr(0, colon);
  }
  int parts = 0;
  for (size_t start = 0; start <= s.size(); ++parts) {
    size_t end = s.find('.', start);
    if (end == std::string_view::npos) end = s.size();
    std::string_view part = s.substr(start, end - start);
    if (part.empty() || part.size() > 3 || !std::all_of(part.begin(), part.end(), is_digit)) return false;
    start = end + 1;
  }
  return parts == 4;
}

bool is_path(std::string_view s) {
  return s.size() > 1 && (s[0] == '/' || s.substr(0, 2) == "./" || s.substr(0, 3) == "../" || s.find("/") != std::string_view::npos);
}

bool is_quote(char c) { return c == '\'' || c == '"' || c == '`'; }

// A token as constant head, varying core and constant tail: "shard=7," is
// "shard=", "7", ","; "('orders')" is "('", "orders", "')".
struct Split {
  std::string_view head, core, tail;
};

Split split_token(std::string_view token) {
  auto opening = [](char c) { return c == '(' || c == '[' || c == '{' || c == '<' || is_quote(c); };
  auto closing = [](char c) {
    return c == ')' || c == ']' || c == '}' || c == '>' || c == ',' || c == ';' || c == ':' || c == '.' ||
           c == '!' || c == '?' || is_quote(c);
  };
  size_t begin = 0, end = token.size();
  while (begin < end && opening(token[begin])) ++begin;
  // key=value and key:value, the key a word (not "FATAL:", whose value would be
  // empty, nor the address of "10.0.0.1:5432").
  if (begin < end && ((token[begin] >= 'a' && token[begin] <= 'z') || (token[begin] >= 'A' && token[begin] <= 'Z'))) {
    for (size_t i = begin; i < end; ++i) {
      if (token[i] == '=' || (token[i] == ':' && i + 1 < end && token[i + 1] != '/')) {
        if (i + 1 < end) begin = i + 1;
        while (begin < end && opening(token[begin])) ++begin;
        break;
      }
      if (!is_alnum(token[i]) && token[i] != '_' && token[i] != '-' && token[i] != '.') break;
    }
  }
  while (end > begin && closing(token[end - 1])) --end;
  return {token.substr(0, begin), token.substr(begin, end - begin), token.substr(end)};
}

ValueType value_type(std::string_view core) {
  if (is_uuid(core)) return ValueType::uuid;
  if (is_ip(core)) return ValueType::ip;
  if (is_number(core)) return ValueType::number;
  if (is_numeric(core)) return ValueType::numeric;
  if (is_duration(core)) return ValueType::duration;
  if (is_hex(core)) return ValueType::hex;
  if (is_path(core)) return ValueType::path;
  return ValueType::word;
}

// Drain's preprocessing: a token whose core is plainly a value is a wildcard from the start.
bool masked(std::string_view token) {
  const std::string_view core = split_token(token).core;
  if (core.empty()) return false;
  const ValueType type = value_type(core);
  return type != ValueType::path && type != ValueType::word;
}

bool has_digit(std::string_view token) { return std::any_of(token.begin(), token.end(), is_digit); }

std::vector<std::string> tokenize(std::string_view line, size_t max_tokens) {
  std::vector<std::string> tokens;
  while (tokens.size() < max_tokens) {
    const size_t space = line.find(' ');
    tokens.emplace_back(line.substr(0, space));
    if (space == std::string_view::npos) break;
    line.remove_prefix(space + 1);
  }
  return tokens;
}

template <class T>
void add_distinct(std::vector<T>& list, const T& value, size_t cap) {
  if (list.size() < cap && std::find(list.begin(), list.end(), value) == list.end()) list.push_back(value);
}

constexpr std::string_view kWildcardKey = "\x1f*";

}  // namespace

std::string_view to_string(ValueType type) {
  switch (type) {
    case ValueType::number: return "number";
    case ValueType::numeric: return "numeric";
    case ValueType::duration: return "duration";
    case ValueType::hex: return "hex";
    case ValueType::uuid: return "uuid";
    case ValueType::ip: return "ip";
    case ValueType::path: return "path";
    case ValueType::quoted: return "quoted";
    case ValueType::word: break;
  }
  return "word";
}

std::string_view strip_log_prefix(std::string_view line) {
  const LinePrefix prefix = read_line_prefix(line, Timestamp{});
  line.remove_prefix(std::min(prefix.strip, line.size()));
  if (line.size() >= kEllipsis.size() && line.substr(line.size() - kEllipsis.size()) == kEllipsis) {
    line.remove_suffix(kEllipsis.size());
    const size_t space = line.rfind(' ');
    line = space == std::string_view::npos ? std::string_view() : line.substr(0, space);
  }
  return line;
}

struct TemplateMiner::Group {
  std::vector<std::string> tokens;
  std::vector<bool> wildcard;
  std::vector<std::vector<std::string>> values;  // per position: distinct tokens seen there
  std::vector<std::string> lines, tags;
  size_t weight = 0;
};

struct TemplateMiner::Node {
  std::unordered_map<std::string, std::unique_ptr<Node>> children;
  std::vector<Group*> groups;
};

TemplateMiner::TemplateMiner() : TemplateMiner(Options{}) {}
TemplateMiner::TemplateMiner(Options options) : options_(options) {
  options_.depth = std::max<size_t>(options_.depth, 2);
  options_.max_tokens = std::max<size_t>(options_.max_tokens, 1);
}
TemplateMiner::~TemplateMiner() = default;
TemplateMiner::TemplateMiner(TemplateMiner&&) noexcept = default;
TemplateMiner& TemplateMiner::operator=(TemplateMiner&&) noexcept = default;

// Walks the tree to the leaf for `tokens` (creating the path), and returns the most similar group there.
TemplateMiner::Group* TemplateMiner::find(const std::vector<std::string>& tokens, Node*& leaf) {
  std::unique_ptr<Node>& root = by_length_[tokens.size()];
  if (!root) root = std::make_unique<Node>();
  Node* node = root.get();
  const size_t levels = std::min(options_.depth - 2, tokens.size());
  for (size_t i = 0; i < levels; ++i) {
    std::string key = has_digit(tokens[i]) ? std::string(kWildcardKey) : tokens[i];
    auto it = node->children.find(key);
    if (it == node->children.end()) {
      if (node->children.size() >= options_.max_children) key = kWildcardKey;
      it = node->children.try_emplace(key).first;
      if (!it->second) it->second = std::make_unique<Node>();
    }
    node = it->second.get();
  }
  leaf = node;
  Group* best = nullptr;
  double best_similarity = -1;
  size_t best_wildcards = 0;
  for (Group* group : node->groups) {
    size_t same = 0, wildcards = 0;
    for (size_t i = 0; i < tokens.size(); ++i) {
      if (group->wildcard[i]) ++wildcards;
      else if (group->tokens[i] == tokens[i]) ++same;
    }
    const double similarity = static_cast<double>(same) / static_cast<double>(tokens.size());
    if (similarity > best_similarity || (similarity == best_similarity && wildcards > best_wildcards)) {
      best = group;
      best_similarity = similarity;
      best_wildcards = wildcards;
    }
  }
  return best && best_similarity >= options_.similarity ? best : nullptr;
}

void TemplateMiner::add(std::string_view line, std::string_view tag, size_t weight) {
  const std::string_view message = strip_log_prefix(line);
  const std::vector<std::string> tokens = tokenize(message, options_.max_tokens);
  Node* leaf = nullptr;
  Group* group = find(tokens, leaf);
  if (!group) {
    if (groups_.size() >= options_.max_groups) return;
    auto created = std::make_unique<Group>();
    created->tokens = tokens;
    created->wildcard.resize(tokens.size());
    created->values.resize(tokens.size());
    for (size_t i = 0; i < tokens.size(); ++i) created->wildcard[i] = masked(tokens[i]);
    group = created.get();
    leaf->groups.push_back(group);
    groups_.push_back(std::move(created));
  }
  for (size_t i = 0; i < tokens.size(); ++i) {
    if (!group->wildcard[i] && group->tokens[i] != tokens[i]) group->wildcard[i] = true;
    add_distinct(group->values[i], tokens[i], kMaxValues);
  }
  add_distinct(group->lines, std::string(message), options_.max_lines);
  if (!tag.empty()) add_distinct(group->tags, std::string(tag), options_.max_lines);
  group->weight += weight;
}

std::vector<LogTemplate> TemplateMiner::templates() const {
  std::vector<LogTemplate> out;
  for (const auto& group : groups_) {
    LogTemplate t;
    t.lines = group->lines;
    t.tags = group->tags;
    t.weight = group->weight;
    for (size_t i = 0; i < group->tokens.size(); ++i) {
      TemplateToken token;
      if (!group->wildcard[i]) {
        token.text = group->tokens[i];
        t.tokens.push_back(std::move(token));
        continue;
      }
      token.variable = true;
      // The head and tail every value shares; the rest of each is the value.
      std::vector<Split> splits;
      for (const std::string& value : group->values[i]) splits.push_back(split_token(value));
      const bool same_head = std::all_of(splits.begin(), splits.end(), [&](const Split& s) { return s.head == splits[0].head; });
      const bool same_tail = std::all_of(splits.begin(), splits.end(), [&](const Split& s) { return s.tail == splits[0].tail; });
      if (same_head) token.head = std::string(splits[0].head);
      if (same_tail) token.tail = std::string(splits[0].tail);
      bool quoted = !token.head.empty() && !token.tail.empty() && is_quote(token.head.back()) &&
                    token.tail.front() == token.head.back();
      bool first = true;
      for (const std::string& value : group->values[i]) {
        std::string_view core = value;
        core.remove_prefix(token.head.size());
        core.remove_suffix(token.tail.size());
        add_distinct(token.values, std::string(core), kMaxValues);
        const ValueType type = quoted ? ValueType::quoted : core.empty() ? ValueType::word : value_type(core);
        // Values of different types: the wider of the two (a number also reads as a word).
        if (first) token.type = type;
        else if (token.type != type) token.type = (token.type == ValueType::hex && type == ValueType::number) ||
                                                          (token.type == ValueType::number && type == ValueType::hex)
                                                      ? ValueType::hex
                                                      : ValueType::word;
        first = false;
      }
      t.tokens.push_back(std::move(token));
    }
    out.push_back(std::move(t));
  }
  std::stable_sort(out.begin(), out.end(), [](const LogTemplate& a, const LogTemplate& b) {
    if (a.tags.size() != b.tags.size()) return a.tags.size() > b.tags.size();
    return a.weight > b.weight;
  });
  return out;
}

std::string LogTemplate::describe() const {
  std::string out;
  for (size_t i = 0; i < tokens.size(); ++i) {
    if (i > 0) out += ' ';
    const TemplateToken& t = tokens[i];
    if (!t.variable) out += t.text;
    else out += t.head + "<" + std::string(to_string(t.type)) + ">" + t.tail;
  }
  return out;
}

}  // namespace faultline
