// A lookup table shipped beside the rule packs (rules/packs/*.table.yaml): maps
// what a log line names to what provides it (a Python import name to its PyPI
// distribution, a soname to its Debian and Alpine packages). A rule's `lookup:`
// resolves one of its captures through a table, so that its hint can name the
// thing to install instead of listing possibilities (README, "Writing rules").
#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "rules/rule_set.h"

namespace faultline {

struct LookupTable {
  std::string name;     // what rules refer to
  std::string source;   // where the entries come from (a URL), required
  std::string license;  // of the source, required
  // Keys are matched whole or by their longest prefix that ends at this
  // separator: with ".", google.cloud.pubsub_v1 finds the entry google.cloud.pubsub,
  // libGL.so.1 finds libGL.so; with "/", @babel/core/lib/x finds @babel/core.
  char separator = '.';
  // Entries whose value is a map carry these fields (one capture each,
  // "<as>_<field>"); empty when every value is a plain string.
  std::vector<std::string> fields;
  // key -> one value per field (or the single value when `fields` is empty); a
  // field an entry leaves out is "".
  std::map<std::string, std::vector<std::string>, std::less<>> entries;
  std::string file;
  int line = 0;

  // The entry for `key` or for its longest prefix at a separator; null when none.
  const std::vector<std::string>* find(std::string_view key) const;
};

using LookupTables = std::map<std::string, std::shared_ptr<const LookupTable>, std::less<>>;

// Parses one table document:
//   name: python_distributions
//   source: https://…            license: Apache-2.0
//   separator: "."               (optional, one character)
//   entries: {yaml: PyYAML, …}   or {libGL.so.1: {debian: libgl1, alpine: mesa-gl}, …}
// Returns null and appends precise problems (file:line) when it is malformed.
std::shared_ptr<const LookupTable> read_lookup_table(const std::string& yaml, const std::string& origin,
                                                     std::vector<RuleProblem>& problems);

}  // namespace faultline
