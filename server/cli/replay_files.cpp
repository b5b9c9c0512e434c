#include "server/cli/replay_files.h"

#include <cstdio>
#include <filesystem>

#include "server/cli/scan_input.h"

namespace faultline {

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
    size_t record_base = 0;
    std::string_view piece;
    while (input.next(piece, error)) {
      ParseResult parsed = parse_input(piece, format, parse);
      for (RecordError e : parsed.errors) {
        e.index += record_base;
        e.offset += input.piece_offset();
        std::fprintf(stderr, "%s: %s\n", file.c_str(), e.describe().c_str());
      }
      for (RecordError w : parsed.warnings) {  // ingested all the same
        w.index += record_base;
        w.offset += input.piece_offset();
        std::fprintf(stderr, "%s: warning: %s\n", file.c_str(), w.describe().c_str());
      }
      counts.input_errors += parsed.errors.size();
      counts.unknown_service += parsed.unknown_service;
      record_base += parsed.input_records;
      const IngestSummary summary = pipeline.ingest(std::move(parsed.records));
      counts.records += summary.accepted;
      counts.matched += summary.matched;
      if (on_piece) on_piece(bytes_before + input.file_bytes_read(), counts);
    }
    if (!error.empty()) {
      std::fprintf(stderr, "%s: %s\n", program.c_str(), error.c_str());
      ++counts.input_errors;
    }
    bytes_before += file_bytes;
  }
  return counts;
}

}  // namespace faultline
