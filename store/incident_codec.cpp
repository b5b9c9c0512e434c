#include "store/incident_codec.h"

#include <algorithm>
#include <stdexcept>
#include <string>

namespace faultline {
namespace {

using nlohmann::json;

// Reads one JSON object, naming the path of whatever is wrong ("chain[2].kind").
class Reader {
 public:
  Reader(const json& object, std::string where) : object_(object), where_(std::move(where)) {
    if (!object_.is_object()) fail("", "an object");
  }

  [[noreturn]] void fail(std::string_view key, std::string_view expected) const {
    std::string field = where_;
    if (!key.empty()) field += (field.empty() ? "" : ".") + std::string(key);
    throw std::invalid_argument("field '" + (field.empty() ? std::string("(incident)") : field) + "': expected " +
                                std::string(expected));
  }

  // Missing and null read the same: to_json writes null for unset optionals.
  const json* optional(std::string_view key) const {
    auto it = object_.find(key);
    return it == object_.end() || it->is_null() ? nullptr : &*it;
  }
  const json& required(std::string_view key, std::string_view expected) const {
    const json* value = optional(key);
    if (!value) fail(key, expected);
    return *value;
  }

  std::string string(std::string_view key) const {
    const json& value = required(key, "a string");
    if (!value.is_string()) fail(key, "a string");
    return value.get<std::string>();
  }
  std::string string_or_empty(std::string_view key) const {
    auto value = optional_string(key);
    return value ? *value : std::string();
  }
  std::optional<std::string> optional_string(std::string_view key) const {
    const json* value = optional(key);
    if (!value) return std::nullopt;
    if (!value->is_string()) fail(key, "a string or null");
    return value->get<std::string>();
  }
  int integer(std::string_view key) const {
    const json& value = required(key, "an integer");
    if (!value.is_number_integer()) fail(key, "an integer");
    return value.get<int>();
  }
  bool boolean(std::string_view key) const {
    const json& value = required(key, "true or false");
    if (!value.is_boolean()) fail(key, "true or false");
    return value.get<bool>();
  }
  Timestamp time(std::string_view key) const {
    const json* value = optional(key);
    std::optional<Timestamp> t;
    if (value && value->is_string()) t = parse_rfc3339(value->get<std::string>());
    if (!t) fail(key, "an RFC 3339 time");
    return *t;
  }
  std::optional<Timestamp> optional_time(std::string_view key) const {
    auto text = optional_string(key);
    if (!text) return std::nullopt;
    auto t = parse_rfc3339(*text);
    if (!t) fail(key, "an RFC 3339 time or null");
    return t;
  }
  const json& array(std::string_view key) const {
    const json& value = required(key, "an array");
    if (!value.is_array()) fail(key, "an array");
    return value;
  }
  const json& object(std::string_view key) const {
    const json& value = required(key, "an object");
    if (!value.is_object()) fail(key, "an object");
    return value;
  }
  std::vector<std::string> strings(std::string_view key) const {
    std::vector<std::string> out;
    for (const json& item : array(key)) {
      if (!item.is_string()) fail(key, "an array of strings");
      out.push_back(item.get<std::string>());
    }
    return out;
  }
  template <typename Parse, typename T>
  T parsed(std::string_view key, Parse parse, T initial, std::string_view expected) const {
    const json& value = required(key, expected);
    T out = initial;
    if (!value.is_string() || !parse(value.get<std::string>(), out)) fail(key, expected);
    return out;
  }

  std::string at(std::string_view key, size_t index) const {
    std::string base = where_.empty() ? std::string(key) : where_ + "." + std::string(key);
    return base + "[" + std::to_string(index) + "]";
  }
  std::string at(std::string_view key) const { return where_.empty() ? std::string(key) : where_ + "." + std::string(key); }

