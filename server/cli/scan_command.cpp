#include "server/cli/scan_command.h"

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <optional>

#include "incidents/pipeline.h"
#include "parsers/parse.h"
#include "rules/rule_set.h"
#include "rules/rules_path.h"
#include "server/cli/incident_table.h"
#include "server/cli/scan_input.h"
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
    ScanInput input;
    std::string error;
    if (!input.open(file, options.format, error)) {
      std::fprintf(stderr, "faultline scan: %s\n", error.c_str());
      ++input_errors;
      continue;
    }
    size_t record_base = 0;
    std::string_view piece;
    while (input.next(piece, error)) {
      // Errors and their messages name records and bytes of the whole file.
      options.parse.base_index = record_base;
      options.parse.base_offset = input.piece_offset();
      ParseResult parsed = parse_input(piece, options.format, options.parse);
      for (const RecordError& e : parsed.errors)
        std::fprintf(stderr, "%s: %s\n", file.c_str(), e.describe().c_str());
      for (const RecordError& w : parsed.warnings)  // scanned all the same
        std::fprintf(stderr, "%s: warning: %s\n", file.c_str(), w.describe().c_str());
      input_errors += parsed.errors.size();
      unknown_service += parsed.unknown_service;
      record_base += parsed.input_records;
      const IngestSummary summary = pipeline.ingest(std::move(parsed.records));
      records += summary.accepted;
      matched += summary.matched;
      progress.update(bytes_before + input.file_bytes_read(), records, pipeline.stats().correlator.incidents);
    }
    if (!error.empty()) {
      std::fprintf(stderr, "faultline scan: %s\n", error.c_str());
      ++input_errors;
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
