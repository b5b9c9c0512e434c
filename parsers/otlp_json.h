// OTLP/JSON logs -> LogRecords: an ExportLogsServiceRequest in the OTLP JSON
// encoding (lowerCamelCase names, 64-bit integers as decimal strings or numbers,
// enums as numbers), as the Collector's otlphttp exporter with `encoding: json`
// and the SDKs' http/json exporters post it, and as the Collector's file
// exporter writes it, one request per line. Internal to parsers/.
//
// {"resourceLogs":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"api"}}]},
//   "scopeLogs":[{"scope":{…},"logRecords":[{"timeUnixNano":"1758000000000000000",
//     "severityNumber":17,"severityText":"ERROR","body":{"stringValue":"…"},"attributes":[…]}]}]}]}
//
// The mapping to LogRecord is otlp_logs.h's. Unknown members are ignored, as the
// OTLP spec requires; a null member is absent. Records are indexed by their
// position across all resourceLogs and scopeLogs of the document; errors name
// "resourceLogs[i].scopeLogs[j].logRecords[k].<field>". A record with a malformed
// field is rejected alone; a resourceLogs or scopeLogs that cannot be read
// (its resource attributes malformed, its list not a list) rejects each of its
// records with that error. resourceLogs itself not a list: the request is
// unreadable (ParseResult::request_unreadable).
#pragma once

#include <cstddef>

#include "parsers/json_fields.h"
#include "parsers/record_sink.h"

namespace faultline {

// A JSON object with a "resourceLogs" member (even null: an empty request).
bool is_otlp_logs(const Json& body);

// Reads one request document that starts at byte `offset` of the body.
void read_otlp_json(const Json& body, size_t offset, RecordSink& sink);

}  // namespace faultline
