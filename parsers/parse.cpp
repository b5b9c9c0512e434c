#include "parsers/parse.h"

#include <array>
#include <utility>

#include "parsers/fluent_bit.h"
#include "parsers/json_document.h"
#include "parsers/json_lines.h"
#include "parsers/json_record.h"
#include "parsers/log_entry_ondemand.h"
#include "parsers/loki.h"
#include "parsers/loki_protobuf.h"
#include "parsers/otlp_json.h"
#include "parsers/otlp_protobuf.h"
#include "parsers/pubsub.h"
#include "parsers/pubsub_ondemand.h"
#include "parsers/record_sink.h"
#include "parsers/text.h"
#include "parsers/utf8.h"

namespace faultline {
namespace {

constexpr std::string_view kByteOrderMark = "\xEF\xBB\xBF";

size_t skip_space(std::string_view text, size_t pos) {
  while (pos < text.size() && is_json_space(text[pos])) ++pos;
  return pos;
}

// A LogEntry on its good path (log_entry_ondemand.h), as a line of an export or
// an element of a `gcloud logging read --format=json` array: no DOM of it. The
// text is copied into a buffer the thread reuses, which has room for the bytes
// the parser reads past the end. False when the DOM path must read it.
bool read_log_entry_line_ondemand(const JsonRecordText& text, RecordSink& sink) {
  if (text.whole_body && text.text.size() > sink.options().max_line_bytes) return false;  // the DOM path says why
  thread_local std::string padded;
  padded.assign(text.text);
  LogRecord record;
  if (!read_log_entry_ondemand(padded, RecordContext{sink.options()}, record)) return false;
  if (sink.admit(text.index, text.offset)) sink.accept(std::move(record));
  return true;
}

void read_json_record(const JsonRecordText& text, InputFormat format, RecordSink& sink) {
  // A good push envelope needs no DOM of itself; anything else is read below.
  if (format == InputFormat::pubsub && read_pubsub_envelope_ondemand(text, sink)) return;
  // Nor does a good LogEntry. Whatever the DOM path would read as another format
  // (OTLP, Loki, a push envelope) the on-demand read leaves to it.
  if ((format == InputFormat::ndjson || format == InputFormat::logentry || format == InputFormat::automatic) &&
      read_log_entry_line_ondemand(text, sink))
    return;
  Json value;
  JsonSyntaxError syntax;
  if (!parse_json_document(text.text, value, syntax)) {
    if (sink.admit(text.index, text.offset))
      sink.reject(text.index, text.offset, "", syntax.message(text.offset + sink.options().base_offset));
    return;
  }
  const bool sniff = format == InputFormat::automatic;
  // /v1/logs takes OTLP/JSON beside NDJSON, told apart by its top-level member.
  if ((sniff || format == InputFormat::ndjson) && is_otlp_logs(value)) {
    read_otlp_json(value, text.offset, sink);
    return;
  }
  if (format == InputFormat::loki || (sniff && is_loki_push(value))) {
    read_loki_push(value, text.offset, sink);
    return;
  }
  if ((format == InputFormat::pubsub || sniff) && is_pubsub_envelope(value)) {
    read_pubsub_envelope(value, text.index, text.offset, sink);
    return;
  }
  // A LogEntry or flat record (for pubsub: the unwrapped form).
  if (!sink.admit(text.index, text.offset)) return;
  if (text.whole_body &&
      sink.reject_if_too_long(text.index, text.offset, text.text.size(), "the JSON document"))
    return;
  LogRecord record;
  FieldError error;
  std::optional<FieldError> warning;
  if (record_from_object(value, RecordContext{sink.options()}, record, error, warning)) {
    if (warning) sink.warn(text.index, text.offset, std::move(warning->field), std::move(warning->message));
    sink.accept(std::move(record));
  } else {
    sink.reject(text.index, text.offset, std::move(error.field), std::move(error.message));
  }
}

void read_body(std::string_view body, InputFormat format, RecordSink& sink) {
  if (format == InputFormat::loki_protobuf) return read_loki_protobuf(body, sink);
  if (format == InputFormat::otlp_protobuf) return read_otlp_protobuf(body, sink);
  if (format == InputFormat::fluent_msgpack) return read_fluent_bit_events(body, sink);
  size_t start = body.starts_with(kByteOrderMark) ? kByteOrderMark.size() : 0;
  if (format == InputFormat::text) return read_text(body, start, sink);
  size_t first = skip_space(body, start);
  if (first == body.size()) return;
  // One push envelope as the whole body (what Pub/Sub sends) needs no splitting
  // into records: the on-demand read checks that nothing follows it.
  if (format == InputFormat::pubsub &&
      read_pubsub_envelope_ondemand(JsonRecordText{0, first, body.substr(first), true}, sink))
    return;
  if (format != InputFormat::automatic) {
    read_json_records(body, start, sink,
                      [&](const JsonRecordText& text) { read_json_record(text, format, sink); });
    return;
  }
  if (json_body_is_text(body, first)) return read_text(body, start, sink);
  // JSON records, and plain-text lines among them read as text (a Go panic after
  // zap's JSON lines); a text line without a time of its own takes the time of
  // the record before it.
  TextReader text_reader(sink);
  const std::function<bool(const Line&)> text_line = [&](const Line& line) { return text_reader.read(line); };
  read_json_records(
      body, start, sink,
      [&](const JsonRecordText& text) {
        size_t before = sink.records().size();
        read_json_record(text, format, sink);
        if (sink.records().size() > before) text_reader.note_record(sink.records().back());
      },
      &text_line);
  text_reader.finish();
}

}  // namespace

bool parse_input_format(std::string_view name, InputFormat& out) {
  static constexpr std::array<std::pair<std::string_view, InputFormat>, 7> kNames = {{
      {"auto", InputFormat::automatic},
      {"logentry", InputFormat::logentry},
      {"ndjson", InputFormat::ndjson},
      {"text", InputFormat::text},
      {"pubsub", InputFormat::pubsub},
      {"loki", InputFormat::loki},
      {"msgpack", InputFormat::fluent_msgpack},
  }};
  for (const auto& [known, format] : kNames) {
    if (name == known) {
      out = format;
      return true;
    }
  }
  return false;
}

std::string RecordError::describe() const {
  std::string out = "record " + std::to_string(index) + " (byte " + std::to_string(offset) + "): ";
  if (!field.empty()) out.append(field).append(": ");
  out += message;
  return out;
}

ParseResult parse_input(std::string_view body, InputFormat format, const ParseOptions& options) {
  ParseResult result;
  // The defaults go into records as they are (query parameters of /v1/logs/raw
  // arrive percent-decoded), so they must be valid UTF-8 like everything else.
  for (const auto& [field, value] : {std::pair<const char*, const std::string&>{"service", options.service},
                                     {"revision", options.revision},
                                     {"instance", options.instance}}) {
    if (size_t bad = find_invalid_utf8(value); bad != std::string_view::npos) {
      RecordError error;
      error.field = field;
      error.message = "invalid UTF-8 at byte " + std::to_string(bad) + " of the " + field + " given with the input";
      result.errors.push_back(std::move(error));
      return result;
    }
  }
  RecordSink sink(options, result);
  try {
    read_body(body, format, sink);
    // After reading: readers amend records from later lines (compose's exits).
    for (LogRecord& record : result.records) {
      if (!record.service.empty()) continue;
      record.service = kUnknownService;
      ++result.unknown_service;
    }
  } catch (const std::exception& e) {
    // Only allocation failures get here (parsing errors are data). Keep what was
    // read and say why the rest was not.
    try {
      RecordError error;
      error.index = options.base_index + result.input_records;
      error.message = std::string("parsing stopped: ") + e.what();
      result.errors.push_back(std::move(error));
    } catch (...) {
    }
  }
  return result;
}

}  // namespace faultline
