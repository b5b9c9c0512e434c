// What the fuzz targets share: the libFuzzer entry point's declaration, a check
// that aborts with a message (so the fuzzer reports it like a crash), and the
// properties every parse result must have whatever the input.
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "parsers/parse.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

namespace faultline::fuzz {

inline std::string_view bytes(const uint8_t* data, size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

[[noreturn]] inline void fail(const std::string& what) {
  std::fprintf(stderr, "fuzz check failed: %s\n", what.c_str());
  std::abort();
}

inline void require(bool ok, const std::string& what) {
  if (!ok) fail(what);
}

// Strict JSON serialisation throws on invalid UTF-8: the parsers promise that
// every string they put into a record serialises (parse.h).
// An application level is one of app_level.h's names, or "" for none.
inline void require_app_level(std::string_view level) {
  static constexpr std::array<std::string_view, 9> kLevels = {
      "", "DEBUG", "INFO", "NOTICE", "WARNING", "ERROR", "CRITICAL", "ALERT", "EMERGENCY"};
  require(std::find(kLevels.begin(), kLevels.end(), level) != kLevels.end(),
          "a level outside app_level.h's names: " + std::string(level));
}

inline void require_utf8(const std::string& text, const char* field) {
  try {
    (void)nlohmann::json(text).dump();
  } catch (const nlohmann::json::exception& e) {
    fail(std::string("record.") + field + " is not valid UTF-8: " + e.what());
  }
}

inline void check_record(const LogRecord& r) {
  require_utf8(r.service, "service");
  require_utf8(r.namespace_name, "namespace_name");
  require_utf8(r.cluster, "cluster");
  require_utf8(r.revision, "revision");
  require_utf8(r.instance, "instance");
  require_utf8(r.stream, "stream");
  require_utf8(r.severity, "severity");
  require_utf8(r.app_level, "app_level");
  require_utf8(r.resource_type, "resource_type");
  require_utf8(r.text, "text");
  require_utf8(r.source_id, "source_id");
  for (const std::string& e : r.exceptions) require_utf8(e, "exceptions[]");
  if (r.culprit) {
    require_utf8(r.culprit->file, "culprit.file");
    require_utf8(r.culprit->function, "culprit.function");
  }
}

// parse.h's promises for any body: no exception, valid UTF-8 in every record,
// at most max_records records, errors that point inside the body, and (for
// text) no line over max_line_bytes.
inline void check_parse(std::string_view body, InputFormat format, const ParseOptions& options) {
  ParseResult result = parse_input(body, format, options);
  require(result.records.size() <= options.max_records, "more records than max_records");
  require(result.records.size() <= result.input_records, "more records than input_records");
  for (const LogRecord& r : result.records) {
    check_record(r);
    if (format == InputFormat::text)
      require(r.text.size() <= options.max_line_bytes, "a text record longer than max_line_bytes");
  }
  for (const RecordError& e : result.errors) {
    require(e.offset <= body.size(), "an error offset beyond the body: " + e.describe());
    require(!e.message.empty(), "an error without a message");
    (void)e.describe();
  }
  require(result.warnings.size() <= result.records.size(), "more warnings than records kept");
  for (const RecordError& w : result.warnings) {
    require(w.offset <= body.size(), "a warning offset beyond the body: " + w.describe());
    require(!w.message.empty(), "a warning without a message");
    require_utf8(w.message, "warning");
  }
}

// The limits the daemon runs with, then tight ones so the limit paths run too.
inline void check_parse_both_limits(std::string_view body, InputFormat format) {
  ParseOptions defaults;
  defaults.arrival = Timestamp{std::chrono::seconds(1760000000)};
  check_parse(body, format, defaults);
  ParseOptions tight = defaults;
  tight.max_line_bytes = 256;
  tight.max_records = 4;
  tight.service = "svc";
  check_parse(body, format, tight);
}

}  // namespace faultline::fuzz
