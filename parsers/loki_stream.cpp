#include "parsers/loki_stream.h"

#include <initializer_list>

#include "parsers/json_fields.h"
#include "parsers/structured.h"

namespace faultline {
namespace {

std::string_view label(std::span<const LokiLabelView> labels, std::string_view name) {
  for (const auto& [key, value] : labels)
    if (key == name) return value;
  return {};
}

std::string_view tidy(std::string_view name, std::string_view value) {
  if (name == "job") {
    if (size_t slash = value.rfind('/'); slash != std::string_view::npos) value.remove_prefix(slash + 1);
  } else if (name == "container" || name == "container_name") {
    if (value.starts_with('/')) value.remove_prefix(1);
  }
  return value;
}

std::string first_label(std::span<const LokiLabelView> labels, std::initializer_list<std::string_view> names) {
  for (std::string_view name : names) {
    std::string_view value = tidy(name, label(labels, name));
    if (!value.empty()) return std::string(value);
  }
  return {};
}

}  // namespace

LokiStream loki_stream(std::span<const LokiLabelView> labels) {
  LokiStream out;
  out.service = first_label(labels, {"service_name", "service", "app", "application", "app_name", "name",
                                     "app_kubernetes_io_name", "compose_service", "swarm_service", "container",
                                     "container_name", "k8s_container_name", "component", "workload", "job",
                                     "k8s_job_name"});
  out.instance = first_label(labels, {"pod", "k8s_pod_name", "instance", "container_name", "host", "hostname"});
  out.revision = first_label(labels, {"revision", "service_version", "version"});
  out.stream = first_label(labels, {"stream"});
  out.severity = first_label(labels, {"level", "severity", "detected_level"});
  out.namespace_name = first_label(labels, {"namespace", "k8s_namespace_name"});
  out.cluster = first_label(labels, {"cluster", "k8s_cluster_name"});
  return out;
}

LogRecord loki_entry_record(std::string line, Timestamp time, const LokiStream& stream,
                            const ParseOptions& options) {
  LogRecord out;
  out.time = time;
  out.text = std::move(line);
  strip_one_newline(out.text);
  read_carried_text(out.text, out.app_level);
  out.service = stream.service.empty() ? options.service : stream.service;
  out.revision = stream.revision.empty() ? options.revision : stream.revision;
  out.instance = stream.instance.empty() ? options.instance : stream.instance;
  out.stream = stream.stream;
  out.severity = stream.severity;
  out.namespace_name = stream.namespace_name;
  out.cluster = stream.cluster;
  return out;
}

}  // namespace faultline
