#include "parsers/json_fields.h"

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

void strip_one_newline(std::string& text) {
  if (!text.empty() && text.back() == '\n') {
    text.pop_back();
    if (!text.empty() && text.back() == '\r') text.pop_back();
  }
}

}  // namespace faultline
