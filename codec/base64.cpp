#include "codec/base64.h"

#include <array>
#include <cstdint>

namespace faultline {
namespace {

constexpr std::string_view kStandard = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr std::string_view kUrl = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
constexpr uint8_t kInvalid = 0xFF;

constexpr std::array<uint8_t, 256> decode_table(std::string_view alphabet, std::string_view also) {
  std::array<uint8_t, 256> table{};
  for (auto& entry : table) entry = kInvalid;
  for (size_t i = 0; i < alphabet.size(); ++i) table[static_cast<unsigned char>(alphabet[i])] = static_cast<uint8_t>(i);
  for (size_t i = 0; i < also.size(); ++i) table[static_cast<unsigned char>(also[i])] = static_cast<uint8_t>(62 + i);
  return table;
}

constexpr auto kDecodeLenient = decode_table(kStandard, "-_");
constexpr auto kDecodeUrl = decode_table(kUrl, "");

}  // namespace

bool base64_decode(std::string_view text, std::string& out, Base64Error& error, Base64Alphabet alphabet) {
  const bool url = alphabet == Base64Alphabet::url;
  const std::string name = url ? "base64url" : "base64";
  auto fail = [&](size_t position, std::string message) {
    error.position = position;
    error.message = std::move(message);
    return false;
  };
  size_t length = text.size();
  for (size_t padding = 0; !url && length > 0 && text[length - 1] == '=' && padding < 2; ++padding) --length;
  if (length % 4 == 1) {
    const size_t at = length == 0 ? 0 : length - 1;
    return fail(at, "truncated " + name + " at character " + std::to_string(at) +
                        " (a last group of one character holds no whole byte)");
  }
  const auto& decode = url ? kDecodeUrl : kDecodeLenient;
  // Written through a pointer into room made up front, four characters at a
  // time: a Pub/Sub push decodes about 1 KB per request on the I/O thread.
  const size_t start = out.size();
  out.resize(start + length / 4 * 3 + 2);
  char* write = out.data() + start;
  size_t i = 0;
  for (; i + 4 <= length; i += 4) {
    const auto* in = reinterpret_cast<const unsigned char*>(text.data() + i);
    const uint8_t a = decode[in[0]], b = decode[in[1]], c = decode[in[2]], d = decode[in[3]];
    if ((a | b | c | d) & 0xC0) break;  // kInvalid has the high bits set, a digit none
    const uint32_t group = (uint32_t{a} << 18) | (uint32_t{b} << 12) | (uint32_t{c} << 6) | d;
    write[0] = static_cast<char>(group >> 16);
    write[1] = static_cast<char>((group >> 8) & 0xFF);
    write[2] = static_cast<char>(group & 0xFF);
    write += 3;
  }
  // The last partial group, or the group with the invalid character (named exactly).
  uint32_t accumulator = 0;
  int bits = 0;
  for (; i < length; ++i) {
    const uint8_t value = decode[static_cast<unsigned char>(text[i])];
    if (value == kInvalid) return fail(i, "invalid " + name + " at character " + std::to_string(i));
    accumulator = (accumulator << 6) | value;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      *write++ = static_cast<char>((accumulator >> bits) & 0xFF);
    }
  }
  out.resize(static_cast<size_t>(write - out.data()));
  if (url && (accumulator & ((1u << bits) - 1)) != 0)
    return fail(length - 1, "non-canonical " + name + " at character " + std::to_string(length - 1) +
                                " (its unused low bits are not zero)");
  return true;
}

std::string base64_encode(std::string_view bytes, Base64Alphabet alphabet) {
  const std::string_view digits = alphabet == Base64Alphabet::url ? kUrl : kStandard;
  const bool pad = alphabet == Base64Alphabet::standard;
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  uint32_t accumulator = 0;
  int bits = 0;
  for (unsigned char c : bytes) {
    accumulator = (accumulator << 8) | c;
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      out += digits[(accumulator >> bits) & 63];
    }
  }
  if (bits > 0) out += digits[(accumulator << (6 - bits)) & 63];
  while (pad && out.size() % 4 != 0) out += '=';
  return out;
}

}  // namespace faultline
