// Fuzz target: parse_input(InputFormat::logentry).
// Cloud Logging LogEntry bodies: one entry, a gcloud --format=json array, NDJSON or pretty-printed documents of them.
#include "fuzz/fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  faultline::fuzz::check_parse_both_limits(faultline::fuzz::bytes(data, size), faultline::InputFormat::logentry);
  return 0;
}
