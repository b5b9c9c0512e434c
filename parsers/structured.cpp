#include "parsers/structured.h"

#include <cstdint>
#include <initializer_list>
#include <span>

#include "parsers/app_level.h"
#include "parsers/app_record_keys.h"
#include "parsers/json_document.h"
#include "parsers/json_line_ondemand.h"
#include "parsers/line_prefix.h"

namespace faultline {
namespace {

using Keys = std::initializer_list<std::string_view>;

const Json* first_string(const Json& object, std::span<const std::string_view> keys) {
  for (std::string_view key : keys) {
    const Json* member = find_member(object, key);
    if (member && member->is_string()) return member;
  }
  return nullptr;
}

const Json* first_string(const Json& object, Keys keys) { return first_string(object, {keys.begin(), keys.size()}); }

std::string_view string_of(const Json* value) {
  return value ? std::string_view(value->get_ref<const std::string&>()) : std::string_view();
}

bool blank(std::string_view s) { return s.find_first_not_of(" \t\r\n") == std::string_view::npos; }

// Whether `haystack` contains `needle`, when that is cheap to tell: the search is
// skipped (false) when the sizes' product could make it slow on hostile input.
bool contains(std::string_view haystack, std::string_view needle) {
  if (needle.size() > haystack.size()) return false;
  if (static_cast<uint64_t>(haystack.size()) * needle.size() > (uint64_t{1} << 24)) return false;
  return haystack.find(needle) != std::string_view::npos;
}

class Parts {
 public:
  explicit Parts(std::string& text) : text_(text) {}

  void add(std::string_view part) {
    part = trim_end(part);
    if (blank(part) || contains(text_, part)) return;
    if (!text_.empty()) text_ += '\n';
    text_.append(part);
  }

  // A string, an array of strings (frames) or objects (errors), or an error object.
  void add_value(const Json& value) {
    if (value.is_string()) {
      add(value.get_ref<const std::string&>());
    } else if (value.is_array()) {
      std::string frames;
      for (const Json& element : value) {
        if (element.is_string()) {
          if (!frames.empty()) frames += '\n';
          frames += element.get_ref<const std::string&>();
        } else if (element.is_object()) {
          add_error(element);
        }
      }
      add(frames);
    } else if (value.is_object()) {
      add_error(value);
    }
  }

  void add_error(const Json& error) {
    add_error(string_of(first_string(error, {"type", "kind", "name", "class", "exc_type", "exception_class"})),
              string_of(first_string(error, {"message", "msg", "exc_value", "exception_message"})),
              first_member(error, {"stack", "stack_trace", "stacktrace", "backtrace"}));
  }

  void add_error(std::string_view type, std::string_view message, const Json* stack) {
    std::string stack_text;
    if (stack) {
      Parts frames(stack_text);
      frames.add_value(*stack);
    }
    std::string line;
    if (!type.empty() && !message.empty()) {
      line.append(type).append(": ").append(message);
    } else {
      line = !type.empty() ? type : message;
    }
    // A stack that starts with the exception line says it already.
    if (!line.empty() && (stack_text.empty() || !contains(stack_text, message.empty() ? type : message)))
      add(line);
    add(stack_text);
  }

 private:
  static const Json* first_member(const Json& object, Keys keys) {
    for (std::string_view key : keys)
      if (const Json* member = find_member(object, key)) return member;
    return nullptr;
  }

