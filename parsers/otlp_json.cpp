#include "parsers/otlp_json.h"

#include <charconv>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>

#include "parsers/otlp_logs.h"
#include "parsers/utf8.h"

namespace faultline {
namespace {

bool fail(FieldError found, FieldError& error) {
  error = std::move(found);
  return false;
}

std::string indexed(std::string_view path, std::string_view list, size_t i) {
  return field_path(path, list) + "[" + std::to_string(i) + "]";
}

std::string quoted(const Json& value) {
  return "\"" + printable_excerpt(value.get_ref<const std::string&>(), 40) + "\"";
}

// A decimal string (the proto3 JSON form of 64-bit integers) or an integer number.
bool read_int64(const Json& value, std::string_view field, int64_t& out, FieldError& error) {
  if (value.is_string()) {
    const std::string& text = value.get_ref<const std::string&>();
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
    if (ec == std::errc() && end == text.data() + text.size()) return true;
    error = FieldError{std::string(field), "not a 64-bit integer: " + quoted(value)};
    return false;
  }
  if (value.is_number_integer() && !value.is_number_unsigned()) {
    out = value.get<int64_t>();
    return true;
  }
  if (value.is_number_unsigned() && value.get<uint64_t>() <= INT64_MAX) {
    out = static_cast<int64_t>(value.get<uint64_t>());
    return true;
  }
  error = FieldError{std::string(field), value.is_number() ? "not a 64-bit integer: " + value.dump()
                                                           : std::string("expected a decimal string or integer, got ") +
                                                                 json_type_name(value)};
  return false;
}

// A fixed64 time in Unix nanoseconds. Beyond int64 (the year 2262) no Timestamp
// holds it: refused rather than wrapped.
bool read_nanos(const Json& record, std::string_view key, std::string_view path, int64_t& out, FieldError& error) {
  const Json* value = find_member(record, key);
  if (!value) return true;
  const std::string field = field_path(path, key);
  uint64_t nanos = 0;
  if (value->is_string()) {
    const std::string& text = value->get_ref<const std::string&>();
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), nanos);
    if (ec != std::errc() || end != text.data() + text.size()) {
      error = FieldError{field, "not Unix nanoseconds (a decimal string): " + quoted(*value)};
      return false;
    }
  } else if (value->is_number_unsigned() || (value->is_number_integer() && value->get<int64_t>() >= 0)) {
    nanos = value->get<uint64_t>();
  } else {
    error = FieldError{field, value->is_number() ? "not Unix nanoseconds: " + value->dump()
                                                 : std::string("expected Unix nanoseconds as a decimal string, got ") +
                                                       json_type_name(*value)};
    return false;
  }
  if (nanos > static_cast<uint64_t>(INT64_MAX)) {
    error = FieldError{field, std::to_string(nanos) + " ns is after 2262-04-11, beyond what faultline's times hold"};
    return false;
  }
  out = static_cast<int64_t>(nanos);
  return true;
}

// proto3 JSON doubles: a number, "NaN", "Infinity", "-Infinity", or a number in a string.
bool read_double(const Json& value, std::string_view field, Json& out, FieldError& error) {
  if (value.is_number()) {
    out = value.get<double>();
    return true;
  }
  if (!value.is_string()) {
    error = FieldError{std::string(field), std::string("expected a number, got ") + json_type_name(value)};
    return false;
  }
  const std::string& text = value.get_ref<const std::string&>();
  double number = 0;
  if (text == "NaN") {
    number = std::numeric_limits<double>::quiet_NaN();
  } else if (text == "Infinity" || text == "-Infinity") {
    number = text[0] == '-' ? -std::numeric_limits<double>::infinity() : std::numeric_limits<double>::infinity();
  } else {
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), number);
    if (ec != std::errc() || end != text.data() + text.size()) {
      error = FieldError{std::string(field), "not a number: " + quoted(value)};
      return false;
    }
  }
  out = number;
  return true;
}

bool read_key_values(const Json& list, std::string_view path, size_t depth, Json& out, FieldError& error);

// {"values":[…]} of an arrayValue or kvlistValue: the list, or nullptr when absent.
bool read_values(const Json& holder, std::string_view path, const Json*& values, FieldError& error) {
  if (!holder.is_object()) {
    error = FieldError{std::string(path), std::string("expected an object, got ") + json_type_name(holder)};
    return false;
  }
  values = find_member(holder, "values");
  if (values && !values->is_array()) {
    error = wrong_type(path, "values", "an array", *values);
    return false;
  }
  return true;
}

