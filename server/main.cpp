// faultline: one binary, several commands. Each command owns its flags and help.
#include <cstdio>
#include <string>
#include <vector>

#include "server/cli/rules_command.h"
#include "server/cli/scan_command.h"
#include "server/serve_command.h"

namespace {

constexpr const char* kUsage = R"(faultline — tells you why a service just went down.

Usage: faultline <command> [options]

Commands:
  serve         run the daemon: HTTP ingest, incident API, /metrics
  scan          read log files (Cloud Logging exports, NDJSON, text) and print incidents
  rules check   validate a rule pack (file or directory)
  rules test    run rule pack tests (expected matches and incidents)
  rules suggest draft rules for crashes no rule explains, from log files
  version       print the version

Run 'faultline <command> --help' for a command's options.
)";

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty() || args[0] == "help" || args[0] == "--help" || args[0] == "-h") {
    std::fputs(kUsage, args.empty() ? stderr : stdout);
    return args.empty() ? 2 : 0;
  }
  const std::string command = args[0];
  std::vector<std::string> rest(args.begin() + 1, args.end());
  if (command == "serve") return faultline::run_serve(rest);
  if (command == "scan") return faultline::run_scan(rest);
  if (command == "rules") return faultline::run_rules(rest);
  if (command == "version" || command == "--version") {
    std::printf("faultline %s\n", FAULTLINE_VERSION);
    return 0;
  }
  std::fprintf(stderr, "faultline: unknown command '%s'\n\n%s", command.c_str(), kUsage);
  return 2;
}
