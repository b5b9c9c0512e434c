// OTLP logs (an ExportLogsServiceRequest, as the OpenTelemetry Collector's
// otlphttp exporter and the SDKs' OTLP log exporters post it to /v1/logs) ->
// LogRecords: what its two encodings share. otlp_json.h and otlp_protobuf.h
// decode each LogRecord into an OtlpLogRecord, with AnyValues as plain JSON, and
// hand it here, so the mapping below is written once. Internal to parsers/.
//
// Mapping. A name is looked up in the LogRecord's attributes, then in its
// resource's: a record attribute of the same name wins (some collectors put
// k8s.* on records). Only string values count; empty ones are absent.
//   service   service.name, unless it is the SDKs' placeholder "unknown_service"
//             or "unknown_service:<process>"; else k8s.container.name; else
//             faas.name; else options.service (?service=).
//   revision  service.version; else faas.version (Cloud Run's revision); else
//             k8s.pod.labels.pod-template-hash; else the hash that ends
//             k8s.replicaset.name ("web-7d4b9c6f5" -> "7d4b9c6f5"); else
//             options.revision.
//   instance  service.instance.id; else k8s.pod.name; else faas.instance;
//             else host.name; else options.instance.
//   namespace_name k8s.namespace.name;  cluster k8s.cluster.name;
//   stream    log.iostream ("stdout", "stderr", as the filelog receiver's
//             container parser sets it);
//   resource_type "k8s_container" when k8s.pod.name or k8s.container.name is
//             given, "cloud_run_revision" when cloud.platform is gcp_cloud_run,
//             as Cloud Logging's resource types name them.
//   severity  severityNumber as a LogSeverity name (TRACE and DEBUG -> DEBUG,
//             INFO, WARN -> WARNING, ERROR, FATAL -> CRITICAL), so that rules'
//             `match: severity` work unchanged; without one, severityText
//             (its level name when it is one, else as written).
//   app_level severityText's or severityNumber's level; a body that is an
//             application's JSON record gives its own.
//   text      a string body, one trailing newline removed; when it is itself
//             an application's JSON record (a pino line a filelog receiver
//             read), that record's message and error fields (structured.h). A
//             map body is read as such a record: message | msg | …, then its
//             err / error / exception / stack fields as lines; a map with
//             neither, or a number, boolean or list, is its compact JSON.
//             Then the record's exception.type, exception.message and
//             exception.stacktrace attributes as lines, as structured.h appends
//             an error: "<type>: <message>" unless the stack trace says it, then
//             the trace. So a traceback goes through multi-line assembly and
//             gets its culprit frame like any other.
//   time      timeUnixNano; else the time of the body's own JSON record; else
//             observedTimeUnixNano (the collector's reading time); else
//             options.arrival. 0 means unknown, as the proto says.
// A record with no body and no exception has empty text: it is accepted (the
// proto allows it, event records carry attributes only) and matches nothing.
// Trace and span ids, scope, flags and event names are not used.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "parsers/json_fields.h"
#include "parsers/log_record.h"
#include "parsers/record_sink.h"

namespace faultline {

// Deepest nesting of arrays and maps in an AnyValue that the decoders accept; a
// deeper value is refused naming its field (each level costs the decoders and
// structured.h one frame of recursion).
inline constexpr size_t kMaxOtlpValueDepth = 64;

// One LogRecord as either encoding carries it. AnyValues are plain JSON: a
// string, boolean, integer or double as itself, an array as an array, a kvlist
// as an object (the first of repeated keys wins), bytes as base64 (their JSON
// form), an empty AnyValue as null.
struct OtlpLogRecord {
  int64_t time_unix_nano = 0;           // 0: unknown; the decoders refuse values beyond int64
  int64_t observed_time_unix_nano = 0;  // 0: unknown
  int64_t severity_number = 0;          // SeverityNumber, 0 unspecified; other values name no level
  std::string severity_text;
  Json body;                            // null when absent
  Json attributes = Json::object();     // key -> plain value
};

// The LogRecord the mapping above makes of `record`, whose resource has the
// attributes `resource` (an object, key -> plain value).
LogRecord otlp_to_log_record(const Json& resource, const OtlpLogRecord& record, const ParseOptions& options);

// Maps `record` and accepts it, or rejects it when its text is longer than
// max_line_bytes (`path` names it in that error). The caller has admitted it.
void accept_otlp_record(RecordSink& sink, size_t index, size_t offset, std::string_view path, const Json& resource,
                        const OtlpLogRecord& record);

// The `count` records of a unit (a ResourceLogs or ScopeLogs) that cannot be
// read, each admitted and rejected with the unit's error, so that OTLP's
// rejected count counts log records (at least one: a unit whose records cannot
// be counted is one error); `index` advances past them. False once the sink is
// full.
bool reject_otlp_records(RecordSink& sink, size_t& index, size_t offset, size_t count, const FieldError& error);

}  // namespace faultline
