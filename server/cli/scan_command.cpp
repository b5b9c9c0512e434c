#include "server/cli/scan_command.h"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <iterator>
#include <optional>

#include "incidents/pipeline.h"
#include "parsers/gzip.h"
#include "parsers/parse.h"
#include "rules/rule_set.h"
#include "rules/rules_path.h"
#include "server/cli/incident_table.h"
#include "server/cli/scan_progress.h"

namespace faultline {
namespace {

constexpr const char* kHelp = R"(Usage: faultline scan [options] FILE... | -

Replays log files through faultline's rules and correlation and prints the
incidents they open. Files may be gzip-compressed. '-' reads standard input.

Options:
  --format F     auto (default), logentry, ndjson, text, pubsub, loki, msgpack
                 (Fluent Bit's MessagePack events; never detected by auto)
  --json         print {"incidents":[...]} (the API's incident shape)
  --rules PATH   rule pack file or directory (default: the bundled pack)
  --service S    service for records that name none (else they are scanned
                 under "unknown", and a note on standard error says how many)
  --revision R   revision for records that name none
  --instance I   instance for records that name none
  -h, --help     this help

On a terminal, standard error shows the bytes read, records per second and
incidents so far, then a one-line summary; not when it is piped or redirected.

Exit status: 0 no open incident, 1 open incidents, 2 usage or input errors.
)";

// A file's size on disk; nullopt for standard input or what cannot be stat'ed.
std::optional<uint64_t> input_size(const std::string& name) {
  if (name == "-") return std::nullopt;
  std::error_code ec;
  const auto size = std::filesystem::file_size(name, ec);
  if (ec) return std::nullopt;
  return size;
}

// The inputs' total size, when every one of them has one.
std::optional<uint64_t> total_size(const std::vector<std::string>& files) {
  uint64_t total = 0;
  for (const std::string& file : files) {
    auto size = input_size(file);
    if (!size) return std::nullopt;
    total += *size;
  }
  return total;
}

// Line-based inputs larger than this are fed in chunks so memory stays bounded.
constexpr size_t kChunkBytes = 1 << 20;
// A compressed export may not expand beyond this.
constexpr size_t kMaxScanBytes = size_t{2} << 30;

struct ScanOptions {
  InputFormat format = InputFormat::automatic;
  bool json = false;
  std::string rules;
  ParseOptions parse;
  std::vector<std::string> files;
};

int usage_error(const std::string& message) {
  std::fprintf(stderr, "faultline scan: %s\nRun 'faultline scan --help' for usage.\n", message.c_str());
  return 2;
}

bool read_input(const std::string& name, std::string& out, std::string& error) {
  if (name == "-") {
    out.assign(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
    return true;
  }
  std::FILE* file = std::fopen(name.c_str(), "rb");
  if (!file) {
    error = "cannot open " + name + ": " + std::strerror(errno);
    return false;
  }
  // Read straight into the string: a stream buffer would copy every byte twice.
  if (std::fseek(file, 0, SEEK_END) == 0) {
    long size = std::ftell(file);
    if (size > 0) out.reserve(static_cast<size_t>(size));
    std::rewind(file);
  }
  char buffer[1 << 16];
  size_t n;
  while ((n = std::fread(buffer, 1, sizeof buffer, file)) > 0) out.append(buffer, n);
  bool failed = std::ferror(file);
  std::fclose(file);
  if (failed) {
    error = "cannot read " + name + ": " + std::strerror(errno);
    return false;
  }
  return true;
}

// Cuts at newlines: text and NDJSON records never span lines. A JSON document
// (array, or a pretty-printed object) must be read whole.
std::vector<std::string_view> chunks_of(std::string_view body, InputFormat format) {
  size_t first = body.find_first_not_of(" \t\r\n");
  bool line_based = format == InputFormat::text || format == InputFormat::ndjson ||
                    (format == InputFormat::automatic && first != std::string_view::npos && body[first] != '[');
  if (!line_based || body.size() <= 2 * kChunkBytes) return {body};
  std::vector<std::string_view> chunks;
  while (!body.empty()) {
    size_t newline = body.size() <= kChunkBytes ? std::string_view::npos : body.find('\n', kChunkBytes);
    size_t cut = newline == std::string_view::npos ? body.size() : newline + 1;
    chunks.push_back(body.substr(0, cut));
    body.remove_prefix(cut);
  }
  return chunks;
}

bool parse_args(const std::vector<std::string>& args, ScanOptions& options, int& exit_code) {
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    auto value = [&](std::string& out) {
      if (i + 1 >= args.size()) return false;
      out = args[++i];
      return true;
    };
    std::string v;
    if (arg == "-h" || arg == "--help") {
      std::fputs(kHelp, stdout);
      exit_code = 0;
      return false;
    } else if (arg == "--json") {
      options.json = true;
    } else if (arg == "--format") {
      if (!value(v) || !parse_input_format(v, options.format)) {
        exit_code = usage_error("--format expects auto, logentry, ndjson, text, pubsub, loki or msgpack");
        return false;
      }
    } else if (arg == "--rules" || arg == "--service" || arg == "--revision" || arg == "--instance") {
      if (!value(v)) {
        exit_code = usage_error(arg + " expects a value");
        return false;
      }
      if (arg == "--rules") options.rules = v;
      if (arg == "--service") options.parse.service = v;
      if (arg == "--revision") options.parse.revision = v;
      if (arg == "--instance") options.parse.instance = v;
    } else if (arg.size() > 1 && arg[0] == '-') {
      exit_code = usage_error("unknown option " + arg);
      return false;
    } else {
      options.files.push_back(arg);
    }
  }
  if (options.files.empty()) {
    exit_code = usage_error("no input: give one or more files, or - for standard input");
    return false;
  }
  return true;
}

}  // namespace

int run_scan(const std::vector<std::string>& args) {
  ScanOptions options;
  int exit_code = 2;
  if (!parse_args(args, options, exit_code)) return exit_code;
  if (options.rules.empty()) options.rules = default_rules_path();

  std::vector<RuleProblem> problems;
  auto rules = RuleSet::load(options.rules, problems);
  if (!rules) {
    for (const auto& problem : problems) std::fprintf(stderr, "%s\n", problem.describe().c_str());
    std::fprintf(stderr, "faultline scan: %zu problem(s) in rules %s\n", problems.size(), options.rules.c_str());
    return 2;
  }

  auto wall_clock = [] { return Timestamp{std::chrono::system_clock::now()}; };
  Pipeline pipeline(rules, PipelineConfig{}, wall_clock);
  options.parse.arrival = wall_clock();
  size_t input_errors = 0;
  size_t unknown_service = 0;
  size_t records = 0, matched = 0;
  ScanProgress progress(stderr, is_terminal(stderr), total_size(options.files));
  uint64_t bytes_before = 0;  // input bytes of the files done
  for (const std::string& file : options.files) {
    const uint64_t file_bytes = input_size(file).value_or(0);
    std::string body, error;
    if (!read_input(file, body, error)) {
      std::fprintf(stderr, "faultline scan: %s\n", error.c_str());
      ++input_errors;
      continue;
    }
    if (looks_gzipped(body)) {
      GunzipResult plain = gunzip(body, kMaxScanBytes);
      if (plain.status != GunzipStatus::ok) {
        std::fprintf(stderr, "faultline scan: %s: %s\n", file.c_str(), plain.error.c_str());
        ++input_errors;
        continue;
      }
      body = std::move(plain.data);
    }
    size_t record_base = 0;
    const char* start = body.data();
    for (std::string_view chunk : chunks_of(body, options.format)) {
      ParseResult parsed = parse_input(chunk, options.format, options.parse);
      for (RecordError e : parsed.errors) {
        e.index += record_base;
        e.offset += static_cast<size_t>(chunk.data() - start);
        std::fprintf(stderr, "%s: %s\n", file.c_str(), e.describe().c_str());
      }
      for (RecordError w : parsed.warnings) {  // scanned all the same
        w.index += record_base;
        w.offset += static_cast<size_t>(chunk.data() - start);
        std::fprintf(stderr, "%s: warning: %s\n", file.c_str(), w.describe().c_str());
      }
      input_errors += parsed.errors.size();
      unknown_service += parsed.unknown_service;
      record_base += parsed.input_records;
      const IngestSummary summary = pipeline.ingest(std::move(parsed.records));
      records += summary.accepted;
      matched += summary.matched;
      if (progress.enabled()) {
        // Where this chunk ends, in the file's own (maybe compressed) bytes.
        const double read = static_cast<double>(chunk.data() + chunk.size() - start) / std::max<size_t>(body.size(), 1);
        progress.update(bytes_before + static_cast<uint64_t>(read * static_cast<double>(file_bytes)), records,
                        pipeline.stats().correlator.incidents);
      }
    }
    bytes_before += file_bytes;
  }
  const IngestSummary last = pipeline.finish();
  records += last.accepted;
  matched += last.matched;
  progress.finish(records, matched, pipeline.stats().correlator.incidents);

  std::vector<Incident> incidents = pipeline.incidents();
  if (options.json) {
    nlohmann::json out = {{"incidents", nlohmann::json::array()}};
    for (const Incident& incident : incidents) out["incidents"].push_back(to_json(incident));
    std::printf("%s\n", out.dump(2).c_str());
  } else {
    std::fputs(render_incident_table(incidents).c_str(), stdout);
  }
  if (unknown_service > 0)
    std::fprintf(stderr,
                 "faultline scan: %zu record(s) named no service and were scanned under service \"%s\"; "
                 "give --service NAME\n",
                 unknown_service, std::string(kUnknownService).c_str());
  if (input_errors > 0) {
    std::fprintf(stderr, "faultline scan: %zu input error(s); the good records were scanned\n", input_errors);
    return 2;
  }
  for (const Incident& incident : incidents)
    if (incident.state != IncidentState::resolved) return 1;
  return 0;
}

}  // namespace faultline
