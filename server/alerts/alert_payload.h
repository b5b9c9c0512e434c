// The Alertmanager API v2 alert for an incident (README, "Alerting").
//
// Identity is the label set: alertname="FaultlineIncident", service, root_cause,
// severity, crash_loop, incident_id. When severity or crash_loop changes the
// alert becomes a new one, so the notifier resolves the old set first.
// Annotations carry the evidence: summary, description (the cascade chain with
// counts and samples), hint, culprit file:line, sample cause line, instance and
// exit counts, runbook_url and incident_url (the incident in the API); for a bad
// deploy (Incident::deploy) the description says so and rollback_hint carries
// the command that goes back to the healthy revision.
#pragma once

#include <map>
#include <string>

#include <nlohmann/json.hpp>

#include "incidents/incident.h"

namespace faultline {

using AlertLabels = std::map<std::string, std::string>;

struct AlertLinks {
  std::string external_url;  // how on-call reaches this daemon, e.g. https://faultline.example.com
  std::string runbook_url;   // "{rule}" is replaced by the root-cause rule id; "" for none
};

AlertLabels alert_labels(const Incident& incident);

// One element of POST /api/v2/alerts. `ends_at`: in the future for a firing
// alert (Alertmanager resolves it by itself if re-sends stop), now for a resolved one.
nlohmann::json alert_json(const Incident& incident, const AlertLinks& links, Timestamp now, Timestamp ends_at);

// The multi-line cascade for the description: "cause rule ×N: sample", effects, exits, culprit.
std::string cascade_description(const Incident& incident);

}  // namespace faultline
