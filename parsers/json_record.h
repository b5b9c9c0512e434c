// One JSON object of an NDJSON line, array element or Pub/Sub message -> LogRecord,
// whichever shape it has (LogEntry or flat shipper record). Internal to parsers/.
#pragma once

#include <optional>

#include "parsers/json_fields.h"
#include "parsers/log_record.h"
#include "parsers/record_context.h"

namespace faultline {

// False, with `error` naming the field, when `value` is not an object or one of
// its fields is malformed. `warning`: what was ignored in a record that is kept
// (a time that could not be read).
bool record_from_object(const Json& value, const RecordContext& context, LogRecord& out,
                        FieldError& error, std::optional<FieldError>& warning);

}  // namespace faultline
