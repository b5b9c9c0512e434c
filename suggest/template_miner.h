// TemplateMiner: groups log lines into templates, the constant words kept and
// the parts that vary marked, with Drain (He, Zhu, Zheng and Lyu, "Drain: An
// Online Log Parsing Approach with Fixed Depth Tree", ICWS 2017):
//
//   - a line is cut into tokens at spaces, after what a logger put before the
//     message (a timestamp, parsers/line_prefix.h) is dropped;
//   - tokens that are plainly values (numbers, dates and times, durations, hex
//     ids, UUIDs, IP addresses, also inside "key=42," or "(0x1f)") are masked
//     before grouping, as Drain's
//     preprocessing does, so that one line alone already yields a template;
//   - a fixed-depth tree picks the candidate groups: first by token count, then
//     by the first depth - 2 tokens (a token with a digit, or one past a node's
//     max_children, goes under the wildcard child);
//   - among them the line joins the group sharing the largest share of
//     constant tokens position by position (ties: the one with more
//     wildcards), if that share reaches `similarity`; the positions that differ
//     become wildcards. Otherwise it starts a group of its own.
//
// Each wildcard is then typed from the values seen there: a number, a date,
// time or version, a duration, a hex id, a UUID, an IP address, a path, a
// quoted name, or a word; with the constant
// punctuation around it ("shard=" and "," of "shard=7,") kept apart.
//
// Bounded for arbitrary input: tokens per line, groups, and the lines and
// values each group keeps are capped; a line past the caps still counts.
#pragma once

#include <cstddef>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace faultline {

// numeric: digits with separators (dates, times, versions); duration: 250ms, 6min.
enum class ValueType { number, numeric, duration, hex, uuid, ip, path, quoted, word };
std::string_view to_string(ValueType type);

struct TemplateToken {
  bool variable = false;
  std::string text;  // a constant token as written
  // A variable: the constant text around the part that varies, its type, and
  // the distinct values that part took (at most a few).
  std::string head, tail;
  ValueType type = ValueType::word;
  std::vector<std::string> values;
};

struct LogTemplate {
  std::vector<TemplateToken> tokens;  // written with one space between each
  std::vector<std::string> lines;     // distinct lines it grouped, as given to add(), in order
  std::vector<std::string> tags;      // distinct tags of those lines, in order
  size_t weight = 0;                  // the weights of every line added to it
  // Rendered: "FATAL: shard <number> checksum mismatch".
  std::string describe() const;
};

class TemplateMiner {
 public:
  struct Options {
    // Drain's depth: the token count, then depth - 2 leading tokens. 3, not the
    // paper's 4: a name in second place ("tenant 'acme' has no config") must not
    // keep otherwise equal lines apart, and crash lines are few.
    size_t depth = 3;
    double similarity = 0.4;    // Drain's st
    size_t max_children = 100;  // per tree node
    size_t max_tokens = 128;    // a longer line is grouped by its first max_tokens tokens
    size_t max_groups = 1000;   // past it, a line that fits no group is dropped
    size_t max_lines = 16;      // distinct lines (and tags) kept per group
  };

  TemplateMiner();
  explicit TemplateMiner(Options options);
  ~TemplateMiner();
  TemplateMiner(TemplateMiner&&) noexcept;
  TemplateMiner& operator=(TemplateMiner&&) noexcept;

  // `tag` says where the line came from (an instance), `weight` how often it counts.
  void add(std::string_view line, std::string_view tag = {}, size_t weight = 1);
  // The groups, those seen under the most tags first, then the heaviest.
  std::vector<LogTemplate> templates() const;

 private:
  struct Group;
  struct Node;
  Group* find(const std::vector<std::string>& tokens, Node*& leaf);

  Options options_;
  std::vector<std::unique_ptr<Group>> groups_;
  std::map<size_t, std::unique_ptr<Node>> by_length_;
};

// The line without what a logger put before the message: a leading timestamp
// (parsers/line_prefix.h), and a "…" that marks it cut (SuspectLog clips long
// lines) with the partial token before it.
std::string_view strip_log_prefix(std::string_view line);

}  // namespace faultline
