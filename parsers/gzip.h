// gzip decompression with a cap on the decompressed size. The HTTP server uses it
// for `Content-Encoding: gzip` bodies (its body limit counts wire bytes, so a
// small gzip body could otherwise expand without bound) and `faultline scan`
// for .gz files.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace faultline {

enum class GunzipStatus {
  ok,
  corrupt,    // not gzip/zlib data, a bad checksum, or truncated
  too_large,  // the output would exceed max_output_bytes; decompression stopped there
};

struct GunzipResult {
  GunzipStatus status = GunzipStatus::ok;
  std::string data;   // the decompressed bytes when status is ok, else empty
  std::string error;  // what went wrong, naming the byte offset or the limit; empty when ok
};

// Decompresses gzip (RFC 1952) or zlib (RFC 1950) data, detected from the header.
// Several concatenated gzip members (`cat a.gz b.gz`) decompress to the
// concatenation of their contents; zero bytes after the last member are ignored,
// anything else after it is an error. Work and memory are bounded by
// max_output_bytes: decompression stops as soon as the output would exceed it.
GunzipResult gunzip(std::string_view compressed, size_t max_output_bytes);

// True when `data` starts with the gzip magic bytes 1f 8b.
bool looks_gzipped(std::string_view data);

// gzip-compresses `data` (level 1–9, default 6). For tests, benchmarks and tools
// that build gzip bodies; the ingest path only decompresses.
std::string gzip_compress(std::string_view data, int level = 6);

}  // namespace faultline
