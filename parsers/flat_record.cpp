#include "parsers/flat_record.h"

#include "parsers/structured.h"

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

// The first time member present; false with `problem` when it cannot be read.
bool read_time(const Json& object, std::optional<Timestamp>& out, FieldError& problem) {
  std::string_view key;
  if (!first_member(object, {"time", "timestamp", "ts", "@timestamp", "date"}, key)) return true;
  return read_time_field(object, key, out, problem);
}

// pino/bunyan levels: 10 trace, 20 debug, 30 info, 40 warn, 50 error, 60 fatal.
const char* numeric_level_name(double level) {
  if (level >= 60) return "CRITICAL";
  if (level >= 50) return "ERROR";
  if (level >= 40) return "WARNING";
  if (level >= 30) return "INFO";
  return "DEBUG";
}

// The record's text: "message" | "msg" | "log" (a string: anything else is an
// error), else a string "event" (structlog) | "@m" | "Message" | "@mt", then the
// error parts (structured.h). False with `error` set when there is no text at all.
bool read_text(const Json& object, std::string& text, FieldError& error) {
  std::string_view text_key;
  bool found = false;
  if (const Json* member = first_member(object, {"message", "msg", "log"}, text_key)) {
    if (!member->is_string()) {
      error = wrong_type("", text_key, "a string", *member);
      return false;
    }
    text = member->get_ref<const std::string&>();
    found = true;
  } else {
    for (std::string_view key : {"event", "@m", "Message", "@mt"}) {
      const Json* other = find_member(object, key);
      if (other && other->is_string()) {
        text = other->get_ref<const std::string&>();
        found = true;
        break;
      }
    }
  }
  strip_one_newline(text);
  append_error_parts(object, text);
  if (!found && text.empty()) {
    error = FieldError{"message", "missing: a flat record needs \"message\", \"msg\" or \"log\""};
    return false;
  }
  return true;
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
                           FieldError& error, std::optional<FieldError>& warning) {
  const ParseOptions& options = context.options;
  std::optional<Timestamp> time;
  FieldError time_problem;
  const bool time_read = read_time(object, time, time_problem);
  const bool event_time = !time && context.event_time;
  if (!time) time = context.event_time;
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

  std::string text;
  if (!read_text(object, text, error)) return false;
  out.app_level = app_level_of(object, false);
  // A JSON document inside the message (a pino line in Docker's "log") is the
  // application's record: its message, level and errors.
  std::optional<Timestamp> inner_time;
  read_carried_text(text, out.app_level, &inner_time);
  if (!time && inner_time) out.time = *inner_time;
  if (!time_read)
    warning = time_warning(std::move(time_problem), event_time             ? "the event's time"
                                                    : inner_time           ? "the time of the record in its text"
                                                    : context.publish_time ? "the message's publishTime"
                                                                           : "its arrival time");

  out.service = service.empty() ? options.service : std::string(service);
  out.revision = revision.empty() ? options.revision : std::string(revision);
  out.instance = instance.empty() ? options.instance : std::string(instance);
  out.namespace_name = namespace_name;
  out.cluster = cluster;
  out.stream = stream;
  out.text = std::move(text);
  out.source_id = context.message_id;
  return true;
}

}  // namespace faultline
