// RuleSet::match: candidates from the RE2::Set, captures from each rule's RE2,
// filters, sample lines, ordering, and the fallback when the set cannot decide.
#include <string>
#include <vector>

#include <doctest/doctest.h>

#include "rules/rule_set.h"
#include "rules/template.h"

namespace faultline {
namespace {

const char* const kPack = R"yaml(rules:
  - id: request_ok
    kind: recovery
    pattern: "^[A-Z]+ 2\\d\\d https?://"
    severity: info
    summary: ok
    match: {stream: [requests]}
    examples: {match: ["GET 200 https://a/"]}
  - id: worker_exited
    kind: effect
    pattern: "Worker \\(pid:\\d+\\) exited with code (?P<code>\\d+)"
    severity: warning
    summary: "worker exited with {code}"
    examples: {match: ["Worker (pid:7) exited with code 3"]}
  - id: module_missing
    kind: cause
    pattern: "ModuleNotFoundError: No module named '(?P<module>(?P<package>[^'.]+)[^']*)'(, (unused))?"
    severity: critical
    summary: "{module} missing"
    hint: "install {package}; {{literal}}"
    examples: {match: ["ModuleNotFoundError: No module named 'a.b'"]}
  - id: errors_only
    kind: cause
    pattern: "disk full"
    severity: critical
    summary: full
    match: {severity: [error, critical], resource_type: [k8s_container]}
    examples: {match: ["disk full"]}
)yaml";

std::shared_ptr<const RuleSet> load(const RuleSetOptions& options = {}) {
  std::vector<RuleProblem> problems;
  auto set = RuleSet::load_text(kPack, "test.yaml", problems, options);
  for (const RuleProblem& problem : problems) MESSAGE(problem.describe());
  REQUIRE(set != nullptr);
  return set;
}

LogRecord record_with(std::string text) {
  LogRecord record;
  record.text = std::move(text);
  record.service = "api";
  record.namespace_name = "prod";
  record.cluster = "c1";
  record.revision = "api-00001-abc";
  record.instance = "i-1";
  record.stream = "stderr";
  record.severity = "ERROR";
  record.resource_type = "cloud_run_revision";
  record.source_id = "id-1|log";
  record.time = Timestamp(std::chrono::seconds(1700000000));
  record.culprit = Frame{"/app/main.py", 3, "<module>"};
  return record;
}

TEST_SUITE("rule set matching") {
  TEST_CASE("a match fills captures, rendered texts, the sample line and the record's fields") {
    auto set = load();
    const LogRecord record = record_with(
        "Traceback (most recent call last):\n  File \"/app/main.py\", line 3, in <module>\r\n"
        "ModuleNotFoundError: No module named 'netra.services.monitoring'\r\nDuring handling");
    std::vector<Event> events;
    REQUIRE(set->match(record, events));
    REQUIRE(events.size() == 1);
    const Event& event = events[0];
    CHECK(event.rule_id == "module_missing");
    CHECK(event.kind == RuleKind::cause);
    CHECK(event.severity == Severity::critical);
    // Named groups that took part, in group order; unnamed and absent groups are left out.
    CHECK(event.captures == std::vector<std::pair<std::string, std::string>>{
                                {"module", "netra.services.monitoring"}, {"package", "netra"}});
    CHECK(event.summary == "netra.services.monitoring missing");
    CHECK(event.hint == "install netra; {literal}");
    CHECK(event.sample == "ModuleNotFoundError: No module named 'netra.services.monitoring'");
    CHECK(event.time == record.time);
    CHECK(event.service == "api");
    CHECK(event.namespace_name == "prod");
    CHECK(event.cluster == "c1");
    CHECK(event.revision == "api-00001-abc");
    CHECK(event.instance == "i-1");
    CHECK(event.stream == "stderr");
    CHECK(event.resource_type == "cloud_run_revision");
    CHECK(event.source_id == "id-1|log");
    REQUIRE(event.culprit.has_value());
    CHECK(event.culprit->line == 3);
  }

  TEST_CASE("no match appends nothing and is decided") {
    auto set = load();
    std::vector<Event> events;
    CHECK(set->match(record_with("all good"), events));
    CHECK(events.empty());
    CHECK(set->match(record_with(""), events));
    CHECK(events.empty());
  }

  TEST_CASE("several rules on one record come out cause first, each rule once") {
    auto set = load();
    const LogRecord record = record_with(
        "Worker (pid:7) exited with code 3\nModuleNotFoundError: No module named 'a'\n"
        "ModuleNotFoundError: No module named 'b'\nWorker (pid:8) exited with code 1");
    std::vector<Event> events;
    REQUIRE(set->match(record, events));
    REQUIRE(events.size() == 2);
    CHECK(events[0].rule_id == "module_missing");  // loaded after worker_exited, but a cause
    CHECK(events[0].capture("module") == "a");     // the first match in the text
    CHECK(events[1].rule_id == "worker_exited");
    CHECK(events[1].capture("code") == "3");
    CHECK(events[1].sample == "Worker (pid:7) exited with code 3");
  }

  TEST_CASE("match filters: stream, severity (any case) and resource type") {
    auto set = load();
    std::vector<Event> events;
    LogRecord request = record_with("GET 200 https://api.example.com/health");
    CHECK(set->match(request, events));
    CHECK(events.empty());  // stream is stderr
    request.stream = "requests";
    CHECK(set->match(request, events));
    REQUIRE(events.size() == 1);
    CHECK(events[0].rule_id == "request_ok");

    events.clear();
    LogRecord disk = record_with("disk full");
    CHECK(set->match(disk, events));
    CHECK(events.empty());  // resource type is cloud_run_revision
    disk.resource_type = "k8s_container";
    disk.severity = "Critical";
    CHECK(set->match(disk, events));
    CHECK(events.size() == 1);
    events.clear();
    disk.severity = "";  // a severity filter rejects a record without severity
    CHECK(set->match(disk, events));
    CHECK(events.empty());
  }

  TEST_CASE("the sample is cut to 1 KiB on a character boundary") {
    auto set = load();
    std::string text = "ModuleNotFoundError: No module named 'x' ";
    while (text.size() < 1023) text += "a";
    text += "\xC3\xA9 tail";  // "é" straddles the 1024-byte limit
    std::vector<Event> events;
    REQUIRE(set->match(record_with(text), events));
    REQUIRE(events.size() == 1);
    CHECK(events[0].sample == text.substr(0, 1023));
  }

  TEST_CASE("when the RE2::Set cannot be built, matching goes rule by rule and says so") {
    RuleSetOptions tiny;
    tiny.set_max_mem = 1024;  // too small for RE2::Set::Compile()
    auto set = load(tiny);
    CHECK(set->degraded());
    std::vector<Event> events;
    CHECK_FALSE(set->match(record_with("ModuleNotFoundError: No module named 'a.b'"), events));
    REQUIRE(events.size() == 1);
    CHECK(events[0].rule_id == "module_missing");
    CHECK(events[0].capture("module") == "a.b");
    // The prefilter still decides the records that hold no rule's literal.
    events.clear();
    CHECK(set->match(record_with("nothing here"), events));
    CHECK(events.empty());
    CHECK_FALSE(load()->degraded());
  }

  TEST_CASE("unless: a line it matches does not count, and the rule looks on the next lines") {
    const std::string yaml = R"yaml(rules:
  - id: module_missing
    kind: cause
    pattern: "ModuleNotFoundError: No module named '(?P<module>[^']+)'"
    unless: "^E\\s{2,}"
    severity: critical
    summary: "{module} missing"
    examples:
      match: ["ModuleNotFoundError: No module named 'a'"]
      no_match: ["E   ModuleNotFoundError: No module named 'a'"]
)yaml";
    std::vector<RuleProblem> problems;
    auto set = RuleSet::load_text(yaml, "unless.yaml", problems);
    for (const RuleProblem& problem : problems) MESSAGE(problem.describe());
    REQUIRE(set != nullptr);
    std::vector<Event> events;
    CHECK(set->match(record_with("E   ModuleNotFoundError: No module named 'add_path'"), events));
    CHECK(events.empty());
    // The excluded line is skipped; a later line of the same record still fires.
    CHECK(set->match(record_with("E   ModuleNotFoundError: No module named 'a'\n"
                                 "ModuleNotFoundError: No module named 'b'"),
                     events));
    REQUIRE(events.size() == 1);
    CHECK(events[0].capture("module") == "b");
    CHECK(events[0].sample == "ModuleNotFoundError: No module named 'b'");
    // `^` in `unless` is the start of the matching line, not of the record.
    events.clear();
    CHECK(set->match(record_with("header\nE   ModuleNotFoundError: No module named 'a'"), events));
    CHECK(events.empty());
  }

