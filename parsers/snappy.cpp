#include "parsers/snappy.h"

#include <snappy.h>

namespace faultline {
namespace {

UnsnappyResult failure(UnsnappyStatus status, std::string message) {
  UnsnappyResult result;
  result.status = status;
  result.error = std::move(message);
  return result;
}

}  // namespace

UnsnappyResult unsnappy(std::string_view compressed, size_t max_output_bytes) {
  if (compressed.empty()) return failure(UnsnappyStatus::corrupt, "empty snappy data");
  size_t length = 0;
  if (!snappy::GetUncompressedLength(compressed.data(), compressed.size(), &length))
    return failure(UnsnappyStatus::corrupt,
                   "the snappy length header at byte 0 is not a valid varint of at most 32 bits");
  if (length > max_output_bytes)
    return failure(UnsnappyStatus::too_large, "snappy data announces " + std::to_string(length) +
                                                  " bytes, more than the limit of " +
                                                  std::to_string(max_output_bytes) + " bytes");
  UnsnappyResult result;
  result.data.resize(length);
  if (!snappy::RawUncompress(compressed.data(), compressed.size(), result.data.data()))
    return failure(UnsnappyStatus::corrupt, "the snappy data (" + std::to_string(compressed.size()) +
                                                " bytes) does not decompress to the " + std::to_string(length) +
                                                " bytes its header announces: corrupt or truncated");
  return result;
}

std::string snappy_compress(std::string_view data) {
  std::string out;
  snappy::Compress(data.data(), data.size(), &out);
  return out;
}

}  // namespace faultline
