// Incident: the life of one fingerprint (service + root-cause rule + primary
// capture), with its cascade chain and lifecycle. Shape in the README's API reference.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "incidents/timeline.h"
#include "parsers/log_record.h"
#include "rules/event.h"
#include "rules/rule.h"

namespace faultline {

enum class IncidentState { open, acknowledged, resolved };
std::string_view to_string(IncidentState state);
bool parse_incident_state(std::string_view text, IncidentState& out);

// One rule's place in the cascade: cause first, then effects, exits, loops.
struct ChainLink {
  std::string rule;
  RuleKind kind = RuleKind::cause;
  int count = 0;
  Timestamp first_seen{};
  Timestamp last_seen{};
  std::string sample;  // first sample line seen
};

struct HistoryEntry {
  Timestamp at{};
  std::string action;  // "opened", "crash_loop", "acknowledged", "resolved", "reopened",
                       // "recurred_on_old_revision", "merged"
  std::string by;      // "auto" for automatic transitions
  std::string note;
};

struct RootCause {
  std::string rule;
  std::vector<std::pair<std::string, std::string>> captures;  // module, name, class, code, …
  std::string message;           // the cause line
  std::optional<Frame> frame;    // culprit frame, from the first trace that had one
};

// Deploy-revision correlation (semantics in correlator.h): the revision the
// incident was first seen on, the one deployed before it, and whether that one
// was healthy. Absent when the incident's events carry no revision.
struct DeployInfo {
  std::string revision;                      // the incident's first revision
  std::optional<std::string> previous_revision;  // unknown when faultline never saw one
  std::optional<bool> previous_healthy;      // unknown when its events cannot tell
  bool bad_deploy = false;                   // previous healthy, every failure on `revision`
  std::optional<Timestamp> revision_first_seen;  // earliest event of `revision` in the scope
  std::optional<std::string> rollback_hint;  // a command, only for a bad deploy
  // Only for a bad deploy: the incident's first line (root cause, then its
  // chain's causes and effects) that `previous_revision` never printed.
  std::optional<std::string> new_line;
  bool operator==(const DeployInfo&) const = default;
};

struct Incident {
  std::string id;           // stable: derived from the fingerprint
  std::string fingerprint;  // "v1|<cluster>/<namespace>/<service>|<rule>|<capture>=<value>"
  IncidentState state = IncidentState::open;
  Severity severity = Severity::warning;
  std::string service, namespace_name, cluster;
  std::vector<std::string> revisions;  // in order of first appearance
  std::vector<std::string> instances;  // distinct, in order of first appearance
  RootCause root_cause;
  std::vector<ChainLink> chain;
  int exits = 0;
  std::vector<std::pair<std::string, int>> exit_codes;  // code -> count
  bool crash_loop = false;
  int occurrences = 0;  // cause events (distinct records)
  int reopened = 0;
  Timestamp opened_at{};
  Timestamp last_seen{};
  Timestamp last_failure{};  // event time of the latest cause/effect/exit/loop event
  std::optional<Timestamp> acknowledged_at;
  std::optional<Timestamp> resolved_at;
  std::optional<std::string> resolved_by;           // "auto" or the API caller's name
  std::optional<std::string> resolved_by_revision;  // the revision whose recovery resolved it
  std::optional<Timestamp> detected_at;             // wall time it was opened (detection delay)
  std::optional<DeployInfo> deploy;
  std::string summary;
  std::string hint;
  // No known cause (generic_exit or a fallback cause): what the crashing
  // instances printed last that reads as an error, oldest first, the latest
  // kMaxSuspectLines. Empty for an incident with a known cause.
  std::vector<SuspectLine> suspects;
  std::vector<HistoryEntry> history;
  // Each instance's causes, effects and exits over time, for the timeline
  // picture (timeline.h); positions refer to `instances` and `revisions`.
  Timeline timeline;
};

inline constexpr size_t kMaxSuspectLines = 12;

// The incident JSON of the README's API reference.
nlohmann::json to_json(const Incident& incident);

}  // namespace faultline
