#include <algorithm>
#include <string_view>

#include "incidents/fingerprint.h"
#include "incidents/incident.h"

namespace faultline {
namespace {

using nlohmann::json;

json time_or_null(const std::optional<Timestamp>& t) {
  return t ? json(format_rfc3339(*t)) : json(nullptr);
}

json string_or_null(std::string_view s) { return s.empty() ? json(nullptr) : json(s); }

// Ports, codes and sizes read best as numbers ("port": 8080); everything else
// stays text. Nine digits at most, so nothing overflows or loses precision.
json capture_value(const std::string& value) {
  if (value.empty() || value.size() > 9) return value;
  long long number = 0;
  for (char c : value) {
    if (c < '0' || c > '9') return value;
    number = number * 10 + (c - '0');
  }
  return number;
}

json fingerprint_fields(const Incident& incident) {
  json fields = json::object();
  auto parts = parse_fingerprint(incident.fingerprint);
  if (!parts) return fields;
  fields["version"] = parts->version;
  if (!parts->cluster.empty()) fields["cluster"] = parts->cluster;
  if (!parts->namespace_name.empty()) fields["namespace"] = parts->namespace_name;
  fields["service"] = parts->service;
  fields["rule"] = parts->rule;
  if (!parts->capture_name.empty()) fields[parts->capture_name] = parts->capture_value;
  return fields;
}

json root_cause_json(const RootCause& root) {
  json out = json::object();
  out["rule"] = root.rule;
  json captures = json::object();
  for (const auto& [name, value] : root.captures) {
    captures[name] = value;
    // Flattened beside rule/message/frame as the API reference shows; a capture that
    // would shadow one of those stays only in "captures".
    if (name != "rule" && name != "message" && name != "frame" && name != "captures")
      out[name] = capture_value(value);
  }
  out["captures"] = std::move(captures);
  out["message"] = root.message;
  if (root.frame)
    out["frame"] = {{"file", root.frame->file}, {"line", root.frame->line}, {"function", root.frame->function}};
  else
    out["frame"] = nullptr;
  return out;
}

json deploy_json(const std::optional<DeployInfo>& deploy) {
  if (!deploy) return nullptr;
  auto optional_string = [](const std::optional<std::string>& s) { return s ? json(*s) : json(nullptr); };
  return {{"revision", deploy->revision},
          {"previous_revision", optional_string(deploy->previous_revision)},
          {"previous_healthy", deploy->previous_healthy ? json(*deploy->previous_healthy) : json(nullptr)},
          {"bad_deploy", deploy->bad_deploy},
          {"revision_first_seen", time_or_null(deploy->revision_first_seen)},
          {"rollback_hint", optional_string(deploy->rollback_hint)},
          {"new_line", optional_string(deploy->new_line)}};
}

}  // namespace

nlohmann::json to_json(const Incident& incident) {
  json j = json::object();
  j["id"] = incident.id;
  j["fingerprint"] = incident.fingerprint;
  j["fingerprint_fields"] = fingerprint_fields(incident);
  j["state"] = to_string(incident.state);
  j["severity"] = to_string(incident.severity);
  j["service"] = incident.service;
  j["namespace"] = string_or_null(incident.namespace_name);
  j["cluster"] = string_or_null(incident.cluster);
  j["revisions"] = incident.revisions;
  j["first_revision"] = incident.revisions.empty() ? json(nullptr) : json(incident.revisions.front());
  j["instances"] = incident.instances.size();
  j["instance_ids"] = incident.instances;
  j["root_cause"] = root_cause_json(incident.root_cause);
  json chain = json::array();
  for (const ChainLink& link : incident.chain)
    chain.push_back({{"rule", link.rule},
                     {"kind", to_string(link.kind)},
                     {"count", link.count},
                     {"first_seen", format_rfc3339(link.first_seen)},
                     {"last_seen", format_rfc3339(link.last_seen)},
                     {"sample", link.sample}});
  j["chain"] = std::move(chain);
  j["exits"] = incident.exits;
  json codes = json::object();
  for (const auto& [code, count] : incident.exit_codes) codes[code] = count;
  j["exit_codes"] = std::move(codes);
  j["crash_loop"] = incident.crash_loop;
  j["occurrences"] = incident.occurrences;
  j["reopened"] = incident.reopened;
  j["opened_at"] = format_rfc3339(incident.opened_at);
  j["last_seen"] = format_rfc3339(incident.last_seen);
  j["acknowledged_at"] = time_or_null(incident.acknowledged_at);
  j["resolved_at"] = time_or_null(incident.resolved_at);
  j["resolved_by"] = incident.resolved_by ? json(*incident.resolved_by) : json(nullptr);
  j["resolved_by_revision"] =
      incident.resolved_by_revision ? json(*incident.resolved_by_revision) : json(nullptr);
  j["detected_at"] = time_or_null(incident.detected_at);
  if (incident.detected_at) {
    // A host whose clock runs ahead logs events "after" their detection: the
    // delay is then unknown, and at least zero (as in the metric).
    const auto delay = std::max(*incident.detected_at - incident.opened_at, Timestamp::duration::zero());
    j["detection_delay_seconds"] = std::chrono::duration<double>(delay).count();
  } else {
    j["detection_delay_seconds"] = nullptr;
  }
  j["deploy"] = deploy_json(incident.deploy);
  j["summary"] = incident.summary;
  j["hint"] = incident.hint;
  json suspects = json::array();
  for (const SuspectLine& s : incident.suspects)
    suspects.push_back(
        {{"time", format_rfc3339(s.time)}, {"instance", s.instance}, {"line", s.line}, {"count", s.count}});
  j["suspect_lines"] = std::move(suspects);
  json history = json::array();
  for (const HistoryEntry& entry : incident.history)
    history.push_back({{"at", format_rfc3339(entry.at)},
                       {"action", entry.action},
                       {"by", entry.by},
                       {"note", entry.note}});
  j["history"] = std::move(history);
  return j;
}

}  // namespace faultline
