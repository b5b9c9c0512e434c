// One input of `faultline scan`, read in pieces that end at a line break, so
// that memory stays bounded however large a text or NDJSON export is. A JSON
// document (an array, pretty-printed objects) and a gzip file are read whole,
// then cut at line breaks where they are line-based, as before.
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

#include "parsers/parse.h"

namespace faultline {

class ScanInput {
 public:
  ScanInput() = default;
  ~ScanInput();
  ScanInput(const ScanInput&) = delete;
  ScanInput& operator=(const ScanInput&) = delete;

  // `name` "-" is standard input. False with `error` set when it cannot be read.
  bool open(const std::string& name, InputFormat format, std::string& error);
  // The next piece, ending at a line break (or the input's end); false at the
  // end or on a read error (then `error` is set).
  bool next(std::string_view& piece, std::string& error);
  // Where the piece next() gave last starts, in the (decompressed) input.
  uint64_t piece_offset() const { return piece_offset_; }
  // Bytes of the file itself read so far, for progress.
  uint64_t file_bytes_read() const { return file_read_; }

 private:
  bool fill(size_t want, std::string& error);  // reads until buffer_ holds `want` bytes or the end

  std::string name_;
  std::FILE* file_ = nullptr;
  bool owned_ = false;
  bool eof_ = false;
  bool streaming_ = false;    // read piece by piece (else read whole: a document, or gzip)
  bool line_based_ = false;   // cut at line breaks
  std::string buffer_;        // bytes read and not yet given out, from `consumed_`
  size_t consumed_ = 0;       // bytes at the front of buffer_ already given out
  uint64_t piece_offset_ = 0;
  uint64_t given_ = 0;        // bytes given out so far
  uint64_t file_read_ = 0;
};

}  // namespace faultline
