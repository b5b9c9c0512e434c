#include "parsers/otlp_logs.h"

#include <algorithm>
#include <chrono>
#include <optional>

#include "parsers/app_level.h"
#include "parsers/json_document.h"
#include "parsers/structured.h"

namespace faultline {
namespace {

// Attribute lookups: the record's attributes first, then its resource's.
class Attributes {
 public:
  Attributes(const Json& record, const Json& resource) : record_(record), resource_(resource) {}

  std::string_view get(std::string_view key) const {
    for (const Json* attributes : {&record_, &resource_}) {
      const Json* value = find_member(*attributes, key);
      if (value && value->is_string() && !value->get_ref<const std::string&>().empty())
        return value->get_ref<const std::string&>();
    }
    return {};
  }

  std::string_view first(std::initializer_list<std::string_view> keys) const {
    for (std::string_view key : keys)
      if (std::string_view value = get(key); !value.empty()) return value;
    return {};
  }

  const Json* record(std::string_view key) const { return find_member(record_, key); }

 private:
  const Json& record_;
  const Json& resource_;
};

bool is_placeholder_service(std::string_view name) {
  return name == "unknown_service" || name.starts_with("unknown_service:");
}

std::string_view service_of(const Attributes& attributes) {
  std::string_view name = attributes.get("service.name");
  if (!name.empty() && !is_placeholder_service(name)) return name;
  return attributes.first({"k8s.container.name", "faas.name"});
}

// A Deployment's ReplicaSet is "<deployment>-<pod-template-hash>".
std::string_view replicaset_hash(std::string_view replicaset) {
  size_t dash = replicaset.rfind('-');
  return dash == std::string_view::npos || dash + 1 == replicaset.size() ? replicaset : replicaset.substr(dash + 1);
}

std::string_view revision_of(const Attributes& attributes) {
  std::string_view revision = attributes.first({"service.version", "faas.version", "k8s.pod.labels.pod-template-hash"});
  if (!revision.empty()) return revision;
  return replicaset_hash(attributes.get("k8s.replicaset.name"));
}

std::string_view resource_type_of(const Attributes& attributes) {
  if (!attributes.first({"k8s.pod.name", "k8s.container.name"}).empty()) return "k8s_container";
  if (attributes.get("cloud.platform") == "gcp_cloud_run") return "cloud_run_revision";
  return {};
}

// SeverityNumber ranges (logs.proto): 1-4 TRACE, 5-8 DEBUG, 9-12 INFO, 13-16
// WARN, 17-20 ERROR, 21-24 FATAL, in Cloud Logging's LogSeverity names.
std::string_view severity_name(int64_t number) {
  if (number < 1 || number > 24) return {};
  if (number <= 8) return "DEBUG";
  if (number <= 12) return "INFO";
  if (number <= 16) return "WARNING";
  if (number <= 20) return "ERROR";
  return "CRITICAL";
}

std::string compact(const Json& value) {
  std::string text;
  // The decoders bound the depth, so this cannot fail; an empty text if it did.
  (void)dump_compact(value, kMaxOtlpValueDepth + 1, text);
  return text;
}

// The body as text, and the time and level of the application record it holds.
void read_body(const Json& body, LogRecord& out, std::optional<Timestamp>& inner_time) {
  if (body.is_null()) return;
  if (body.is_string()) {
    out.text = body.get_ref<const std::string&>();
    strip_one_newline(out.text);
    read_carried_text(out.text, out.app_level, &inner_time);
    return;
  }
  AppRecord record;
  if (body.is_object() && read_app_record(body, record)) {
    out.text = std::move(record.text);
    if (!record.level.empty()) out.app_level = record.level;
    inner_time = record.time;
    return;
  }
  out.text = compact(body);
}

// OpenTelemetry's semantic conventions for exceptions, on the record.
void append_exception(const Attributes& attributes, std::string& text) {
  auto string_of = [&](std::string_view key) {
    const Json* value = attributes.record(key);
    return value && value->is_string() ? std::string_view(value->get_ref<const std::string&>()) : std::string_view();
  };
  std::string_view type = string_of("exception.type");
  std::string_view message = string_of("exception.message");
  const Json* stack = attributes.record("exception.stacktrace");
  if (stack && !stack->is_string()) stack = nullptr;
  if (type.empty() && message.empty() && !stack) return;
  append_error(type, message, stack, text);
}

Timestamp from_nanos(int64_t nanos) { return Timestamp{std::chrono::nanoseconds{nanos}}; }

std::string or_default(std::string_view value, const std::string& fallback) {
  return value.empty() ? fallback : std::string(value);
}

}  // namespace

LogRecord otlp_to_log_record(const Json& resource, const OtlpLogRecord& record, const ParseOptions& options) {
  const Attributes attributes(record.attributes, resource);
  LogRecord out;
  out.service = or_default(service_of(attributes), options.service);
  out.revision = or_default(revision_of(attributes), options.revision);
  out.instance =
      or_default(attributes.first({"service.instance.id", "k8s.pod.name", "faas.instance", "host.name"}),
                 options.instance);
  out.namespace_name = attributes.get("k8s.namespace.name");
  out.cluster = attributes.get("k8s.cluster.name");
  out.stream = attributes.get("log.iostream");
  out.resource_type = resource_type_of(attributes);

  std::string_view text_level = canonical_level(record.severity_text);
  std::string_view number_level = severity_name(record.severity_number);
  out.severity = !number_level.empty() ? std::string(number_level)
                 : !text_level.empty() ? std::string(text_level)
                                       : record.severity_text;
  out.app_level = !text_level.empty() ? text_level : number_level;

  std::optional<Timestamp> inner_time;
  read_body(record.body, out, inner_time);
  append_exception(attributes, out.text);

  if (record.time_unix_nano > 0)
    out.time = from_nanos(record.time_unix_nano);
  else if (inner_time)
    out.time = *inner_time;
  else if (record.observed_time_unix_nano > 0)
    out.time = from_nanos(record.observed_time_unix_nano);
  else
    out.time = options.arrival;
  return out;
}

void accept_otlp_record(RecordSink& sink, size_t index, size_t offset, std::string_view path, const Json& resource,
                        const OtlpLogRecord& record) {
  LogRecord mapped = otlp_to_log_record(resource, record, sink.options());
  if (sink.reject_if_too_long(index, offset, mapped.text.size(), "the text of " + std::string(path))) return;
  sink.accept(std::move(mapped));
}

bool reject_otlp_records(RecordSink& sink, size_t& index, size_t offset, size_t count, const FieldError& error) {
  for (size_t i = 0; i < std::max<size_t>(count, 1); ++i, ++index) {
    if (!sink.admit(index, offset)) return false;
    sink.reject(index, offset, error.field, error.message);
  }
  return true;
}

}  // namespace faultline
