// Snappy block-format decompression with a cap on the decompressed size. Loki's
// protobuf push (Promtail, Grafana Alloy, the Docker driver, Vector, winston-loki)
// is snappy-compressed whether or not the request says `Content-Encoding: snappy`.
// The block format starts with the decompressed length, so a body that announces
// more than the cap is refused before anything is allocated: a small body cannot
// make the daemon reserve gigabytes.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace faultline {

enum class UnsnappyStatus {
  ok,
  corrupt,    // not snappy block data, or truncated
  too_large,  // the announced length exceeds max_output_bytes; nothing was decompressed
};

struct UnsnappyResult {
  UnsnappyStatus status = UnsnappyStatus::ok;
  std::string data;   // the decompressed bytes when status is ok, else empty
  std::string error;  // what went wrong, naming the lengths or the limit; empty when ok
};

// Decompresses one snappy block (the raw format, not the framing format of
// `.sz` files). Memory is bounded by max_output_bytes.
UnsnappyResult unsnappy(std::string_view compressed, size_t max_output_bytes);

// Snappy-compresses `data`. For tests, benchmarks and fuzz seeds that build
// bodies; the ingest path only decompresses.
std::string snappy_compress(std::string_view data);

}  // namespace faultline
