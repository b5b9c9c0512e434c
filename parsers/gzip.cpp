#include "parsers/gzip.h"

#include <zlib.h>

#include <algorithm>
#include <climits>
#include <stdexcept>

namespace faultline {
namespace {

constexpr size_t kMaxChunk = UINT_MAX;  // zlib counts in uInt
constexpr int kAutoDetectGzipOrZlib = 15 + 32;

class Inflater {
 public:
  Inflater() { ok_ = inflateInit2(&stream_, kAutoDetectGzipOrZlib) == Z_OK; }
  ~Inflater() {
    if (ok_) inflateEnd(&stream_);
  }
  Inflater(const Inflater&) = delete;
  Inflater& operator=(const Inflater&) = delete;
  bool ok() const { return ok_; }
  z_stream& stream() { return stream_; }

 private:
  z_stream stream_{};
  bool ok_ = false;
};

GunzipResult failure(GunzipStatus status, std::string message) {
  GunzipResult result;
  result.status = status;
  result.error = std::move(message);
  return result;
}

GunzipResult too_large(size_t limit) {
  return failure(GunzipStatus::too_large,
                 "decompressed size exceeds the limit of " + std::to_string(limit) + " bytes");
}

bool all_zero(std::string_view bytes) {
  return std::all_of(bytes.begin(), bytes.end(), [](char c) { return c == 0; });
}

}  // namespace

bool looks_gzipped(std::string_view data) {
  return data.size() >= 2 && static_cast<unsigned char>(data[0]) == 0x1F &&
         static_cast<unsigned char>(data[1]) == 0x8B;
}

GunzipResult gunzip(std::string_view compressed, size_t max_output_bytes) {
  if (compressed.empty()) return failure(GunzipStatus::corrupt, "empty gzip data");
  Inflater inflater;
  if (!inflater.ok()) return failure(GunzipStatus::corrupt, "zlib could not be initialised");
  z_stream& zs = inflater.stream();

  // One byte of room beyond the limit tells "exactly at the limit" from "over it".
  const size_t room_limit = max_output_bytes == SIZE_MAX ? SIZE_MAX : max_output_bytes + 1;
  std::string out;
  size_t produced = 0;
  size_t consumed = 0;  // input bytes handed to zlib and used by it

  auto input = reinterpret_cast<const Bytef*>(compressed.data());
  zs.next_in = const_cast<Bytef*>(input);  // zlib's API is not const-correct; it never writes input
  zs.avail_in = 0;

  for (;;) {
    if (zs.avail_in == 0 && consumed < compressed.size()) {
      zs.next_in = const_cast<Bytef*>(input + consumed);
      zs.avail_in = static_cast<uInt>(std::min(kMaxChunk, compressed.size() - consumed));
    }
    if (produced == out.size()) {
      if (out.size() >= room_limit) return too_large(max_output_bytes);
      size_t wanted =
          std::max<size_t>(out.size() * 2, std::max<size_t>(compressed.size() * 4, 64 * 1024));
      out.resize(std::min(wanted, room_limit));
    }
    zs.next_out = reinterpret_cast<Bytef*>(out.data() + produced);
    zs.avail_out = static_cast<uInt>(std::min(kMaxChunk, out.size() - produced));
    const uInt in_before = zs.avail_in;
    const uInt out_before = zs.avail_out;

    int rc = inflate(&zs, Z_NO_FLUSH);

    consumed += in_before - zs.avail_in;
    produced += out_before - zs.avail_out;
    if (produced > max_output_bytes) return too_large(max_output_bytes);

    if (rc == Z_STREAM_END) {
      std::string_view rest = compressed.substr(consumed);
      if (rest.empty() || all_zero(rest)) break;
      if (!looks_gzipped(rest))
        return failure(GunzipStatus::corrupt,
                       "unexpected data after the gzip stream at byte " + std::to_string(consumed));
      if (inflateReset(&zs) != Z_OK) return failure(GunzipStatus::corrupt, "zlib reset failed");
      continue;
    }
    if (rc == Z_NEED_DICT || rc == Z_DATA_ERROR || rc == Z_STREAM_ERROR || rc == Z_MEM_ERROR) {
      std::string why = zs.msg ? zs.msg : "invalid compressed data";
      return failure(GunzipStatus::corrupt,
                     "invalid gzip data near byte " + std::to_string(consumed) + ": " + why);
    }
    // Z_OK or Z_BUF_ERROR: zlib wants more input or more output room.
    bool input_exhausted = zs.avail_in == 0 && consumed == compressed.size();
    if (input_exhausted && zs.avail_out > 0)
      return failure(GunzipStatus::corrupt, "truncated gzip data: the stream ends at byte " +
                                                std::to_string(consumed) +
                                                " before its end marker");
  }
  out.resize(produced);
  GunzipResult result;
  result.data = std::move(out);
  return result;
}

std::string gzip_compress(std::string_view data, int level) {
  z_stream zs{};
  constexpr int kGzipWindow = 15 + 16;
  if (deflateInit2(&zs, level, Z_DEFLATED, kGzipWindow, 8, Z_DEFAULT_STRATEGY) != Z_OK)
    throw std::runtime_error("zlib deflateInit2 failed");
  std::string out;
  out.resize(deflateBound(&zs, static_cast<uLong>(data.size())) + 32);
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  size_t fed = 0;
  size_t written = 0;
  int rc = Z_OK;
  do {
    if (zs.avail_in == 0 && fed < data.size()) {
      zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data() + fed));
      zs.avail_in = static_cast<uInt>(std::min(kMaxChunk, data.size() - fed));
      fed += zs.avail_in;
    }
    if (written == out.size()) out.resize(out.size() * 2);
    zs.next_out = reinterpret_cast<Bytef*>(out.data() + written);
    zs.avail_out = static_cast<uInt>(std::min(kMaxChunk, out.size() - written));
    uInt before = zs.avail_out;
    rc = deflate(&zs, fed == data.size() ? Z_FINISH : Z_NO_FLUSH);
    written += before - zs.avail_out;
  } while (rc != Z_STREAM_END && rc != Z_STREAM_ERROR);
  deflateEnd(&zs);
  if (rc != Z_STREAM_END) throw std::runtime_error("zlib deflate failed");
  out.resize(written);
  return out;
}

}  // namespace faultline
