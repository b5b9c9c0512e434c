// Fuzz target: parse_input(InputFormat::loki).
// Loki push JSON (POST /loki/api/v1/push).
#include "fuzz/fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  faultline::fuzz::check_parse_both_limits(faultline::fuzz::bytes(data, size), faultline::InputFormat::loki);
  return 0;
}
