#include "parsers/json_array_splitter.h"

namespace faultline {

JsonArraySplitter::Stop JsonArraySplitter::scan(std::string_view bytes, size_t& pos) {
  if (ended_) return Stop::array_end;
  for (; pos < bytes.size(); ++pos) {
    const char c = bytes[pos];
    if (in_string_) {
      const bool line_break = c == '\n' || c == '\r';
      if (escaped_)
        escaped_ = false, in_string_ = !line_break;  // "\<newline>": the break still ends the string
      else if (c == '\\')
        escaped_ = true;
      else if (c == '"' || line_break)
        in_string_ = false;
      continue;
    }
    switch (c) {
      case '"':
        in_string_ = true;
        break;
      case '{':
      case '[':
        ++depth_;
        break;
      case '}':
        if (depth_ > 0) --depth_;
        break;
      case ']':
        if (depth_ > 0) {
          --depth_;
        } else {
          ended_ = true;
          return Stop::array_end;
        }
        break;
      case ',':
        if (depth_ == 0) return Stop::element_end;
        break;
      default:
        break;
    }
  }
  return Stop::more;
}

}  // namespace faultline
