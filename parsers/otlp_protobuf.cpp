#include "parsers/otlp_protobuf.h"

#include <cstdint>
#include <string>

#include "codec/base64.h"
#include "codec/protobuf_wire.h"
#include "parsers/otlp_logs.h"
#include "parsers/utf8.h"

namespace faultline {
namespace {

using protobuf::Field;
using protobuf::WireError;
using protobuf::WireReader;
using protobuf::WireType;

// Field numbers, from the .proto files named in the header.
namespace request_fields { constexpr uint32_t kResourceLogs = 1; }
namespace resource_logs_fields { constexpr uint32_t kResource = 1, kScopeLogs = 2; }
namespace resource_fields { constexpr uint32_t kAttributes = 1; }
namespace scope_logs_fields { constexpr uint32_t kLogRecords = 2; }
namespace log_record_fields {
constexpr uint32_t kTimeUnixNano = 1, kSeverityNumber = 2, kSeverityText = 3, kBody = 5, kAttributes = 6,
                   kObservedTimeUnixNano = 11;
}
namespace key_value_fields { constexpr uint32_t kKey = 1, kValue = 2; }
namespace any_value_fields {
constexpr uint32_t kString = 1, kBool = 2, kInt = 3, kDouble = 4, kArray = 5, kKvlist = 6, kBytes = 7;
}
constexpr uint32_t kValuesField = 1;  // ArrayValue.values, KeyValueList.values

std::string indexed(std::string_view path, std::string_view list, size_t i) {
  return field_path(path, list) + "[" + std::to_string(i) + "]";
}

// Reads the fields of one message, stopping at the first malformed one.
class Decoder {
 public:
  bool fail(std::string field, std::string message) {
    error_ = FieldError{std::move(field), std::move(message)};
    return false;
  }
  bool fail_wire(std::string_view path, const WireError& wire) { return fail(std::string(path), wire.message); }
  bool expect(const Field& field, WireType type, std::string_view path) {
    WireError wire;
    return protobuf::expect_type(field, type, wire) || fail_wire(path, wire);
  }
  // A proto3 string must be UTF-8, and everything in a LogRecord is.
  bool read_string(const Field& field, std::string_view path, std::string& out) {
    if (!expect(field, WireType::len, path)) return false;
    if (size_t bad = find_invalid_utf8(field.bytes); bad != std::string_view::npos)
      return fail(std::string(path), "invalid UTF-8 at byte " + std::to_string(field.bytes_offset + bad));
    out.assign(field.bytes);
    return true;
  }

  bool read_any_value(const Field& holder, std::string_view path, size_t depth, Json& out);
  bool read_key_value(const Field& holder, std::string_view path, size_t depth, Json& object);
  bool read_log_record(const Field& holder, std::string_view path, OtlpLogRecord& out);
  bool read_resource(const Field& holder, std::string_view path, Json& attributes);

  FieldError& error() { return error_; }

