#include "parsers/json_line_ondemand.h"

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>

#include "parsers/app_level.h"
#include "parsers/app_record_keys.h"
#include "parsers/json_fields.h"
#include "parsers/log_time.h"
#include "parsers/ondemand_json.h"
#include "parsers/timestamp.h"

namespace faultline {
namespace {

namespace od = simdjson::ondemand;
namespace keys = app_record_keys;

// A member read as the DOM path would hold it (nlohmann: a number without a
// fraction or exponent is unsigned, or signed when negative; null is absent).
struct Scalar {
  enum class Kind { absent, string, unsigned_number, signed_number, float_number, other } kind = Kind::absent;
  std::string_view text;
  uint64_t unsigned_value = 0;
  int64_t signed_value = 0;
  double float_value = 0;

  bool present() const { return kind != Kind::absent; }
  bool is_string() const { return kind == Kind::string; }
  bool is_number() const {
    return kind == Kind::unsigned_number || kind == Kind::signed_number || kind == Kind::float_number;
  }
  double as_double() const {
    return kind == Kind::unsigned_number ? static_cast<double>(unsigned_value)
           : kind == Kind::signed_number ? static_cast<double>(signed_value)
                                         : float_value;
  }
};

// Every member name read below, each once.
constexpr std::array<std::string_view, 25> kNames = {
    "msg", "message", "event", "@m", "Message", "@mt", "log",                       // keys::kMessage
    "level", "severity", "lvl", "levelname", "log.level", "@l", "LogLevel", "loglevel",  // keys::kLevel
    "time", "timestamp", "ts", "@timestamp", "@t", "Timestamp", "date", "asctime", "t",  // keys::kTime
    "stream"};
// Beside those: "s" (MongoDB's severity).
constexpr size_t kS = kNames.size();

constexpr size_t index_of(std::string_view name) {
  for (size_t i = 0; i < kNames.size(); ++i)
    if (kNames[i] == name) return i;
  return name == "s" ? kS : kNames.size() + 1;
}

bool is_error_member(std::string_view key) {
  for (std::string_view name : keys::kError)
    if (key == name) return true;
  for (std::string_view name : keys::kEcsError)
    if (key == name) return true;
  return false;
}

// False when the DOM path must read the value.
bool read_scalar(od::value value, Scalar& out) {
  od::json_type type;
  if (value.type().get(type)) return false;
  switch (type) {
    case od::json_type::string:
      out.kind = Scalar::Kind::string;
      return !value.get_string().get(out.text);
    case od::json_type::number: {
      std::string_view token = value.raw_json_token();
      while (!token.empty() && (token.back() == ' ' || token.back() == '\t' || token.back() == '\n' || token.back() == '\r'))
        token.remove_suffix(1);
      if (token.find_first_of(".eE") != std::string_view::npos) {
        out.kind = Scalar::Kind::float_number;
        return !value.get_double().get(out.float_value);
      }
      if (!token.empty() && token.front() == '-') {
        out.kind = Scalar::Kind::signed_number;
        return !value.get_int64().get(out.signed_value);
      }
      out.kind = Scalar::Kind::unsigned_number;
      return !value.get_uint64().get(out.unsigned_value);
    }
    case od::json_type::null: {
      bool null = false;
      out.kind = Scalar::Kind::absent;
      return !value.is_null().get(null) && null;
    }
    case od::json_type::boolean: {
      bool flag;
      out.kind = Scalar::Kind::other;
      return !value.get_bool().get(flag);
    }
    case od::json_type::object:
    case od::json_type::array:
      return false;  // a "log" object, a {"$date": …} time, a level object: the DOM path's
  }
  return false;
}

std::optional<Timestamp> time_of(const Scalar& value) {
  switch (value.kind) {
    case Scalar::Kind::string: return parse_log_time(value.text);
    case Scalar::Kind::unsigned_number: return epoch_time(value.unsigned_value);
    case Scalar::Kind::signed_number:
      return value.signed_value < 0 ? std::nullopt : epoch_time(static_cast<uint64_t>(value.signed_value));
    case Scalar::Kind::float_number: return epoch_time(value.float_value);
    default: return std::nullopt;
  }
}

std::string_view level_of(const Scalar& value) {
  if (value.is_string()) return canonical_level(value.text);
  if (value.is_number()) return numeric_level(value.as_double());
  return {};
}

}  // namespace

bool read_json_line_ondemand(std::string_view object_text, JsonLine& out) {
  thread_local od::parser parser;
  thread_local std::string padded;
  padded.assign(object_text);
  od::document document;
  od::object root;
  if (!ondemand::open_object(parser, padded, document, root)) return false;
  std::array<Scalar, kNames.size() + 1> members;  // by index_of; [kS] is "s"
  std::array<bool, kNames.size() + 1> seen{};
  const bool read = ondemand::for_each_field(root, [&](std::string_view key, od::value value) {
    if (is_error_member(key)) return false;
    const size_t at = index_of(key);
    if (at > kS) return ondemand::consume(value, 1);
    if (seen[at]) return false;  // repeated: the DOM keeps the last, and a null may hide it
    seen[at] = true;
    return read_scalar(value, members[at]);
  });
  if (!read || !ondemand::at_end(document)) return false;
  auto member = [&](std::string_view name) -> const Scalar& { return members[index_of(name)]; };

  out = JsonLine{};
  const Scalar& log = member("log");
  const Scalar& stream = member("stream");
  const Scalar& time = member("time");
  if (log.is_string() && (stream.is_string() || time.is_string()) && !member("msg").present() &&
      !member("message").present()) {
    out.kind = JsonLine::Kind::docker;
    out.text = log.text;
    // Docker splits lines longer than 16 KiB; only the last piece ends with "\n".
    out.partial = !out.text.empty() && out.text.back() != '\n' && out.text.size() >= 16 * 1024;
    strip_one_newline(out.text);
    if (stream.is_string()) out.stream = stream.text;
    if (time.is_string()) out.time = parse_rfc3339(time.text);
    return true;
  }
  for (std::string_view name : keys::kMessage) {
    if (const Scalar& message = member(name); message.is_string()) {
      out.text = trim_end(message.text);
      break;
    }
  }
  if (out.text.empty()) {
    out.text.clear();
    return true;  // neither Docker's nor an application's record: Kind::none
  }
  out.kind = JsonLine::Kind::application;
  for (std::string_view name : keys::kLevel) {
    if (!member(name).present()) continue;
    out.level = level_of(member(name));
    if (!out.level.empty()) break;
  }
  if (out.level.empty() && members[kS].is_string() && member("t").present()) out.level = mongo_level(members[kS].text);
  for (std::string_view name : keys::kTime) {
    if (!member(name).present()) continue;
    out.time = time_of(member(name));
    if (out.time) break;
  }
  return true;
}

}  // namespace faultline
