// Fuzz target: parse_input(InputFormat::ndjson).
// NDJSON / JSON-array bodies of LogEntries and flat shipper records (POST /v1/logs).
#include "fuzz/fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  faultline::fuzz::check_parse_both_limits(faultline::fuzz::bytes(data, size), faultline::InputFormat::ndjson);
  return 0;
}
