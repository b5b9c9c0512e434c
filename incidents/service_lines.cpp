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

ServiceLines::Slots& ServiceLines::slots_of(const LogRecord& record) {
  if (last_ && record.service == last_service_ && record.namespace_name == last_namespace_ &&
      record.cluster == last_cluster_)
    return *last_;
  Slots& slots = by_service_[scope_key(record.cluster, record.namespace_name, record.service)];
  if (slots.lines.empty()) slots.lines.resize(limits_.lines_per_service);
  last_ = &slots;
  last_cluster_ = record.cluster;
  last_namespace_ = record.namespace_name;
  last_service_ = record.service;
  return slots;
}

void ServiceLines::note(const LogRecord& record) {
  if (limits_.lines_per_service == 0 || limits_.services == 0) return;
  Slots& slots = slots_of(record);
  slots.touched = ++clock_;
  if (slots.filled == slots.lines.size() && ++slots.seen % std::max<size_t>(limits_.refresh_every, 1) != 0) return;
  std::string line = suspect_line(record);
  if (!line.empty()) {
    std::string& slot = slots.lines[std::hash<std::string>{}(line) % slots.lines.size()];
    if (slot.empty()) ++slots.filled;
    slot = std::move(line);
  }
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
  if (oldest == by_service_.end()) return;
  if (&oldest->second == last_) last_ = nullptr;
  by_service_.erase(oldest);
}

}  // namespace faultline
