// One input of `faultline scan`, read in pieces, so that memory stays bounded
// however large an export is: text and NDJSON in pieces that end at a line
// break; a JSON array (gcloud logging read --format=json) in pieces of whole
// elements, each handed out as an array of its own; gzip decompressed as it is
// read, then cut the same way. Other JSON documents (pretty-printed objects, a
// Loki or Pub/Sub body) are read whole.
#pragma once

#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>
#include <string_view>

#include "parsers/gunzip_stream.h"
#include "parsers/json_array_splitter.h"
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
  // end or on a read error (then `error` is set). Corrupt gzip data ends the
  // input there: the pieces before it come first, then the error.
  bool next(std::string_view& piece, std::string& error);
  // Where the piece next() gave last starts, in the (decompressed) input: add
  // it to the byte offsets parse_input reports for the piece. A piece of an
  // array after the first is "[\n" followed by the input's own bytes, so its
  // offset is 2 before where those bytes start.
  uint64_t piece_offset() const { return piece_offset_; }
  // Bytes of the file itself read so far, for progress.
  uint64_t file_bytes_read() const { return file_read_; }

 private:
  bool fill(size_t want, std::string& error);  // reads until buffer_ holds `want` bytes or the end
  bool read_more(std::string& error);          // appends what the file (or gzip) gives next to buffer_
  bool next_array_piece(std::string_view& piece, std::string& error);
  // The first byte after `pos` in buffer_ that is not a JSON blank, reading on
  // as needed; buffer_.size() at the end of the input.
  bool next_non_blank(size_t& pos, std::string& error);

  std::string name_;
  std::FILE* file_ = nullptr;
  bool owned_ = false;
  bool eof_ = false;       // the (decompressed) input has ended
  bool file_eof_ = false;  // the file has ended (for gzip, maybe before its decompressed bytes)
  std::unique_ptr<GunzipStream> gunzip_;
  std::string compressed_;  // gzip bytes read and not yet decompressed
  std::string late_error_;  // corrupt gzip data: reported once what came before it is handed out
  bool streaming_ = false;    // read piece by piece (else read whole: a document, or gzip)
  bool line_based_ = false;   // cut at line breaks
  // A JSON array, cut between elements; `array_scanned_` is how far into
  // buffer_ the splitter has looked, `array_piece_` the piece handed out.
  bool array_ = false;
  bool array_first_piece_ = true;
  bool array_done_ = false;
  JsonArraySplitter splitter_;
  size_t array_scanned_ = 0;
  std::string array_piece_;
  std::string buffer_;        // bytes read and not yet given out, from `consumed_`
  size_t consumed_ = 0;       // bytes at the front of buffer_ already given out
  uint64_t piece_offset_ = 0;
  uint64_t given_ = 0;        // bytes given out so far
  uint64_t file_read_ = 0;
};

}  // namespace faultline
