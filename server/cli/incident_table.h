// The human-readable incident report of `faultline scan`.
#pragma once

#include <string>
#include <vector>

#include "incidents/incident.h"

namespace faultline {

// A summary table (one row per incident), then each incident's cascade:
// cause -> effects -> exits with counts, the culprit frame, a bad deploy with
// its rollback command, and the hint.
std::string render_incident_table(const std::vector<Incident>& incidents);

}  // namespace faultline
