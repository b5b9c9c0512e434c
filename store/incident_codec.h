// Reading incidents back from JSON: the inverse of to_json (incident.h), for
// the store and for anything that reads `faultline scan --json` output.
//
// to_json is the API's shape and leaves out what only correlation needs after a
// restart (the order of captures, instance ids, exit codes per code, the last
// failure time, the timeline marks, …). The store keeps those beside it in a
// second, internal JSON object: to_restore_json / apply_restore_json. For any incident x,
//   to_json(incident_from_json(to_json(x))) == to_json(x), and
//   incident_from_json(to_json(x)) + apply_restore_json(to_restore_json(x)) == x.
#pragma once

#include <nlohmann/json.hpp>

#include "incidents/incident.h"

namespace faultline {

// Throws std::invalid_argument naming the field when `body` is not an incident
// that to_json could have written.
Incident incident_from_json(const nlohmann::json& body);

// The fields to_json omits or rounds, as an object private to the store; its
// keys may change with the store's schema version.
nlohmann::json to_restore_json(const Incident& incident);
// Overwrites those fields in `incident`. Throws std::invalid_argument.
void apply_restore_json(const nlohmann::json& restore, Incident& incident);

}  // namespace faultline