// An AnyValue ({"stringValue":"x"}, {"kvlistValue":{"values":[…]}}, …) as plain JSON.
bool read_any_value(const Json& value, std::string_view path, size_t depth, Json& out, FieldError& error) {
  if (!value.is_object()) {
    error = FieldError{std::string(path), std::string("expected an AnyValue object ({\"stringValue\":…}), got ") +
                                              json_type_name(value)};
    return false;
  }
  if (depth > kMaxOtlpValueDepth) {
    error = FieldError{std::string(path), "nested deeper than " + std::to_string(kMaxOtlpValueDepth) + " levels"};
    return false;
  }
  if (const Json* v = find_member(value, "stringValue")) {
    if (!v->is_string()) return fail(wrong_type(path, "stringValue", "a string", *v), error);
    out = *v;
  } else if (const Json* v = find_member(value, "boolValue")) {
    if (!v->is_boolean()) return fail(wrong_type(path, "boolValue", "a boolean", *v), error);
    out = *v;
  } else if (const Json* v = find_member(value, "intValue")) {
    int64_t number = 0;
    if (!read_int64(*v, field_path(path, "intValue"), number, error)) return false;
    out = number;
  } else if (const Json* v = find_member(value, "doubleValue")) {
    if (!read_double(*v, field_path(path, "doubleValue"), out, error)) return false;
  } else if (const Json* v = find_member(value, "arrayValue")) {
    const std::string array_path = field_path(path, "arrayValue");
    const Json* values = nullptr;
    if (!read_values(*v, array_path, values, error)) return false;
    out = Json::array();
    if (values) {
      for (size_t i = 0; i < values->size(); ++i) {
        Json element;
        if (!read_any_value((*values)[i], indexed(array_path, "values", i), depth + 1, element, error)) return false;
        out.push_back(std::move(element));
      }
    }
  } else if (const Json* v = find_member(value, "kvlistValue")) {
    const std::string list_path = field_path(path, "kvlistValue");
    const Json* values = nullptr;
    if (!read_values(*v, list_path, values, error)) return false;
    out = Json::object();
    if (values && !read_key_values(*values, field_path(list_path, "values"), depth + 1, out, error)) return false;
  } else if (const Json* v = find_member(value, "bytesValue")) {
    if (!v->is_string()) return fail(wrong_type(path, "bytesValue", "a base64 string", *v), error);
    out = *v;
  } else {
    out = nullptr;  // an empty AnyValue, or only members this version does not know
  }
  return true;
}

// A list of KeyValue ({"key":"k","value":{AnyValue}}) into the object `out`.
bool read_key_values(const Json& list, std::string_view path, size_t depth, Json& out, FieldError& error) {
  if (!list.is_array()) {
    error = FieldError{std::string(path), std::string("expected an array, got ") + json_type_name(list)};
    return false;
  }
  for (size_t i = 0; i < list.size(); ++i) {
    const std::string item = std::string(path) + "[" + std::to_string(i) + "]";
    const Json& pair = list[i];
    if (!pair.is_object()) {
      error = FieldError{item, std::string("expected a {\"key\":…,\"value\":…} object, got ") + json_type_name(pair)};
      return false;
    }
    std::string_view key;
    if (!read_string(pair, "key", item, key, error)) return false;
    Json value;
    if (const Json* any = find_member(pair, "value");
        any && !read_any_value(*any, field_path(item, "value"), depth, value, error))
      return false;
    if (!out.contains(key)) out[std::string(key)] = std::move(value);
  }
  return true;
}

// Optional "attributes" of `holder` into `out`.
bool read_attributes(const Json& holder, std::string_view path, Json& out, FieldError& error) {
  const Json* list = find_member(holder, "attributes");
  return !list || read_key_values(*list, field_path(path, "attributes"), 0, out, error);
}

