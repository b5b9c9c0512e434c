// Fuzz target: JsonArraySplitter, as `faultline scan` uses it to read a JSON
// array export a run of elements at a time (server/cli/scan_input.cpp).
// Checks that the boundaries do not depend on how the bytes are fed, and that
// cutting the array at them (each cut before an object, as scan cuts) and
// parsing each part finds what parsing the whole array finds: the same records,
// and the same errors (messages too) at the same element indexes and byte offsets.
#include <string>
#include <vector>

#include "fuzz/fuzz_support.h"
#include "parsers/json_array_splitter.h"

namespace {

using faultline::JsonArraySplitter;
using faultline::fuzz::require;

bool is_blank(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

// The stops of the splitter over `array` (from just after its '['), fed `step` bytes at a time.
std::vector<std::pair<size_t, JsonArraySplitter::Stop>> stops(std::string_view array, size_t step) {
  JsonArraySplitter splitter;
  std::vector<std::pair<size_t, JsonArraySplitter::Stop>> out;
  size_t pos = 1, fed = std::min(array.size(), 1 + step);
  for (;;) {
    const auto stop = splitter.scan(array.substr(0, fed), pos);
    if (stop == JsonArraySplitter::Stop::more) {
      if (fed == array.size()) return out;
      fed = std::min(array.size(), fed + step);
      continue;
    }
    out.emplace_back(pos, stop);
    if (stop == JsonArraySplitter::Stop::array_end) return out;
    ++pos;
  }
}

struct Found {
  std::vector<std::string> texts;
  std::vector<std::tuple<size_t, size_t, std::string, std::string>> errors;  // index, offset, field, message
};

void add(Found& found, const faultline::ParseResult& parsed, size_t index_base, size_t offset_base) {
  for (const auto& r : parsed.records) found.texts.push_back(r.text);
  for (const auto& e : parsed.errors) found.errors.emplace_back(e.index + index_base, e.offset + offset_base, e.field, e.message);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const size_t step = 1 + data[0] % 16;
  std::string array = "[";
  array.append(faultline::fuzz::bytes(data + 1, size - 1));

  const auto whole = stops(array, array.size());
  require(stops(array, step) == whole, "the splitter's stops depend on how the bytes are fed");

  faultline::ParseOptions options;
  options.arrival = faultline::Timestamp{std::chrono::seconds(1760000000)};
  options.max_records = 1 << 20;
  const auto format = faultline::InputFormat::logentry;
  Found expected, pieces;
  add(expected, faultline::parse_input(array, format, options), 0, 0);

  // Cut as scan does: at each ',' an object follows (here every one, not one per MiB).
  size_t start = 0, index_base = 0;
  bool first = true;
  auto piece = [&](size_t end, bool cut) {
    std::string text = first ? std::string() : "[\n";
    text.append(array, start, end - start);
    if (cut) text += ']';
    faultline::ParseOptions at = options;
    at.base_index = index_base;
    at.base_offset = first ? 0 : start - 2;
    const auto parsed = faultline::parse_input(text, format, at);
    add(pieces, parsed, 0, 0);
    index_base += parsed.input_records;
    first = false;
  };
  size_t last_end = array.size();
  for (const auto& [pos, stop] : whole) {
    if (stop == JsonArraySplitter::Stop::array_end) {
      size_t after = pos + 1;
      while (after < array.size() && is_blank(array[after])) ++after;
      last_end = after < array.size() ? after + 1 : array.size();
      break;
    }
    size_t next = pos + 1;
    while (next < array.size() && is_blank(array[next])) ++next;
    if (next < array.size() && array[next] == '{') {
      piece(pos, true);
      start = pos + 1;
    }
  }
  piece(last_end, false);
  // Bytes after the first one that is not blank after the array are never read.
  if (last_end == array.size()) {
    require(pieces.texts == expected.texts, "cutting the array changed its records");
    require(pieces.errors == expected.errors, "cutting the array changed its errors");
  } else {
    require(pieces.texts == expected.texts, "cutting the array changed its records");
  }
  return 0;
}
