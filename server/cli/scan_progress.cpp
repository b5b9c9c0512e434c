#include "server/cli/scan_progress.h"

#include <unistd.h>

#include <string>

namespace faultline {
namespace {

constexpr auto kRedrawEvery = std::chrono::milliseconds(100);

std::string mebibytes(uint64_t bytes) {
  char text[32];
  std::snprintf(text, sizeof text, "%.1f MiB", static_cast<double>(bytes) / (1 << 20));
  return text;
}

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

bool is_terminal(std::FILE* stream) { return ::isatty(::fileno(stream)) == 1; }

ScanProgress::ScanProgress(std::FILE* out, bool enabled, std::optional<uint64_t> total_bytes)
    : out_(out), enabled_(enabled), total_(total_bytes), start_(std::chrono::steady_clock::now()) {}

void ScanProgress::update(uint64_t bytes, size_t records, size_t incidents) {
  if (!enabled_) return;
  const auto now = std::chrono::steady_clock::now();
  if (drawn_ && now - last_draw_ < kRedrawEvery) return;
  last_draw_ = now;
  draw(bytes, records, incidents);
}

void ScanProgress::draw(uint64_t bytes, size_t records, size_t incidents) {
  const double elapsed = seconds_since(start_);
  std::string read = mebibytes(bytes);
  if (total_ && *total_ > 0) {
    char share[16];
    std::snprintf(share, sizeof share, " (%d %%)", static_cast<int>(100.0 * static_cast<double>(bytes) / *total_));
    read += " of " + mebibytes(*total_) + share;
  }
  const double rate = elapsed > 0 ? static_cast<double>(records) / elapsed : 0;
  // \r and erase-to-end-of-line: the line is redrawn in place.
  std::fprintf(out_, "\rscan: %s, %.0f records/s, %zu incident%s so far\033[K", read.c_str(), rate, incidents,
               incidents == 1 ? "" : "s");
  std::fflush(out_);
  drawn_ = true;
}

void ScanProgress::finish(size_t records, size_t matched, size_t incidents) {
  if (!enabled_) return;
  if (drawn_) std::fputs("\r\033[K", out_);
  std::fprintf(out_, "scan: %zu records, %zu matched, %zu incident%s in %.1f s\n", records, matched, incidents,
               incidents == 1 ? "" : "s", seconds_since(start_));
  std::fflush(out_);
}

}  // namespace faultline
