#include "parsers/flat_record.h"

#include <cmath>
#include <cstdint>

namespace faultline {
namespace {

// The first of `keys` present in `object`, with its key; nullptr when none is.
const Json* first_member(const Json& object, std::initializer_list<std::string_view> keys,
                         std::string_view& key_found) {
  for (std::string_view key : keys) {
    if (const Json* member = find_member(object, key)) {
      key_found = key;
      return member;
    }
  }
  return nullptr;
}

bool first_string(const Json& object, std::initializer_list<std::string_view> keys,
                  std::string_view prefix, std::string_view& out, FieldError& error) {
  std::string_view key;
  const Json* member = first_member(object, keys, key);
  if (!member) return true;
  if (!member->is_string()) {
    error = wrong_type(prefix, key, "a string", *member);
    return false;
  }
  out = member->get_ref<const std::string&>();
  return true;
}

// Epoch numbers come in every unit; a 2020s instant is ~1.7e9 s, 1.7e12 ms,
// 1.7e15 µs, 1.7e18 ns, so the magnitude says which.
int64_t nanos_per_unit(double magnitude) {
  if (magnitude >= 1e17) return 1;
  if (magnitude >= 1e14) return 1000;
  if (magnitude >= 1e11) return 1000000;
  return 1000000000;
}

bool epoch_to_time(const Json& number, Timestamp& out) {
  using std::chrono::nanoseconds;
  if (number.is_number_unsigned() || number.is_number_integer()) {
    // Integers stay exact: nanosecond epochs do not fit a double's mantissa.
    if (number.is_number_integer() && !number.is_number_unsigned() && number.get<int64_t>() < 0)
      return false;
    uint64_t value = number.get<uint64_t>();
    int64_t unit = nanos_per_unit(static_cast<double>(value));
    if (value > static_cast<uint64_t>(INT64_MAX / unit)) return false;
    out = Timestamp{nanoseconds{static_cast<int64_t>(value) * unit}};
    return true;
  }
  double value = number.get<double>();
  if (!std::isfinite(value) || value < 0 || value >= 9.2e18) return false;
  int64_t unit = nanos_per_unit(value);
  double whole = std::floor(value);
  if (whole > static_cast<double>(INT64_MAX / unit) - 1) return false;
  // A double holds a seconds or milliseconds epoch to about a microsecond, so
  // round the fraction there: 1758000000.123 means .123000, not .122999906.
  int64_t fraction_step = unit >= 1000000 ? 1000 : 1;
  int64_t fraction =
      std::llround((value - whole) * static_cast<double>(unit / fraction_step)) * fraction_step;
  out = Timestamp{nanoseconds{static_cast<int64_t>(whole) * unit + fraction}};
  return true;
}

bool read_time(const Json& object, std::optional<Timestamp>& out, FieldError& error) {
  std::string_view key;
  const Json* member = first_member(object, {"time", "timestamp", "ts", "date"}, key);
  if (!member) return true;
  if (member->is_string()) return read_rfc3339(object, key, "", out, error);
  if (!member->is_number()) {
    error = wrong_type("", key, "an RFC 3339 string or epoch number", *member);
    return false;
  }
  Timestamp time;
  if (!epoch_to_time(*member, time)) {
    error = FieldError{std::string(key), "epoch timestamp out of range: " + member->dump()};
    return false;
  }
  out = time;
  return true;
}

// pino/bunyan levels: 10 trace, 20 debug, 30 info, 40 warn, 50 error, 60 fatal.
const char* numeric_level_name(double level) {
  if (level >= 60) return "CRITICAL";
  if (level >= 50) return "ERROR";
  if (level >= 40) return "WARNING";
  if (level >= 30) return "INFO";
  return "DEBUG";
}

bool read_severity(const Json& object, std::string& out, FieldError& error) {
  std::string_view key;
  const Json* member = first_member(object, {"severity", "level"}, key);
  if (!member) return true;
  if (member->is_string()) {
    out = member->get_ref<const std::string&>();
    return true;
  }
  if (member->is_number()) {
    out = numeric_level_name(member->get<double>());
    return true;
  }
  error = wrong_type("", key, "a string", *member);
  return false;
}

}  // namespace

bool flat_record_to_record(const Json& object, const RecordContext& context, LogRecord& out,
                           FieldError& error) {
  const ParseOptions& options = context.options;
  std::optional<Timestamp> time;
  if (!read_time(object, time, error)) return false;
  out.time = time ? *time : context.publish_time ? *context.publish_time : options.arrival;

  const Json* kubernetes = nullptr;
  const Json* pod_labels = nullptr;
  if (!read_object(object, "kubernetes", "", kubernetes, error)) return false;
  if (kubernetes && !read_object(*kubernetes, "labels", "kubernetes", pod_labels, error))
    return false;

  std::string_view service, revision, instance, namespace_name, cluster, stream;
  // Top-level names win; Fluent Bit's kubernetes metadata fills the gaps.
  auto fill_gap = [&](const Json* source, std::string_view prefix, std::string_view key,
                      std::string_view& value) {
    return !value.empty() || source == nullptr || read_string(*source, key, prefix, value, error);
  };
  if (!first_string(object, {"service"}, "", service, error)) return false;
  if (!fill_gap(kubernetes, "kubernetes", "container_name", service)) return false;
  if (!first_string(object, {"revision"}, "", revision, error)) return false;
  if (!fill_gap(pod_labels, "kubernetes.labels", "pod-template-hash", revision)) return false;
  if (!first_string(object, {"instance", "pod"}, "", instance, error)) return false;
  if (!fill_gap(kubernetes, "kubernetes", "pod_name", instance)) return false;
  if (!fill_gap(&object, "", "host", instance)) return false;
  if (!first_string(object, {"namespace"}, "", namespace_name, error)) return false;
  if (!fill_gap(kubernetes, "kubernetes", "namespace_name", namespace_name)) return false;
  if (!first_string(object, {"cluster"}, "", cluster, error)) return false;
  if (!first_string(object, {"stream"}, "", stream, error)) return false;
  if (!read_severity(object, out.severity, error)) return false;

  std::string_view text_key;
  const Json* text_member = first_member(object, {"message", "msg", "log"}, text_key);
  if (!text_member) {
    error = FieldError{"message", "missing: a flat record needs \"message\", \"msg\" or \"log\""};
    return false;
  }
  if (!text_member->is_string()) {
    error = wrong_type("", text_key, "a string", *text_member);
    return false;
  }

  out.service = service.empty() ? options.service : std::string(service);
  out.revision = revision.empty() ? options.revision : std::string(revision);
  out.instance = instance.empty() ? options.instance : std::string(instance);
  out.namespace_name = namespace_name;
  out.cluster = cluster;
  out.stream = stream;
  out.text = text_member->get_ref<const std::string&>();
  strip_one_newline(out.text);
  out.source_id = context.message_id;
  return true;
}

}  // namespace faultline
