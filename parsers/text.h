// Plain text bodies -> one LogRecord per line (see lines.h for line endings).
// Internal to parsers/.
//
// Every line is a record, blank ones included (Go panics and Java traces contain
// blank lines, and the multi-line assembler needs them in place); its index is
// its 0-based line number. Service, revision and instance come from the options
// (query parameters, scan flags), time from options.arrival; stream and
// severity stay empty. A line that is not valid UTF-8 is rejected with the byte,
// line and column; a line longer than max_line_bytes is rejected naming the limit.
#pragma once

#include <cstddef>
#include <string_view>

#include "parsers/record_sink.h"

namespace faultline {

// Reads lines of `body` from byte `start` (after a byte order mark, say).
void read_text(std::string_view body, size_t start, RecordSink& sink);

}  // namespace faultline
