// Fuzz target: OTLP/HTTP logs on /v1/logs, both encodings: the input as a
// protobuf ExportLogsServiceRequest (parse_input(InputFormat::otlp_protobuf))
// and as an OTLP/JSON body (InputFormat::ndjson, which recognises resourceLogs).
// Besides parse.h's promises: a protobuf body is always taken as OTLP, and an
// unreadable request yields no record, its own error first.
#include "fuzz/fuzz_support.h"

namespace {

using faultline::InputFormat;
using faultline::ParseOptions;
using faultline::ParseResult;
using faultline::fuzz::require;

void check_otlp(std::string_view body, InputFormat format) {
  faultline::fuzz::check_parse_both_limits(body, format);
  ParseOptions options;
  ParseResult result = faultline::parse_input(body, format, options);
  if (format == InputFormat::otlp_protobuf) require(result.otlp, "a protobuf body not taken as OTLP");
  if (result.request_unreadable) {
    require(result.otlp, "an unreadable request that is not OTLP");
    require(result.records.empty(), "records from an unreadable request");
    // The request's own error comes first; a body of several JSON documents
    // (the Collector's file exporter writes one request per line) may add
    // errors of its own for what follows.
    require(!result.errors.empty() && result.errors.front().index == 0,
            "an unreadable request whose first error is not the request's");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view body = faultline::fuzz::bytes(data, size);
  check_otlp(body, InputFormat::otlp_protobuf);
  check_otlp(body, InputFormat::ndjson);
  return 0;
}
