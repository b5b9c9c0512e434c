#include "parsers/pubsub_ondemand.h"

#include <optional>
#include <utility>
#include <string>
#include <string_view>

#include <simdjson.h>

#include "codec/base64.h"
#include "parsers/json_document.h"
#include "parsers/json_record.h"
#include "parsers/timestamp.h"

namespace faultline {
namespace {

namespace od = simdjson::ondemand;

// Deeper values are left to the DOM path (and its limits).
constexpr int kMaxDepth = 64;

// Consumes one value whole, so that a skipped member is validated as strictly as
// nlohmann validates it (on-demand otherwise only balances brackets).
bool consume(od::value value, int depth) {
  if (depth > kMaxDepth) return false;
  od::json_type type;
  if (value.type().get(type)) return false;
  switch (type) {
    case od::json_type::object: {
      od::object object;
      if (value.get_object().get(object)) return false;
      for (auto member : object) {
        od::field field;
        std::string_view key;
        if (std::move(member).get(field) || field.unescaped_key().get(key) || !consume(field.value(), depth + 1)) return false;
      }
      return true;
    }
    case od::json_type::array: {
      od::array array;
      if (value.get_array().get(array)) return false;
      for (auto element : array) {
        od::value item;
        if (std::move(element).get(item) || !consume(item, depth + 1)) return false;
      }
      return true;
    }
    case od::json_type::string: {
      std::string_view text;
      return !value.get_string().get(text);
    }
    case od::json_type::number: {
      od::number number;
      return !value.get_number().get(number);
    }
    case od::json_type::boolean: {
      bool flag;
      return !value.get_bool().get(flag);
    }
    case od::json_type::null: {
      bool null = false;
      return !value.is_null().get(null) && null;
    }
  }
  return false;
}

// A string member read once; a second one, or one of another type (null
// included: the DOM path reads null as absent), sends the envelope to the DOM path.
bool read_once(od::value value, std::optional<std::string_view>& out) {
  if (out) return false;
  std::string_view text;
  if (value.get_string().get(text)) return false;
  out = text;
  return true;
}

struct Message {
  std::optional<std::string_view> data, message_id, message_id_snake, publish_time, publish_time_snake;
};

bool read_message(od::value value, Message& out) {
  od::object object;
  if (value.get_object().get(object)) return false;
  for (auto member : object) {
    od::field field;
    std::string_view key;
    if (std::move(member).get(field) || field.unescaped_key().get(key)) return false;
    bool ok = true;
    if (key == "data") ok = read_once(field.value(), out.data);
    else if (key == "messageId") ok = read_once(field.value(), out.message_id);
    else if (key == "message_id") ok = read_once(field.value(), out.message_id_snake);
    else if (key == "publishTime") ok = read_once(field.value(), out.publish_time);
    else if (key == "publish_time") ok = read_once(field.value(), out.publish_time_snake);
    else ok = consume(field.value(), 2);
    if (!ok) return false;
  }
  return true;
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
  buffers.padded.reserve(text.text.size() + simdjson::SIMDJSON_PADDING);
  buffers.padded.assign(text.text);
  od::document document;
  if (buffers.parser
          .iterate(simdjson::padded_string_view(buffers.padded.data(), buffers.padded.size(), buffers.padded.capacity()))
          .get(document))
    return false;
  od::object envelope;
  if (document.get_object().get(envelope)) return false;
  Message message;
  bool have_message = false;
  for (auto member : envelope) {
    od::field field;
    std::string_view key;
    if (std::move(member).get(field) || field.unescaped_key().get(key)) return false;
    if (key == "message") {
      if (have_message || !read_message(field.value(), message)) return false;
      have_message = true;
    } else if (!consume(field.value(), 1)) {
      return false;
    }
  }
  // Past the root, on-demand has nothing left to hand out: anything after the
  // envelope (which the DOM path refuses) leaves it in bounds.
  const char* after = nullptr;
  if (!have_message || document.current_location().get(after) != simdjson::OUT_OF_BOUNDS || !message.data)
    return false;

  std::optional<Timestamp> publish_time;
  if (!first_time(message.publish_time, message.publish_time_snake, publish_time)) return false;
  const std::string_view encoded = *message.data;
  if (encoded.size() / 4 * 3 > sink.options().max_line_bytes) return false;
  buffers.decoded.clear();
  Base64Error base64_error;
  if (!base64_decode(encoded, buffers.decoded, base64_error) || buffers.decoded.empty()) return false;

  Json entry;
  JsonSyntaxError syntax;
  if (!parse_json_document(buffers.decoded, entry, syntax)) return false;
  LogRecord record;
  RecordContext context{sink.options(), first_string(message.message_id, message.message_id_snake), publish_time};
  FieldError error;
  std::optional<FieldError> warning;
  if (!record_from_object(entry, context, record, error, warning)) return false;

  if (!sink.admit(text.index, text.offset)) return true;
  if (warning) sink.warn(text.index, text.offset, field_path("message.data", warning->field), std::move(warning->message));
  sink.accept(std::move(record));
  return true;
}

}  // namespace faultline
