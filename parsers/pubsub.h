// Pub/Sub push bodies -> LogRecords. Internal to parsers/.
//
// Wrapped: {"message":{"data":"<base64 LogEntry>","attributes":{…},"messageId":"…",
// "publishTime":"…"},"subscription":"…"} (the snake_case message_id / publish_time
// that push also sends are accepted). Unwrapped bodies ("payload unwrapping" push
// subscriptions) are the LogEntry itself, have no "message" object, and are read
// as a plain LogEntry by the caller. Errors inside the decoded LogEntry are named
// "message.data.<field>".
#pragma once

#include <cstddef>

#include "parsers/json_fields.h"
#include "parsers/record_sink.h"

namespace faultline {

// A "message" member that is an object: a wrapped push envelope.
bool is_pubsub_envelope(const Json& body);

// Reads one wrapped push body (is_pubsub_envelope is true) that starts at byte
// `offset` of the request body and is record `index`.
void read_pubsub_envelope(const Json& body, size_t index, size_t offset, RecordSink& sink);

}  // namespace faultline
