// gzip decompressed a piece at a time (`faultline scan` of large .gz exports):
// the same bytes and the same errors as gunzip() of the whole, whatever the
// sizes of the pieces that go in and come out.
#include "parsers/gunzip_stream.h"

#include <doctest/doctest.h>

#include "parsers/gzip.h"
#include "parsers_test_support.h"

namespace faultline {
namespace {

struct Outcome {
  bool ok = true;
  std::string data;
  std::string error;
};

// Feeds `compressed` `in_piece` bytes at a time, taking out at most `out_piece` per call.
Outcome stream(std::string_view compressed, size_t in_piece, size_t out_piece) {
  GunzipStream gz;
  Outcome outcome;
  std::string pending;
  size_t fed = 0;
  for (;;) {
    std::string_view input(pending);
    const size_t had = outcome.data.size();
    if (!gz.inflate(input, outcome.data, out_piece)) return {false, {}, gz.error()};
    pending.erase(0, pending.size() - input.size());
    if (outcome.data.size() > had) continue;
    if (fed == compressed.size()) break;
    const size_t n = std::min(in_piece, compressed.size() - fed);
    pending.append(compressed.substr(fed, n));
    fed += n;
  }
  if (!gz.finish(pending)) return {false, {}, gz.error()};
  return outcome;
}

TEST_CASE("a gzip stream in small pieces decompresses to the same bytes as gunzip of the whole") {
  const std::string body = test::read_file(std::string(FAULTLINE_CORPUS) +
                                           "/failures/03_two_services_interleaved.ndjson");
  const std::string compressed = gzip_compress(body);
  for (size_t in_piece : {size_t{1}, size_t{7}, size_t{4096}, compressed.size()})
    for (size_t out_piece : {size_t{1}, size_t{100}, size_t{1} << 16}) {
      CAPTURE(in_piece);
      CAPTURE(out_piece);
      Outcome out = stream(compressed, in_piece, out_piece);
      REQUIRE(out.ok);
      CHECK(out.data == body);
    }
}

TEST_CASE("concatenated members and zero padding stream like gunzip reads them") {
  const std::string two = gzip_compress("first\n") + gzip_compress("second\n");
  CHECK(stream(two, 1, 3).data == "first\nsecond\n");
  CHECK(stream(two + std::string(10, '\0'), 2, 64).data == "first\nsecond\n");
}

TEST_CASE("corrupt, truncated and trailing data: the error gunzip gives, naming the byte") {
  const std::string good = gzip_compress("some log line\n");
  std::string corrupt = good;
  corrupt[12] = static_cast<char>(corrupt[12] ^ 0x55);
  const std::string truncated = good.substr(0, good.size() - 6);
  const std::string trailing = good + "junk";
  const std::string one_byte = good + "x";
  const std::string zeros_then_junk = good + std::string(3, '\0') + "x";
  for (const std::string& bad : {corrupt, truncated, trailing, one_byte, zeros_then_junk}) {
    const GunzipResult whole = gunzip(bad, 1 << 20);
    REQUIRE(whole.status == GunzipStatus::corrupt);
    for (size_t in_piece : {size_t{1}, size_t{5}, bad.size()}) {
      CAPTURE(in_piece);
      Outcome out = stream(bad, in_piece, 16);
      CHECK_FALSE(out.ok);
      CHECK(out.error == whole.error);
    }
  }
  CHECK(stream(truncated, 4, 16).error ==
        "truncated gzip data: the stream ends at byte " + std::to_string(truncated.size()) +
            " before its end marker");
  CHECK(stream(trailing, 3, 16).error ==
        "unexpected data after the gzip stream at byte " + std::to_string(good.size()));
}

}  // namespace
}  // namespace faultline
