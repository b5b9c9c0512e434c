// Event times: RFC 3339 as Cloud Logging writes it.
#include <doctest/doctest.h>

#include "parsers/timestamp.h"

namespace faultline {

TEST_CASE("RFC 3339 offsets: hours up to 23, minutes up to 59") {
  CHECK(parse_rfc3339("2025-09-16T02:42:33+02:00") == parse_rfc3339("2025-09-16T00:42:33Z"));
  CHECK(parse_rfc3339("2025-09-16T00:42:33-23:59") == parse_rfc3339("2025-09-17T00:41:33Z"));
  CHECK_FALSE(parse_rfc3339("2025-09-16T00:42:33+99:99"));
  CHECK_FALSE(parse_rfc3339("2025-09-16T00:42:33+24:00"));
  CHECK_FALSE(parse_rfc3339("2025-09-16T00:42:33-05:60"));
}

}  // namespace faultline