 private:
  const json& object_;
  std::string where_;
};

RootCause read_root_cause(const Reader& r) {
  RootCause root;
  root.rule = r.string("rule");
  root.message = r.string("message");
  // The flattened copies beside rule/message are for readers; "captures" holds
  // every capture as text.
  for (const auto& [name, value] : r.object("captures").items()) {
    if (!value.is_string()) r.fail("captures." + name, "a string");
    root.captures.emplace_back(name, value.get<std::string>());
  }
  if (const json* frame = r.optional("frame")) {
    Reader f(*frame, r.at("frame"));
    root.frame = Frame{f.string("file"), f.integer("line"), f.string("function")};
  }
  return root;
}

std::optional<DeployInfo> read_deploy(const Reader& r) {
  const json* deploy = r.optional("deploy");
  if (!deploy) return std::nullopt;
  Reader d(*deploy, r.at("deploy"));
  DeployInfo out;
  out.revision = d.string("revision");
  out.previous_revision = d.optional_string("previous_revision");
  if (const json* healthy = d.optional("previous_healthy")) {
    if (!healthy->is_boolean()) d.fail("previous_healthy", "true, false or null");
    out.previous_healthy = healthy->get<bool>();
  }
  out.bad_deploy = d.boolean("bad_deploy");
  out.revision_first_seen = d.optional_time("revision_first_seen");
  out.rollback_hint = d.optional_string("rollback_hint");
  out.new_line = d.optional_string("new_line");
  return out;
}

}  // namespace

Incident incident_from_json(const json& body) {
  Reader r(body, "");
  Incident i;
  i.id = r.string("id");
  i.fingerprint = r.string("fingerprint");
  i.state = r.parsed("state", parse_incident_state, IncidentState::open, "open, acknowledged or resolved");
  i.severity = r.parsed("severity", parse_severity, Severity::warning, "info, warning or critical");
  i.service = r.string("service");
  i.namespace_name = r.string_or_empty("namespace");
  i.cluster = r.string_or_empty("cluster");
  i.revisions = r.strings("revisions");
  i.instances = r.strings("instance_ids");
  i.root_cause = read_root_cause(Reader(r.object("root_cause"), "root_cause"));

  const json& chain = r.array("chain");
  for (size_t n = 0; n < chain.size(); ++n) {
    Reader c(chain[n], r.at("chain", n));
    i.chain.push_back(ChainLink{c.string("rule"),
                                c.parsed("kind", parse_rule_kind, RuleKind::cause,
                                         "cause, effect, exit, loop or recovery"),
                                c.integer("count"), c.time("first_seen"), c.time("last_seen"), c.string("sample")});
  }

  i.exits = r.integer("exits");
  for (const auto& [code, count] : r.object("exit_codes").items()) {
    if (!count.is_number_integer()) r.fail("exit_codes." + code, "an integer");
    i.exit_codes.emplace_back(code, count.get<int>());
  }
  i.crash_loop = r.boolean("crash_loop");
  i.occurrences = r.integer("occurrences");
  i.reopened = r.integer("reopened");
  i.opened_at = r.time("opened_at");
  i.last_seen = r.time("last_seen");
  // Not in the API shape: the latest failure is at most the last event seen;
  // apply_restore_json sets the exact value.
  i.last_failure = i.last_seen;
  i.acknowledged_at = r.optional_time("acknowledged_at");
  i.resolved_at = r.optional_time("resolved_at");
  i.resolved_by = r.optional_string("resolved_by");
  i.resolved_by_revision = r.optional_string("resolved_by_revision");
  i.detected_at = r.optional_time("detected_at");
  i.deploy = read_deploy(r);
  i.summary = r.string("summary");
  i.hint = r.string("hint");
  // Absent in incidents stored before suspect lines were kept.
  if (r.optional("suspect_lines")) {
    const json& suspects = r.array("suspect_lines");
    for (size_t n = 0; n < suspects.size(); ++n) {
      Reader s(suspects[n], r.at("suspect_lines", n));
      i.suspects.push_back(SuspectLine{s.time("time"), s.string("instance"), s.string("line"), s.integer("count")});
    }
  }

  const json& history = r.array("history");
  for (size_t n = 0; n < history.size(); ++n) {
    Reader h(history[n], r.at("history", n));
    i.history.push_back(HistoryEntry{h.time("at"), h.string("action"), h.string("by"), h.string("note")});
  }
  return i;
}

json to_restore_json(const Incident& incident) {
  // to_json writes captures and exit codes as objects, which sort by key and
  // keep one value per key; correlation wants them as they were.
  json captures = json::array();
  for (const auto& [name, value] : incident.root_cause.captures) captures.push_back({name, value});
  json exit_codes = json::array();
  for (const auto& [code, count] : incident.exit_codes) exit_codes.push_back({code, count});
  // The timeline as [milliseconds, kind, instance, revision] rows: at most
  // kMaxTimelineMarks short arrays.
  json timeline = json::array();
  for (const TimelineMark& mark : incident.timeline)
    timeline.push_back({mark.at_ms(), to_string(mark.kind()), mark.instance(), mark.revision()});
  return {{"last_failure", format_rfc3339(incident.last_failure)},
          {"captures", std::move(captures)},
          {"exit_codes", std::move(exit_codes)},
          {"timeline", std::move(timeline)}};
}

void apply_restore_json(const json& restore, Incident& incident) {
  Reader r(restore, "restore");
  Timestamp last_failure = r.time("last_failure");

  std::vector<std::pair<std::string, std::string>> captures;
  for (const json& pair : r.array("captures")) {
    if (!pair.is_array() || pair.size() != 2 || !pair[0].is_string() || !pair[1].is_string())
      r.fail("captures", "[name, value] pairs of strings");
    captures.emplace_back(pair[0].get<std::string>(), pair[1].get<std::string>());
  }
  std::vector<std::pair<std::string, int>> exit_codes;
  for (const json& pair : r.array("exit_codes")) {
    if (!pair.is_array() || pair.size() != 2 || !pair[0].is_string() || !pair[1].is_number_integer())
      r.fail("exit_codes", "[code, count] pairs");
    exit_codes.emplace_back(pair[0].get<std::string>(), pair[1].get<int>());
  }

  // Absent in incidents stored before timelines were kept: they draw without marks.
  Timeline timeline;
  if (r.optional("timeline")) {
    for (const json& row : r.array("timeline")) {
      RuleKind kind{};
      if (!row.is_array() || row.size() != 4 || !row[0].is_number_integer() || !row[1].is_string() ||
          !parse_rule_kind(row[1].get<std::string>(), kind) || !row[2].is_number_unsigned() ||
          !row[3].is_number_unsigned())
        r.fail("timeline", "[milliseconds, kind, instance, revision] rows");
      if (timeline.size() < kMaxTimelineMarks)
        timeline.push_back(TimelineMark::from_millis(row[0].get<int64_t>(), kind, row[2].get<size_t>(),
                                                     row[3].get<size_t>()));
    }
  }

  std::stable_sort(timeline.begin(), timeline.end(),
                   [](const TimelineMark& a, const TimelineMark& b) { return a.at_ms() < b.at_ms(); });

  incident.last_failure = last_failure;
  incident.timeline = std::move(timeline);
  incident.root_cause.captures = std::move(captures);
  incident.exit_codes = std::move(exit_codes);
}

}  // namespace faultline
