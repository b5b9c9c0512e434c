// One Google Cloud Logging LogEntry JSON object -> LogRecord, as parse.h documents
// field by field. Internal to parsers/.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "parsers/json_fields.h"
#include "parsers/log_record.h"
#include "parsers/record_context.h"

namespace faultline {

// True when `object` has a member only a LogEntry has (resource, logName,
// insertId, textPayload, jsonPayload, protoPayload, httpRequest).
bool is_log_entry(const Json& object);

// Fills `out` from `entry`. On a malformed field returns false with `error`
// naming it relative to the entry ("resource.labels"). A timestamp that cannot
// be read is no reason to lose the entry: the next time is used
// (receiveTimestamp, publishTime, arrival) and `warning` says so.
bool log_entry_to_record(const Json& entry, const RecordContext& context, LogRecord& out,
                         FieldError& error, std::optional<FieldError>& warning);

// "stderr" for "projects/p/logs/run.googleapis.com%2Fstderr"; see parse.h.
std::string stream_from_log_name(std::string_view log_name);

}  // namespace faultline
