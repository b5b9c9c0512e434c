// Incident expectations: the checker rule of the corpus scenarios
// (tests/corpus/failures/README.md), also used by `faultline rules test` for
// its `incidents:` assertions. Expected incidents are partial: every field present
// must equal the actual value (null or absent = not checked); the match is one-to-one.
//
// Fields: service, namespace, cluster, state, severity, crash_loop, exits,
// occurrences, reopened, resolved_by, resolved_by_revision; root_cause (the rule
// id); revision / first_revision (where it was first seen); module, name, class,
// library, port (root-cause captures); exit_code (the `code` capture);
// bad_deploy, previous_revision, previous_healthy, rollback_hint, new_line (the
// `deploy` object); history (actions that must appear in this order, others between).
#pragma once

#include <string>

#include <nlohmann/json.hpp>

namespace faultline {

// "" when `actual` (incident JSON objects) matches `expected` one-to-one; else
// one line per missing or unexpected incident, naming the closest field mismatch.
std::string compare_incidents(const nlohmann::json& expected, const nlohmann::json& actual);

}  // namespace faultline
