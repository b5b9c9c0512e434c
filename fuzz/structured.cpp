// Fuzz target: JSON records of application loggers and Docker's json-file lines
// (parsers/structured.h), each line of the input on its own, as a text line, a
// string carried by a transport, and inside a flat NDJSON record, a Loki line and
// a Cloud Logging jsonPayload built around it.
//
// Checks: the on-demand read of a line and the DOM path's agree; every string
// read is valid UTF-8 (nlohmann refuses anything else, so the parts joined from
// it are too); a level is one of app_level.h's names; a
// Docker line's text is its "log" less at most one newline; nothing throws. Then
// parse.h's promises for the text, NDJSON, Loki and LogEntry bodies.
#include <algorithm>
#include <array>

#include <nlohmann/json.hpp>

#include "fuzz/fuzz_support.h"
#include "parsers/json_line_ondemand.h"
#include "parsers/structured.h"
#include "parsers/utf8.h"

namespace {

using faultline::fuzz::require;

void check_line(std::string_view line) {
  faultline::JsonLine json = faultline::read_json_line(line);
  // The on-demand read (json_line_ondemand.h) gives what the DOM path gives.
  const faultline::JsonLine dom = faultline::read_json_line_dom(line);
  require(json.kind == dom.kind && json.text == dom.text && json.stream == dom.stream && json.time == dom.time &&
              json.level == dom.level && json.partial == dom.partial,
          "the on-demand read of a JSON line differs from the DOM path's");
  if (json.kind != faultline::JsonLine::Kind::none) {
    faultline::fuzz::require_utf8(json.text, "json line text");
    faultline::fuzz::require_utf8(json.stream, "json line stream");
    faultline::fuzz::require_app_level(json.level);
    if (json.kind == faultline::JsonLine::Kind::application) require(!json.text.empty(), "an application record without text");
  }
  if (faultline::find_invalid_utf8(line) != std::string_view::npos) return;
  std::string text(line), level;
  std::optional<faultline::Timestamp> time;
  faultline::read_carried_text(text, level, &time);
  faultline::fuzz::require_utf8(text, "carried text");
  faultline::fuzz::require_app_level(level);

  // The line in the places transports carry it.
  nlohmann::json value = std::string(line);
  nlohmann::json parsed = nlohmann::json::parse(line.begin(), line.end(), nullptr, false);
  std::string flat = nlohmann::json{{"log", value}, {"stream", "stderr"}}.dump();
  faultline::fuzz::check_parse_both_limits(flat, faultline::InputFormat::ndjson);
  nlohmann::json loki = {{"streams", nlohmann::json::array({{{"stream", {{"service", "s"}}},
                                                              {"values", nlohmann::json::array({nlohmann::json::array({"1", value})})}}})}};
  faultline::fuzz::check_parse_both_limits(loki.dump(), faultline::InputFormat::loki);
  if (!parsed.is_discarded() && parsed.is_object()) {
    std::string entry = nlohmann::json{{"insertId", "i"}, {"jsonPayload", parsed}}.dump(-1, ' ', false,
                                                                                       nlohmann::json::error_handler_t::replace);
    faultline::fuzz::check_parse_both_limits(entry, faultline::InputFormat::logentry);
  }
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
  faultline::fuzz::check_parse_both_limits(body, faultline::InputFormat::automatic);
  return 0;
}
