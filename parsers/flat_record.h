// A shipper's flat JSON object -> LogRecord. Internal to parsers/.
//
// Accepted members (first present wins; all optional but the text):
//   time:     "time" | "timestamp" | "ts" | "@timestamp" | "date", as json_time
//             reads it: RFC 3339 or the forms loggers print ("2017-08-15
//             18:10:12", no zone meaning UTC; "+0200"; log_time.h), or a Unix
//             epoch in seconds, milliseconds, microseconds or nanoseconds (told
//             apart by magnitude), as a number or a string of digits (Fluent
//             Bit writes "date" as float seconds)
//   service:  "service" | kubernetes.container_name (Fluent Bit's kubernetes filter)
//   revision: "revision" | kubernetes.labels["pod-template-hash"]
//   instance: "instance" | "pod" | kubernetes.pod_name | "host"
//   namespace_name / cluster: "namespace" | kubernetes.namespace_name, "cluster"
//   stream:   "stream";  severity: "severity" | "level" (pino's numeric levels
//             10–60 become DEBUG/INFO/WARNING/ERROR/CRITICAL)
//   text:     "message" | "msg" | "log" (Docker's json-file line, whose trailing
//             newline is removed), else a string "event" (structlog) | "@m" |
//             "Message" | "@mt"; then the record's error fields (err, error,
//             exception, stack_trace …: structured.h) as lines. An object with
//             neither text nor error fields is refused: most likely a
//             misconfigured shipper, and accepting it would hide that. A text
//             that is itself an application's JSON record (pino's line in
//             Docker's "log") is read as that record (structured.h).
//   app_level: the record's level fields as structured.h reads them, or the
//             inner record's, or a level at the start of the text.
// Missing names fall back to options.service/revision/instance; a missing time to
// the context's event time (Fluent Bit's MessagePack timestamp), the inner
// application record's, the envelope's publish time, then options.arrival. A
// time that cannot be read does too, and is reported in `warning`: the record
// is kept, since its text is what the rules look at.
#pragma once

#include <optional>

#include "parsers/json_fields.h"
#include "parsers/log_record.h"
#include "parsers/record_context.h"

namespace faultline {

bool flat_record_to_record(const Json& object, const RecordContext& context, LogRecord& out,
                           FieldError& error, std::optional<FieldError>& warning);

}  // namespace faultline
