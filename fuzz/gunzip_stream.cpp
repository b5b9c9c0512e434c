// Fuzz target: GunzipStream, gzip decompressed a piece at a time (`faultline
// scan` of .gz files). Checks that it gives what gunzip() of the whole gives —
// the same bytes, or the same error — however the input is fed and the output
// taken (the first byte of the input chooses the piece sizes).
#include <string>

#include "fuzz/fuzz_support.h"
#include "parsers/gunzip_stream.h"
#include "parsers/gzip.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using faultline::fuzz::require;
  if (size == 0) return 0;
  const size_t in_step = 1 + data[0] % 64;
  const size_t out_step = 1 + (data[0] >> 6) * 300;
  const std::string_view compressed = faultline::fuzz::bytes(data + 1, size - 1);
  constexpr size_t kLimit = 4 << 20;
  const faultline::GunzipResult whole = faultline::gunzip(compressed, kLimit);

  faultline::GunzipStream stream;
  std::string out, pending, error;
  size_t fed = 0;
  for (;;) {
    std::string_view input(pending);
    const size_t had = out.size();
    if (!stream.inflate(input, out, out_step)) {
      error = stream.error();
      break;
    }
    pending.erase(0, pending.size() - input.size());
    if (out.size() > kLimit) break;  // gunzip stops here; a stream has no limit
    if (out.size() > had) continue;
    if (fed == compressed.size()) {
      if (!stream.finish(pending)) error = stream.error();
      break;
    }
    const size_t n = std::min(in_step, compressed.size() - fed);
    pending.append(compressed.substr(fed, n));
    fed += n;
  }
  if (whole.status == faultline::GunzipStatus::too_large) {
    require(out.size() > kLimit || !error.empty(), "gunzip found more data than the stream");
    return 0;
  }
  if (out.size() > kLimit) return 0;
  if (whole.status == faultline::GunzipStatus::ok) {
    require(error.empty(), "the stream failed where gunzip did not: " + error);
    require(out == whole.data, "the stream decompressed other bytes than gunzip");
  } else if (whole.error.starts_with("invalid gzip data near byte")) {
    // zlib notices bad data a few bytes apart depending on how much it was given at once.
    require(error.starts_with("invalid gzip data near byte"), "the stream's error \"" + error +
                                                                  "\" is not gunzip's \"" + whole.error + "\"");
  } else {
    require(error == whole.error, "the stream's error \"" + error + "\" is not gunzip's \"" + whole.error + "\"");
  }
  return 0;
}
