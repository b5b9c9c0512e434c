#include "incidents/fingerprint.h"

#include <array>
#include <cstdio>

namespace faultline {

Scope scope_of(const Event& event) {
  return Scope{event.cluster, event.namespace_name, event.service};
}

std::string scope_key(const Scope& scope) {
  std::string key;
  key.reserve(scope.cluster.size() + scope.namespace_name.size() + scope.service.size() + 2);
  key += scope.cluster;
  key += '\x1f';
  key += scope.namespace_name;
  key += '\x1f';
  key += scope.service;
  return key;
}

std::optional<std::pair<std::string, std::string>> primary_capture(const Event& event) {
  static constexpr std::array<std::string_view, 5> kOrder = {"module", "class", "library", "port",
                                                             "code"};
  for (std::string_view name : kOrder) {
    const std::string& value = event.capture(name);
    if (!value.empty()) return std::make_pair(std::string(name), value);
  }
  return std::nullopt;
}

std::string make_fingerprint(const Scope& scope, std::string_view rule,
                             const std::optional<std::pair<std::string, std::string>>& capture) {
  std::string fp = "v1|";
  fp += scope.cluster;
  fp += '/';
  fp += scope.namespace_name;
  fp += '/';
  fp += scope.service;
  fp += '|';
  fp += rule;
  fp += '|';
  if (capture) {
    fp += capture->first;
    fp += '=';
    fp += capture->second;
  }
  return fp;
}

std::optional<FingerprintParts> parse_fingerprint(std::string_view fp) {
  FingerprintParts parts;
  auto next = [&fp](char sep, std::string& out) {
    size_t pos = fp.find(sep);
    if (pos == std::string_view::npos) return false;
    out.assign(fp.substr(0, pos));
    fp.remove_prefix(pos + 1);
    return true;
  };
  std::string scope;
  if (!next('|', parts.version) || !next('|', scope) || !next('|', parts.rule)) return std::nullopt;
  // The capture is the rest, so a value may hold '|' or '='.
  if (!fp.empty()) {
    size_t eq = fp.find('=');
    if (eq == std::string_view::npos) return std::nullopt;
    parts.capture_name.assign(fp.substr(0, eq));
    parts.capture_value.assign(fp.substr(eq + 1));
  }
  // Service names may not hold '/', cluster and namespace names cannot.
  size_t first = scope.find('/');
  size_t second = first == std::string::npos ? first : scope.find('/', first + 1);
  if (second == std::string::npos) return std::nullopt;
  parts.cluster = scope.substr(0, first);
  parts.namespace_name = scope.substr(first + 1, second - first - 1);
  parts.service = scope.substr(second + 1);
  return parts;
}

uint64_t fnv1a64(std::string_view bytes, uint64_t seed) {
  uint64_t hash = seed;
  for (unsigned char c : bytes) {
    hash ^= c;
    hash *= 0x100000001b3ULL;
  }
  return hash;
}

std::string incident_id(std::string_view fingerprint) {
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(fnv1a64(fingerprint)));
  return std::string(buf, 16);
}

}  // namespace faultline
