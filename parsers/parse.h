// Turning request bodies and files into LogRecords. Every entry point keeps the
// good records of a batch and reports each bad one with its index, byte offset
// and the field at fault; none of them throws on any input.
//
// Framing (every JSON format):
//   - a body whose first non-blank byte is '[' is one JSON array; each element is
//     a record (gcloud logging read --format=json, pretty-printed or not);
//   - a body starting with '{' whose first value ends on the first line is NDJSON:
//     one record per line, blank lines skipped, "\n", "\r\n" or "\r" ending
//     lines (a single such line is one document);
//   - a body starting with '{' whose first value spans lines is a sequence of
//     pretty-printed documents (one LogEntry or push body, or `jq .` output);
//   - a UTF-8 byte order mark at the start is skipped.
//   (Details and error recovery: json_lines.h.)
// InputFormat::automatic takes a body as JSON only when it starts with '{' then
// '"' or '}', or with '[' then '{' or ']' (blanks between allowed); anything else
// — including Apache's "[Sun Dec 04 …" and gunicorn's "[2025-09-16 …" — is text.
// A body that starts so but whose first record ends on its first line without
// being JSON, while none of the next lines that look like JSON is JSON either,
// is text too (Erlang's {"Kernel pid terminated",application_controller,…}).
// In a JSON body read line by line, lines that do not start like JSON are read
// as text (text.h: a Go panic after zap's JSON lines), not refused.
// Each JSON object is then classified: "resourceLogs" -> OTLP logs (otlp_json.h;
// automatic and ndjson); "streams" -> Loki push; a "message"
// member that is an object -> Pub/Sub push envelope; resource / logName /
// insertId / textPayload / jsonPayload / protoPayload / httpRequest -> LogEntry;
// anything else -> a flat shipper record.
//
// Fluent Bit's MessagePack (InputFormat::fluent_msgpack, never sniffed) is read
// event by event, each record like a flat JSON record (fluent_bit.h).
//
// Text (InputFormat::text, and text bodies and lines under automatic) is read
// line by line with its envelopes removed: compose, kubectl --prefix, journald
// and syslog, CRI, Docker json-file, Heroku, Cloud Foundry, leading timestamps,
// and applications' JSON records (text.h, envelope.h, structured.h).
//
// Field mapping (choices where the formats are silent are noted):
//   - time: timestamp, else receiveTimestamp, else the envelope's publishTime,
//     else options.arrival. timestamp and receiveTimestamp are read as shippers
//     and loggers write them (json_time: RFC 3339, "2017-08-15 18:10:12" with
//     no zone meaning UTC, "+0200", Unix epochs by magnitude); publishTime, set
//     by Pub/Sub, must be RFC 3339. A time field that cannot be read is passed
//     over like a missing one and reported in ParseResult::warnings naming it:
//     the record is kept, since dropping it would hide its text from the rules.
//   - service by resource.type: cloud_run_revision service_name, cloud_run_job
//     job_name, k8s_container container_name (+ namespace_name, cluster_name),
//     k8s_pod the container named by jsonPayload.involvedObject.fieldPath
//     ("spec.containers{web}", as kubelet events carry it) else the pod's
//     k8s-pod/app label, gce_instance instance_id, cloud_function function_name,
//     gae_app module_id; otherwise (audited_resource, k8s_node, …) labels.service,
//     else options.service. The same defaults apply when a field is missing.
//   - revision: revision_name; k8s: labels["k8s-pod/pod-template-hash"]; gae_app
//     version_id; else options.revision.
//   - instance: labels.instanceId, resource.labels pod_name, instance_id,
//     node_name, else options.instance.
//   - stream: the last segment of logName's URL-decoded log id: "stdout",
//     "stderr", "system" (run.googleapis.com/varlog/system), "requests";
//     cloudaudit.googleapis.com/* -> "audit"; GKE node logs (kubelet,
//     container-runtime, docker, containerd, node-problem-detector) -> "system";
//     GKE "events" -> "events"; any other log id -> its last segment as written.
//   - severity: as written; the numeric LogSeverity form (500) becomes its name.
//   - text: textPayload; else the first string among jsonPayload.message / msg /
//     log; else the compact JSON of jsonPayload or protoPayload; else, for a
//     request log, "<requestMethod> <status> <requestUrl>"; one trailing newline
//     is removed. jsonPayload's error fields (exception, stack_trace, err.stack …:
//     structured.h) follow as lines; a textPayload that is itself an
//     application's JSON record is read as one. http_status comes from
//     httpRequest.status whenever present.
//   - app_level (LogRecord::app_level): jsonPayload's level / severity / … or the
//     level of an application record in the text, else a level at the start of
//     the text; never the LogEntry's severity, which is the transport's.
//   Flat records and Loki lines: flat_record.h, loki.h, loki_protobuf.h and
//   loki_stream.h (which labels name the service, the same for JSON and
//   protobuf); their text, too, is read as an application's JSON record when
//   it is one, and gets app_level.
//   - source_id: insertId + "|" + logName when the entry has an insertId, even
//     inside a Pub/Sub envelope: a sink may publish the same entry in two
//     messages with different messageIds, and only the insertId dedups those.
//     The envelope's messageId is the source_id of an entry without insertId.
//
// Index and offset of errors: NDJSON and text use the 0-based line number (blank
// lines count), a JSON array the element index, a single document 0, and a Loki
// push the value's position across all its streams. The offset is where the
// record starts in the body; inside a document (Loki values, Pub/Sub data) it is
// the document's offset and `field` says where inside it. A Loki protobuf push
// numbers its entries like JSON values; the offset is the entry's own, in the
// decompressed message.
//
// Limits: max_line_bytes bounds each record's own bytes (a text or NDJSON line, an
// array element, a single LogEntry document, a Loki line, the decoded data of a
// Pub/Sub message); it is checked before parsing, so an oversized line costs one
// scan. Text keeps blank lines as (empty) records, since Go panics and Java traces
// contain them; NDJSON skips them.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "parsers/log_record.h"

