// What a Loki stream's labels say about its records, and one entry -> LogRecord:
// shared by the JSON push (loki.h) and the protobuf push (loki_protobuf.h), so
// that a shipper's stream names the same service whichever form it sends.
// Internal to parsers/.
//
// Each field takes the first of its labels that is present and not empty:
//   service:   service_name, service, app, application, app_name, name,
//              app_kubernetes_io_name, compose_service, swarm_service, container,
//              container_name, k8s_container_name, component, workload, job,
//              k8s_job_name
//   instance:  pod, k8s_pod_name, instance, container_name, host, hostname
//   revision:  revision, service_version, version
//   namespace: namespace, k8s_namespace_name     cluster: cluster, k8s_cluster_name
//   stream:    stream                            severity: level, severity, detected_level
// The service order is Loki's own (validation.discover-service-name, after
// service_name), so the service is the one Grafana shows for the stream; the
// Docker driver's compose_service and swarm_service come before container names,
// which differ per replica. A job as Promtail's Kubernetes config writes it,
// "namespace/app", gives "app" (the part after the last '/'); a container name
// from Docker's API, "/web-1", loses its leading '/'.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <utility>

#include "parsers/log_record.h"
#include "parsers/parse.h"

namespace faultline {

struct LokiStream {
  std::string service, instance, revision, stream, severity, namespace_name, cluster;
};

using LokiLabelView = std::pair<std::string_view, std::string_view>;  // name, value

LokiStream loki_stream(std::span<const LokiLabelView> labels);

// The record of one entry: the line (one trailing newline off; an application's
// JSON record read for its message, level and error fields, else a level at the
// start of the line), its time, the stream's labels, and the defaults of
// `options` for the service, revision and instance the labels do not name.
LogRecord loki_entry_record(std::string line, Timestamp time, const LokiStream& stream,
                            const ParseOptions& options);

}  // namespace faultline
