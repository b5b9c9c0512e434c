// Test support: an OTLP/JSON ExportLogsServiceRequest re-encoded as binary
// protobuf, so that tests write each request once and send it both ways. The
// field numbers are opentelemetry-proto's (parsers/otlp_protobuf.h lists them);
// the JS SDK's captured bodies in tests/corpus/otlp check the decoder against a
// real encoder.
#pragma once

#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <string>

#include <nlohmann/json.hpp>

#include "codec/base64.h"
#include "codec/protobuf_wire.h"

namespace faultline::testing::otlp {

using nlohmann::json;
using protobuf::WireWriter;

inline uint64_t to_uint64(const json& value) {
  return value.is_string() ? std::stoull(value.get<std::string>()) : value.get<uint64_t>();
}

inline int64_t to_int64(const json& value) {
  return value.is_string() ? std::stoll(value.get<std::string>()) : value.get<int64_t>();
}

inline std::string hex_bytes(const std::string& hex) {
  std::string out;
  for (size_t i = 0; i + 1 < hex.size(); i += 2) out.push_back(static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16)));
  return out;
}

inline std::string any_value(const json& value);

inline std::string key_value(const json& pair) {
  WireWriter out;
  out.bytes_field(1, pair.at("key").get<std::string>());
  if (pair.contains("value")) out.bytes_field(2, any_value(pair.at("value")));
  return out.take();
}

inline std::string any_value(const json& value) {
  WireWriter out;
  if (value.contains("stringValue")) {
    out.bytes_field(1, value["stringValue"].get<std::string>());
  } else if (value.contains("boolValue")) {
    out.varint_field(2, value["boolValue"].get<bool>() ? 1 : 0);
  } else if (value.contains("intValue")) {
    out.varint_field(3, static_cast<uint64_t>(to_int64(value["intValue"])));
  } else if (value.contains("doubleValue")) {
    double number = value["doubleValue"].get<double>();
    uint64_t bits = 0;
    std::memcpy(&bits, &number, sizeof bits);
    out.fixed64_field(4, bits);
  } else if (value.contains("arrayValue")) {
    WireWriter array;
    for (const json& element : value["arrayValue"].value("values", json::array())) array.bytes_field(1, any_value(element));
    out.bytes_field(5, array.data());
  } else if (value.contains("kvlistValue")) {
    WireWriter list;
    for (const json& pair : value["kvlistValue"].value("values", json::array())) list.bytes_field(1, key_value(pair));
    out.bytes_field(6, list.data());
  } else if (value.contains("bytesValue")) {
    std::string bytes;
    Base64Error error;
    if (!base64_decode(value["bytesValue"].get<std::string>(), bytes, error)) throw std::runtime_error(error.message);
    out.bytes_field(7, bytes);
  }
  return out.take();
}

inline std::string log_record(const json& record) {
  WireWriter out;
  if (record.contains("timeUnixNano")) out.fixed64_field(1, to_uint64(record["timeUnixNano"]));
  if (record.contains("severityNumber")) out.varint_field(2, record["severityNumber"].get<uint64_t>());
  if (record.contains("severityText")) out.bytes_field(3, record["severityText"].get<std::string>());
  if (record.contains("body")) out.bytes_field(5, any_value(record["body"]));
  for (const json& pair : record.value("attributes", json::array())) out.bytes_field(6, key_value(pair));
  if (record.contains("flags")) out.fixed32_field(8, record["flags"].get<uint32_t>());
  if (record.contains("traceId")) out.bytes_field(9, hex_bytes(record["traceId"].get<std::string>()));
  if (record.contains("spanId")) out.bytes_field(10, hex_bytes(record["spanId"].get<std::string>()));
  if (record.contains("observedTimeUnixNano")) out.fixed64_field(11, to_uint64(record["observedTimeUnixNano"]));
  if (record.contains("eventName")) out.bytes_field(12, record["eventName"].get<std::string>());
  return out.take();
}

inline std::string scope_logs(const json& scope) {
  WireWriter out;
  if (scope.contains("scope")) {
    WireWriter name;
    name.bytes_field(1, scope["scope"].value("name", ""));
    name.bytes_field(2, scope["scope"].value("version", ""));
    out.bytes_field(1, name.data());
  }
  for (const json& record : scope.value("logRecords", json::array())) out.bytes_field(2, log_record(record));
  return out.take();
}

inline std::string resource_logs(const json& unit) {
  WireWriter out;
  if (unit.contains("resource")) {
    WireWriter resource;
    for (const json& pair : unit["resource"].value("attributes", json::array())) resource.bytes_field(1, key_value(pair));
    out.bytes_field(1, resource.data());
  }
  for (const json& scope : unit.value("scopeLogs", json::array())) out.bytes_field(2, scope_logs(scope));
  return out.take();
}

// ExportLogsServiceRequest { repeated ResourceLogs resource_logs = 1; }
inline std::string to_protobuf(const json& request) {
  WireWriter out;
  for (const json& unit : request.value("resourceLogs", json::array())) out.bytes_field(1, resource_logs(unit));
  return out.take();
}

inline json string_attribute(const std::string& key, const std::string& value) {
  return {{"key", key}, {"value", {{"stringValue", value}}}};
}

}  // namespace faultline::testing::otlp
