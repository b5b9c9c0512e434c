#include "parsers/base64.h"

#include <array>
#include <cstdint>

namespace faultline {
namespace {

constexpr uint8_t kInvalid = 0xFF;

constexpr std::array<uint8_t, 256> make_decode_table() {
  std::array<uint8_t, 256> table{};
  for (auto& entry : table) entry = kInvalid;
  constexpr std::string_view alphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  for (size_t i = 0; i < alphabet.size(); ++i)
    table[static_cast<unsigned char>(alphabet[i])] = static_cast<uint8_t>(i);
  table['-'] = 62;  // URL-safe alphabet
  table['_'] = 63;
  return table;
}

constexpr auto kDecode = make_decode_table();

}  // namespace

bool base64_decode(std::string_view text, std::string& out, Base64Error& error) {
  size_t length = text.size();
  size_t padding = 0;
  while (length > 0 && text[length - 1] == '=' && padding < 2) {
    --length;
    ++padding;
  }
  if (length % 4 == 1) {
    error.position = length == 0 ? 0 : length - 1;
    error.message = "truncated base64 at character " + std::to_string(error.position) +
                    " (a last group of one character holds no whole byte)";
    return false;
  }
  out.reserve(out.size() + length / 4 * 3 + 2);
  uint32_t accumulator = 0;
  int bits = 0;
  for (size_t i = 0; i < length; ++i) {
    uint8_t value = kDecode[static_cast<unsigned char>(text[i])];
    if (value == kInvalid) {
      error.position = i;
      error.message = "invalid base64 at character " + std::to_string(i);
      return false;
    }
    accumulator = (accumulator << 6) | value;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((accumulator >> bits) & 0xFF);
    }
  }
  return true;
}

std::string base64_encode(std::string_view bytes) {
  static constexpr char alphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  size_t i = 0;
  auto byte = [&](size_t k) { return static_cast<uint32_t>(static_cast<unsigned char>(bytes[k])); };
  for (; i + 3 <= bytes.size(); i += 3) {
    uint32_t group = byte(i) << 16 | byte(i + 1) << 8 | byte(i + 2);
    out += alphabet[(group >> 18) & 63];
    out += alphabet[(group >> 12) & 63];
    out += alphabet[(group >> 6) & 63];
    out += alphabet[group & 63];
  }
  size_t rest = bytes.size() - i;
  if (rest > 0) {
    uint32_t group = byte(i) << 16 | (rest == 2 ? byte(i + 1) << 8 : 0);
    out += alphabet[(group >> 18) & 63];
    out += alphabet[(group >> 12) & 63];
    out += rest == 2 ? alphabet[(group >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

}  // namespace faultline
