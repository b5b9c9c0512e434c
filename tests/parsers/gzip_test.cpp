// gzip bodies (Content-Encoding: gzip) and .gz files.
#include "parsers/gzip.h"

#include <doctest/doctest.h>

#include "parsers/parse.h"
#include "parsers_test_support.h"

namespace faultline {
namespace {

TEST_CASE("gzip round trip of a scenario file, then parse") {
  std::string body = test::read_file(std::string(FAULTLINE_CORPUS) +
                                     "/failures/03_two_services_interleaved.ndjson");
  std::string compressed = gzip_compress(body);
  CHECK(looks_gzipped(compressed));
  CHECK(compressed.size() < body.size() / 4);
  GunzipResult result = gunzip(compressed, 64 << 20);
  REQUIRE(result.status == GunzipStatus::ok);
  CHECK(result.error.empty());
  CHECK(result.data == body);
  CHECK(parse_input(result.data, InputFormat::automatic, {}).records.size() == 96);
}

TEST_CASE("concatenated gzip members decompress to the concatenation") {
  GunzipResult result = gunzip(gzip_compress("first\n") + gzip_compress("second\n"), 1024);
  REQUIRE(result.status == GunzipStatus::ok);
  CHECK(result.data == "first\nsecond\n");
}

TEST_CASE("the decompressed-size cap stops a small body that expands without bound") {
  std::string zeros(32 << 20, '\0');
  std::string bomb = gzip_compress(zeros, 1);
  REQUIRE(bomb.size() < 200 * 1024);
  GunzipResult result = gunzip(bomb, 1 << 20);
  CHECK(result.status == GunzipStatus::too_large);
  CHECK(result.data.empty());
  CHECK(result.error == "decompressed size exceeds the limit of 1048576 bytes");
}

TEST_CASE("output exactly at the cap is fine, one byte more is not") {
  std::string data(1000, 'x');
  CHECK(gunzip(gzip_compress(data), 1000).status == GunzipStatus::ok);
  CHECK(gunzip(gzip_compress(data), 999).status == GunzipStatus::too_large);
}

TEST_CASE("corrupt, truncated and trailing-garbage gzip data is refused with a reason") {
  std::string good = gzip_compress("hello, world\n");
  SUBCASE("not gzip at all") {
    GunzipResult result = gunzip("plain text body", 1024);
    CHECK(result.status == GunzipStatus::corrupt);
    CHECK(result.error.starts_with("invalid gzip data"));
  }
  SUBCASE("truncated") {
    GunzipResult result = gunzip(std::string_view(good).substr(0, good.size() - 6), 1024);
    CHECK(result.status == GunzipStatus::corrupt);
    CHECK(result.error.starts_with("truncated gzip data"));
  }
  SUBCASE("a flipped byte fails the checksum") {
    std::string flipped = good;
    flipped[flipped.size() - 6] ^= 0x01;
    CHECK(gunzip(flipped, 1024).status == GunzipStatus::corrupt);
  }
  SUBCASE("garbage after the stream") {
    GunzipResult result = gunzip(good + "junk", 1024);
    CHECK(result.status == GunzipStatus::corrupt);
    CHECK(result.error ==
          "unexpected data after the gzip stream at byte " + std::to_string(good.size()));
  }
  SUBCASE("zero padding after the stream is ignored") {
    GunzipResult result = gunzip(good + std::string(512, '\0'), 1024);
    CHECK(result.status == GunzipStatus::ok);
    CHECK(result.data == "hello, world\n");
  }
  SUBCASE("empty input") {
    CHECK(gunzip("", 1024).status == GunzipStatus::corrupt);
  }
}

}  // namespace
}  // namespace faultline
