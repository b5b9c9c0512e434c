// Fuzz target: parse_input(InputFormat::text), plain text one record per line
// (POST /v1/logs/raw, scan of .log files), and the automatic sniffing that
// decides between text and JSON (scan without --format).
#include "fuzz/fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view body = faultline::fuzz::bytes(data, size);
  faultline::fuzz::check_parse_both_limits(body, faultline::InputFormat::text);
  faultline::fuzz::check_parse_both_limits(body, faultline::InputFormat::automatic);
  return 0;
}
