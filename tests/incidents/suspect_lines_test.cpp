// What an unknown crash's incident shows as its likely cause: the instance's
// last error lines, and not what it merely quoted at INFO.
#include <doctest/doctest.h>

#include "incidents/suspect_lines.h"
#include "tests/support/event_builder.h"

namespace faultline::incident_tests {
namespace {

LogRecord line(std::string text, Timestamp time, std::string instance = "pod-1") {
  LogRecord r;
  r.service = "ledger";
  r.instance = std::move(instance);
  r.time = time;
  r.text = std::move(text);
  return r;
}

LogRecord leveled(std::string text, std::string level, Timestamp time) {
  LogRecord r = line(std::move(text), time);
  r.app_level = std::move(level);
  return r;
}

Event crash_of(std::string instance, Timestamp time) {
  return Ev("k8s_crashloop_backoff", RuleKind::loop, time).service("ledger").instance(std::move(instance));
}

std::vector<std::string> texts(const std::vector<SuspectLine>& lines) {
  std::vector<std::string> out;
  for (const auto& l : lines) out.push_back(l.line);
  return out;
}

}  // namespace

TEST_CASE("a record reads as an error by its own level first, then by what it says") {
  CHECK(is_suspect(leveled("settlement account has no signing key", "ERROR", at(0s))));
  CHECK(is_suspect(leveled("cannot continue", "CRITICAL", at(0s))));
  // An error quoted in an INFO record (a ticket, a retry note) is not a crash's cause.
  CHECK_FALSE(is_suspect(leveled("ticket 42: customer saw 'Error: connection refused'", "INFO", at(0s))));
  CHECK_FALSE(is_suspect(leveled("retrying after failure", "WARNING", at(0s))));
  CHECK(is_suspect(line("fatal: no signing key configured", at(0s))));
  CHECK(is_suspect(line("Unable to bind socket", at(0s))));
  CHECK_FALSE(is_suspect(line("listening on :8080", at(0s))));
  LogRecord on_stderr = line("refusing to start", at(0s));
  on_stderr.stream = "stderr";
  CHECK(is_suspect(on_stderr));
  LogRecord request = line("GET 500 /api/orders", at(0s));
  request.http_status = 500;
  request.severity = "ERROR";
  CHECK_FALSE(is_suspect(request));
}

TEST_CASE("a trace is represented by its root exception, a long line is cut on a character boundary") {
  LogRecord trace = line("Traceback (most recent call last):\n  File \"app.py\", line 3\nKeyError: 'SIGNING_KEY'", at(0s));
  trace.exceptions = {"KeyError: 'SIGNING_KEY'"};
  CHECK(suspect_line(trace) == "KeyError: 'SIGNING_KEY'");
  CHECK(suspect_line(line("\nerror: first\nsecond", at(0s))) == "error: first");
  const std::string long_text = "error: " + std::string(600, 'x') + "é";
  const std::string cut = suspect_line(line(std::string(508, 'a') + "éééé error", at(0s)));
  CHECK(cut.size() <= 512 + 3);
  CHECK(cut.ends_with("…"));
  CHECK(cut.find("\xc3…") == std::string::npos);  // no half character before the ellipsis
  CHECK(suspect_line(line(long_text, at(0s))).starts_with("error: xxx"));
}

TEST_CASE("a crash sees its own instance's last error lines from the window before it") {
  SuspectLog log(SuspectLog::Limits{.lines_per_instance = 3, .instances = 100, .window = std::chrono::minutes(10)});
  log.note(leveled("stale error from long ago", "ERROR", at(-20min)));
  log.note(leveled("starting", "INFO", at(1s)));
  log.note(leveled("config: no signing key", "ERROR", at(2s)));
  log.note(line("panic: refusing to start", at(3s)));
  log.note(line("error on another pod", at(3s), "pod-2"));
  log.note(line("error after the crash", at(30s)));

  CHECK(texts(log.before(crash_of("pod-1", at(5s)))) ==
        std::vector<std::string>{"config: no signing key", "panic: refusing to start"});
  CHECK(texts(log.before(crash_of("pod-2", at(5s)))) == std::vector<std::string>{"error on another pod"});
  CHECK(log.before(crash_of("pod-3", at(5s))).empty());
  // At most three lines per instance: the oldest goes.
  CHECK(texts(log.before(crash_of("pod-1", at(60s)))) ==
        std::vector<std::string>{"config: no signing key", "panic: refusing to start", "error after the crash"});
}

TEST_CASE("the instances kept are bounded, the least recently written forgotten first") {
  SuspectLog log(SuspectLog::Limits{.lines_per_instance = 2, .instances = 100, .window = std::chrono::minutes(10)});
  for (int i = 0; i < 250; ++i) log.note(line("error " + std::to_string(i), at(std::chrono::seconds(i)), "pod-" + std::to_string(i)));
  CHECK(log.instances() <= 100);
  CHECK(log.before(crash_of("pod-0", at(300s))).empty());
  CHECK(texts(log.before(crash_of("pod-249", at(300s)))) == std::vector<std::string>{"error 249"});
}

}  // namespace faultline::incident_tests
