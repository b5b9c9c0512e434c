#include "parsers/fluent_bit.h"

#include <cmath>
#include <cstdint>

#include "parsers/flat_record.h"
#include "parsers/msgpack_value.h"

namespace faultline {
namespace {

using std::chrono::nanoseconds;
using std::chrono::seconds;

// EventTime seconds that mark the start and end of a group (flb_log_event.h).
constexpr int32_t kGroupStart = -1;
constexpr int32_t kGroupEnd = -2;

// The last second a Timestamp holds with room for correlation windows (timestamp.h).
int64_t max_epoch_seconds() {
  static const int64_t max = std::chrono::duration_cast<seconds>(
                                 civil_time(2261, 12, 31, 23, 59, 59)->time_since_epoch())
                                 .count();
  return max;
}

enum class EventTime { record, group_marker, invalid };

FieldError bad_time(std::string_view field, std::string message) {
  return FieldError{std::string(field), std::move(message)};
}

EventTime read_event_time(const Json& value, std::string_view field, Timestamp& out, FieldError& error) {
  if (value.is_number_unsigned()) {
    const uint64_t secs = value.get<uint64_t>();
    if (secs > static_cast<uint64_t>(max_epoch_seconds())) {
      error = bad_time(field, "timestamp out of range: " + std::to_string(secs) + " seconds");
      return EventTime::invalid;
    }
    out = Timestamp{seconds{static_cast<int64_t>(secs)}};
    return EventTime::record;
  }
  if (value.is_number_float()) {
    const double secs = value.get<double>();
    if (!std::isfinite(secs) || secs < 0 || secs > static_cast<double>(max_epoch_seconds())) {
      error = bad_time(field, "timestamp out of range: " + value.dump() + " seconds");
      return EventTime::invalid;
    }
    // A double holds today's epoch seconds to about a microsecond: round there,
    // so 1758000000.123 means .123000, not .122999906.
    const double whole = std::floor(secs);
    const int64_t micros = std::llround((secs - whole) * 1e6);
    out = Timestamp{seconds{static_cast<int64_t>(whole)}} + nanoseconds{micros * 1000};
    return EventTime::record;
  }
  if (value.is_binary() && value.get_binary().has_subtype() && value.get_binary().subtype() == 0 &&
      value.get_binary().size() == 8) {
    const auto& bytes = value.get_binary();
    auto be32 = [&](size_t at) {
      return static_cast<uint32_t>(bytes[at]) << 24 | static_cast<uint32_t>(bytes[at + 1]) << 16 |
             static_cast<uint32_t>(bytes[at + 2]) << 8 | static_cast<uint32_t>(bytes[at + 3]);
    };
    // Fluent Bit reads the seconds as a signed 32-bit number: negative ones are markers.
    const auto secs = static_cast<int32_t>(be32(0));
    const uint32_t nanos = be32(4);
    if (secs == kGroupStart || secs == kGroupEnd) return EventTime::group_marker;
    if (secs < 0 || nanos > 999999999) {
      error = bad_time(field, "EventTime out of range: " + std::to_string(secs) + " s " + std::to_string(nanos) + " ns");
      return EventTime::invalid;
    }
    out = Timestamp{seconds{secs}} + nanoseconds{nanos};
    return EventTime::record;
  }
  std::string got = json_type_name(value);
  if (value.is_binary())
    got = value.get_binary().has_subtype()
              ? "ext type " + std::to_string(value.get_binary().subtype()) + " of " +
                    std::to_string(value.get_binary().size()) + " bytes"
              : "bin";
  else if (value.is_number_integer())
    got = "a negative integer";
  error = bad_time(field, "expected integer or float seconds or an EventTime (ext type 0, 8 bytes), got " + got);
  return EventTime::invalid;
}

// A path inside the event, as the builder names it ("[1].log"), named for the
// event's parts: the record's own fields as flat records name them ("log").
std::string event_field(std::string path) {
  if (path.starts_with("[1].")) return path.substr(4);
  if (path == "[1]") return "record";
  if (path.starts_with("[0][1]")) return "metadata" + path.substr(6);
  if (path.starts_with("[0]")) return "timestamp";
  return path;
}

std::string shape_of(const Json& value) {
  if (value.is_array()) return "an array of " + std::to_string(value.size()) + " elements";
  if (value.is_binary()) return value.get_binary().has_subtype() ? "ext" : "bin";
  return json_type_name(value);
}

// The event's record map and time, or false with `error` set.
EventTime read_event(const Json& event, const Json*& record, Timestamp& time, FieldError& error) {
  if (!event.is_array() || event.size() != 2) {
    error = FieldError{"", "expected an event [timestamp, record] or [[timestamp, metadata], record], got " +
                               shape_of(event)};
    return EventTime::invalid;
  }
  const Json& header = event[0];
  const Json* timestamp = &header;
  std::string_view time_field = "timestamp";
  if (header.is_array()) {
    if (header.size() != 2) {
      error = FieldError{"timestamp", "expected [timestamp, metadata], got " + shape_of(header)};
      return EventTime::invalid;
    }
    if (!header[1].is_object()) {
      error = FieldError{"metadata", "expected a map, got " + shape_of(header[1])};
      return EventTime::invalid;
    }
    timestamp = &header[0];
  }
  EventTime kind = read_event_time(*timestamp, time_field, time, error);
  if (kind != EventTime::record) return kind;
  if (!event[1].is_object()) {
    error = FieldError{"record", "expected a map, got " + shape_of(event[1])};
    return EventTime::invalid;
  }
  record = &event[1];
  return EventTime::record;
}

}  // namespace

void read_fluent_bit_events(std::string_view body, RecordSink& sink) {
  size_t offset = 0;
  for (size_t index = 0; offset < body.size(); ++index) {
    if (sink.full()) return;
    // Framing first, building nothing: a record over max_line_bytes is skipped
    // without ever being held in memory.
    MsgpackRead frame = read_msgpack_value(body, offset, nullptr);
    if (!frame.framed()) {
      if (sink.admit(index, offset)) sink.reject(index, offset, "", std::move(frame.error.message));
      return;
    }
    const size_t start = offset;
    offset = frame.end;
    if (frame.end - start > sink.options().max_line_bytes) {
      if (sink.admit(index, start)) sink.reject_if_too_long(index, start, frame.end - start, "the event");
      continue;
    }
    Json event;
    MsgpackRead read = read_msgpack_value(body.substr(0, frame.end), start, &event);
    const Json* record = nullptr;
    Timestamp time{};
    FieldError error;
    EventTime kind = EventTime::invalid;
    if (read.status == MsgpackRead::Status::content)
      error = FieldError{event_field(std::move(read.error.field)), std::move(read.error.message)};
    else
      kind = read_event(event, record, time, error);
    if (kind == EventTime::group_marker) continue;
    if (!sink.admit(index, start)) return;
    if (kind == EventTime::invalid) {
      sink.reject(index, start, std::move(error.field), std::move(error.message));
      continue;
    }
    RecordContext context{sink.options()};
    context.event_time = time;
    LogRecord out;
    std::optional<FieldError> warning;
    if (!flat_record_to_record(*record, context, out, error, warning)) {
      sink.reject(index, start, std::move(error.field), std::move(error.message));
      continue;
    }
    if (warning) sink.warn(index, start, std::move(warning->field), std::move(warning->message));
    sink.accept(std::move(out));
  }
}

}  // namespace faultline
