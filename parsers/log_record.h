// LogRecord: one log line (or one assembled multi-line trace) with the context
// correlation needs. Parsers produce it; they know formats, never rules.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "parsers/timestamp.h"

namespace faultline {

// A stack frame that a multi-line assembler chose as the culprit: the innermost
// frame of the root (first) exception that belongs to the application rather
// than to the runtime, a framework or a site-packages/node_modules dependency.
struct Frame {
  std::string file;
  int line = 0;
  std::string function;
  bool operator==(const Frame&) const = default;
};

struct LogRecord {
  Timestamp time{};          // event time (LogEntry timestamp, else receiveTimestamp, else arrival)
  std::string service;       // Cloud Run service, k8s container, GCE instance id, or given
  std::string namespace_name;  // k8s only; part of the fingerprint
  std::string cluster;         // k8s only; part of the fingerprint
  std::string revision;      // Cloud Run revision_name; k8s pod-template-hash; else empty
  std::string instance;      // Cloud Run labels.instanceId; pod_name; instance_id
  std::string stream;        // "stdout", "stderr", "system", "requests", "audit", or empty
  std::string severity;      // LogEntry severity as written ("ERROR"), empty when absent
  // The application's own level, apart from what the transport says (severity):
  // from the level of a JSON document the application logged (pino, structlog,
  // logback …) or a level at the start of its text line ("ERROR", "[INFO]",
  // "level=warn"), as DEBUG, INFO, NOTICE, WARNING, ERROR, CRITICAL, ALERT or
  // EMERGENCY. Empty when the application gave none. An error quoted in an
  // INFO record ("retrying after: connection refused") is told apart by it.
  std::string app_level;
  std::string resource_type; // "cloud_run_revision", "k8s_container", … ; empty for shippers
  std::string text;          // the line; for an assembled trace, all its lines joined by '\n'
  std::string source_id;     // dedup key: insertId+"|"+logName, or Pub/Sub messageId; may be empty
  int http_status = 0;       // httpRequest.status where the entry is a request log, else 0

  // Set by the multi-line assembler for exception traces.
  std::optional<Frame> culprit;
  // Exception lines of the trace in order ("ModuleNotFoundError: No module named 'x'"),
  // the root cause first. Empty for single lines.
  std::vector<std::string> exceptions;
};

}  // namespace faultline
