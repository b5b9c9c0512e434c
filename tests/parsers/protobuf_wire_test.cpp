// The protobuf wire reader and writer (codec/protobuf_wire.h): the encodings of
// protobuf.dev's encoding guide byte for byte, nested messages with offsets
// into the outer body, unknown fields skipped, and every malformation refused
// with the byte it was found at.
#include <doctest/doctest.h>

#include <bit>
#include <limits>
#include <string>
#include <vector>

#include "codec/protobuf_wire.h"

namespace faultline::protobuf {
namespace {

using namespace std::string_literals;

std::vector<Field> read_all(std::string_view message, WireError* error = nullptr) {
  WireReader reader(message);
  std::vector<Field> fields;
  Field field;
  while (reader.next(field)) fields.push_back(field);
  if (error) *error = reader.error();
  if (!error) REQUIRE_MESSAGE(!reader.failed(), reader.error().message);
  return fields;
}

WireError read_error(std::string_view message) {
  WireReader reader(message);
  Field field;
  while (reader.next(field)) {
  }
  REQUIRE(reader.failed());
  CHECK_FALSE(reader.next(field));  // stays failed
  return reader.error();
}

TEST_CASE("protobuf wire: the encoding guide's examples read as written") {
  // message Test1 { int32 a = 1; } with a = 150
  std::vector<Field> one = read_all("\x08\x96\x01");
  REQUIRE(one.size() == 1);
  CHECK(one[0].number == 1);
  CHECK(one[0].type == WireType::varint);
  CHECK(one[0].as_int32() == 150);

  // message Test2 { string b = 2; } with b = "testing"
  std::vector<Field> two = read_all("\x12\x07testing");
  REQUIRE(two.size() == 1);
  CHECK(two[0].type == WireType::len);
  CHECK(two[0].bytes == "testing");
  CHECK(two[0].bytes_offset == 2);

  // int32 -2 is sign-extended to ten bytes; sint32 -2 is zigzag 3.
  std::vector<Field> negative = read_all("\x08\xFE\xFF\xFF\xFF\xFF\xFF\xFF\xFF\xFF\x01\x10\x03"s);
  REQUIRE(negative.size() == 2);
  CHECK(negative[0].as_int32() == -2);
  CHECK(negative[0].as_int64() == -2);
  CHECK(negative[1].as_sint32() == -2);

  // A varint padded with continuation bytes is still 1.
  std::vector<Field> padded = read_all("\x08\x81\x80\x80\x00"s);
  REQUIRE(padded.size() == 1);
  CHECK(padded[0].value == 1);
}

TEST_CASE("protobuf wire: what the writer writes, the reader reads back") {
  WireWriter inner;
  inner.varint_field(1, 1758000000);
  inner.varint_field(2, 123456789);
  WireWriter outer;
  outer.bytes_field(1, "{app=\"checkout\"}");
  outer.bytes_field(2, inner.data());
  outer.varint_field(3, std::numeric_limits<uint64_t>::max());
  outer.sint_field(4, std::numeric_limits<int64_t>::min());
  outer.fixed64_field(5, std::bit_cast<uint64_t>(2.5));
  outer.fixed32_field(6, std::bit_cast<uint32_t>(-0.5f));
  outer.varint_field(kMaxFieldNumber, 0);
  outer.bytes_field(8, "");

  std::vector<Field> fields = read_all(outer.data());
  REQUIRE(fields.size() == 8);
  CHECK(fields[0].bytes == "{app=\"checkout\"}");
  CHECK(fields[1].bytes == inner.data());
  CHECK(fields[2].as_uint64() == std::numeric_limits<uint64_t>::max());
  CHECK(fields[3].as_sint64() == std::numeric_limits<int64_t>::min());
  CHECK(fields[4].type == WireType::i64);
  CHECK(fields[4].as_double() == 2.5);
  CHECK(fields[5].type == WireType::i32);
  CHECK(fields[5].as_float() == -0.5f);
  CHECK(fields[6].number == kMaxFieldNumber);
  CHECK(fields[7].bytes.empty());

  // The nested message's offsets count from the start of the outer one.
  WireReader nested = WireReader::nested(fields[1]);
  Field field;
  REQUIRE(nested.next(field));
  CHECK(field.offset == fields[1].bytes_offset);
  CHECK(field.as_int64() == 1758000000);
  REQUIRE(nested.next(field));
  CHECK(field.as_int32() == 123456789);
  CHECK_FALSE(nested.next(field));
  CHECK_FALSE(nested.failed());
  CHECK(nested.position() == fields[1].bytes_offset + fields[1].bytes.size());
}

TEST_CASE("protobuf wire: fields the caller does not know are stepped over whole") {
  WireWriter writer;
  writer.fixed64_field(9, 7);
  writer.bytes_field(10, "\x08\x96\x01 not parsed: unknown");
  writer.fixed32_field(11, 7);
  writer.varint_field(12, 300);
  writer.bytes_field(2, "kept");
  std::vector<Field> fields = read_all(writer.data());
  REQUIRE(fields.size() == 5);
  CHECK(fields[4].number == 2);
  CHECK(fields[4].bytes == "kept");
}

TEST_CASE("protobuf wire: malformed messages stop with the byte offset") {
  SUBCASE("a length past the end") {
    WireError error = read_error("\x08\x01\x12\x05" "abc");
    CHECK(error.offset == 3);
    CHECK(error.message == "field 2 at byte 2: length 5 runs past the end of the message (3 bytes left)");
  }
  SUBCASE("a varint over ten bytes") {
    WireError error = read_error("\x08\xFF\xFF\xFF\xFF\xFF\xFF\xFF\xFF\xFF\xFF\x01"s);
    CHECK(error.offset == 1);
    CHECK(error.message == "field 1 at byte 0: varint longer than 64 bits");
  }
  SUBCASE("a tenth varint byte over bit 63") {
    WireError error = read_error("\x08\xFF\xFF\xFF\xFF\xFF\xFF\xFF\xFF\xFF\x02"s);
    CHECK(error.message == "field 1 at byte 0: varint longer than 64 bits");
  }
  SUBCASE("a varint cut off") {
    WireError error = read_error("\x08\x01\x10\x96");
    CHECK(error.offset == 2);  // the tag: the value's own offset may be the end
    CHECK(error.message == "field 2 at byte 2: varint cut off by the end of the message");
  }
  SUBCASE("a tag cut off") {
    WireError error = read_error("\x08\x01\x80");
    CHECK(error.offset == 2);
    CHECK(error.message == "field tag at byte 2 is cut off by the end of the message");
  }
  SUBCASE("field number 0") {
    WireError error = read_error("\x08\x01\x02\x00"s);
    CHECK(error.offset == 2);
    CHECK(error.message == "field number 0 at byte 2 is not allowed");
  }
  SUBCASE("a field number over 2^29-1") {
    std::string message;
    append_varint(message, (uint64_t{kMaxFieldNumber} + 1) << 3);
    message += '\0';
    CHECK(read_error(message).message == "field number 536870912 at byte 0 is over the maximum of 536870911");
  }
  SUBCASE("wire types 6 and 7 do not exist") {
    CHECK(read_error("\x0E\x00"s).message == "field 1 at byte 0: wire type 6 does not exist");
    CHECK(read_error("\x0F").message == "field 1 at byte 0: wire type 7 does not exist");
  }
  SUBCASE("groups are refused") {
    CHECK(read_error("\x0B\x0C").message == "field 1 at byte 0: groups (wire type 3) are deprecated and not accepted");
  }
  SUBCASE("a fixed value cut off") {
    CHECK(read_error("\x09\x01\x02\x03").message ==
          "field 1 at byte 0: 8-byte value cut off by the end of the message (3 bytes left)");
    CHECK(read_error("\x08\x01\x12").offset == 2);
    CHECK(read_error("\x0D\x01").message ==
          "field 1 at byte 0: 4-byte value cut off by the end of the message (1 byte left)");
  }
  SUBCASE("an error inside a nested message names the outer offset") {
    WireWriter writer;
    writer.varint_field(1, 5);
    writer.bytes_field(2, "\x08\x01\x12\x09short");
    Field outer;
    WireReader reader(writer.data());
    REQUIRE(reader.next(outer));
    REQUIRE(reader.next(outer));
    WireReader nested = WireReader::nested(outer);
    Field field;
    while (nested.next(field)) {
    }
    REQUIRE(nested.failed());
    CHECK(nested.error().offset == 4 + 3);
    CHECK(nested.error().message == "field 2 at byte 6: length 9 runs past the end of the message (5 bytes left)");
    CHECK_FALSE(reader.failed());  // the outer message is well-formed
  }
}

TEST_CASE("protobuf wire: a known field of another wire type is named with both types") {
  std::vector<Field> fields = read_all("\x10\x01\x0A\x00"s);
  REQUIRE(fields.size() == 2);
  WireError error;
  CHECK_FALSE(expect_type(fields[0], WireType::len, error));
  CHECK(error.offset == 0);
  CHECK(error.message == "field 2 at byte 0: expected wire type 2 (length-delimited), got 0 (varint)");
  CHECK(expect_type(fields[1], WireType::len, error));
}

TEST_CASE("protobuf wire: read_varint leaves the position alone when it fails") {
  size_t pos = 1;
  uint64_t value = 0;
  CHECK(read_varint("\x00\xAC\x02"s, pos, value));
  CHECK(value == 300);
  CHECK(pos == 3);
  pos = 0;
  CHECK_FALSE(read_varint("\xAC", pos, value));
  CHECK(pos == 0);
  std::string max;
  append_varint(max, std::numeric_limits<uint64_t>::max());
  CHECK(max.size() == 10);
  pos = 0;
  CHECK(read_varint(max, pos, value));
  CHECK(value == std::numeric_limits<uint64_t>::max());
}

}  // namespace
}  // namespace faultline::protobuf
