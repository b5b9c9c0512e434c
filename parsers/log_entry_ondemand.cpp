#include "parsers/log_entry_ondemand.h"

#include <array>
#include <optional>
#include <string_view>
#include <utility>

#include "parsers/json_fields.h"
#include "parsers/log_entry.h"
#include "parsers/log_time.h"
#include "parsers/ondemand_json.h"
#include "parsers/structured.h"

namespace faultline {
namespace {

namespace od = simdjson::ondemand;
using ondemand::consume;
using ondemand::for_each_member;
using ondemand::read_once;

// A label map whose values are all strings, each key once. More labels than
// this (Cloud Run sends a handful) go to the DOM path.
class Labels final : public EntryLabels {
 public:
  bool read(std::string_view key, std::string_view& out, FieldError&) const override {
    for (size_t i = 0; i < size_; ++i)
      if (entries_[i].first == key) {
        out = entries_[i].second;
        return true;
      }
    return true;
  }

  bool read_from(od::value value) {
    if (present_) return false;  // a repeated member: the DOM path keeps the last
    present_ = true;
    return for_each_member(value, [&](std::string_view key, od::value member) {
      std::string_view text;
      if (size_ == entries_.size() || member.get_string().get(text)) return false;
      for (size_t i = 0; i < size_; ++i)
        if (entries_[i].first == key) return false;
      entries_[size_++] = {key, text};
      return true;
    });
  }

  const EntryLabels* if_present() const { return present_ ? this : nullptr; }

 private:
  std::array<std::pair<std::string_view, std::string_view>, 32> entries_;
  size_t size_ = 0;
  bool present_ = false;
};

struct Request {
  bool present = false;
  std::optional<int> status;
  std::optional<std::string_view> method, url;
};

// httpRequest.status as the DOM path reads it (read_http_status in log_entry.cpp):
// an integer, or up to three digits in a string; within 0..999.
bool read_status(od::value value, std::optional<int>& out) {
  if (out) return false;
  od::json_type type;
  if (value.type().get(type)) return false;
  int64_t number = -1;
  if (type == od::json_type::number) {
    if (value.get_int64().get(number)) return false;
  } else if (type == od::json_type::string) {
    std::string_view text;
    if (value.get_string().get(text) || text.empty() || text.size() > 3) return false;
    number = 0;
    for (char c : text) {
      if (c < '0' || c > '9') return false;
      number = number * 10 + (c - '0');
    }
  } else {
    return false;
  }
  if (number < 0 || number > 999) return false;
  out = static_cast<int>(number);
  return true;
}

bool read_request(od::value value, Request& out) {
  if (out.present) return false;
  out.present = true;
  return for_each_member(value, [&](std::string_view key, od::value member) {
    if (key == "status") return read_status(member, out.status);
    if (key == "requestMethod") return read_once(member, out.method);
    if (key == "requestUrl") return read_once(member, out.url);
    return consume(member, 2);
  });
}

struct Resource {
  bool present = false;
  std::optional<std::string_view> type;
  Labels labels;
};

bool read_resource(od::value value, Resource& out) {
  if (out.present) return false;
  out.present = true;
  return for_each_member(value, [&](std::string_view key, od::value member) {
    if (key == "type") return read_once(member, out.type);
    if (key == "labels") return out.labels.read_from(member);
    return consume(member, 2);
  });
}

struct Entry {
  std::optional<std::string_view> timestamp, receive_timestamp, insert_id, log_name, severity, text;
  Resource resource;
  Labels labels;
  Request request;
};

bool read_member(std::string_view key, od::value value, Entry& out) {
  if (key == "timestamp") return read_once(value, out.timestamp);
  if (key == "receiveTimestamp") return read_once(value, out.receive_timestamp);
  if (key == "resource") return read_resource(value, out.resource);
  if (key == "labels") return out.labels.read_from(value);
  if (key == "insertId") return read_once(value, out.insert_id);
  if (key == "logName") return read_once(value, out.log_name);
  if (key == "severity") return read_once(value, out.severity);
  if (key == "textPayload") return read_once(value, out.text);
  if (key == "httpRequest") return read_request(value, out.request);
  if (key == "jsonPayload" || key == "protoPayload") return false;  // the DOM path's
  // Members that make a sniffing reader take the object for another format
  // (parse.cpp: OTLP/JSON, a Loki push, a Pub/Sub envelope): the DOM path decides.
  if (key == "resourceLogs" || key == "streams") return false;
  if (key == "message") {
    od::json_type type;
    if (value.type().get(type) || type == od::json_type::object) return false;
  }
  return consume(value, 1);
}

std::string_view value_or_empty(const std::optional<std::string_view>& text) {
  return text.value_or(std::string_view{});
}

}  // namespace

bool read_log_entry_ondemand(std::string& text, const RecordContext& context, LogRecord& out) {
  thread_local od::parser parser;
  od::document document;
  od::object root;
  if (!ondemand::open_object(parser, text, document, root)) return false;
  Entry entry;
  if (!ondemand::for_each_field(root, [&](std::string_view key, od::value value) { return read_member(key, value, entry); }))
    return false;
  if (!ondemand::at_end(document)) return false;  // something follows the entry
  // Without a member only a LogEntry has, it is a flat record (json_record.h).
  if (!entry.resource.present && !entry.log_name && !entry.insert_id && !entry.text && !entry.request.present)
    return false;

  // The first readable time, as on the DOM path; one it could not read is the
  // DOM path's (it keeps the record and warns).
  std::optional<Timestamp> time;
  if (entry.timestamp) {
    if (!(time = parse_log_time(*entry.timestamp))) return false;
  } else if (entry.receive_timestamp) {
    if (!(time = parse_log_time(*entry.receive_timestamp))) return false;
  }
  out.time = time ? *time : context.publish_time ? *context.publish_time : context.options.arrival;

  const EntryOrigin origin{value_or_empty(entry.resource.type),
                           value_or_empty(entry.insert_id),
                           value_or_empty(entry.log_name),
                           entry.resource.labels.if_present(),
                           entry.labels.if_present(),
                           {}};
  FieldError error;
  if (!entry_origin_to_record(origin, context, out, error)) return false;
  if (entry.severity) out.severity = *entry.severity;
  if (entry.request.status) out.http_status = *entry.request.status;
  if (entry.text) {
    out.text = *entry.text;
    read_carried_text(out.text, out.app_level);
  } else if (entry.request.present) {
    append_request_line(value_or_empty(entry.request.method), entry.request.status ? &*entry.request.status : nullptr,
                        value_or_empty(entry.request.url), out.text);
  }
  strip_one_newline(out.text);
  return true;
}

}  // namespace faultline
