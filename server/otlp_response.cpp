#include "server/otlp_response.h"

#include <cstdint>

#include "codec/protobuf_wire.h"

namespace faultline {
namespace {

// Errors spelled out in error_message: enough to fix a shipper's output.
constexpr size_t kListedErrors = 10;

constexpr std::string_view kProtobufType = "application/x-protobuf";

// google.rpc.Code for the statuses this daemon sends (the spec lets servers
// omit it; clients may record it).
int32_t rpc_code(int http_status) {
  switch (http_status) {
    case 400: return 3;   // INVALID_ARGUMENT
    case 413: return 8;   // RESOURCE_EXHAUSTED
    case 429: return 8;   // RESOURCE_EXHAUSTED
    case 503: return 14;  // UNAVAILABLE
    default: return 2;    // UNKNOWN
  }
}

}  // namespace

std::string otlp_rejection_message(const std::vector<RecordError>& rejected, size_t max_line) {
  std::string message = std::to_string(rejected.size()) + (rejected.size() == 1 ? " log record" : " log records") +
                        " rejected: ";
  for (size_t i = 0; i < rejected.size() && i < kListedErrors; ++i) {
    if (i > 0) message += "; ";
    message += rejected[i].describe();
    if (rejected[i].limit == "max_line_bytes")
      message += " (limits.max_line is " + std::to_string(max_line) + " bytes)";
  }
  if (rejected.size() > kListedErrors) message += "; and " + std::to_string(rejected.size() - kListedErrors) + " more";
  return message;
}

Response otlp_export_response(OtlpEncoding encoding, const std::vector<RecordError>& rejected, size_t max_line) {
  if (encoding == OtlpEncoding::json) {
    nlohmann::json body = nlohmann::json::object();
    if (!rejected.empty())
      body["partialSuccess"] = {{"rejectedLogRecords", std::to_string(rejected.size())},
                                {"errorMessage", otlp_rejection_message(rejected, max_line)}};
    return json_response(http::status::ok, body);
  }
  protobuf::WireWriter response;
  if (!rejected.empty()) {
    protobuf::WireWriter partial;
    partial.varint_field(1, rejected.size());
    partial.bytes_field(2, otlp_rejection_message(rejected, max_line));
    response.bytes_field(1, partial.data());
  }
  return text_response(http::status::ok, response.take(), kProtobufType);
}

Response otlp_status_response(OtlpEncoding encoding, const Problem& problem) {
  const auto status = static_cast<http::status>(problem.status);
  const int32_t code = rpc_code(problem.status);
  if (encoding == OtlpEncoding::json)
    return json_response(status, {{"code", code}, {"message", problem.detail}});
  protobuf::WireWriter body;
  body.varint_field(1, static_cast<uint32_t>(code));
  body.bytes_field(2, problem.detail);
  return text_response(status, body.take(), kProtobufType);
}

}  // namespace faultline
