#include "incidents/service_lines.h"

#include <algorithm>
#include <functional>

#include "incidents/suspect_lines.h"

namespace faultline {
namespace {

std::string scope_key(const std::string& cluster, const std::string& namespace_name, const std::string& service) {
  std::string key;
  key.reserve(cluster.size() + namespace_name.size() + service.size() + 2);
  key.append(cluster).append(1, '\x1f').append(namespace_name).append(1, '\x1f').append(service);
  return key;
}

}  // namespace

void ServiceLines::note(const LogRecord& record) {
  if (limits_.lines_per_service == 0 || limits_.services == 0) return;
  std::string line = suspect_line(record);
  if (line.empty()) return;
  Slots& slots = by_service_[scope_key(record.cluster, record.namespace_name, record.service)];
  if (slots.lines.empty()) slots.lines.resize(limits_.lines_per_service);
  slots.touched = ++clock_;
  slots.lines[std::hash<std::string>{}(line) % slots.lines.size()] = std::move(line);
  if (by_service_.size() > limits_.services) evict();
}

std::vector<std::string> ServiceLines::sample(const std::string& cluster, const std::string& namespace_name,
                                              const std::string& service) const {
  std::vector<std::string> out;
  auto it = by_service_.find(scope_key(cluster, namespace_name, service));
  if (it == by_service_.end()) return out;
  for (const std::string& line : it->second.lines)
    if (!line.empty()) out.push_back(line);
  return out;
}

// Drops the least recently written service.
void ServiceLines::evict() {
  auto oldest = std::min_element(by_service_.begin(), by_service_.end(),
                                 [](const auto& a, const auto& b) { return a.second.touched < b.second.touched; });
  if (oldest != by_service_.end()) by_service_.erase(oldest);
}

}  // namespace faultline
