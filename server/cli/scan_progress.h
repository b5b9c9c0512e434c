// What `faultline scan` shows on a terminal while it reads a large export:
// bytes read out of the total, records per second and incidents so far, on one
// line redrawn at most ten times a second, then a one-line summary. Only when
// standard error is a terminal: piped or redirected output stays exactly the
// incidents and the messages about the input.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <optional>

namespace faultline {

class ScanProgress {
 public:
  // `total_bytes`: the inputs' sizes, when known (not for standard input).
  ScanProgress(std::FILE* out, bool enabled, std::optional<uint64_t> total_bytes);

  // After each piece of input: the bytes read so far, records and incidents so far.
  void update(uint64_t bytes, size_t records, size_t incidents);
  // Clears the progress line and prints the summary.
  void finish(size_t records, size_t matched, size_t incidents);

  bool enabled() const { return enabled_; }

 private:
  void draw(uint64_t bytes, size_t records, size_t incidents);

  std::FILE* out_;
  bool enabled_;
  std::optional<uint64_t> total_;
  std::chrono::steady_clock::time_point start_, last_draw_;
  bool drawn_ = false;
};

// Whether `stream` is a terminal (isatty of its descriptor).
bool is_terminal(std::FILE* stream);

}  // namespace faultline
