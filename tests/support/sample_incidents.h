// Incidents with every field exercised, for the codec and store tests.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "incidents/incident.h"
#include "parsers/timestamp.h"

namespace faultline::testing {

inline Timestamp at(const char* rfc3339) { return *parse_rfc3339(rfc3339); }

// A Cloud Run cascade: import failure -> middleware -> exit(3) -> crash loop,
// acknowledged and resolved, with a frame, captures and history.
inline Incident rich_incident(const std::string& id = "inc-backend-1") {
  Incident i;
  i.id = id;
  i.fingerprint = "v1|//backend|python_module_not_found|module=netra_backend.app.services.monitoring";
  i.state = IncidentState::resolved;
  i.severity = Severity::critical;
  i.service = "backend";
  i.revisions = {"backend-00042-abc", "backend-00043-def"};
  i.instances = {"00f4b2c9e1", "00a17d3355", "00c9e0aa01"};
  i.root_cause.rule = "python_module_not_found";
  i.root_cause.captures = {{"module", "netra_backend.app.services.monitoring"}, {"name", "x"}};
  i.root_cause.message = "ModuleNotFoundError: No module named 'netra_backend.app.services.monitoring'";
  i.root_cause.frame = Frame{"/app/netra_backend/app/core/gcp_auth_context_middleware.py", 23, "<module>"};
  i.chain = {
      {"python_module_not_found", RuleKind::cause, 3, at("2025-09-16T00:42:33.8193Z"),
       at("2025-09-16T00:44:01.000000001Z"), "ModuleNotFoundError: No module named 'netra_backend.app.services.monitoring'"},
      {"middleware_setup_failed", RuleKind::effect, 3, at("2025-09-16T00:42:34Z"), at("2025-09-16T00:44:02Z"),
       "RuntimeError: Failed to set up middleware \"quoted\" \\ and \xc3\xa9"},
      {"container_exit", RuleKind::exit, 3, at("2025-09-16T00:42:35Z"), at("2025-09-16T00:44:03Z"),
       "Container called exit(3)."},
      {"crash_loop_backoff", RuleKind::loop, 1, at("2025-09-16T00:44:10Z"), at("2025-09-16T00:44:10Z"),
       "Back-off restarting failed container"},
  };
  i.exits = 4;
  i.exit_codes = {{"3", 3}, {"137", 1}};
  i.crash_loop = true;
  i.occurrences = 3;
  i.reopened = 1;
  i.opened_at = at("2025-09-16T00:42:33.8193Z");
  i.last_seen = at("2025-09-16T00:44:10Z");
  i.last_failure = at("2025-09-16T00:44:03Z");
  i.acknowledged_at = at("2025-09-16T00:50:00Z");
  i.resolved_at = at("2025-09-16T01:02:03.5Z");
  i.resolved_by = "auto";
  i.resolved_by_revision = "backend-00044-fix";
  i.detected_at = at("2025-09-16T00:42:34.1Z");
  i.deploy = DeployInfo{"backend-00042-abc", "backend-00041-old", true, false, at("2025-09-16T00:40:00.5Z"),
                        std::nullopt};
  i.summary = "Python module netra_backend.app.services.monitoring cannot be imported";
  i.hint = "Is netra_backend copied into the image and importable from WORKDIR/PYTHONPATH?";
  i.history = {
      {at("2025-09-16T00:42:33.8193Z"), "opened", "auto", ""},
      {at("2025-09-16T00:44:03Z"), "crash_loop", "auto", ""},
      {at("2025-09-16T00:50:00Z"), "acknowledged", "alice", "looking at the Dockerfile"},
      {at("2025-09-16T01:02:03.5Z"), "resolved", "auto", "recovered on backend-00044-fix"},
  };
  i.timeline = {TimelineMark(at("2025-09-16T00:42:33.8193Z"), RuleKind::cause, 0, 0),
                TimelineMark(at("2025-09-16T00:42:35Z"), RuleKind::exit, 0, 0),
                TimelineMark(at("2025-09-16T00:44:01Z"), RuleKind::effect, TimelineMark::kNoInstance, 1),
                TimelineMark(at("2025-09-16T00:44:10Z"), RuleKind::loop, 2, TimelineMark::kNoRevision)};
  return i;
}

// An open incident with every optional field unset and nothing but the cause.
inline Incident bare_incident(const std::string& id, const std::string& service, Timestamp opened_at) {
  Incident i;
  i.id = id;
  i.fingerprint = "v1|prod/shop/" + service + "|container_exit|code=1";
  i.state = IncidentState::open;
  i.severity = Severity::warning;
  i.service = service;
  i.namespace_name = "shop";
  i.cluster = "prod";
  i.root_cause.rule = "generic_exit";
  i.root_cause.captures = {{"code", "1"}};
  i.root_cause.message = "exit code 1";
  i.chain = {{"generic_exit", RuleKind::exit, 1, opened_at, opened_at, "exit code 1"}};
  i.exits = 1;
  i.exit_codes = {{"1", 1}};
  i.occurrences = 1;
  i.opened_at = opened_at;
  i.last_seen = opened_at;
  i.last_failure = opened_at;
  i.history = {{opened_at, "opened", "auto", ""}};
  return i;
}

// Every field of an incident, written out independently of the codec under test,
// so that a comparison catches a field the codec forgets.
inline nlohmann::json every_field(const Incident& i) {
  auto t = [](Timestamp ts) { return ts.time_since_epoch().count(); };
  auto opt_t = [&](const std::optional<Timestamp>& ts) { return ts ? nlohmann::json(t(*ts)) : nlohmann::json(); };
  auto opt_s = [](const std::optional<std::string>& s) { return s ? nlohmann::json(*s) : nlohmann::json(); };
  nlohmann::json chain = nlohmann::json::array();
  for (const ChainLink& c : i.chain)
    chain.push_back({c.rule, to_string(c.kind), c.count, t(c.first_seen), t(c.last_seen), c.sample});
  nlohmann::json history = nlohmann::json::array();
  for (const HistoryEntry& h : i.history) history.push_back({t(h.at), h.action, h.by, h.note});
  nlohmann::json deploy;
  if (i.deploy)
    deploy = {i.deploy->revision, opt_s(i.deploy->previous_revision),
              i.deploy->previous_healthy ? nlohmann::json(*i.deploy->previous_healthy) : nlohmann::json(),
              i.deploy->bad_deploy, opt_t(i.deploy->revision_first_seen), opt_s(i.deploy->rollback_hint)};
  nlohmann::json timeline = nlohmann::json::array();
  for (const TimelineMark& m : i.timeline) timeline.push_back({m.at_ms(), to_string(m.kind()), m.instance(), m.revision()});
  nlohmann::json frame;
  if (i.root_cause.frame) frame = {i.root_cause.frame->file, i.root_cause.frame->line, i.root_cause.frame->function};
  return {
      {"id", i.id}, {"fingerprint", i.fingerprint}, {"state", to_string(i.state)},
      {"severity", to_string(i.severity)}, {"service", i.service}, {"namespace", i.namespace_name},
      {"cluster", i.cluster}, {"revisions", i.revisions}, {"instances", i.instances},
      {"rc_rule", i.root_cause.rule}, {"rc_captures", i.root_cause.captures},
      {"rc_message", i.root_cause.message}, {"rc_frame", frame}, {"chain", chain}, {"exits", i.exits},
      {"exit_codes", i.exit_codes}, {"crash_loop", i.crash_loop}, {"occurrences", i.occurrences},
      {"reopened", i.reopened}, {"opened_at", t(i.opened_at)}, {"last_seen", t(i.last_seen)},
      {"last_failure", t(i.last_failure)}, {"acknowledged_at", opt_t(i.acknowledged_at)},
      {"resolved_at", opt_t(i.resolved_at)}, {"resolved_by", opt_s(i.resolved_by)},
      {"resolved_by_revision", opt_s(i.resolved_by_revision)}, {"detected_at", opt_t(i.detected_at)},
      {"deploy", deploy}, {"summary", i.summary}, {"hint", i.hint}, {"history", history},
      {"timeline", timeline},
  };
}

}  // namespace faultline::testing
