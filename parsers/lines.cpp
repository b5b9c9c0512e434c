#include "parsers/lines.h"

#include <algorithm>
#include <cstring>

namespace faultline {

LineReader::LineReader(std::string_view body, size_t start)
    : body_(body), pos_(std::min(start, body.size())) {
  next_lf_ = search('\n', pos_);
  next_cr_ = search('\r', pos_);
}

size_t LineReader::search(char c, size_t from) const {
  if (from >= body_.size()) return body_.size();
  const void* hit = std::memchr(body_.data() + from, c, body_.size() - from);
  return hit ? static_cast<size_t>(static_cast<const char*>(hit) - body_.data()) : body_.size();
}

bool LineReader::next(Line& line) {
  if (pos_ >= body_.size()) return false;
  // A cached hit at or after pos_ is still the next one: nothing between the
  // old search start and it matched. Re-searching only stale hits keeps the
  // whole read linear even for one 10 MB line full of bare CRs.
  if (next_lf_ < pos_) next_lf_ = search('\n', pos_);
  if (next_cr_ < pos_) next_cr_ = search('\r', pos_);
  size_t end = std::min(next_lf_, next_cr_);
  line.text = body_.substr(pos_, end - pos_);
  line.offset = pos_;
  line.number = number_++;
  if (end == body_.size()) {
    pos_ = end;
  } else if (body_[end] == '\r' && end + 1 < body_.size() && body_[end + 1] == '\n') {
    pos_ = end + 2;
  } else {
    pos_ = end + 1;
  }
  return true;
}

}  // namespace faultline