bool read_log_record(const Json& record, std::string_view path, OtlpLogRecord& out, FieldError& error) {
  if (!record.is_object()) {
    error = FieldError{std::string(path), std::string("expected a LogRecord object, got ") + json_type_name(record)};
    return false;
  }
  if (!read_nanos(record, "timeUnixNano", path, out.time_unix_nano, error) ||
      !read_nanos(record, "observedTimeUnixNano", path, out.observed_time_unix_nano, error))
    return false;
  if (const Json* number = find_member(record, "severityNumber")) {
    // OTLP/JSON writes enums as numbers only.
    if (!number->is_number_integer()) return fail(wrong_type(path, "severityNumber", "an integer", *number), error);
    out.severity_number = number->is_number_unsigned() && number->get<uint64_t>() > INT64_MAX ? 0 : number->get<int64_t>();
  }
  std::string_view severity_text;
  if (!read_string(record, "severityText", path, severity_text, error)) return false;
  out.severity_text = severity_text;
  if (const Json* body = find_member(record, "body");
      body && !read_any_value(*body, field_path(path, "body"), 0, out.body, error))
    return false;
  return read_attributes(record, path, out.attributes, error);
}

// Records in a resourceLogs, for rejecting each when the unit cannot be read.
size_t count_records(const Json& resource_logs) {
  size_t count = 0;
  const Json* scopes = find_member(resource_logs, "scopeLogs");
  if (!scopes || !scopes->is_array()) return 0;
  for (const Json& scope : *scopes) {
    const Json* records = find_member(scope, "logRecords");
    if (records && records->is_array()) count += records->size();
  }
  return count;
}

// The resource attributes of a resourceLogs, or false with `error` set.
bool read_resource(const Json& resource_logs, std::string_view path, Json& attributes, FieldError& error) {
  if (!resource_logs.is_object()) {
    error = FieldError{std::string(path), std::string("expected an object, got ") + json_type_name(resource_logs)};
    return false;
  }
  const Json* resource = nullptr;
  if (!read_object(resource_logs, "resource", path, resource, error)) return false;
  if (resource && !read_attributes(*resource, field_path(path, "resource"), attributes, error)) return false;
  const Json* scopes = find_member(resource_logs, "scopeLogs");
  if (scopes && !scopes->is_array()) {
    error = wrong_type(path, "scopeLogs", "an array", *scopes);
    return false;
  }
  return true;
}

// The logRecords list of a scopeLogs (nullptr when absent), or false with `error` set.
bool read_scope(const Json& scope, std::string_view path, const Json*& records, FieldError& error) {
  if (!scope.is_object()) {
    error = FieldError{std::string(path), std::string("expected an object, got ") + json_type_name(scope)};
    return false;
  }
  records = find_member(scope, "logRecords");
  if (records && !records->is_array()) {
    error = wrong_type(path, "logRecords", "an array", *records);
    return false;
  }
  return true;
}

}  // namespace

bool is_otlp_logs(const Json& body) { return body.is_object() && body.contains("resourceLogs"); }

void read_otlp_json(const Json& body, size_t offset, RecordSink& sink) {
  sink.note_otlp();
  const Json* resource_logs = find_member(body, "resourceLogs");
  if (!resource_logs) return;  // an empty request: nothing to do, and a success
  if (!resource_logs->is_array()) {
    sink.reject_request(offset, "resourceLogs",
                        std::string("expected an array, got ") + json_type_name(*resource_logs));
    return;
  }
  size_t index = 0;  // the record's position across the whole document
  for (size_t r = 0; r < resource_logs->size(); ++r) {
    const Json& unit = (*resource_logs)[r];
    const std::string unit_path = indexed("", "resourceLogs", r);
    Json resource = Json::object();
    FieldError error;
    if (!read_resource(unit, unit_path, resource, error)) {
      if (!reject_otlp_records(sink, index, offset, count_records(unit), error)) return;
      continue;
    }
    const Json* scopes = find_member(unit, "scopeLogs");
    if (!scopes) continue;
    for (size_t s = 0; s < scopes->size(); ++s) {
      const std::string scope_path = indexed(unit_path, "scopeLogs", s);
      const Json* records = nullptr;
      if (!read_scope((*scopes)[s], scope_path, records, error)) {
        if (!reject_otlp_records(sink, index, offset, 1, error)) return;
        continue;
      }
      if (!records) continue;
      for (size_t k = 0; k < records->size(); ++k, ++index) {
        if (!sink.admit(index, offset)) return;
        const std::string path = indexed(scope_path, "logRecords", k);
        OtlpLogRecord record;
        if (read_log_record((*records)[k], path, record, error)) {
          accept_otlp_record(sink, index, offset, path, resource, record);
        } else {
          sink.reject(index, offset, std::move(error.field), std::move(error.message));
        }
      }
    }
  }
}

}  // namespace faultline
