// Base64 (RFC 4648), the one codec for both alphabets:
//   standard ('+', '/', '=' padding, §4): what a Pub/Sub push carries in
//     message.data. Decoding also accepts missing padding and the URL-safe
//     characters, since other publishers and hand-written tests use them.
//   url ('-', '_', no padding, §5): JWT parts (RFC 7515) and API cursors.
//     Decoding is strict: that alphabet only, no padding, and the unused bits
//     of the last character zero, so that each byte string has one spelling.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace faultline {

enum class Base64Alphabet { standard, url };

struct Base64Error {
  size_t position = 0;  // 0-based index of the offending character in the input
  std::string message;  // "invalid base64 at character 17", "truncated base64 …"
};

// Appends the decoded bytes of `text` to `out`. On failure returns false, fills
// `error` and leaves `out` with unspecified content. No whitespace is allowed.
bool base64_decode(std::string_view text, std::string& out, Base64Error& error,
                   Base64Alphabet alphabet = Base64Alphabet::standard);

// Standard: padded; url: unpadded.
std::string base64_encode(std::string_view bytes, Base64Alphabet alphabet = Base64Alphabet::standard);

}  // namespace faultline
