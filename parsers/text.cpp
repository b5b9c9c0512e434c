#include "parsers/text.h"

#include "parsers/lines.h"
#include "parsers/utf8.h"

namespace faultline {

void read_text(std::string_view body, size_t start, RecordSink& sink) {
  const ParseOptions& options = sink.options();
  LineReader reader(body, start);
  Line line;
  while (reader.next(line)) {
    if (!sink.admit(line.number, line.offset)) return;
    if (sink.reject_if_too_long(line.number, line.offset, line.text.size(), "the line")) continue;
    if (size_t bad = find_invalid_utf8(line.text); bad != std::string_view::npos) {
      sink.reject(line.number, line.offset, "",
                  "invalid UTF-8 at byte " + std::to_string(line.offset + bad) + " (line " +
                      std::to_string(line.number + 1) + ", column " + std::to_string(bad + 1) +
                      ")");
      continue;
    }
    LogRecord record;
    record.time = options.arrival;
    record.service = options.service;
    record.revision = options.revision;
    record.instance = options.instance;
    record.text = line.text;
    sink.accept(std::move(record));
  }
}

}  // namespace faultline
