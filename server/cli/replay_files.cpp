#include "server/cli/replay_files.h"

#include <malloc.h>

#include <algorithm>
#include <cstdio>
#include <deque>
#include <filesystem>
#include <future>
#include <thread>

#include "server/cli/scan_input.h"

namespace faultline {
namespace {

// One piece of an input, parsed and matched on a worker thread; correlated on
// the replaying thread, in input order.
struct ScannedPiece {
  ParseResult parsed;      // its errors and warnings (the records moved into `prepared`)
  PreparedBatch prepared;
  uint64_t file_bytes = 0; // bytes of the file read when it was cut, for progress
};

}  // namespace

std::optional<uint64_t> input_size(const std::string& name) {
  if (name == "-") return std::nullopt;
  std::error_code ec;
  const auto size = std::filesystem::file_size(name, ec);
  if (ec) return std::nullopt;
  return size;
}

ReplayCounts replay_files(Pipeline& pipeline, const std::vector<std::string>& files, InputFormat format,
                          const ParseOptions& parse, const std::string& program,
                          const std::function<void(uint64_t, const ReplayCounts&)>& on_piece) {
  ReplayCounts counts;
#ifdef __GLIBC__
  // Every piece allocates and frees the same few megabytes of records; by
  // default glibc hands blocks that large back to the kernel and faults them
  // in again for the next piece (a tenth to a fifth of a text scan, in the kernel).
  mallopt(M_MMAP_THRESHOLD, 256 << 20);
  mallopt(M_TRIM_THRESHOLD, 512 << 20);
  // Each piece runs on a fresh thread, and glibc gives threads arenas of their
  // own (up to 8 per core) that keep what they freed, fragmented by the
  // long-lived state allocated beside it: the peak grew with the input (16 MB
  // of text 60 MiB, 300 MB 75 MiB with four arenas). One arena keeps it flat,
  // and costs nothing measurable: the workers spend their time parsing.
  mallopt(M_ARENA_MAX, 1);
#endif
  // Pieces parsed and matched ahead of correlation: one per core, and one more
  // so that a core never waits for the correlating thread to hand out work.
  const size_t max_ahead = std::max(1u, std::thread::hardware_concurrency()) + 1;
  uint64_t bytes_before = 0;  // input bytes of the files done
  for (const std::string& file : files) {
    const uint64_t file_bytes = input_size(file).value_or(0);
    ScanInput input;
    std::string error;
    if (!input.open(file, format, error)) {
      std::fprintf(stderr, "%s: %s\n", program.c_str(), error.c_str());
      ++counts.input_errors;
      continue;
    }
    // Parsing and matching a piece needs nothing from the pieces before it, so
    // they run on worker threads, a few pieces ahead; correlation is
    // order-sensitive and takes them back here one by one, in input order.
    size_t record_base = 0;
    std::deque<std::future<ScannedPiece>> ahead;
    auto take_oldest = [&] {
      ScannedPiece done = ahead.front().get();
      ahead.pop_front();
      ParseResult& parsed = done.parsed;
      for (RecordError e : parsed.errors) {
        e.index += record_base;
        std::fprintf(stderr, "%s: %s\n", file.c_str(), e.describe().c_str());
      }
      for (RecordError w : parsed.warnings) {  // ingested all the same
        w.index += record_base;
        std::fprintf(stderr, "%s: warning: %s\n", file.c_str(), w.describe().c_str());
      }
      counts.input_errors += parsed.errors.size();
      counts.unknown_service += parsed.unknown_service;
      record_base += parsed.input_records;
      const IngestSummary summary = pipeline.commit(std::move(done.prepared));
      counts.records += summary.accepted;
      counts.matched += summary.matched;
      if (on_piece) on_piece(bytes_before + done.file_bytes, counts);
    };
    std::string_view piece;
    while (input.next(piece, error)) {
      if (ahead.size() >= max_ahead) take_oldest();
      // The input reuses its buffer for the next piece: the worker gets a copy.
      // Byte offsets, also those inside messages, count from the start of the
      // file; record indexes are only known once the pieces before are parsed,
      // so they are shifted when the piece is taken back.
      ParseOptions piece_parse = parse;
      piece_parse.base_offset = input.piece_offset();
      ahead.push_back(std::async(std::launch::async, [&pipeline, &format, piece_parse, text = std::string(piece),
                                                      file_bytes = input.file_bytes_read()] {
        ScannedPiece out;
        out.parsed = parse_input(text, format, piece_parse);
        out.prepared = pipeline.prepare(std::move(out.parsed.records));
        out.file_bytes = file_bytes;
        return out;
      }));
    }
    while (!ahead.empty()) take_oldest();
    if (!error.empty()) {
      std::fprintf(stderr, "%s: %s\n", program.c_str(), error.c_str());
      ++counts.input_errors;
    }
    bytes_before += file_bytes;
  }
  return counts;
}

}  // namespace faultline
