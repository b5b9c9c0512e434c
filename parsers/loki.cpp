#include "parsers/loki.h"

#include <charconv>
#include <cstdint>
#include <vector>

#include "parsers/loki_stream.h"
#include "parsers/utf8.h"

namespace faultline {
namespace {

std::string stream_path(size_t stream) {
  return "streams[" + std::to_string(stream) + "]";
}

std::string value_path(size_t stream, size_t value) {
  return stream_path(stream) + ".values[" + std::to_string(value) + "]";
}

// Loki requires string label values; anything else means the body is not what
// the sender thinks it is.
bool read_labels(const Json& labels, std::string_view prefix, LokiStream& out, FieldError& error) {
  std::vector<LokiLabelView> pairs;
  pairs.reserve(labels.size());
  for (auto it = labels.begin(); it != labels.end(); ++it) {
    if (!it->is_string()) {
      error = wrong_type(prefix, it.key(), "a string label value", *it);
      return false;
    }
    pairs.emplace_back(it.key(), it->get_ref<const std::string&>());
  }
  out = loki_stream(pairs);
  return true;
}

bool read_nanos(const Json& value, Timestamp& out) {
  int64_t nanos = -1;
  if (value.is_string()) {
    const std::string& text = value.get_ref<const std::string&>();
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), nanos);
    if (ec != std::errc() || end != text.data() + text.size()) return false;
  } else if (value.is_number_integer() && !value.is_number_unsigned()) {
    nanos = value.get<int64_t>();
  } else if (value.is_number_unsigned() && value.get<uint64_t>() <= INT64_MAX) {
    nanos = static_cast<int64_t>(value.get<uint64_t>());
  }
  if (nanos < 0) return false;
  out = Timestamp{std::chrono::nanoseconds{nanos}};
  return true;
}

// One [ns, line(, metadata)] value -> record, or false with `error` set.
bool value_to_record(const Json& value, const LokiStream& labels, size_t s, size_t v,
                     const ParseOptions& options, LogRecord& out, FieldError& error) {
  if (!value.is_array() || value.size() < 2) {
    std::string got = value.is_array() ? "an array of " + std::to_string(value.size()) + " elements"
                                       : json_type_name(value);
    error = FieldError{value_path(s, v), "expected [\"<unix ns>\", \"<line>\"], got " + got};
    return false;
  }
  Timestamp time;
  if (!read_nanos(value[0], time)) {
    std::string shown =
        value[0].is_string()
            ? "\"" + printable_excerpt(value[0].get_ref<const std::string&>(), 40) + "\""
            : json_type_name(value[0]);
    error = FieldError{value_path(s, v) + "[0]", "not a Unix timestamp in nanoseconds: " + shown};
    return false;
  }
  if (!value[1].is_string()) {
    error = FieldError{value_path(s, v) + "[1]",
                       std::string("expected a string, got ") + json_type_name(value[1])};
    return false;
  }
  out = loki_entry_record(value[1].get_ref<const std::string&>(), time, labels, options);
  return true;
}

// The stream's labels and values array, or false with `error` set.
bool read_stream(const Json& stream, size_t s, LokiStream& names, const Json*& values,
                 FieldError& error) {
  if (!stream.is_object()) {
    error = FieldError{stream_path(s),
                       std::string("expected an object, got ") + json_type_name(stream)};
    return false;
  }
  const Json* labels = nullptr;
  if (!read_object(stream, "stream", stream_path(s), labels, error)) return false;
  if (labels && !read_labels(*labels, stream_path(s) + ".stream", names, error)) return false;
  values = find_member(stream, "values");
  if (!values) {
    error = FieldError{stream_path(s) + ".values",
                       "missing: each stream needs \"values\": [[\"<unix ns>\", \"<line>\"], …]"};
    return false;
  }
  if (!values->is_array()) {
    error = wrong_type(stream_path(s), "values", "an array", *values);
    return false;
  }
  return true;
}

}  // namespace

bool is_loki_push(const Json& body) {
  return find_member(body, "streams") != nullptr;
}

void read_loki_push(const Json& body, size_t offset, RecordSink& sink) {
  const Json* streams = find_member(body, "streams");
  if (!streams || !streams->is_array()) {
    if (!sink.admit(0, offset)) return;
    if (!body.is_object())
      sink.reject(0, offset, "",
                  std::string("expected a Loki push object, got ") + json_type_name(body));
    else if (!streams)
      sink.reject(0, offset, "streams", "missing: a Loki push body is {\"streams\":[…]}");
    else
      sink.reject(0, offset, "streams",
                  std::string("expected an array, got ") + json_type_name(*streams));
    return;
  }

  size_t index = 0;  // position of the value across all streams
  for (size_t s = 0; s < streams->size(); ++s) {
    const Json& stream = (*streams)[s];
    LokiStream names;
    const Json* values = nullptr;
    FieldError error;
    if (!read_stream(stream, s, names, values, error)) {
      // One error for the stream; its values keep their places in the numbering.
      if (!sink.admit(index, offset)) return;
      sink.reject(index, offset, std::move(error.field), std::move(error.message));
      const Json* counted = find_member(stream, "values");
      index += counted && counted->is_array() && !counted->empty() ? counted->size() : 1;
      continue;
    }
    for (size_t v = 0; v < values->size(); ++v, ++index) {
      if (!sink.admit(index, offset)) return;
      const Json& value = (*values)[v];
      if (value.is_array() && value.size() >= 2 && value[1].is_string()) {
        size_t size = value[1].get_ref<const std::string&>().size();
        if (size > sink.options().max_line_bytes) {
          sink.reject_if_too_long(index, offset, size, "the line at " + value_path(s, v));
          continue;
        }
      }
      LogRecord record;
      if (value_to_record(value, names, s, v, sink.options(), record, error)) {
        sink.accept(std::move(record));
      } else {
        sink.reject(index, offset, std::move(error.field), std::move(error.message));
      }
    }
  }
}

}  // namespace faultline
