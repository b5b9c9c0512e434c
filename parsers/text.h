// Plain text bodies -> one LogRecord per line (see lines.h for line endings).
// Internal to parsers/.
//
// Every line is a record, blank ones included (Go panics and Java traces contain
// blank lines, and the multi-line assembler needs them in place); its index is
// its 0-based line number. A line that is not valid UTF-8 is rejected with the
// byte, line and column; a line longer than max_line_bytes is rejected naming the
// limit.
//
// Each line is unwrapped before it becomes a record, so that rules and the
// multi-line assembler see the application's own line:
//  1. a transport envelope (envelope.h: compose, kubectl --prefix, CRI, syslog and
//     journald, Heroku, Cloud Foundry) is removed; what it names goes into the
//     record: service, instance, stream, time, severity (syslog PRI). CRI "P"
//     pieces are joined, per stream, up to the "F" piece that ends the line; the
//     record comes out where that piece is.
//  2. a line that is one JSON object is Docker's json-file line (its "log" is the
//     line, with its stream and time; 16 KiB pieces are joined) or an application's
//     JSON record (structured.h: message, then error and stack fields, level into
//     app_level, time);
//  3. otherwise a timestamp at the start of the application's line is removed and
//     read, and a level near the start is read into app_level (line_prefix.h).
// The envelope's names override the caller's (query parameters, scan flags),
// which stay the defaults for lines without one. Docker compose's own
// "NAME exited with code N" lines get the service and instance of the compose
// name they end with, so that the exit counts for that service.
//
// Time: the envelope's, else the JSON record's, else the leading timestamp's. A
// line without one takes the time of the line before it, and lines before the
// first timed line take that line's time, so that sorting by time keeps them in
// place; with no time anywhere every line has options.arrival. Dates printed
// without a year (syslog, klog) take the latest year that does not put them days
// after the previous time (or the arrival time): log_time.h.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "parsers/envelope.h"
#include "parsers/lines.h"
#include "parsers/record_sink.h"

namespace faultline {

class TextReader {
 public:
  explicit TextReader(RecordSink& sink);

  // Reads one line of the body (admitting it to the sink). False once the sink
  // refuses more records.
  bool read(const Line& line);
  // A record that the caller read otherwise (a JSON line of a mixed body) and
  // accepted; its time carries over to the text lines after it.
  void note_record(const LogRecord& record);
  // End of the body: partial lines still open, compose exit lines.
  void finish();

 private:
  struct Partial {
    std::string stream;
    std::string text;
    Envelope envelope;
    size_t index = 0;
    size_t offset = 0;
    bool too_long = false;
  };
  struct ComposeExit {
    size_t record = 0;   // index in the sink's records
    std::string name;    // as compose printed it
  };

  Timestamp reference() const;
  Partial* partial_for(std::vector<Partial>& partials, std::string_view stream);
  // Joins a piece into its stream's partial line; true when the line is complete
  // (then `joined` holds it, with its first piece's envelope, index and offset).
  bool join(std::vector<Partial>& partials, const Envelope& envelope, std::string_view piece, bool more,
            size_t index, size_t offset, Partial& joined);
  void emit(std::string_view text, const Envelope& envelope, size_t index, size_t offset, bool docker_join = true);
  // Fills text, app_level and (when `timed` is false) time from the application's
  // line; `try_json`: it may be an application's JSON record.
  void emit_application_line(LogRecord& record, std::string_view text, bool& timed, bool try_json);
  void accept(LogRecord&& record, bool timed);
  bool check_utf8(std::string_view text, size_t index, size_t offset);

  RecordSink& sink_;
  std::optional<Timestamp> last_time_;
  std::vector<size_t> untimed_;  // records before the first timed one
  std::vector<Partial> cri_partials_;
  std::vector<Partial> docker_partials_;
  std::vector<std::string> compose_names_;
  std::vector<ComposeExit> compose_exits_;
};

// Reads lines of `body` from byte `start` (after a byte order mark, say).
void read_text(std::string_view body, size_t start, RecordSink& sink);

}  // namespace faultline
