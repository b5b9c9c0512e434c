// Event times: RFC 3339 as Cloud Logging writes it, and what shippers and
// loggers put in a JSON record's time field.
#include <doctest/doctest.h>

#include "parsers/log_time.h"
#include "parsers/timestamp.h"

namespace faultline {

TEST_CASE("RFC 3339 offsets: hours up to 23, minutes up to 59") {
  CHECK(parse_rfc3339("2025-09-16T02:42:33+02:00") == parse_rfc3339("2025-09-16T00:42:33Z"));
  CHECK(parse_rfc3339("2025-09-16T00:42:33-23:59") == parse_rfc3339("2025-09-17T00:41:33Z"));
  CHECK_FALSE(parse_rfc3339("2025-09-16T00:42:33+99:99"));
  CHECK_FALSE(parse_rfc3339("2025-09-16T00:42:33+24:00"));
  CHECK_FALSE(parse_rfc3339("2025-09-16T00:42:33-05:60"));
}

TEST_CASE("log times: RFC 3339 relaxed the way loggers write it, and epochs written as digits") {
  const Timestamp utc = *parse_rfc3339("2017-08-15T18:10:12Z");
  CHECK(parse_log_time("2017-08-15 18:10:12") == utc);  // no zone: UTC
  CHECK_FALSE(parse_rfc3339("2017-08-15 18:10:12"));    // RFC 3339 itself needs one
  CHECK(parse_log_time("2017-08-15T20:10:12+0200") == utc);
  CHECK_FALSE(parse_rfc3339("2017-08-15T20:10:12+0200"));
  CHECK(parse_log_time("2017-08-15 18:10:12.5") == utc + std::chrono::milliseconds(500));
  CHECK_FALSE(parse_log_time("2017-08-15T20:10:12+99:00"));
  // The same reader as dates at the start of text lines (read_log_time), so
  // zone names and ',' fractions too, but the whole string must be the time.
  CHECK(parse_log_time("2017-08-15T18:10:12 UTC") == utc);
  CHECK(parse_log_time("2017-08-15 20:10:12,250 CEST") == utc + std::chrono::milliseconds(250));
  CHECK_FALSE(parse_log_time("2017-08-15T18:10:12 tomorrow"));
  CHECK_FALSE(parse_log_time("2017-08-15T18:10:12Zulu"));
  CHECK(parse_log_time("1502820612") == utc);
  CHECK(parse_log_time("1502820612.000000001") == utc + std::chrono::nanoseconds(1));
  CHECK(parse_log_time("1502820612000") == utc);
  CHECK(parse_log_time("1502820612000000000") == utc);
  CHECK(parse_log_time("1502820612345.5") == utc + std::chrono::microseconds(345500));  // a fraction of a ms
  CHECK(epoch_time(1502820612.5) == utc + std::chrono::milliseconds(500));
  CHECK(epoch_time(uint64_t{1502820612000000}) == utc);
  for (const char* bad : {"", ".5", "1502820612.", "15028x", "-1502820612", "1e9", " 1502820612", "1502820612.5.5"}) {
    CAPTURE(bad);
    CHECK_FALSE(parse_log_time(bad));
  }
}

}  // namespace faultline
