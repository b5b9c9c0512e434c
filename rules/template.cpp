#include "rules/template.h"

namespace faultline {
namespace {

bool is_name_start(char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_'; }
bool is_name_char(char c) { return is_name_start(c) || (c >= '0' && c <= '9'); }

// Length of a "{name}" reference starting at text[pos] == '{', or 0 when there is none.
size_t reference_length(std::string_view text, size_t pos) {
  size_t end = pos + 1;
  if (end >= text.size() || !is_name_start(text[end])) return 0;
  while (end < text.size() && is_name_char(text[end])) ++end;
  if (end >= text.size() || text[end] != '}') return 0;
  return end - pos + 1;
}

}  // namespace

bool template_names(std::string_view text, std::vector<std::string>& names, std::string& error) {
  for (size_t pos = 0; pos < text.size(); ++pos) {
    const char c = text[pos];
    if ((c == '{' || c == '}') && pos + 1 < text.size() && text[pos + 1] == c) {
      ++pos;
      continue;
    }
    if (c == '}') {
      error = "unmatched '}' at offset " + std::to_string(pos) + " (write '}}' for a literal brace)";
      return false;
    }
    if (c != '{') continue;
    const size_t length = reference_length(text, pos);
    if (length == 0) {
      error = "'{' at offset " + std::to_string(pos) +
              " does not start a {capture_name} reference (write '{{' for a literal brace)";
      return false;
    }
    names.emplace_back(text.substr(pos + 1, length - 2));
    pos += length - 1;
  }
  return true;
}

std::string render_template(std::string_view text,
                            const std::vector<std::pair<std::string, std::string>>& captures) {
  std::string out;
  out.reserve(text.size() + 32);
  for (size_t pos = 0; pos < text.size(); ++pos) {
    const char c = text[pos];
    if ((c == '{' || c == '}') && pos + 1 < text.size() && text[pos + 1] == c) {
      out += c;
      ++pos;
      continue;
    }
    const size_t length = c == '{' ? reference_length(text, pos) : 0;
    if (length == 0) {
      out += c;
      continue;
    }
    const std::string_view name = text.substr(pos + 1, length - 2);
    for (const auto& [key, value] : captures) {
      if (key == name) {
        out += value;
        break;
      }
    }
    pos += length - 1;
  }
  return out;
}

}  // namespace faultline
