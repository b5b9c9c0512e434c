#include "parsers/pubsub_ondemand.h"

#include <optional>
#include <utility>
#include <string>
#include <string_view>

#include <simdjson.h>

#include "codec/base64.h"
#include "parsers/json_document.h"
#include "parsers/json_record.h"
#include "parsers/log_entry_ondemand.h"
#include "parsers/ondemand_json.h"
#include "parsers/timestamp.h"

namespace faultline {
namespace {

namespace od = simdjson::ondemand;

using ondemand::consume;
using ondemand::for_each_field;
using ondemand::for_each_member;
using ondemand::read_once;

struct Message {
  std::optional<std::string_view> data, message_id, message_id_snake, publish_time, publish_time_snake;
};

bool read_message(od::value value, Message& out) {
  return for_each_member(value, [&](std::string_view key, od::value member) {
    if (key == "data") return read_once(member, out.data);
    if (key == "messageId") return read_once(member, out.message_id);
    if (key == "message_id") return read_once(member, out.message_id_snake);
    if (key == "publishTime") return read_once(member, out.publish_time);
    if (key == "publish_time") return read_once(member, out.publish_time_snake);
    return consume(member, 2);
  });
}

// What the DOM path's read_first_string / read_first_time pick: the camelCase
// member unless it is empty (string) or absent (time).
std::string_view first_string(const std::optional<std::string_view>& camel,
                              const std::optional<std::string_view>& snake) {
  if (camel && !camel->empty()) return *camel;
  return snake.value_or(std::string_view{});
}

bool first_time(const std::optional<std::string_view>& camel, const std::optional<std::string_view>& snake,
                std::optional<Timestamp>& out) {
  for (const auto* text : {&camel, &snake}) {
    if (!*text) continue;
    out = parse_rfc3339(**text);
    return out.has_value();
  }
  return true;
}

struct Buffers {
  od::parser parser;
  std::string padded;   // the envelope, with simdjson's padding after it
  std::string decoded;  // message.data
};

}  // namespace

bool read_pubsub_envelope_ondemand(const JsonRecordText& text, RecordSink& sink) {
  thread_local Buffers buffers;
  buffers.padded.assign(text.text);
  od::document document;
  od::object envelope;
  if (!ondemand::open_object(buffers.parser, buffers.padded, document, envelope)) return false;
  Message message;
  bool have_message = false;
  if (!for_each_field(envelope, [&](std::string_view key, od::value value) {
        if (key != "message") return consume(value, 1);
        if (have_message) return false;
        have_message = true;
        return read_message(value, message);
      }))
    return false;
  if (!have_message || !ondemand::at_end(document) || !message.data) return false;

  std::optional<Timestamp> publish_time;
  if (!first_time(message.publish_time, message.publish_time_snake, publish_time)) return false;
  const std::string_view encoded = *message.data;
  if (encoded.size() / 4 * 3 > sink.options().max_line_bytes) return false;
  buffers.decoded.clear();
  Base64Error base64_error;
  if (!base64_decode(encoded, buffers.decoded, base64_error) || buffers.decoded.empty()) return false;

  LogRecord record;
  RecordContext context{sink.options(), first_string(message.message_id, message.message_id_snake), publish_time};
  std::optional<FieldError> warning;
  if (!read_log_entry_ondemand(buffers.decoded, context, record)) {
    // An entry off its own good path: a DOM of it, read as read_pubsub_envelope reads it.
    record = LogRecord{};
    Json entry;
    JsonSyntaxError syntax;
    FieldError error;
    if (!parse_json_document(buffers.decoded, entry, syntax) ||
        !record_from_object(entry, context, record, error, warning))
      return false;
  }

  if (!sink.admit(text.index, text.offset)) return true;
  if (warning) sink.warn(text.index, text.offset, field_path("message.data", warning->field), std::move(warning->message));
  sink.accept(std::move(record));
  return true;
}

}  // namespace faultline
