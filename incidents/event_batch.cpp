#include "incidents/event_batch.h"

#include <stdexcept>

#include "parsers/timestamp.h"

namespace faultline {
namespace {

using nlohmann::json;

// Integer nanoseconds: exact, and cheaper than RFC 3339 text in a hot journal.
long long nanos(Timestamp t) { return t.time_since_epoch().count(); }
Timestamp from_nanos(long long n) { return Timestamp{std::chrono::nanoseconds{n}}; }

const json& field(const json& object, const char* key) {
  auto it = object.find(key);
  if (it == object.end()) throw std::invalid_argument(std::string("missing field \"") + key + "\"");
  return *it;
}

json event_to_json(const Event& e) {
  json j{{"rule", e.rule_id},       {"kind", to_string(e.kind)},     {"severity", to_string(e.severity)},
         {"time", nanos(e.time)},   {"service", e.service},          {"revision", e.revision},
         {"instance", e.instance},  {"source_id", e.source_id},      {"sample", e.sample}};
  // Fields that are usually empty are left out: the journal is written on every matched request.
  if (e.terminates) j["terminates"] = true;
  if (e.fallback) j["fallback"] = true;
  if (!e.captures.empty()) j["captures"] = e.captures;
  if (!e.summary.empty()) j["summary"] = e.summary;
  if (!e.hint.empty()) j["hint"] = e.hint;
  if (e.hint_decided) j["hint_decided"] = true;
  if (!e.namespace_name.empty()) j["namespace"] = e.namespace_name;
  if (!e.cluster.empty()) j["cluster"] = e.cluster;
  if (!e.stream.empty()) j["stream"] = e.stream;
  if (!e.resource_type.empty()) j["resource_type"] = e.resource_type;
  if (e.culprit) j["culprit"] = {{"file", e.culprit->file}, {"line", e.culprit->line}, {"function", e.culprit->function}};
  if (!e.suspects.empty()) {
    json& suspects = j["suspects"] = json::array();
    for (const SuspectLine& s : e.suspects)
      suspects.push_back({{"time", nanos(s.time)}, {"instance", s.instance}, {"line", s.line}});
  }
  return j;
}

std::string optional_text(const json& j, const char* key) { return j.value(key, std::string()); }

Event event_from_json(const json& j) {
  Event e;
  e.rule_id = field(j, "rule").get<std::string>();
  if (!parse_rule_kind(field(j, "kind").get<std::string>(), e.kind)) throw std::invalid_argument("bad \"kind\"");
  if (!parse_severity(field(j, "severity").get<std::string>(), e.severity))
    throw std::invalid_argument("bad \"severity\"");
  e.time = from_nanos(field(j, "time").get<long long>());
  e.service = field(j, "service").get<std::string>();
  e.revision = optional_text(j, "revision");
  e.instance = optional_text(j, "instance");
  e.source_id = optional_text(j, "source_id");
  e.sample = optional_text(j, "sample");
  e.terminates = j.value("terminates", false);
  e.fallback = j.value("fallback", false);
  if (auto it = j.find("captures"); it != j.end())
    e.captures = it->get<std::vector<std::pair<std::string, std::string>>>();
  e.summary = optional_text(j, "summary");
  e.hint = optional_text(j, "hint");
  e.hint_decided = j.value("hint_decided", false);
  e.namespace_name = optional_text(j, "namespace");
  e.cluster = optional_text(j, "cluster");
  e.stream = optional_text(j, "stream");
  e.resource_type = optional_text(j, "resource_type");
  if (auto it = j.find("culprit"); it != j.end())
    e.culprit = Frame{field(*it, "file").get<std::string>(), field(*it, "line").get<int>(),
                      field(*it, "function").get<std::string>()};
  if (auto it = j.find("suspects"); it != j.end()) {
    if (!it->is_array()) throw std::invalid_argument("\"suspects\" is not an array");
    for (const json& s : *it)
      e.suspects.push_back(SuspectLine{from_nanos(field(s, "time").get<long long>()),
                                       field(s, "instance").get<std::string>(), field(s, "line").get<std::string>()});
  }
  return e;
}

json events_to_json(const std::vector<Event>& events) {
  json out = json::array();
  for (const Event& e : events) out.push_back(event_to_json(e));
  return out;
}

std::vector<Event> events_from_json(const json& j, const char* key) {
  std::vector<Event> out;
  auto it = j.find(key);
  if (it == j.end()) return out;
  if (!it->is_array()) throw std::invalid_argument(std::string("\"") + key + "\" is not an array");
  for (size_t i = 0; i < it->size(); ++i) {
    try {
      out.push_back(event_from_json((*it)[i]));
    } catch (const std::exception& e) {
      throw std::invalid_argument(std::string(key) + "[" + std::to_string(i) + "]: " + e.what());
    }
  }
  return out;
}

}  // namespace

void EventBatch::append(EventBatch&& later) {
  events.insert(events.end(), std::make_move_iterator(later.events.begin()), std::make_move_iterator(later.events.end()));
  contexts.insert(contexts.end(), std::make_move_iterator(later.contexts.begin()),
                  std::make_move_iterator(later.contexts.end()));
  if (later.clock && (!clock || *later.clock > *clock)) clock = later.clock;
  lifecycle.insert(lifecycle.end(), std::make_move_iterator(later.lifecycle.begin()),
                   std::make_move_iterator(later.lifecycle.end()));
  if (later.wall && (!wall || *later.wall > *wall)) wall = later.wall;
}

json to_json(const EventBatch& batch) {
  json j = json::object();
  if (!batch.events.empty()) j["events"] = events_to_json(batch.events);
  if (!batch.contexts.empty()) j["contexts"] = events_to_json(batch.contexts);
  if (batch.clock) j["clock"] = nanos(*batch.clock);
  if (batch.wall) j["wall"] = nanos(*batch.wall);
  for (const LifecycleAction& a : batch.lifecycle)
    j["lifecycle"].push_back({{"action", a.kind == LifecycleKind::acknowledge ? "acknowledge" : "resolve"},
                              {"incident_id", a.incident_id},
                              {"by", a.by},
                              {"note", a.note},
                              {"at", nanos(a.at)}});
  return j;
}

EventBatch event_batch_from_json(const json& body) {
  if (!body.is_object()) throw std::invalid_argument("an event batch is a JSON object");
  EventBatch batch;
  try {
    batch.events = events_from_json(body, "events");
    batch.contexts = events_from_json(body, "contexts");
    if (auto it = body.find("clock"); it != body.end()) batch.clock = from_nanos(it->get<long long>());
    if (auto it = body.find("wall"); it != body.end()) batch.wall = from_nanos(it->get<long long>());
    if (auto it = body.find("lifecycle"); it != body.end()) {
      if (!it->is_array()) throw std::invalid_argument("\"lifecycle\" is not an array");
      for (const json& a : *it) {
        const std::string action = field(a, "action").get<std::string>();
        if (action != "acknowledge" && action != "resolve") throw std::invalid_argument("bad lifecycle action " + action);
        batch.lifecycle.push_back(LifecycleAction{action == "acknowledge" ? LifecycleKind::acknowledge : LifecycleKind::resolve,
                                                  field(a, "incident_id").get<std::string>(),
                                                  field(a, "by").get<std::string>(), field(a, "note").get<std::string>(),
                                                  from_nanos(field(a, "at").get<long long>())});
      }
    }
  } catch (const json::exception& e) {
    throw std::invalid_argument(e.what());
  }
  return batch;
}

}  // namespace faultline
