// The byte-level pieces: UTF-8 validation, base64, line splitting.
#include <doctest/doctest.h>

#include <string>
#include <tuple>
#include <vector>

#include "codec/base64.h"
#include "parsers/lines.h"
#include "codec/percent.h"
#include "parsers/utf8.h"

namespace faultline {
namespace {

TEST_CASE("UTF-8: well-formed text passes, the first bad byte is found") {
  constexpr auto npos = std::string_view::npos;
  CHECK(find_invalid_utf8("") == npos);
  CHECK(find_invalid_utf8("plain ascii, long enough for the word-at-a-time path") == npos);
  CHECK(find_invalid_utf8("caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x92\xA5") == npos);
  CHECK(find_invalid_utf8("abc\xFF") == 3);
  CHECK(find_invalid_utf8("abcdefghij\xC3") == 10);               // truncated sequence
  CHECK(find_invalid_utf8("\xC0\xAF") == 0);                      // overlong '/'
  CHECK(find_invalid_utf8("x\xED\xA0\x80") == 1);                 // UTF-16 surrogate
  CHECK(find_invalid_utf8("\xF4\x90\x80\x80") == 0);              // above U+10FFFF
  CHECK(find_invalid_utf8("\xE2\x82 ok") == 0);                   // missing continuation
  CHECK(find_invalid_utf8(std::string_view("a\0b", 3)) == npos);  // NUL is valid UTF-8
}

TEST_CASE("printable_excerpt escapes what a terminal or JSON writer would choke on") {
  CHECK(printable_excerpt("tab\there\n") == "tab\\there\\n");
  CHECK(printable_excerpt("bad \xFF byte") == "bad \\xff byte");
  CHECK(printable_excerpt("caf\xC3\xA9", 4) == "caf\xE2\x80\xA6");  // never cuts a character
  CHECK(find_invalid_utf8(printable_excerpt("\xC3(\xFE\xFF")) == std::string_view::npos);
}

TEST_CASE("base64 decodes padded, unpadded and URL-safe input") {
  Base64Error error;
  std::string out;
  CHECK(base64_decode("aGVsbG8=", out, error));
  CHECK(out == "hello");
  out.clear();
  CHECK(base64_decode("aGVsbG8", out, error));
  CHECK(out == "hello");
  out.clear();
  CHECK(base64_decode("-_8", out, error));
  CHECK(out == "\xFB\xFF");
  CHECK(base64_encode("\xFB\xFF") == "+/8=");
  CHECK(base64_encode("") == "");
  CHECK(base64_encode("hell") == "aGVsbA==");
}

TEST_CASE("base64url: unpadded both ways, and only the one spelling of each byte string decodes") {
  CHECK(base64_encode("\xFB\xFF", Base64Alphabet::url) == "-_8");
  CHECK(base64_encode("hell", Base64Alphabet::url) == "aGVsbA");
  Base64Error error;
  std::string out;
  CHECK(base64_decode("aGVsbA", out, error, Base64Alphabet::url));
  CHECK(out == "hell");
  CHECK_FALSE(base64_decode("aGVsbA==", out, error, Base64Alphabet::url));  // JWT parts carry no padding
  CHECK(error.message == "invalid base64url at character 6");
  CHECK_FALSE(base64_decode("+/8", out, error, Base64Alphabet::url));
  CHECK(error.position == 0);
  CHECK_FALSE(base64_decode("aGVsbB", out, error, Base64Alphabet::url));  // "hell" with a stray low bit
  CHECK(error.message == "non-canonical base64url at character 5 (its unused low bits are not zero)");
  for (std::string bytes : {"", "a", "ab", "abc", "\x00\xFF\x80 ok"}) {
    out.clear();
    CHECK(base64_decode(base64_encode(bytes, Base64Alphabet::url), out, error, Base64Alphabet::url));
    CHECK(out == bytes);
  }
}

TEST_CASE("percent-decoding: strict about broken escapes, '+' a space only in query strings") {
  CHECK(percent_decode("%74oken") == "token");
  CHECK(percent_decode("run.googleapis.com%2Fstderr") == "run.googleapis.com/stderr");
  CHECK(percent_decode("a+b") == "a+b");
  CHECK(percent_decode("a+b", true) == "a b");
  CHECK(percent_decode("%e2%82%AC") == "\xE2\x82\xAC");
  CHECK_FALSE(percent_decode("100%"));
  CHECK_FALSE(percent_decode("%4"));
  CHECK_FALSE(percent_decode("%zz"));
}

TEST_CASE("base64 errors name the character") {
  Base64Error error;
  std::string out;
  CHECK_FALSE(base64_decode("aGVs bG8=", out, error));
  CHECK(error.position == 4);
  CHECK(error.message == "invalid base64 at character 4");
  CHECK_FALSE(base64_decode("aG=sbG8=", out, error));
  CHECK(error.position == 2);
  CHECK_FALSE(base64_decode("aGVsb", out, error));
  CHECK(error.message.starts_with("truncated base64"));
}

TEST_CASE("LineReader: offsets and numbers over mixed line endings") {
  std::string_view body = "one\r\ntwo\rthree\n\nfour";
  LineReader reader(body);
  Line line;
  std::vector<std::tuple<std::string, size_t, size_t>> got;
  while (reader.next(line)) got.emplace_back(std::string(line.text), line.offset, line.number);
  std::vector<std::tuple<std::string, size_t, size_t>> want = {
      {"one", 0, 0}, {"two", 5, 1}, {"three", 9, 2}, {"", 15, 3}, {"four", 16, 4}};
  CHECK(got == want);
}

TEST_CASE("LineReader: a final terminator does not make an extra empty line") {
  LineReader reader("a\r\n");
  Line line;
  REQUIRE(reader.next(line));
  CHECK(line.text == "a");
  CHECK_FALSE(reader.next(line));
}

}  // namespace
}  // namespace faultline
