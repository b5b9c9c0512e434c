#include "server/cli/scan_input.h"

#include <cerrno>
#include <cstring>

#include "parsers/gzip.h"

namespace faultline {
namespace {

// Pieces of about this size: big enough that parsing dominates, small enough
// that a scan's memory does not grow with its input.
constexpr size_t kPieceBytes = 1 << 20;
// A compressed export may not expand beyond this.
constexpr size_t kMaxScanBytes = size_t{2} << 30;

// Whether the input can be cut at line breaks: text, and JSON whose first
// record ends on its first line (NDJSON). An array or a pretty-printed object
// spans lines and must be read whole.
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
    if (!fill(SIZE_MAX, error)) return false;
    GunzipResult plain = gunzip(buffer_, kMaxScanBytes);
    if (plain.status != GunzipStatus::ok) {
      error = name + ": " + plain.error;
      return false;
    }
    buffer_ = std::move(plain.data);
    line_based_ = line_based(buffer_, format);
    return true;
  }
  line_based_ = line_based(buffer_, format);
  if (!line_based_) return fill(SIZE_MAX, error);
  streaming_ = true;
  return true;
}

bool ScanInput::fill(size_t want, std::string& error) {
  char block[1 << 16];
  while (!eof_ && buffer_.size() - consumed_ < want) {
    const size_t n = std::fread(block, 1, sizeof block, file_);
    if (n == 0) {
      if (std::ferror(file_)) {
        error = "cannot read " + name_ + ": " + std::strerror(errno);
        return false;
      }
      eof_ = true;
      break;
    }
    buffer_.append(block, n);
    file_read_ += n;
  }
  return true;
}

bool ScanInput::next(std::string_view& piece, std::string& error) {
  if (streaming_) {
    // What the previous piece used goes: the buffer holds a piece and a line.
    buffer_.erase(0, consumed_);
    consumed_ = 0;
    if (!fill(kPieceBytes + 1, error)) return false;
  }
  std::string_view rest = std::string_view(buffer_).substr(consumed_);
  if (rest.empty()) return false;
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
