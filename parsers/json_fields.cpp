#include "parsers/json_fields.h"

#include <cstdint>

#include "parsers/log_time.h"
#include "parsers/utf8.h"

namespace faultline {

const char* json_type_name(const Json& value) {
  switch (value.type()) {
    case Json::value_t::object: return "object";
    case Json::value_t::array: return "array";
    case Json::value_t::string: return "string";
    case Json::value_t::boolean: return "boolean";
    case Json::value_t::null: return "null";
    case Json::value_t::number_integer:
    case Json::value_t::number_unsigned:
    case Json::value_t::number_float: return "number";
    case Json::value_t::binary: return "binary";
    case Json::value_t::discarded: return "discarded";
  }
  return "unknown";
}

std::string field_path(std::string_view prefix, std::string_view key) {
  std::string path;
  path.reserve(prefix.size() + 1 + key.size());
  path.append(prefix);
  if (!prefix.empty() && !key.empty()) path += '.';
  path.append(key);
  return path;
}

const Json* find_member(const Json& object, std::string_view key) {
  if (!object.is_object()) return nullptr;
  auto it = object.find(key);
  if (it == object.end() || it->is_null()) return nullptr;
  return &*it;
}

FieldError wrong_type(std::string_view prefix, std::string_view key, std::string_view what,
                      const Json& got) {
  return FieldError{field_path(prefix, key),
                    "expected " + std::string(what) + ", got " + json_type_name(got)};
}

bool read_string(const Json& object, std::string_view key, std::string_view prefix,
                 std::string_view& out, FieldError& error) {
  const Json* member = find_member(object, key);
  if (!member) return true;
  if (!member->is_string()) {
    error = wrong_type(prefix, key, "a string", *member);
    return false;
  }
  out = member->get_ref<const std::string&>();
  return true;
}

bool read_object(const Json& object, std::string_view key, std::string_view prefix,
                 const Json*& out, FieldError& error) {
  const Json* member = find_member(object, key);
  if (!member) return true;
  if (!member->is_object()) {
    error = wrong_type(prefix, key, "an object", *member);
    return false;
  }
  out = member;
  return true;
}

bool read_rfc3339(const Json& object, std::string_view key, std::string_view prefix,
                  std::optional<Timestamp>& out, FieldError& error) {
  const Json* member = find_member(object, key);
  if (!member) return true;
  if (!member->is_string()) {
    error = wrong_type(prefix, key, "an RFC 3339 timestamp string", *member);
    return false;
  }
  const std::string& text = member->get_ref<const std::string&>();
  auto parsed = parse_rfc3339(text);
  if (!parsed) {
    error = FieldError{field_path(prefix, key),
                       "not an RFC 3339 timestamp: \"" + printable_excerpt(text, 64) + "\""};
    return false;
  }
  out = parsed;
  return true;
}

std::optional<Timestamp> json_time(const Json& value) {
  if (value.is_string()) return parse_log_time(value.get_ref<const std::string&>());
  if (value.is_number_unsigned()) return epoch_time(value.get<uint64_t>());
  if (value.is_number_integer()) {  // signed: built in code rather than parsed, or negative
    const int64_t number = value.get<int64_t>();
    return number < 0 ? std::nullopt : epoch_time(static_cast<uint64_t>(number));
  }
  if (value.is_number_float()) return epoch_time(value.get<double>());
  if (value.is_object()) {  // MongoDB: {"$date": "…"} or {"$date": 1616448080349}
    const Json* date = find_member(value, "$date");
    if (date && !date->is_object()) return json_time(*date);
  }
  return std::nullopt;  // booleans, arrays, other objects
}

bool read_time_field(const Json& object, std::string_view key, std::optional<Timestamp>& out,
                     FieldError& problem) {
  const Json* member = find_member(object, key);
  if (!member) return true;
  if (std::optional<Timestamp> time = json_time(*member)) {
    out = time;
    return true;
  }
  const std::string type = json_type_name(*member);
  const std::string what = member->is_string()
                               ? "\"" + printable_excerpt(member->get_ref<const std::string&>(), 64) + "\""
                           : member->is_number() ? "the number " + member->dump()
                                                 : (type[0] == 'a' || type[0] == 'o' ? "an " : "a ") + type;
  problem = FieldError{std::string(key), "cannot read " + what +
                                             " as a time (RFC 3339 or a common log date-time, or a Unix epoch "
                                             "in s, ms, µs or ns; years 1678..2261)"};
  return false;
}

FieldError time_warning(FieldError problem, std::string_view used) {
  problem.message += "; the record was kept with ";
  problem.message += used;
  return problem;
}

std::string_view trim_end(std::string_view s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ' || s.back() == '\t'))
    s.remove_suffix(1);
  return s;
}

void strip_one_newline(std::string& text) {
  if (!text.empty() && text.back() == '\n') {
    text.pop_back();
    if (!text.empty() && text.back() == '\r') text.pop_back();
  }
}

}  // namespace faultline
