#include "rules/lookup_table.h"

#include <algorithm>
#include <exception>

#include <yaml-cpp/yaml.h>

#include "rules/rule_loader.h"

namespace faultline {
namespace {

int line_of(const YAML::Node& node, int fallback) {
  if (!node.IsDefined()) return fallback;
  const YAML::Mark mark = node.Mark();
  return mark.line >= 0 ? mark.line + 1 : fallback;
}

// Field names become part of template names ("{so_debian}").
bool is_field_name(std::string_view name) {
  if (name.empty() || !((name[0] >= 'a' && name[0] <= 'z') || name[0] == '_')) return false;
  return std::all_of(name.begin(), name.end(),
                     [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'; });
}

class TableReader {
 public:
  TableReader(const std::string& origin, std::vector<RuleProblem>& problems)
      : origin_(origin), problems_(problems) {}

  std::shared_ptr<const LookupTable> read(const std::string& yaml) {
    YAML::Node root;
    try {
      root = YAML::Load(yaml);
    } catch (const YAML::ParserException& e) {
      report(e.mark.line >= 0 ? e.mark.line + 1 : 0, "YAML syntax: " + e.msg);
      return nullptr;
    } catch (const std::exception& e) {
      report(0, std::string("YAML: ") + e.what());
      return nullptr;
    }
    auto table = std::make_shared<LookupTable>();
    table->file = origin_;
    table->line = 1;
    try {
      read_root(root, *table);
    } catch (const std::exception& e) {
      problems_.push_back(unexpected_yaml(origin_, line_, e));
      ok_ = false;
    }
    return ok_ ? table : nullptr;
  }

 private:
  void report(int line, std::string message) {
    ok_ = false;
    problems_.push_back(RuleProblem{origin_, line, "", "table: " + std::move(message)});
  }

  void read_root(const YAML::Node& root, LookupTable& table) {
    if (!root.IsMap()) {
      report(line_of(root, 1), "expected a map with name, source, license and entries");
      return;
    }
    YAML::Node entries;
    for (auto it = root.begin(); it != root.end(); ++it) {
      line_ = line_of(it->first, line_);
      const std::string key = it->first.IsScalar() ? it->first.Scalar() : std::string();
      const YAML::Node value = it->second;  // a copy: `it->` points into a temporary
      if (key == "entries") {
        entries = value;
        continue;
      }
      std::string* target = key == "name" ? &table.name : key == "source" ? &table.source
                          : key == "license" ? &table.license : nullptr;
      if (key == "separator") {
        if (!value.IsScalar() || value.Scalar().size() != 1)
          report(line_of(value, line_), "separator: must be one character, e.g. \".\" or \"/\"");
        else
          table.separator = value.Scalar()[0];
      } else if (!target) {
        report(line_, "unknown key '" + key + "' (known keys: name source license separator entries)");
      } else if (!value.IsScalar() || value.Scalar().empty()) {
        report(line_of(value, line_), key + ": must be a non-empty string");
      } else {
        *target = value.Scalar();
      }
    }
    for (const char* required : {"name", "source", "license"}) {
      const std::string& value = std::string_view(required) == "name" ? table.name
                                 : std::string_view(required) == "source" ? table.source
                                                                          : table.license;
      if (value.empty() && !root[required]) report(1, std::string("missing required key '") + required + "'");
    }
    if (!table.name.empty() && !is_field_name(table.name))
      report(line_of(root["name"], 1), "name: '" + table.name + "' must be snake_case");
    if (!entries.IsDefined() || entries.IsNull()) {
      report(1, "missing `entries` (a map of key -> value)");
      return;
    }
    if (!entries.IsMap() || entries.size() == 0) {
      report(line_of(entries, 1), "entries: must be a non-empty map of key -> value");
      return;
    }
    read_entries(entries, table);
  }

  void read_entries(const YAML::Node& entries, LookupTable& table) {
    // First pass: the fields, in order of first appearance, and the value shape.
    bool scalar_values = false, map_values = false;
    for (auto it = entries.begin(); it != entries.end(); ++it) {
      const YAML::Node value = it->second;  // a copy: `it->` points into a temporary
      if (value.IsScalar()) {
        scalar_values = true;
      } else if (value.IsMap()) {
        map_values = true;
        for (auto f = value.begin(); f != value.end(); ++f) {
          const std::string field = f->first.IsScalar() ? f->first.Scalar() : std::string();
          if (!is_field_name(field)) {
            report(line_of(f->first, line_), "entries: field '" + field + "' must be snake_case");
            continue;
          }
          if (std::find(table.fields.begin(), table.fields.end(), field) == table.fields.end())
            table.fields.push_back(field);
        }
      }
    }
    if (scalar_values && map_values) {
      report(line_of(entries, 1), "entries: every value must be a string, or every value a map of fields; "
                                  "this table mixes both");
      return;
    }
    for (auto it = entries.begin(); it != entries.end(); ++it) {
      const int line = line_of(it->first, line_);
      if (!it->first.IsScalar() || it->first.Scalar().empty()) {
        report(line, "entries: every key must be a non-empty string");
        continue;
      }
      const std::string key = it->first.Scalar();
      std::vector<std::string> values(std::max<size_t>(table.fields.size(), 1));
      const YAML::Node value = it->second;  // a copy: `it->` points into a temporary
      if (value.IsScalar()) {
        values[0] = value.Scalar();
      } else if (value.IsMap()) {
        for (auto f = value.begin(); f != value.end(); ++f) {
          if (!f->second.IsScalar()) {
            report(line_of(f->second, line), "entries." + key + ": every field must be a string");
            continue;
          }
          const std::string field = f->first.IsScalar() ? f->first.Scalar() : std::string();
          const auto at = std::find(table.fields.begin(), table.fields.end(), field);
          if (at != table.fields.end()) values[static_cast<size_t>(at - table.fields.begin())] = f->second.Scalar();
        }
      } else {
        report(line, "entries." + key + ": must be a string or a map of fields");
        continue;
      }
      if (!table.entries.emplace(key, std::move(values)).second)
        report(line, "entries: key '" + key + "' is given twice");
    }
  }

  const std::string& origin_;
  std::vector<RuleProblem>& problems_;
  bool ok_ = true;
  int line_ = 1;
};

}  // namespace

const std::vector<std::string>* LookupTable::find(std::string_view key) const {
  while (!key.empty()) {
    if (auto it = entries.find(key); it != entries.end()) return &it->second;
    const size_t cut = key.rfind(separator);
    if (cut == std::string_view::npos) return nullptr;
    key = key.substr(0, cut);
  }
  return nullptr;
}

std::shared_ptr<const LookupTable> read_lookup_table(const std::string& yaml, const std::string& origin,
                                                     std::vector<RuleProblem>& problems) {
  return TableReader(origin, problems).read(yaml);
}

}  // namespace faultline
