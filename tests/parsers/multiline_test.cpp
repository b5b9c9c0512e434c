#include "parsers/multiline.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "parsers/timestamp.h"

namespace faultline {
namespace {

using namespace std::chrono_literals;

const std::string kCorpus = FAULTLINE_CORPUS;

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  REQUIRE_MESSAGE(in.good(), "cannot open " << path);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::vector<std::string> split(const std::string& text) {
  std::vector<std::string> lines;
  std::string line;
  std::istringstream in(text);
  while (std::getline(in, line)) lines.push_back(line);
  return lines;
}

std::string join(const std::vector<std::string>& lines, size_t first, size_t count) {
  std::string out;
  for (size_t i = first; i < first + count; ++i) {
    if (i > first) out += '\n';
    out += lines[i];
  }
  return out;
}

const Timestamp kT0 = *parse_rfc3339("2025-10-05T07:30:00Z");

LogRecord line_record(std::string text, Timestamp time, std::string instance = "i-1",
                      std::string stream = "stderr") {
  LogRecord r;
  r.time = time;
  r.service = "svc";
  r.instance = std::move(instance);
  r.stream = std::move(stream);
  r.severity = "ERROR";
  r.text = std::move(text);
  return r;
}

// Each line its own record, 1 ms apart, on one stream; then end of input.
std::vector<LogRecord> assemble(const std::vector<std::string>& lines,
                                MultilineOptions options = {}) {
  MultilineAssembler assembler(options);
  std::vector<LogRecord> out;
  for (size_t i = 0; i < lines.size(); ++i)
    assembler.push(line_record(lines[i], kT0 + i * 1ms), out);
  assembler.flush_all(out);
  CHECK(assembler.pending() == 0);
  return out;
}

// A scenario's LogEntries as the LogEntry parser will give them (the LogRecord mapping of parsers/parse.h).
std::vector<LogRecord> load_scenario(const std::string& name) {
  std::vector<LogRecord> records;
  for (const std::string& line : split(read_file(kCorpus + "/failures/" + name))) {
    if (line.empty()) continue;
    auto entry = nlohmann::json::parse(line);
    LogRecord r;
    r.time = *parse_rfc3339(entry.at("timestamp").get<std::string>());
    const auto& labels = entry.at("resource").at("labels");
    r.service = labels.value("service_name", "");
    r.revision = labels.value("revision_name", "");
    r.resource_type = entry.at("resource").value("type", "");
    if (entry.contains("labels")) r.instance = entry["labels"].value("instanceId", "");
    std::string log_name = entry.at("logName").get<std::string>();
    r.stream = log_name.substr(log_name.rfind("%2F") + 3);
    r.severity = entry.value("severity", "");
    if (entry.contains("textPayload")) {
      r.text = entry["textPayload"].get<std::string>();
    } else if (entry.contains("jsonPayload") && entry["jsonPayload"].contains("message")) {
      r.text = entry["jsonPayload"]["message"].get<std::string>();
    } else {
      r.text = entry.dump();
    }
    r.source_id = entry.at("insertId").get<std::string>() + "|" + log_name;
    records.push_back(std::move(r));
  }
  return records;
}

size_t line_count(const std::string& text) {
  return std::count(text.begin(), text.end(), '\n') + 1;
}

std::vector<LogRecord> traces_of(const std::vector<LogRecord>& records) {
  std::vector<LogRecord> traces;
  for (const LogRecord& r : records)
    if (line_count(r.text) >= 2) traces.push_back(r);
  return traces;
}

// The trace of a corpus file that starts at 1-based line `first_line`.
LogRecord corpus_trace(const std::string& file, size_t first_line) {
  std::vector<std::string> lines = split(read_file(kCorpus + "/multiline/" + file));
  size_t consumed = 0;
  for (const LogRecord& r : assemble(lines)) {
    if (consumed + 1 == first_line) return r;
    consumed += line_count(r.text);
  }
  FAIL("no record starts at line " << first_line << " of " << file);
  return {};
}

}  // namespace

TEST_CASE("multiline: every corpus trace is one record and every other line stays alone") {
  auto index = nlohmann::json::parse(read_file(kCorpus + "/multiline/index.json"));
  const std::string separator = index.at("separator_line").get<std::string>();
  for (const auto& item : index.at("files").items()) {
    const std::string file = item.key();
    const auto& traces = item.value();
    CAPTURE(file);
    std::vector<std::string> lines = split(read_file(kCorpus + "/multiline/" + file));
    std::map<size_t, size_t> trace_at;  // 0-based first line -> line count
    for (const auto& t : traces)
      if (t.value("is_trace", true))
        trace_at[t.at("first_line").get<size_t>() - 1] = t.at("line_count").get<size_t>();

    std::vector<std::string> expected;
    for (size_t i = 0; i < lines.size();) {
      if (auto it = trace_at.find(i); it != trace_at.end()) {
        expected.push_back(join(lines, i, it->second));
        i += it->second;
      } else {
        expected.push_back(lines[i]);
        ++i;
      }
    }

    std::vector<LogRecord> out = assemble(lines);
    REQUIRE(out.size() == expected.size());
    size_t separators = 0;
    for (size_t i = 0; i < out.size(); ++i) {
      CAPTURE(i);
      CHECK(out[i].text == expected[i]);
      if (out[i].text == separator) ++separators;
      if (line_count(expected[i]) >= 2)
        CHECK_FALSE(out[i].exceptions.empty());
      else
        CHECK(out[i].exceptions.empty());
    }
    if (!trace_at.empty()) CHECK(separators == trace_at.size() - 1);
  }
}

TEST_CASE("multiline: the assembled record is the first line's record with the lines joined") {
  std::vector<std::string> lines = {
      "Traceback (most recent call last):",
      "  File \"/app/main.py\", line 3, in <module>",
      "    import missing",
      "ModuleNotFoundError: No module named 'missing'",
  };
  MultilineAssembler assembler;
  std::vector<LogRecord> out;
  for (size_t i = 0; i < lines.size(); ++i) {
    LogRecord r = line_record(lines[i], kT0 + i * 10ms);
    r.revision = "svc-00001-abc";
    r.source_id = "id" + std::to_string(i);
    r.severity = i == 0 ? "ERROR" : "DEFAULT";
    assembler.push(std::move(r), out);
  }
  CHECK(out.empty());  // a chained traceback may still follow
  assembler.flush_all(out);
  REQUIRE(out.size() == 1);
  CHECK(out[0].text == join(lines, 0, lines.size()));
  CHECK(out[0].time == kT0);
  CHECK(out[0].source_id == "id0");
  CHECK(out[0].severity == "ERROR");
  CHECK(out[0].revision == "svc-00001-abc");
  CHECK(out[0].instance == "i-1");
  CHECK(out[0].stream == "stderr");
  CHECK(out[0].exceptions ==
        std::vector<std::string>{"ModuleNotFoundError: No module named 'missing'"});
  REQUIRE(out[0].culprit);
  CHECK(*out[0].culprit == Frame{"/app/main.py", 3, "<module>"});
}

TEST_CASE("multiline: the seed's first traceback names gcp_auth_context_middleware.py:23") {
  std::vector<LogRecord> records = load_scenario("01_seed_netra_monitoring_cascade.ndjson");
  MultilineAssembler assembler;
  std::vector<LogRecord> out;
  for (LogRecord& r : records) assembler.push(std::move(r), out);
  assembler.flush_all(out);
  // Its tracebacks come as whole payloads; nothing else in it is a trace.
  CHECK(out.size() == records.size());
  std::vector<LogRecord> traces = traces_of(out);
  REQUIRE(traces.size() == 9);  // three tracebacks on each of three instances

  const LogRecord& first = traces[0];
  REQUIRE(first.culprit);
  CHECK(first.culprit->file == "/app/netra_backend/app/middleware/gcp_auth_context_middleware.py");
  CHECK(first.culprit->line == 23);
  CHECK(first.culprit->function == "<module>");
  REQUIRE(!first.exceptions.empty());
  CHECK(first.exceptions[0] ==
        "ModuleNotFoundError: No module named 'netra_backend.app.services.monitoring'");

  // The gunicorn traceback: site-packages and <frozen importlib> frames are skipped.
  const LogRecord& third = traces[2];
  REQUIRE(third.culprit);
  CHECK(*third.culprit ==
        Frame{"/app/netra_backend/app/core/middleware_setup.py", 836, "setup_middleware"});
  CHECK(third.exceptions ==
        std::vector<std::string>{
            "RuntimeError: Failed to setup enhanced middleware with WebSocket exclusion: "
            "No module named 'netra_backend.app.services.monitoring'"});
}

TEST_CASE("multiline: one LogEntry per line (04) assembles to what one payload (05) says") {
  std::vector<LogRecord> per_line = load_scenario("04_traceback_one_line_per_entry.ndjson");
  std::vector<LogRecord> payload = load_scenario("05_traceback_single_multiline_payload.ndjson");

  MultilineAssembler assembler;
  std::vector<LogRecord> out;
  for (const LogRecord& r : per_line) assembler.push(r, out);
  assembler.flush_all(out);
  std::vector<LogRecord> assembled = traces_of(out);

  std::vector<LogRecord> annotated;
  for (LogRecord r : payload) {
    if (r.text.find('\n') == std::string::npos) continue;
    annotate_trace(r);
    annotated.push_back(std::move(r));
  }

  REQUIRE(assembled.size() == 3);
  REQUIRE(annotated.size() == 3);
  for (size_t i = 0; i < 3; ++i) {
    CAPTURE(i);
    CHECK(assembled[i].text == annotated[i].text);
    CHECK(assembled[i].exceptions == annotated[i].exceptions);
    CHECK(assembled[i].culprit == annotated[i].culprit);
    CHECK(assembled[i].exceptions ==
          std::vector<std::string>{
              "ModuleNotFoundError: No module named 'orders.services.inventory'"});
    CHECK(assembled[i].culprit == Frame{"/app/orders/routes/checkout.py", 6, "<module>"});
  }
  // The trace keeps its first line's entry: time and dedup id of "Traceback …".
  auto first_line = std::find_if(per_line.begin(), per_line.end(), [](const LogRecord& r) {
    return r.text == "Traceback (most recent call last):";
  });
  REQUIRE(first_line != per_line.end());
  CHECK(assembled[0].time == first_line->time);
  CHECK(assembled[0].source_id == first_line->source_id);
  // Ten lines per traceback became one record; everything else passed through.
  CHECK(out.size() == per_line.size() - 3 * 9);
}

TEST_CASE("multiline: a chained Python traceback is one record, root cause first") {
  std::vector<std::string> lines = {
      "Traceback (most recent call last):",
      "  File \"/usr/local/lib/python3.11/site-packages/lib/loader.py\", line 10, in load",
      "    return importlib.import_module(name)",
      "  File \"/app/svc/plugins.py\", line 23, in <module>",
      "    from svc.monitoring import reporter",
      "  File \"<frozen importlib._bootstrap>\", line 1204, in _gcd_import",
      "ModuleNotFoundError: No module named 'svc.monitoring'",
      "",
      "The above exception was the direct cause of the following exception:",
      "",
      "Traceback (most recent call last):",
      "  File \"/app/svc/setup.py\", line 40, in setup",
      "    raise RuntimeError(f\"Failed to setup: {e}\") from e",
      "RuntimeError: Failed to setup: No module named 'svc.monitoring'",
      "",
      "During handling of the above exception, another exception occurred:",
      "",
      "Traceback (most recent call last):",
      "  File \"/app/svc/main.py\", line 5, in <module>",
      "    sys.exit(main())",
      "SystemExit: 3",
      "[2025-10-05 07:30:01 +0000] [7] [INFO] Worker exiting (pid: 7)",
  };
  std::vector<LogRecord> out = assemble(lines);
  REQUIRE(out.size() == 2);
  CHECK(out[0].text == join(lines, 0, lines.size() - 1));
  CHECK(out[0].exceptions ==
        std::vector<std::string>{"ModuleNotFoundError: No module named 'svc.monitoring'",
                                 "RuntimeError: Failed to setup: No module named 'svc.monitoring'",
                                 "SystemExit: 3"});
  CHECK(out[0].culprit == Frame{"/app/svc/plugins.py", 23, "<module>"});
  CHECK(out[1].text == lines.back());

  // The same chain as one payload reads the same.
  LogRecord payload = line_record(join(lines, 0, lines.size() - 1), kT0);
  annotate_trace(payload);
  CHECK(payload.exceptions == out[0].exceptions);
  CHECK(payload.culprit == out[0].culprit);
}

TEST_CASE("multiline: blank lines after a finished traceback are not swallowed") {
  std::vector<std::string> lines = {
      "Traceback (most recent call last):",
      "  File \"/app/a.py\", line 1, in <module>",
      "ValueError: bad",
      "",
      "",
      "next message",
  };
  std::vector<LogRecord> out = assemble(lines);
  REQUIRE(out.size() == 4);
  CHECK(out[0].text == join(lines, 0, 3));
  CHECK(out[1].text.empty());
  CHECK(out[2].text.empty());
  CHECK(out[3].text == "next message");
}

TEST_CASE("multiline: Java, Node and Go traces name the root cause and the application frame") {
  SUBCASE(
      "Java: the innermost Caused by is the root cause; frames it shares are searched outwards") {
    LogRecord complex = corpus_trace("java.txt", 8);
    CHECK(complex.exceptions ==
          std::vector<std::string>{"com.example.myproject.MyProjectServletException",
                                   "javax.servlet.ServletException: Something bad happened"});
    CHECK(complex.culprit ==
          Frame{"MyServlet.java", 169, "com.example.myproject.MyServlet.doPost"});

    LogRecord nested = corpus_trace("java.txt", 38);
    REQUIRE(nested.exceptions.size() == 3);
    CHECK(nested.exceptions[0].starts_with(
        "com.sun.mail.smtp.SMTPAddressFailedException: 550 5.7.1"));
    CHECK(nested.exceptions[1] == "javax.mail.SendFailedException: Invalid Addresses;");
    CHECK(nested.exceptions[2].starts_with(
        "java.lang.RuntimeException: javax.mail.SendFailedException"));
    CHECK(nested.culprit ==
          Frame{"AutomaticEmailFacade.java", 229,
                "com.nethunt.crm.api.server.adminsync.AutomaticEmailFacade.sendWithSmtp"});
  }
  SUBCASE("Node: node_modules frames are skipped") {
    LogRecord express = corpus_trace("node.txt", 1);
    CHECK(express.exceptions == std::vector<std::string>{"ReferenceError: myArray is not defined"});
    CHECK(express.culprit == Frame{"/app/app.js", 52, ""});
  }
  SUBCASE("Go: runtime frames are skipped; the panicking goroutine is the root") {
    LogRecord go = corpus_trace("go.txt", 1);
    CHECK(go.exceptions == std::vector<std::string>{"panic: my panic"});
    CHECK(go.culprit == Frame{"foo.go", 6, "main.main.func1"});

    LogRecord http = corpus_trace("go.txt", 84);
    CHECK(http.culprit == Frame{"/Users/ingvar/src/go/src/httppanic.go", 8, "main.doPanic"});

    LogRecord signal = corpus_trace("go.txt", 73);
    CHECK(signal.exceptions ==
          std::vector<std::string>{
              "panic: runtime error: invalid memory address or nil pointer dereference"});
    CHECK(signal.culprit == Frame{"panics/panics.go", 33, "panics.nilPtrDereference"});
  }
  SUBCASE("C#: the inner exception of Outer ---> Inner is the root cause") {
    LogRecord nested = corpus_trace("csharp.txt", 13);
    CHECK(
        nested.exceptions ==
        std::vector<std::string>{"System.InvalidOperationException: This is the inner exception",
                                 "System.InvalidOperationException: This is the outer exception"});
    CHECK(nested.culprit == Frame{"c:/ExampleApp/ExampleApp/NestedExceptionExample.cs", 33,
                                  "ExampleApp.NestedExceptionExample.LowestLevelMethod"});
  }
  SUBCASE("Python 2, Ruby, PHP, Dart") {
    CHECK(corpus_trace("python.txt", 1).culprit ==
          Frame{"/base/data/home/apps/s~nearfieldspy/1.378705245900539993/nearfieldspy.py", 5,
                "get"});
    CHECK(corpus_trace("ruby.txt", 1).culprit ==
          Frame{"app/controllers/books_controller.rb", 69, "recursivewordload"});
    CHECK(corpus_trace("php.txt", 1).culprit ==
          Frame{"/home/joe/work/test-php/test.php", 5, "func1"});
    LogRecord dart = corpus_trace("dart.txt", 9);
    CHECK(dart.exceptions == std::vector<std::string>{"Exception: exception message"});
    CHECK(dart.culprit ==
          Frame{"file:///path/to/code/dartFile.dart", 17, "main.<anonymous closure>"});
  }
}

TEST_CASE("multiline: Node ESM errors and Go fatal errors with a runtime stack") {
  SUBCASE("Node ESM: only runtime frames, so the culprit falls back to the innermost one") {
    std::vector<std::string> lines = {
        "Error [ERR_MODULE_NOT_FOUND]: Cannot find package 'express' imported from /app/index.js",
        "    at packageResolve (node:internal/modules/esm/resolve:853:9)",
        "    at moduleResolve (node:internal/modules/esm/resolve:910:20)",
        "    at ModuleJob._link (node:internal/modules/esm/module_job:86:36) {",
        "  code: 'ERR_MODULE_NOT_FOUND'",
        "}",
        "",
        "Node.js v20.18.0",
        "listening on :8080",
    };
    std::vector<LogRecord> out = assemble(lines);
    REQUIRE(out.size() == 2);
    CHECK(out[0].text == join(lines, 0, 8));
    CHECK(out[0].exceptions ==
          std::vector<std::string>{"Error [ERR_MODULE_NOT_FOUND]: Cannot find package 'express' imported from /app/index.js"});
    CHECK(out[0].culprit == Frame{"node:internal/modules/esm/resolve", 853, "packageResolve"});
  }
  SUBCASE("Go: the runtime's own stack is not the panicking goroutine") {
    std::vector<std::string> lines = {
        "fatal error: unexpected signal during runtime execution",
        "[signal SIGSEGV: segmentation violation code=0x1 addr=0x0 pc=0x45e1a4]",
        "",
        "runtime stack:",
        "runtime.throw({0x4a1b2c, 0x2a})",
        "\t/usr/local/go/src/runtime/panic.go:1047 +0x5d fp=0x7ffd5 sp=0x7ffd4 pc=0x433a3d",
        "",
        "goroutine 1 [syscall]:",
        "main.load(0xc000012345)",
        "\t/app/cgo.go:22 +0x4c",
        "main.main()",
        "\t/app/main.go:9 +0x25",
        "exit status 2",
    };
    std::vector<LogRecord> out = assemble(lines);
    REQUIRE(out.size() == 2);
    CHECK(out[0].text == join(lines, 0, 12));
    CHECK(out[0].exceptions == std::vector<std::string>{"fatal error: unexpected signal during runtime execution"});
    CHECK(out[0].culprit == Frame{"/app/cgo.go", 22, "main.load"});
    CHECK(out[1].text == "exit status 2");
  }
}

TEST_CASE("multiline: scenarios 07, 10, 11 read as their runtime prints them") {
  SUBCASE("Django: the app's wsgi.py is the culprit, not the site-packages import") {
    std::vector<LogRecord> traces = traces_of(load_scenario("07_django_cannot_import_name.ndjson"));
    REQUIRE(!traces.empty());
    LogRecord r = traces[0];
    annotate_trace(r);
    CHECK(r.exceptions ==
          std::vector<std::string>{
              "ImportError: cannot import name 'force_text' from 'django.utils.encoding' "
              "(/usr/local/lib/python3.11/site-packages/django/utils/encoding.py)"});
    CHECK(r.culprit == Frame{"/app/wiki/wsgi.py", 16, "<module>"});
  }
  SUBCASE("Node: the payload and the same lines one per entry give one trace") {
    std::vector<LogRecord> traces = traces_of(load_scenario("10_node_cannot_find_module.ndjson"));
    REQUIRE(!traces.empty());
    LogRecord payload = traces[0];
    annotate_trace(payload);
    CHECK(payload.exceptions == std::vector<std::string>{"Error: Cannot find module 'express'"});
    CHECK(payload.culprit == Frame{"/usr/src/app/server.js", 2, "Object.<anonymous>"});

    std::vector<LogRecord> out = assemble(split(payload.text));
    REQUIRE(out.size() == 1);
    CHECK(out[0].text == payload.text);
    CHECK(out[0].exceptions == payload.exceptions);
    CHECK(out[0].culprit == payload.culprit);
  }
  SUBCASE("Java launcher: the Caused by line joins its error line") {
    std::vector<LogRecord> records = load_scenario("11_java_class_not_found.ndjson");
    MultilineAssembler assembler;
    std::vector<LogRecord> out;
    for (const LogRecord& r : records) assembler.push(r, out);
    assembler.flush_all(out);
    std::vector<LogRecord> traces = traces_of(out);
    REQUIRE(traces.size() == 3);
    CHECK(
        traces[0].text ==
        "Error: Could not find or load main class org.springframework.boot.loader.JarLauncher\n"
        "Caused by: java.lang.ClassNotFoundException: org.springframework.boot.loader.JarLauncher");
    CHECK(traces[0].exceptions ==
          std::vector<std::string>{
              "java.lang.ClassNotFoundException: org.springframework.boot.loader.JarLauncher",
              "Error: Could not find or load main class "
              "org.springframework.boot.loader.JarLauncher"});
    CHECK_FALSE(traces[0].culprit);
  }
}

TEST_CASE("multiline: two instances' traces interleaved line by line are assembled apart") {
  std::vector<std::string> a = {
      "Traceback (most recent call last):",
      "  File \"/srv/billing/app.py\", line 14, in <module>",
      "    from billing.payments.stripe_helpers import charge_customer",
      "ModuleNotFoundError: No module named 'billing.payments.stripe_helpers'",
  };
  std::vector<std::string> b = {
      "java.lang.IllegalStateException: boom",
      "\tat com.example.Ledger.post(Ledger.java:42)",
      "\tat java.base/java.lang.Thread.run(Thread.java:833)",
      "Caused by: java.io.IOException: disk full",
      "\tat com.example.Journal.write(Journal.java:7)",
  };
  MultilineAssembler assembler;
  std::vector<LogRecord> out;
  Timestamp t = kT0;
  for (size_t i = 0; i < std::max(a.size(), b.size()); ++i) {
    if (i < a.size()) assembler.push(line_record(a[i], t += 1ms, "instance-a"), out);
    if (i < b.size()) assembler.push(line_record(b[i], t += 1ms, "instance-b"), out);
    // Another stream of instance-a: plain lines pass straight through.
    assembler.push(line_record("GET /healthz 200", t += 1ms, "instance-a", "stdout"), out);
  }
  CHECK(out.size() == b.size());
  CHECK(assembler.pending() == 2);
  assembler.flush_all(out);
  std::vector<LogRecord> traces = traces_of(out);
  REQUIRE(traces.size() == 2);
  auto of = [&](const std::string& instance) {
    return *std::find_if(traces.begin(), traces.end(),
                         [&](const LogRecord& r) { return r.instance == instance; });
  };
  LogRecord ta = of("instance-a");
  LogRecord tb = of("instance-b");
  CHECK(ta.text == join(a, 0, a.size()));
  CHECK(tb.text == join(b, 0, b.size()));
  CHECK(ta.culprit == Frame{"/srv/billing/app.py", 14, "<module>"});
  CHECK(tb.exceptions == std::vector<std::string>{"java.io.IOException: disk full",
                                                  "java.lang.IllegalStateException: boom"});
  CHECK(tb.culprit == Frame{"Journal.java", 7, "com.example.Journal.write"});
}

TEST_CASE("multiline: flush_older_than emits a trace after silence, not while lines keep coming") {
  std::vector<std::string> lines = {
      "panic: runtime error: index out of range [5] with length 3",
      "",
      "goroutine 1 [running]:",
      "main.handler(0xc000010000)",
      "\t/app/handler.go:17 +0x1d",
      "main.main()",
      "\t/app/main.go:9 +0x25",
  };
  MultilineAssembler assembler;  // flush_after 2 s
  std::vector<LogRecord> out;
  Timestamp t = kT0;
  for (const std::string& line : lines) {
    t += 1500ms;  // slower than flush_after overall, but never silent that long
    assembler.push(line_record(line, t), out);
    assembler.flush_older_than(t, out);
    CHECK(out.empty());
  }
  assembler.flush_older_than(t + 2s, out);  // silent exactly flush_after: not yet
  CHECK(out.empty());
  CHECK(assembler.pending() == 1);
  assembler.flush_older_than(t + 2s + 1ms, out);
  REQUIRE(out.size() == 1);
  CHECK(assembler.pending() == 0);
  CHECK(out[0].text == join(lines, 0, lines.size()));
  CHECK(out[0].time == kT0 + 1500ms);
  CHECK(out[0].culprit == Frame{"/app/handler.go", 17, "main.handler"});
}

TEST_CASE("multiline: a line that comes after the silence does not join the old trace") {
  MultilineAssembler assembler;
  std::vector<LogRecord> out;
  assembler.push(line_record("java.lang.IllegalStateException: boom", kT0), out);
  assembler.push(line_record("\tat com.example.A.b(A.java:1)", kT0 + 1s), out);
  CHECK(out.empty());
  assembler.push(line_record("\tat com.example.C.d(C.java:2)", kT0 + 10s), out);
  REQUIRE(out.size() == 2);
  CHECK(out[0].text == "java.lang.IllegalStateException: boom\n\tat com.example.A.b(A.java:1)");
  CHECK(out[1].text == "\tat com.example.C.d(C.java:2)");
  CHECK(assembler.pending() == 0);
}

TEST_CASE(
    "multiline: plain lines pass straight through and candidates that nothing continues stay as "
    "they were") {
  MultilineAssembler assembler;
  std::vector<LogRecord> out;
  assembler.push(
      line_record("[2025-10-05 07:30:01 +0000] [1] [INFO] Listening at: http://0.0.0.0:8080 (1)",
                  kT0),
      out);
  CHECK(out.size() == 1);
  CHECK(assembler.pending() == 0);

  assembler.push(line_record("RuntimeError: Failed to setup middleware", kT0 + 1ms), out);
  CHECK(out.size() == 1);  // may be the first line of a Java/JS trace
  CHECK(assembler.pending() == 1);
  assembler.push(
      line_record("[2025-10-05 07:30:01 +0000] [1] [ERROR] Shutting down: Master", kT0 + 2ms), out);
  REQUIRE(out.size() == 3);
  CHECK(out[1].text == "RuntimeError: Failed to setup middleware");
  CHECK(out[1].exceptions.empty());
  CHECK_FALSE(out[1].culprit);
  CHECK(out[2].text == "[2025-10-05 07:30:01 +0000] [1] [ERROR] Shutting down: Master");
}

TEST_CASE("multiline: a multi-line payload ends the trace pending on its stream and is annotated") {
  MultilineAssembler assembler;
  std::vector<LogRecord> out;
  assembler.push(
      line_record("Middleware setup failure details: ModuleNotFoundError: No module named 'x'",
                  kT0),
      out);
  std::string payload =
      "Traceback (most recent call last):\n"
      "  File \"/app/x_user.py\", line 2, in <module>\n"
      "    import x\n"
      "ModuleNotFoundError: No module named 'x'";
  assembler.push(line_record(payload, kT0 + 1ms), out);
  REQUIRE(out.size() == 2);
  CHECK(out[0].text ==
        "Middleware setup failure details: ModuleNotFoundError: No module named 'x'");
  CHECK(out[1].text == payload);
  CHECK(out[1].culprit == Frame{"/app/x_user.py", 2, "<module>"});
  CHECK(assembler.pending() == 0);

  LogRecord not_a_trace = line_record("first line\nsecond line", kT0);
  annotate_trace(not_a_trace);
  CHECK(not_a_trace.exceptions.empty());
  CHECK_FALSE(not_a_trace.culprit);
}

TEST_CASE("multiline: max_lines and max_bytes cut a long trace into pieces, losing nothing") {
  std::vector<std::string> lines = {"java.lang.StackOverflowError"};
  for (int i = 0; i < 11; ++i)
    lines.push_back("\tat com.example.Recursive.call(Recursive.java:" + std::to_string(i + 1) +
                    ")");
  lines.push_back("after the trace");

  MultilineOptions by_lines;
  by_lines.max_lines = 5;
  std::vector<LogRecord> out = assemble(lines, by_lines);
  REQUIRE(out.size() == 4);
  CHECK(out[0].text == join(lines, 0, 5));
  CHECK(out[1].text == join(lines, 5, 5));
  CHECK(out[2].text == join(lines, 10, 2));
  CHECK(out[3].text == "after the trace");
  CHECK(out[0].exceptions == std::vector<std::string>{"java.lang.StackOverflowError"});

  MultilineOptions by_bytes;
  by_bytes.max_bytes = 200;
  out = assemble(lines, by_bytes);
  std::vector<std::string> back;
  for (const LogRecord& r : out) {
    CHECK(r.text.size() <= 200);
    for (const std::string& l : split(r.text)) back.push_back(l);
  }
  CHECK(back == lines);
}

TEST_CASE("multiline: every line comes out exactly once, in its stream's order, whatever the mix") {
  std::vector<std::string> pool;
  for (const char* file : {"python.txt", "java.txt", "go.txt", "node.txt", "ruby.txt", "csharp.txt",
                           "php.txt", "dart.txt", "not_a_trace.txt"})
    for (const std::string& l : split(read_file(kCorpus + "/multiline/" + file))) pool.push_back(l);

  std::mt19937 rng(20251005);
  const std::vector<std::string> instances = {"a", "b", "c"};
  std::map<std::string, std::vector<std::string>> sent;
  MultilineOptions options;
  options.max_lines = 7;
  MultilineAssembler assembler(options);
  std::vector<LogRecord> out;
  Timestamp t = kT0;
  size_t cursor = 0;
  for (int round = 0; round < 3000; ++round) {
    // Runs of consecutive corpus lines, so traces form, on a random instance.
    const std::string& instance = instances[rng() % instances.size()];
    size_t run = 1 + rng() % 6;
    for (size_t k = 0; k < run; ++k) {
      std::string line = pool[cursor++ % pool.size()];
      sent[instance].push_back(line);
      t += std::chrono::milliseconds(rng() % 1500);
      assembler.push(line_record(line, t, instance), out);
    }
    if (rng() % 10 == 0) assembler.flush_older_than(t, out);
  }
  assembler.flush_all(out);
  std::map<std::string, std::vector<std::string>> received;
  for (const LogRecord& r : out)
    for (const std::string& l : split(r.text.empty() ? std::string("\n") : r.text))
      received[r.instance].push_back(l);
  for (const std::string& instance : instances) {
    CAPTURE(instance);
    CHECK(received[instance] == sent[instance]);
  }
}

}  // namespace faultline
