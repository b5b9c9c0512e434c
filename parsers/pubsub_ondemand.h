// The good path of a Pub/Sub push envelope, read without a DOM of it. Internal to
// parsers/.
//
// A push body is about 1 KB of which nine tenths are the base64 `message.data`;
// building an nlohmann DOM of it means lexing that string byte by byte and
// copying it. Here simdjson's on-demand API walks the envelope (validating every
// value, including those it skips), base64 is decoded into a buffer the thread
// reuses, and the LogEntry inside is read on its own good path
// (log_entry_ondemand.h) or, when that declines, parsed into a DOM that
// record_from_object reads exactly as on the DOM path.
//
// Anything off (a member of the wrong type, a duplicate of a member it reads, a
// JSON null, bad base64, a LogEntry that the record reader refuses, a value too
// deep) and it reads nothing: the caller falls back to read_pubsub_envelope
// (pubsub.h), whose errors name the field and offset. So both paths accept the
// same envelopes with the same records (fuzz/pubsub_ondemand.cpp checks it).
#pragma once

#include "parsers/json_lines.h"
#include "parsers/record_sink.h"

namespace faultline {

// True when `text` was a wrapped push envelope read to a record, which went to
// `sink` as read_pubsub_envelope would have sent it (admitted, warned, accepted);
// false with `sink` untouched otherwise.
bool read_pubsub_envelope_ondemand(const JsonRecordText& text, RecordSink& sink);

}  // namespace faultline
