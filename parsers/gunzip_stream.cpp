#include "parsers/gunzip_stream.h"

#include <zlib.h>

#include <algorithm>
#include <climits>

#include "parsers/gzip.h"

namespace faultline {

struct GunzipStream::Zlib {
  z_stream stream{};
  bool ok = false;
};

namespace {
constexpr int kAutoDetectGzipOrZlib = 15 + 32;
}

GunzipStream::GunzipStream() : zlib_(std::make_unique<Zlib>()) {
  zlib_->ok = inflateInit2(&zlib_->stream, kAutoDetectGzipOrZlib) == Z_OK;
}

GunzipStream::~GunzipStream() {
  if (zlib_->ok) inflateEnd(&zlib_->stream);
}

bool GunzipStream::fail(std::string message) {
  error_ = std::move(message);
  return false;
}

bool GunzipStream::inflate(std::string_view& input, std::string& out, size_t room) {
  if (!error_.empty()) return false;
  if (!zlib_->ok) return fail("zlib could not be initialised");
  z_stream& zs = zlib_->stream;
  while (room > 0) {
    if (state_ == Between::zeros) {
      // Zero padding after the last member (tape blocks, preallocated files): all zero to the end.
      const auto bad = std::find_if(input.begin(), input.end(), [](char c) { return c != 0; });
      if (bad != input.end()) return fail("unexpected data after the gzip stream at byte " + std::to_string(member_end_));
      consumed_ += input.size();
      input = {};
      return true;
    }
    if (state_ == Between::member_end) {
      if (input.empty()) return true;
      if (input[0] == 0) {
        state_ = Between::zeros;
        continue;
      }
      if (input.size() < 2) return true;  // the magic bytes of a next member may follow
      if (!looks_gzipped(input))
        return fail("unexpected data after the gzip stream at byte " + std::to_string(member_end_));
      if (inflateReset(&zs) != Z_OK) return fail("zlib reset failed");
      state_ = Between::inside;
    }
    const size_t had = out.size();
    const size_t chunk = std::min<size_t>(room, UINT_MAX);
    out.resize(had + chunk);
    zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(input.data()));  // zlib never writes its input
    zs.avail_in = static_cast<uInt>(std::min<size_t>(input.size(), UINT_MAX));
    zs.next_out = reinterpret_cast<Bytef*>(out.data() + had);
    zs.avail_out = static_cast<uInt>(chunk);
    const uInt in_before = zs.avail_in;
    const int rc = ::inflate(&zs, Z_NO_FLUSH);
    const size_t used = in_before - zs.avail_in;
    const size_t produced = chunk - zs.avail_out;
    out.resize(had + produced);
    input.remove_prefix(used);
    consumed_ += used;
    room -= produced;
    if (used > 0) started_ = true;
    if (rc == Z_STREAM_END) {
      state_ = Between::member_end;
      member_end_ = consumed_;
      continue;
    }
    if (rc == Z_NEED_DICT || rc == Z_DATA_ERROR || rc == Z_STREAM_ERROR || rc == Z_MEM_ERROR)
      return fail("invalid gzip data near byte " + std::to_string(consumed_) + ": " +
                  (zs.msg ? zs.msg : "invalid compressed data"));
    if (used == 0 && produced == 0) return true;  // zlib needs more input
  }
  return true;
}

bool GunzipStream::finish(std::string_view rest) {
  if (!error_.empty()) return false;
  if (!started_) return fail("empty gzip data");
  if (state_ == Between::member_end && !rest.empty())
    return fail("unexpected data after the gzip stream at byte " + std::to_string(member_end_));
  if (state_ == Between::inside)
    return fail("truncated gzip data: the stream ends at byte " + std::to_string(consumed_) +
                " before its end marker");
  return true;
}

}  // namespace faultline
