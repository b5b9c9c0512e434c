#include "server/cli/scan_input.h"

#include <cerrno>
#include <cstring>

#include "parsers/gunzip_stream.h"
#include "parsers/gzip.h"

namespace faultline {
namespace {

// Pieces of about this size: big enough that parsing dominates, small enough
// that a scan's memory does not grow with its input.
constexpr size_t kPieceBytes = 1 << 20;
// The file is read, and gzip decompressed, this much at a time.
constexpr size_t kReadBytes = 1 << 16;
constexpr std::string_view kByteOrderMark = "\xEF\xBB\xBF";

bool is_blank(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

size_t first_non_blank(std::string_view text) {
  size_t pos = text.starts_with(kByteOrderMark) ? kByteOrderMark.size() : 0;
  while (pos < text.size() && is_blank(text[pos])) ++pos;
  return pos;
}

// Whether the input can be cut at line breaks: text, and JSON whose first
// record ends on its first line (NDJSON). An array or a pretty-printed object
// spans lines and must be read whole (an array: element by element).
bool line_based(std::string_view head, InputFormat format) {
  if (format == InputFormat::text || format == InputFormat::ndjson) return true;
  if (format != InputFormat::automatic) return false;
  const size_t first = head.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) return true;
  if (head[first] == '[') return false;
  if (head[first] != '{') return true;
  std::string_view line = head.substr(first, head.find('\n', first) - first);
  while (!line.empty() && (line.back() == '\r' || line.back() == ' ' || line.back() == '\t')) line.remove_suffix(1);
  return !line.empty() && line.back() == '}';
}

// Where the input is a JSON array of records, the position of its '[' (npos
// otherwise): for the formats that take arrays, a '[' first; automatic
// detection also wants an object (or the end) as the first element, as
// parse_input does, since "[Sun Dec 04 …" starts an Apache text log.
size_t array_start(std::string_view head, InputFormat format) {
  if (format != InputFormat::automatic && format != InputFormat::ndjson && format != InputFormat::logentry)
    return std::string_view::npos;
  const size_t first = first_non_blank(head);
  if (first >= head.size() || head[first] != '[') return std::string_view::npos;
  if (format != InputFormat::automatic) return first;
  size_t next = first + 1;
  while (next < head.size() && is_blank(head[next])) ++next;
  return next < head.size() && (head[next] == '{' || head[next] == ']') ? first : std::string_view::npos;
}

}  // namespace

ScanInput::~ScanInput() {
  if (owned_ && file_) std::fclose(file_);
}

bool ScanInput::open(const std::string& name, InputFormat format, std::string& error) {
  name_ = name;
  if (name == "-") {
    file_ = stdin;
  } else {
    file_ = std::fopen(name.c_str(), "rb");
    if (!file_) {
      error = "cannot open " + name + ": " + std::strerror(errno);
      return false;
    }
    owned_ = true;
  }
  if (!fill(64 << 10, error)) return false;
  if (looks_gzipped(buffer_)) {
    // From here on buffer_ holds decompressed bytes, decompressed as they are needed.
    compressed_ = std::move(buffer_);
    buffer_.clear();
    gunzip_ = std::make_unique<GunzipStream>();
    eof_ = false;
    if (!fill(64 << 10, error)) return false;
  }
  const size_t array = array_start(buffer_, format);
  if (array != std::string_view::npos) {
    array_ = true;
    array_scanned_ = array + 1;
    streaming_ = true;
    return true;
  }
  line_based_ = line_based(buffer_, format);
  if (!line_based_) return fill(SIZE_MAX, error);
  streaming_ = true;
  return true;
}

bool ScanInput::read_more(std::string& error) {
  char block[kReadBytes];
  if (!gunzip_) {
    const size_t n = std::fread(block, 1, sizeof block, file_);
    if (n == 0) {
      if (std::ferror(file_)) {
        error = "cannot read " + name_ + ": " + std::strerror(errno);
        return false;
      }
      eof_ = file_eof_ = true;
      return true;
    }
    buffer_.append(block, n);
    file_read_ += n;
    return true;
  }
  for (;;) {
    std::string_view input(compressed_);
    const size_t had = buffer_.size();
    // Corrupt or truncated data ends the input where it goes bad: what came
    // before is scanned, then next() reports the error.
    if (!gunzip_->inflate(input, buffer_, kReadBytes)) {
      late_error_ = name_ + ": " + gunzip_->error();
      eof_ = true;
      return true;
    }
    compressed_.erase(0, compressed_.size() - input.size());
    if (buffer_.size() > had) return true;
    if (file_eof_) {
      if (!gunzip_->finish(compressed_)) late_error_ = name_ + ": " + gunzip_->error();
      eof_ = true;
      return true;
    }
    const size_t n = std::fread(block, 1, sizeof block, file_);
    if (n == 0) {
      if (std::ferror(file_)) {
        error = "cannot read " + name_ + ": " + std::strerror(errno);
        return false;
      }
      file_eof_ = true;
    }
    compressed_.append(block, n);
    file_read_ += n;
  }
}

bool ScanInput::fill(size_t want, std::string& error) {
  while (!eof_ && buffer_.size() - consumed_ < want)
    if (!read_more(error)) return false;
  return true;
}

bool ScanInput::next_non_blank(size_t& pos, std::string& error) {
  for (;;) {
    while (pos < buffer_.size() && is_blank(buffer_[pos])) ++pos;
    if (pos < buffer_.size() || eof_) return true;
    if (!read_more(error)) return false;
  }
}

bool ScanInput::next_array_piece(std::string_view& piece, std::string& error) {
  if (array_done_) {
    error = late_error_;
    return false;
  }
  // What the previous piece used goes; the splitter's place moves with it.
  buffer_.erase(0, consumed_);
  array_scanned_ -= consumed_;
  consumed_ = 0;
  // Whole elements up to the first ',' between elements after a piece's worth
  // that an object follows (so that the piece reads as the whole input did:
  // as JSON under automatic detection, and with a stray ',' or ']' reported
  // where it is), or to the array's end.
  size_t cut = std::string_view::npos;  // the ',' replaced by the piece's ']'
  size_t end = 0;                       // the piece's bytes of buffer_ end here
  for (;;) {
    const JsonArraySplitter::Stop stop = splitter_.scan(buffer_, array_scanned_);
    if (stop == JsonArraySplitter::Stop::element_end) {
      if (array_scanned_ >= kPieceBytes) {
        size_t next = array_scanned_ + 1;
        if (!next_non_blank(next, error)) return false;
        if (next < buffer_.size() && buffer_[next] == '{') {
          cut = end = array_scanned_;
          break;
        }
      }
      ++array_scanned_;
      continue;
    }
    if (stop == JsonArraySplitter::Stop::array_end) {
      // The ']' and what follows it up to the first byte that is not blank, so
      // that data after the array is reported where it is.
      size_t after = array_scanned_ + 1;
      if (!next_non_blank(after, error)) return false;
      end = after < buffer_.size() ? after + 1 : buffer_.size();
      array_done_ = true;
      break;
    }
    if (eof_) {  // no ']': parse_input reports the unterminated array
      end = buffer_.size();
      array_done_ = true;
      break;
    }
    if (!read_more(error)) return false;
  }
  const std::string_view bytes = std::string_view(buffer_).substr(0, end);
  if (array_first_piece_) {
    array_piece_.assign(bytes);  // from the input's start: its '[' (and byte order mark) included
    piece_offset_ = given_;
    array_first_piece_ = false;
  } else {
    // A line break after the '[', so that a piece whose first element is on
    // one line is read as JSON by automatic detection, as the whole array was.
    array_piece_.assign("[\n").append(bytes);
    piece_offset_ = given_ - 2;
  }
  if (cut != std::string_view::npos) array_piece_ += ']';
  consumed_ = cut != std::string_view::npos ? cut + 1 : end;
  if (cut != std::string_view::npos) array_scanned_ = consumed_;  // past the ','
  given_ += consumed_;
  piece = array_piece_;
  return true;
}

bool ScanInput::next(std::string_view& piece, std::string& error) {
  if (array_) return next_array_piece(piece, error);
  if (streaming_) {
    // What the previous piece used goes: the buffer holds a piece and a line.
    buffer_.erase(0, consumed_);
    consumed_ = 0;
    if (!fill(kPieceBytes + 1, error)) return false;
  }
  std::string_view rest = std::string_view(buffer_).substr(consumed_);
  if (rest.empty()) {
    error = late_error_;
    return false;
  }
  size_t cut = rest.size();
  if (line_based_ && rest.size() > kPieceBytes) {
    // At the first line break after a piece's worth, reading on for a longer line.
    size_t newline = rest.find('\n', kPieceBytes);
    while (newline == std::string_view::npos && streaming_ && !eof_) {
      const size_t had = rest.size();
      if (!fill(had + kPieceBytes, error)) return false;
      rest = std::string_view(buffer_).substr(consumed_);
      newline = rest.find('\n', had);
    }
    if (newline != std::string_view::npos) cut = newline + 1;
  }
  piece = rest.substr(0, cut);
  piece_offset_ = given_;
  given_ += cut;
  consumed_ += cut;
  return true;
}

}  // namespace faultline
