// Deploy-revision correlation of one incident (semantics in correlator.h):
// which revision it was first seen on, the revision before that one, whether
// that one was healthy, and how to roll back to it.
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include "incidents/incident.h"
#include "incidents/revision_log.h"

namespace faultline {

// nullopt when the incident has no revision. `window`: how long before the new
// revision appeared a failure of the previous one makes it unhealthy.
std::optional<DeployInfo> correlate_deploy(const Incident& incident, const RevisionLog& log,
                                           std::chrono::nanoseconds window);

// The command that sends traffic back to `previous`: gcloud for Cloud Run
// revision names, kubectl for Kubernetes scopes, else plain words.
std::string rollback_command(const Incident& incident, const std::string& previous);

// The sentence the correlator appends to the incident's hint, "" when there is
// nothing to say (no previous revision known).
std::string deploy_note(const Incident& incident);

}  // namespace faultline
