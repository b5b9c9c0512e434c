// A shipper's flat JSON object -> LogRecord. Internal to parsers/.
//
// Accepted members (first present wins; all optional but the text):
//   time:     "time" | "timestamp" | "ts" | "date" — RFC 3339 string, or Unix
//             epoch number in seconds, milliseconds, microseconds or nanoseconds
//             (told apart by magnitude; Fluent Bit writes "date" as float seconds)
//   service:  "service" | kubernetes.container_name (Fluent Bit's kubernetes filter)
//   revision: "revision" | kubernetes.labels["pod-template-hash"]
//   instance: "instance" | "pod" | kubernetes.pod_name | "host"
//   namespace_name / cluster: "namespace" | kubernetes.namespace_name, "cluster"
//   stream:   "stream";  severity: "severity" | "level" (pino's numeric levels
//             10–60 become DEBUG/INFO/WARNING/ERROR/CRITICAL)
//   text:     "message" | "msg" | "log" (Docker's json-file line, whose trailing
//             newline is removed). Required: an object without it is most likely
//             a misconfigured shipper, and accepting it would hide that.
// Missing names fall back to options.service/revision/instance; missing time to
// the envelope's publish time, then options.arrival.
#pragma once

#include "parsers/json_fields.h"
#include "parsers/log_record.h"
#include "parsers/record_context.h"

namespace faultline {

bool flat_record_to_record(const Json& object, const RecordContext& context, LogRecord& out,
                           FieldError& error);

}  // namespace faultline
