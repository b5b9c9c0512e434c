// The good path of a Cloud Logging LogEntry, read without a DOM of it. Internal
// to parsers/.
//
// Most entries a log sink pushes, and most lines of an export (`gcloud logging
// read`), are alike: a resource with its labels, labels,
// insertId, logName, a severity name, RFC 3339 timestamps and a textPayload (or,
// for request logs, an httpRequest). Those are read here with simdjson's
// on-demand API, every member validated (skipped ones too) and none copied into a
// DOM; the record is then built by the same code as on the DOM path
// (log_entry.h: entry_origin_to_record, append_request_line).
//
// Anything else (jsonPayload, protoPayload, a member of a type the DOM path would
// refuse or convert, a JSON null, a repeated member it reads, an unreadable time,
// an object that is not a LogEntry) and it reads nothing: the caller parses the
// text into a DOM and calls record_from_object (json_record.h), whose errors and
// warnings name the field. Whatever this accepts, record_from_object gives the
// same record for (fuzz/pubsub_ondemand.cpp checks it).
#pragma once

#include <string>

#include "parsers/log_record.h"
#include "parsers/record_context.h"

namespace faultline {

// True with `out` filled when `text` is a LogEntry read to a record; false, with
// `out` in an unspecified state, when the DOM path must read it. `text` keeps its
// content; its capacity may grow (the parser reads a few bytes past the end).
bool read_log_entry_ondemand(std::string& text, const RecordContext& context, LogRecord& out);

}  // namespace faultline
