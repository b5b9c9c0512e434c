#include "parsers/pubsub.h"

#include "codec/base64.h"
#include "parsers/json_document.h"
#include "parsers/json_record.h"

namespace faultline {
namespace {

constexpr std::string_view kData = "message.data";

bool read_first_string(const Json& object, std::string_view camel, std::string_view snake,
                       std::string_view& out, FieldError& error) {
  return read_string(object, camel, "message", out, error) &&
         (!out.empty() || read_string(object, snake, "message", out, error));
}

bool read_first_time(const Json& object, std::string_view camel, std::string_view snake,
                     std::optional<Timestamp>& out, FieldError& error) {
  return read_rfc3339(object, camel, "message", out, error) &&
         (out || read_rfc3339(object, snake, "message", out, error));
}

}  // namespace

bool is_pubsub_envelope(const Json& body) {
  const Json* message = find_member(body, "message");
  return message && message->is_object();
}

void read_pubsub_envelope(const Json& body, size_t index, size_t offset, RecordSink& sink) {
  if (!sink.admit(index, offset)) return;
  auto reject = [&](std::string field, std::string message) {
    sink.reject(index, offset, std::move(field), std::move(message));
  };
  const Json* envelope_message = find_member(body, "message");
  if (!envelope_message || !envelope_message->is_object())
    return reject("message", "expected an object holding the Pub/Sub message");
  const Json& message = *envelope_message;
  FieldError error;
  std::string_view message_id;
  std::optional<Timestamp> publish_time;
  if (!read_first_string(message, "messageId", "message_id", message_id, error) ||
      !read_first_time(message, "publishTime", "publish_time", publish_time, error))
    return reject(error.field, error.message);

  const Json* data = find_member(message, "data");
  if (!data)
    return reject(std::string(kData),
                  "missing: a push envelope carries the LogEntry as base64 in message.data");
  if (!data->is_string())
    return reject(std::string(kData),
                  std::string("expected a base64 string, got ") + json_type_name(*data));

  const std::string& encoded = data->get_ref<const std::string&>();
  // Checked before decoding: 4 base64 characters hold 3 bytes.
  if (sink.reject_if_too_long(index, offset, encoded.size() / 4 * 3, "the decoded message.data"))
    return;
  std::string decoded;
  Base64Error base64_error;
  if (!base64_decode(encoded, decoded, base64_error))
    return reject(std::string(kData), base64_error.message);
  if (decoded.empty()) return reject(std::string(kData), "empty: the message carries no LogEntry");

  Json entry;
  JsonSyntaxError syntax;
  if (!parse_json_document(decoded, entry, syntax))
    return reject(std::string(kData), "decoded data: " + syntax.message(0));

  LogRecord record;
  RecordContext context{sink.options(), message_id, publish_time};
  std::optional<FieldError> warning;
  if (!record_from_object(entry, context, record, error, warning))
    return reject(field_path(kData, error.field), error.message);
  if (warning) sink.warn(index, offset, field_path(kData, warning->field), std::move(warning->message));
  sink.accept(std::move(record));
}

}  // namespace faultline
