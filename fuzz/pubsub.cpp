// Fuzz target: parse_input(InputFormat::pubsub).
// Pub/Sub push envelopes (POST /v1/push/pubsub), wrapped or unwrapped, with base64 LogEntry data.
#include "fuzz/fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  faultline::fuzz::check_parse_both_limits(faultline::fuzz::bytes(data, size), faultline::InputFormat::pubsub);
  return 0;
}
