// Answers to OTLP/HTTP log exports on /v1/logs, as the OTLP spec's "OTLP/HTTP
// Response" section has them: in the request's encoding and with its
// Content-Type, so that the Collector's otlphttp exporter and the SDKs read
// them. Success (also partial) is 200 with an ExportLogsServiceResponse; a
// failure is its 4xx/5xx with a google.rpc.Status, not RFC 7807.
//
//   ExportLogsServiceResponse { ExportLogsPartialSuccess partial_success = 1; }
//   ExportLogsPartialSuccess  { int64 rejected_log_records = 1; string error_message = 2; }
//   google.rpc.Status         { int32 code = 1; string message = 2; }
//
// JSON: {} when every record was accepted, else
// {"partialSuccess":{"rejectedLogRecords":"2","errorMessage":"…"}} (int64 as a
// decimal string, proto3's JSON mapping); {"code":3,"message":"…"}.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "parsers/parse.h"
#include "server/http/http_message.h"

namespace faultline {

enum class OtlpEncoding { json, protobuf };

// 200 OK. partial_success is left unset when nothing was rejected, as the spec
// requires; otherwise it counts `rejected` and explains them.
Response otlp_export_response(OtlpEncoding encoding, const std::vector<RecordError>& rejected, size_t max_line);

// "2 of 12 log records rejected: record 1 (byte 0): …; record 4 (byte 0): …": the
// first few of them (a 100k-record mistake is not echoed back); a record over
// the line limit names the setting, limits.max_line, and its value.
std::string otlp_rejection_message(const std::vector<RecordError>& rejected, size_t max_line);

// The failure `problem` describes (its status, its detail as the message).
Response otlp_status_response(OtlpEncoding encoding, const Problem& problem);

}  // namespace faultline
