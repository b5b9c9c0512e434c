#include "incidents/exit_code.h"

#include <array>
#include <cctype>
#include <utility>

namespace faultline {
namespace {

// Linux numbering; beyond this table a number maps to "SIG<n>" (at most 64 labels).
constexpr std::array<std::string_view, 16> kSignalNames = {
    "",        "SIGHUP",  "SIGINT",  "SIGQUIT", "SIGILL",  "SIGTRAP", "SIGABRT", "SIGBUS",
    "SIGFPE",  "SIGKILL", "SIGUSR1", "SIGSEGV", "SIGUSR2", "SIGPIPE", "SIGALRM", "SIGTERM"};

std::optional<long long> parse_integer(std::string_view text) {
  bool negative = !text.empty() && text.front() == '-';
  if (negative) text.remove_prefix(1);
  if (text.empty() || text.size() > 12) return std::nullopt;
  long long value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + (c - '0');
  }
  return negative ? -value : value;
}

std::string signal_label(std::string_view text) {
  if (auto number = parse_integer(text)) {
    if (*number >= 1 && *number < static_cast<long long>(kSignalNames.size()))
      return std::string(kSignalNames[static_cast<size_t>(*number)]);
    if (*number >= 1 && *number <= 64) return "SIG" + std::to_string(*number);
    return "other";
  }
  std::string upper;
  for (char c : text) upper += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  if (upper.rfind("SIG", 0) != 0) upper = "SIG" + upper;
  for (std::string_view name : kSignalNames)
    if (!name.empty() && upper == name) return upper;
  return "other";
}

}  // namespace

std::optional<std::string> exit_label(const Event& event) {
  const std::string& code = event.capture("code");
  if (!code.empty()) {
    if (auto number = parse_integer(code)) return std::to_string(((*number % 256) + 256) % 256);
    return signal_label(code);
  }
  const std::string& signal = event.capture("signal");
  if (!signal.empty()) return signal_label(signal);
  return std::nullopt;
}

std::string_view exit_meaning(std::string_view label) {
  static constexpr std::array<std::pair<std::string_view, std::string_view>, 14> kMeanings = {{
      {"1", "general application error"},
      {"2", "bad command-line usage"},
      {"3", "application boot failure by convention"},
      {"126", "command found but not executable"},
      {"127", "command or shared library not found"},
      {"134", "aborted, SIGABRT"},
      {"137", "killed by SIGKILL, usually out of memory"},
      {"139", "segmentation fault, SIGSEGV"},
      {"143", "terminated by SIGTERM"},
      {"SIGABRT", "aborted"},
      {"SIGKILL", "usually out of memory"},
      {"SIGSEGV", "segmentation fault"},
      {"SIGTERM", "terminated by the platform"},
      {"SIGBUS", "bus error"},
  }};
  for (const auto& [key, meaning] : kMeanings)
    if (key == label) return meaning;
  return {};
}

std::string exit_hint(std::string_view label, const std::string& service, const std::string& namespace_name) {
  // The command that shows the crashed run's own last lines, where they are.
  const std::string last_lines =
      !namespace_name.empty()
          ? "`kubectl logs deployment/" + service + " -n " + namespace_name + " --previous --tail=50`"
          : "`gcloud logging read 'resource.labels.service_name=\"" + service + "\" severity>=WARNING' --limit=50`";
  if (label == "3")
    return "gunicorn exits 3 when a worker fails to boot: look for the import or configuration error printed just "
           "before 'Worker failed to boot' (stderr lines may carry no ERROR severity; " + last_lines +
           " lists them), or run the image locally with the same command and environment.";
  if (label == "127")
    return "Exit 127, command or shared library not found: check CMD/ENTRYPOINT paths, and run `ldd` on the "
           "binary inside the image (e.g. `ldd /usr/local/bin/app | grep 'not found'`).";
  if (label == "126")
    return "Exit 126, the command is not executable: check the file mode (`chmod +x` in the Dockerfile) and the "
           "shebang line.";
  if (label == "137" || label == "SIGKILL")
    return "Killed with SIGKILL (exit 137), usually for memory: look for OOM messages around the exit, raise the "
           "memory limit (" + (!namespace_name.empty()
                                   ? "`kubectl set resources deployment/" + service + " -n " + namespace_name +
                                         " --limits=memory=2Gi`"
                                   : "`gcloud run services update " + service + " --memory=2Gi`") +
           ") or find the leak.";
  if (label == "139" || label == "SIGSEGV")
    return "Segmentation fault (exit 139, SIGSEGV): the process crashed in native code. Check native extensions "
           "and base-image library versions; enable core dumps or Python's faulthandler "
           "(`PYTHONFAULTHANDLER=1` on the service prints the Python stack of the crash).";
  if (label == "143" || label == "SIGTERM")
    return "Terminated by the platform (exit 143, SIGTERM): look for failed startup or liveness probes, or "
           "scale-down, around the exit (" + (!namespace_name.empty()
                                                  ? "`kubectl describe pod -n " + namespace_name + " -l app=" + service + "`"
                                                  : last_lines) + ").";
  return "No line matched a known root cause: read the container's last lines before the exit (" + last_lines +
         "), and consider adding a rule for the cause you find (`faultline rules check` validates it).";
}

}  // namespace faultline
