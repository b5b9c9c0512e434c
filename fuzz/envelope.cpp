// Fuzz target: the line readers of plain text (parsers/envelope.h,
// parsers/line_prefix.h, parsers/log_time.h), each line of the input on its own,
// then the whole input through parse_input as text, where they run together
// with CRI and Docker piece joining and compose exit lines.
//
// Checks, per line: an envelope's body and a prefix's strip lie within the line
// and end on a character boundary (what follows is valid UTF-8 when the line
// is); every name an envelope or prefix gives is valid UTF-8 and a level is one
// of app_level.h's names; a time span lies within the text; a whole line read
// as a time (parse_log_time, as JSON time fields are) is one RFC 3339 can
// write and read back. Then parse.h's promises (fuzz_support.h).
#include <algorithm>
#include <array>

#include "fuzz/fuzz_support.h"
#include "parsers/envelope.h"
#include "parsers/line_prefix.h"
#include "parsers/log_time.h"
#include "parsers/utf8.h"

namespace {

using faultline::fuzz::require;

void check_line(std::string_view line) {
  const faultline::Timestamp reference{std::chrono::seconds(1760000000)};
  const bool valid = faultline::find_invalid_utf8(line) == std::string_view::npos;

  faultline::Envelope envelope;
  if (faultline::read_envelope(line, reference, envelope)) {
    require(envelope.body <= line.size(), "an envelope body beyond the line");
    require(envelope.kind != faultline::EnvelopeKind::none, "an envelope of no kind");
    if (valid) {
      require(faultline::find_invalid_utf8(line.substr(envelope.body)) == std::string_view::npos,
              "an envelope body that starts inside a character");
      faultline::fuzz::require_utf8(envelope.service, "envelope service");
      faultline::fuzz::require_utf8(envelope.instance, "envelope instance");
    }
    faultline::fuzz::require_utf8(envelope.stream, "envelope stream");
    faultline::fuzz::require_utf8(envelope.severity, "envelope severity");
    faultline::fuzz::require_app_level(envelope.severity);
  }

  faultline::LinePrefix prefix = faultline::read_line_prefix(line, reference);
  require(prefix.strip <= line.size(), "a prefix longer than the line");
  if (valid)
    require(faultline::find_invalid_utf8(line.substr(prefix.strip)) == std::string_view::npos,
            "a prefix that ends inside a character");
  faultline::fuzz::require_app_level(prefix.level);

  faultline::TimeSpan span;
  if (faultline::read_log_time(line, span)) require(span.length <= line.size(), "a time longer than the line");
  if (faultline::read_syslog_time(line, reference, span))
    require(span.length <= line.size(), "a syslog time longer than the line");
  if (std::optional<faultline::Timestamp> time = faultline::parse_log_time(line))
    require(faultline::parse_rfc3339(faultline::format_rfc3339(*time)) == time,
            "a log time that does not round-trip through RFC 3339");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view body = faultline::fuzz::bytes(data, size);
  for (std::string_view rest = body; !rest.empty();) {
    size_t end = rest.find('\n');
    check_line(rest.substr(0, end));
    rest.remove_prefix(end == std::string_view::npos ? rest.size() : end + 1);
  }
  faultline::fuzz::check_parse_both_limits(body, faultline::InputFormat::text);
  return 0;
}