 private:
  FieldError error_;
};

bool Decoder::read_any_value(const Field& holder, std::string_view path, size_t depth, Json& out) {
  if (depth > kMaxOtlpValueDepth)
    return fail(std::string(path), "nested deeper than " + std::to_string(kMaxOtlpValueDepth) + " levels");
  out = nullptr;
  WireReader reader = WireReader::nested(holder);
  Field field;
  while (reader.next(field)) {
    using namespace any_value_fields;
    switch (field.number) {
      case kString: {
        std::string text;
        if (!read_string(field, field_path(path, "string_value"), text)) return false;
        out = std::move(text);
        break;
      }
      case kBool:
        if (!expect(field, WireType::varint, field_path(path, "bool_value"))) return false;
        out = field.as_bool();
        break;
      case kInt:
        if (!expect(field, WireType::varint, field_path(path, "int_value"))) return false;
        out = field.as_int64();
        break;
      case kDouble:
        if (!expect(field, WireType::i64, field_path(path, "double_value"))) return false;
        out = field.as_double();
        break;
      case kArray: {
        const std::string array_path = field_path(path, "array_value");
        if (!expect(field, WireType::len, array_path)) return false;
        out = Json::array();
        WireReader values = WireReader::nested(field);
        Field value;
        while (values.next(value)) {
          if (value.number != kValuesField) continue;
          const std::string item = indexed(array_path, "values", out.size());
          Json element;
          if (!expect(value, WireType::len, item) || !read_any_value(value, item, depth + 1, element)) return false;
          out.push_back(std::move(element));
        }
        if (values.failed()) return fail_wire(array_path, values.error());
        break;
      }
      case kKvlist: {
        const std::string list_path = field_path(path, "kvlist_value");
        if (!expect(field, WireType::len, list_path)) return false;
        out = Json::object();
        WireReader values = WireReader::nested(field);
        Field value;
        for (size_t i = 0; values.next(value);) {
          if (value.number != kValuesField) continue;
          const std::string item = indexed(list_path, "values", i++);
          if (!expect(value, WireType::len, item) || !read_key_value(value, item, depth + 1, out)) return false;
        }
        if (values.failed()) return fail_wire(list_path, values.error());
        break;
      }
      case kBytes:
        if (!expect(field, WireType::len, field_path(path, "bytes_value"))) return false;
        out = base64_encode(field.bytes);  // as OTLP/JSON writes bytes
        break;
      default:
        break;  // string_value_strindex (profiles only) and fields this version does not know
    }
  }
  return !reader.failed() || fail_wire(path, reader.error());
}

bool Decoder::read_key_value(const Field& holder, std::string_view path, size_t depth, Json& object) {
  std::string key;
  Json value;
  WireReader reader = WireReader::nested(holder);
  Field field;
  while (reader.next(field)) {
    if (field.number == key_value_fields::kKey) {
      if (!read_string(field, field_path(path, "key"), key)) return false;
    } else if (field.number == key_value_fields::kValue) {
      const std::string value_path = field_path(path, "value");
      if (!expect(field, WireType::len, value_path) || !read_any_value(field, value_path, depth, value)) return false;
    }
  }
  if (reader.failed()) return fail_wire(path, reader.error());
  if (!object.contains(key)) object[key] = std::move(value);
  return true;
}

// A fixed64 time in Unix nanoseconds. Beyond int64 (the year 2262) no Timestamp
// holds it: refused rather than wrapped.
bool read_nanos(Decoder& decoder, const Field& field, std::string_view path, int64_t& out) {
  if (!decoder.expect(field, WireType::i64, path)) return false;
  if (field.as_uint64() > static_cast<uint64_t>(INT64_MAX))
    return decoder.fail(std::string(path), std::to_string(field.as_uint64()) +
                                               " ns is after 2262-04-11, beyond what faultline's times hold");
  out = field.as_int64();
  return true;
}

bool Decoder::read_log_record(const Field& holder, std::string_view path, OtlpLogRecord& out) {
  WireReader reader = WireReader::nested(holder);
  Field field;
  size_t attributes = 0;
  while (reader.next(field)) {
    using namespace log_record_fields;
    switch (field.number) {
      case kTimeUnixNano:
        if (!read_nanos(*this, field, field_path(path, "time_unix_nano"), out.time_unix_nano)) return false;
        break;
      case kObservedTimeUnixNano:
        if (!read_nanos(*this, field, field_path(path, "observed_time_unix_nano"), out.observed_time_unix_nano))
          return false;
        break;
      case kSeverityNumber:
        if (!expect(field, WireType::varint, field_path(path, "severity_number"))) return false;
        out.severity_number = field.as_int32();
        break;
      case kSeverityText:
        if (!read_string(field, field_path(path, "severity_text"), out.severity_text)) return false;
        break;
      case kBody: {
        const std::string body_path = field_path(path, "body");
        if (!expect(field, WireType::len, body_path) || !read_any_value(field, body_path, 0, out.body)) return false;
        break;
      }
      case kAttributes: {
        const std::string item = indexed(path, "attributes", attributes++);
        if (!expect(field, WireType::len, item) || !read_key_value(field, item, 0, out.attributes)) return false;
        break;
      }
      default:
        break;
    }
  }
  return !reader.failed() || fail_wire(path, reader.error());
}

bool Decoder::read_resource(const Field& holder, std::string_view path, Json& attributes) {
  if (!expect(holder, WireType::len, path)) return false;
  WireReader reader = WireReader::nested(holder);
  Field field;
  for (size_t i = 0; reader.next(field);) {
    if (field.number != resource_fields::kAttributes) continue;
    const std::string item = indexed(path, "attributes", i++);
    if (!expect(field, WireType::len, item) || !read_key_value(field, item, 0, attributes)) return false;
  }
  return !reader.failed() || fail_wire(path, reader.error());
}

// The request's framing, before any record is accepted: a body that breaks
// anywhere is not a request whose records can be told apart.
bool check_request(std::string_view body, WireError& error) {
  WireReader reader(body);
  Field field;
  while (reader.next(field)) {
    if (field.number == request_fields::kResourceLogs && !protobuf::expect_type(field, WireType::len, error))
      return false;
  }
  if (reader.failed()) error = reader.error();
  return !reader.failed();
}

// The log_records fields of a ScopeLogs, as far as its framing can be read.
size_t count_scope_records(const Field& scope) {
  size_t count = 0;
  WireReader reader = WireReader::nested(scope);
  Field field;
  while (reader.next(field))
    if (field.number == scope_logs_fields::kLogRecords && field.type == WireType::len) ++count;
  return count;
}

size_t count_records(const Field& unit) {
  size_t count = 0;
  WireReader reader = WireReader::nested(unit);
  Field field;
  while (reader.next(field))
    if (field.number == resource_logs_fields::kScopeLogs && field.type == WireType::len)
      count += count_scope_records(field);
  return count;
}

// A ResourceLogs' resource attributes, and that its framing and its scope_logs'
// holds; false with `error` set.
bool read_unit(Decoder& decoder, const Field& unit, std::string_view path, Json& resource) {
  WireReader reader = WireReader::nested(unit);
  Field field;
  for (size_t scope = 0; reader.next(field);) {
    if (field.number == resource_logs_fields::kResource) {
      if (!decoder.read_resource(field, field_path(path, "resource"), resource)) return false;
    } else if (field.number == resource_logs_fields::kScopeLogs) {
      if (!decoder.expect(field, WireType::len, indexed(path, "scope_logs", scope++))) return false;
    }
  }
  return !reader.failed() || decoder.fail_wire(path, reader.error());
}

// A ScopeLogs' framing, and that each log_records is length-delimited.
bool check_scope(Decoder& decoder, const Field& scope, std::string_view path) {
  WireReader reader = WireReader::nested(scope);
  Field field;
  for (size_t record = 0; reader.next(field);) {
    if (field.number == scope_logs_fields::kLogRecords &&
        !decoder.expect(field, WireType::len, indexed(path, "log_records", record++)))
      return false;
  }
  return !reader.failed() || decoder.fail_wire(path, reader.error());
}

void read_scope(const Field& scope, std::string_view path, const Json& resource, size_t& index, RecordSink& sink) {
  WireReader reader = WireReader::nested(scope);
  Field field;
  for (size_t k = 0; reader.next(field);) {
    if (field.number != scope_logs_fields::kLogRecords) continue;
    if (!sink.admit(index, field.offset)) return;
    const std::string record_path = indexed(path, "log_records", k++);
    Decoder decoder;
    OtlpLogRecord record;
    if (decoder.read_log_record(field, record_path, record)) {
      accept_otlp_record(sink, index, field.offset, record_path, resource, record);
    } else {
      sink.reject(index, field.offset, std::move(decoder.error().field), std::move(decoder.error().message));
    }
    ++index;
  }
}

}  // namespace

void read_otlp_protobuf(std::string_view body, RecordSink& sink) {
  sink.note_otlp();
  WireError framing;
  if (!check_request(body, framing)) {
    std::string message = "not a protobuf ExportLogsServiceRequest: " + framing.message;
    // '{' reads as field 15 with the refused wire type 3: say what it more likely is.
    const size_t first = body.find_first_not_of(" \t\r\n");
    if (first != std::string_view::npos && body[first] == '{')
      message += " (the body looks like JSON: send it with Content-Type: application/json)";
    sink.reject_request(framing.offset, "", std::move(message));
    return;
  }
  WireReader reader(body);
  Field unit;
  size_t index = 0;  // the record's position across the whole request
  for (size_t r = 0; reader.next(unit);) {
    if (unit.number != request_fields::kResourceLogs) continue;
    const std::string unit_path = indexed("", "resource_logs", r++);
    Decoder decoder;
    Json resource = Json::object();
    if (!read_unit(decoder, unit, unit_path, resource)) {
      if (!reject_otlp_records(sink, index, unit.offset, count_records(unit), decoder.error())) return;
      continue;
    }
    WireReader scopes = WireReader::nested(unit);
    Field scope;
    for (size_t s = 0; scopes.next(scope);) {
      if (scope.number != resource_logs_fields::kScopeLogs) continue;
      const std::string scope_path = indexed(unit_path, "scope_logs", s++);
      if (!check_scope(decoder, scope, scope_path)) {
        if (!reject_otlp_records(sink, index, scope.offset, count_scope_records(scope), decoder.error())) return;
        continue;
      }
      read_scope(scope, scope_path, resource, index, sink);
      if (sink.full()) return;
    }
  }
}

}  // namespace faultline
