// Fingerprints: what makes two failures "the same incident", and the stable
// incident id derived from it. Versioned ("v1|…") so that a future change of
// the recipe can live beside open v1 incidents instead of silently splitting them.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "rules/event.h"

namespace faultline {

// Incidents never span scopes: (cluster, namespace, service). Cloud Run and
// shippers leave cluster and namespace empty.
struct Scope {
  std::string cluster, namespace_name, service;
  bool operator==(const Scope&) const = default;
};
Scope scope_of(const Event& event);
// A map key for a scope; the separator cannot occur in Kubernetes or Cloud Run names.
std::string scope_key(const Scope& scope);

// The root-cause rule id faultline uses for exits that no cause line explains.
inline constexpr std::string_view kGenericExitRule = "generic_exit";

// The capture that separates two incidents of one rule: the first present of
// module, class, library, port, code. nullopt when the event has none of them
// (go_panic, oom_killed): then one incident per service and rule.
std::optional<std::pair<std::string, std::string>> primary_capture(const Event& event);

// "v1|<cluster>/<namespace>/<service>|<rule>|<name>=<value>" (last field empty
// without a primary capture). Values are kept verbatim: rule captures never hold '|'
// where it matters (module, class, library names, ports, codes).
std::string make_fingerprint(const Scope& scope, std::string_view rule,
                             const std::optional<std::pair<std::string, std::string>>& capture);

// The parts of a fingerprint, for explaining it ("fingerprint_fields" in the JSON).
struct FingerprintParts {
  std::string version, cluster, namespace_name, service, rule, capture_name, capture_value;
};
std::optional<FingerprintParts> parse_fingerprint(std::string_view fingerprint);

// Incident id: the first 16 lowercase hex digits of FNV-1a-64 over the fingerprint
// bytes. Depends on nothing but the fingerprint, so `scan` and live ingest agree.
std::string incident_id(std::string_view fingerprint);
uint64_t fnv1a64(std::string_view bytes, uint64_t seed = 0xcbf29ce484222325ULL);

}  // namespace faultline
