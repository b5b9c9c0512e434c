// Loki push protobuf -> LogRecords: what Promtail, Grafana Alloy's loki.write,
// the Loki Docker driver, Vector's loki sink and winston-loki send (after snappy
// decompression, which the caller does: parsers/snappy.h). Internal to parsers/.
//
// From grafana/loki pkg/push/push.proto (field numbers; anything else skipped):
//   PushRequest   { repeated StreamAdapter streams = 1; string format = 2; }
//   StreamAdapter { string labels = 1; repeated EntryAdapter entries = 2; uint64 hash = 3; }
//   EntryAdapter  { google.protobuf.Timestamp timestamp = 1; string line = 2;
//                   repeated LabelPairAdapter structuredMetadata = 3; … parsed = 4; }
//   Timestamp     { int64 seconds = 1; int32 nanos = 2; }
// `labels` is the string {app="checkout", pod="…"} (loki_labels.h); the records
// are those of the JSON push (loki_stream.h). Structured metadata is skipped, as
// the JSON push's third element is. A missing line is the empty line (proto3
// leaves empty strings out); a missing timestamp is an error, as in JSON.
//
// Entries are indexed by their position across all streams, as JSON values are.
// Errors name "streams[i].entries[j].timestamp" and the byte offset of the entry
// in the decompressed message; a stream whose labels do not parse is one error
// and its entries keep their places in the numbering. The message is read as far
// as it is well-formed: an entry whose bytes are malformed is rejected and its
// neighbours kept; a stream or push whose framing breaks keeps what came before.
#pragma once

#include <string_view>

#include "parsers/record_sink.h"

namespace faultline {

void read_loki_protobuf(std::string_view message, RecordSink& sink);

}  // namespace faultline
