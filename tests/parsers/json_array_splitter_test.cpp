// The element boundaries of a JSON array read in pieces: the same wherever the
// pieces are cut, strings and escapes respected.
#include "parsers/json_array_splitter.h"

#include <doctest/doctest.h>

#include <string>
#include <vector>

namespace faultline {
namespace {

// The positions of the ','s between elements, and of the closing ']' (or -1
// when the array never closes), feeding the bytes after the '[' `piece` at a time.
std::vector<long> boundaries(std::string_view array, size_t piece) {
  JsonArraySplitter splitter;
  std::vector<long> out;
  std::string seen;
  size_t pos = 1;
  seen.append(array.substr(0, 1));
  size_t fed = 1;
  for (;;) {
    const auto stop = splitter.scan(seen, pos);
    if (stop == JsonArraySplitter::Stop::element_end) {
      out.push_back(static_cast<long>(pos));
      ++pos;
      continue;
    }
    if (stop == JsonArraySplitter::Stop::array_end) {
      out.push_back(static_cast<long>(pos));
      CHECK(splitter.scan(seen, pos) == JsonArraySplitter::Stop::array_end);  // and it stays ended
      return out;
    }
    if (fed == array.size()) break;
    seen.append(array.substr(fed, piece));
    fed = std::min(array.size(), fed + piece);
  }
  out.push_back(-1);
  return out;
}

void check_every_cut(std::string_view array, const std::vector<long>& expected) {
  for (size_t piece = 1; piece <= array.size(); ++piece) {
    CAPTURE(piece);
    CHECK(boundaries(array, piece) == expected);
  }
}

TEST_CASE("top-level commas and the closing bracket, not those inside elements or strings") {
  const std::string array = R"([{"a":[1,2],"b":{"c":","}} , {"t":"]\"},{"} ,3])";
  check_every_cut(array, {27, 44, 46});
}

TEST_CASE("an escaped backslash before a quote closes the string") {
  const std::string array = R"([{"p":"C:\\"},{"q":1}])";
  check_every_cut(array, {13, 21});
}

TEST_CASE("a raw line break ends a string, even after a backslash, so a lost quote hides nothing") {
  const std::string array = "[{\"a\":\"unclosed\n},{\"b\":\"x\\\n},{}]";
  check_every_cut(array, {17, 28, 31});
}

TEST_CASE("a stray closing brace stays in its element, and an unclosed array has no end") {
  check_every_cut("[{}},1]", {4, 6});
  check_every_cut("[{\"a\":1},{\"b\":", {8, -1});
}

}  // namespace
}  // namespace faultline