  TEST_CASE("a cause the application logged at DEBUG, INFO or NOTICE is a quote, not its crash") {
    auto set = load();
    std::vector<Event> events;
    LogRecord quoted = record_with("ticket 4411: customer pasted ModuleNotFoundError: No module named 'a.b'\n"
                                   "Worker (pid:7) exited with code 3");
    for (const char* level : {"DEBUG", "INFO", "NOTICE"}) {
      quoted.app_level = level;
      events.clear();
      CHECK(set->match(quoted, events));
      REQUIRE(events.size() == 1);  // the effect in the same record still counts
      CHECK(events[0].rule_id == "worker_exited");
    }
    for (const char* level : {"", "WARNING", "ERROR", "CRITICAL"}) {
      quoted.app_level = level;
      events.clear();
      CHECK(set->match(quoted, events));
      REQUIRE(events.size() == 2);
      CHECK(events[0].rule_id == "module_missing");
    }
  }

  TEST_CASE("fallback: a catch-all cause gives way to another cause on the same record") {
    const std::string yaml = R"yaml(rules:
  - id: unhandled
    kind: cause
    fallback: true
    pattern: "Unhandled exception\\. (?P<class>[\\w.]+)"
    severity: critical
    summary: "{class}"
    examples: {match: ["Unhandled exception. System.Exception: x"]}
  - id: assembly_missing
    kind: cause
    pattern: "Could not load file or assembly '(?P<library>[^',]+)"
    severity: critical
    summary: "{library}"
    examples: {match: ["Could not load file or assembly 'Core, Version=1.0.0.0'"]}
  - id: exited
    kind: effect
    pattern: "exited with code (?P<code>\\d+)"
    severity: warning
    summary: "{code}"
    examples: {match: ["exited with code 1"]}
)yaml";
    std::vector<RuleProblem> problems;
    auto set = RuleSet::load_text(yaml, "fallback.yaml", problems);
    for (const RuleProblem& problem : problems) MESSAGE(problem.describe());
    REQUIRE(set != nullptr);
    std::vector<Event> events;
    CHECK(set->match(record_with("Unhandled exception. System.IO.FileNotFoundException: Could not load file or "
                                 "assembly 'Core, Version=2024.7.2.0'.\nexited with code 1"),
                     events));
    REQUIRE(events.size() == 2);
    CHECK(events[0].rule_id == "assembly_missing");
    CHECK(events[1].rule_id == "exited");  // effects stay
    events.clear();
    CHECK(set->match(record_with("Unhandled exception. System.InvalidOperationException: boom\nexited with code 1"),
                     events));
    REQUIRE(events.size() == 2);
    CHECK(events[0].rule_id == "unhandled");
    CHECK(events[0].capture("class") == "System.InvalidOperationException");
    // A report that something died is one at any level (supervisord logs "gave up" at INFO).
    LogRecord at_info = record_with("Unhandled exception. System.InvalidOperationException: boom");
    at_info.app_level = "INFO";
    events.clear();
    CHECK(set->match(at_info, events));
    REQUIRE(events.size() == 1);
    CHECK(events[0].rule_id == "unhandled");
  }

  TEST_CASE("a capture name repeated across alternatives, and rewrites of captures") {
    const std::string yaml = R"yaml(rules:
  - id: class_missing
    kind: cause
    pattern: "(?:ClassNotFoundException: (?P<class>[\\w$.]+)|NoClassDefFoundError: (?P<class>[\\w$/]+)|(?P<class__2>zzz))"
    rewrite: {class: {"/": "."}}
    severity: critical
    summary: "{class} missing"
    examples: {match: ["ClassNotFoundException: a.b.C", "NoClassDefFoundError: a/b/C"]}
)yaml";
    std::vector<RuleProblem> problems;
    auto set = RuleSet::load_text(yaml, "repeat.yaml", problems);
    for (const RuleProblem& problem : problems) MESSAGE(problem.describe());
    REQUIRE(set != nullptr);
    const Rule* rule = set->find("class_missing");
    REQUIRE(rule != nullptr);
    CHECK(rule->capture_names == std::vector<std::string>{"class", "class", "class__2"});
    CHECK(rule->pattern.find("(?P<class__3>") == std::string::npos);  // the written form is kept
    CHECK(rule->regex->pattern().find("(?P<class__3>") != std::string::npos);
    for (const char* text : {"ClassNotFoundException: org.slf4j.LoggerFactory",
                             "Exception in thread \"main\" java.lang.NoClassDefFoundError: org/slf4j/LoggerFactory"}) {
      CAPTURE(text);
      std::vector<Event> events;
      CHECK(set->match(record_with(text), events));
      REQUIRE(events.size() == 1);
      CHECK(events[0].captures == std::vector<std::pair<std::string, std::string>>{{"class", "org.slf4j.LoggerFactory"}});
      CHECK(events[0].summary == "org.slf4j.LoggerFactory missing");
    }
  }

  TEST_CASE("RuleProblem::describe") {
    CHECK(RuleProblem{"rules/packs/python.yaml", 42, "python_x", "pattern: missing ): (a"}.describe() ==
          "rules/packs/python.yaml:42: rule python_x: pattern: missing ): (a");
    CHECK(RuleProblem{"p.yaml", 3, "", "YAML syntax: end of map not found"}.describe() ==
          "p.yaml:3: YAML syntax: end of map not found");
    CHECK(RuleProblem{"p", 0, "", "no such file or directory"}.describe() == "p: no such file or directory");
  }
}

TEST_SUITE("templates") {
  TEST_CASE("names and rendering") {
    std::vector<std::string> names;
    std::string error;
    CHECK(template_names("{module} from {name} or {module}; {{x}}", names, error));
    CHECK(names == std::vector<std::string>{"module", "name", "module"});
    CHECK(render_template("{module} from {name}; {{x}} {missing}.",
                          {{"module", "a.b"}, {"name", "n"}}) == "a.b from n; {x} .");
    names.clear();
    CHECK_FALSE(template_names("a } b", names, error));
    CHECK(error == "unmatched '}' at offset 2 (write '}}' for a literal brace)");
    CHECK_FALSE(template_names("{1x}", names, error));
    CHECK_FALSE(template_names("{open", names, error));
    CHECK(render_template("{open", {}) == "{open");
  }
}

}  // namespace
}  // namespace faultline
