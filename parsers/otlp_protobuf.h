// OTLP/HTTP logs in binary protobuf -> LogRecords: one ExportLogsServiceRequest,
// as the OpenTelemetry Collector's otlphttp exporter (its default encoding) and
// the SDKs' http/protobuf log exporters post it with Content-Type
// application/x-protobuf. Internal to parsers/.
//
// Field numbers (opentelemetry-proto, collector/logs/v1/logs_service.proto,
// logs/v1/logs.proto, common/v1/common.proto, resource/v1/resource.proto):
//   ExportLogsServiceRequest  resource_logs = 1
//   ResourceLogs   resource = 1, scope_logs = 2          Resource  attributes = 1
//   ScopeLogs      scope = 1, log_records = 2
//   LogRecord      time_unix_nano = 1 (fixed64), severity_number = 2 (enum),
//                  severity_text = 3, body = 5 (AnyValue), attributes = 6,
//                  observed_time_unix_nano = 11 (fixed64)
//   KeyValue       key = 1, value = 2
//   AnyValue       oneof: string_value = 1, bool_value = 2, int_value = 3,
//                  double_value = 4, array_value = 5 (ArrayValue values = 1),
//                  kvlist_value = 6 (KeyValueList values = 1), bytes_value = 7
// Other fields are skipped, as generated code does: trace and span ids, flags,
// event_name, schema URLs, the scope, and the profiling signal's string-table
// references (string_value_strindex, key_strindex), which the proto says
// receivers of other signals treat as absent. Of a oneof given twice, the last
// value wins, as in every protobuf parser. The mapping to LogRecord is
// otlp_logs.h's.
//
// Errors. The request's own framing (codec/protobuf_wire.h) broken anywhere, or a
// resource_logs that is not length-delimited: the request is unreadable
// (ParseResult::request_unreadable), nothing is read. A record whose own bytes
// are malformed (a known field with the wrong wire type, a string that is not
// UTF-8, a time beyond int64 nanoseconds, values nested deeper than
// kMaxOtlpValueDepth) is rejected alone; a ResourceLogs or ScopeLogs whose
// framing or resource is malformed rejects each of its records. Records are
// indexed by position across the request; errors name
// "resource_logs[i].scope_logs[j].log_records[k].<field>", the offset is where
// the record (or unit) starts in the body, and wire errors give the byte.
#pragma once

#include <string_view>

#include "parsers/record_sink.h"

namespace faultline {

void read_otlp_protobuf(std::string_view body, RecordSink& sink);

}  // namespace faultline