namespace faultline {

enum class InputFormat {
  automatic,  // sniff: Pub/Sub envelope, Loki push, JSON array/object, NDJSON, else text
  logentry,   // one LogEntry, a JSON array of them (gcloud --format=json), or NDJSON of them
  ndjson,     // NDJSON / JSON array of LogEntries or flat records {"time","service","message",…}
  text,       // plain text, one record per line (CRLF and bare CR handled)
  pubsub,     // Pub/Sub push envelope, wrapped or unwrapped (the body is the LogEntry itself)
  loki,       // Loki push JSON: {"streams":[{"stream":{labels},"values":[["ns","line"],…]}]}
  // Loki push protobuf (PushRequest), already snappy-decompressed: the
  // Content-Type of the request says so, nothing in the bytes does. Not a name
  // parse_input_format knows: files are not written in it.
  loki_protobuf,
  // OTLP/HTTP logs in binary protobuf, one ExportLogsServiceRequest (otlp_protobuf.h);
  // chosen by a request's Content-Type, so it has no name for `scan --format`.
  // OTLP/JSON needs no format of its own: its top-level "resourceLogs" is
  // recognised under automatic and ndjson (otlp_json.h).
  otlp_protobuf,
  fluent_msgpack,  // Fluent Bit's MessagePack events, [timestamp, record] one after another (fluent_bit.h)
};

// "auto", "logentry", "ndjson", "text", "pubsub", "loki", "msgpack"; false when unknown.
bool parse_input_format(std::string_view name, InputFormat& out);

struct RecordError {
  size_t index = 0;     // 0-based record index within the body (line number - 1 for NDJSON/text)
  size_t offset = 0;    // byte offset in the body where the bad record starts
  std::string field;    // JSON pointer-ish path of the offending field ("message.data"), or ""
  std::string message;  // what is wrong, e.g. "invalid base64 at character 17"
  // Set when the record was refused for exceeding a configured limit rather than
  // for being malformed: "max_line_bytes" or "max_records" (a 413, not a 400).
  std::string limit;
  // "record 3 (byte 1234): message.data: invalid base64 at character 17"
  std::string describe() const;
};

// The service of records that name none, in the input or in ParseOptions: they
// are still scanned, under a name that shows, rather than under "".
inline constexpr std::string_view kUnknownService = "unknown";

struct ParseResult {
  std::vector<LogRecord> records;
  std::vector<RecordError> errors;
  // Records kept with something in them ignored: a time that could not be
  // read, replaced as a missing one would be (see "time" above). Same index,
  // offset and field as an error; the message says which time was used.
  std::vector<RecordError> warnings;
  size_t input_records = 0;  // records seen, good and bad (reading stops at max_records)
  // The body was OTLP logs (an ExportLogsServiceRequest, JSON or protobuf), whose
  // sender expects OTLP's answer; each error is then one rejected log record.
  bool otlp = false;
  // OTLP only: the request as a whole could not be read (not protobuf, or
  // resourceLogs not a list), so no record could be told apart; errors say why.
  bool request_unreadable = false;
  size_t unknown_service = 0;  // records filed under kUnknownService
};

struct ParseOptions {
  size_t max_line_bytes = 1 << 20;  // a longer line/record is rejected (error), not truncated
  size_t max_records = 100000;      // records beyond this are rejected with one error
  Timestamp arrival{};              // event time for records that carry none
  // Defaults for records that do not name them (the ingest routes' ?service=,
  // ?revision=, ?instance=; scan's flags). A record left without a service gets
  // kUnknownService.
  // Not valid UTF-8: parse_input reads nothing and returns one error naming the field.
  std::string service;
  std::string revision;
  std::string instance;
  // Where the body starts in a larger input read a piece at a time (`faultline
  // scan` of a large file): added to the index and byte offset of every error
  // and warning, and to the byte and line numbers their messages name, so that
  // they point into the whole input.
  size_t base_index = 0;
  size_t base_offset = 0;
};

// Never throws; errors are data. Records keep body order; every string in them
// is valid UTF-8 (invalid input is rejected, not repaired). Thread-safe: calls
// share no state. Time and memory are linear in the body size; the body is not
// retained.
ParseResult parse_input(std::string_view body, InputFormat format, const ParseOptions& options);

}  // namespace faultline
