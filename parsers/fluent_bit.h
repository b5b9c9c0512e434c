// Fluent Bit's MessagePack events -> LogRecords: the body of its `http` output
// with the default `format msgpack` (Content-Type: application/msgpack), which
// is the chunk as Fluent Bit holds it, events written one after another with no
// framing around them. Internal to parsers/.
//
// Each event is an array of two (flb_log_event_decoder.c):
//   [timestamp, record]               Fluent Bit before 2.1, and Fluentd's forward entries
//   [[timestamp, metadata], record]   Fluent Bit 2.1 and later; metadata is a map
// The timestamp is integer or float seconds, or EventTime: ext type 0 with 8
// bytes, big-endian uint32 seconds then uint32 nanoseconds. The record is a map
// read exactly like a flat JSON record (flat_record.h: log or message, kubernetes
// metadata, level …); the timestamp is its time unless the record names one
// ("time", "timestamp", …), as in Fluent Bit's JSON formats, where it becomes
// "date". Group markers (EventTime seconds -1 and -2, which open and close
// OpenTelemetry groups) carry no log line and are skipped.
//
// Index and offset of errors: the event's position among the body's events
// (group markers count) and the byte where it starts; `field` is "timestamp",
// "metadata", "record", or the path inside the record. An event whose content is
// wrong is refused alone. A body that stops being MessagePack (a byte no value
// starts with, a value cut off by the body's end, nesting deeper than 100) is
// read up to there: one error says where, and the events before it are kept.
#pragma once

#include <string_view>

#include "parsers/record_sink.h"

namespace faultline {

void read_fluent_bit_events(std::string_view body, RecordSink& sink);

}  // namespace faultline
