// Snappy block decompression (parsers/snappy.h): what Loki shippers compress
// comes back byte for byte, and a body announcing more than the limit is refused
// before anything is allocated.
#include <doctest/doctest.h>

#include <string>

#include "parsers/snappy.h"

namespace faultline {
namespace {

using namespace std::string_literals;

TEST_CASE("snappy: compressed data comes back byte for byte") {
  std::string text;
  for (int i = 0; i < 2000; ++i) text += "level=error msg=\"connection refused\" attempt=" + std::to_string(i) + "\n";
  std::string compressed = snappy_compress(text);
  CHECK(compressed.size() < text.size() / 4);
  UnsnappyResult result = unsnappy(compressed, text.size());
  REQUIRE(result.status == UnsnappyStatus::ok);
  CHECK(result.error.empty());
  CHECK(result.data == text);

  // Written by hand: length 5, one literal of 5 bytes.
  UnsnappyResult literal = unsnappy("\x05\x10hello"s, 64);
  REQUIRE(literal.status == UnsnappyStatus::ok);
  CHECK(literal.data == "hello");
  // An empty message compresses to its zero length alone.
  UnsnappyResult empty = unsnappy("\x00"s, 0);
  REQUIRE(empty.status == UnsnappyStatus::ok);
  CHECK(empty.data.empty());
}

TEST_CASE("snappy: more than the limit is refused from the header alone") {
  std::string text(4096, 'a');
  std::string compressed = snappy_compress(text);
  CHECK(unsnappy(compressed, 4096).status == UnsnappyStatus::ok);
  UnsnappyResult result = unsnappy(compressed, 4095);
  CHECK(result.status == UnsnappyStatus::too_large);
  CHECK(result.data.empty());
  CHECK(result.error == "snappy data announces 4096 bytes, more than the limit of 4095 bytes");
  // A header announcing 4 GiB - 1 with nothing behind it: refused, not allocated.
  UnsnappyResult bomb = unsnappy("\xFF\xFF\xFF\xFF\x0F"s, 64 << 20);
  CHECK(bomb.status == UnsnappyStatus::too_large);
  CHECK(bomb.error.find("4294967295 bytes") != std::string::npos);
}

TEST_CASE("snappy: corrupt and truncated data is refused with what was wrong") {
  UnsnappyResult empty = unsnappy("", 64);
  CHECK(empty.status == UnsnappyStatus::corrupt);
  CHECK(empty.error == "empty snappy data");

  UnsnappyResult header = unsnappy("\xFF\xFF\xFF\xFF\xFF\xFF"s, 64);
  CHECK(header.status == UnsnappyStatus::corrupt);
  CHECK(header.error.find("length header") != std::string::npos);

  std::string compressed = snappy_compress(std::string(1000, 'x') + "tail");
  UnsnappyResult truncated = unsnappy(compressed.substr(0, compressed.size() - 2), 4096);
  CHECK(truncated.status == UnsnappyStatus::corrupt);
  CHECK(truncated.data.empty());
  CHECK(truncated.error.find("does not decompress to the 1004 bytes its header announces") != std::string::npos);

  // JSON sent as if it were snappy: '{' announces 123 bytes, then '"' is a literal tag running past the end.
  UnsnappyResult json = unsnappy(R"({"streams":[]})", 1 << 20);
  CHECK(json.status == UnsnappyStatus::corrupt);
}

}  // namespace
}  // namespace faultline
