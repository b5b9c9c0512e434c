// Fuzz target: Loki's protobuf push as POST /loki/api/v1/push reads it: the
// input as a snappy block (parsers/snappy.h, capped like
// limits.max_decompressed_body), its content through
// parse_input(InputFormat::loki_protobuf); and the input itself as the
// decompressed message, so that the decoder is reached without snappy's checks.
// Checks: decompression stays within its cap, and parse.h's promises
// (fuzz_support.h) for both.
#include "fuzz/fuzz_support.h"
#include "parsers/snappy.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace faultline;
  const std::string_view input = fuzz::bytes(data, size);
  constexpr size_t kCap = 1 << 20;
  UnsnappyResult message = unsnappy(input, kCap);
  if (message.status == UnsnappyStatus::ok) {
    fuzz::require(message.data.size() <= kCap, "more decompressed bytes than the cap");
    fuzz::check_parse_both_limits(message.data, InputFormat::loki_protobuf);
  } else {
    fuzz::require(message.data.empty() && !message.error.empty(), "a failed decompression without its error");
  }
  fuzz::check_parse_both_limits(input, InputFormat::loki_protobuf);
  return 0;
}
