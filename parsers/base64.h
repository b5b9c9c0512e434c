// Base64 as Pub/Sub push delivers message.data: the standard alphabet (RFC 4648 §4)
// with '=' padding. Decoding also accepts missing padding and the URL-safe
// alphabet ('-', '_'), since other publishers and hand-written tests use them.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace faultline {

struct Base64Error {
  size_t position = 0;  // 0-based index of the offending character in the input
  std::string message;  // "invalid base64 at character 17", "truncated base64 …"
};

// Appends the decoded bytes of `text` to `out`. On failure returns false, fills
// `error` and leaves `out` with unspecified content. No whitespace is allowed.
bool base64_decode(std::string_view text, std::string& out, Base64Error& error);

// Standard alphabet with padding (what a Pub/Sub push body carries).
std::string base64_encode(std::string_view bytes);

}  // namespace faultline
