#include "codec/protobuf_wire.h"

#include <bit>

namespace faultline::protobuf {
namespace {

constexpr size_t kMaxVarintBytes = 10;

std::string at(uint32_t number, size_t offset) {
  return "field " + std::to_string(number) + " at byte " + std::to_string(offset);
}

std::string left_of(size_t bytes) {
  return "(" + std::to_string(bytes) + (bytes == 1 ? " byte left)" : " bytes left)");
}

uint64_t read_le(std::string_view bytes) {
  uint64_t value = 0;
  for (size_t i = bytes.size(); i-- > 0;) value = (value << 8) | static_cast<unsigned char>(bytes[i]);
  return value;
}

}  // namespace

std::string_view wire_type_name(WireType type) {
  switch (type) {
    case WireType::varint: return "varint";
    case WireType::i64: return "64-bit";
    case WireType::len: return "length-delimited";
    case WireType::sgroup: return "group start";
    case WireType::egroup: return "group end";
    case WireType::i32: return "32-bit";
  }
  return "unknown";
}

double Field::as_double() const { return std::bit_cast<double>(value); }
float Field::as_float() const { return std::bit_cast<float>(static_cast<uint32_t>(value)); }

bool read_varint(std::string_view data, size_t& pos, uint64_t& value) {
  uint64_t result = 0;
  for (size_t i = 0; i < kMaxVarintBytes; ++i) {
    if (pos + i >= data.size()) return false;
    const auto byte = static_cast<unsigned char>(data[pos + i]);
    // The tenth byte holds bit 63 alone: anything more is over 64 bits.
    if (i == kMaxVarintBytes - 1 && byte > 1) return false;
    result |= static_cast<uint64_t>(byte & 0x7F) << (7 * i);
    if ((byte & 0x80) == 0) {
      pos += i + 1;
      value = result;
      return true;
    }
  }
  return false;
}

void append_varint(std::string& out, uint64_t value) {
  while (value >= 0x80) {
    out.push_back(static_cast<char>((value & 0x7F) | 0x80));
    value >>= 7;
  }
  out.push_back(static_cast<char>(value));
}

bool WireReader::fail(size_t at_offset, std::string message) {
  failed_ = true;
  error_.offset = at_offset;
  error_.message = std::move(message);
  return false;
}

bool WireReader::next(Field& field) {
  if (failed_ || pos_ >= data_.size()) return false;
  const size_t start = base_ + pos_;
  uint64_t tag = 0;
  size_t pos = pos_;
  if (!read_varint(data_, pos, tag)) {
    return fail(start, pos_ + kMaxVarintBytes <= data_.size()
                           ? "field tag at byte " + std::to_string(start) + " is longer than a varint can be"
                           : "field tag at byte " + std::to_string(start) + " is cut off by the end of the message");
  }
  const uint64_t number = tag >> 3;
  const auto type = static_cast<unsigned>(tag & 7);
  if (number == 0) return fail(start, "field number 0 at byte " + std::to_string(start) + " is not allowed");
  if (number > kMaxFieldNumber)
    return fail(start, "field number " + std::to_string(number) + " at byte " + std::to_string(start) +
                           " is over the maximum of " + std::to_string(kMaxFieldNumber));
  field.number = static_cast<uint32_t>(number);
  field.offset = start;
  field.value = 0;
  field.bytes = {};
  field.bytes_offset = 0;
  // Only an error spells out the field: reading stays free of allocations.
  auto where = [&] { return at(field.number, start); };
  const size_t left = data_.size() - pos;
  switch (type) {
    case 0: {
      field.type = WireType::varint;
      size_t after = pos;
      // A value cut off by the end is reported at its tag: its own offset may be the end.
      if (!read_varint(data_, after, field.value))
        return left >= kMaxVarintBytes ? fail(base_ + pos, where() + ": varint longer than 64 bits")
                                       : fail(start, where() + ": varint cut off by the end of the message");
      pos = after;
      break;
    }
    case 1:
    case 5: {
      const size_t width = type == 1 ? 8 : 4;
      field.type = type == 1 ? WireType::i64 : WireType::i32;
      if (left < width)
        return fail(start, where() + ": " + std::to_string(width) + "-byte value cut off by the end of the message " +
                                     left_of(left));
      field.value = read_le(data_.substr(pos, width));
      pos += width;
      break;
    }
    case 2: {
      field.type = WireType::len;
      uint64_t length = 0;
      const size_t length_at = pos;
      if (!read_varint(data_, pos, length))
        return fail(start, where() + ": its length is not a valid varint");
      const size_t remaining = data_.size() - pos;
      if (length > remaining)
        return fail(base_ + length_at, where() + ": length " + std::to_string(length) +
                                           " runs past the end of the message " + left_of(remaining));
      field.bytes = data_.substr(pos, static_cast<size_t>(length));
      field.bytes_offset = base_ + pos;
      pos += static_cast<size_t>(length);
      break;
    }
    case 3:
    case 4:
      return fail(start, where() + ": groups (wire type " + std::to_string(type) +
                             ") are deprecated and not accepted");
    default:
      return fail(start, where() + ": wire type " + std::to_string(type) + " does not exist");
  }
  pos_ = pos;
  return true;
}

bool expect_type(const Field& field, WireType expected, WireError& error) {
  if (field.type == expected) return true;
  error.offset = field.offset;
  error.message = at(field.number, field.offset) + ": expected wire type " +
                  std::to_string(static_cast<unsigned>(expected)) + " (" + std::string(wire_type_name(expected)) +
                  "), got " + std::to_string(static_cast<unsigned>(field.type)) + " (" +
                  std::string(wire_type_name(field.type)) + ")";
  return false;
}

void WireWriter::tag(uint32_t number, WireType type) {
  append_varint(out_, (static_cast<uint64_t>(number) << 3) | static_cast<uint64_t>(type));
}

void WireWriter::varint_field(uint32_t number, uint64_t value) {
  tag(number, WireType::varint);
  append_varint(out_, value);
}

void WireWriter::sint_field(uint32_t number, int64_t value) {
  varint_field(number, (static_cast<uint64_t>(value) << 1) ^ static_cast<uint64_t>(value >> 63));
}

void WireWriter::fixed64_field(uint32_t number, uint64_t value) {
  tag(number, WireType::i64);
  for (int i = 0; i < 8; ++i) out_.push_back(static_cast<char>((value >> (8 * i)) & 0xFF));
}

void WireWriter::fixed32_field(uint32_t number, uint32_t value) {
  tag(number, WireType::i32);
  for (int i = 0; i < 4; ++i) out_.push_back(static_cast<char>((value >> (8 * i)) & 0xFF));
}

void WireWriter::bytes_field(uint32_t number, std::string_view bytes) {
  tag(number, WireType::len);
  append_varint(out_, bytes.size());
  out_.append(bytes);
}

}  // namespace faultline::protobuf