  std::string& text_;
};

std::string_view level_value(const Json& value) {
  if (value.is_string()) return canonical_level(value.get_ref<const std::string&>());
  if (value.is_number()) return numeric_level(value.get<double>());
  return {};
}

}  // namespace

std::string_view app_level_of(const Json& object, bool severity_is_the_apps) {
  for (std::string_view key : app_record_keys::kLevel) {
    if (key == "severity" && !severity_is_the_apps) continue;
    if (const Json* member = find_member(object, key)) {
      std::string_view level = level_value(*member);
      if (!level.empty()) return level;
    }
  }
  if (const Json* log = find_member(object, "log"); log && log->is_object()) {
    if (const Json* level = find_member(*log, "level")) return level_value(*level);
  }
  if (const Json* s = find_member(object, "s"); s && s->is_string() && find_member(object, "t"))
    return mongo_level(s->get_ref<const std::string&>());
  return {};
}

void append_error_parts(const Json& object, std::string& text) {
  if (!object.is_object()) return;
  Parts parts(text);
  for (std::string_view key : app_record_keys::kError) {
    if (const Json* member = find_member(object, key)) parts.add_value(*member);
  }
  const Json* type = find_member(object, app_record_keys::kEcsError[0]);
  const Json* message = find_member(object, app_record_keys::kEcsError[1]);
  const Json* stack = find_member(object, app_record_keys::kEcsError[2]);
  if (type || message || stack)
    parts.add_error(type && type->is_string() ? string_of(type) : std::string_view(),
                    message && message->is_string() ? string_of(message) : std::string_view(), stack);
}

void append_error(std::string_view type, std::string_view message, const Json* stack, std::string& text) {
  Parts(text).add_error(type, message, stack);
}

bool read_app_record(const Json& object, AppRecord& out) {
  if (!object.is_object()) return false;
  AppRecord record;
  if (const Json* message = first_string(object, app_record_keys::kMessage))
    record.text = trim_end(message->get_ref<const std::string&>());
  append_error_parts(object, record.text);
  if (record.text.empty()) return false;
  record.level = app_level_of(object);
  for (std::string_view key : app_record_keys::kTime) {
    if (const Json* member = find_member(object, key)) {
      record.time = json_time(*member);
      if (record.time) break;
    }
  }
  out = std::move(record);
  return true;
}

namespace {

// The line's object, blanks around it trimmed; empty when the line is not
// braces around something.
std::string_view object_text(std::string_view line) {
  size_t begin = line.find_first_not_of(" \t");
  if (begin == std::string_view::npos || line[begin] != '{') return {};
  size_t end = line.find_last_not_of(" \t\r");
  if (line[end] != '}') return {};
  return line.substr(begin, end + 1 - begin);
}

}  // namespace

JsonLine read_json_line(std::string_view line) {
  const std::string_view object = object_text(line);
  if (object.empty()) return {};
  JsonLine out;
  if (read_json_line_ondemand(object, out)) return out;
  return read_json_line_dom(line);
}

JsonLine read_json_line_dom(std::string_view line) {
  JsonLine out;
  const std::string_view text = object_text(line);
  if (text.empty()) return out;
  Json object;
  JsonSyntaxError error;
  if (!parse_json_document(text, object, error) || !object.is_object()) return out;

  const Json* log = find_member(object, "log");
  const Json* stream = find_member(object, "stream");
  const Json* time = find_member(object, "time");
  if (log && log->is_string() && ((stream && stream->is_string()) || (time && time->is_string())) &&
      !find_member(object, "msg") && !find_member(object, "message")) {
    out.kind = JsonLine::Kind::docker;
    out.text = log->get_ref<const std::string&>();
    // Docker splits lines longer than 16 KiB; only the last piece ends with "\n".
    out.partial = !out.text.empty() && out.text.back() != '\n' && out.text.size() >= 16 * 1024;
    strip_one_newline(out.text);
    if (stream && stream->is_string()) out.stream = stream->get_ref<const std::string&>();
    if (time && time->is_string()) out.time = parse_rfc3339(time->get_ref<const std::string&>());
    return out;
  }
  AppRecord record;
  if (!read_app_record(object, record)) return out;
  out.kind = JsonLine::Kind::application;
  out.text = std::move(record.text);
  out.level = record.level;
  out.time = record.time;
  return out;
}

void read_carried_text(std::string& text, std::string& app_level, std::optional<Timestamp>* time) {
  if (text.empty()) return;
  size_t begin = text.find_first_not_of(" \t");
  if (begin != std::string::npos && text[begin] == '{' && text.find('\n') == std::string::npos) {
    JsonLine line = read_json_line(text);
    if (line.kind == JsonLine::Kind::application) {
      text = std::move(line.text);
      if (!line.level.empty()) app_level = line.level;
      if (time && !*time && line.time) *time = line.time;
      return;
    }
  }
  if (app_level.empty()) {
    std::string_view first = text;
    first = first.substr(0, first.find('\n'));
    app_level = read_line_prefix(first, Timestamp{}).level;
  }
}

}  // namespace faultline
