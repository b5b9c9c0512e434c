// Inputs the fuzz targets (fuzz/) found mishandled, as unit tests; the raw
// inputs themselves are replayed from tests/fuzz-regressions/.
#include <doctest/doctest.h>

#include "parsers/log_time.h"
#include "parsers/parse.h"
#include "parsers/timestamp.h"

namespace faultline {
namespace {

TEST_CASE("timestamps beyond what 64-bit nanoseconds hold are not RFC 3339 times we accept") {
  // Year 9999 used to overflow the nanosecond count (signed overflow, UBSan).
  CHECK_FALSE(parse_rfc3339("9999-12-31T23:59:59Z"));
  CHECK_FALSE(parse_rfc3339("2262-04-12T00:00:00Z"));
  CHECK_FALSE(parse_rfc3339("1677-01-01T00:00:00Z"));
  CHECK_FALSE(parse_rfc3339("0000-01-01T00:00:00+23:59"));
  REQUIRE(parse_rfc3339("2261-12-31T23:59:59.999999999Z"));
  CHECK(format_rfc3339(*parse_rfc3339("2261-12-31T23:59:59.999999999Z")) == "2261-12-31T23:59:59.999999999Z");
  REQUIRE(parse_rfc3339("1678-01-01T00:00:00Z"));
  CHECK(format_rfc3339(*parse_rfc3339("1678-01-01T00:00:00Z")) == "1678-01-01T00:00:00Z");

  // Such a time is one that cannot be read: the entry keeps its arrival time.
  ParseOptions options;
  options.arrival = *parse_rfc3339("2030-01-01T00:00:00Z");
  ParseResult result = parse_input(R"({"textPayload":"x","timestamp":"9999-12-31T23:59:59Z"})" "\n",
                                   InputFormat::logentry, options);
  REQUIRE(result.records.size() == 1);
  CHECK(result.records[0].time == options.arrival);
  REQUIRE(result.warnings.size() == 1);
  CHECK(result.warnings[0].field == "timestamp");
  // Epochs beyond the same range likewise.
  CHECK_FALSE(epoch_time(uint64_t{9'300'000'000'000'000'000u}));  // beyond int64 nanoseconds
  CHECK_FALSE(epoch_time(uint64_t{9'220'000'000'000'000'000u}));  // 2262-03: held, but past the last year
  REQUIRE(epoch_time(uint64_t{9'200'000'000'000'000'000u}));      // 2261-07
  CHECK_FALSE(epoch_time(1e300));
  CHECK_FALSE(parse_log_time("99999999999999999999"));
}

TEST_CASE("defaults that are not valid UTF-8 are refused, not copied into records") {
  // /v1/logs/raw?revision=%ff: the query is percent-decoded into ParseOptions.
  for (const char* field : {"service", "revision", "instance"}) {
    CAPTURE(field);
    ParseOptions options;
    options.service = "web";
    std::string bad = "r\xff";
    if (std::string_view(field) == "service") options.service = bad;
    if (std::string_view(field) == "revision") options.revision = bad;
    if (std::string_view(field) == "instance") options.instance = bad;
    ParseResult result = parse_input("a line\nanother\n", InputFormat::text, options);
    CHECK(result.records.empty());
    REQUIRE(result.errors.size() == 1);
    CHECK(result.errors[0].field == field);
    CHECK(result.errors[0].message == "invalid UTF-8 at byte 1 of the " + std::string(field) + " given with the input");
  }
  ParseOptions good;
  good.service = "wéb";
  ParseResult result = parse_input("a line\n", InputFormat::text, good);
  REQUIRE(result.records.size() == 1);
  CHECK(result.records[0].service == "wéb");
}

TEST_CASE("a logName whose %-escapes decode to invalid UTF-8 is refused, naming logName") {
  ParseResult result = parse_input(
      R"({"logName":"projects/p/logs/run.googleapis.com%2Fst%DEerr","textPayload":"x"})" "\n"
      R"({"logName":"projects/p/logs/run.googleapis.com%2Fstd%C3%A9rr","textPayload":"y"})" "\n",
      InputFormat::logentry, {});
  REQUIRE(result.errors.size() == 1);
  CHECK(result.errors[0].index == 0);
  CHECK(result.errors[0].field == "logName");
  CHECK(result.errors[0].message == "the log id is not valid UTF-8 once URL-decoded");
  REQUIRE(result.records.size() == 1);
  CHECK(result.records[0].stream == "std\u00e9rr");
}

}  // namespace
}  // namespace faultline
