#include "parsers/json_document.h"

#include <utility>
#include <vector>

#include "parsers/utf8.h"

namespace faultline {
namespace {

// nlohmann's what(): "[json.exception.parse_error.101] parse error at line 1,
// column 8: syntax error while parsing …". Positions are re-based by the
// caller, so keep only the reason after the position.
std::string strip_position_prefix(std::string_view what) {
  size_t at = what.find("parse error");
  size_t colon = at == std::string_view::npos ? at : what.find(": ", at);
  if (colon != std::string_view::npos) {
    what.remove_prefix(colon + 2);
  } else if (size_t bracket = what.find("] "); bracket != std::string_view::npos) {
    what.remove_prefix(bracket + 2);
  }
  // The reason quotes what the lexer last read, which is arbitrary input.
  return printable_excerpt(what, 240);
}

bool nests_deeper_than(const nlohmann::json& root, size_t max_depth) {
  std::vector<std::pair<const nlohmann::json*, size_t>> stack{{&root, 1}};
  while (!stack.empty()) {
    auto [value, depth] = stack.back();
    stack.pop_back();
    if (!value->is_structured()) continue;
    if (depth > max_depth) return true;
    for (const auto& child : *value) stack.emplace_back(&child, depth + 1);
  }
  return false;
}

}  // namespace

std::string JsonSyntaxError::message(size_t base) const {
  std::string where = std::to_string(base + position);
  if (invalid_utf8) return "invalid UTF-8 at byte " + where;
  if (!has_position) return "invalid JSON: " + detail;
  return "invalid JSON at byte " + where + ": " + detail;
}

bool parse_json_document(std::string_view text, nlohmann::json& out, JsonSyntaxError& error) {
  try {
    out = nlohmann::json::parse(text.begin(), text.end());
    return true;
  } catch (const nlohmann::json::parse_error& e) {
    // e.byte counts the characters read, the offending one included.
    error.position = e.byte > 0 ? std::min<size_t>(e.byte - 1, text.size()) : 0;
    error.detail = strip_position_prefix(e.what());
  } catch (const nlohmann::json::exception& e) {
    // Number overflow and the like carry no position.
    error.position = 0;
    error.has_position = false;
    error.detail = strip_position_prefix(e.what());
  }
  // nlohmann reports ill-formed UTF-8 a byte or so after it; name the exact byte.
  size_t bad = find_invalid_utf8(text);
  if (bad != std::string_view::npos && bad <= error.position) {
    error.position = bad;
    error.has_position = true;
    error.invalid_utf8 = true;
    error.detail.clear();
  }
  return false;
}

bool dump_compact(const nlohmann::json& value, size_t max_depth, std::string& out) {
  if (nests_deeper_than(value, max_depth)) return false;
  out = value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return true;
}

}  // namespace faultline
