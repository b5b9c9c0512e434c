#include "parsers/log_entry.h"

#include <array>
#include <cstdint>

#include "parsers/json_document.h"
#include "codec/percent.h"
#include "parsers/structured.h"
#include "parsers/utf8.h"

namespace faultline {
namespace {

// Payloads are dumped as compact JSON when they have no message; nlohmann's
// serializer recurses per level, so deeper payloads are refused instead.
constexpr size_t kMaxPayloadDepth = 128;

struct Workload {
  std::string_view service;
  std::string_view revision;
  std::string_view instance;
  std::string_view namespace_name;
  std::string_view cluster;
};

bool label(const EntryLabels* labels, std::string_view key, std::string_view& out, FieldError& error) {
  return labels == nullptr || labels->read(key, out, error);
}

// A label map of the DOM.
class JsonLabels final : public EntryLabels {
 public:
  JsonLabels(const Json& object, std::string_view prefix) : object_(object), prefix_(prefix) {}
  bool read(std::string_view key, std::string_view& out, FieldError& error) const override {
    return read_string(object_, key, prefix_, out, error);
  }

 private:
  const Json& object_;
  std::string_view prefix_;
};

// "spec.containers{web}" -> "web" (kubelet events name the container this way).
std::string_view container_from_field_path(std::string_view path) {
  size_t open = path.find('{');
  if (open == std::string_view::npos || path.size() < open + 3 || path.back() != '}') return {};
  if (!path.substr(0, open).ends_with("ontainers")) return {};
  return path.substr(open + 1, path.size() - open - 2);
}

std::string_view involved_container(const Json& entry) {
  const Json* payload = find_member(entry, "jsonPayload");
  const Json* involved = payload ? find_member(*payload, "involvedObject") : nullptr;
  const Json* field_path = involved ? find_member(*involved, "fieldPath") : nullptr;
  if (!field_path || !field_path->is_string()) return {};
  return container_from_field_path(field_path->get_ref<const std::string&>());
}

bool resolve_workload(const EntryOrigin& origin, Workload& w, FieldError& error) {
  const std::string_view type = origin.resource_type;
  auto resource = [&](std::string_view key, std::string_view& out) {
    return out.empty() ? label(origin.resource_labels, key, out, error) : true;
  };
  auto entry_label = [&](std::string_view key, std::string_view& out) {
    return out.empty() ? label(origin.labels, key, out, error) : true;
  };
  auto kubernetes = [&] {
    return resource("namespace_name", w.namespace_name) && resource("cluster_name", w.cluster) &&
           entry_label("k8s-pod/pod-template-hash", w.revision);
  };

  bool ok = true;
  if (type == "cloud_run_revision") {
    ok = resource("service_name", w.service) && resource("revision_name", w.revision);
  } else if (type == "cloud_run_job") {
    ok = resource("job_name", w.service);
  } else if (type == "k8s_container") {
    ok = resource("container_name", w.service) && kubernetes();
  } else if (type == "k8s_pod") {
    w.service = origin.involved_container;
    ok = entry_label("k8s-pod/app", w.service) &&
         entry_label("k8s-pod/app_kubernetes_io/name", w.service) && kubernetes();
  } else if (type == "gce_instance") {
    ok = resource("instance_id", w.service);
  } else if (type == "cloud_function") {
    ok = resource("function_name", w.service);
  } else if (type == "gae_app") {
    ok = resource("module_id", w.service) && resource("version_id", w.revision);
  }
  return ok && entry_label("service", w.service) && entry_label("instanceId", w.instance) &&
         resource("pod_name", w.instance) && resource("instance_id", w.instance) &&
         resource("node_name", w.instance);
}

const char* severity_name(int64_t value) {
  switch (value) {
    case 0: return "DEFAULT";
    case 100: return "DEBUG";
    case 200: return "INFO";
    case 300: return "NOTICE";
    case 400: return "WARNING";
    case 500: return "ERROR";
    case 600: return "CRITICAL";
    case 700: return "ALERT";
    case 800: return "EMERGENCY";
    default: return nullptr;
  }
}

bool read_severity(const Json& entry, std::string& out, FieldError& error) {
  const Json* severity = find_member(entry, "severity");
  if (!severity) return true;
  if (severity->is_string()) {
    out = severity->get_ref<const std::string&>();
    return true;
  }
  if (severity->is_number_integer()) {
    if (const char* name = severity_name(severity->get<int64_t>())) {
      out = name;
      return true;
    }
    error = FieldError{"severity", "not a LogSeverity value: " + severity->dump()};
    return false;
  }
  error = wrong_type("", "severity", "a severity name", *severity);
  return false;
}

bool read_http_status(const Json& http, int& out, FieldError& error) {
  const Json* status = find_member(http, "status");
  if (!status) return true;
  int64_t value = -1;
  if (status->is_number_integer()) {
    value = status->get<int64_t>();
  } else if (status->is_string()) {
    const std::string& text = status->get_ref<const std::string&>();
    if (!text.empty() && text.size() <= 3 &&
        text.find_first_not_of("0123456789") == std::string::npos)
      value = std::stoi(text);
  } else {
    error = wrong_type("httpRequest", "status", "a number", *status);
    return false;
  }
  if (value < 0 || value > 999) {
    error = FieldError{"httpRequest.status", "not an HTTP status code: " + status->dump()};
    return false;
  }
  out = static_cast<int>(value);
  return true;
}

// Cloud Run request logs carry no payload; "POST 503 https://…" is what a
// person reads in the console, and what rules on status codes can match.
bool request_line(const Json& http, int status, std::string& text, FieldError& error) {
  std::string_view method, url;
  if (!read_string(http, "requestMethod", "httpRequest", method, error) ||
      !read_string(http, "requestUrl", "httpRequest", url, error))
    return false;
  append_request_line(method, find_member(http, "status") ? &status : nullptr, url, text);
  return true;
}

const Json* first_string(const Json& object, std::initializer_list<std::string_view> keys) {
  for (std::string_view key : keys) {
    const Json* member = find_member(object, key);
    if (member && member->is_string()) return member;
  }
  return nullptr;
}

bool dump_payload(const Json& payload, std::string_view name, std::string& text,
                  FieldError& error) {
  if (dump_compact(payload, kMaxPayloadDepth, text)) return true;
  error = FieldError{std::string(name),
                     "nested deeper than " + std::to_string(kMaxPayloadDepth) + " levels"};
  return false;
}

bool payload_text(const Json& entry, LogRecord& out, FieldError& error) {
  const Json* http = nullptr;
  if (!read_object(entry, "httpRequest", "", http, error)) return false;
  if (http && !read_http_status(*http, out.http_status, error)) return false;

  if (const Json* text = find_member(entry, "textPayload")) {
    if (!text->is_string()) {
      error = wrong_type("", "textPayload", "a string", *text);
      return false;
    }
    out.text = text->get_ref<const std::string&>();
    read_carried_text(out.text, out.app_level);
  } else if (const Json* json = find_member(entry, "jsonPayload")) {
    if (!json->is_object()) {
      error = wrong_type("", "jsonPayload", "an object", *json);
      return false;
    }
    // The application's own record: its level, and the trace it logged in a
    // field of its own (exception, stack_trace, err.stack …) after the message.
    out.app_level = app_level_of(*json);
    if (const Json* message = first_string(*json, {"message", "msg", "log"})) {
      out.text = message->get_ref<const std::string&>();
      strip_one_newline(out.text);
      read_carried_text(out.text, out.app_level);
    } else if (!dump_payload(*json, "jsonPayload", out.text, error)) {
      return false;
    }
    append_error_parts(*json, out.text);
  } else if (const Json* proto = find_member(entry, "protoPayload")) {
    // Audit logs: the status.message inside is what rules need to see.
    if (!proto->is_object()) {
      error = wrong_type("", "protoPayload", "an object", *proto);
      return false;
    }
    if (!dump_payload(*proto, "protoPayload", out.text, error)) return false;
  } else if (http) {
    if (!request_line(*http, out.http_status, out.text, error)) return false;
  }
  strip_one_newline(out.text);
  return true;
}

}  // namespace

std::string stream_from_log_name(std::string_view log_name) {
  constexpr std::string_view kLogs = "/logs/";
  size_t logs = log_name.find(kLogs);
  const std::string_view encoded = logs == std::string_view::npos ? log_name : log_name.substr(logs + kLogs.size());
  // A broken escape leaves the log id as written rather than losing the record.
  const std::string log_id = percent_decode(encoded).value_or(std::string(encoded));
  std::string_view id = log_id;
  if (id.starts_with("cloudaudit.googleapis.com")) return "audit";
  size_t slash = id.rfind('/');
  std::string_view last = slash == std::string_view::npos ? id : id.substr(slash + 1);
  static constexpr std::array<std::string_view, 5> kNodeLogs = {
      "kubelet", "container-runtime", "docker", "containerd", "node-problem-detector"};
  for (std::string_view node_log : kNodeLogs)
    if (last == node_log) return "system";
  return std::string(last);
}

bool is_log_entry(const Json& object) {
  static constexpr std::array<std::string_view, 7> kEntryOnly = {
      "resource",    "logName",      "insertId",   "textPayload",
      "jsonPayload", "protoPayload", "httpRequest"};
  for (std::string_view key : kEntryOnly)
    if (object.contains(key)) return true;
  return false;
}

bool log_entry_to_record(const Json& entry, const RecordContext& context, LogRecord& out,
                         FieldError& error, std::optional<FieldError>& warning) {
  const ParseOptions& options = context.options;
  std::optional<Timestamp> timestamp, received;
  FieldError problem, received_problem;
  const bool timestamp_ok = read_time_field(entry, "timestamp", timestamp, problem);
  // receiveTimestamp only matters when timestamp is missing or unreadable.
  const bool received_ok = timestamp || read_time_field(entry, "receiveTimestamp", received, received_problem);
  out.time = timestamp              ? *timestamp
             : received             ? *received
             : context.publish_time ? *context.publish_time
                                    : options.arrival;
  if (!timestamp_ok || !received_ok)
    warning = time_warning(timestamp_ok ? std::move(received_problem) : std::move(problem),
                           received               ? "its receiveTimestamp"
                           : context.publish_time ? "the message's publishTime"
                                                  : "its arrival time");

  const Json* resource = nullptr;
  const Json* resource_labels = nullptr;
  const Json* labels = nullptr;
  std::string_view type, insert_id, log_name;
  if (!read_object(entry, "resource", "", resource, error) ||
      !read_object(entry, "labels", "", labels, error) ||
      !read_string(entry, "insertId", "", insert_id, error) ||
      !read_string(entry, "logName", "", log_name, error))
    return false;
  if (resource && (!read_string(*resource, "type", "resource", type, error) ||
                   !read_object(*resource, "labels", "resource", resource_labels, error)))
    return false;

  std::optional<JsonLabels> resource_label_map, label_map;
  if (resource_labels) resource_label_map.emplace(*resource_labels, "resource.labels");
  if (labels) label_map.emplace(*labels, "labels");
  EntryOrigin origin{type, insert_id, log_name, resource_label_map ? &*resource_label_map : nullptr,
                     label_map ? &*label_map : nullptr, type == "k8s_pod" ? involved_container(entry) : ""};
  return entry_origin_to_record(origin, context, out, error) && read_severity(entry, out.severity, error) &&
         payload_text(entry, out, error);
}

bool entry_origin_to_record(const EntryOrigin& origin, const RecordContext& context, LogRecord& out,
                            FieldError& error) {
  const ParseOptions& options = context.options;
  Workload workload;
  if (!resolve_workload(origin, workload, error)) return false;
  out.service = workload.service.empty() ? options.service : std::string(workload.service);
  out.revision = workload.revision.empty() ? options.revision : std::string(workload.revision);
  out.instance = workload.instance.empty() ? options.instance : std::string(workload.instance);
  out.namespace_name = workload.namespace_name;
  out.cluster = workload.cluster;
  out.resource_type = origin.resource_type;
  out.stream = origin.log_name.empty() ? std::string() : stream_from_log_name(origin.log_name);
  if (find_invalid_utf8(out.stream) != std::string::npos) {
    // logName itself is valid, but %-escapes in it can decode to any bytes.
    error = {"logName", "the log id is not valid UTF-8 once URL-decoded"};
    return false;
  }
  if (!origin.insert_id.empty()) {
    out.source_id.reserve(origin.insert_id.size() + 1 + origin.log_name.size());
    out.source_id.append(origin.insert_id).append(1, '|').append(origin.log_name);
  } else {
    out.source_id = context.message_id;
  }
  return true;
}

void append_request_line(std::string_view method, const int* status, std::string_view url, std::string& text) {
  auto append = [&](std::string_view part) {
    if (part.empty()) return;
    if (!text.empty()) text += ' ';
    text.append(part);
  };
  append(method);
  if (status) append(std::to_string(*status));
  append(url);
}

}  // namespace faultline
