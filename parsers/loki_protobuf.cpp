#include "parsers/loki_protobuf.h"

#include <chrono>
#include <cstdint>
#include <limits>
#include <vector>

#include "codec/protobuf_wire.h"
#include "parsers/json_fields.h"
#include "parsers/loki_labels.h"
#include "parsers/loki_stream.h"
#include "parsers/utf8.h"

namespace faultline {
namespace {

using protobuf::expect_type;
using protobuf::Field;
using protobuf::WireError;
using protobuf::WireReader;
using protobuf::WireType;

// push.proto's field numbers.
constexpr uint32_t kPushStreams = 1;
constexpr uint32_t kStreamLabels = 1;
constexpr uint32_t kStreamEntries = 2;
constexpr uint32_t kEntryTimestamp = 1;
constexpr uint32_t kEntryLine = 2;
constexpr uint32_t kTimestampSeconds = 1;
constexpr uint32_t kTimestampNanos = 2;

constexpr int64_t kNanosPerSecond = 1'000'000'000;

std::string stream_path(size_t stream) {
  return "streams[" + std::to_string(stream) + "]";
}

std::string entry_path(size_t stream, size_t entry) {
  return stream_path(stream) + ".entries[" + std::to_string(entry) + "]";
}

// google.protobuf.Timestamp -> time, or false with `error` set; error.field is
// relative to the timestamp ("", ".seconds", ".nanos").
bool read_timestamp(const Field& field, Timestamp& out, FieldError& error) {
  WireReader reader = WireReader::nested(field);
  WireError wire;
  int64_t seconds = 0;
  int32_t nanos = 0;
  Field f;
  while (reader.next(f)) {
    if (f.number != kTimestampSeconds && f.number != kTimestampNanos) continue;
    if (!expect_type(f, WireType::varint, wire)) {
      error = FieldError{f.number == kTimestampSeconds ? ".seconds" : ".nanos", wire.message};
      return false;
    }
    if (f.number == kTimestampSeconds)
      seconds = f.as_int64();
    else
      nanos = f.as_int32();
  }
  if (reader.failed()) {
    error = FieldError{"", reader.error().message};
    return false;
  }
  if (seconds < 0) {
    error = FieldError{".seconds", "before 1970: " + std::to_string(seconds)};
    return false;
  }
  if (nanos < 0 || nanos >= kNanosPerSecond) {
    error = FieldError{".nanos", "not within 0…999999999: " + std::to_string(nanos)};
    return false;
  }
  if (seconds > (std::numeric_limits<int64_t>::max() - nanos) / kNanosPerSecond) {
    error = FieldError{".seconds", "after the year 2262, beyond nanosecond time: " + std::to_string(seconds)};
    return false;
  }
  out = Timestamp{std::chrono::nanoseconds{seconds * kNanosPerSecond + nanos}};
  return true;
}

// One EntryAdapter -> record, or false with `error` set. A line over
// max_line_bytes is refused by the limit before it is copied.
bool read_entry(const Field& entry, size_t s, size_t e, const LokiStream& stream, RecordSink& sink,
                size_t index, LogRecord& out, FieldError& error, bool& too_long) {
  // Spelled out only for an error: a good entry costs no path string.
  auto path = [s, e] { return entry_path(s, e); };
  WireError wire;
  if (!expect_type(entry, WireType::len, wire)) {
    error = FieldError{path(), wire.message};
    return false;
  }
  WireReader reader = WireReader::nested(entry);
  std::string_view line;
  bool has_time = false;
  Timestamp time;
  Field f;
  while (reader.next(f)) {
    if (f.number == kEntryTimestamp) {
      if (!expect_type(f, WireType::len, wire)) {
        error = FieldError{path() + ".timestamp", wire.message};
        return false;
      }
      if (!read_timestamp(f, time, error)) {
        error.field = path() + ".timestamp" + error.field;
        return false;
      }
      has_time = true;
    } else if (f.number == kEntryLine) {
      if (!expect_type(f, WireType::len, wire)) {
        error = FieldError{path() + ".line", wire.message};
        return false;
      }
      line = f.bytes;
    }
  }
  if (reader.failed()) {
    error = FieldError{path(), reader.error().message};
    return false;
  }
  if (!has_time) {
    error = FieldError{path() + ".timestamp", "missing: each entry needs a timestamp"};
    return false;
  }
  if (line.size() > sink.options().max_line_bytes) {
    sink.reject_if_too_long(index, entry.offset, line.size(), "the line at " + path());
    too_long = true;
    return false;
  }
  if (size_t bad = find_invalid_utf8(line); bad != std::string_view::npos) {
    error = FieldError{path() + ".line", "invalid UTF-8 at byte " + std::to_string(bad) + " of the line"};
    return false;
  }
  out = loki_entry_record(std::string(line), time, stream, sink.options());
  return true;
}

// The stream's labels (the last field 1, as protobuf has it) and its entry
// count, or false with `error` set. Reads the whole stream once; a framing
// error is left for the pass over the entries to report where it occurs.
bool read_stream_labels(const Field& stream, size_t s, LokiStream& out, size_t& entries, FieldError& error) {
  WireReader reader = WireReader::nested(stream);
  WireError wire;
  std::string_view text;
  bool has_labels = false;
  Field f;
  entries = 0;
  while (reader.next(f)) {
    if (f.number == kStreamEntries) ++entries;
    if (f.number != kStreamLabels) continue;
    if (!expect_type(f, WireType::len, wire)) {
      error = FieldError{stream_path(s) + ".labels", wire.message};
      return false;
    }
    text = f.bytes;
    has_labels = true;
  }
  if (!has_labels) {
    out = LokiStream{};
    return true;
  }
  std::vector<LokiLabel> labels;
  LokiLabelsError labels_error;
  if (!parse_loki_labels(text, labels, labels_error)) {
    error = FieldError{stream_path(s) + ".labels",
                       labels_error.message + " (labels: " + printable_excerpt(text, 120) + ")"};
    return false;
  }
  std::vector<LokiLabelView> views;
  views.reserve(labels.size());
  for (const LokiLabel& label : labels) views.emplace_back(label.name, label.value);
  out = loki_stream(views);
  return true;
}

// Reads one StreamAdapter's entries; false when max_records stopped reading.
bool read_stream(const Field& stream, size_t s, size_t& index, RecordSink& sink) {
  WireError wire;
  FieldError error;
  if (!expect_type(stream, WireType::len, wire)) {
    if (!sink.admit(index, stream.offset)) return false;
    sink.reject(index++, stream.offset, stream_path(s), wire.message);
    return true;
  }
  LokiStream labels;
  size_t entries = 0;
  if (!read_stream_labels(stream, s, labels, entries, error)) {
    // One error for the stream; its entries keep their places in the numbering.
    if (!sink.admit(index, stream.offset)) return false;
    sink.reject(index, stream.offset, std::move(error.field), std::move(error.message));
    index += entries > 0 ? entries : 1;
    return true;
  }
  WireReader reader = WireReader::nested(stream);
  size_t e = 0;
  Field f;
  while (reader.next(f)) {
    if (f.number != kStreamEntries) continue;
    if (!sink.admit(index, f.offset)) return false;
    LogRecord record;
    bool too_long = false;
    if (read_entry(f, s, e++, labels, sink, index, record, error, too_long))
      sink.accept(std::move(record));
    else if (!too_long)
      sink.reject(index, f.offset, std::move(error.field), std::move(error.message));
    ++index;
  }
  if (reader.failed()) {
    const WireError& broken = reader.error();
    if (!sink.admit(index, broken.offset)) return false;
    sink.reject(index++, broken.offset, stream_path(s), broken.message + "; the rest of the stream was not read");
  }
  return true;
}

}  // namespace

void read_loki_protobuf(std::string_view message, RecordSink& sink) {
  WireReader push(message);
  size_t index = 0;  // position of the entry across all streams
  size_t s = 0;
  Field field;
  while (push.next(field)) {
    if (field.number != kPushStreams) continue;
    if (!read_stream(field, s++, index, sink)) return;
  }
  if (push.failed()) {
    const WireError& broken = push.error();
    if (!sink.admit(index, broken.offset)) return;
    sink.reject(index, broken.offset, "",
                "the push request is malformed: " + broken.message + "; the rest was not read");
  }
}

}  // namespace faultline
