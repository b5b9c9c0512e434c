#include "parsers/loki_labels.h"

#include <algorithm>
#include <cstdint>
#include <utility>

#include "parsers/utf8.h"

namespace faultline {
namespace {

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }
bool name_start(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool name_char(char c) { return name_start(c) || (c >= '0' && c <= '9'); }

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

void append_utf8(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

// A character as an error message shows it.
std::string shown(std::string_view text, size_t pos) {
  if (pos >= text.size()) return "the end";
  return "'" + printable_excerpt(text.substr(pos, 1), 4) + "'";
}

class LabelsParser {
 public:
  LabelsParser(std::string_view text, LokiLabelsError& error) : text_(text), error_(error) {}

  bool parse(std::vector<LokiLabel>& out) {
    out.clear();
    skip_space();
    if (!take('{')) return fail(pos_, "expected '{' to open the labels, got " + shown(text_, pos_));
    skip_space();
    if (!take('}')) {
      for (;;) {
        LokiLabel label;
        name_offsets_.push_back(pos_);
        if (!read_name(label.name)) return false;
        skip_space();
        if (!read_equals(label.name)) return false;
        skip_space();
        const size_t value_at = pos_;
        if (!read_value(label.name, label.value)) return false;
        if (size_t bad = find_invalid_utf8(label.value); bad != std::string_view::npos)
          return fail(value_at, "the value of label " + label.name + " is not valid UTF-8 (byte " +
                                    std::to_string(bad) + " of the value)");
        out.push_back(std::move(label));
        skip_space();
        if (take('}')) break;
        if (!take(',')) return fail(pos_, "expected ',' or '}' after the value of label " + out.back().name +
                                              ", got " + shown(text_, pos_));
        skip_space();
      }
    }
    skip_space();
    if (pos_ != text_.size()) return fail(pos_, "unexpected " + shown(text_, pos_) + " after the closing '}'");
    return unique_names(out);
  }

 private:
  // Sorted rather than compared pairwise: a long labels string must not cost n².
  bool unique_names(const std::vector<LokiLabel>& labels) {
    std::vector<std::pair<std::string_view, size_t>> names;
    names.reserve(labels.size());
    for (size_t i = 0; i < labels.size(); ++i) names.emplace_back(labels[i].name, name_offsets_[i]);
    std::sort(names.begin(), names.end());
    size_t repeat = std::string_view::npos;  // the first repeated name in the text
    std::string_view repeated;
    for (size_t i = 1; i < names.size(); ++i) {
      if (names[i].first == names[i - 1].first && names[i].second < repeat) {
        repeat = names[i].second;
        repeated = names[i].first;
      }
    }
    if (repeat == std::string_view::npos) return true;
    return fail(repeat, "label " + std::string(repeated) + " appears twice");
  }

  bool fail(size_t at, std::string message) {
    error_.offset = at;
    error_.message = "at byte " + std::to_string(at) + ": " + message;
    return false;
  }
  void skip_space() {
    while (pos_ < text_.size() && is_space(text_[pos_])) ++pos_;
  }
  bool take(char c) {
    if (pos_ < text_.size() && text_[pos_] == c) {
      ++pos_;
      return true;
    }
    return false;
  }

  bool read_name(std::string& name) {
    if (pos_ >= text_.size() || !name_start(text_[pos_]))
      return fail(pos_, "expected a label name ([A-Za-z_][A-Za-z0-9_]*), got " + shown(text_, pos_));
    const size_t start = pos_;
    while (pos_ < text_.size() && name_char(text_[pos_])) ++pos_;
    name.assign(text_.substr(start, pos_ - start));
    return true;
  }

  bool read_equals(const std::string& name) {
    const size_t at = pos_;
    if (take('=')) {
      if (pos_ < text_.size() && text_[pos_] == '~')
        return fail(at, "label " + name + " uses the matcher =~: a stream's labels take = only");
      return true;
    }
    if (take('!'))
      return fail(at, "label " + name + " uses the matcher !" + (take('~') ? "~" : "=") +
                          ": a stream's labels take = only");
    return fail(at, "expected '=' after the label name " + name + ", got " + shown(text_, at));
  }

  bool read_value(const std::string& name, std::string& value) {
    const size_t open = pos_;
    if (take('`')) {
      const size_t close = text_.find('`', pos_);
      if (close == std::string_view::npos)
        return fail(open, "the value of label " + name + " opens a ` string that is never closed");
      value.assign(text_.substr(pos_, close - pos_));
      pos_ = close + 1;
      return true;
    }
    if (!take('"'))
      return fail(open, "expected a quoted value for label " + name + ", got " + shown(text_, open));
    for (;;) {
      if (pos_ >= text_.size())
        return fail(open, "the value of label " + name + " opens a \" string that is never closed");
      const char c = text_[pos_];
      if (c == '"') {
        ++pos_;
        return true;
      }
      if (c != '\\') {
        // Copy the run up to the next quote or escape at once.
        size_t end = pos_ + 1;
        while (end < text_.size() && text_[end] != '"' && text_[end] != '\\') ++end;
        value.append(text_.substr(pos_, end - pos_));
        pos_ = end;
        continue;
      }
      if (!read_escape(name, value)) return false;
    }
  }

  // Go's escapes in a double-quoted string (strconv.Unquote).
  bool read_escape(const std::string& name, std::string& value) {
    const size_t at = pos_++;
    if (pos_ >= text_.size())
      return fail(at, "the value of label " + name + " ends in the middle of an escape");
    const char c = text_[pos_++];
    switch (c) {
      case 'a': value += '\a'; return true;
      case 'b': value += '\b'; return true;
      case 'f': value += '\f'; return true;
      case 'n': value += '\n'; return true;
      case 'r': value += '\r'; return true;
      case 't': value += '\t'; return true;
      case 'v': value += '\v'; return true;
      case '\\': value += '\\'; return true;
      case '"': value += '"'; return true;
      case 'x': {
        uint32_t byte = 0;
        if (!read_hex(2, byte)) return bad_escape(at, name);
        value += static_cast<char>(byte);
        return true;
      }
      case 'u':
      case 'U': {
        uint32_t cp = 0;
        if (!read_hex(c == 'u' ? 4 : 8, cp)) return bad_escape(at, name);
        if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
          return fail(at, "the value of label " + name + " escapes " + std::string(text_.substr(at, pos_ - at)) +
                              ", which is not a Unicode character");
        append_utf8(value, cp);
        return true;
      }
      default:
        if (c >= '0' && c <= '7') {
          uint32_t byte = static_cast<uint32_t>(c - '0');
          for (int i = 0; i < 2; ++i) {
            if (pos_ >= text_.size() || text_[pos_] < '0' || text_[pos_] > '7') return bad_escape(at, name);
            byte = byte * 8 + static_cast<uint32_t>(text_[pos_++] - '0');
          }
          if (byte > 255) return bad_escape(at, name);
          value += static_cast<char>(byte);
          return true;
        }
        return bad_escape(at, name);
    }
  }

  bool read_hex(int digits, uint32_t& out) {
    out = 0;
    for (int i = 0; i < digits; ++i) {
      if (pos_ >= text_.size() || hex_value(text_[pos_]) < 0) return false;
      out = out * 16 + static_cast<uint32_t>(hex_value(text_[pos_++]));
    }
    return true;
  }

  bool bad_escape(size_t at, const std::string& name) {
    const size_t end = std::min(text_.size(), std::max(pos_, at + 2));
    return fail(at, "the value of label " + name + " has an invalid escape " +
                        printable_excerpt(text_.substr(at, end - at), 12));
  }

  std::string_view text_;
  LokiLabelsError& error_;
  size_t pos_ = 0;
  std::vector<size_t> name_offsets_;  // where each label's name starts
};

}  // namespace

bool parse_loki_labels(std::string_view text, std::vector<LokiLabel>& out, LokiLabelsError& error) {
  return LabelsParser(text, error).parse(out);
}

}  // namespace faultline
