// Loki push JSON -> LogRecords, so Promtail, Grafana Agent/Alloy and Vector's
// loki sink can push unchanged. Internal to parsers/.
//
// {"streams":[{"stream":{"service":"api","pod":"api-7d4-x2","stream":"stderr"},
//              "values":[["1694822553819300000","line"],["…","…",{"trace_id":"…"}]]}]}
// Labels name the service, instance, revision, namespace, cluster, stream and
// severity in the order loki_stream.h gives, the same for the protobuf push. Each
// value is a record: a Unix-nanosecond timestamp string (or integer) and a line;
// a third element (structured metadata) is accepted and ignored. A line that is
// an application's JSON record (pino, structlog …) is read as one (structured.h:
// message, error fields as lines, level into app_level); any other line gives
// app_level from a level at its start.
#pragma once

#include <cstddef>

#include "parsers/json_fields.h"
#include "parsers/record_sink.h"

namespace faultline {

bool is_loki_push(const Json& body);

// Reads a push body that starts at byte `offset`. Values are indexed by their
// position across all streams; errors name "streams[i].values[j][k]".
void read_loki_push(const Json& body, size_t offset, RecordSink& sink);

}  // namespace faultline
