// Protocol Buffers wire format (protobuf.dev/programming-guides/encoding): a
// strict reader and a minimal writer, without generated code or a .proto.
//
// A message is a sequence of fields, each a tag (field number << 3 | wire type,
// a varint) and a value: a varint, 8 or 4 little-endian bytes, or a length and
// that many bytes (strings, bytes, nested messages, packed repeated scalars).
// The reader hands each field over as it comes; the caller picks the numbers it
// knows, checks their wire type (expect_type) and skips the rest, and reads a
// nested message with a reader over the field's bytes (WireReader::nested),
// whose offsets continue those of the outer message. Nothing is copied or
// allocated while reading; string_views point into the caller's buffer.
//
// Strict: a varint longer than 10 bytes or over 64 bits, a length past the end
// of the enclosing message, a value cut off by it, field number 0 or above
// 2^29-1, wire types 6 and 7, and the deprecated groups (3 and 4, which no
// proto3 schema produces) stop reading with an error naming the byte offset.
// Like every protobuf parser, it accepts fields in any order, repeated scalars
// (the last one wins, the caller decides) and varints padded with 0x80 bytes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace faultline::protobuf {

enum class WireType : uint8_t {
  varint = 0,  // int32, int64, uint32, uint64, sint32, sint64, bool, enum
  i64 = 1,     // fixed64, sfixed64, double
  len = 2,     // string, bytes, nested messages, packed repeated fields
  sgroup = 3,  // deprecated group start: refused
  egroup = 4,  // deprecated group end: refused
  i32 = 5,     // fixed32, sfixed32, float
};

// "varint", "64-bit", "length-delimited", "32-bit", "group start", "group end".
std::string_view wire_type_name(WireType type);

constexpr uint32_t kMaxFieldNumber = (1u << 29) - 1;

struct WireError {
  size_t offset = 0;    // byte offset of the fault, from the start of the outermost message
  std::string message;  // "field 2 at byte 14: length 300 runs past the end of the message (120 bytes left)"
};

struct Field {
  uint32_t number = 0;
  WireType type = WireType::varint;
  size_t offset = 0;        // where the field's tag starts
  uint64_t value = 0;       // varint, i64 and i32 fields: the value's bits
  std::string_view bytes;   // len fields: the payload
  size_t bytes_offset = 0;  // len fields: where the payload starts

  // Protobuf's readings of `value` (int32 truncates a sign-extended varint, as
  // every implementation does; sint32/sint64 are zigzag-coded).
  uint64_t as_uint64() const { return value; }
  int64_t as_int64() const { return static_cast<int64_t>(value); }
  uint32_t as_uint32() const { return static_cast<uint32_t>(value); }
  int32_t as_int32() const { return static_cast<int32_t>(static_cast<uint32_t>(value)); }
  int64_t as_sint64() const { return static_cast<int64_t>(value >> 1) ^ -static_cast<int64_t>(value & 1); }
  int32_t as_sint32() const { return static_cast<int32_t>(as_sint64()); }
  bool as_bool() const { return value != 0; }
  double as_double() const;
  float as_float() const;
};

class WireReader {
 public:
  // Reads `message`, whose first byte is at `base` in the outermost message.
  explicit WireReader(std::string_view message, size_t base = 0) : data_(message), base_(base) {}
  // A reader over a len field's payload: a nested message.
  static WireReader nested(const Field& field) { return WireReader(field.bytes, field.bytes_offset); }

  // The next field: true when one was read; false at the end of the message or
  // at a malformed field, after which failed() is true, error() says where and
  // what, and every further call returns false.
  bool next(Field& field);

  bool failed() const { return failed_; }
  const WireError& error() const { return error_; }
  // Offset (in the outermost message) of the next byte to read.
  size_t position() const { return base_ + pos_; }

 private:
  bool fail(size_t at, std::string message);

  std::string_view data_;
  size_t base_ = 0;
  size_t pos_ = 0;
  bool failed_ = false;
  WireError error_;
};

// True when `field` has wire type `expected`; else false with `error` naming
// the field, its offset, and both wire types. A known field number with
// another type means the sender's schema is not the one the caller reads.
bool expect_type(const Field& field, WireType expected, WireError& error);

// Reads one varint at `pos` and advances past it; false (pos unchanged) when it
// is cut off by the end of `data` or longer than 64 bits.
bool read_varint(std::string_view data, size_t& pos, uint64_t& value);
void append_varint(std::string& out, uint64_t value);

// Builds a message field by field, in the order given. A nested message is
// written by a WireWriter of its own and added with bytes_field.
class WireWriter {
 public:
  void varint_field(uint32_t number, uint64_t value);
  void sint_field(uint32_t number, int64_t value);  // zigzag (sint32, sint64)
  void fixed64_field(uint32_t number, uint64_t value);
  void fixed32_field(uint32_t number, uint32_t value);
  void bytes_field(uint32_t number, std::string_view bytes);  // string, bytes, message

  const std::string& data() const { return out_; }
  std::string take() { return std::move(out_); }

 private:
  void tag(uint32_t number, WireType type);
  std::string out_;
};

}  // namespace faultline::protobuf
