// Log files through a pipeline, as `faultline scan` reads them: what `scan`
// and `rules suggest` share. Bad records are reported on standard error, the
// good ones beside them ingested.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "incidents/pipeline.h"
#include "parsers/parse.h"

namespace faultline {

struct ReplayCounts {
  size_t records = 0;          // accepted by the pipeline
  size_t matched = 0;          // of which some rule matched
  size_t input_errors = 0;     // bad records, and files that could not be read
  size_t unknown_service = 0;  // records filed under kUnknownService
};

// A file's size on disk; nullopt for standard input or what cannot be stat'ed.
std::optional<uint64_t> input_size(const std::string& name);

// Ingests every file (`-` is standard input) piece by piece; does not call
// finish(). `on_piece` gets the input bytes read so far (of all the files) and
// the counts after each piece. Messages start with `program` ("faultline scan").
ReplayCounts replay_files(Pipeline& pipeline, const std::vector<std::string>& files, InputFormat format,
                          const ParseOptions& parse, const std::string& program,
                          const std::function<void(uint64_t bytes_read, const ReplayCounts&)>& on_piece = {});

}  // namespace faultline
