// gzip decompression a piece at a time, for inputs too large to hold whole
// (`faultline scan` of a multi-gigabyte .gz export): the compressed bytes go in
// as they are read, the decompressed bytes come out in bounded pieces. Accepts
// what gunzip() (gzip.h) accepts: gzip or zlib data, several concatenated gzip
// members, zero bytes after the last one; errors name the compressed byte offset.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace faultline {

class GunzipStream {
 public:
  GunzipStream();
  ~GunzipStream();
  GunzipStream(const GunzipStream&) = delete;
  GunzipStream& operator=(const GunzipStream&) = delete;

  // Decompresses from the front of `input` (consumed bytes are removed from
  // it), appending at most `room` bytes to `out`. False on corrupt data, with
  // error() saying what and where. Call again with more input when `input` is
  // used up, or with the same input once `out` has been drained.
  bool inflate(std::string_view& input, std::string& out, size_t room);
  // Called when the input has ended, with what inflate() left of it: false
  // (with error()) when it ended inside a gzip member or left bytes that are
  // not another member.
  bool finish(std::string_view rest);
  const std::string& error() const { return error_; }
  // Compressed bytes consumed so far.
  uint64_t consumed() const { return consumed_; }

 private:
  bool fail(std::string message);

  struct Zlib;
  std::unique_ptr<Zlib> zlib_;
  enum class Between { inside, member_end, zeros } state_ = Between::inside;
  bool started_ = false;  // the current member has had input
  uint64_t consumed_ = 0;
  uint64_t member_end_ = 0;  // where the last complete member ended
  std::string error_;
};

}  // namespace faultline
