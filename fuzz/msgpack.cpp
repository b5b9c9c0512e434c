// Fuzz target: parse_input(InputFormat::fluent_msgpack).
// Fluent Bit's MessagePack events (POST /v1/logs, Content-Type: application/msgpack).
#include "fuzz/fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  faultline::fuzz::check_parse_both_limits(faultline::fuzz::bytes(data, size), faultline::InputFormat::fluent_msgpack);
  return 0;
}
